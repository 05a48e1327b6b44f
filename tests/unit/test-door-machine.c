/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The door state machine (daemon/door-machine.c) on a fake clock, at every transition and its
 * edges: an unlock, the door opening and closing (relock at once, not at the end of the pulse),
 * the pulse ending unused, forced open raised and cleared, held open one microsecond before and
 * at its boundary, the lock fault's grace likewise, and a contact that bounces (through the
 * debouncer every input goes through) raising nothing; a contact wired twice (contact_nc) whose
 * lines agree raises tamper at its grace, a moving door never does. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/door-machine.h"
#include "hal/debounce.h"

#define MS 1000u
#define S 1000000u
#define T0 (100u * S)
#define BIT(a) (1u << (a))

static const DoorMachineConf conf = {
        .has_contact = true,
        .has_feedback = true,
        .held_open_usec = 30 * S,
        .fault_grace_usec = 500 * MS,
};

static void start(DoorMachine *m) {
        DoorActions a;

        door_machine_init(m, &conf, false, false, T0, &a);
        assert_int_equal(a.raised | a.cleared, 0);
        assert_int_equal(door_machine_phase(m), DOOR_PHASE_LOCKED);
        assert_int_equal(door_machine_deadline(m), 0);
}

/* Unlocks at t with the feedback following at once. */
static void unlock_at(DoorMachine *m, uint64_t t) {
        DoorActions a;

        door_machine_lock_changed(m, true, t, &a);
        door_machine_feedback(m, true, t, &a);
        assert_int_equal(a.raised, 0);
}

static void opening_and_closing_relocks_at_once(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        unlock_at(&m, T0);
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_UNLOCKED);
        door_machine_contact(&m, true, T0 + 1 * S, &a);
        assert_int_equal(a.raised, 0);
        assert_false(a.relock); /* still open: someone is walking through */
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_OPEN);
        door_machine_contact(&m, false, T0 + 2 * S, &a);
        assert_true(a.relock);
        assert_int_equal(a.raised | a.cleared, 0);
        door_machine_lock_changed(&m, false, T0 + 2 * S, &a);
        door_machine_feedback(&m, false, T0 + 2 * S, &a);
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_LOCKED);

        /* The passage is over: opening again, though within the old pulse, is forced. */
        door_machine_contact(&m, true, T0 + 2500 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
}

static void pulse_ending_while_open_keeps_the_passage(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        unlock_at(&m, T0);
        door_machine_contact(&m, true, T0 + 1 * S, &a);
        door_machine_lock_changed(&m, false, T0 + 3 * S, &a); /* the pulse ends, the door still open */
        door_machine_feedback(&m, false, T0 + 3 * S, &a);
        assert_int_equal(a.raised, 0);
        door_machine_contact(&m, false, T0 + 4 * S, &a);
        assert_false(a.relock); /* nothing to drop: it is locked */
        assert_int_equal(a.raised | a.cleared, 0);
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_LOCKED);
}

