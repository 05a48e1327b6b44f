/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The station's events in the lending service: what qrgated hands over, the kiosk's buttons, the
 * ILS thread's answers and the clock go into the session (lending/station.h), and what it says
 * to do is carried out here: ask the ILS, queue a transaction, show a refusal, make a receipt.
 * Patron ids never reach the journal or the audit log from here: only item ids and pseudonyms. */

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/log.h"
#include "lendd/lendd.h"
#include "lending/sip2.h"

/* A session without a pseudonym — returns, which have no patron — names the patron on its
 * receipt as this one byte (docs/lending.md). Without a token there is no receipt anyway: qrgated
 * cannot sign one. */
static const uint8_t no_patron[1] = { 0 };

static int64_t now_s(void) {
        return (int64_t) time(NULL);
}

static LendKind lend_kind(ReceiptKind k) {
        return k == RECEIPT_CHECKIN ? LEND_CHECKIN : k == RECEIPT_RENEW ? LEND_RENEW : LEND_CHECKOUT;
}

static const char *kind_word(LendKind k) {
        return lend_kind_to_string(k);
}

static void arm_retry(Lendd *l, uint64_t after_usec);

static void changed_all(Lendd *l) {
        lendd_bus_changed(l, "State", "Online", "PatronName", "Fines", "Charged", "Limit", "MayBorrow", "Items",
                          "Mode", NULL);
}

static Awaited *awaited_find(Lendd *l, uint64_t cookie, uint64_t id) {
        for (size_t i = 0; i < l->n_awaited; i++)
                if ((cookie && l->awaited[i].cookie == cookie) || (id && l->awaited[i].id == id))
                        return &l->awaited[i];
        return NULL;
}

static void awaited_drop(Lendd *l, Awaited *a) {
        size_t i = (size_t) (a - l->awaited);

        memmove(a, a + 1, (l->n_awaited - i - 1) * sizeof(*a));
        l->n_awaited--;
}

/* The receipt of the last finished session once no item of it waits for the ILS. */
static void try_receipt(Lendd *l) {
        Receipt rc;
        int r;

        if (!l->receipt_wanted)
                return;
        r = l->last_pseudonym_len > 0 ? station_receipt(l->station, l->last_pseudonym, l->last_pseudonym_len, &rc) :
                                        station_receipt(l->station, no_patron, sizeof(no_patron), &rc);
        if (r == -EBUSY)
                return; /* again when the last item's answer comes */
        l->receipt_wanted = false;
        if (r == -ENODATA) { /* a session without items gives no receipt */
                lendd_bus_emit_finished(l, l->last_end, "");
                return;
        }
        if (r >= 0)
                r = lendd_bus_sign_receipt(l, &rc);
        if (r < 0) {
                /* rc is not filled when station_receipt() failed: the session is named by how it ended. */
                snprintf(l->receipt_fault, sizeof(l->receipt_fault), "no receipt for the session that ended (%s): %s",
                         l->last_end, strerror(-r));
                log_warning("Receipt: %s", l->receipt_fault);
                lendd_bus_emit_finished(l, l->last_end, "");
                lendd_bus_changed(l, "ServiceState", "Faults", NULL);
        }
}

static void session_finished(Lendd *l, const StationSummary *s) {
        memcpy(l->last_pseudonym, l->pseudonym, l->pseudonym_len);
        l->last_pseudonym_len = l->pseudonym_len;
        snprintf(l->last_end, sizeof(l->last_end), "%s", station_end_to_string(s->end));
        l->receipt_wanted = true;
        l->renew_mode = false;
        log_info("Session ended (%s): %zu ok, %zu refused, %zu awaiting the ILS.", l->last_end, s->n_ok,
                 s->n_refused, s->n_pending);
        try_receipt(l);
}

static void post(Lendd *l, const IlsJob *job) {
        int r = ils_worker_post(l->worker, job);
        if (r < 0)
                log_error_errno(r, "Cannot hand a job to the ILS thread: %m");
}

