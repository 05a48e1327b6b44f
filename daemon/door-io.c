/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/gate1.h"
#include "daemon/area.h"
#include "daemon/audit.h"
#include "daemon/door-interlock.h"
#include "daemon/door-io.h"
#include "daemon/door-machine.h"
#include "daemon/door.h"
#include "daemon/event-util.h"
#include "daemon/faults.h"
#include "daemon/log.h"
#include "hal/debounce.h"

#define USEC_PER_MSEC_IO 1000u

typedef enum DoorInputKind {
        DOOR_INPUT_CONTACT,
        DOOR_INPUT_REX,
        DOOR_INPUT_FEEDBACK,
        DOOR_INPUT_CONTACT_NC,
        DOOR_INPUT_EXIT_PULSE,
        _DOOR_INPUT_MAX,
} DoorInputKind;

static const char *const input_names[_DOOR_INPUT_MAX] = {
        [DOOR_INPUT_CONTACT] = "contact",
        [DOOR_INPUT_REX] = "rex",
        [DOOR_INPUT_FEEDBACK] = "lock_feedback",
        [DOOR_INPUT_CONTACT_NC] = "contact_nc",
        [DOOR_INPUT_EXIT_PULSE] = "exit_pulse",
};

typedef struct DoorInput {
        DoorIO *io;
        DoorInputKind kind;
        int error; /* configured but not opened, or no longer readable: -errno; else 0 */
        Input *input; /* NULL: not configured, or it could not be opened */
        Debounce debounce;
        sd_event_source *watch;
        sd_event_source *settle; /* at the debouncer's deadline */
} DoorInput;

struct DoorIO {
        Door *door;
        DoorMachine machine;
        DoorInput inputs[_DOOR_INPUT_MAX];
        sd_event_source *deadline; /* at the machine's next deadline (held open, lock fault) */
        DoorPhase phase;           /* as last announced */
};

static sd_event *event_of(DoorIO *io) {
        return io->door->manager->event;
}

static uint64_t now_usec(DoorIO *io) {
        return event_now_usec(event_of(io));
}

static void emit_properties(DoorIO *io, bool alarms) {
        Door *d = io->door;
        DoorPhase phase = door_machine_phase(&io->machine);
        bool state = phase != io->phase;

        io->phase = phase;
        if (!d->manager->bus || (!state && !alarms))
                return;
        (void) sd_bus_emit_properties_changed(d->manager->bus, d->object_path, BUS_DOOR_IFACE,
                                              state ? "DoorState" : "Alarms", state && alarms ? "Alarms" : NULL, NULL);
}

/* One alarm raised or cleared: the bus signal first (what a guard's screen waits for), then the
 * audit record and the journal line. */
static void report_alarm(DoorIO *io, DoorAlarm alarm, bool raised, const char *reason) {
        Door *d = io->door;
        const char *name = door_alarm_to_string(alarm);
        int r;

        if (d->manager->bus) {
                r = sd_bus_emit_signal(d->manager->bus, d->object_path, BUS_DOOR_IFACE,
                                       raised ? "AlarmRaised" : "AlarmCleared", "ss", name, reason);
                if (r < 0)
                        log_warning_errno(r, "Door %s: cannot emit the %s signal: %m", d->id,
                                          raised ? "AlarmRaised" : "AlarmCleared");
        }
        if (d->manager->audit)
                (void) audit_log_alarm(d->manager->audit, name, d->id, raised, reason);
        log_struct(raised ? LOG_ALERT : LOG_NOTICE, 0,
                   LOG_FIELDS(.message_id = raised ? QRGATE_MESSAGE_DOOR_ALARM : QRGATE_MESSAGE_DOOR_ALARM_CLEARED,
                              .door = d->id, .reason = reason),
                   "Door %s: alarm %s %s (%s).", d->id, name, raised ? "raised" : "cleared", reason);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata);

