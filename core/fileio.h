/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading the files an operator names (configuration, keys, trust lists, PINs) without letting
 * a wrong file stop the daemon: a FIFO, socket or device in place of a file would block open()
 * or read() forever and freeze the event loop, and /dev/zero would never end. Every file is
 * opened non-blocking, checked to be a regular file before anything is read, and size-capped.
 * The errors follow systemd's convention (src/basic/stat-util.c, stat_verify_regular()), so a
 * caller can tell the operator what is wrong. Nothing here logs. */

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

typedef enum ReadFileFlags {
        /* Refuse a symbolic link as the last component (-ELOOP). For names in a directory
         * that only a trusted writer fills; configured paths under /etc may be links. */
        READ_NOFOLLOW = 1 << 0,
        /* The content is a secret: the buffer is allocated once at max_size + 1 (never moved by
         * realloc(), which would leave copies behind) and erased before it is freed on failure.
         * The caller erases it after use (explicit_bzero()). */
        READ_SECRET = 1 << 1,
} ReadFileFlags;

/* 0 for a regular file; -EISDIR, -ELOOP (a symbolic link, as lstat() shows one) or -EBADFD (a
 * FIFO, socket or device) otherwise. For files opened otherwise than for reading (queues, logs). */
int stat_verify_regular(const struct stat *st);

/* Writes all n bytes at offset off (pwrite(2) until done, through EINTR and short writes): 0, or
 * the error of the write that failed (-ENOSPC on a full disk: part of the bytes may be there). */
int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off);

/* Writes all n bytes to fd at its current position (a pipe, socket or device: write(2) until
 * done, through EINTR and short writes). On a non-blocking fd, EAGAIN waits in poll() for
 * POLLOUT, at most timeout_ms without progress (a negative timeout: no limit): a device that
 * takes nothing for that long (a printer out of paper) gives -ETIMEDOUT. Returns 0, -ETIMEDOUT,
 * or the error of the write that failed (-EPIPE, -EIO, -ENODEV, ...): part of the bytes may have
 * been written. Writing to a pipe or socket whose reader is gone raises SIGPIPE unless the
 * caller ignores it, as our daemons do; then it is -EPIPE. */
int write_all_timeout(int fd, const uint8_t *p, size_t n, int timeout_ms);

/* Opens path (relative to dir_fd, which may be AT_FDCWD) for reading, with O_NONBLOCK so that
 * neither a FIFO without a writer nor a device can block, and checks that it is a regular file.
 * Returns the fd (the caller closes it) and, if ret_stat is not NULL, its fstat(). Errors:
 *  -EISDIR  a directory;
 *  -EBADFD  a FIFO, socket or device node;
 *  -ELOOP   a symbolic link, with READ_NOFOLLOW;
 *  -errno   from open() or fstat() (-ENOENT, -EACCES, ...). */
int open_regular_file(int dir_fd, const char *path, ReadFileFlags flags, struct stat *ret_stat);

/* Reads an fd opened by open_regular_file() from its current position to the end. At most
 * max_size bytes: a longer file (or one that grows past it while we read) is -EFBIG, as is a
 * file whose st_size is larger. *ret is a malloc()ed buffer of *ret_size bytes plus a
 * terminating NUL, which the caller frees; ret_size may be NULL. The same errors as
 * open_regular_file() for an fd that is not a regular file, -errno from read(), -ENOMEM. */
int read_regular_fd(int fd, size_t max_size, ReadFileFlags flags, char **ret, size_t *ret_size);

/* open_regular_file() and read_regular_fd() in one call. */
int read_regular_file(int dir_fd, const char *path, size_t max_size, ReadFileFlags flags, char **ret,
                      size_t *ret_size);

/* A short phrase for an error of the functions above, to follow "PATH: " in a message: "not a
 * regular file (a FIFO, socket or device)", "a directory, not a regular file", "larger than the
 * size limit", ...; strerror() for the others. flags are those of the failed call (-ELOOP means
 * a link only under READ_NOFOLLOW). The string is static or strerror()'s. */
const char *read_file_strerror(int error, ReadFileFlags flags);
