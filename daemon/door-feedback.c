/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "daemon/door-feedback.h"
#include "daemon/door.h"
#include "daemon/event-util.h"
#include "daemon/log.h"

#define USEC_PER_MSEC_FB 1000u

struct DoorFeedback {
        Door *door;
        Lock *out[_FEEDBACK_OUTPUT_MAX]; /* NULL: not configured, or it could not be opened */
        int errors[_FEEDBACK_OUTPUT_MAX]; /* -errno of one that could not be opened; else 0 */
        FeedbackPattern playing;         /* a copy: a reload may replace the configuration's */
        bool looping;                    /* a state's pattern, not an outcome's */
        size_t step;
        unsigned on;
        sd_event_source *timer;
};

static const char *const output_names[_FEEDBACK_OUTPUT_MAX] = {
        [FEEDBACK_GREEN] = "green",
        [FEEDBACK_RED] = "red",
        [FEEDBACK_BUZZER] = "buzzer",
};

static void show(DoorFeedback *f, unsigned on) {
        for (FeedbackOutput o = 0; o < _FEEDBACK_OUTPUT_MAX; o++) {
                bool want = on & (1u << o);
                int r;

                if (!f->out[o] || lock_is_unlocked(f->out[o]) == want)
                        continue;
                r = lock_set(f->out[o], want);
                if (r < 0) /* a light that cannot be switched is no reason to stop the gate */
                        log_warning_errno(r, "Door %s: cannot switch its %s output: %m", f->door->id, output_names[o]);
        }
        f->on = on;
}

/* The pattern the door's state calls for, looping, or NULL: nothing to show. */
static const FeedbackPattern *state_pattern(DoorFeedback *f) {
        const DoorConf *dc = door_config(f->door);

        if (!dc)
                return NULL;
        if (!f->door->lock && !f->door->no_lock)
                return &dc->pattern_out_of_service;
        if (door_io_has_alarm(f->door))
                return &dc->pattern_alarm;
        return NULL;
}

static int on_step(sd_event_source *s, uint64_t usec, void *userdata);

static void play_step(DoorFeedback *f) {
        int r;

        for (;;) {
                if (f->step < f->playing.n_steps)
                        break;
                if (f->looping && f->playing.n_steps > 0) {
                        f->step = 0;
                        break;
                }
                /* An outcome has ended: back to what the state shows. */
                const FeedbackPattern *p = state_pattern(f);
                if (!p || p->n_steps == 0) {
                        (void) sd_event_source_set_enabled(f->timer, SD_EVENT_OFF);
                        show(f, 0);
                        return;
                }
                f->playing = *p;
                f->looping = true;
                f->step = 0;
        }
        show(f, f->playing.steps[f->step].on);
        r = event_arm_timer_relative(f->door->manager->event, &f->timer,
                                     (uint64_t) f->playing.steps[f->step].ms * USEC_PER_MSEC_FB, USEC_PER_MSEC_FB, on_step, f);
        if (r < 0) {
                log_warning_errno(r, "Door %s: cannot time its lights and buzzer, switching them off: %m", f->door->id);
                show(f, 0);
        }
}

static int on_step(sd_event_source *s, uint64_t usec, void *userdata) {
        DoorFeedback *f = userdata;

        f->step++;
        play_step(f);
        return 0;
}

static void play(DoorFeedback *f, const FeedbackPattern *p, bool looping) {
        f->playing = p ? *p : (FeedbackPattern) {};
        f->looping = looping;
        f->step = 0;
        play_step(f);
}

int door_feedback_open(Door *d, const DoorConf *dc) {
        DoorFeedback *f = calloc(1, sizeof(DoorFeedback));
        int r;

        if (!f)
                return -ENOMEM;
        f->door = d;
        d->feedback = f;
        for (FeedbackOutput o = 0; o < _FEEDBACK_OUTPUT_MAX; o++) {
                const LockConfig *c = &dc->feedback_out[o];
                if (!dc->has_feedback_out[o])
                        continue;
                r = lock_new(c, &f->out[o]); /* drives it off */
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DOOR_INPUT_FAULT, .door = d->id),
                                   "Door %s: cannot open its %s output (%s backend%s%s): %m; the door works without it.",
                                   d->id, output_names[o], c->backend, c->line_name ? " line " : "", c->line_name ?: "");
                        f->errors[o] = r;
                        continue;
                }
        }
        door_feedback_update(d);
        return 0;
}

int door_feedback_close(Door *d) {
        DoorFeedback *f = d->feedback;
        int ret = 0;

        if (!f)
                return 0;
        sd_event_source_disable_unref(f->timer);
        for (FeedbackOutput o = 0; o < _FEEDBACK_OUTPUT_MAX; o++) {
                int r = lock_close(f->out[o]); /* off, then released */
                if (r < 0) {
                        log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_NOT_SAFE, .door = d->id),
                                   "Door %s: cannot switch its %s output off: %m", d->id, output_names[o]);
                        ret = r;
                }
        }
        free(f);
        d->feedback = NULL;
        return ret;
}

const char *door_feedback_fault(const Door *d, size_t i, int *ret_error) {
        if (!d->feedback || i >= _FEEDBACK_OUTPUT_MAX || d->feedback->errors[i] >= 0)
                return NULL;
        *ret_error = d->feedback->errors[i];
        return output_names[i];
}

void door_feedback_outcome(Door *d, bool granted) {
        const DoorConf *dc = door_config(d);

        if (!d->feedback || !dc)
                return;
        play(d->feedback, granted ? &dc->pattern_granted : &dc->pattern_denied, false);
}

void door_feedback_update(Door *d) {
        DoorFeedback *f = d->feedback;
        const FeedbackPattern *p;

        if (!f || (!f->looping && f->step < f->playing.n_steps))
                return; /* an outcome is showing: the state follows when it ends */
        p = state_pattern(f);
        if (f->looping && p && memcmp(p, &f->playing, sizeof(*p)) == 0)
                return; /* already showing it */
        play(f, p, true);
}
