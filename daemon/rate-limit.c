/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/audit.h"
#include "daemon/decide.h"
#include "daemon/event-util.h"
#include "daemon/log.h"
#include "daemon/rate-limit.h"
#include "daemon/subject-key.h"

_Static_assert(SUBJECT_KEY_SIZE == RATE_KEY_SIZE, "the per-subject limit is keyed by the subject key");

uint64_t rate_limit_now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* A table for max per per_usec and capacity, in place of *t unless *t has those already. */
static int replace_table(RateTable **t, bool enabled, size_t capacity, uint32_t max, uint64_t per_usec,
                         RateTable **ret_new) {
        *ret_new = NULL;
        if (!enabled || (*t && rate_table_capacity(*t) >= capacity && rate_table_capacity(*t) < capacity + RATE_TABLE_WAYS &&
                         rate_table_max(*t) == max && rate_table_per_usec(*t) == per_usec))
                return 0;
        return rate_table_new(capacity, max, per_usec, ret_new);
}

int manager_rate_limits_apply(Manager *m, const Config *c) {
        const SubjectRateConf *s = &c->policy.subject_rate;
        _cleanup_(rate_table_freep) RateTable *subject = NULL, *bus = NULL;
        int r;

        r = replace_table(&m->subject_rate, s->enabled, s->capacity, s->max, (uint64_t) s->per * 1000000u, &subject);
        if (r < 0)
                return r;
        /* As a source's bucket: max_rate a second, a burst of two seconds' worth. */
        r = replace_table(&m->bus_rate, true, BUS_RATE_CAPACITY, 2 * c->bus_max_rate, 2 * 1000000u, &bus);
        if (r < 0)
                return r;
        if (!s->enabled)
                m->subject_rate = rate_table_free(m->subject_rate);
        else if (subject) {
                rate_table_free(m->subject_rate);
                m->subject_rate = TAKE_PTR(subject);
        }
        if (bus) {
                rate_table_free(m->bus_rate);
                m->bus_rate = TAKE_PTR(bus);
        }
        return 0;
}

void manager_rate_limits_free(Manager *m) {
        m->subject_rate = rate_table_free(m->subject_rate);
        m->bus_rate = rate_table_free(m->bus_rate);
        m->bus_rate_quiet = sd_event_source_disable_unref(m->bus_rate_quiet);
}

void manager_rate_limits_subject_key_changed(Manager *m) {
        if (m->subject_rate)
                rate_table_clear(m->subject_rate);
}

void subject_rate_opened(Manager *m, const uint8_t *subject) {
        if (m->subject_rate && subject)
                rate_table_spend(m->subject_rate, subject, rate_limit_now_usec());
}

static int on_bus_quiet(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        char text[128];

        snprintf(text, sizeof(text), "%" PRIu64 " SubmitCode calls over %u a second were refused", m->bus_rate_refused,
                 m->config->bus_max_rate);
        log_notice("Bus: SubmitCode callers within their rate again; %s.", text);
        if (m->audit)
                (void) audit_log_alarm(m->audit, "bus", NULL, false, text);
        m->bus_rate_refused = 0;
        m->bus_rate_flooding = false;
        return 0;
}

bool bus_rate_take(Manager *m, uid_t uid, const char *door, char *detail, size_t detail_size) {
        uint8_t key[RATE_KEY_SIZE] = {};
        uint32_t u = (uint32_t) uid;

        memcpy(key, &u, sizeof(u));
        if (!m->bus_rate || rate_table_take(m->bus_rate, key, rate_limit_now_usec(), NULL))
                return true;
        snprintf(detail, detail_size, "bus caller uid %u submits more than %u codes a second (bus.max_rate)",
                 (unsigned) uid, m->config->bus_max_rate);
        m->bus_rate_refused++;
        if (!m->bus_rate_flooding) {
                /* The first of a flood is a decision of its own; the rest are counted, so that a
                 * flood fills neither the journal nor the audit log. */
                m->bus_rate_flooding = true;
                log_warning("Bus: uid %u submits more than %u codes a second; its calls over the rate are refused "
                            "(rate-limited) until they are within it.", (unsigned) uid, m->config->bus_max_rate);
                if (m->audit)
                        (void) audit_log_alarm(m->audit, "bus", door, true, detail);
                decide_refuse(m, door, "bus", REASON_RATE_LIMITED, detail, NULL);
        }
        if (event_arm_timer_relative(m->event, &m->bus_rate_quiet, BUS_RATE_QUIET_USEC, 0, on_bus_quiet, m) < 0)
                (void) on_bus_quiet(m->bus_rate_quiet, 0, m); /* no timer: clear now rather than never */
        return false;
}
