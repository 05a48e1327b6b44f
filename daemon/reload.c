/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading the configuration (at start and at every reload) and applying a new one to the running
 * daemon: what may change in place, and what needs a restart. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon/area.h"
#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/denylist.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/rate-limit.h"
#include "daemon/reload.h"

void log_config_errors(const char *errors) {
        const char *p = errors;
        while (p && *p) {
                const char *nl = strchrnul(p, '\n');
                log_error("%.*s", (int) (nl - p), p);
                p = *nl ? nl + 1 : nl;
        }
}

int manager_load_config(const char *path, Config **ret_config, Keystore **ret_keys, char **ret_errors) {
        _cleanup_(config_freep) Config *c = NULL;
        int r;

        r = config_load(path, &c, ret_errors);
        if (r < 0)
                return r;
        r = config_build_keystore(c, ret_keys, ret_errors);
        if (r < 0)
                return r;
        if (r > 0) {
                *ret_keys = keystore_free(*ret_keys);
                return -EINVAL;
        }
        *ret_config = TAKE_PTR(c);
        return 0;
}

/* The first line of why a reload was refused, for the audit log. */
static void audit_reload(Manager *m, const char *why) {
        char line[256];

        if (!m->audit)
                return;
        if (why)
                snprintf(line, sizeof(line), "%.*s", (int) strcspn(why, "\n"), why);
        (void) audit_log_reload(m->audit, m->config_path, why ? line : NULL);
}

int manager_load_dcc_trust(Manager *m, const Config *c, TrustList **ret, char **ret_faults) {
        _cleanup_(freep) char *notes = NULL;
        int r;

        *ret = NULL;
        *ret_faults = NULL;
        if (c->dcc.n_trust_list == 0)
                return 0;
        r = config_build_trustlist(c, (int64_t) time(NULL), ret, ret_faults, &notes);
        if (r < 0)
                return log_oom();
        log_config_errors(*ret_faults);
        log_config_errors(notes); /* skipped certificates are reported even when the list loaded */
        if (r > 0)
                log_error("EU DCC trust list: %d of its paths cannot be read; running with the %zu signer certificates "
                          "of the others (EU DCC codes of unknown signers are refused).", r, trustlist_count(*ret));
        else
                log_info("EU DCC trust list: %zu signer certificates.", trustlist_count(*ret));
        return 0;
}

static int on_dcc_trust_outdated(sd_event_source *s, uint64_t usec, void *userdata);

