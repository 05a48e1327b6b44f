/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "core/string-table.h"
#include "daemon/area.h"
#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/clock.h"
#include "daemon/denylist.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/lock-record.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/private-dir.h"
#include "daemon/publish.h"
#include "daemon/rate-limit.h"
#include "daemon/reload.h"
#include "daemon/safe-state.h"
#include "daemon/source.h"
#include "daemon/subject-key.h"

static const char *const manager_state_table[_MANAGER_STATE_MAX] = {
        [MANAGER_STARTING] = "starting",
        [MANAGER_RUNNING] = "running",
        [MANAGER_DEGRADED] = "degraded",
        [MANAGER_STOPPING] = "stopping",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(manager_state, ManagerState);

int manager_new(const char *config_path, const char *bus_address, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(Manager));
        _cleanup_(freep) char *errors = NULL;
        int r;

        if (!m)
                return log_oom();
        m->state_fd = m->state_lock_fd = m->runtime_fd = m->runtime_lock_fd = -EBADF;
        m->config_path = strdup(config_path);
        m->bus_address = strdup(bus_address);
        if (!m->config_path || !m->bus_address)
                return log_oom();

        r = config_load(config_path, &m->config, &errors);
        if (r < 0) {
                log_config_errors(errors);
                return log_error_errno(r, "Configuration %s is not valid; not starting.", config_path);
        }
        /* Schedules are wall-clock times of the system's zone (/etc/localtime or TZ), which
         * localtime_r() reads only when tzset() asks it to: here, and at every reload. */
        tzset();
        /* A key file that is missing makes its issuer's codes unknown, not the gate stop: a site
         * whose other issuers' codes work, and which says what is missing, is what an operator
         * expects. (A reload still refuses such a file: there is a running configuration to keep.) */
        r = config_build_keystore(m->config, &m->keys, &m->key_faults);
        if (r < 0)
                return log_oom();
        if (r > 0) {
                log_config_errors(m->key_faults);
                log_error("%d issuer key%s cannot be read: running without %s; codes signed with %s are refused "
                          "(unknown-issuer).", r, r == 1 ? "" : "s", r == 1 ? "it" : "them", r == 1 ? "it" : "them");
        }

        const char *dir = m->config->state_directory ?: getenv("STATE_DIRECTORY") ?: "/var/lib/qrgate";
        /* systemd may pass several directories separated by ':'; ours is the first. */
        m->state_directory = strndup(dir, strcspn(dir, ":"));
        if (!m->state_directory)
                return log_oom();

        m->verifier = (Verifier) {
                .keys = m->keys,
                .max_lifetime = m->config->max_lifetime,
                .card_max_lifetime = m->config->card_max_lifetime,
                .clock_skew = m->config->clock_skew,
        };
        bus_auth_resolve_groups(m);

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Cannot create the event loop: %m");
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        manager_clock_stop(m);
        for (size_t i = 0; i < m->n_sources; i++)
                source_free(m->sources[i]); /* NULL for one that could not be opened */
        /* Closing a lock drives its safe state: this is the daemon's clean-stop guarantee, for the
         * doors' lights and buzzers (off) as for the locks. */
        bool all_safe = true;
        for (size_t i = 0; i < m->n_doors; i++) {
                if (door_feedback_close(m->doors[i]) < 0)
                        all_safe = false;
                door_free(m->doors[i]);
        }
        manager_free_areas(m);
        for (size_t i = 0; i < m->n_locks; i++) {
                if (!m->locks[i]) /* never opened: nothing to drive */
                        continue;
                _cleanup_(freep) char *id = strdup(m->locks[i]->id);
                LockSafeState safe = m->locks[i]->safe_state;
                int r = lock_close(m->locks[i]);
                if (r < 0) {
                        all_safe = false;
                        log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_NOT_SAFE, .lock = id),
                                   "Lock %s: cannot drive the safe state: %m", id ?: "?");
                } else
                        log_info("Lock %s: %s (safe state).", id ?: "?", lock_safe_state_to_string(safe));
        }
        /* The record of held lines goes once they are all safe; otherwise it stays for the
         * unit's ExecStopPost to try again. */
        if (m->lock_record_written && all_safe) {
                int r = lock_record_remove(m->runtime_fd);
                if (r < 0)
                        log_warning_errno(r, "Cannot remove the record of held lock lines: %m");
        }
        closep(&m->runtime_lock_fd);
        closep(&m->runtime_fd);
        /* Records what a clean stop did not (STOP, pending pseudonyms), syncs, and lets go of the
         * token, so it goes before the token. */
        m->audit = audit_free(m->audit);
        /* The token goes first: its worker may still call back into pending decisions. */
        token_service_free(m->token);
        publish_drop_pending(m);
        bus_lending_drop_pending(m);
        subject_key_free(m->subject_key);
        manager_rate_limits_free(m);
        trustlist_free(m->dcc_trust);
        sd_event_source_disable_unref(m->dcc_trust_timer);
        manager_denylist_close(m);
        sd_bus_flush_close_unref(m->bus);
        sd_event_unref(m->event);
        replay_cache_free(m->replay);
        keystore_free(m->keys);
        config_free(m->config);
        closep(&m->state_lock_fd);
        closep(&m->state_fd);
        free(m->state_directory);
        free(m->status);
        free(m->key_faults);
        free(m->trust_faults);
        free(m->barcode_faults);
        free(m->token_fault);
        free(m->lend_failure);
        free(m->config_path);
        free(m->bus_address);
        free(m);
        return NULL;
}

