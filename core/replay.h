/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The replay cache: which (iss, cti) pairs have already opened a door. A dynamic code is only
 * worth something if a screenshot of it cannot be used twice, so an entry lives at least as long
 * as its code could still be accepted, and survives a restart of the daemon.
 *
 * Times are whole seconds and an entry's "until" is inclusive: the entry is live at every t with
 * t <= until — the same comparison as the verifier's time step (core/verifier.h,
 * code_last_acceptable()), so that there is no second in which the code is accepted and its
 * entry already gone.
 *
 * Memory is fixed at creation (capacity entries of 24 bytes, a table of twice that); when every
 * slot holds an unexpired code, new codes are refused (-ENOSPC) rather than forgetting one that
 * could then be replayed. Persistence is an append-only file of the same 24-byte records,
 * compacted when it is opened and when it grows past four times the capacity. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

typedef struct ReplayCache ReplayCache;

/* capacity: the most unexpired codes held at once (≥ 1). */
int replay_cache_new(size_t capacity, ReplayCache **ret);
/* Closes the file (if any) and frees the cache. Returns NULL. */
ReplayCache *replay_cache_free(ReplayCache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(ReplayCache *, replay_cache_free);

/* Loads the entries still live at now from the file name in the directory dir_fd (creating it if
 * missing), rewrites it without the expired ones and keeps it open for appending. Every file is
 * opened relative to dir_fd without following symlinks, and must be a regular file (-ELOOP,
 * -EBADFD otherwise): a link planted in the state directory must not redirect the daemon's
 * writes. A torn last record (a crash during an append) is dropped. -EBADMSG for a file that is
 * not a replay cache (left as it is), other -errno when it cannot be created or written. */
int replay_cache_attach_file(ReplayCache *c, int dir_fd, const char *name, int64_t now);

/* True when (iss, cti) was added and its entry is live at now (now <= until). */
bool replay_cache_contains(const ReplayCache *c, const char *iss, const uint8_t *cti, size_t cti_len, int64_t now);

/* Records (iss, cti) as used through until (unix seconds, inclusive). The entry is in memory —
 * and so refused from then on — at once; its record for the file is queued until
 * replay_cache_sync(), so that a caller can drive a door before touching the disk. Returns
 * -EEXIST if (iss, cti) is there already, live or not (the same code is never re-armed),
 * -ENOSPC when the cache is full of live entries, or -errno from writing the file when the
 * queue was full and had to be written first (the entry is still held in memory). */
int replay_cache_add(ReplayCache *c, const char *iss, const uint8_t *cti, size_t cti_len, int64_t until, int64_t now);

/* Appends the queued records to the file (no-op without one). replay_cache_free() does it too.
 * -errno from writing; the records stay queued for the next attempt. */
int replay_cache_sync(ReplayCache *c, int64_t now);

size_t replay_cache_count(const ReplayCache *c, int64_t now);

/* Whether one more code can be added at now: below capacity, or would be once the entries no
 * longer live at now are swept (which this does, only when at capacity). */
bool replay_cache_has_room(ReplayCache *c, int64_t now);