/* Carries out what the station said; a session the event ended is finished first, with the
 * pseudonym of its own patron (callers change l->pseudonym only after this). */
static void handle(Lendd *l, const StationAction *a) {
        if (a->finished)
                session_finished(l, &a->summary);

        switch (a->what) {
        case STATION_DO_NOTHING:
                break;
        case STATION_DO_ASK_PATRON: {
                IlsJob job = { .kind = ILS_JOB_PATRON, .cookie = ++l->next_cookie, .time = now_s() };
                snprintf(job.patron, sizeof(job.patron), "%s", a->patron);
                post(l, &job);
                break;
        }
        case STATION_DO_SEND:
        case STATION_DO_QUEUE: {
                IlsJob job = { .kind = ILS_JOB_TX, .cookie = ++l->next_cookie, .tx = lend_kind(a->tx), .time = now_s() };
                Awaited *w;

                if (l->n_awaited == LENDD_AWAITED_MAX) { /* cannot happen: a session holds at most as many */
                        (void) station_item_result(l->station, a->item, false, 0, "the station is busy; scan it again",
                                                   now_s());
                        break;
                }
                w = &l->awaited[l->n_awaited++];
                *w = (Awaited) { .cookie = job.cookie, .kind = job.tx, .queue_only = a->what == STATION_DO_QUEUE,
                                 .offline_due = a->due };
                snprintf(w->item, sizeof(w->item), "%s", a->item);
                memcpy(w->pseudonym, l->pseudonym, l->pseudonym_len);
                w->pseudonym_len = l->pseudonym_len;
                snprintf(job.patron, sizeof(job.patron), "%s", a->patron);
                snprintf(job.item, sizeof(job.item), "%s", a->item);
                snprintf(job.station, sizeof(job.station), "%s", l->config->station.id);
                post(l, &job);
                lendd_bus_emit_item(l, kind_word(job.tx), a->item, "pending", 0, "");
                break;
        }
        case STATION_DO_REFUSE:
                log_info("Refused: %s: %s", station_refusal_to_string(a->refusal), a->detail);
                lendd_bus_emit_refused(l, station_refusal_to_string(a->refusal), a->detail);
                lendd_bus_record(l, "refusal", a->item, station_refusal_to_string(a->refusal), a->detail, l->pseudonym,
                                 l->pseudonym_len);
                break;
        case _STATION_DO_MAX:
                break;
        }
        changed_all(l);
}

void lendd_patron_verified(Lendd *l, const char *patron, const uint8_t *pseudonym, size_t pseudonym_len) {
        StationAction a;
        int r;

        r = station_patron_verified(l->station, patron, now_s(), &a);
        if (r < 0) {
                log_warning_errno(r, "qrgated handed over a patron id the station cannot use: %m");
                return;
        }
        /* A session this ends is receipted with its own patron's pseudonym, so handle() first. */
        handle(l, &a);
        memcpy(l->pseudonym, pseudonym, pseudonym_len);
        l->pseudonym_len = pseudonym_len;
        l->renew_mode = false;
}

void lendd_item_scanned(Lendd *l, const char *text) {
        StationAction a;
        int r;

        r = l->renew_mode ? station_renew_scanned(l->station, text, now_s(), &a) :
                            station_item_scanned(l->station, text, now_s(), &a);
        if (r < 0) {
                log_warning_errno(r, "A scan the station cannot take: %m");
                return;
        }
        handle(l, &a);
}

int lendd_finish(Lendd *l, bool cancel) {
        StationAction a;
        int r;

        r = cancel ? station_cancel(l->station, now_s(), &a) : station_finish(l->station, now_s(), &a);
        if (r < 0)
                return r;
        session_finished(l, &a.summary);
        changed_all(l);
        return 0;
}

int lendd_begin_returns(Lendd *l) {
        StationAction a;
        int r;

        r = station_returns_begin(l->station, now_s(), &a);
        if (r < 0)
                return r;
        handle(l, &a);
        l->pseudonym_len = 0; /* returns have no patron */
        return 0;
}

