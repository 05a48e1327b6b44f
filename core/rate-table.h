/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A bounded table of token buckets, one per 16-byte key: at most max takes per per_usec for each
 * key — a burst of max, then one every per_usec / max. Used for the per-subject rate limit (the
 * key is the subject's keyed id, daemon/subject-key.h, never a raw subject) and the per-caller
 * limit of SubmitCode (the key is the caller's uid).
 *
 * Each bucket is the one number of the generic cell rate algorithm (ITU-T I.371; the "virtual
 * scheduling" form): its theoretical arrival time tat, the instant at which the bucket is full
 * again. A take at now is allowed when tat - now <= (max - 1) * interval (interval = per / max),
 * and moves tat to max(tat, now) + interval. A bucket with tat <= now is full: it is the same
 * as no entry at all, so such an entry may be reused for any key without changing any answer.
 *
 * Memory is fixed at creation: capacity entries (rounded up to a multiple of RATE_TABLE_WAYS) of
 * RATE_TABLE_ENTRY_SIZE bytes, nothing allocated afterwards. The table is set-associative: a key
 * lives in one set of RATE_TABLE_WAYS entries chosen by a hash of the key, so a lookup is O(1)
 * and never waits. When every entry of the set is taken by a bucket that is not full, the one
 * closest to full (the smallest tat) is evicted: its key gets a full bucket back — at most max
 * takes more than the limit, for one key, and only when more than RATE_TABLE_WAYS keys of one
 * set are being limited at once. An innocent key is never refused because the table is full.
 *
 * Times are CLOCK_MONOTONIC microseconds: a rate does not change when the wall clock is set. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

#define RATE_KEY_SIZE 16
#define RATE_TABLE_WAYS 8
#define RATE_TABLE_ENTRY_SIZE 24 /* the key and one uint64_t */

typedef struct RateTable RateTable;

/* max ≥ 1 takes per per_usec (≥ 1) for each key; capacity ≥ 1 keys remembered at once. Returns 0
 * and a table that must be freed with rate_table_free(), -EINVAL or -ENOMEM. */
int rate_table_new(size_t capacity, uint32_t max, uint64_t per_usec, RateTable **ret);
RateTable *rate_table_free(RateTable *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(RateTable *, rate_table_free);

/* Whether key may take one now, without taking it. When it may not, *ret_wait_usec (if not
 * NULL) says how long until it may. */
bool rate_table_allows(const RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec,
                       uint64_t *ret_wait_usec);
/* Takes one for key now, whether it was allowed or not (the caller asked rate_table_allows()
 * first; the per-subject limit takes only for an opened door). */
void rate_table_spend(RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec);
/* rate_table_allows(), and rate_table_spend() when it does: one lookup. */
bool rate_table_take(RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec, uint64_t *ret_wait_usec);

/* Forgets every key (the keys' secret changed: the old keys mean nobody now). */
void rate_table_clear(RateTable *t);

uint32_t rate_table_max(const RateTable *t);
uint64_t rate_table_per_usec(const RateTable *t);
/* Entries (rounded capacity) and how many hold a bucket that is not full at now. */
size_t rate_table_capacity(const RateTable *t);
size_t rate_table_count(const RateTable *t, uint64_t now_usec);
/* How many buckets that were not full were evicted since creation (a table too small). */
uint64_t rate_table_evictions(const RateTable *t);
