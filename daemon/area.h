/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The areas of the running gate (docs/areas.md): one Area per configured area, holding its count
 * and the presences of the subjects in it (core/area.h), its state file in the state directory,
 * its daily reset timer and its D-Bus object (daemon/bus-area.c). The rules that refuse an entry
 * (anti-passback, capacity-full) are daemon/policy.c's; what a granted passage changes is
 * area_pass(), called by decide() once the door has opened.
 *
 * The state file, <state directory>/area-<id>, is an append-only log (core/area.h): every
 * change is appended with write(2) before the decision is published and before the event loop
 * runs again, so a crash of the daemon after a grant keeps it (the kernel has it); it is
 * compacted crash-safely (temp file, fsync, rename, fsync of the directory) when opened, when
 * the subject key becomes persistent and when it grows past four times its live records. A power
 * cut may lose the appends of the last seconds, as it may the replay cache's. Presences are
 * written only under a persistent subject key, whose id the header names. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "config/config.h"
#include "core/area.h"

typedef struct Manager Manager;

typedef struct Area {
        Manager *manager;
        char *id;
        char *object_path;
        size_t index;  /* in the Config's areas: its AreaConf (a reload changes it in place) */
        AreaState *state;
        int fd;        /* the state file, open for appending; -EBADF: not written (said once) */
        size_t file_records;
        sd_event_source *reset_timer;
        int64_t swept; /* when expired presences were last swept for PresentSubjects */
} Area;

/* Opens every configured area: its state file (occupancy; presences wait for the subject key:
 * area_subject_key_changed()) and its reset timer. Logs what fails; an area whose file cannot be
 * used starts empty and runs without one. -ENOMEM only. */
int manager_open_areas(Manager *m);
void manager_free_areas(Manager *m);
Area *manager_find_area(Manager *m, const char *id);
const AreaConf *area_config(const Area *a);

/* The subject key became the token's: presences made under the old one can never match again, so
 * they are dropped; those persisted under this key are loaded. One line of
 * manager_subject_key_changed(). */
void manager_areas_subject_key_changed(Manager *m);

/* After a door on side of a opened for a code: an entry counts in and (with anti-passback, for a
 * code with a subject) records the subject present; an exit counts out and forgets the subject.
 * Returns true when a soft anti-passback let in a subject already present: the decision is then
 * flagged. subject: the keyed subject id, or NULL for a code without a subject. */
bool area_pass(Area *a, AreaSide side, const uint8_t *subject, int64_t now);

/* The area a door belongs to, or NULL. */
Area *manager_door_area(Manager *m, const DoorConf *dc);

/* Counts one out without a code: the exit pulse of a REX button or a turnstile (issue 14). */
void area_count_exit(Area *a);

/* An operator's correction (SetOccupancy; logged and audited by the caller). */
void area_set_count(Area *a, uint32_t n);

/* (Re)arms the daily reset timer; at start and after a reload. */
int area_arm_reset(Area *a);

/* The key of a keyed subject id in the area, when it is live at now. */
bool area_subject_present(Area *a, const uint8_t *subject, int64_t now);

/* How many presences are held, expired ones swept first — at most once a minute: a sweep walks
 * the whole table, and PropertiesChanged asks for the number at every passage. */
uint32_t area_present_count(Area *a, int64_t now);
