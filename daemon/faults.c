/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/denylist.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/log.h"
#include "daemon/source.h"

/* systemd keeps the status line short in `systemctl status`; the bus has the full list. */
#define STATUS_MAX 1024

typedef struct List {
        char **v;
        size_t n;
        bool oom;
} List;

_printf_(2, 3) static void add(List *l, const char *fmt, ...) {
        char **v, *s = NULL;
        va_list ap;
        int r;

        if (l->oom)
                return;
        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        v = r < 0 ? NULL : reallocarray(l->v, l->n + 2, sizeof(char *));
        if (!v) {
                free(r < 0 ? NULL : s);
                l->oom = true;
                return;
        }
        l->v = v;
        l->v[l->n++] = s;
        l->v[l->n] = NULL;
}

/* Each line of text (a builder's report) is a fault of its own. */
static void add_lines(List *l, const char *text) {
        for (const char *p = text; p && *p;) {
                size_t n = strcspn(p, "\n");
                if (n > 0)
                        add(l, "%.*s", (int) n, p);
                p += n + (p[n] == '\n');
        }
}

/* "door main is" or "doors a, b are": the doors on lock i, which are out of service with it. */
static void doors_on_lock(const Config *c, size_t lock, char *buf, size_t size) {
        size_t n = 0, o = 0;

        for (size_t i = 0; i < c->n_doors; i++)
                if (c->doors[i].lock_index == lock)
                        n++;
        snprintf(buf, size, "no door is");
        for (size_t i = 0, k = 0; i < c->n_doors && o < size; i++) {
                if (c->doors[i].lock_index != lock)
                        continue;
                k++;
                o += (size_t) snprintf(buf + o, size - o, "%s%s%s", k > 1 ? ", " : n > 1 ? "doors " : "door ",
                                       c->doors[i].id, k < n ? "" : n > 1 ? " are" : " is");
        }
}

/* " line lock-relay" or " line 4 of gpiochip0": which output, as the configuration names it. */
static void lock_output(const LockConfig *lc, char *buf, size_t size) {
        if (lc->line_name)
                snprintf(buf, size, " line %s", lc->line_name);
        else if (lc->line_offset >= 0)
                snprintf(buf, size, " line %d of %s", lc->line_offset, lc->chip ?: "any chip");
        else
                buf[0] = '\0';
}

