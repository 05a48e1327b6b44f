/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "core/string-table.h"
#include "pkcs11/token-service-private.h"

/* The event loop side of the token service: configuration, accepting requests, and delivering
 * answers and state changes that the worker thread (token-worker.c) posts through the eventfd. */

/* Answers delivered per loop iteration: the rest wait until other event sources (the door) have
 * had their turn, so a burst of token results never delays a decision by more than this. */
#define DISPATCH_BATCH 16U
#define QUEUE_MAX_DEFAULT 64U
#define POLL_MIN_DEFAULT_USEC (100U * 1000U)
#define POLL_MAX_DEFAULT_USEC (2U * 1000U * 1000U)
#define HEALTH_DEFAULT_USEC (5U * 1000U * 1000U)

static const char *const token_state_table[_TOKEN_STATE_MAX] = {
        [TOKEN_STATE_CONNECTING] = "connecting",
        [TOKEN_STATE_PRESENT] = "present",
        [TOKEN_STATE_ABSENT] = "absent",
        [TOKEN_STATE_PIN_REJECTED] = "pin-rejected",
        [TOKEN_STATE_PIN_FINAL_TRY] = "pin-final-try",
        [TOKEN_STATE_PIN_LOCKED] = "pin-locked",
};

static const char *const token_op_table[_TOKEN_OP_MAX] = {
        [TOKEN_OP_SIGN] = "sign",
        [TOKEN_OP_HMAC] = "hmac",
};

DEFINE_STRING_TABLE_LOOKUP(token_state, TokenState);

bool token_state_is_alarm(TokenState s) {
        return s == TOKEN_STATE_PIN_REJECTED || s == TOKEN_STATE_PIN_FINAL_TRY || s == TOKEN_STATE_PIN_LOCKED;
}

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(token_op, TokenOp);