static void unused_pulse_ends_the_passage(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        unlock_at(&m, T0);
        door_machine_lock_changed(&m, false, T0 + 3 * S, &a);
        door_machine_feedback(&m, false, T0 + 3 * S, &a);
        door_machine_contact(&m, true, T0 + 3 * S + 1, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
        assert_string_equal(a.reason[DOOR_ALARM_FORCED_OPEN], "opened-while-locked");
}

static void forced_open_is_raised_and_cleared(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        door_machine_contact(&m, true, T0, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
        assert_true(door_machine_alarm(&m, DOOR_ALARM_FORCED_OPEN));
        assert_int_equal(door_machine_deadline(&m), 0); /* no held-open for a forced door */
        door_machine_tick(&m, T0 + 3600 * S, &a);
        assert_int_equal(a.raised, 0);
        door_machine_contact(&m, false, T0 + 3600 * S, &a);
        assert_int_equal(a.cleared, BIT(DOOR_ALARM_FORCED_OPEN));
        assert_string_equal(a.reason[DOOR_ALARM_FORCED_OPEN], "closed");
        assert_false(a.relock);
        assert_int_equal(m.alarms, 0);
}

static void open_at_start_is_forced_open(void **state) {
        DoorMachine m;
        DoorActions a;

        door_machine_init(&m, &conf, true, false, T0, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
        assert_string_equal(a.reason[DOOR_ALARM_FORCED_OPEN], "open-at-start");
}

static void held_open_at_its_boundary(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        unlock_at(&m, T0);
        door_machine_contact(&m, true, T0 + 1 * S, &a);
        assert_int_equal(door_machine_deadline(&m), T0 + 31 * S);
        door_machine_tick(&m, T0 + 31 * S - 1, &a);
        assert_int_equal(a.raised, 0);
        door_machine_tick(&m, T0 + 31 * S, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_HELD_OPEN));
        assert_string_equal(a.reason[DOOR_ALARM_HELD_OPEN], "open-too-long");
        assert_int_equal(door_machine_deadline(&m), 0);
        door_machine_tick(&m, T0 + 32 * S, &a);
        assert_int_equal(a.raised, 0); /* once */
        door_machine_contact(&m, false, T0 + 40 * S, &a);
        assert_int_equal(a.cleared, BIT(DOOR_ALARM_HELD_OPEN));
        assert_true(a.relock);
}

static void held_open_off_when_zero(void **state) {
        DoorMachineConf c = conf;
        DoorMachine m;
        DoorActions a;

        c.held_open_usec = 0;
        door_machine_init(&m, &c, false, false, T0, &a);
        door_machine_lock_changed(&m, true, T0, &a);
        door_machine_feedback(&m, true, T0, &a);
        door_machine_contact(&m, true, T0, &a);
        assert_int_equal(door_machine_deadline(&m), 0);
        door_machine_tick(&m, T0 + 86400u * S, &a);
        assert_int_equal(a.raised, 0);
}

static void lock_fault_after_its_grace(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        door_machine_lock_changed(&m, true, T0, &a); /* the feedback does not follow */
        assert_int_equal(door_machine_deadline(&m), T0 + 500 * MS);
        door_machine_tick(&m, T0 + 500 * MS - 1, &a);
        assert_int_equal(a.raised, 0);
        door_machine_tick(&m, T0 + 500 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_LOCK_FAULT));
        assert_string_equal(a.reason[DOOR_ALARM_LOCK_FAULT], "feedback-says-locked");
        door_machine_feedback(&m, true, T0 + 600 * MS, &a);
        assert_int_equal(a.cleared, BIT(DOOR_ALARM_LOCK_FAULT));
        assert_string_equal(a.reason[DOOR_ALARM_LOCK_FAULT], "feedback-agrees");
}

static void feedback_within_grace_is_no_fault(void **state) {
        DoorMachine m;
        DoorActions a;

        start(&m);
        door_machine_lock_changed(&m, true, T0, &a);
        door_machine_feedback(&m, true, T0 + 500 * MS - 1, &a);
        assert_int_equal(a.raised, 0);
        assert_int_equal(door_machine_deadline(&m), 0);
        /* Unlocked by hand while the command says locked: a fault too, the other way round. */
        door_machine_lock_changed(&m, false, T0 + 1 * S, &a);
        door_machine_tick(&m, T0 + 1500 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_LOCK_FAULT));
        assert_string_equal(a.reason[DOOR_ALARM_LOCK_FAULT], "feedback-says-unlocked");
}

static void without_feedback_there_is_no_fault(void **state) {
        DoorMachineConf c = conf;
        DoorMachine m;
        DoorActions a;

        c.has_feedback = false;
        door_machine_init(&m, &c, false, false, T0, &a);
        door_machine_lock_changed(&m, true, T0, &a);
        door_machine_tick(&m, T0 + 10 * S, &a);
        assert_int_equal(a.raised, 0);
}

static void without_contact_the_door_never_opens(void **state) {
        DoorMachineConf c = conf;
        DoorMachine m;
        DoorActions a;

        c.has_contact = false;
        door_machine_init(&m, &c, true, false, T0, &a);
        assert_int_equal(a.raised, 0);
        door_machine_contact(&m, true, T0, &a);
        assert_int_equal(a.raised, 0);
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_LOCKED);
}

/* The contact rattles: 9 edges 3 ms apart, ending closed, within a 50 ms debounce. Only what the
 * debouncer lets through reaches the machine: nothing. */
