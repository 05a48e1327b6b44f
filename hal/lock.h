/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A door lock output. The daemon decides when a door opens and for how long (its timers); a
 * lock backend only drives one output to "unlocked" or "locked" and guarantees the configured
 * safe state when it is opened and when it is freed.
 *
 * Backends are ops tables chosen by name from the configuration: "sim" (in memory, for the demo
 * and tests) and "gpiod" (a GPIO line through libgpiod; one file per libgpiod API version, the
 * build picks the one the installed library has). */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/macro.h"

typedef struct Lock Lock;

typedef enum LockSafeState {
        LOCK_SAFE_LOCKED,   /* fail-secure: a dead appliance keeps the door shut (most doors) */
        LOCK_SAFE_UNLOCKED, /* fail-safe: a dead appliance frees the door (fire exits) */
        _LOCK_SAFE_STATE_MAX,
        _LOCK_SAFE_STATE_INVALID = -EINVAL,
} LockSafeState;

/* Everything a backend needs to open its output. Strings are borrowed for the duration of
 * lock_new() only; the backend copies what it keeps. */
typedef struct LockConfig {
        const char *id;        /* the lock's name in the configuration, for messages */
        const char *backend;   /* "sim" or "gpiod" */
        const char *chip;      /* gpiod: "/dev/gpiochip0", "gpiochip0" or a chip label; NULL = any chip */
        int line_offset;       /* gpiod: line offset on the chip, or -1 to find it by line_name */
        const char *line_name; /* gpiod: line name (gpio-line-names), used when line_offset < 0 */
        bool active_low;       /* gpiod: electrical level is inverted */
        const char *sim_output; /* sim: file or FIFO that receives '1'/'0' on each change, or NULL */
        LockSafeState safe_state;
} LockConfig;

typedef struct LockOps {
        const char *name;
        size_t priv_size; /* bytes of backend state lock_new() allocates, zeroed, at Lock.priv */
        /* Acquire the output and drive it to "unlocked" == initial_unlocked. */
        int (*open)(Lock *l, const LockConfig *c, bool initial_unlocked);
        int (*set)(Lock *l, bool unlocked);
        /* Release the output; called after the safe state has been driven with set(). */
        void (*close)(Lock *l);
} LockOps;

struct Lock {
        const LockOps *ops;
        char *id;
        LockSafeState safe_state;
        bool unlocked;
        void *priv;
};

extern const LockOps lock_ops_sim;
extern const LockOps lock_ops_gpiod;

/* Opens the backend named in c->backend and drives the safe state. Returns 0 and a lock that
 * must be freed with lock_free(), -ENOENT for an unknown backend, or the backend's error
 * (-ENODEV no such chip or line, -EBUSY line in use, -EACCES no permission). */
int lock_new(const LockConfig *c, Lock **ret);

/* Drives the output; -errno when the hardware refused, in which case the recorded state is
 * unchanged. */
int lock_set(Lock *l, bool unlocked);

/* Drives the safe state, releases the output and frees l. Returns 0, or the error of driving the
 * safe state (the output is released and l freed all the same), so that a caller can keep its
 * record of the lines it must still make safe (daemon/lock-record.h). */
int lock_close(Lock *l);
/* lock_close() for cleanup paths that cannot act on the error. Returns NULL. */
Lock *lock_free(Lock *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(Lock *, lock_free);

static inline bool lock_is_unlocked(const Lock *l) {
        return l->unlocked;
}

const char *lock_safe_state_to_string(LockSafeState s);
LockSafeState lock_safe_state_from_string(const char *s);