uint64_t token_now_usec(void) {
        struct timespec ts;

        (void) clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

void token_item_list_push(TokenItemList *l, TokenItem *item) {
        item->next = NULL;
        if (l->tail)
                l->tail->next = item;
        else
                l->head = item;
        l->tail = item;
        l->n++;
}

void token_item_list_push_front(TokenItemList *l, TokenItem *item) {
        item->next = l->head;
        l->head = item;
        if (!l->tail)
                l->tail = item;
        l->n++;
}

TokenItem *token_item_list_pop(TokenItemList *l) {
        TokenItem *item = l->head;

        if (!item)
                return NULL;
        l->head = item->next;
        if (!l->head)
                l->tail = NULL;
        l->n--;
        item->next = NULL;
        return item;
}

/* Removes the request with this id; NULL when it is not in the list. */
static TokenItem *item_list_take(TokenItemList *l, uint64_t id) {
        for (TokenItem **p = &l->head, *prev = NULL; *p; prev = *p, p = &(*p)->next) {
                TokenItem *item = *p;

                if (item->kind != TOKEN_ITEM_REQUEST || item->id != id)
                        continue;
                *p = item->next;
                if (l->tail == item)
                        l->tail = prev;
                l->n--;
                item->next = NULL;
                return item;
        }
        return NULL;
}

TokenItem *token_item_free(TokenItem *item) {
        if (!item)
                return NULL;
        free(item->pubkey);
        /* The message may be a subject id the HMAC pseudonymizes. */
        explicit_bzero(item->data, item->size);
        free(item);
        return NULL;
}

static void item_list_free(TokenItemList *l) {
        TokenItem *item;

        while ((item = token_item_list_pop(l)))
                token_item_free(item);
}

void token_service_post_locked(TokenService *s, TokenItem *item) {
        bool was_empty = !s->done.head;

        token_item_list_push(&s->done, item);
        /* One wakeup per batch: the loop drains the list, and re-arms itself when it leaves
         * items behind (on_wakeup()). Cannot fail short of a counter overflow. */
        if (was_empty)
                (void) eventfd_write(s->efd, 1);
}

static void deliver_state(TokenService *s, TokenItem *item) {
        s->state = item->state;
        (void) snprintf(s->reason, sizeof(s->reason), "%s", item->reason);
        if (item->pubkey) {
                free(s->pubkey);
                s->pubkey = TAKE_PTR(item->pubkey);
                s->pubkey_size = item->pubkey_size;
        }
        if (s->state_handler)
                s->state_handler(s, s->state, s->reason, s->state_userdata);
}

static void deliver_result(TokenService *s, TokenItem *item) {
        TokenResult result = {
                .id = item->id,
                .op = item->op,
                .error = item->error,
                .reason = item->error < 0 ? item->reason : NULL,
                .data = item->error < 0 ? NULL : item->out,
                .size = item->error < 0 ? 0 : item->out_size,
                .wait_usec = (item->start_usec ?: item->end_usec) - item->submit_usec,
                .run_usec = item->start_usec ? item->end_usec - item->start_usec : 0,
        };

        if (item->error < 0)
                atomic_fetch_add(&s->n_failed, 1);
        else
                atomic_fetch_add(&s->n_succeeded, 1);
        item->handler(s, &result, item->userdata);
}

static int on_wakeup(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        TokenService *s = userdata;
        TokenItem *item;
        eventfd_t ignored;
        bool more;

        (void) eventfd_read(s->efd, &ignored);

        /* Take a batch in one go. Items in it belong to the loop thread now: token_cancel() finds
         * them in s->batch without the lock. */
        pthread_mutex_lock(&s->mutex);
        for (unsigned n = 0; n < DISPATCH_BATCH; n++) {
                item = token_item_list_pop(&s->done);
                if (!item)
                        break;
                if (item->kind == TOKEN_ITEM_REQUEST) {
                        s->unanswered--;
                        if (item->cancelled) {
                                token_item_free(item);
                                continue;
                        }
                }
                token_item_list_push(&s->batch, item);
        }
        more = s->done.head != NULL;
        pthread_mutex_unlock(&s->mutex);

        s->dispatching = true;
        while ((item = token_item_list_pop(&s->batch))) {
                if (!s->free_requested) {
                        if (item->kind == TOKEN_ITEM_STATE)
                                deliver_state(s, item);
                        else if (!item->cancelled)
                                deliver_result(s, item);
                }
                token_item_free(item);
        }
        s->dispatching = false;

        if (s->free_requested) {
                s->free_requested = false;
                (void) token_service_free(s);
                return 0;
        }
        if (more)
                (void) eventfd_write(s->efd, 1);
        return 0;
}

static int service_configure(TokenService *s, const TokenConfig *c, TokenReason *why) {
        int r;

        r = token_uri_parse_token(c->token_uri, &s->token_uri, why);
        if (r < 0)
                return r;
        if (c->sign_key) {
                r = token_uri_parse_key(c->sign_key, &s->sign_uri, why);
                if (r < 0)
                        return r;
        }
        if (c->hmac_key) {
                r = token_uri_parse_key(c->hmac_key, &s->hmac_uri, why);
                if (r < 0)
                        return r;
        }

        if (c->pin_credential && c->pin_file)
                return token_fail(why, -EINVAL, "configure either a PIN credential or a PIN file, not both");
        if (c->pin_credential || c->pin_file) {
                _cleanup_(token_pin_erase) TokenPin pin = {};

                /* Fail at start on a missing or too open PIN source rather than at the first
                 * login; the PIN itself is read again at each login and not kept. */
                r = token_pin_read(c->pin_credential, c->pin_file, &pin, why);
                if (r < 0)
                        return r;
                s->pin_credential = c->pin_credential ? strdup(c->pin_credential) : NULL;
                s->pin_file = c->pin_file ? strdup(c->pin_file) : NULL;
                if (!s->pin_credential && !s->pin_file)
                        return -ENOMEM;
        }

        s->queue_max = c->queue_max ?: QUEUE_MAX_DEFAULT;
        s->poll_min_usec = c->poll_min_usec ?: POLL_MIN_DEFAULT_USEC;
        s->poll_max_usec = c->poll_max_usec ?: POLL_MAX_DEFAULT_USEC;
        s->health_usec = c->health_usec ?: HEALTH_DEFAULT_USEC;
        s->no_slot_events = c->no_slot_events;
        if (s->poll_min_usec > s->poll_max_usec || s->poll_max_usec == TOKEN_USEC_INFINITY)
                return token_fail(why, -EINVAL, "poll_min_usec must not exceed poll_max_usec, which must be finite");

        return token_module_load(c->module, s->token_uri, &s->module, why);
}

static int service_new(sd_event *e, const TokenConfig *c, TokenService **ret, TokenReason *why) {
        _cleanup_(token_service_freep) TokenService *s = NULL;
        pthread_condattr_t attr;
        int r;

        if (!e || !c || !ret)
                return token_fail(why, -EINVAL, "invalid arguments");

        s = calloc(1, sizeof(TokenService));
        if (!s)
                return -ENOMEM;
        s->efd = -EBADF;
        s->state = TOKEN_STATE_CONNECTING;
        (void) snprintf(s->reason, sizeof(s->reason), "connecting");
        s->event = sd_event_ref(e);
        pthread_mutex_init(&s->mutex, NULL);
        pthread_condattr_init(&attr);
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        pthread_cond_init(&s->cond, &attr);
        pthread_condattr_destroy(&attr);

        r = service_configure(s, c, why);
        if (r < 0)
                return r;

        s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->efd < 0)
                return token_fail(why, -errno, "eventfd failed");
        r = sd_event_add_io(e, &s->source, s->efd, EPOLLIN, on_wakeup, s);
        if (r < 0)
                return token_fail(why, r, "cannot watch the eventfd");
        (void) sd_event_source_set_description(s->source, "token-service");

        r = token_worker_start(s);
        if (r < 0)
                return token_fail(why, r, "cannot start the token worker thread");

        *ret = TAKE_PTR(s);
        return 0;
}

