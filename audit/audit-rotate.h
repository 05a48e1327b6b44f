/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Rotation and retention. A new file begins when the next record would take the current one past
 * max_file_size, or when the current file's first record is older than max_file_age; the first
 * record of the new file links to the last of the old one as any record does, so the chain runs
 * on across files. Retention deletes whole files, oldest first and never the current one, so
 * what remains is always an unbroken suffix of the chain (`qrgatectl audit verify` starts from
 * its first record and says so). No I/O besides reading the directory; no logging. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit-conf.h"
#include "audit/audit-file.h"

bool audit_rotate_due(const AuditConf *c, uint64_t file_size, size_t record_size, int64_t file_started_usec,
                      int64_t now_usec);

typedef struct AuditRetire {
        char name[AUDIT_FILE_NAME_MAX];
        uint64_t first_seq;
        uint64_t n_records; /* from its name and the next file's: first_seq … next first_seq - 1 */
        const char *why;    /* "max_files" or "max_age" */
} AuditRetire;

/* Which files of list (chain order) retention deletes now: a prefix of the list that leaves the
 * last file (the current one) alone. now_usec is wall-clock time; a file's age is its
 * modification time (its last record). A file older than max_age goes; beyond max_files, only a
 * file older than min_age goes — *ret_held_back says that one was kept for that reason (the log
 * then grows past max_files: the free-space check, not retention, bounds it). *ret is
 * malloc()ed. Returns 0 or -errno. */
int audit_retention_plan(int dir_fd, const AuditFileEntry *list, size_t n, const AuditConf *c, int64_t now_usec,
                         AuditRetire **ret, size_t *ret_n, bool *ret_held_back);
