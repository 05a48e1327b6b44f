/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>
#include <time.h>

#include "daemon/door-feedback.h"
#include "daemon/door-io.h"
#include "daemon/manager.h"

/* A door: a lock output with a relock timer. The door's rules live in its DoorConf (looked up by
 * id, so a reload changes them in place); the Door holds the runtime state. */
struct Door {
        Manager *manager;
        char *id;
        char *object_path;
        Lock *lock; /* owned by the manager; NULL: it could not be opened, the door is out of service */
        /* Configured without a lock: a lending station's door (docs/lending.md). It opens nothing:
         * its lock stays NULL, yet it is in service, and its grants go to the lending service
         * (daemon/station.h) instead of to a lock. Fixed for the daemon's life (a reload that
         * changes a door's lock needs a restart). */
        bool no_lock;
        sd_event_source *relock;
        sd_event_source *schedule_timer; /* at its schedule's next change (daemon/door-schedule.c) */
        /* Its barcode allow-list as loaded (daemon/door-barcodes.c); NULL when its configuration
         * names none or names one that could not be read, which refuses every barcode. */
        BarcodeAllow *barcode_allow;
        DoorIO *io; /* its inputs and alarms (daemon/door-io.h); NULL until door_io_open() */
        DoorFeedback *feedback; /* its lights and buzzer (daemon/door-feedback.h); NULL until opened */
};

/* A door on lock (borrowed: the manager owns locks and frees them after the doors; NULL for a
 * door out of service, which never opens). Returns 0 and a door that must be freed with
 * door_free(), or -ENOMEM. */
int door_new(Manager *m, const char *id, Lock *lock, Door **ret);
/* Cancels the relock timer (the lock itself is driven safe when the manager closes it). */
Door *door_free(Door *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Door *, door_free);

/* Unlocks for ms milliseconds (a second opening while open extends it) and relocks by timer.
 * -errno when the lock output failed (-ENODEV: out of service); the door then stays in its
 * current state. */
int door_open(Door *d, uint32_t ms);

/* Locks now (the safe path: errors are logged, and the door is marked faulty). */
void door_relock(Door *d);

const DoorConf *door_config(const Door *d);
/* Whether the door's schedule lets it open at now (true for a door without one), and the next
 * instant that changes (0: never, or not within a year). */
bool door_schedule_open(const Door *d, time_t now);
time_t door_schedule_next_change(const Door *d, time_t now);
/* Arms the timer that signals ScheduleOpen and ScheduleNextChange at the next change, or
 * disarms it; at start and after a reload. Returns 0, or -errno (logged: the rule still holds,
 * only the signal is missing). */
int door_schedule_arm(Door *d);

/* Reads every door's barcode allow-list of c into ret[] (indexed like c->doors; NULL where a door
 * names none or its list cannot be read). Returns how many could not be read, each reported in
 * *ret_errors ("file:line: message" lines; NULL when none; the caller frees it), or -ENOMEM. */
int barcode_allow_load_all(const Config *c, BarcodeAllow *ret[], char **ret_errors);
/* Puts the lists (taken over) in force at m's doors, freeing the previous ones. */
void manager_apply_barcode_allow(Manager *m, BarcodeAllow *lists[]);
/* At start, once the doors exist: loads and applies the lists; one that cannot be read is a
 * fault (m->barcode_faults), not a failure. -ENOMEM only. */
int manager_open_barcode_allow(Manager *m);
/* A valid barcode listed at d becomes the subject its list maps it to (res->claims.sub), before
 * the policy and the per-subject rules see it. Nothing for any other code. */
void door_map_barcode(const Door *d, VerifyResult *res);

/* "locked", "unlocked", "out-of-service" when its lock could not be opened, or "none" for a door
 * configured without one (a lending station's). */
const char *door_lock_state(const Door *d);