int token_service_new(sd_event *e, const TokenConfig *c, TokenService **ret, const char **ret_reason) {
        static __thread TokenReason reason;
        int r;

        reason.text[0] = 0;
        r = service_new(e, c, ret, &reason);
        if (r < 0 && !reason.text[0])
                (void) snprintf(reason.text, sizeof(reason.text), "%s", strerror(-r));
        if (ret_reason)
                *ret_reason = reason.text;
        return r;
}

TokenService *token_service_free(TokenService *s) {
        bool stuck = false;

        if (!s)
                return NULL;
        /* Freed from one of its own callbacks: finish the dispatch first (on_wakeup). */
        if (s->dispatching) {
                s->free_requested = true;
                return NULL;
        }

        if (s->worker_started && token_worker_stop(s) == -EBUSY)
                stuck = true;
        if (!stuck)
                s->module = token_module_free(s->module);

        item_list_free(&s->queue);
        item_list_free(&s->done);
        item_list_free(&s->batch);
        p11_kit_uri_free(s->token_uri);
        p11_kit_uri_free(s->sign_uri);
        p11_kit_uri_free(s->hmac_uri);
        free(s->pin_credential);
        free(s->pin_file);
        free(s->pubkey);
        s->source = sd_event_source_disable_unref(s->source);
        s->event = sd_event_unref(s->event);
        closep(&s->efd);
        if (stuck)
                /* A thread is still inside the module and will touch s->mutex when it returns. */
                return NULL;
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->mutex);
        free(s);
        return NULL;
}

void token_service_set_state_handler(TokenService *s, TokenStateHandler handler, void *userdata) {
        s->state_handler = handler;
        s->state_userdata = userdata;
}

int token_service_set_priority(TokenService *s, int64_t priority) {
        return sd_event_source_set_priority(s->source, priority);
}

TokenState token_service_get_state(const TokenService *s, const char **ret_reason) {
        if (ret_reason)
                *ret_reason = s->reason;
        return s->state;
}

