/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An area — a swimming pool, a reading room — behind doors that are its entries or its exits:
 * how many people are in it (occupancy, for capacity) and which subjects entered and have not
 * left (presence, for anti-passback). Subjects are known only by their 16-byte keyed subject id
 * (daemon/subject-key.h): never a raw sub, here or on disk.
 *
 * Presences are held in an open-addressing hash table of 20-byte slots (the key and the entry
 * second), which doubles when three quarters full; the key is an HMAC output, so its first bytes
 * are the hash. A presence is forgotten presence_timeout seconds after its entry: present while
 * now < entered + timeout, gone at that second.
 *
 * Persistence is an append-only log of 24-byte records (area_record_*(): core/area-file.c), which
 * the daemon writes; this module only keeps the state. Nothing here logs or does I/O. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/macro.h"

#define AREA_KEY_SIZE 16
/* The most presences one area holds: a day's visitors of a very large pool, many times over. A
 * full store refuses entries (anti-passback) rather than forget who is in. */
#define AREA_PRESENCE_MAX (1u << 22)

typedef enum AreaPassback {
        AREA_PASSBACK_OFF,
        AREA_PASSBACK_SOFT, /* let in again, flagged */
        AREA_PASSBACK_HARD, /* refused */
        _AREA_PASSBACK_MAX,
        _AREA_PASSBACK_INVALID = -EINVAL,
} AreaPassback;

const char *area_passback_to_string(AreaPassback p);
AreaPassback area_passback_from_string(const char *s);

typedef struct AreaState AreaState;

/* An empty area (occupancy 0, no presence). Returns 0 and a state to free with
 * area_state_free(), or -ENOMEM. */
int area_state_new(AreaState **ret);
AreaState *area_state_free(AreaState *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(AreaState *, area_state_free);

uint32_t area_occupancy(const AreaState *a);
/* Sets the count (an operator's correction, the daily reset, a loaded file). */
void area_set_occupancy(AreaState *a, uint32_t n);
/* One more in; one fewer out, never below 0. Return the new count. */
uint32_t area_count_in(AreaState *a);
uint32_t area_count_out(AreaState *a);

/* Whether key entered and its presence is still live at now (now < entered + timeout). */
bool area_presence_live(const AreaState *a, const uint8_t key[AREA_KEY_SIZE], int64_t now, int64_t timeout);
/* Records key as present since entered (replacing an earlier entry). -ENOSPC when the store holds
 * AREA_PRESENCE_MAX presences even after forgetting those expired at entered; -ENOMEM. */
int area_presence_add(AreaState *a, const uint8_t key[AREA_KEY_SIZE], int64_t entered, int64_t timeout);
/* Forgets key; true when it was there. */
bool area_presence_remove(AreaState *a, const uint8_t key[AREA_KEY_SIZE]);
/* Forgets every presence expired at now; returns how many. */
size_t area_presence_expire(AreaState *a, int64_t now, int64_t timeout);
/* Forgets every presence (the subject key changed: they can never match again). */
void area_presence_clear(AreaState *a);
/* Presences held (expired ones not yet swept included). */
size_t area_presence_count(const AreaState *a);
/* Bytes of memory the presence table holds now. */
size_t area_presence_memory(const AreaState *a);
/* Calls f for each presence held. */
void area_presence_foreach(const AreaState *a, void (*f)(const uint8_t key[AREA_KEY_SIZE], int64_t entered, void *u),
                           void *userdata);

/* The first instant after t at which the daily reset at local wall time reset_sec (seconds since
 * midnight, < 86400) happens: the first instant of a day whose wall time is at or after it — on
 * a spring-forward day that skips it, the first instant after the gap; on a fall-back day that
 * repeats it, the first of the two. In the system's time zone (localtime_r()). 0 when none is
 * found within two days (a zone without such an instant). */
time_t area_next_reset(time_t t, uint32_t reset_sec);

/* The state file: a 32-byte header — magic "QGAREA1\n", the subject key's id (16 bytes, zero
 * when presences were not written: no persistent key), 8 bytes zero — then 24-byte records:
 * type (1), 3 bytes zero, value (u32 LE: an entry's second, or the occupancy), key (16 bytes;
 * zero for an occupancy record). Replaying them in order gives the state. */
#define AREA_FILE_MAGIC "QGAREA1\n"
#define AREA_FILE_HEADER_SIZE 32
#define AREA_RECORD_SIZE 24

typedef enum AreaRecordType {
        AREA_RECORD_OCCUPANCY = 'N', /* the count is value */
        AREA_RECORD_ENTER = 'E',     /* key present since value */
        AREA_RECORD_EXIT = 'X',      /* key left */
} AreaRecordType;

void area_file_header(const uint8_t key_id[AREA_KEY_SIZE], uint8_t out[static AREA_FILE_HEADER_SIZE]);
void area_record_encode(AreaRecordType type, uint32_t value, const uint8_t *key, uint8_t out[static AREA_RECORD_SIZE]);

typedef struct AreaFileInfo {
        bool has_key;                     /* the header names a subject key */
        uint8_t key_id[AREA_KEY_SIZE];    /* which */
        size_t records;                   /* whole records read */
        bool torn;                        /* a partial last record was dropped (a crash during an append) */
} AreaFileInfo;

/* Replays the file in buf into a (which should be empty): occupancy always; presences only when
 * want_key is not NULL and equals the header's key id (else they are skipped), those live at now.
 * Returns 0, or -EBADMSG for a buffer that is not an area file (too short for the header, wrong
 * magic, nonzero reserved bytes, an unknown record type) — a is then left as it was. */
int area_file_load(AreaState *a, const uint8_t *buf, size_t size, const uint8_t *want_key, int64_t now,
                   int64_t timeout, AreaFileInfo *ret_info);
