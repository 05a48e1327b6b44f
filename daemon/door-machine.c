/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/macro.h"
#include "core/string-table.h"
#include "daemon/door-machine.h"

static const char *const door_alarm_table[_DOOR_ALARM_MAX] = {
        [DOOR_ALARM_FORCED_OPEN] = "forced-open",
        [DOOR_ALARM_HELD_OPEN] = "held-open",
        [DOOR_ALARM_LOCK_FAULT] = "lock-fault",
        [DOOR_ALARM_TAMPER] = "tamper",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(door_alarm, DoorAlarm);

static const char *const door_phase_table[_DOOR_PHASE_MAX] = {
        [DOOR_PHASE_LOCKED] = "locked",
        [DOOR_PHASE_UNLOCKED] = "unlocked",
        [DOOR_PHASE_OPEN] = "open",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(door_phase, DoorPhase);

static void raise_alarm(DoorMachine *m, DoorAlarm a, const char *reason, DoorActions *ret) {
        if (m->alarms & (1u << a))
                return;
        m->alarms |= 1u << a;
        ret->raised |= 1u << a;
        ret->reason[a] = reason;
}

static void clear_alarm(DoorMachine *m, DoorAlarm a, const char *reason, DoorActions *ret) {
        if (!(m->alarms & (1u << a)))
                return;
        m->alarms &= ~(1u << a);
        ret->cleared |= 1u << a;
        ret->reason[a] = reason;
}

static void tick(DoorMachine *m, uint64_t now, DoorActions *ret);

/* Whether the feedback disagrees with the command, and since when. */
static void check_feedback(DoorMachine *m, uint64_t now, DoorActions *ret) {
        bool disagree = m->conf.has_feedback && m->feedback_unlocked != m->unlocked;

        if (disagree && !m->disagree)
                m->disagree_since = now;
        m->disagree = disagree;
        if (!disagree)
                clear_alarm(m, DOOR_ALARM_LOCK_FAULT, "feedback-agrees", ret);
        tick(m, now, ret);
}

/* Whether the two contact lines are at the same level — the contact active (open) and its
 * normally-closed twin active (closed), or both inactive — which no door position makes: a cut
 * or shorted cable. A moving door passes through it for an instant (two contacts never switch at
 * the same microsecond), hence the grace. */
static void check_wiring(DoorMachine *m, uint64_t now, DoorActions *ret) {
        bool miswired = m->conf.has_contact && m->conf.has_contact_nc && m->open == m->nc_closed;

        if (miswired && !m->miswired)
                m->miswired_since = now;
        m->miswired = miswired;
        if (!miswired)
                clear_alarm(m, DOOR_ALARM_TAMPER, "lines-differ", ret);
}

void door_machine_init(DoorMachine *m, const DoorMachineConf *conf, bool open, bool feedback_unlocked, uint64_t now,
                       DoorActions *ret) {
        *ret = (DoorActions) {};
        *m = (DoorMachine) {
                .conf = *conf,
                .open = conf->has_contact && open,
                .feedback_unlocked = feedback_unlocked,
        };
        m->nc_closed = !m->open;
        if (m->open)
                raise_alarm(m, DOOR_ALARM_FORCED_OPEN, "open-at-start", ret);
        check_feedback(m, now, ret);
}

void door_machine_lock_changed(DoorMachine *m, bool unlocked, uint64_t now, DoorActions *ret) {
        *ret = (DoorActions) {};
        if (unlocked == m->unlocked)
                return;
        m->unlocked = unlocked;
        if (unlocked)
                m->passage = true;
        else if (!m->open)
                /* The pulse ended and nobody went through: the next opening needs a new unlock.
                 * An open door keeps its passage until it closes (someone is walking through). */
                m->passage = m->opened = false;
        check_feedback(m, now, ret);
}

void door_machine_contact(DoorMachine *m, bool open, uint64_t now, DoorActions *ret) {
        *ret = (DoorActions) {};
        if (!m->conf.has_contact || open == m->open)
                return;
        m->open = open;
        if (open) {
                m->open_since = now;
                if (m->passage)
                        m->opened = true;
                else
                        raise_alarm(m, DOOR_ALARM_FORCED_OPEN, "opened-while-locked", ret);
        } else {
                clear_alarm(m, DOOR_ALARM_FORCED_OPEN, "closed", ret);
                clear_alarm(m, DOOR_ALARM_HELD_OPEN, "closed", ret);
                /* Opened and closed again: the passage is over, the lock need not wait for the
                 * end of its pulse (a second person cannot follow through a door left unlocked). */
                if (m->opened && m->unlocked)
                        ret->relock = true;
                if (m->opened || !m->unlocked)
                        m->passage = m->opened = false;
        }
        check_wiring(m, now, ret);
        tick(m, now, ret);
}

void door_machine_feedback(DoorMachine *m, bool unlocked, uint64_t now, DoorActions *ret) {
        *ret = (DoorActions) {};
        if (!m->conf.has_feedback || unlocked == m->feedback_unlocked)
                return;
        m->feedback_unlocked = unlocked;
        check_feedback(m, now, ret);
}

void door_machine_contact_nc(DoorMachine *m, bool closed, uint64_t now, DoorActions *ret) {
        *ret = (DoorActions) {};
        if (!m->conf.has_contact || !m->conf.has_contact_nc || closed == m->nc_closed)
                return;
        m->nc_closed = closed;
        check_wiring(m, now, ret);
        tick(m, now, ret);
}

static uint64_t held_open_at(const DoorMachine *m) {
        if (!m->open || !m->opened || m->conf.held_open_usec == 0 || door_machine_alarm(m, DOOR_ALARM_HELD_OPEN))
                return 0;
        return m->open_since + m->conf.held_open_usec;
}

static uint64_t fault_at(const DoorMachine *m) {
        if (!m->disagree || door_machine_alarm(m, DOOR_ALARM_LOCK_FAULT))
                return 0;
        return m->disagree_since + m->conf.fault_grace_usec;
}

static uint64_t tamper_at(const DoorMachine *m) {
        if (!m->miswired || door_machine_alarm(m, DOOR_ALARM_TAMPER))
                return 0;
        return m->miswired_since + m->conf.tamper_grace_usec;
}

static void tick(DoorMachine *m, uint64_t now, DoorActions *ret) {
        uint64_t t;

        t = held_open_at(m);
        if (t > 0 && now >= t)
                raise_alarm(m, DOOR_ALARM_HELD_OPEN, "open-too-long", ret);
        t = fault_at(m);
        if (t > 0 && now >= t)
                raise_alarm(m, DOOR_ALARM_LOCK_FAULT, m->unlocked ? "feedback-says-locked" : "feedback-says-unlocked", ret);
        t = tamper_at(m);
        if (t > 0 && now >= t)
                raise_alarm(m, DOOR_ALARM_TAMPER, m->open ? "lines-both-active" : "lines-both-inactive", ret);
}

void door_machine_tick(DoorMachine *m, uint64_t now, DoorActions *ret) {
        *ret = (DoorActions) {};
        tick(m, now, ret);
}

uint64_t door_machine_deadline(const DoorMachine *m) {
        uint64_t next = 0, t[] = { held_open_at(m), fault_at(m), tamper_at(m) };

        for (size_t i = 0; i < ELEMENTSOF(t); i++)
                if (t[i] > 0 && (next == 0 || t[i] < next))
                        next = t[i];
        return next;
}

DoorPhase door_machine_phase(const DoorMachine *m) {
        return m->open ? DOOR_PHASE_OPEN : m->unlocked ? DOOR_PHASE_UNLOCKED : DOOR_PHASE_LOCKED;
}