int lendd_begin_renewals(Lendd *l) {
        if (station_state(l->station) != STATION_READY)
                return -ENOENT;
        l->renew_mode = true;
        lendd_bus_changed(l, "Mode", NULL);
        return 0;
}

/* An item's answer from the ILS (or the queue's acceptance), to the session and the screen. */
static void item_result(Lendd *l, Awaited *w, bool ok, int64_t due, const char *outcome, const char *words) {
        int r;

        r = station_item_result(l->station, w->item, ok, due, words, now_s());
        if (r < 0 && r != -ENOENT)
                log_warning_errno(r, "The result for item %s does not fit the session: %m", w->item);
        log_info("%s of item %s: %s%s%s", kind_word(w->kind), w->item, outcome, words && words[0] ? ": " : "",
                 words ?: "");
        lendd_bus_emit_item(l, kind_word(w->kind), w->item, outcome, ok ? due : 0, words ?: "");
        lendd_bus_record(l, kind_word(w->kind), w->item, outcome, words ?: "", w->pseudonym, w->pseudonym_len);
        awaited_drop(l, w);
        try_receipt(l);
}

static void on_settled(Lendd *l, const LendReplayStep *s) {
        bool ok = s->outcome == LEND_OUTCOME_OK;
        Awaited *w = awaited_find(l, 0, s->id);
        int64_t due = 0;

        if (!w || w->queue_only) {
                /* A transaction queued earlier (offline, or before a restart) reached the ILS. */
                log_info("Replayed %s of item %s made at %" PRId64 ": %s (%s%s)%s%s", kind_word(s->kind), s->item,
                         s->time, lend_outcome_to_string(s->outcome), lend_replay_action_to_string(s->action),
                         s->forwarded ? ", store and forward" : "", s->text[0] ? ": " : "", s->text);
                lendd_bus_record(l, kind_word(s->kind), s->item, ok ? "ok" : "refused",
                                 s->uncertain ? "replayed; uncertain, see the ILS" : "replayed", NULL, 0);
                return;
        }
        if (ok && w->kind != LEND_CHECKIN && sip2_parse_date(s->due, &due) < 0) {
                /* The loan is made; the ILS wrote its due date in a way SIP2 does not define. */
                due = now_s() + l->config->station.offline_loan_s;
                log_warning("The ILS's due date '%s' for item %s is no SIP2 date; the receipt shows %" PRId64 ".",
                            s->due, s->item, due);
        }
        item_result(l, w, ok, due, ok ? "ok" : "refused", ok ? "" : s->text);
}

/* The ILS went away while items of the session were sent: they are in the queue on disk and will
 * be sent in order when it is back, so for the patron they are lent as if offline. */
static void awaited_to_queued(Lendd *l) {
        for (size_t i = 0; i < l->n_awaited;) {
                Awaited *w = &l->awaited[i];
                if (w->id == 0 || w->queue_only) {
                        i++;
                        continue;
                }
                (void) station_item_queued(l->station, w->item);
                item_result(l, w, true, w->kind == LEND_CHECKIN ? 0 : now_s() + l->config->station.offline_loan_s,
                            "queued", "the library's system did not answer: sent when it is back");
        }
}