static void bounce_burst_within_debounce_is_no_forced_open(void **state) {
        DoorMachine m;
        DoorActions a;
        Debounce d;

        start(&m);
        debounce_init(&d, false, 50 * MS);
        for (unsigned i = 0; i < 9; i++) {
                uint64_t t = T0 + i * 3 * MS;
                if (debounce_edge(&d, i % 2 == 0, t))
                        door_machine_contact(&m, debounce_level(&d), t, &a);
        }
        (void) debounce_edge(&d, false, T0 + 27 * MS);
        for (uint64_t t = T0; t < T0 + 200 * MS; t += MS)
                if (debounce_settle(&d, t)) {
                        door_machine_contact(&m, debounce_level(&d), t, &a);
                        fail_msg("the burst changed the debounced level at %llu", (unsigned long long) (t - T0));
                }
        assert_int_equal(m.alarms, 0);

        /* The same burst ending open opens the door, 50 ms after its last edge. */
        for (unsigned i = 0; i < 9; i++)
                (void) debounce_edge(&d, i % 2 == 0, T0 + 1 * S + i * 3 * MS);
        assert_int_equal(debounce_deadline(&d), T0 + 1 * S + 24 * MS + 50 * MS);
        assert_true(debounce_settle(&d, debounce_deadline(&d)));
        door_machine_contact(&m, debounce_level(&d), debounce_deadline(&d), &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
}

/* A contact wired twice: contact (active: open) and contact_nc (active: closed), 50 ms grace. */
static const DoorMachineConf conf_nc = {
        .has_contact = true,
        .has_contact_nc = true,
        .tamper_grace_usec = 50 * MS,
};

static void start_nc(DoorMachine *m) {
        DoorActions a;

        door_machine_init(m, &conf_nc, false, false, T0, &a);
        assert_int_equal(a.raised | a.cleared, 0);
        door_machine_contact_nc(m, true, T0, &a); /* closed, as a healthy closed door reads */
        assert_int_equal(a.raised | a.cleared, 0);
        assert_int_equal(door_machine_deadline(m), 0);
}

/* A cut cable: the contact_nc line drops while the door stays closed; tamper at the grace, not
 * one microsecond before; cleared when the lines differ again. */
static void tamper_both_inactive_at_its_grace(void **state) {
        DoorMachine m;
        DoorActions a;

        start_nc(&m);
        door_machine_contact_nc(&m, false, T0 + 1 * S, &a);
        assert_int_equal(a.raised, 0);
        assert_int_equal(door_machine_deadline(&m), T0 + 1 * S + 50 * MS);
        door_machine_tick(&m, T0 + 1 * S + 50 * MS - 1, &a);
        assert_int_equal(a.raised, 0);
        door_machine_tick(&m, T0 + 1 * S + 50 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_TAMPER));
        assert_string_equal(a.reason[DOOR_ALARM_TAMPER], "lines-both-inactive");
        assert_true(door_machine_alarm(&m, DOOR_ALARM_TAMPER));
        assert_int_equal(door_machine_deadline(&m), 0);
        assert_int_equal(door_machine_phase(&m), DOOR_PHASE_LOCKED); /* the contact still says closed */
        door_machine_tick(&m, T0 + 5 * S, &a);
        assert_int_equal(a.raised, 0); /* raised once */
        door_machine_contact_nc(&m, true, T0 + 6 * S, &a);
        assert_int_equal(a.cleared, BIT(DOOR_ALARM_TAMPER));
        assert_string_equal(a.reason[DOOR_ALARM_TAMPER], "lines-differ");
        assert_false(door_machine_alarm(&m, DOOR_ALARM_TAMPER));
}

/* A short: both lines active — the contact says open, its twin closed. The forced-open alarm
 * follows the contact as before; tamper comes on top of it. */
static void tamper_both_active_beside_forced_open(void **state) {
        DoorMachine m;
        DoorActions a;

        start_nc(&m);
        door_machine_contact(&m, true, T0 + 1 * S, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_FORCED_OPEN));
        door_machine_tick(&m, T0 + 1 * S + 50 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_TAMPER));
        assert_string_equal(a.reason[DOOR_ALARM_TAMPER], "lines-both-active");
        door_machine_contact(&m, false, T0 + 2 * S, &a);
        assert_int_equal(a.cleared, BIT(DOOR_ALARM_FORCED_OPEN) | BIT(DOOR_ALARM_TAMPER));
        assert_string_equal(a.reason[DOOR_ALARM_TAMPER], "lines-differ");
}