bool manager_openings_refused(Manager *m) {
        return m->audit && audit_refuses_openings(m->audit);
}

Door *manager_find_door(Manager *m, const char *id) {
        for (size_t i = 0; i < m->n_doors; i++)
                if (strcmp(m->doors[i]->id, id) == 0)
                        return m->doors[i];
        return NULL;
}

/* The state directory holds what must not be forged or shared: the replay cache and the audit
 * log. It must be ours alone, and one daemon at a time: a second instance with the same
 * configuration would append to the first one's log and drive its locks. This comes before
 * anything is touched. */
static int open_state_directory(Manager *m) {
        m->state_fd = private_dir_open(m->state_directory, 0700, geteuid());
        if (m->state_fd < 0)
                return log_error_errno(m->state_fd, "State directory %s cannot be used: %s.", m->state_directory,
                                       private_dir_strerror(m->state_fd));
        m->state_lock_fd = private_dir_lock(m->state_fd, "qrgated.lock");
        if (m->state_lock_fd == -EBUSY)
                return log_error_errno(EBUSY, "Another qrgated is running with the state directory %s; not starting "
                                       "(no lock or log was touched).", m->state_directory);
        if (m->state_lock_fd < 0)
                return log_error_errno(m->state_lock_fd, "Cannot lock the state directory %s: %s.", m->state_directory,
                                       private_dir_strerror(m->state_lock_fd));
        return 0;
}

/* Before the first lock is opened: the record of the lines we are about to hold, so that the
 * safety net (qrgated --safe-state) finds exactly those after a crash, whatever the
 * configuration file says by then. A record an earlier run left (killed, and nothing ran its
 * ExecStopPost) is made safe first: its lines may not be the ones configured now. */
static int record_locks(Manager *m) {
        const char *dir = safe_state_runtime_directory();
        LockConfig locks[CONFIG_MAX_OUTPUTS];
        size_t n;
        int r;

        m->runtime_fd = private_dir_open(dir, 0700, geteuid());
        if (m->runtime_fd < 0)
                return log_error_errno(m->runtime_fd, "Runtime directory %s cannot be used: %s.", dir,
                                       private_dir_strerror(m->runtime_fd));
        m->runtime_lock_fd = private_dir_lock(m->runtime_fd, LOCK_RECORD_LOCK);
        if (m->runtime_lock_fd == -EBUSY)
                return log_error_errno(EBUSY, "Another qrgated holds the lock lines recorded in %s; not starting.", dir);
        if (m->runtime_lock_fd < 0)
                return log_error_errno(m->runtime_lock_fd, "Cannot lock %s/%s: %s.", dir, LOCK_RECORD_LOCK,
                                       private_dir_strerror(m->runtime_lock_fd));
        r = safe_state_drive_record(m->runtime_fd, false, NULL);
        if (r < 0)
                log_warning_errno(r, "Not every lock line of an earlier run could be made safe: %m");

        /* Every output line: the locks, and the doors' lights and buzzers (off after a crash too). */
        n = config_output_lines(m->config, locks);
        r = lock_record_write(m->runtime_fd, locks, n);
        if (r < 0)
                return log_error_errno(r, "Cannot record the lock lines in %s (the safety net after a crash needs it): %m",
                                       dir);
        m->lock_record_written = true;
        return 0;
}

static int open_replay_cache(Manager *m) {
        int r;

        r = replay_cache_new(m->config->replay_capacity, &m->replay);
        if (r < 0)
                return log_error_errno(r, "Cannot allocate the replay cache: %m");
        r = replay_cache_attach_file(m->replay, m->state_fd, "replay", (int64_t) time(NULL));
        if (r == -EBADMSG) {
                /* Not ours: keep it for inspection, start a new one, and say so. */
                log_warning("Replay cache %s/replay is not in the expected format; moved to replay.corrupt. Codes used "
                            "before now may be accepted once more until they expire.", m->state_directory);
                if (renameat(m->state_fd, "replay", m->state_fd, "replay.corrupt") < 0)
                        return log_error_errno(errno, "Cannot move %s/replay aside: %m", m->state_directory);
                r = replay_cache_attach_file(m->replay, m->state_fd, "replay", (int64_t) time(NULL));
        }
        if (r < 0)
                return log_error_errno(r, "Cannot open the replay cache %s/replay: %s", m->state_directory,
                                       r == -ELOOP ? "it is a symbolic link" : r == -EBADFD ? "it is not a regular file" : strerror(-r));
        m->verifier.replay = m->replay;
        log_debug("Replay cache %s/replay: %zu codes remembered.", m->state_directory,
                  replay_cache_count(m->replay, (int64_t) time(NULL)));
        return 0;
}

