/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A door input line: a door contact, a request-to-exit button, a lock's status feedback. A
 * backend reports the line's raw edges with their times through a file descriptor the daemon
 * watches on its event loop; debouncing is the caller's, with hal/debounce.h, the same for every
 * backend.
 *
 * Levels are logical: "active" is the level the configuration calls on (a door open, a button
 * pressed, a lock reporting unlocked); InputConfig.active_low says that this is the low
 * electrical level, and the backend moves that inversion into the kernel where it can.
 *
 * Backends are ops tables chosen by name, like the lock's (hal/lock.h): "sim" (a FIFO a test or
 * the demo writes '1'/'0' to) and "gpiod" (a GPIO line with edge detection through libgpiod; one
 * file per libgpiod API version, the build picks the one the installed library has). */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

typedef struct Input Input;

/* Everything a backend needs to open its line. Strings are borrowed for the duration of
 * input_new() only. */
typedef struct InputConfig {
        const char *id;        /* for messages and the line's consumer: "door.contact" */
        const char *backend;   /* "sim" or "gpiod" */
        const char *chip;      /* gpiod: as LockConfig.chip */
        int line_offset;       /* gpiod: offset on chip, or -1 to find it by line_name */
        const char *line_name; /* gpiod: line name, used when line_offset < 0 */
        bool active_low;       /* gpiod: the active level is the low one */
        const char *sim_input; /* sim: FIFO (created when missing) that receives '1'/'0' (logical levels) */
} InputConfig;

/* One raw edge: the logical level the line went to, and when (µs, CLOCK_MONOTONIC). */
typedef struct InputEdge {
        bool active;
        uint64_t usec;
} InputEdge;

typedef struct InputOps {
        const char *name;
        size_t priv_size; /* bytes of backend state input_new() allocates, zeroed, at Input.priv */
        /* Acquires the line with edge detection on both edges and reads its level into *ret_active. */
        int (*open)(Input *in, const InputConfig *c, bool *ret_active);
        /* Reads the pending edges, up to n; returns how many, 0 when none is pending. */
        int (*read)(Input *in, InputEdge *edges, size_t n);
        void (*close)(Input *in);
} InputOps;

struct Input {
        const InputOps *ops;
        char *id;
        int fd; /* readable when edges are pending; owned by the backend */
        void *priv;
};

extern const InputOps input_ops_sim;
extern const InputOps input_ops_gpiod;

/* Opens the backend named in c->backend. Returns 0, the line's current logical level in
 * *ret_active and an input that must be freed with input_free(); -ENOENT for an unknown backend,
 * or the backend's error (-ENODEV no such chip or line, -EBUSY line in use, -EACCES no
 * permission, -ENOTTY a sim path that is not a FIFO). */
int input_new(const InputConfig *c, Input **ret, bool *ret_active);

/* The fd to watch for EPOLLIN (valid as long as in). */
static inline int input_fd(const Input *in) {
        return in->fd;
}

/* Reads up to n pending edges, oldest first. Returns their count (0: none pending), or -errno. */
int input_read(Input *in, InputEdge *edges, size_t n);

/* Releases the line and frees in. Returns NULL. */
Input *input_free(Input *in);
DEFINE_TRIVIAL_CLEANUP_FUNC(Input *, input_free);
