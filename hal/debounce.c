/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "hal/debounce.h"

void debounce_init(Debounce *d, bool level, uint64_t period_usec) {
        *d = (Debounce) { .period_usec = period_usec, .stable = level, .raw = level };
}

bool debounce_edge(Debounce *d, bool level, uint64_t t) {
        /* Two edges to the same level (one lost in between, or a sim writing twice) are one. */
        if (level == d->raw)
                return false;
        d->raw = level;
        d->raw_since = t;
        if (d->period_usec == 0 && d->stable != level) {
                d->stable = level;
                return true;
        }
        return false;
}

uint64_t debounce_deadline(const Debounce *d) {
        if (d->raw == d->stable)
                return 0;
        return d->raw_since + d->period_usec;
}

bool debounce_settle(Debounce *d, uint64_t now) {
        if (d->raw == d->stable || now < d->raw_since + d->period_usec)
                return false;
        d->stable = d->raw;
        return true;
}