static void apply(DoorIO *io, const DoorActions *a) {
        uint64_t next;
        int r;

        for (DoorAlarm i = 0; i < _DOOR_ALARM_MAX; i++)
                if ((a->raised | a->cleared) & (1u << i))
                        report_alarm(io, i, a->raised & (1u << i), a->reason[i]);
        emit_properties(io, a->raised | a->cleared);
        if (a->raised | a->cleared)
                door_feedback_update(io->door);
        if (a->relock) {
                log_info("Door %s: closed again after its passage, relocking now.", io->door->id);
                door_relock(io->door); /* calls back door_io_lock_changed() */
        }

        next = door_machine_deadline(&io->machine);
        if (next == 0) {
                (void) sd_event_source_set_enabled(io->deadline, SD_EVENT_OFF);
                return;
        }
        r = event_arm_timer(event_of(io), &io->deadline, next, USEC_PER_MSEC_IO, on_deadline, io);
        if (r < 0)
                log_error_errno(r, "Door %s: cannot arm the alarm timer (held open, lock fault): %m", io->door->id);
}

static int on_deadline(sd_event_source *s, uint64_t usec, void *userdata) {
        DoorIO *io = userdata;
        DoorActions a;

        door_machine_tick(&io->machine, now_usec(io), &a);
        apply(io, &a);
        return 0;
}

/* Someone who presses the exit button leaves the area the door belongs to, whichever side its
 * reader faces: counted out (never below 0), without a subject, since nobody showed a code. */
static void door_rex_exit_passage(Door *d) {
        Area *a = manager_door_area(d->manager, door_config(d));

        if (a)
                area_count_exit(a);
}

/* The exit button: the door opens without a code, for its unlock_ms, under the same rule as
 * every opening (no opening without a record), and the audit log says so. */
static void rex_pressed(DoorIO *io) {
        Door *d = io->door;
        Manager *m = d->manager;
        const DoorConf *dc = door_config(d);
        uint32_t ms = dc ? dc->unlock_ms : 3000;
        const char *why = NULL, *busy;
        char interlock_why[96];
        int r;

        if (!d->lock) {
                r = -ENODEV;
                why = "the door is out of service";
        } else if ((busy = door_interlock_busy(d))) {
                r = -EBUSY;
                snprintf(interlock_why, sizeof(interlock_why), "refused: door %s of its interlock group is unlocked or open",
                         busy);
                why = interlock_why;
        } else if (manager_openings_refused(m)) {
                r = -ENOSPC;
                why = "refused: the audit log cannot be written";
        } else
                r = door_open(d, ms);
        if (m->audit)
                (void) audit_log_exit_request(m->audit, d->id, ms, r, why);
        if (r < 0) {
                log_struct(LOG_WARNING, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DOOR_EXIT_REQUEST, .door = d->id),
                           "Door %s: exit button pressed, not opened: %s.", d->id, why ?: strerror(-r));
                door_feedback_outcome(d, false);
                return;
        }
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DOOR_EXIT_REQUEST, .door = d->id),
                   "Door %s: exit button pressed, unlocked for %u ms.", d->id, ms);
        door_feedback_outcome(d, true);
        door_rex_exit_passage(d);
}

static void level_changed(DoorInput *in, bool active) {
        DoorIO *io = in->io;
        DoorActions a;

        switch (in->kind) {
        case DOOR_INPUT_CONTACT:
                door_machine_contact(&io->machine, active, now_usec(io), &a);
                apply(io, &a);
                break;
        case DOOR_INPUT_FEEDBACK:
                door_machine_feedback(&io->machine, active, now_usec(io), &a);
                apply(io, &a);
                break;
        case DOOR_INPUT_CONTACT_NC:
                door_machine_contact_nc(&io->machine, active, now_usec(io), &a);
                apply(io, &a);
                break;
        case DOOR_INPUT_REX:
                if (active) /* pressed; its release means nothing */
                        rex_pressed(io);
                break;
        case DOOR_INPUT_EXIT_PULSE:
                /* A turnstile turned outwards: someone left, nothing to open. */
                if (active)
                        door_rex_exit_passage(io->door);
                break;
        case _DOOR_INPUT_MAX:
                break;
        }
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata);

