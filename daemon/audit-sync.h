/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The audit syncer: fdatasync() of the audit log on a thread of its own, so that the event loop
 * (and with it every door) never waits for the disk. The loop writes records with write(2) —
 * from then on they survive the death of the process — and tells the syncer how far it got; the
 * syncer makes that durable and reports back on the loop through an eventfd.
 *
 * Policies (docs/audit.md, "Durability"):
 *   immediate (durability "sync"): an fdatasync starts as soon as a record has been written;
 *     records written while one runs are covered by the next one (group commit without delay);
 *   grouped: the first record written after a sync waits at most group_usec, and everything
 *     written by then is made durable by one fdatasync.
 *
 * The thread runs at the lowest CPU priority and is woken from a defer source, after the loop is
 * done with what it is dispatching: on a small board its fdatasync must not compete with the
 * next scan's verification (scripts/bench-e2e measured that it did).
 *
 * Like the rest of the daemon, the syncer belongs to the thread of its sd-event loop; the thread
 * it starts only calls fdatasync()/fsync()/close() on descriptors it owns. It does not log. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "core/macro.h"

typedef struct AuditSyncer AuditSyncer;

/* Called on the loop. seq: every record up to it is durable. error: 0, or the negative errno
 * of a failed fdatasync (records after the previous durable seq may then not be on disk). */
typedef void (*AuditSyncedHandler)(AuditSyncer *s, uint64_t seq, int error, void *userdata);

/* Starts the syncer's thread. Returns 0 and a syncer that must be freed with audit_syncer_free()
 * (which syncs what is still written but not durable), or -errno. */
int audit_syncer_new(sd_event *e, uint64_t group_usec, AuditSyncedHandler handler, void *userdata, AuditSyncer **ret);

/* Makes everything written so far durable (on the calling thread), stops the thread, closes the
 * syncer's descriptors and frees it. The handler is not called. Returns NULL. */
AuditSyncer *audit_syncer_free(AuditSyncer *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(AuditSyncer *, audit_syncer_free);

/* Everything up to seq has been written to fd (the thread is woken once the loop is done with
 * its current dispatch). When fd is not the file the syncer holds, it
 * takes a duplicate of it (the previous file is synced and closed first) and the containing
 * directory dir_fd is synced too, so that a new file's name is as durable as its records.
 * Returns 0 or -errno (dup). */
int audit_syncer_written(AuditSyncer *s, int fd, int dir_fd, uint64_t seq);

