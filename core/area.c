/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/area.h"
#include "core/schedule.h"
#include "core/string-table.h"

static const char *const area_passback_table[_AREA_PASSBACK_MAX] = {
        [AREA_PASSBACK_OFF] = "off",
        [AREA_PASSBACK_SOFT] = "soft",
        [AREA_PASSBACK_HARD] = "hard",
};

DEFINE_STRING_TABLE_LOOKUP(area_passback, AreaPassback);

/* 20 bytes, 4-aligned: the table is an array of these with no padding. entered == 0 marks an
 * empty slot (no one entered at the epoch). */
typedef struct Slot {
        uint8_t key[AREA_KEY_SIZE];
        uint32_t entered;
} Slot;

struct AreaState {
        uint32_t occupancy;
        Slot *slots;
        size_t n_slots; /* a power of two, or 0 */
        size_t n_used;
};

int area_state_new(AreaState **ret) {
        AreaState *a = calloc(1, sizeof(AreaState));
        if (!a)
                return -ENOMEM;
        *ret = a;
        return 0;
}

AreaState *area_state_free(AreaState *a) {
        if (!a)
                return NULL;
        free(a->slots);
        free(a);
        return NULL;
}

uint32_t area_occupancy(const AreaState *a) {
        return a->occupancy;
}

void area_set_occupancy(AreaState *a, uint32_t n) {
        a->occupancy = n;
}

uint32_t area_count_in(AreaState *a) {
        if (a->occupancy < UINT32_MAX)
                a->occupancy++;
        return a->occupancy;
}

uint32_t area_count_out(AreaState *a) {
        if (a->occupancy > 0)
                a->occupancy--;
        return a->occupancy;
}

/* The key is an HMAC output: its first bytes are as good a hash as any, and no one who does not
 * hold the appliance's secret can aim keys at one bucket. */
static size_t slot_home(const AreaState *a, const uint8_t *key) {
        uint64_t h;
        memcpy(&h, key, sizeof(h));
        return (size_t) h & (a->n_slots - 1);
}

static Slot *slot_find(const AreaState *a, const uint8_t *key) {
        if (a->n_slots == 0)
                return NULL;
        for (size_t i = slot_home(a, key);; i = (i + 1) & (a->n_slots - 1)) {
                Slot *s = &a->slots[i];
                if (s->entered == 0)
                        return NULL;
                if (memcmp(s->key, key, AREA_KEY_SIZE) == 0)
                        return s;
        }
}

static bool expired(uint32_t entered, int64_t now, int64_t timeout) {
        return now >= (int64_t) entered + timeout;
}

bool area_presence_live(const AreaState *a, const uint8_t key[AREA_KEY_SIZE], int64_t now, int64_t timeout) {
        const Slot *s = slot_find(a, key);
        return s && !expired(s->entered, now, timeout);
}

/* Backward-shift deletion (Knuth 6.4, algorithm R): no tombstones, so lookups never slow down
 * with churn. */
static void slot_delete(AreaState *a, Slot *s) {
        size_t mask = a->n_slots - 1, i = (size_t) (s - a->slots), j = i;

        for (;;) {
                j = (j + 1) & mask;
                if (a->slots[j].entered == 0)
                        break;
                size_t k = slot_home(a, a->slots[j].key);
                /* Slot j may move to i when its home is not within (i, j] cyclically. */
                if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
                        continue;
                a->slots[i] = a->slots[j];
                i = j;
        }
        a->slots[i] = (Slot) {};
        a->n_used--;
}

static void slot_insert(AreaState *a, const uint8_t *key, uint32_t entered) {
        size_t i = slot_home(a, key);
        while (a->slots[i].entered != 0)
                i = (i + 1) & (a->n_slots - 1);
        memcpy(a->slots[i].key, key, AREA_KEY_SIZE);
        a->slots[i].entered = entered;
        a->n_used++;
}

static int grow(AreaState *a) {
        size_t n = a->n_slots ? a->n_slots * 2 : 64;
        Slot *old = a->slots;
        size_t n_old = a->n_slots;

        a->slots = calloc(n, sizeof(Slot));
        if (!a->slots) {
                a->slots = old;
                return -ENOMEM;
        }
        a->n_slots = n;
        a->n_used = 0;
        for (size_t i = 0; i < n_old; i++)
                if (old[i].entered != 0)
                        slot_insert(a, old[i].key, old[i].entered);
        free(old);
        return 0;
}

