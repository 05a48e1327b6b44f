/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"

int stat_verify_regular(const struct stat *st) {
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (S_ISLNK(st->st_mode))
                return -ELOOP;
        if (!S_ISREG(st->st_mode))
                return -EBADFD;
        return 0;
}

int open_regular_file(int dir_fd, const char *path, ReadFileFlags flags, struct stat *ret_stat) {
        _cleanup_(closep) int fd = -EBADF;
        struct stat st;
        int r;

        /* O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, and some devices
         * wait for a carrier. It changes nothing for a regular file. O_NOCTTY: a terminal named
         * by mistake must not become our controlling terminal. */
        fd = openat(dir_fd, path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY |
                                          ((flags & READ_NOFOLLOW) ? O_NOFOLLOW : 0));
        if (fd < 0) {
                r = -errno;
                /* open(2) gives ENXIO for a UNIX socket, which would read as "no such device":
                 * say what it is instead. */
                if (r == -ENXIO &&
                    fstatat(dir_fd, path, &st, (flags & READ_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0) >= 0 &&
                    !S_ISREG(st.st_mode))
                        return stat_verify_regular(&st);
                return r;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        r = stat_verify_regular(&st);
        if (r < 0)
                return r;
        if (ret_stat)
                *ret_stat = st;
        return TAKE_FD(fd);
}

static void buffer_free(char *buf, size_t size, ReadFileFlags flags) {
        if (buf && (flags & READ_SECRET))
                explicit_bzero(buf, size);
        free(buf);
}

int read_regular_fd(int fd, size_t max_size, ReadFileFlags flags, char **ret, size_t *ret_size) {
        struct stat st;
        size_t n = 0, cap;
        char *buf;
        int r;

        /* cap is the room for data; the buffer has one byte more for the NUL. Reading up to
         * max_size + 1 bytes is what tells a file of exactly max_size from a longer one. */
        if (max_size >= SIZE_MAX - 2)
                return -EINVAL;
        if (fstat(fd, &st) < 0)
                return -errno;
        r = stat_verify_regular(&st);
        if (r < 0)
                return r;
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;
        /* st_size is a hint only: files in /proc say 0, and a file may change while we read. */
        cap = (flags & READ_SECRET) ? max_size + 1 : (size_t) st.st_size + 1;
        buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t k;

                if (n == cap) {
                        size_t grown;
                        char *b;

                        if (cap > max_size) {
                                r = -EFBIG;
                                break;
                        }
                        /* Doubling, but never past max_size + 1 (nor overflowing). */
                        grown = cap > (max_size + 1) / 2 ? max_size + 1 : MIN(MAX(cap * 2, (size_t) 4096), max_size + 1);
                        b = realloc(buf, grown + 1);
                        if (!b) {
                                r = -ENOMEM;
                                break;
                        }
                        buf = b, cap = grown;
                }
                k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        r = -errno;
                        break;
                }
                if (k == 0) {
                        r = 0;
                        break;
                }
                n += (size_t) k;
        }
        if (r < 0) {
                buffer_free(buf, cap + 1, flags);
                return r;
        }
        buf[n] = '\0';
        *ret = buf;
        if (ret_size)
                *ret_size = n;
        return 0;
}

int read_regular_file(int dir_fd, const char *path, size_t max_size, ReadFileFlags flags, char **ret,
                      size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;

        fd = open_regular_file(dir_fd, path, flags, NULL);
        if (fd < 0)
                return fd;
        return read_regular_fd(fd, max_size, flags, ret, ret_size);
}

const char *read_file_strerror(int error, ReadFileFlags flags) {
        switch (error) {
        case -EISDIR:
                return "a directory, not a regular file";
        case -EBADFD:
                return "not a regular file (a FIFO, socket or device)";
        case -EFBIG:
                return "larger than the size limit";
        case -ELOOP:
                if (flags & READ_NOFOLLOW)
                        return "a symbolic link, which is not followed here";
                break;
        }
        return strerror(-error);
}

int pwrite_all(int fd, const uint8_t *p, size_t n, uint64_t off) {
        while (n > 0) {
                ssize_t k = pwrite(fd, p, n, (off_t) off);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        return -EIO;
                p += k;
                n -= (size_t) k;
                off += (uint64_t) k;
        }
        return 0;
}

static int64_t now_ms(void) {
        struct timespec ts;

        if (clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
                return 0; /* cannot fail for CLOCK_MONOTONIC */
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int write_all_timeout(int fd, const uint8_t *p, size_t n, int timeout_ms) {
        int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
        bool hung_up = false;

        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k > 0) {
                        /* The timeout is for progress, not for the whole: a slow device that
                         * keeps taking bytes is working. */
                        p += k;
                        n -= (size_t) k;
                        hung_up = false;
                        if (timeout_ms >= 0)
                                deadline = now_ms() + timeout_ms;
                        continue;
                }
                if (k == 0)
                        return -EIO;
                if (errno == EINTR)
                        continue;
                if (errno != EAGAIN)
                        return -errno;
                /* poll() said POLLERR or POLLHUP and write() still has nothing better to say:
                 * do not spin until the deadline. */
                if (hung_up)
                        return -EIO;

                for (;;) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                        int wait = -1;

                        if (deadline >= 0) {
                                int64_t left = deadline - now_ms();
                                if (left <= 0)
                                        return -ETIMEDOUT;
                                wait = (int) MIN(left, (int64_t) INT32_MAX);
                        }
                        int r = poll(&pfd, 1, wait);
                        if (r < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (r == 0)
                                return -ETIMEDOUT;
                        if (pfd.revents & POLLNVAL)
                                return -EBADF;
                        /* POLLERR/POLLHUP: the next write() says which error it is. */
                        hung_up = !(pfd.revents & POLLOUT);
                        break;
                }
        }
        return 0;
}
