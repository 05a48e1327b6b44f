/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's own directories (the state directory with the replay cache and the audit log; the
 * runtime directory with the record of the lock lines it holds). Whoever can write into them can
 * plant a symlink where the daemon writes, or a record that another instance or the safety net
 * acts on, so they are opened without following a symlink, checked, and locked. No logging. */

#include <stdbool.h>
#include <sys/types.h>

/* Opens the directory path (created with mode if missing and mode is not 0; its parent must exist), never through
 * a symlink as its last component, as a file descriptor (O_DIRECTORY). Checks that it is owned
 * by owner — or by anyone when owner is (uid_t) -1, for a caller that then acts with the owner's
 * rights — and that neither group nor others may write to it. Returns the fd, or -ENOTDIR,
 * -ELOOP (a symlink), -EPERM (another owner), -EACCES (writable by group or others), -errno. */
int private_dir_open(const char *path, mode_t mode, uid_t owner);

/* Takes an exclusive, non-blocking lock on the file name in dir_fd (created 0600 if missing, a
 * regular file, not through a symlink) and returns its fd: the lock lasts as long as that fd is
 * open, and the kernel lets go of it when the process dies however it dies — unlike a PID file,
 * whose PID can be reused. -EBUSY when another process holds it. */
int private_dir_lock(int dir_fd, const char *name);

/* What private_dir_open()'s and private_dir_lock()'s errors mean, for messages. */
const char *private_dir_strerror(int error);
