/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The door as a door: what its lock is told, what its contact and lock feedback say, and the
 * alarms that follow (pure logic on the caller's clock; daemon/door-io.c feeds it from the
 * inputs and acts on what it asks for). Levels are debounced before they get here.
 *
 *   locked ──unlock (granted, REX, operator)──> unlocked ──contact opens──> open
 *     │                                           │                         │
 *     │                            pulse ends, never opened           contact closes:
 *     │                                  → locked                 relock now (not at the end
 *     │                                                           of the pulse) → locked
 *     └──contact opens without an unlock──> forced-open alarm (cleared when it closes)
 *
 *   open after a valid unlock for held_open_usec or longer → held-open alarm (cleared on close);
 *   feedback (when configured) disagreeing with the command for fault_grace_usec or longer →
 *   lock-fault alarm (cleared when they agree);
 *   a contact wired twice (its normally-open contact, active when open, and its normally-closed
 *   one, active when closed) whose two lines are at the same level — both active or both
 *   inactive, which no door position makes — for tamper_grace_usec or longer: a cut or shorted
 *   cable, tamper alarm (cleared when they differ again).
 *
 * Every alarm is raised and cleared with a reason word (DoorActions), for the bus, the audit log
 * and the journal alike. */

#include <stdbool.h>
#include <stdint.h>

typedef enum DoorAlarm {
        DOOR_ALARM_FORCED_OPEN,
        DOOR_ALARM_HELD_OPEN,
        DOOR_ALARM_LOCK_FAULT,
        DOOR_ALARM_TAMPER,
        _DOOR_ALARM_MAX,
} DoorAlarm;

typedef enum DoorPhase {
        DOOR_PHASE_LOCKED,   /* closed (or no contact) and locked */
        DOOR_PHASE_UNLOCKED, /* closed (or no contact) and unlocked */
        DOOR_PHASE_OPEN,     /* the contact says open */
        _DOOR_PHASE_MAX,
} DoorPhase;

typedef struct DoorMachineConf {
        bool has_contact;
        bool has_feedback;
        uint64_t held_open_usec;   /* 0: no held-open alarm */
        uint64_t fault_grace_usec; /* how long feedback may lag the command */
        bool has_contact_nc;       /* the contact's normally-closed twin (only with has_contact) */
        uint64_t tamper_grace_usec; /* how long the two contact lines may agree (a door moving) */
} DoorMachineConf;

/* What the caller must do after an event: relock now, and raise/clear the alarms whose bits are
 * set, with the reason words given. */
typedef struct DoorActions {
        bool relock;
        unsigned raised;  /* bit (1 << DoorAlarm) */
        unsigned cleared;
        const char *reason[_DOOR_ALARM_MAX]; /* static strings, for each alarm raised or cleared */
} DoorActions;

typedef struct DoorMachine {
        DoorMachineConf conf;
        bool unlocked;     /* as commanded */
        bool open;         /* as the contact says */
        bool passage;      /* an unlock granted, not yet ended by the door closing or the pulse */
        bool opened;       /* the door opened during this passage: its closing relocks */
        uint64_t open_since;
        bool feedback_unlocked;
        bool disagree;
        uint64_t disagree_since;
        bool nc_closed;     /* as the normally-closed contact says */
        bool miswired;      /* the two contact lines agree */
        uint64_t miswired_since;
        unsigned alarms; /* bit (1 << DoorAlarm) for each alarm raised */
} DoorMachine;

/* At start, locked, with the inputs as they are read; a door open at start has no unlock to
 * explain it and raises forced-open ("open-at-start"). */
void door_machine_init(DoorMachine *m, const DoorMachineConf *conf, bool open, bool feedback_unlocked, uint64_t now,
                       DoorActions *ret);

/* The lock was driven (unlocked: a granted code, the exit button or an operator). */
void door_machine_lock_changed(DoorMachine *m, bool unlocked, uint64_t now, DoorActions *ret);
/* The debounced contact (open = true) or lock feedback (unlocked = true) changed. */
void door_machine_contact(DoorMachine *m, bool open, uint64_t now, DoorActions *ret);
void door_machine_feedback(DoorMachine *m, bool unlocked, uint64_t now, DoorActions *ret);
/* The debounced normally-closed contact (closed = true) changed, or was read at start (init
 * takes it to agree with the contact; call this once after it with the level read). */
void door_machine_contact_nc(DoorMachine *m, bool closed, uint64_t now, DoorActions *ret);
/* Time passed: raises held-open, lock-fault and tamper when their time has come. */
void door_machine_tick(DoorMachine *m, uint64_t now, DoorActions *ret);
/* The next instant door_machine_tick() has something to do, or 0. */
uint64_t door_machine_deadline(const DoorMachine *m);

DoorPhase door_machine_phase(const DoorMachine *m);
static inline bool door_machine_alarm(const DoorMachine *m, DoorAlarm a) {
        return m->alarms & (1u << a);
}

const char *door_alarm_to_string(DoorAlarm a);
const char *door_phase_to_string(DoorPhase p);