static void arm_dcc_trust_timer_at(Manager *m, uint64_t usec) {
        int r;

        if (!m->dcc_trust_timer)
                r = sd_event_add_time(m->event, &m->dcc_trust_timer, CLOCK_REALTIME, usec, 1000, on_dcc_trust_outdated, m);
        else {
                r = sd_event_source_set_time(m->dcc_trust_timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->dcc_trust_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                log_warning_errno(r, "Cannot arm the timer for the EU DCC trust list's age; its being outdated is "
                                  "said at the next HC1 code instead: %m");
}

/* The list becomes outdated at a known second, with or without a code to judge by it: say so
 * then (the journal, and the fault that makes State "degraded"), not at the next HC1 code —
 * with trust_age_policy = "warn" there might never be one that shows it, and with "deny" the
 * gate would refuse every EU DCC while its State said "running". A timer on CLOCK_REALTIME,
 * since the age is a wall-clock age: a clock set forward by NTP brings it forward too. */
static void arm_dcc_trust_timer(Manager *m) {
        const Verifier *v = &m->verifier;
        int64_t age;

        (void) sd_event_source_set_enabled(m->dcc_trust_timer, SD_EVENT_OFF);
        if (!v->dcc_trust || v->dcc_trust_max_age <= 0)
                return;
        age = trustlist_age(v->dcc_trust, (int64_t) time(NULL));
        if (age < 0 || age > v->dcc_trust_max_age) /* outdated already: said now */
                return;
        /* Outdated once its age exceeds the limit: from the second after updated_at + max_age. */
        arm_dcc_trust_timer_at(m, (uint64_t) (trustlist_updated_at(v->dcc_trust) + v->dcc_trust_max_age + 1) * 1000000u);
}

static int on_dcc_trust_outdated(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        const Verifier *v = &m->verifier;
        int64_t age = v->dcc_trust ? trustlist_age(v->dcc_trust, (int64_t) time(NULL)) : -1;

        /* time() reads a coarse clock that can lag the timer's by a tick: not outdated by it yet
         * means a few milliseconds more, or the fault and the journal would wait for the next
         * code after all. */
        if (age >= 0 && age <= v->dcc_trust_max_age) {
                arm_dcc_trust_timer_at(m, usec + 10000);
                return 0;
        }
        manager_check_dcc_trust_age(m);
        manager_update_state(m);
        if (m->bus)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "DccTrustListAge", NULL);
        return 0;
}

void manager_apply_dcc_trust(Manager *m, TrustList *tl) {
        trustlist_free(m->dcc_trust);
        m->dcc_trust = tl;
        m->verifier.dcc_trust = tl;
        m->verifier.dcc_trust_max_age = m->config->dcc.trust_max_age;
        m->verifier.dcc_trust_age_policy = m->config->dcc.trust_age_policy;
        m->dcc_trust_outdated_said = false;
        manager_check_dcc_trust_age(m);
        arm_dcc_trust_timer(m);
}

/* Said when a list is put in force (start, reload) and, for one that ages past the limit while in
 * force, at that second (arm_dcc_trust_timer()), or at the next HC1 code should the timer not
 * have fired yet. Once per list: each refused code has its own line with
 * QRGATE_REASON=trust-list-too-old, and a flood of scans must not become a flood of alerts. */
void manager_check_dcc_trust_age(Manager *m) {
        const Verifier *v = &m->verifier;
        int64_t age;

        if (!v->dcc_trust || v->dcc_trust_max_age <= 0 || m->dcc_trust_outdated_said)
                return;
        age = trustlist_age(v->dcc_trust, (int64_t) time(NULL));
        if (age >= 0 && age <= v->dcc_trust_max_age)
                return;
        m->dcc_trust_outdated_said = true;
        const char *then = v->dcc_trust_age_policy == TRUST_LIST_AGE_WARN
                                   ? "HC1 codes are still accepted (trust_age_policy = \"warn\")"
                                   : "HC1 codes are refused with trust-list-too-old";
        if (age < 0)
                log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DCC_TRUST_OUTDATED),
                           "EU DCC trust list: its age is unknown and dcc.trust_max_age is %" PRId64 " s; %s until "
                           "updated files are reloaded.", v->dcc_trust_max_age, then);
        else
                log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DCC_TRUST_OUTDATED),
                           "EU DCC trust list is outdated: updated %" PRId64 " s ago, dcc.trust_max_age is %" PRId64
                           " s; %s until updated files are reloaded.", age, v->dcc_trust_max_age, then);
}

/* The same scanner, read the same way: a source's type and device settings are its hardware. */
static bool source_conf_same_device(const SourceConf *a, const SourceConf *b) {
        const ScannerConfig *x = &a->scanner, *y = &b->scanner;

        return x->type == y->type && x->usb.vendor == y->usb.vendor && x->usb.product == y->usb.product &&
               strcmp(x->usb.serial ?: "", y->usb.serial ?: "") == 0 && strcmp(x->usb.port ?: "", y->usb.port ?: "") == 0 &&
               x->layout == y->layout && x->speed == y->speed && a->terminator == b->terminator &&
               a->min_rate == b->min_rate && a->line_timeout_ms == b->line_timeout_ms && a->max_rate == b->max_rate;
}

/* What a reload may change in place: keys, verifier limits, door rules, operators. Adding or
 * removing doors, locks or sources would tear down hardware and bus objects under a running
 * gate, so that needs a restart, and the reload says so instead of half-applying. */
