/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A software debouncer for one input line, shared by every input backend (hal/input.h): a level
 * counts only once it has held for the whole debounce period without another edge. A burst of
 * edges within the period that ends where it began therefore changes nothing — a door contact
 * that bounces as the door rattles in its frame raises no "forced open".
 *
 * One debouncer for libgpiod 1.6, 2.x and the sim backend, rather than libgpiod 2's kernel
 * debounce where it exists: the same behaviour everywhere, and testable with a fake clock. The
 * price is one timer per line while an edge settles (the caller arms it at debounce_deadline()).
 *
 * Pure logic: no clock of its own, times are the caller's (µs, CLOCK_MONOTONIC). */

#include <stdbool.h>
#include <stdint.h>

typedef struct Debounce {
        uint64_t period_usec;
        bool stable;        /* the debounced level */
        bool raw;           /* the level of the last edge */
        uint64_t raw_since; /* when raw was last seen to change */
} Debounce;

void debounce_init(Debounce *d, bool level, uint64_t period_usec);

/* A raw edge to level at time t (an event's own timestamp). Returns true when the debounced level
 * changed now, which only a period of 0 does; otherwise the new level waits for its deadline. */
bool debounce_edge(Debounce *d, bool level, uint64_t t);

/* When the pending level becomes the debounced one, or 0 when nothing is pending. */
uint64_t debounce_deadline(const Debounce *d);

/* At now: returns true when the debounced level changed (the raw level held for the period). */
bool debounce_settle(Debounce *d, uint64_t now);

static inline bool debounce_level(const Debounce *d) {
        return d->stable;
}
