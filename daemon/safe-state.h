/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The safety net: every lock line a qrgated held, driven to its safe state after that daemon is
 * gone — by `qrgated --safe-state` (the unit's ExecStopPost, after a crash or SIGKILL) and by a
 * starting daemon that finds an earlier run's record (daemon/lock-record.h). */

#include <stdbool.h>

/* The runtime directory: $RUNTIME_DIRECTORY (systemd's RuntimeDirectory=, the first of several),
 * else /run/qrgate. The same for the daemon and its ExecStopPost, without the configuration. */
const char *safe_state_runtime_directory(void);

/* Drives every lock of the record in the runtime directory dir_fd to its safe state and removes
 * the record when all of them were. The caller holds LOCK_RECORD_LOCK. When drop_privileges is
 * set and the record belongs to another user than ours (root running the unit's ExecStopPost
 * for the qrgate user), the lines are driven with that user's rights, never more: the record is
 * that user's writing. config_path: what to drive instead when the record cannot be read.
 * Logs each lock. Returns 0 (every lock driven, or nothing recorded), or -errno. */
int safe_state_drive_record(int dir_fd, bool drop_privileges, const char *config_path);

/* `qrgated --safe-state`: opens the runtime directory, takes the record's lock (refusing while
 * a daemon still holds it) and drives the record. Returns the exit status. */
int safe_state_main(const char *config_path);
