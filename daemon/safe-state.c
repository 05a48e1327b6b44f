/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "daemon/lock-record.h"
#include "daemon/log.h"
#include "daemon/private-dir.h"
#include "daemon/safe-state.h"

const char *safe_state_runtime_directory(void) {
        static char dir[4096];
        const char *e = getenv("RUNTIME_DIRECTORY");

        if (!e || !*e)
                return "/run/qrgate";
        /* systemd may pass several directories separated by ':'; ours is the first. */
        snprintf(dir, sizeof(dir), "%.*s", (int) strcspn(e, ":"), e);
        return dir;
}

/* Opening a lock drives its safe state; closing it drives it again and lets the line go. */
static int drive(const LockConfig *c) {
        Lock *l;
        int r;

        r = lock_new(c, &l);
        if (r >= 0)
                r = lock_close(l);
        if (r < 0)
                return log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_NOT_SAFE, .lock = c->id),
                                  "Lock %s: cannot drive the safe state (%s): %m", c->id, c->backend);
        log_info("Lock %s: %s (safe state).", c->id, lock_safe_state_to_string(c->safe_state));
        return 0;
}

/* The record is written by the daemon's user: act with that user's rights and groups (the gpio
 * group that opens the chips comes from the group database, systemd/qrgate.sysusers). */
static int become(uid_t uid) {
        struct passwd *pw = getpwuid(uid);

        if (!pw)
                return log_error_errno(ENOENT, "The lock record belongs to uid %u, which has no account; not acting on it.",
                                       (unsigned) uid);
        if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) < 0 ||
            setresuid(uid, uid, uid) < 0)
                return log_error_errno(errno, "Cannot take the rights of %s to drive its locks: %m", pw->pw_name);
        return 0;
}

static int drive_config(const char *config_path) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *errors = NULL;
        int ret = 0, r;

        if (!config_path)
                return -ENOENT;
        log_warning("Driving the locks of %s instead.", config_path);
        r = config_load(config_path, &c, &errors);
        if (r < 0) {
                log_error("%s", errors ?: "out of memory");
                return log_error_errno(r, "%s cannot be used either; no lock was driven.", config_path);
        }
        LockConfig lines[CONFIG_MAX_OUTPUTS];
        size_t n = config_output_lines(c, lines);
        for (size_t i = 0; i < n; i++) {
                r = drive(&lines[i]);
                if (r < 0)
                        ret = r;
        }
        return ret;
}

int safe_state_drive_record(int dir_fd, bool drop_privileges, const char *config_path) {
        _cleanup_(lock_record_freep) LockRecord *rec = NULL;
        uid_t owner;
        int ret = 0, r;

        r = lock_record_read(dir_fd, &rec, &owner);
        if (r == -ENOENT) {
                log_debug("No lock lines are recorded as held.");
                return 0;
        }
        if (r < 0) {
                log_error_errno(r, "The record of held lock lines (%s) cannot be read: %m.", LOCK_RECORD_FILE);
                return drive_config(config_path);
        }
        if (drop_privileges && owner != geteuid()) {
                r = become(owner);
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < lock_record_count(rec); i++) {
                r = drive(lock_record_get(rec, i));
                if (r < 0)
                        ret = r;
        }
        if (ret < 0)
                return ret; /* the record stays: the next attempt drives them again */
        r = lock_record_remove(dir_fd);
        if (r < 0)
                log_warning_errno(r, "Cannot remove the record of held lock lines: %m");
        return 0;
}

int safe_state_main(const char *config_path) {
        const char *dir = safe_state_runtime_directory();
        _cleanup_(closep) int dir_fd = -EBADF, lock_fd = -EBADF;
        int r;

        /* Root, as the unit's ExecStopPost, reads a directory the daemon's user owns and then
         * acts with that user's rights only; anyone else must own it. Nothing is created: no
         * directory means no daemon ever held a line since boot. */
        dir_fd = private_dir_open(dir, 0, geteuid() == 0 ? (uid_t) -1 : geteuid());
        if (dir_fd == -ENOENT) {
                log_info("%s does not exist: no lock lines are recorded as held.", dir);
                return 0;
        }
        if (dir_fd < 0) {
                log_error("Runtime directory %s cannot be used: %s.", dir, private_dir_strerror(dir_fd));
                return drive_config(config_path) < 0 ? 1 : 0;
        }
        lock_fd = private_dir_lock(dir_fd, LOCK_RECORD_LOCK);
        if (lock_fd == -EBUSY) {
                log_error("qrgated is still running (it holds %s/%s) and keeps its own locks; not touching them.", dir,
                          LOCK_RECORD_LOCK);
                return 1;
        }
        if (lock_fd < 0) {
                log_error("Cannot lock %s/%s: %s.", dir, LOCK_RECORD_LOCK, private_dir_strerror(lock_fd));
                return drive_config(config_path) < 0 ? 1 : 0;
        }
        r = safe_state_drive_record(dir_fd, true, config_path);
        return r < 0 ? 1 : 0;
}
