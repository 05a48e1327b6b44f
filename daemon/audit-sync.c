/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/audit-sync.h"

struct AuditSyncer {
        sd_event_source *source;
        sd_event_source *kick; /* wakes the thread once the loop has nothing more urgent to do */
        int event_fd;
        AuditSyncedHandler handler;
        void *userdata;
        uint64_t group_usec;
        pthread_t thread;
        bool thread_started;

        /* Shared with the thread, under lock. */
        pthread_mutex_t lock;
        pthread_cond_t wake;
        bool quit;
        int fd;            /* the syncer's duplicate of the current file */
        dev_t dev;         /* which file fd is, to notice a new one */
        ino_t ino;
        int old_fds[8];    /* previous files, to sync and close at the next sync */
        size_t n_old;
        int dir_fd;        /* to fsync after a new file appeared; -EBADF otherwise */
        uint64_t written;  /* highest seq written */
        uint64_t durable;  /* highest seq synced */
        int error;         /* last fdatasync error, reported once */
        struct timespec first_unsynced; /* CLOCK_MONOTONIC time written first exceeded durable */
};

static void timespec_add_usec(struct timespec *ts, uint64_t usec) {
        ts->tv_sec += (time_t) (usec / 1000000U);
        ts->tv_nsec += (long) (usec % 1000000U) * 1000L;
        if (ts->tv_nsec >= 1000000000L) {
                ts->tv_sec++;
                ts->tv_nsec -= 1000000000L;
        }
}

