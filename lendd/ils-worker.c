/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ILS thread (lendd/ils-worker.h): a job list in, a reply list out, an eventfd between. */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "lendd/ils-worker.h"

typedef struct Node {
        struct Node *next;
        union {
                IlsJob job;
                IlsReply reply;
        };
} Node;

typedef struct List {
        Node *head, *tail;
} List;

struct IlsWorker {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        List jobs, replies;
        unsigned busy; /* posted, not finished */
        bool stop;
        int fd;
        /* The thread's own; nobody else touches them while it runs. */
        Sip2Client *client;
        LendQueue *queue;
        LendReplayForward forward;
};

static void list_push(List *l, Node *n) {
        n->next = NULL;
        if (l->tail)
                l->tail->next = n;
        else
                l->head = n;
        l->tail = n;
}

static Node *list_pop(List *l) {
        Node *n = l->head;

        if (n && !(l->head = n->next))
                l->tail = NULL;
        return n;
}

static void list_free(List *l) {
        for (Node *n; (n = list_pop(l));)
                free(n);
}

/* A reply from the thread; the queue's state goes with every one. Allocation failure drops it:
 * the next reply carries the queue's state again, and a lost SETTLED only leaves an item
 * "pending" on the screen until the session ends (the queue on disk is right either way). */
static void reply(IlsWorker *w, const IlsReply *r) {
        Node *n = calloc(1, sizeof(Node));
        uint64_t one = 1;
        int64_t oldest = 0;

        if (!n)
                return;
        n->reply = *r;
        n->reply.queue_length = lend_queue_length(w->queue);
        if (lend_queue_oldest(w->queue, &oldest) > 0)
                n->reply.queue_oldest = oldest;
        pthread_mutex_lock(&w->lock);
        list_push(&w->replies, n);
        pthread_mutex_unlock(&w->lock);
        (void) !write(w->fd, &one, sizeof(one));
}