static void on_audit_stopped(Audit *a, void *userdata) {
        Manager *m = userdata;
        (void) sd_event_exit(m->event, 0);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;

        if (si->ssi_signo == SIGHUP) {
                _cleanup_(freep) char *errors = NULL;
                (void) manager_reload(m, &errors);
                return 0;
        }
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_STOPPING), "Received %s, stopping.",
                   strsignal((int) si->ssi_signo));
        if (m->state == MANAGER_STOPPING) /* a second signal: wait no longer for the token */
                return sd_event_exit(sd_event_source_get_event(s), 0);
        m->state = MANAGER_STOPPING;
        (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
        /* The audit log closes with a checkpoint the token signs; the loop runs on until it has
         * (seconds at most), then on_audit_stopped() ends it. */
        if (m->audit && audit_stop(m->audit, on_audit_stopped, m) > 0)
                return 0;
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static void on_token_state(TokenService *s, TokenState state, const char *reason, void *userdata) {
        Manager *m = userdata;
        LogFields fields = { .token_state = token_state_to_string(state) };
        /* The service gives "" as the reason of "present" (pkcs11/token.h): no text, no brackets. */
        const char *why = reason && *reason ? reason : NULL;

        if (state == TOKEN_STATE_PRESENT) {
                fields.message_id = QRGATE_MESSAGE_TOKEN_PRESENT;
                log_struct(LOG_INFO, 0, &fields, "Token: present (%s).", why ?: "logged in");
        } else if (token_state_is_alarm(state)) {
                /* A PIN problem needs a person: the service will not try again on its own. */
                fields.message_id = QRGATE_MESSAGE_TOKEN_PIN;
                log_struct(LOG_ALERT, 0, &fields, "Token: %s%s%s. Pseudonyms and signatures are unavailable until an "
                           "operator fixes the PIN.", token_state_to_string(state), why ? ": " : "", why ?: "");
        } else {
                fields.message_id = state == TOKEN_STATE_ABSENT ? QRGATE_MESSAGE_TOKEN_ABSENT : NULL;
                log_struct(LOG_WARNING, 0, &fields, "Token: %s%s%s.", token_state_to_string(state), why ? ": " : "",
                           why ?: "");
        }
        if (m->bus)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "TokenPresent", "TokenState", NULL);
        if (m->audit)
                (void) audit_log_token(m->audit, token_state_to_string(state), reason);
        manager_update_state(m);
}

static int open_token(Manager *m) {
        const TokenConf *t = &m->config->token;
        const char *reason = NULL;
        int r;

        if (!t->enabled) {
                log_notice("No token configured: decisions are published without subject pseudonyms.");
                return 0;
        }
        TokenConfig tc = {
                .module = t->module,
                .token_uri = t->uri,
                .sign_key = t->sign_key,
                .hmac_key = t->hmac_key,
                .pin_credential = t->pin_credential,
                .pin_file = t->pin_file,
        };
        /* A label names a kind of card, not this appliance's card: say so every start. */
        if (token_uri_pins_token(t->uri) == 0)
                log_warning("Token URI \"%s\" names no serial number: any token with that label is accepted as this "
                            "appliance's own. Add ;serial=... (qrgatectl token info shows it; docs/token.md).", t->uri);
        r = token_service_new(m->event, &tc, &m->token, &reason);
        if (r < 0) {
                /* Like a token pulled out, but for good: decisions go on without pseudonyms and the
                 * audit log without signatures, the gate says why, and a restart tries again once
                 * it is fixed (a PIN credential comes with the start). */
                m->token_fault = strdup(reason ?: strerror(-r));
                if (!m->token_fault)
                        return log_oom();
                log_struct(LOG_ERR, r, LOG_FIELDS(.token_state = "unavailable"),
                           "Token: cannot start the token service: %s. Running without the token: no pseudonyms, no "
                           "signed checkpoints; restart qrgated once that is fixed.", m->token_fault);
                return 0;
        }
        token_service_set_state_handler(m->token, on_token_state, m);
        return 0;
}

static void on_audit_state(Audit *a, bool failing, void *userdata) {
        manager_update_state(userdata);
}

