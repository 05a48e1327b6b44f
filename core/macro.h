/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Small helpers for visible ownership, in the style of systemd's macro.h: a variable declared
 * with _cleanup_(f) is released by f(&var) when it leaves scope, and TAKE_PTR()/TAKE_FD() hand
 * it over explicitly so the reader sees where ownership moves. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _sentinel_ __attribute__((sentinel))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define TAKE_PTR(p)                     \
        ({                              \
                __typeof__(p) _p_ = (p); \
                (p) = NULL;             \
                _p_;                    \
        })

#define TAKE_FD(fd)                     \
        ({                              \
                int _fd_ = (fd);        \
                (fd) = -EBADF;          \
                _fd_;                   \
        })

static inline void freep(void *p) {
        free(*(void **) p);
}

/* Closes *fd if it is open and marks it closed (-EBADF), so that calling it twice is harmless. */
static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                (void) close(*fd);
                errno = saved;
        }
        *fd = -EBADF;
}

/* Defines NAMEp(Type **p) that calls NAME(*p) when it is not NULL, for _cleanup_(). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func) \
        static inline void func##p(type *p) {   \
                if (*p)                         \
                        func(*p);               \
        }

/* memcpy() with a zero length may be handed NULL pointers, which plain memcpy() forbids. */
static inline void *memcpy_safe(void *dst, const void *src, size_t n) {
        return n > 0 ? memcpy(dst, src, n) : dst;
}

/* Whether the n bytes at p are all zero (true for n == 0). */
static inline bool memeqzero(const void *p, size_t n) {
        const uint8_t *b = p;

        for (size_t i = 0; i < n; i++)
                if (b[i] != 0)
                        return false;
        return true;
}

static inline int errno_or(int fallback) {
        return errno > 0 ? -errno : fallback;
}