static void arm_settle(DoorInput *in) {
        uint64_t t = debounce_deadline(&in->debounce);
        int r;

        if (t == 0) {
                (void) sd_event_source_set_enabled(in->settle, SD_EVENT_OFF);
                return;
        }
        r = event_arm_timer(event_of(in->io), &in->settle, t, USEC_PER_MSEC_IO, on_settle, in);
        if (r < 0)
                log_error_errno(r, "Door %s: cannot arm the debounce timer of its %s: %m", in->io->door->id,
                                input_names[in->kind]);
}

static int on_settle(sd_event_source *s, uint64_t usec, void *userdata) {
        DoorInput *in = userdata;

        if (debounce_settle(&in->debounce, now_usec(in->io)))
                level_changed(in, debounce_level(&in->debounce));
        arm_settle(in);
        return 0;
}

static int on_input(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DoorInput *in = userdata;
        InputEdge edges[16];
        int n;

        n = input_read(in->input, edges, ELEMENTSOF(edges));
        if (n < 0) {
                /* A line that cannot be read is not watched any more: the door works without it. */
                log_struct(LOG_ERR, n, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DOOR_INPUT_FAULT, .door = in->io->door->id),
                           "Door %s: cannot read its %s: %m; no longer watched.", in->io->door->id, input_names[in->kind]);
                in->error = n;
                manager_update_state(in->io->door->manager);
                return sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        for (int i = 0; i < n; i++)
                if (debounce_edge(&in->debounce, edges[i].active, edges[i].usec))
                        level_changed(in, debounce_level(&in->debounce));
        arm_settle(in);
        return 0;
}

static int open_input(DoorIO *io, DoorInputKind kind, const InputConfig *conf, uint32_t debounce_ms, bool *ret_active) {
        DoorInput *in = &io->inputs[kind];
        Door *d = io->door;
        InputConfig c = *conf;
        char id[CONFIG_ID_MAX + 16];
        bool active = false;
        int r;

        *ret_active = false;
        in->io = io;
        in->kind = kind;
        snprintf(id, sizeof(id), "%s.%s", d->id, input_names[kind]);
        c.id = id;
        r = input_new(&c, &in->input, &active);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DOOR_INPUT_FAULT, .door = d->id),
                           "Door %s: cannot open its %s (%s backend%s%s): %m; the door works without it until "
                           "qrgated is restarted with the line there.", d->id, input_names[kind], c.backend,
                           c.line_name ? " line " : "", c.line_name ?: "");
                in->error = r;
                return 0;
        }
        debounce_init(&in->debounce, active, (uint64_t) debounce_ms * USEC_PER_MSEC_IO);
        if (input_fd(in->input) >= 0) {
                r = sd_event_add_io(event_of(io), &in->watch, input_fd(in->input), EPOLLIN, on_input, in);
                /* An alarm must not wait behind a flood of scanned codes. */
                if (r >= 0)
                        r = sd_event_source_set_priority(in->watch, SD_EVENT_PRIORITY_IMPORTANT);
                if (r < 0) {
                        in->input = input_free(in->input);
                        in->error = r;
                        return log_error_errno(r, "Door %s: cannot watch its %s: %m", d->id, input_names[kind]);
                }
        }
        log_info("Door %s: %s on %s backend, %s.", d->id, input_names[kind], c.backend, active ? "active" : "inactive");
        *ret_active = active;
        return 0;
}

