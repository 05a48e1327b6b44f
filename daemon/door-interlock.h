/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Interlock groups (a door's interlock = "airlock"): at most one door of a group unlocked or
 * open at a time. The policy refuses a code for a door while another of its group is busy
 * (reason interlock, daemon/policy.c); the exit button obeys the same rule. */

typedef struct Door Door;

/* The id of another door of d's interlock group that is unlocked (its lock) or open (its
 * contact) now; NULL when there is none or d has no group. */
const char *door_interlock_busy(const Door *d);
