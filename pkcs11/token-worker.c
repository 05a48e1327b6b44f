/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkcs11/token-service-private.h"

/* The worker thread: the only thread that talks to the token (besides the slot event watcher,
 * which only waits). It owns the session, the login and the key handles, runs queued requests
 * one at a time, and moves the service between present, absent and the PIN alarm states.
 *
 * PKCS#11 calls may block for as long as the token likes (a smartcard signature takes 50 ms to
 * a second); nothing here ever runs on the event loop thread. */

#define RETRY_ATTEMPTS 3U
#define WATCHER_JOIN_USEC (2U * 1000U * 1000U)
#define SELF_TEST_MESSAGE "qrgate token self-test: the public key object matches the device key"

static uint64_t add_usec(uint64_t a, uint64_t b) {
        return b >= UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Posts a state change to the loop when the state or its reason changed. Takes ownership of
 * pubkey. */
static void worker_set_state(TokenService *s, TokenState state, const char *reason, uint8_t *pubkey, size_t pubkey_size) {
        TokenItem *item;

        if (state == s->w_state && strcmp(reason, s->w_reason) == 0 && !pubkey)
                return;
        if (state != TOKEN_STATE_PRESENT && s->w_state == TOKEN_STATE_PRESENT)
                s->w_absent_since = token_now_usec();
        s->w_state = state;
        (void) snprintf(s->w_reason, sizeof(s->w_reason), "%s", reason);

        item = calloc(1, sizeof(TokenItem));
        if (!item) {
                /* The loop keeps the previous state; the next change will try again. */
                free(pubkey);
                s->w_reason[0] = 0;
                return;
        }
        item->kind = TOKEN_ITEM_STATE;
        item->state = state;
        (void) snprintf(item->reason, sizeof(item->reason), "%s", reason);
        item->pubkey = pubkey;
        item->pubkey_size = pubkey_size;

        pthread_mutex_lock(&s->mutex);
        token_service_post_locked(s, item);
        pthread_mutex_unlock(&s->mutex);
}

/* Answers a request; called with s->mutex held. */
static void answer_locked(TokenService *s, TokenItem *item, int error, const char *reason) {
        item->error = error;
        if (error < 0)
                (void) snprintf(item->reason, sizeof(item->reason), "%s", reason);
        if (!item->end_usec)
                item->end_usec = token_now_usec();
        token_service_post_locked(s, item);
}

/* The slot event watcher. It blocks in C_WaitForSlotEvent (PKCS#11 v2.40 §5.5) and wakes the
 * worker on every insertion or removal, so recovery does not wait for the next poll. Modules
 * without slot events answer CKR_FUNCTION_NOT_SUPPORTED (SoftHSM2 does) and the thread ends:
 * the worker's bounded polling then does the job alone. C_Finalize at shutdown releases the wait
 * (§5.4 C_Finalize: a thread blocked in C_WaitForSlotEvent returns CKR_CRYPTOKI_NOT_INITIALIZED). */
static void *watcher_main(void *userdata) {
        TokenService *s = userdata;
        unsigned errors = 0;

        for (;;) {
                CK_SLOT_ID slot;
                CK_RV rv;
                int r;

                rv = s->module->f->C_WaitForSlotEvent(0, &slot, NULL);
                r = token_errno_from_rv(rv);

                pthread_mutex_lock(&s->mutex);
                if (s->watcher_stop || r == -EOPNOTSUPP) {
                        pthread_mutex_unlock(&s->mutex);
                        break;
                }
                if (r >= 0) {
                        errors = 0;
                        s->slot_events++;
                        pthread_cond_broadcast(&s->cond);
                        pthread_mutex_unlock(&s->mutex);
                        continue;
                }
                /* A reader hiccup: wait a little, give up after a few in a row (polling stays). */
                if (++errors > 5) {
                        pthread_mutex_unlock(&s->mutex);
                        break;
                }
                struct timespec ts;
                (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                ts.tv_sec += 1;
                (void) pthread_cond_timedwait(&s->cond, &s->mutex, &ts);
                pthread_mutex_unlock(&s->mutex);
        }
        return NULL;
}

static int start_thread(pthread_t *t, void *(*fn)(void *), void *userdata) {
        sigset_t all, saved;
        int r;

        /* Signals belong to the event loop thread (sd_event_add_signal() needs them blocked
         * everywhere else): threads inherit the creator's mask, so create them with all blocked. */
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &saved);
        r = -pthread_create(t, NULL, fn, userdata);
        pthread_sigmask(SIG_SETMASK, &saved, NULL);
        return r;
}

static void worker_start_watcher(TokenService *s) {
        if (s->no_slot_events)
                return;
        pthread_mutex_lock(&s->mutex);
        if (!s->watcher_started && !s->stop)
                s->watcher_started = start_thread(&s->watcher, watcher_main, s) >= 0;
        pthread_mutex_unlock(&s->mutex);
}

static void worker_disconnect(TokenService *s) {
        /* Closing our only session also ends the login (PKCS#11 v2.40 §5.6 C_CloseSession). */
        token_close_session(s->module, &s->w_session);
        s->w_sign_key = s->w_hmac_key = 0;
}

static int connect_sign_key(TokenService *s, uint8_t **ret_pubkey, size_t *ret_size, TokenReason *why) {
        _cleanup_(freep) uint8_t *der = NULL;
        uint8_t digest[32], sig[TOKEN_SIGNATURE_SIZE];
        CK_OBJECT_HANDLE pub;
        size_t der_size = 0;
        int r;

        r = token_find_object(s->module, s->w_session, s->sign_uri, CKO_PRIVATE_KEY, &s->w_sign_key, why);
        if (r < 0)
                return r;
        r = token_check_sign_key(s->module, s->w_session, s->w_sign_key, why);
        if (r < 0)
                return r;
        r = token_find_object(s->module, s->w_session, s->sign_uri, CKO_PUBLIC_KEY, &pub, why);
        if (r < 0)
                return r;
        r = token_read_pubkey(s->module, s->w_session, pub, &der, &der_size, why);
        if (r < 0)
                return r;

        /* What the appliance signs must be checkable off the box with the key it exports: prove
         * the pair once per connection, before anyone relies on either half. */
        r = token_sha256(SELF_TEST_MESSAGE, strlen(SELF_TEST_MESSAGE), digest);
        if (r < 0)
                return token_fail(why, r, "SHA-256 failed");
        r = token_sign_digest(s->module, s->w_session, s->w_sign_key, digest, sig, why);
        if (r < 0)
                return r;
        r = token_pubkey_verify(der, der_size, digest, sig);
        if (r < 0)
                return token_fail(why, r, "the device key's public key object does not verify its signatures");

        *ret_pubkey = TAKE_PTR(der);
        *ret_size = der_size;
        return 0;
}

static int connect_steps(TokenService *s, TokenState *ret_alarm, uint8_t **ret_pubkey, size_t *ret_size,
                         TokenReason *why) {
        CK_TOKEN_INFO info;
        bool tried = false;
        int r;

        *ret_alarm = TOKEN_STATE_PRESENT;

        if (!s->module->initialized) {
                r = token_module_initialize(s->module, why);
                if (r < 0)
                        return r;
                worker_start_watcher(s);
        }

        r = token_find_slot(s->module, s->token_uri, &s->w_slot, &info, why);
        if (r < 0)
                return r;
        /* A key URI may name its token too (pkcs11:token=qrgate;object=device-key): it must be
         * the token we selected. */
        if ((s->sign_uri && !p11_kit_uri_match_token_info(s->sign_uri, &info)) ||
            (s->hmac_uri && !p11_kit_uri_match_token_info(s->hmac_uri, &info)))
                return token_fail(why, -EINVAL, "a key URI names another token than the token URI");

        s->w_login_required = info.flags & CKF_LOGIN_REQUIRED;
        r = token_open_session(s->module, s->w_slot, false, &s->w_session, why);
        if (r < 0)
                return r;
        r = token_login(s->module, s->w_session, s->w_slot, s->pin_credential, s->pin_file, ret_alarm, &tried, why);
        if (tried)
                atomic_fetch_add(&s->n_logins, 1);
        if (r < 0)
                return r;

        if (s->sign_uri) {
                r = connect_sign_key(s, ret_pubkey, ret_size, why);
                if (r < 0)
                        return r;
        }
        if (s->hmac_uri) {
                r = token_find_object(s->module, s->w_session, s->hmac_uri, CKO_SECRET_KEY, &s->w_hmac_key, why);
                if (r < 0)
                        return r;
                r = token_check_hmac_key(s->module, s->w_session, s->w_hmac_key, why);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void worker_connect(TokenService *s) {
        TokenReason why = {};
        TokenState alarm;
        uint8_t *pubkey = NULL;
        size_t pubkey_size = 0;
        uint64_t now;
        int r;

        r = connect_steps(s, &alarm, &pubkey, &pubkey_size, &why);
        now = token_now_usec();
        if (r >= 0) {
                s->w_poll_interval = s->poll_min_usec;
                s->w_health_due = add_usec(now, s->health_usec);
                s->w_health_now = false;
                atomic_fetch_add(&s->n_connects, 1);
                worker_set_state(s, TOKEN_STATE_PRESENT, "", pubkey, pubkey_size);
                return;
        }

        free(pubkey);
        worker_disconnect(s);
        if (token_state_is_alarm(alarm)) {
                /* No timer brings us out of here: only token_service_retry_login() does. */
                s->w_alarm_error = r;
                worker_set_state(s, alarm, why.text, NULL, 0);
                return;
        }

        /* Bounded polling with backoff: quick after a glitch, at most poll_max_usec apart. */
        s->w_next_poll = add_usec(now, s->w_poll_interval);
        s->w_poll_interval = MIN(s->w_poll_interval * 2, s->poll_max_usec);
        worker_set_state(s, TOKEN_STATE_ABSENT, why.text[0] ? why.text : strerror(-r), NULL, 0);
}

/* The token or our session went away under a call. */
static void worker_lose(TokenService *s, const char *reason) {
        worker_disconnect(s);
        /* Reinsertion may already have happened (stale handles): try again at once. */
        s->w_next_poll = token_now_usec();
        s->w_poll_interval = s->poll_min_usec;
        worker_set_state(s, TOKEN_STATE_ABSENT, reason, NULL, 0);
}

static void worker_health(TokenService *s) {
        CK_SESSION_INFO info;
        CK_RV rv;
        int r;

        s->w_health_now = false;
        s->w_health_due = add_usec(token_now_usec(), s->health_usec);

        rv = s->module->f->C_GetSessionInfo(s->w_session, &info);
        r = token_errno_from_rv(rv);
        if (r < 0 && token_error_is_absent(r)) {
                TokenReason why;

                (void) token_fail_rv(&why, "C_GetSessionInfo", rv);
                worker_lose(s, why.text);
                return;
        }
        /* A card reset logs everyone out without closing sessions on some modules: a session
         * that was a user session and is now public has lost the login. */
        if (r == 0 && s->w_login_required && info.state != CKS_RO_USER_FUNCTIONS &&
            info.state != CKS_RW_USER_FUNCTIONS)
                worker_lose(s, "the token ended our login (reset?)");
}

/* Runs one request; called without s->mutex, returns with it held (one lock round per request
 * for answering and taking the next). */
static void worker_run(TokenService *s, TokenItem *item) {
        TokenReason why = {};
        uint8_t digest[32];
        int r;

        item->attempts++;
        item->start_usec = token_now_usec();
        if (item->op == TOKEN_OP_SIGN) {
                r = token_sha256(item->data, item->size, digest);
                if (r < 0)
                        (void) token_fail(&why, r, "SHA-256 failed");
                else
                        r = token_sign_digest(s->module, s->w_session, s->w_sign_key, digest, item->out, &why);
                item->out_size = TOKEN_SIGNATURE_SIZE;
        } else {
                r = token_hmac(s->module, s->w_session, s->w_hmac_key, item->data, item->size, item->out, &why);
                item->out_size = TOKEN_HMAC_SIZE;
        }
        item->end_usec = token_now_usec();

        if (r < 0 && token_error_is_absent(r)) {
                worker_lose(s, why.text);

                pthread_mutex_lock(&s->mutex);
                s->running = NULL;
                if (item->attempts < RETRY_ATTEMPTS && !item->cancelled) {
                        /* Not this request's fault: it goes first once the token is back. */
                        item->start_usec = item->end_usec = 0;
                        token_item_list_push_front(&s->queue, item);
                } else
                        answer_locked(s, item, -ENODEV, why.text);
                return;
        }

        pthread_mutex_lock(&s->mutex);
        s->running = NULL;
        answer_locked(s, item, r < 0 ? r : 0, why.text);
}

/* Called with s->mutex held while the token is not present: answers what cannot wait any
 * longer, and returns the earliest time something else will expire. */
static uint64_t refuse_waiting_locked(TokenService *s, uint64_t now) {
        bool alarm = token_state_is_alarm(s->w_state);
        uint64_t next = UINT64_MAX;
        TokenItemList keep = {};
        TokenItem *item;

        while ((item = token_item_list_pop(&s->queue))) {
                uint64_t deadline;
                char reason[TOKEN_REASON_MAX];

                if (alarm) {
                        (void) snprintf(reason, sizeof(reason), "no login: %.230s", s->w_reason);
                        answer_locked(s, item, s->w_alarm_error ?: -EKEYREJECTED, reason);
                        continue;
                }
                deadline = add_usec(MAX(item->submit_usec, s->w_absent_since), item->timeout_usec);
                if (now >= deadline) {
                        (void) snprintf(reason, sizeof(reason), "token absent: %.230s", s->w_reason);
                        answer_locked(s, item, -ENODEV, reason);
                        continue;
                }
                next = MIN(next, deadline);
                token_item_list_push(&keep, item);
        }
        s->queue = keep;
        return next;
}

static void cond_wait_until(TokenService *s, uint64_t until) {
        struct timespec ts;

        if (until == UINT64_MAX) {
                pthread_cond_wait(&s->cond, &s->mutex);
                return;
        }
        ts.tv_sec = (time_t) (until / 1000000U);
        ts.tv_nsec = (long) (until % 1000000U) * 1000L;
        (void) pthread_cond_timedwait(&s->cond, &s->mutex, &ts);
}

static void *worker_main(void *userdata) {
        TokenService *s = userdata;

        pthread_mutex_lock(&s->mutex);
        while (!s->stop) {
                uint64_t now = token_now_usec(), until = UINT64_MAX;
                bool present = s->w_state == TOKEN_STATE_PRESENT;
                bool alarm = token_state_is_alarm(s->w_state);

                if (s->retry_login) {
                        s->retry_login = false;
                        if (alarm) {
                                s->w_state = TOKEN_STATE_ABSENT;
                                s->w_next_poll = now;
                                s->w_poll_interval = s->poll_min_usec;
                                continue;
                        }
                }
                if (s->slot_events > 0) {
                        s->slot_events = 0;
                        if (present)
                                s->w_health_now = true;
                        else if (!alarm) {
                                s->w_next_poll = now;
                                s->w_poll_interval = s->poll_min_usec;
                        }
                }

                if (present && s->queue.head) {
                        TokenItem *item = token_item_list_pop(&s->queue);

                        s->running = item;
                        pthread_mutex_unlock(&s->mutex);
                        worker_run(s, item);
                        continue;
                }
                if (!present) {
                        until = refuse_waiting_locked(s, now);
                        if (!alarm) {
                                if (now >= s->w_next_poll) {
                                        pthread_mutex_unlock(&s->mutex);
                                        worker_connect(s);
                                        pthread_mutex_lock(&s->mutex);
                                        continue;
                                }
                                until = MIN(until, s->w_next_poll);
                        }
                } else {
                        if (s->w_health_now || now >= s->w_health_due) {
                                pthread_mutex_unlock(&s->mutex);
                                worker_health(s);
                                pthread_mutex_lock(&s->mutex);
                                continue;
                        }
                        until = s->w_health_due;
                }
                cond_wait_until(s, until);
        }
        pthread_mutex_unlock(&s->mutex);

        worker_disconnect(s);
        return NULL;
}

int token_worker_start(TokenService *s) {
        int r;

        s->w_state = TOKEN_STATE_CONNECTING;
        (void) snprintf(s->w_reason, sizeof(s->w_reason), "connecting");
        s->w_absent_since = token_now_usec();
        s->w_next_poll = 0;
        s->w_poll_interval = s->poll_min_usec;

        r = start_thread(&s->worker, worker_main, s);
        if (r < 0)
                return r;
        s->worker_started = true;
        return 0;
}

int token_worker_stop(TokenService *s) {
        bool watcher;

        pthread_mutex_lock(&s->mutex);
        s->stop = true;
        s->watcher_stop = true;
        watcher = s->watcher_started;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mutex);

        /* Waits for a token call in progress: PKCS#11 cannot interrupt one portably. */
        (void) pthread_join(s->worker, NULL);
        s->worker_started = false;

        /* Finalizing releases the watcher from C_WaitForSlotEvent. */
        if (s->module->initialized) {
                (void) p11_kit_module_finalize(s->module->f);
                s->module->initialized = false;
        }
        if (watcher) {
                struct timespec ts;

                (void) clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += WATCHER_JOIN_USEC / 1000000U;
                if (pthread_timedjoin_np(s->watcher, NULL, &ts) != 0) {
                        /* The module ignored C_Finalize and still holds the watcher. Unloading it
                         * or freeing what the watcher touches would pull memory from under that
                         * thread: the caller leaves both allocated. */
                        (void) pthread_detach(s->watcher);
                        return -EBUSY;
                }
        }
        return 0;
}
