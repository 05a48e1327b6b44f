/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The highest deny-list version an appliance ever accepted, kept in its state directory so that
 * a restart cannot be rolled back to an older list (docs/denylist.md), and the rule by which a
 * list may follow another. Nothing here logs. */

#include <stdint.h>

#include "core/denylist.h"

#define DENYLIST_RECORD_FILE "denylist-version"

typedef struct DenyListRecord {
        uint64_t version; /* 0: no list accepted yet */
        uint8_t id[32];   /* DenyListInfo.id of that list */
} DenyListRecord;

/* Reads the record name in dir_fd: a regular file, not a symbolic link. Returns 0, -ENOENT when
 * there is none (a first start: *ret is all zero), -EBADMSG for one that is not a record (cut
 * short, foreign), or the errors of open_regular_file() (core/fileio.h: -ELOOP, -EBADFD, ...). */
int denylist_record_read(int dir_fd, const char *name, DenyListRecord *ret);

/* Writes it crash-safe: a temporary file, fsync(), rename() over the old one, fsync() of the
 * directory; a power cut leaves the old record or the new one, never half. -errno. */
int denylist_record_write(int dir_fd, const char *name, const DenyListRecord *rec);

/* Whether a list may replace the one recorded as the highest: 0 when it is newer; -EALREADY
 * when it is that very list (the same version and content: loaded again after a restart);
 * -ESTALE when it is older, or the same version with another content (two lists must never
 * share a version: either could be a rollback of the other). */
int denylist_succession(const DenyListRecord *highest, const DenyListInfo *candidate);