void token_service_get_stats(const TokenService *s, TokenStats *ret) {
        TokenService *m = (TokenService *) s; /* the mutex is not part of the observable state */

        *ret = (TokenStats) {
                .submitted = atomic_load(&m->n_submitted),
                .succeeded = atomic_load(&m->n_succeeded),
                .failed = atomic_load(&m->n_failed),
                .logins = atomic_load(&m->n_logins),
                .connects = atomic_load(&m->n_connects),
        };
        pthread_mutex_lock(&m->mutex);
        ret->queued = m->queue.n;
        pthread_mutex_unlock(&m->mutex);
}

int token_submit(TokenService *s, TokenOp op, const void *data, size_t size, uint64_t timeout_usec,
                 TokenResultHandler handler, void *userdata, uint64_t *ret_id) {
        TokenItem *item;

        if (!s || !handler || op < 0 || op >= _TOKEN_OP_MAX || (size > 0 && !data) || size > TOKEN_DATA_MAX)
                return -EINVAL;
        if ((op == TOKEN_OP_SIGN && !s->sign_uri) || (op == TOKEN_OP_HMAC && !s->hmac_uri))
                return -ENOKEY;

        item = calloc(1, sizeof(TokenItem) + size);
        if (!item)
                return -ENOMEM;
        item->kind = TOKEN_ITEM_REQUEST;
        item->op = op;
        item->handler = handler;
        item->userdata = userdata;
        item->timeout_usec = timeout_usec;
        item->submit_usec = token_now_usec();
        item->size = size;
        if (size > 0)
                memcpy(item->data, data, size);

        pthread_mutex_lock(&s->mutex);
        if (s->unanswered >= s->queue_max) {
                pthread_mutex_unlock(&s->mutex);
                token_item_free(item);
                return -EAGAIN;
        }
        item->id = ++s->next_id;
        s->unanswered++;
        token_item_list_push(&s->queue, item);
        /* Broadcast: the slot event watcher may wait on the same condition. */
        pthread_cond_broadcast(&s->cond);
        if (ret_id)
                *ret_id = item->id;
        pthread_mutex_unlock(&s->mutex);

        atomic_fetch_add(&s->n_submitted, 1);
        return 0;
}

int token_cancel(TokenService *s, uint64_t id) {
        TokenItem *item;
        int r = -ENOENT;

        pthread_mutex_lock(&s->mutex);
        item = item_list_take(&s->queue, id);
        if (item) {
                s->unanswered--;
                token_item_free(item);
                r = 0;
        } else if (s->running && s->running->id == id && !s->running->cancelled) {
                s->running->cancelled = true;
                r = 0;
        } else
                for (TokenItem *i = s->done.head; i; i = i->next)
                        if (i->kind == TOKEN_ITEM_REQUEST && i->id == id && !i->cancelled) {
                                i->cancelled = true;
                                r = 0;
                                break;
                        }
        pthread_mutex_unlock(&s->mutex);
        if (r < 0)
                /* Being delivered in this very dispatch (cancelled from a sibling's callback). */
                for (TokenItem *i = s->batch.head; i; i = i->next)
                        if (i->kind == TOKEN_ITEM_REQUEST && i->id == id && !i->cancelled) {
                                i->cancelled = true;
                                r = 0;
                                break;
                        }
        return r;
}

int token_export_pubkey(const TokenService *s, TokenKeyFormat format, void **ret, size_t *ret_size) {
        if (!s || !ret || !ret_size || format < 0 || format >= _TOKEN_KEY_FORMAT_MAX)
                return -EINVAL;
        if (!s->sign_uri)
                return -ENOKEY;
        if (!s->pubkey)
                return -ENODATA;

        if (format == TOKEN_KEY_FORMAT_PEM)
                return token_pubkey_to_pem(s->pubkey, s->pubkey_size, (char **) ret, ret_size);

        *ret = malloc(s->pubkey_size);
        if (!*ret)
                return -ENOMEM;
        memcpy(*ret, s->pubkey, s->pubkey_size);
        *ret_size = s->pubkey_size;
        return 0;
}

int token_service_retry_login(TokenService *s) {
        if (!token_state_is_alarm(s->state))
                return -EALREADY;

        pthread_mutex_lock(&s->mutex);
        s->retry_login = true;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mutex);
        return 0;
}
