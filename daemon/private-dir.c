/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "core/macro.h"
#include "daemon/private-dir.h"

int private_dir_open(const char *path, mode_t mode, uid_t owner) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        if (mode != 0 && mkdir(path, mode) < 0 && errno != EEXIST)
                return -errno;
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                /* O_NOFOLLOW on a symlink fails with ELOOP, or ENOTDIR together with O_DIRECTORY. */
                if ((errno == ENOTDIR || errno == ELOOP) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
                        return -ELOOP;
                return -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (owner != (uid_t) -1 && st.st_uid != owner)
                return -EPERM;
        if (st.st_mode & (S_IWGRP | S_IWOTH))
                return -EACCES;
        return TAKE_FD(fd);
}

int private_dir_lock(int dir_fd, const char *name) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;

        fd = openat(dir_fd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        return TAKE_FD(fd);
}

const char *private_dir_strerror(int error) {
        switch (error) {
        case -ELOOP:
                return "it is a symbolic link; give the real directory";
        case -EPERM:
                return "it belongs to another user";
        case -EACCES:
                return "group or others may write to it (chmod go-w)";
        case -ENOTDIR:
                return "it is not a directory";
        case -EBADFD:
                return "its lock file is not a regular file";
        case -EBUSY:
                return "another qrgated is using it";
        default:
                return strerror(-error);
        }
}
