/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The parts of TokenService shared by the event loop side (token-service.c) and the worker
 * thread (token-worker.c). Which thread owns what is written next to each field: "loop" fields
 * are touched only on the event loop thread, "worker" fields only on the worker thread, and
 * "mutex" fields only with s->mutex held. */

#include <pthread.h>
#include <stdatomic.h>

#include "pkcs11/token-blocking.h"

typedef enum TokenItemKind {
        TOKEN_ITEM_REQUEST, /* a sign/HMAC request, then its answer */
        TOKEN_ITEM_STATE,   /* a state change from the worker to the loop */
} TokenItemKind;

/* One unit in the queue (loop → worker) or the done list (worker → loop). */
typedef struct TokenItem {
        struct TokenItem *next;
        TokenItemKind kind;

        /* TOKEN_ITEM_REQUEST */
        uint64_t id;
        TokenOp op;
        TokenResultHandler handler;
        void *userdata;
        uint64_t submit_usec;
        uint64_t timeout_usec;
        uint64_t start_usec, end_usec;
        unsigned attempts;
        bool cancelled; /* mutex */
        int error;
        uint8_t out[TOKEN_SIGNATURE_SIZE];
        size_t out_size;

        /* TOKEN_ITEM_STATE */
        TokenState state;
        uint8_t *pubkey; /* SPKI DER read at this connection, owned by the item */
        size_t pubkey_size;

        char reason[TOKEN_REASON_MAX];

        size_t size;
        uint8_t data[]; /* the request's message */
} TokenItem;

typedef struct TokenItemList {
        TokenItem *head, *tail;
        unsigned n;
} TokenItemList;

struct TokenService {
        /* loop */
        sd_event *event;
        sd_event_source *source;
        TokenStateHandler state_handler;
        void *state_userdata;
        TokenState state;
        char reason[TOKEN_REASON_MAX];
        uint8_t *pubkey;
        size_t pubkey_size;
        uint64_t next_id;
        TokenItemList batch; /* taken from done, being delivered */
        bool dispatching;
        bool free_requested;

        /* immutable once the worker runs */
        TokenModule *module;
        P11KitUri *token_uri;
        P11KitUri *sign_uri; /* NULL: no signing */
        P11KitUri *hmac_uri; /* NULL: no HMAC */
        char *pin_credential;
        char *pin_file;
        unsigned queue_max;
        uint64_t poll_min_usec, poll_max_usec, health_usec;
        bool no_slot_events;
        int efd;

        pthread_mutex_t mutex;
        pthread_cond_t cond; /* CLOCK_MONOTONIC */
        /* mutex */
        TokenItemList queue;
        TokenItemList done;
        TokenItem *running;
        unsigned unanswered; /* accepted requests whose answer the loop has not taken yet */
        bool stop;
        bool retry_login;
        unsigned slot_events;
        bool watcher_stop;

        /* written by the worker, read anywhere */
        _Atomic uint64_t n_submitted, n_succeeded, n_failed, n_logins, n_connects;

        /* worker */
        TokenState w_state;
        char w_reason[TOKEN_REASON_MAX];
        int w_alarm_error;        /* errno given to requests while in a PIN alarm state */
        CK_SLOT_ID w_slot;
        CK_SESSION_HANDLE w_session;
        CK_OBJECT_HANDLE w_sign_key, w_hmac_key;
        uint64_t w_absent_since;
        uint64_t w_next_poll;
        uint64_t w_poll_interval;
        uint64_t w_health_due;
        bool w_health_now;
        bool w_login_required; /* the token said CKF_LOGIN_REQUIRED at this connection */

        pthread_t worker;
        bool worker_started;
        pthread_t watcher;
        bool watcher_started;
};

uint64_t token_now_usec(void);

/* token-worker.c */
int token_worker_start(TokenService *s);
/* Stops and joins the worker and the slot event watcher, leaving the module finalized. Returns
 * -EBUSY when the watcher did not come back from the module: s, its mutex and the module must
 * then stay allocated. */
int token_worker_stop(TokenService *s);

/* token-service.c: hands an item to the loop (takes ownership). Called with s->mutex held. */
void token_service_post_locked(TokenService *s, TokenItem *item);
void token_item_list_push(TokenItemList *l, TokenItem *item);
void token_item_list_push_front(TokenItemList *l, TokenItem *item);
TokenItem *token_item_list_pop(TokenItemList *l);
TokenItem *token_item_free(TokenItem *item);
