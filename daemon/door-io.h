/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A door's inputs on the event loop — its contact, its request-to-exit (REX) button, its lock's
 * feedback — debounced (hal/debounce.h) and fed to its state machine (daemon/door-machine.h),
 * and what the machine asks for done: the relay dropped when the door has closed again, alarms
 * raised and cleared on the bus (AlarmRaised/AlarmCleared, Alarms, DoorState), in the audit log
 * and in the journal (MESSAGE_ID); the REX button opens the door without a code, recorded. */

#include <stdbool.h>
#include <systemd/sd-bus.h>

#include "config/config.h"

typedef struct Door Door;
typedef struct DoorIO DoorIO;

/* Opens the inputs dc configures and watches them on the door's event loop; an input that
 * cannot be opened is logged and left out (the door works without it, and without the alarms it
 * would give). Returns 0 and, in d->io, state that door_free() frees; -ENOMEM. */
int door_io_open(Door *d, const DoorConf *dc);
DoorIO *door_io_free(DoorIO *io);

/* The door's lock was driven (daemon/door.c calls this after every change it made). */
void door_io_lock_changed(Door *d, bool unlocked);

/* The i-th of the door's inputs (0: contact, 1: rex, 2: lock_feedback) when it is configured
 * but could not be opened at start, or can no longer be read: its name, and its -errno in
 * *ret_error; NULL otherwise, and for i beyond the last. For the fault list (daemon/faults.c). */
const char *door_io_fault(const Door *d, size_t i, int *ret_error);
/* Whether any alarm of the door is raised. */
bool door_io_has_alarm(const Door *d);
/* "locked", "unlocked" or "open" (DoorState); a door without a contact is never "open". */
const char *door_io_state(const Door *d);
/* Appends the names of the alarms raised, as an array of strings (the Alarms property). */
int door_io_append_alarms(const Door *d, sd_bus_message *reply);