static void *syncer_thread(void *userdata) {
        AuditSyncer *s = userdata;

        /* Durability is background work: on a board with two cores, a syncer at normal priority
         * measurably delays the next decision (scripts/bench-e2e); at the lowest it does not, and
         * its fdatasync spends nearly all its time waiting for the disk anyway. */
        (void) setpriority(PRIO_PROCESS, 0, 19);
        pthread_mutex_lock(&s->lock);
        for (;;) {
                while (!s->quit && s->written == s->durable && s->n_old == 0)
                        pthread_cond_wait(&s->wake, &s->lock);
                if (s->quit)
                        break;
                if (s->group_usec > 0 && s->written > s->durable) {
                        /* Grouped: let more records join this sync, for at most group_usec after
                         * the first one was written. */
                        struct timespec until = s->first_unsynced;
                        timespec_add_usec(&until, s->group_usec);
                        while (!s->quit && pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
                                ;
                        if (s->quit)
                                break;
                }

                uint64_t target = s->written;
                int fd = s->fd, dir = s->dir_fd, old[ELEMENTSOF(s->old_fds)];
                size_t n_old = s->n_old;
                memcpy(old, s->old_fds, sizeof(old));
                s->n_old = 0;
                s->dir_fd = -EBADF;
                pthread_mutex_unlock(&s->lock);

                /* Older files first: their records come before the current file's. */
                int r = 0;
                for (size_t i = 0; i < n_old; i++) {
                        if (fdatasync(old[i]) < 0 && r == 0)
                                r = -errno;
                        (void) close(old[i]);
                }
                if (fd >= 0 && fdatasync(fd) < 0 && r == 0)
                        r = -errno;
                if (dir >= 0) {
                        if (fsync(dir) < 0 && r == 0)
                                r = -errno;
                        (void) close(dir);
                }

                pthread_mutex_lock(&s->lock);
                if (r < 0)
                        s->error = r;
                else if (target > s->durable)
                        s->durable = target;
                if (s->written > s->durable)
                        (void) clock_gettime(CLOCK_MONOTONIC, &s->first_unsynced);
                uint64_t one = 1;
                (void) !write(s->event_fd, &one, sizeof(one));
                if (r < 0)
                        /* Do not spin on a failing disk: the next write wakes us again. */
                        while (!s->quit && s->written == target && s->n_old == 0)
                                pthread_cond_wait(&s->wake, &s->lock);
        }
        pthread_mutex_unlock(&s->lock);
        return NULL;
}

static int on_event(sd_event_source *source, int fd, uint32_t revents, void *userdata) {
        AuditSyncer *s = userdata;
        uint64_t n, durable;
        int error;

        (void) !read(fd, &n, sizeof(n));
        pthread_mutex_lock(&s->lock);
        durable = s->durable;
        error = s->error;
        s->error = 0;
        pthread_mutex_unlock(&s->lock);
        s->handler(s, durable, error, s->userdata);
        return 0;
}

static int on_kick(sd_event_source *source, void *userdata) {
        AuditSyncer *s = userdata;

        pthread_mutex_lock(&s->lock);
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        return 0;
}

int audit_syncer_new(sd_event *e, uint64_t group_usec, AuditSyncedHandler handler, void *userdata, AuditSyncer **ret) {
        _cleanup_(audit_syncer_freep) AuditSyncer *s = NULL;
        int r;

        s = calloc(1, sizeof(AuditSyncer));
        if (!s)
                return -ENOMEM;
        *s = (AuditSyncer) {
                .event_fd = -EBADF,
                .fd = -EBADF,
                .dir_fd = -EBADF,
                .handler = handler,
                .userdata = userdata,
                .group_usec = group_usec,
        };
        pthread_mutex_init(&s->lock, NULL);
        {
                pthread_condattr_t ca;
                pthread_condattr_init(&ca);
                pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
                pthread_cond_init(&s->wake, &ca);
                pthread_condattr_destroy(&ca);
        }
        s->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (s->event_fd < 0)
                return -errno;
        r = sd_event_add_io(e, &s->source, s->event_fd, EPOLLIN, on_event, s);
        if (r < 0)
                return r;
        /* The thread is woken when the loop is done with what it is dispatching (the decision, its
         * signal), not in the middle of it. Normal priority: a lower one could be starved by a
         * busy loop, and then nothing would become durable. */
        r = sd_event_add_defer(e, &s->kick, on_kick, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->kick, SD_EVENT_OFF);
        if (r < 0)
                return r;
        /* The thread must never take the daemon's signals (they are read from a signalfd on the
         * loop, and a thread that does not block them would die of them): start it with every
         * signal blocked. */
        sigset_t all, saved;
        sigfillset(&all);
        r = -pthread_sigmask(SIG_SETMASK, &all, &saved);
        if (r < 0)
                return r;
        r = -pthread_create(&s->thread, NULL, syncer_thread, s);
        (void) pthread_sigmask(SIG_SETMASK, &saved, NULL);
        if (r < 0)
                return r;
        s->thread_started = true;
        *ret = TAKE_PTR(s);
        return 0;
}

AuditSyncer *audit_syncer_free(AuditSyncer *s) {
        if (!s)
                return NULL;
        if (s->thread_started) {
                pthread_mutex_lock(&s->lock);
                s->quit = true;
                pthread_cond_signal(&s->wake);
                pthread_mutex_unlock(&s->lock);
                (void) pthread_join(s->thread, NULL);
        }
        /* What the thread did not get to: a clean stop leaves nothing unsynced. */
        for (size_t i = 0; i < s->n_old; i++) {
                (void) fdatasync(s->old_fds[i]);
                (void) close(s->old_fds[i]);
        }
        if (s->fd >= 0) {
                (void) fdatasync(s->fd);
                (void) close(s->fd);
        }
        if (s->dir_fd >= 0) {
                (void) fsync(s->dir_fd);
                (void) close(s->dir_fd);
        }
        sd_event_source_disable_unref(s->source);
        sd_event_source_disable_unref(s->kick);
        if (s->event_fd >= 0)
                (void) close(s->event_fd);
        pthread_cond_destroy(&s->wake);
        pthread_mutex_destroy(&s->lock);
        free(s);
        return NULL;
}

int audit_syncer_written(AuditSyncer *s, int fd, int dir_fd, uint64_t seq) {
        struct stat st;
        int r = 0;

        if (fstat(fd, &st) < 0)
                return -errno;
        pthread_mutex_lock(&s->lock);
        if (s->fd < 0 || st.st_dev != s->dev || st.st_ino != s->ino) {
                int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3), dcopy = -EBADF;
                if (copy < 0) {
                        r = -errno;
                        goto out;
                }
                if (dir_fd >= 0)
                        dcopy = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
                if (s->n_old == ELEMENTSOF(s->old_fds)) {
                        /* Many rotations within one sync (tiny files, a flood of records): sync
                         * the oldest here rather than hold more descriptors. */
                        (void) fdatasync(s->old_fds[0]);
                        (void) close(s->old_fds[0]);
                        memmove(s->old_fds, s->old_fds + 1, sizeof(int) * (s->n_old - 1));
                        s->n_old--;
                }
                if (s->fd >= 0)
                        s->old_fds[s->n_old++] = s->fd;
                s->fd = copy;
                s->dev = st.st_dev;
                s->ino = st.st_ino;
                if (s->dir_fd >= 0)
                        (void) close(s->dir_fd);
                s->dir_fd = dcopy;
        }
        if (seq > s->written) {
                if (s->written == s->durable)
                        (void) clock_gettime(CLOCK_MONOTONIC, &s->first_unsynced);
                s->written = seq;
        }
out:
        pthread_mutex_unlock(&s->lock);
        if (r >= 0)
                (void) sd_event_source_set_enabled(s->kick, SD_EVENT_ONESHOT);
        return r;
}