static int open_audit(Manager *m) {
        int r;

        r = audit_open(m->event, m->state_directory, &m->config->audit, &m->audit);
        if (r < 0)
                return r;
        audit_set_state_handler(m->audit, on_audit_state, m);
        audit_set_token(m->audit, m->token);
        if (!m->token)
                log_warning("Audit log: no token%s; records carry no pseudonyms and no checkpoint signs them.",
                            m->token_fault ? "" : " configured");
        (void) audit_log_start(m->audit, m->config_path);
        return 0;
}

int manager_open(Manager *m) {
        TrustList *tl;
        int r;

        r = open_state_directory(m);
        if (r < 0)
                return r;
        manager_clock_open(m);
        r = open_replay_cache(m);
        if (r < 0)
                return r;
        r = open_token(m);
        if (r < 0)
                return r;
        r = manager_open_subject_key(m);
        if (r < 0)
                return r;
        r = manager_rate_limits_apply(m, m->config);
        if (r < 0)
                return log_error_errno(r, "Cannot make the rate limits' tables: %m");
        r = open_audit(m);
        if (r < 0)
                return r;
        r = manager_load_dcc_trust(m, m->config, &tl, &m->trust_faults);
        if (r < 0)
                return r;
        manager_apply_dcc_trust(m, tl);
        r = manager_open_areas(m);
        r = manager_denylist_open(m);
        if (r < 0)
                return r;

        r = record_locks(m);
        if (r < 0)
                return r;
        /* A lock that cannot be opened (the GPIO line is not there) puts its doors out of service
         * rather than the gate: the others work, and the fault says which line is missing. It
         * never opens: there is nothing we could drive. */
        for (size_t i = 0; i < m->config->n_locks; i++) {
                const LockConfig *lc = &m->config->locks[i].hal;
                r = lock_new(lc, &m->locks[i]);
                m->n_locks++;
                if (r == -ENOMEM)
                        return log_oom();
                if (r < 0) {
                        m->lock_errors[i] = r;
                        log_struct(LOG_ERR, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LOCK_FAULT, .lock = lc->id),
                                   "Lock %s: cannot open %s backend%s%s: %m; its doors are out of service until "
                                   "qrgated is restarted with the line there.", lc->id, lc->backend,
                                   lc->line_name ? " line " : "", lc->line_name ?: "");
                        continue;
                }
                log_info("Lock %s: %s backend, %s.", lc->id, lc->backend, lock_safe_state_to_string(lc->safe_state));
        }
        for (size_t i = 0; i < m->config->n_doors; i++) {
                const DoorConf *dc = &m->config->doors[i];
                /* A door without a lock (a lending station's) gets none: nothing can ever unlock it. */
                r = door_new(m, dc->id, dc->lock ? m->locks[dc->lock_index] : NULL, &m->doors[m->n_doors]);
                if (r < 0)
                        return log_oom();
                m->doors[m->n_doors]->no_lock = !dc->lock;
                m->n_doors++;
                r = door_io_open(m->doors[i], dc);
                if (r < 0)
                        return log_oom();
                r = door_feedback_open(m->doors[i], dc);
                if (r < 0)
                        return log_oom();
                /* A fail-safe lock was opened in its safe (unlocked) state; while we run, doors rest locked. */
                door_relock(m->doors[i]);
        }
        return manager_open_barcode_allow(m);
}

int manager_start(Manager *m) {
        sigset_t mask;
        int r;

        r = manager_open(m);
        if (r < 0)
                return r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(errno, "Cannot block signals: %m");
        for (int sig = SIGHUP; sig <= SIGTERM; sig++) {
                if (!sigismember(&mask, sig))
                        continue;
                r = sd_event_add_signal(m->event, NULL, sig, on_signal, m);
                if (r < 0)
                        return log_error_errno(r, "Cannot watch signal %d: %m", sig);
        }
        (void) sd_event_set_watchdog(m->event, true);

        r = bus_setup(m);
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_doors; i++)
                (void) door_schedule_arm(m->doors[i]);
        r = manager_clock_start(m);
        if (r < 0)
                return r;

        /* A source that cannot be opened is not read; the others are (source_new() logs why). */
        for (size_t i = 0; i < m->config->n_sources; i++) {
                r = source_new(m, &m->config->sources[i], &m->sources[i]);
                m->n_sources++;
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        m->source_errors[i] = r;
        }

        m->state = MANAGER_RUNNING;
        manager_update_state(m); /* STATUS=, before READY=1 */
        (void) sd_notify(false, "READY=1");
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_STARTED), "qrgated running: %zu doors, %zu issuer keys, bus %s.",
                   m->n_doors, keystore_size(m->keys), m->bus_address);
        manager_log_degraded_start(m);
        return 0;
}

int manager_run(Manager *m) {
        return sd_event_loop(m->event);
}