void lendd_worker_reply(Lendd *l, const IlsReply *r) {
        StationAction a;
        Awaited *w;

        switch (r->kind) {
        case ILS_REPLY_PATRON: {
                StationPatronStatus ps = {
                        .patron = r->patron.patron, .valid = r->patron.valid, .charge_denied = r->patron.charge_denied,
                        .charged = r->patron.charged, .limit = r->patron.limit, .fines = r->patron.fines,
                        .screen_name = r->patron.name,
                };
                if (station_patron_status(l->station, &ps, now_s(), &a) >= 0)
                        handle(l, &a);
                break;
        }
        case ILS_REPLY_QUEUED:
                w = awaited_find(l, r->cookie, 0);
                if (!w)
                        break;
                if (r->error < 0) {
                        log_error_errno(r->error, "Cannot write the %s of item %s to the queue: %m", kind_word(w->kind),
                                        w->item);
                        item_result(l, w, false, 0, "refused",
                                    r->error == -ENOSPC ? "the station's queue is full: please see the desk"
                                                        : "the station cannot record it: please see the desk");
                        break;
                }
                w->id = r->step.id;
                if (w->queue_only)
                        item_result(l, w, true, w->kind == LEND_CHECKIN ? 0 : w->offline_due, "queued",
                                    "the library's system is offline: sent when it is back");
                break;
        case ILS_REPLY_SETTLED:
                on_settled(l, &r->step);
                break;
        case ILS_REPLY_ONLINE:
                if (!l->online || l->ils_fault[0] || l->stuck[0]) {
                        if (!l->online)
                                log_info(l->ils_seen ? "The ILS answers again." : "The ILS answers.");
                        l->ils_seen = true;
                        l->online = true;
                        l->ils_fault[0] = l->stuck[0] = '\0';
                        station_ils_online(l->station);
                        lendd_bus_changed(l, "Online", "ServiceState", "Faults", NULL);
                }
                break;
        case ILS_REPLY_OFFLINE:
        case ILS_REPLY_STUCK:
                if (r->kind == ILS_REPLY_STUCK) {
                        if (strcmp(l->stuck, r->detail) != 0)
                                log_error("The ILS cannot be used until someone acts: %s", r->detail);
                        snprintf(l->stuck, sizeof(l->stuck), "%s", r->detail);
                } else if (l->online || strcmp(l->ils_fault, r->detail) != 0)
                        log_warning("The ILS cannot be reached: %s", r->detail);
                l->online = false;
                snprintf(l->ils_fault, sizeof(l->ils_fault), "%s", r->detail);
                if (station_ils_offline(l->station, now_s(), &a) >= 0)
                        handle(l, &a);
                awaited_to_queued(l);
                arm_retry(l, r->kind == ILS_REPLY_STUCK ? 60 * 1000000ULL : 5 * 1000000ULL);
                lendd_bus_changed(l, "Online", "ServiceState", "Faults", NULL);
                break;
        }
        if (r->queue_length != l->queue_length || r->queue_oldest != l->queue_oldest) {
                l->queue_length = r->queue_length;
                l->queue_oldest = r->queue_oldest;
                lendd_bus_changed(l, "QueueLength", "QueueOldest", "ServiceState", "Faults", NULL);
        }
        /* Queued transactions wait for the ILS: keep trying while any are left. */
        if (l->queue_length > 0 && l->online && ils_worker_busy(l->worker) == 0)
                arm_retry(l, 5 * 1000000ULL);
}

void lendd_tick(Lendd *l) {
        StationState before = station_state(l->station);
        StationAction a;

        if (station_tick(l->station, now_s(), &a) >= 0 && (a.finished || station_state(l->station) != before))
                handle(l, &a);
}

void lendd_retry_ils(Lendd *l) {
        if (ils_worker_busy(l->worker) == 0)
                post(l, &(IlsJob) { .kind = ILS_JOB_DRAIN });
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        lendd_retry_ils(userdata);
        return 0;
}

static void arm_retry(Lendd *l, uint64_t after_usec) {
        uint64_t now;

        (void) sd_event_now(l->event, CLOCK_MONOTONIC, &now);
        if (l->retry) {
                (void) sd_event_source_set_time(l->retry, now + after_usec);
                (void) sd_event_source_set_enabled(l->retry, SD_EVENT_ONESHOT);
                return;
        }
        if (sd_event_add_time(l->event, &l->retry, CLOCK_MONOTONIC, now + after_usec, 100000, on_retry, l) < 0)
                log_warning("Cannot arm the ILS's retry timer; queued transactions wait for the next one.");
}
