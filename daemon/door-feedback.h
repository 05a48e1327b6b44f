/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A door's lights and buzzer for the person at the reader: an outcome (granted, denied) plays
 * its pattern once, at once — the denial shows within the event-loop turn of the decision —
 * and a state (an alarm raised, the door out of service) loops its pattern for as long as it
 * lasts; with neither, every output is off. Outputs are lock outputs (hal/lock.h) whose safe
 * state is off: driven off when opened, when freed, and by the safety net after a crash (they
 * are in the record of held lines, daemon/lock-record.h). */

#include <stdbool.h>

#include "config/config.h"

typedef struct Door Door;
typedef struct DoorFeedback DoorFeedback;

/* Opens the outputs dc configures (an output that cannot be opened is logged and left out) and
 * shows the door's state. Returns 0, the state in d->feedback that door_feedback_close() frees;
 * -ENOMEM. */
int door_feedback_open(Door *d, const DoorConf *dc);
/* Drives every output off and frees them. Returns 0, or the error of an output that could not
 * be driven off (all are freed all the same), so that the record of held lines can stay. */
int door_feedback_close(Door *d);

/* The i-th output (0: green, 1: red, 2: buzzer) when it is configured but could not be opened:
 * its name, and its -errno in *ret_error; NULL otherwise (daemon/faults.c). */
const char *door_feedback_fault(const Door *d, size_t i, int *ret_error);

/* A decision on a code (or the exit button) for this door: its pattern starts now. */
void door_feedback_outcome(Door *d, bool granted);
/* The door's alarms or service changed: the looping pattern follows. */
void door_feedback_update(Door *d);