static const char *structure_change(const Config *old, const Config *new) {
        if (old->n_locks != new->n_locks || old->n_doors != new->n_doors || old->n_sources != new->n_sources)
                return "the number of locks, doors or sources changed";
        for (size_t i = 0; i < old->n_locks; i++) {
                const LockConfig *a = &old->locks[i].hal, *b = &new->locks[i].hal;
                if (strcmp(a->id, b->id) != 0 || strcmp(a->backend, b->backend) != 0 ||
                    strcmp(a->chip ?: "", b->chip ?: "") != 0 || a->line_offset != b->line_offset ||
                    strcmp(a->line_name ?: "", b->line_name ?: "") != 0 || a->active_low != b->active_low ||
                    strcmp(a->sim_output ?: "", b->sim_output ?: "") != 0 ||
                    a->safe_state != b->safe_state)
                        return "a lock's hardware settings changed";
        }
        for (size_t i = 0; i < old->n_doors; i++)
                if (strcmp(old->doors[i].id, new->doors[i].id) != 0 || strcmp(old->doors[i].lock ?: "", new->doors[i].lock ?: "") != 0)
                        return "a door was renamed or moved to another lock";
        for (size_t i = 0; i < old->n_doors; i++)
                if (!config_door_io_equal(&old->doors[i], &new->doors[i]))
                        return "a door's inputs (contact, rex, lock_feedback) or their timings changed";
        for (size_t i = 0; i < old->n_doors; i++)
                if (!config_door_feedback_equal(&old->doors[i], &new->doors[i]))
                        return "a door's feedback lines (green, red, buzzer) changed";
        for (size_t i = 0; i < old->n_sources; i++)
                if (strcmp(old->sources[i].id, new->sources[i].id) != 0 ||
                    strcmp(old->sources[i].path ?: "", new->sources[i].path ?: "") != 0 ||
                    !source_conf_same_device(&old->sources[i], &new->sources[i]) ||
                    strcmp(old->sources[i].door, new->sources[i].door) != 0)
                        return "a source changed";
        if (old->replay_capacity != new->replay_capacity)
                return "verifier.replay_capacity changed";
        /* An area's count, presences and state file go with its id: a capacity or a passback
         * changes in place, a new or renamed area needs a restart. */
        if (old->n_areas != new->n_areas)
                return "the number of areas changed";
        for (size_t i = 0; i < old->n_areas; i++)
                if (strcmp(old->areas[i].id, new->areas[i].id) != 0)
                        return "an area was renamed";
        if (strcmp(old->state_directory ?: "", new->state_directory ?: "") != 0)
                return "state_directory changed";
        if (!audit_conf_equal(&old->audit, &new->audit))
                return "the audit settings changed";
        const TokenConf *a = &old->token, *b = &new->token;
        if (a->enabled != b->enabled || (a->enabled && (strcmp(a->uri, b->uri) != 0 ||
                                                        strcmp(a->module ?: "", b->module ?: "") != 0 ||
                                                        strcmp(a->sign_key ?: "", b->sign_key ?: "") != 0 ||
                                                        strcmp(a->hmac_key ?: "", b->hmac_key ?: "") != 0 ||
                                                        strcmp(a->pin_file ?: "", b->pin_file ?: "") != 0 ||
                                                        strcmp(a->pin_credential ?: "", b->pin_credential ?: "") != 0)))
                return "the token settings changed";
        /* The Lending interface is published at start when there is a station (daemon/bus-lending.c);
         * the station's id and item formats change in place. */
        if (old->station.enabled != new->station.enabled)
                return "the station section was added or removed";
        return NULL;
}

static const LogFields config_refused = { .message_id = QRGATE_MESSAGE_CONFIG_REFUSED };