/* A door that moves: its two contacts switch a few milliseconds apart, within the grace (one
 * microsecond short of it at the edge): never a tamper, opening or closing. */
static void door_moving_is_no_tamper(void **state) {
        DoorMachine m;
        DoorActions a;

        start_nc(&m);
        door_machine_lock_changed(&m, true, T0, &a);
        door_machine_contact(&m, true, T0 + 1 * S, &a);
        assert_int_equal(a.raised, 0);
        door_machine_tick(&m, T0 + 1 * S + 50 * MS - 1, &a);
        assert_int_equal(a.raised, 0);
        door_machine_contact_nc(&m, false, T0 + 1 * S + 50 * MS - 1, &a);
        assert_int_equal(a.raised | a.cleared, 0);
        assert_int_equal(door_machine_deadline(&m), 0);
        door_machine_contact_nc(&m, true, T0 + 2 * S, &a); /* the twin first, this time */
        door_machine_contact(&m, false, T0 + 2 * S + 3 * MS, &a);
        assert_true(a.relock);
        assert_int_equal(a.raised | a.cleared, 0);
        door_machine_tick(&m, T0 + 10 * S, &a);
        assert_int_equal(a.raised, 0);
}

/* Wiring already broken at start (the level read after init): raised after the grace. */
static void tamper_at_start(void **state) {
        DoorMachine m;
        DoorActions a;

        door_machine_init(&m, &conf_nc, false, false, T0, &a);
        door_machine_contact_nc(&m, false, T0, &a);
        assert_int_equal(a.raised, 0);
        door_machine_tick(&m, T0 + 50 * MS, &a);
        assert_int_equal(a.raised, BIT(DOOR_ALARM_TAMPER));
}

/* Without contact_nc (or without the contact it belongs to) the twin line means nothing. */
static void without_contact_nc_there_is_no_tamper(void **state) {
        DoorMachine m;
        DoorActions a;
        DoorMachineConf c = conf_nc;

        c.has_contact_nc = false;
        door_machine_init(&m, &c, false, false, T0, &a);
        door_machine_contact_nc(&m, false, T0, &a);
        door_machine_tick(&m, T0 + 10 * S, &a);
        assert_int_equal(a.raised, 0);
        c = conf_nc;
        c.has_contact = false;
        door_machine_init(&m, &c, false, false, T0, &a);
        door_machine_contact_nc(&m, false, T0, &a);
        door_machine_tick(&m, T0 + 10 * S, &a);
        assert_int_equal(a.raised, 0);
        assert_int_equal(door_machine_deadline(&m), 0);
}

static void names_are_stable(void **state) {
        assert_string_equal(door_alarm_to_string(DOOR_ALARM_FORCED_OPEN), "forced-open");
        assert_string_equal(door_alarm_to_string(DOOR_ALARM_HELD_OPEN), "held-open");
        assert_string_equal(door_alarm_to_string(DOOR_ALARM_LOCK_FAULT), "lock-fault");
        assert_string_equal(door_alarm_to_string(DOOR_ALARM_TAMPER), "tamper");
        assert_string_equal(door_phase_to_string(DOOR_PHASE_OPEN), "open");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(opening_and_closing_relocks_at_once),
                cmocka_unit_test(pulse_ending_while_open_keeps_the_passage),
                cmocka_unit_test(unused_pulse_ends_the_passage),
                cmocka_unit_test(forced_open_is_raised_and_cleared),
                cmocka_unit_test(open_at_start_is_forced_open),
                cmocka_unit_test(held_open_at_its_boundary),
                cmocka_unit_test(held_open_off_when_zero),
                cmocka_unit_test(lock_fault_after_its_grace),
                cmocka_unit_test(feedback_within_grace_is_no_fault),
                cmocka_unit_test(without_feedback_there_is_no_fault),
                cmocka_unit_test(without_contact_the_door_never_opens),
                cmocka_unit_test(bounce_burst_within_debounce_is_no_forced_open),
                cmocka_unit_test(tamper_both_inactive_at_its_grace),
                cmocka_unit_test(tamper_both_active_beside_forced_open),
                cmocka_unit_test(door_moving_is_no_tamper),
                cmocka_unit_test(tamper_at_start),
                cmocka_unit_test(without_contact_nc_there_is_no_tamper),
                cmocka_unit_test(names_are_stable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
