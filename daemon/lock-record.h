/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The record of the lock lines a running qrgated holds, kept in its runtime directory.
 *
 * After a crash nothing has driven the locks, and the unit's ExecStopPost (`qrgated
 * --safe-state`) must do it for exactly the lines the dead daemon held — not for what the
 * configuration file says now, which may have been edited since (a reload refuses a lock change
 * until the restart), or may not even parse. So the daemon writes this record before it opens
 * its first lock, keeps it while it runs, and removes it once a clean stop has driven every lock
 * to its safe state. A stale record found at start is driven to its safe state first.
 *
 * The file is text, one lock per line, values percent-encoded:
 *     qrgate-held-locks 1
 *     id=main backend=gpiod chip=gpiochip0 line=3 active_low=0 safe_state=locked
 * It is replaced atomically (a new file renamed over it), so a reader sees the old or the new
 * one. Whoever holds LOCK_RECORD_LOCK (private_dir_lock()) owns the record: the running daemon,
 * or the safety net once the daemon is gone. No logging here. */

#include <stddef.h>
#include <sys/types.h>

#include "hal/lock.h"

#define LOCK_RECORD_LOCK "qrgated.lock"
#define LOCK_RECORD_FILE "held-locks"

typedef struct LockRecord LockRecord;

/* Writes the record of locks[0..n) into dir_fd, replacing any earlier one. 0 or -errno. */
int lock_record_write(int dir_fd, const LockConfig *locks, size_t n);

/* Reads the record in dir_fd: *ret must be freed with lock_record_free(), *ret_owner is the
 * file's owner. -ENOENT when there is none, -EBADMSG when it is not a valid record, -ELOOP or
 * -EBADFD when it is a symlink or not a regular file, -errno. */
int lock_record_read(int dir_fd, LockRecord **ret, uid_t *ret_owner);
LockRecord *lock_record_free(LockRecord *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(LockRecord *, lock_record_free);

size_t lock_record_count(const LockRecord *r);
/* The i-th lock; its strings live as long as r. */
const LockConfig *lock_record_get(const LockRecord *r, size_t i);

/* Removes the record (after every lock it names is in its safe state). 0 or -errno. */
int lock_record_remove(int dir_fd);