int door_io_open(Door *d, const DoorConf *dc) {
        DoorIO *io = calloc(1, sizeof(DoorIO));
        const InputConfig *confs[_DOOR_INPUT_MAX] = {
                [DOOR_INPUT_CONTACT] = dc->has_contact ? &dc->contact : NULL,
                [DOOR_INPUT_REX] = dc->has_rex ? &dc->rex : NULL,
                [DOOR_INPUT_FEEDBACK] = dc->has_lock_feedback ? &dc->lock_feedback : NULL,
                [DOOR_INPUT_CONTACT_NC] = dc->has_contact_nc ? &dc->contact_nc : NULL,
                [DOOR_INPUT_EXIT_PULSE] = dc->has_exit_pulse ? &dc->exit_pulse : NULL,
        };
        bool levels[_DOOR_INPUT_MAX] = {};
        DoorActions a;
        int r;

        if (!io)
                return -ENOMEM;
        io->door = d;
        d->io = io; /* from here door_free() frees what is opened */
        for (DoorInputKind k = 0; k < _DOOR_INPUT_MAX; k++) {
                if (!confs[k])
                        continue;
                r = open_input(d->io, k, confs[k], dc->debounce_ms, &levels[k]);
                if (r < 0)
                        return r;
        }

        DoorMachineConf mc = {
                .has_contact = d->io->inputs[DOOR_INPUT_CONTACT].input != NULL,
                .has_feedback = d->io->inputs[DOOR_INPUT_FEEDBACK].input != NULL,
                .held_open_usec = (uint64_t) dc->held_open_s * 1000000u,
                .fault_grace_usec = (uint64_t) dc->lock_feedback_grace_ms * USEC_PER_MSEC_IO,
                /* A line that could not be opened is no evidence against the other. */
                .has_contact_nc = d->io->inputs[DOOR_INPUT_CONTACT_NC].input != NULL,
                .tamper_grace_usec = (uint64_t) dc->debounce_ms * USEC_PER_MSEC_IO,
        };
        door_machine_init(&d->io->machine, &mc, levels[DOOR_INPUT_CONTACT], levels[DOOR_INPUT_FEEDBACK],
                          now_usec(d->io), &a);
        d->io->phase = door_machine_phase(&d->io->machine);
        apply(d->io, &a);
        /* The machine starts with the two contact lines agreeing; the level read may say not. */
        door_machine_contact_nc(&d->io->machine, levels[DOOR_INPUT_CONTACT_NC], now_usec(d->io), &a);
        apply(d->io, &a);
        return 0;
}

DoorIO *door_io_free(DoorIO *io) {
        if (!io)
                return NULL;
        for (size_t i = 0; i < _DOOR_INPUT_MAX; i++) {
                sd_event_source_disable_unref(io->inputs[i].watch);
                sd_event_source_disable_unref(io->inputs[i].settle);
                input_free(io->inputs[i].input);
        }
        sd_event_source_disable_unref(io->deadline);
        free(io);
        return NULL;
}

void door_io_lock_changed(Door *d, bool unlocked) {
        DoorActions a;

        if (!d->io)
                return;
        door_machine_lock_changed(&d->io->machine, unlocked, now_usec(d->io), &a);
        apply(d->io, &a);
}

const char *door_io_fault(const Door *d, size_t i, int *ret_error) {
        if (!d->io || i >= _DOOR_INPUT_MAX || d->io->inputs[i].error >= 0)
                return NULL;
        *ret_error = d->io->inputs[i].error;
        return input_names[i];
}

bool door_io_has_alarm(const Door *d) {
        return d->io && d->io->machine.alarms != 0;
}

const char *door_io_state(const Door *d) {
        if (!d->io)
                return d->lock && lock_is_unlocked(d->lock) ? "unlocked" : "locked";
        return door_phase_to_string(door_machine_phase(&d->io->machine));
}

int door_io_append_alarms(const Door *d, sd_bus_message *reply) {
        int r;

        r = sd_bus_message_open_container(reply, 'a', "s");
        if (r < 0)
                return r;
        for (DoorAlarm i = 0; d->io && i < _DOOR_ALARM_MAX; i++)
                if (door_machine_alarm(&d->io->machine, i)) {
                        r = sd_bus_message_append(reply, "s", door_alarm_to_string(i));
                        if (r < 0)
                                return r;
                }
        return sd_bus_message_close_container(reply);
}
