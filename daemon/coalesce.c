/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "daemon/audit.h"
#include "daemon/coalesce.h"
#include "daemon/event-util.h"
#include "daemon/log.h"

/* How long one record may stand for a run of refusals: the history an operator reads is late by
 * at most this much, and a flood leaves two records per source and reason per window. */
#define RUN_MAX_USEC (10U * 1000U * 1000U)

struct Coalescer {
        Manager *manager;
        const char *origin;
        sd_event_source *timer;
        bool active;                     /* a run is open: its first refusal was recorded */
        Reason reason;
        CodeFormat format;
        char door[CONFIG_ID_MAX + 1];
        uint64_t count;                  /* refusals counted since that record */
};

static void write_run(Coalescer *c) {
        if (c->count == 0)
                return;
        /* The fields of the refusals it stands for, so that a search by reason or door finds it. */
        log_struct(LOG_NOTICE, 0,
                   LOG_FIELDS(.door = c->door, .reason = reason_to_string(c->reason),
                              .format = code_format_to_string(c->format), .source = c->origin),
                   "%s: door %s: %" PRIu64 " more lines refused (%s) like the one before; counted, not logged one by one.",
                   c->origin, c->door, c->count, reason_to_string(c->reason));
        if (c->manager->audit)
                (void) audit_log_repeats(c->manager->audit, c->door, reason_to_string(c->reason),
                                         code_format_to_string(c->format), c->origin, c->count);
        c->count = 0;
}

void coalescer_flush(Coalescer *c) {
        write_run(c);
        c->active = false;
        (void) sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        coalescer_flush(userdata);
        return 0;
}

int coalescer_new(Manager *m, const char *origin, Coalescer **ret) {
        Coalescer *c = calloc(1, sizeof(Coalescer));

        if (!c)
                return -ENOMEM;
        c->manager = m;
        c->origin = origin;
        *ret = c;
        return 0;
}

Coalescer *coalescer_free(Coalescer *c) {
        if (!c)
                return NULL;
        write_run(c);
        sd_event_source_disable_unref(c->timer);
        free(c);
        return NULL;
}

static void start_run(Coalescer *c, const Decision *d) {
        c->active = true;
        c->reason = d->reason;
        c->format = d->format;
        snprintf(c->door, sizeof(c->door), "%s", d->door);
        c->count = 0;
        if (event_arm_timer_relative(c->manager->event, &c->timer, RUN_MAX_USEC, 0, on_timer, c) < 0)
                /* Without a timer a run would never end by itself: record one by one instead. */
                c->active = false;
}

bool coalescer_absorb(Coalescer *c, const Decision *d, bool identifies_nobody) {
        if (c->active && identifies_nobody && !d->granted && d->reason == c->reason && d->format == c->format &&
            strcmp(d->door, c->door) == 0) {
                c->count++;
                return true;
        }
        coalescer_flush(c);
        if (identifies_nobody && !d->granted)
                start_run(c, d);
        return false;
}