int area_presence_add(AreaState *a, const uint8_t key[AREA_KEY_SIZE], int64_t entered, int64_t timeout) {
        Slot *s = slot_find(a, key);
        int r;

        /* Whole seconds since the epoch fit 32 bits until 2106; 0 is the empty mark. */
        uint32_t e = (uint32_t) MAX(MIN(entered, (int64_t) UINT32_MAX), (int64_t) 1);
        if (s) {
                s->entered = e;
                return 0;
        }
        if (a->n_used >= AREA_PRESENCE_MAX && area_presence_expire(a, entered, timeout) == 0)
                return -ENOSPC;
        if ((a->n_used + 1) * 4 > a->n_slots * 3) {
                r = grow(a);
                if (r < 0)
                        return r;
        }
        slot_insert(a, key, e);
        return 0;
}

bool area_presence_remove(AreaState *a, const uint8_t key[AREA_KEY_SIZE]) {
        Slot *s = slot_find(a, key);
        if (!s)
                return false;
        slot_delete(a, s);
        return true;
}

size_t area_presence_expire(AreaState *a, int64_t now, int64_t timeout) {
        size_t n = 0;

        /* A deletion may shift a later slot into this one: look at it again before moving on. */
        for (size_t i = 0; i < a->n_slots;) {
                if (a->slots[i].entered != 0 && expired(a->slots[i].entered, now, timeout)) {
                        slot_delete(a, &a->slots[i]);
                        n++;
                } else
                        i++;
        }
        return n;
}

void area_presence_clear(AreaState *a) {
        free(a->slots);
        a->slots = NULL;
        a->n_slots = a->n_used = 0;
}

size_t area_presence_count(const AreaState *a) {
        return a->n_used;
}

size_t area_presence_memory(const AreaState *a) {
        return a->n_slots * sizeof(Slot);
}

void area_presence_foreach(const AreaState *a, void (*f)(const uint8_t key[AREA_KEY_SIZE], int64_t entered, void *u),
                           void *userdata) {
        for (size_t i = 0; i < a->n_slots; i++)
                if (a->slots[i].entered != 0)
                        f(a->slots[i].key, a->slots[i].entered, userdata);
}

/* The reset is where a window that starts at reset_sec opens (core/schedule.c walks the wall
 * clock to the second across daylight-saving changes). A window [reset, 24:00) opens at the
 * first instant of a day at or after reset; for a reset at midnight, a window [00:00, 12:00)
 * opens at the first instant of each day, even one whose midnight a change skips. On the day the
 * clock falls back over reset_sec, the window opens twice: only the first is the day's reset. */
static time_t next_opening(const Schedule *s, time_t t) {
        for (int i = 0; i < 4; i++) {
                time_t next = schedule_next_change(s, t);
                if (next == 0 || next > t + 2 * 86400 + 7200)
                        return 0;
                if (schedule_is_open(s, next))
                        return next;
                t = next;
        }
        return 0;
}

static bool same_day(const struct tm *a, const struct tm *b) {
        return a->tm_year == b->tm_year && a->tm_yday == b->tm_yday;
}

/* Whether c is the first opening of its local day. */
static bool first_of_its_day(const Schedule *s, time_t c) {
        struct tm day, tm;

        if (!localtime_r(&c, &day))
                return true;
        struct tm midnight = { .tm_year = day.tm_year, .tm_mon = day.tm_mon, .tm_mday = day.tm_mday, .tm_isdst = -1 };
        /* A few hours before that midnight, whatever mktime() makes of one a change skips. */
        time_t t = mktime(&midnight) - 3 * 3600;
        for (int i = 0; i < 4; i++) {
                time_t n = next_opening(s, t);
                if (n == 0 || n >= c)
                        return true;
                if (localtime_r(&n, &tm) && same_day(&tm, &day))
                        return false;
                t = n;
        }
        return true;
}

time_t area_next_reset(time_t t, uint32_t reset_sec) {
        Schedule s = {
                .windows = { { .days = 0x7f, .start = reset_sec, .end = reset_sec > 0 ? 86400 : 43200 } },
                .n_windows = 1,
        };

        for (int i = 0; i < 4; i++) {
                time_t next = next_opening(&s, t);
                if (next == 0 || first_of_its_day(&s, next))
                        return next;
                t = next;
        }
        return 0;
}
