/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rate-table.h"

/* Times inside are scaled by max (microseconds × max): then one take is per_usec exactly, and no
 * rate is rounded (5 per 60 s is 12 s a take, 7 per 60 s is not a whole number of µs). A limit
 * on max keeps now × max within 64 bits for 58 years of uptime. */
#define RATE_MAX_MAX 10000U

typedef struct RateEntry {
        uint8_t key[RATE_KEY_SIZE];
        uint64_t tat; /* scaled; 0 (never) for an empty entry, which is a full bucket */
} RateEntry;

_Static_assert(sizeof(RateEntry) == RATE_TABLE_ENTRY_SIZE, "RATE_TABLE_ENTRY_SIZE is what an entry costs");

struct RateTable {
        uint32_t max;
        uint64_t per_usec;
        size_t n_sets;
        uint64_t evictions;
        RateEntry entries[]; /* n_sets × RATE_TABLE_WAYS */
};

int rate_table_new(size_t capacity, uint32_t max, uint64_t per_usec, RateTable **ret) {
        size_t n_sets = (capacity + RATE_TABLE_WAYS - 1) / RATE_TABLE_WAYS;
        RateTable *t;

        if (capacity == 0 || capacity > SIZE_MAX / 2 / sizeof(RateEntry) || max == 0 || max > RATE_MAX_MAX ||
            per_usec == 0 || per_usec > UINT64_MAX / 2 / RATE_MAX_MAX)
                return -EINVAL;
        t = calloc(1, sizeof(RateTable) + n_sets * RATE_TABLE_WAYS * sizeof(RateEntry));
        if (!t)
                return -ENOMEM;
        t->max = max;
        t->per_usec = per_usec;
        t->n_sets = n_sets;
        *ret = t;
        return 0;
}

RateTable *rate_table_free(RateTable *t) {
        free(t);
        return NULL;
}

/* The keys of the per-subject limit are HMAC outputs, uniform and unknown to whoever presents a
 * code; a uid is neither, so the key's bits are mixed (splitmix64's finalizer) before they choose
 * a set. */
static RateEntry *set_of(const RateTable *t, const uint8_t key[RATE_KEY_SIZE]) {
        uint64_t a, b, h;

        memcpy(&a, key, sizeof(a));
        memcpy(&b, key + sizeof(a), sizeof(b));
        h = a ^ (b * 0x9e3779b97f4a7c15ULL);
        h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
        h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
        h ^= h >> 31;
        return (RateEntry *) &t->entries[(h % t->n_sets) * RATE_TABLE_WAYS];
}

static RateEntry *find(const RateTable *t, const uint8_t key[RATE_KEY_SIZE]) {
        RateEntry *set = set_of(t, key);

        for (size_t i = 0; i < RATE_TABLE_WAYS; i++)
                if (memcmp(set[i].key, key, RATE_KEY_SIZE) == 0)
                        return &set[i];
        return NULL;
}

static bool allowed(const RateTable *t, const RateEntry *e, uint64_t now, uint64_t *ret_wait_usec) {
        uint64_t burst = (uint64_t) (t->max - 1) * t->per_usec;

        if (!e || e->tat <= now + burst)
                return true;
        if (ret_wait_usec) /* rounded up: at now + wait it is allowed */
                *ret_wait_usec = (e->tat - now - burst + t->max - 1) / t->max;
        return false;
}

bool rate_table_allows(const RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec,
                       uint64_t *ret_wait_usec) {
        return allowed(t, find(t, key), now_usec * t->max, ret_wait_usec);
}

/* The entry for key, made when there is none: in an entry whose bucket is full (no answer
 * changes), or else in place of the bucket closest to full. */
static RateEntry *find_or_make(RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now) {
        RateEntry *set = set_of(t, key), *victim = &set[0];

        for (size_t i = 0; i < RATE_TABLE_WAYS; i++) {
                if (memcmp(set[i].key, key, RATE_KEY_SIZE) == 0)
                        return &set[i];
                if (set[i].tat < victim->tat)
                        victim = &set[i];
        }
        if (victim->tat > now)
                t->evictions++;
        memcpy(victim->key, key, RATE_KEY_SIZE);
        victim->tat = 0;
        return victim;
}

static void spend(RateTable *t, RateEntry *e, uint64_t now) {
        e->tat = MAX(e->tat, now) + t->per_usec;
}

void rate_table_spend(RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec) {
        uint64_t now = now_usec * t->max;
        spend(t, find_or_make(t, key, now), now);
}

bool rate_table_take(RateTable *t, const uint8_t key[RATE_KEY_SIZE], uint64_t now_usec, uint64_t *ret_wait_usec) {
        uint64_t now = now_usec * t->max;
        RateEntry *e = find(t, key);

        if (!allowed(t, e, now, ret_wait_usec))
                return false;
        spend(t, e ?: find_or_make(t, key, now), now);
        return true;
}

void rate_table_clear(RateTable *t) {
        memset(t->entries, 0, t->n_sets * RATE_TABLE_WAYS * sizeof(RateEntry));
}

uint32_t rate_table_max(const RateTable *t) {
        return t->max;
}

uint64_t rate_table_per_usec(const RateTable *t) {
        return t->per_usec;
}

size_t rate_table_capacity(const RateTable *t) {
        return t->n_sets * RATE_TABLE_WAYS;
}

size_t rate_table_count(const RateTable *t, uint64_t now_usec) {
        uint64_t now = now_usec * t->max;
        size_t n = 0;

        for (size_t i = 0; i < t->n_sets * RATE_TABLE_WAYS; i++)
                n += t->entries[i].tat > now;
        return n;
}

uint64_t rate_table_evictions(const RateTable *t) {
        return t->evictions;
}