static int reload(Manager *m, char **ret_errors) {
        _cleanup_(freep) char *notes = NULL;
        Config *c = NULL;
        Keystore *ks = NULL;
        TrustList *tl = NULL;
        const char *why;
        int r;

        log_info("Reloading configuration %s.", m->config_path);
        r = manager_load_config(m->config_path, &c, &ks, ret_errors);
        if (r < 0) {
                log_config_errors(*ret_errors);
                audit_reload(m, *ret_errors ?: "the configuration cannot be loaded");
                return log_struct(LOG_ERR, r, &config_refused, "New configuration refused; the running one stays.");
        }
        why = structure_change(m->config, c);
        if (why) {
                if (asprintf(ret_errors, "%s: %s; restart qrgated to apply it\n", m->config_path, why) < 0)
                        *ret_errors = NULL;
                config_free(c);
                keystore_free(ks);
                audit_reload(m, why);
                return log_struct(LOG_ERR, EINVAL, &config_refused,
                                  "New configuration refused (%s; restart to apply); the running one stays.", why);
        }
        r = config_build_trustlist(c, (int64_t) time(NULL), &tl, ret_errors, &notes);
        log_config_errors(notes); /* certificates skipped in a list that loaded */
        if (r != 0 && c->dcc.n_trust_list > 0) {
                log_config_errors(*ret_errors);
                config_free(c);
                keystore_free(ks);
                trustlist_free(tl);
                audit_reload(m, "the EU DCC trust list cannot be loaded");
                return log_struct(LOG_ERR, r < 0 ? r : EINVAL, &config_refused,
                                  "New EU DCC trust list refused; the running configuration stays.");
        }
        free(*ret_errors);
        *ret_errors = NULL;
        /* A barcode allow-list that cannot be read refuses the reload, like a key file: the
         * running lists stay in force. */
        BarcodeAllow *lists[CONFIG_MAX_ITEMS] = {};
        r = barcode_allow_load_all(c, lists, ret_errors);
        if (r != 0) {
                log_config_errors(*ret_errors);
                for (size_t i = 0; i < c->n_doors; i++)
                        barcode_allow_free(lists[i]);
                config_free(c);
                keystore_free(ks);
                trustlist_free(tl);
                audit_reload(m, "a barcode allow-list cannot be loaded");
                return log_struct(LOG_ERR, r < 0 ? r : EINVAL, &config_refused,
                                  "New barcode allow-list refused; the running configuration stays.");
        }
        /* Before anything is replaced: a table that cannot be made leaves the running configuration. */
        r = manager_rate_limits_apply(m, c);
        if (r < 0) {
                for (size_t i = 0; i < c->n_doors; i++)
                        barcode_allow_free(lists[i]);
                config_free(c);
                keystore_free(ks);
                trustlist_free(tl);
                audit_reload(m, "the rate limits' tables cannot be made");
                return log_struct(LOG_ERR, r, &config_refused, "New configuration refused: cannot make its rate "
                                  "limits' tables (%m); the running one stays.");
        }
        if (c->dcc.n_trust_list == 0) {
                trustlist_free(tl);
                tl = NULL;
        }

        config_free(m->config);
        keystore_free(m->keys);
        m->config = c;
        m->keys = ks;
        m->verifier.keys = ks;
        m->verifier.max_lifetime = c->max_lifetime;
        m->verifier.card_max_lifetime = c->card_max_lifetime;
        m->verifier.clock_skew = c->clock_skew;
        manager_apply_dcc_trust(m, tl);
        manager_apply_barcode_allow(m, lists);
        /* The folder again, with the new keys (a list in force stays, verified when it came). */
        manager_denylist_reload(m);
        /* Every key and trust-list path was read, or the reload would have been refused: what the
         * daemon started without is there now. */
        free(m->key_faults);
        free(m->trust_faults);
        free(m->barcode_faults);
        m->key_faults = m->trust_faults = m->barcode_faults = NULL;
        bus_auth_resolve_groups(m);
        /* A changed time zone (timedatectl set-timezone) is taken up with the schedules. */
        tzset();
        for (size_t i = 0; i < m->n_doors; i++)
                (void) door_schedule_arm(m->doors[i]);
        for (size_t i = 0; i < m->n_areas; i++) {
                (void) area_arm_reset(m->areas[i]);
                if (m->bus)
                        (void) sd_bus_emit_properties_changed(m->bus, m->areas[i]->object_path, BUS_AREA_IFACE,
                                                              "Capacity", "Passback", NULL);
        }
        if (m->bus)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "DccTrustListKeys",
                                                      "DccTrustListAge", "ClockUntrusted", NULL);
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_CONFIG_RELOADED), "Configuration reloaded: %zu issuer keys.",
                   keystore_size(ks));
        audit_reload(m, NULL);
        return 0;
}

int manager_reload(Manager *m, char **ret_errors) {
        struct timespec ts;
        int r;

        /* sd_notify(3): RELOADING=1 with the CLOCK_MONOTONIC time the reload began, then READY=1
         * once it is over, applied or refused (the daemon runs on either way), so systemd shows
         * the unit "reloading" for exactly that long. There is no "RELOADING=0". */
        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        (void) sd_notifyf(false, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
                          (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u);
        r = reload(m, ret_errors);
        manager_update_state(m); /* STATUS= (the key count, or faults the reload cleared) */
        (void) sd_notify(false, "READY=1");
        return r;
}