/* Words cut to the reply's size: an ILS's long message is still worth its start. */
_printf_(3, 4) static void set_detail(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

static void reply_failure(IlsWorker *w, IlsReplyKind offline, uint64_t cookie, int error, const Sip2ClientError *e,
                          const char *what) {
        IlsReply r = { .kind = offline, .cookie = cookie, .error = error };

        if (e && e->failure != SIP2_FAIL_NONE)
                set_detail(r.detail, sizeof(r.detail), "%s: %s: %s", what, sip2_failure_to_string(e->failure), e->detail);
        else
                set_detail(r.detail, sizeof(r.detail), "%s: %s", what, strerror(-error));
        reply(w, &r);
}

static unsigned number_of(const char *s) {
        return s ? (unsigned) strtoul(s, NULL, 10) : 0;
}

static void do_patron(IlsWorker *w, const IlsJob *job) {
        IlsReply r = { .kind = ILS_REPLY_PATRON, .cookie = job->cookie };
        _cleanup_(freep) Sip2Msg *m = malloc(sizeof(Sip2Msg));
        Sip2ClientError e = {};
        const char *st, *s;
        int q;

        if (!m)
                return reply_failure(w, ILS_REPLY_OFFLINE, job->cookie, -ENOMEM, NULL, "patron information");
        q = sip2_client_request(w->client, SIP2_PATRON_INFO,
                                &(Sip2Request) { .patron = job->patron, .now = job->time }, m, &e);
        if (q < 0)
                return reply_failure(w, lend_replay_retry_later(q, &e) ? ILS_REPLY_OFFLINE : ILS_REPLY_STUCK,
                                     job->cookie, q, &e, "patron information");
        IlsPatron *p = &r.patron;
        snprintf(p->patron, sizeof(p->patron), "%s", job->patron);
        s = sip2_msg_get(m, "BL");
        p->valid = s && strcmp(s, "Y") == 0;
        st = sip2_msg_fixed(m, "patron status");
        /* Position 0 is "charge privileges denied"; 4 is "too many items charged", which the
         * non-deposit rule counts itself from the numbers. */
        p->charge_denied = !st || st[0] == 'Y';
        p->charged = number_of(sip2_msg_fixed(m, "charged items count"));
        p->limit = number_of(sip2_msg_get(m, "CB"));
        set_detail(p->fines, sizeof(p->fines), "%s", sip2_msg_get(m, "BV") ?: "");
        set_detail(p->name, sizeof(p->name), "%s", sip2_msg_get(m, "AE") ?: "");
        reply(w, &r);
        reply(w, &(IlsReply) { .kind = ILS_REPLY_ONLINE });
}

/* Settles the queue in order until it is empty or the ILS fails. */
static void drain(IlsWorker *w, bool probe) {
        bool sent = false;

        for (;;) {
                IlsReply r = { .kind = ILS_REPLY_SETTLED };
                Sip2ClientError e = {};
                int q = lend_replay_one(w->queue, w->client, time(NULL), &w->forward, &r.step, &e);

                if (q < 0)
                        return reply_failure(w, lend_replay_retry_later(q, &e) ? ILS_REPLY_OFFLINE : ILS_REPLY_STUCK, 0, q,
                                             &e, "replay");
                if (q == 0)
                        break;
                sent = true;
                reply(w, &r);
        }
        if (!sent && probe) {
                Sip2ClientError e = {};
                int q = sip2_client_connect(w->client, &e);
                if (q < 0)
                        return reply_failure(w, lend_replay_retry_later(q, &e) ? ILS_REPLY_OFFLINE : ILS_REPLY_STUCK, 0, q,
                                             &e, "the ILS");
        }
        reply(w, &(IlsReply) { .kind = ILS_REPLY_ONLINE });
}

static void do_tx(IlsWorker *w, const IlsJob *job) {
        IlsReply r = { .kind = ILS_REPLY_QUEUED, .cookie = job->cookie };
        LendTx tx = { .kind = job->tx, .patron = job->patron, .item = job->item, .station = job->station,
                      .time = job->time };

        r.error = lend_queue_append(w->queue, &tx, &r.step.id);
        r.step.kind = job->tx;
        snprintf(r.step.item, sizeof(r.step.item), "%s", job->item);
        reply(w, &r);
        if (r.error >= 0)
                drain(w, false);
}

static void *run(void *userdata) {
        IlsWorker *w = userdata;

        for (;;) {
                Node *n;

                pthread_mutex_lock(&w->lock);
                while (!w->stop && !w->jobs.head)
                        pthread_cond_wait(&w->cond, &w->lock);
                n = w->stop ? NULL : list_pop(&w->jobs);
                pthread_mutex_unlock(&w->lock);
                if (!n)
                        return NULL;
                switch (n->job.kind) {
                case ILS_JOB_PATRON:
                        do_patron(w, &n->job);
                        break;
                case ILS_JOB_TX:
                        do_tx(w, &n->job);
                        break;
                case ILS_JOB_DRAIN:
                        drain(w, true);
                        break;
                }
                free(n);
                pthread_mutex_lock(&w->lock);
                w->busy--;
                pthread_mutex_unlock(&w->lock);
        }
}

int ils_worker_start(Sip2Client *client, LendQueue *queue, const LendReplayForward *forward, IlsWorker **ret) {
        IlsWorker *w = calloc(1, sizeof(IlsWorker));
        int r;

        if (!w)
                return -ENOMEM;
        w->client = client;
        w->queue = queue;
        w->forward = *forward;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        w->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->fd < 0) {
                r = -errno;
                ils_worker_free(w);
                return r;
        }
        /* The thread takes no signals: SIGTERM is the event loop's (a signalfd), and a thread that
         * did not block it would die of it instead, with the whole process. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = -pthread_create(&w->thread, NULL, run, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                w->thread = 0;
                ils_worker_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

IlsWorker *ils_worker_free(IlsWorker *w) {
        if (!w)
                return NULL;
        if (w->thread) {
                pthread_mutex_lock(&w->lock);
                w->stop = true;
                pthread_cond_signal(&w->cond);
                pthread_mutex_unlock(&w->lock);
                pthread_join(w->thread, NULL);
        }
        list_free(&w->jobs);
        list_free(&w->replies);
        if (w->fd >= 0)
                close(w->fd);
        sip2_client_free(w->client);
        lend_queue_free(w->queue);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return NULL;
}

int ils_worker_fd(const IlsWorker *w) {
        return w->fd;
}

int ils_worker_post(IlsWorker *w, const IlsJob *job) {
        Node *n = calloc(1, sizeof(Node));

        if (!n)
                return -ENOMEM;
        n->job = *job;
        pthread_mutex_lock(&w->lock);
        list_push(&w->jobs, n);
        w->busy++;
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
        return 0;
}

int ils_worker_take(IlsWorker *w, IlsReply *ret) {
        uint64_t v;
        Node *n;

        (void) !read(w->fd, &v, sizeof(v));
        pthread_mutex_lock(&w->lock);
        n = list_pop(&w->replies);
        pthread_mutex_unlock(&w->lock);
        if (!n)
                return 0;
        *ret = n->reply;
        free(n);
        return 1;
}

unsigned ils_worker_busy(IlsWorker *w) {
        unsigned n;

        pthread_mutex_lock(&w->lock);
        n = w->busy;
        pthread_mutex_unlock(&w->lock);
        return n;
}