char **manager_faults(Manager *m) {
        const Config *c = m->config;
        List l = { .v = calloc(1, sizeof(char *)) };
        char doors[256], output[128];

        if (!l.v)
                return NULL;
        for (size_t i = 0; i < c->n_locks; i++) {
                const LockConfig *lc = &c->locks[i].hal;
                if (m->lock_errors[i] >= 0)
                        continue;
                doors_on_lock(c, i, doors, sizeof(doors));
                lock_output(lc, output, sizeof(output));
                add(&l, "lock %s: cannot open its %s output%s: %s; %s out of service", lc->id, lc->backend, output,
                    strerror(-m->lock_errors[i]), doors);
        }
        if (m->lock_fault)
                add(&l, "a lock output failed while running (the journal says which); restart qrgated once it is fixed");
        /* A door's inputs, lights and buzzer: the door works without them, but not as configured. */
        for (size_t i = 0; i < m->n_doors; i++)
                for (size_t k = 0; k < 5; k++) { /* 5 inputs, 3 outputs: each says NULL past its end */
                        const char *name;
                        int error;
                        if ((name = door_io_fault(m->doors[i], k, &error)))
                                add(&l, "door %s: its %s cannot be used: %s; the door works without it (no alarm or exit "
                                    "from it) until qrgated is restarted with the line there", m->doors[i]->id, name,
                                    strerror(-error));
                        if ((name = door_feedback_fault(m->doors[i], k, &error)))
                                add(&l, "door %s: its %s output cannot be opened: %s; restart qrgated with the line there",
                                    m->doors[i]->id, name, strerror(-error));
                }
        add_lines(&l, m->key_faults);
        add_lines(&l, m->trust_faults);
        add_lines(&l, m->barcode_faults);
        int64_t age = m->dcc_trust ? trustlist_age(m->dcc_trust, (int64_t) time(NULL)) : 0;
        if (m->dcc_trust && c->dcc.trust_max_age > 0 && (age < 0 || age > c->dcc.trust_max_age)) {
                const char *then = c->dcc.trust_age_policy == TRUST_LIST_AGE_WARN
                                           ? "EU DCCs are still accepted (trust_age_policy = \"warn\")"
                                           : "every EU DCC is refused (trust-list-too-old)";
                if (age < 0)
                        add(&l, "dcc trust list: its age is unknown and dcc.trust_max_age is set: %s; check the list's "
                            "updater, then reload", then);
                else
                        add(&l, "dcc trust list: outdated, updated %" PRId64 " s ago (dcc.trust_max_age is %" PRId64
                            " s): %s; check the list's updater, then reload", age, c->dcc.trust_max_age, then);
        }
        char denylist[512];
        if (manager_denylist_fault(m, denylist, sizeof(denylist)))
                add(&l, "%s", denylist);
        if (m->token_fault)
                add(&l, "token: unavailable: %s", m->token_fault);
        else if (m->token) {
                const char *why;
                TokenState ts = token_service_get_state(m->token, &why);
                if (ts != TOKEN_STATE_PRESENT && ts != TOKEN_STATE_CONNECTING)
                        add(&l, "token: %s%s%s", token_state_to_string(ts), why && *why ? ": " : "", why ?: "");
        }
        if (m->audit && audit_is_failing(m->audit))
                add(&l, "audit log: cannot be written (docs/audit.md)");
        /* Not with clock.untrusted = "accept": the site chose to judge codes by the clock as it
         * is, so nothing is refused for it and there is nothing to act on (the journal said it
         * once, and ClockSynchronized says it). Not before a source answered either. */
        if (m->clock_known && !m->clock_synchronized && c->clock.untrusted != CLOCK_UNTRUSTED_ACCEPT)
                add(&l, "clock: not synchronized since qrgated started: %s until it is; give the appliance a time "
                    "server (timedatectl timesync-status)",
                    c->clock.untrusted == CLOCK_UNTRUSTED_REFUSE ? "every code is refused (clock-untrusted)" :
                    "only QG1 codes issued within clock.narrow_window of the clock are accepted");
        for (size_t i = 0; i < c->n_sources; i++)
                if (m->source_errors[i] < 0)
                        add(&l, "source %s: cannot open %s: %s; codes from it are not read", c->sources[i].id,
                            c->sources[i].path ?: c->sources[i].type, strerror(-m->source_errors[i]));
        /* Opened, and away now: the door reads nothing from it. A USB or serial scanner comes
         * back by itself when plugged in; a FIFO whose read failed stays off until a restart. */
        for (size_t i = 0; i < m->n_sources; i++) {
                const Source *s = m->sources[i];
                if (!s || s->present)
                        continue;
                if (s->conf.type == SCANNER_FIFO)
                        add(&l, "source %s: reading failed, codes from it are not read until qrgated is restarted",
                            s->id);
                else
                        add(&l, "source %s: its scanner is absent: door %s reads no codes from it until it is plugged "
                            "in", s->id, s->door);
        }
        if (l.oom) {
                faults_free(l.v);
                return NULL;
        }
        return l.v;
}

void faults_free(char **faults) {
        for (char **f = faults; f && *f; f++)
                free(*f);
        free(faults);
}

char *faults_join(char *const *faults) {
        size_t n = 1;
        char *s;

        for (char *const *f = faults; *f; f++)
                n += strlen(*f) + 2;
        s = malloc(n);
        if (!s)
                return NULL;
        s[0] = '\0';
        for (char *const *f = faults; *f; f++) {
                if (f != faults)
                        strcat(s, "; ");
                strcat(s, *f);
        }
        return s;
}

void manager_log_degraded_start(Manager *m) {
        _cleanup_(faults_freep) char **faults = manager_faults(m);
        _cleanup_(freep) char *joined = faults ? faults_join(faults) : NULL;

        if (!joined || !joined[0])
                return;
        log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_STARTED_DEGRADED),
                   "qrgated is running degraded, without what it could not open: %s.", joined);
}

void manager_update_state(Manager *m) {
        _cleanup_(faults_freep) char **faults = NULL;
        _cleanup_(freep) char *joined = NULL, *status = NULL;
        ManagerState old = m->state;

        if (m->state == MANAGER_STOPPING || m->state == MANAGER_STARTING)
                return;
        faults = manager_faults(m);
        joined = faults ? faults_join(faults) : NULL;
        /* Out of memory, nothing can be said for sure: degraded is the honest guess. */
        m->state = !joined || joined[0] ? MANAGER_DEGRADED : MANAGER_RUNNING;
        if (m->state == MANAGER_RUNNING
                    ? asprintf(&status, "Running: %zu doors, %zu issuer keys", m->n_doors, keystore_size(m->keys)) < 0
                    : asprintf(&status, "Degraded: %.*s", STATUS_MAX, joined ?: "out of memory") < 0)
                status = NULL;
        if (m->state == old && status && m->status && strcmp(status, m->status) == 0)
                return;
        if (status)
                (void) sd_notifyf(false, "STATUS=%s", status);
        free(m->status);
        m->status = TAKE_PTR(status);
        if (m->bus)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "State", "Faults", NULL);
}
