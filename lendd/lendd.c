/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lending service's life: its configuration, station, queue and ILS thread, its event loop. */

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon/log.h"
#include "lendd/lendd.h"

static StationConfig station_config(const StationConf *s) {
        StationConfig c = {
                .local_cap = s->local_cap,
                .offline_policy = s->offline == STATION_CONF_OFFLINE_LEND_UP_TO ? STATION_OFFLINE_LEND_UP_TO :
                                                                                  STATION_OFFLINE_REFUSE,
                .offline_items = s->offline_items,
                .offline_recent_s = s->offline_recent_s,
                .offline_loan_s = s->offline_loan_s,
                .idle_timeout_s = s->idle_timeout_s,
                .formats = s->item_formats,
        };
        snprintf(c.station, sizeof(c.station), "%s", s->id);
        return c;
}

/* The queue's directory: the unit's StateDirectory= when systemd gives one, else the
 * configuration's. It must be a directory of ours, not a link or a FIFO planted in its place. */
static int open_queue(const StationConf *s, LendQueue **ret) {
        const char *dir = getenv("STATE_DIRECTORY") ?: s->queue_directory;
        _cleanup_(closep) int fd = -EBADF;
        LendQueueRecovery rec = {};
        struct stat st;
        int r;

        if (strchr(dir, ':')) /* StateDirectory= with several: the first */
                dir = strndupa(dir, strcspn(dir, ":"));
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return log_error_errno(-errno, "Cannot open the queue's directory %s: %m", dir);
        if (fstat(fd, &st) < 0)
                return log_error_errno(-errno, "Cannot stat %s: %m", dir);
        if (st.st_uid != geteuid() || (st.st_mode & 0022))
                return log_error_errno(-EPERM, "The queue's directory %s must be owned by uid %u and writable by "
                                               "nobody else: %m", dir, (unsigned) geteuid());
        r = lend_queue_open(fd, "lend-queue", NULL, ret, &rec);
        if (r == -EBUSY)
                return log_error_errno(r, "The queue %s/lend-queue is held by another process (a second "
                                          "qrgate-lendd?): %m", dir);
        if (r < 0)
                return log_error_errno(r, "Cannot open the queue %s/lend-queue: %m", dir);
        if (rec.dropped_bytes > 0)
                log_warning("The queue %s/lend-queue had a torn or damaged tail (a crash or a power cut while "
                            "writing): %" PRIu64 " bytes cut off after %" PRIu64 " good records.",
                            dir, rec.dropped_bytes, rec.records);
        log_info("Queue %s/lend-queue: %zu transactions to send to the ILS.", dir, lend_queue_length(*ret));
        return 0;
}

int lendd_new(const char *config_path, const char *bus_address, Lendd **ret) {
        _cleanup_(lendd_freep) Lendd *l = calloc(1, sizeof(Lendd));
        _cleanup_(freep) char *errors = NULL;
        _cleanup_(sip2_client_freep) Sip2Client *client = NULL;
        _cleanup_(lend_queue_freep) LendQueue *queue = NULL;
        const char *why = NULL;
        int r;

        if (!l || !(l->bus_address = strdup(bus_address)) || !(l->last_receipt = strdup("")))
                return log_error_errno(-ENOMEM, "Out of memory.");
        r = config_load(config_path, &l->config, &errors);
        if (r < 0) {
                log_error("Configuration %s is not valid:\n%s", config_path, errors ?: "");
                return r;
        }
        if (!l->config->station.enabled)
                return log_error_errno(-EINVAL, "Configuration %s has no 'station' section: this appliance lends "
                                                "nothing (docs/lending.md).", config_path);
        StationConfig sc = station_config(&l->config->station);
        r = station_new(&sc, &l->station);
        if (r < 0)
                return log_error_errno(r, "The station's configuration is out of bounds: %m");
        r = sip2_client_new_from_config(&l->config->ils, &client, &why);
        if (r < 0)
                return log_error_errno(r, "The ILS's login (credential '%s'): %s: %m", l->config->ils.credential, why);
        r = open_queue(&l->config->station, &queue);
        if (r < 0)
                return r;
        l->queue_length = lend_queue_length(queue);
        (void) lend_queue_oldest(queue, &l->queue_oldest);
        /* A transaction sent the moment it is made has its answer, or is told "queued", within
         * the ILS's reply timeout and its resends; one older than that when it goes out is one
         * the patron already has: store and forward (lending/lend-replay.h). */
        const IlsConf *ils = &l->config->ils;
        LendReplayForward forward = {
                .after_s = ((int64_t) ils->reply_timeout_ms * (ils->resend_max + 1) + 999) / 1000 + 1,
                .loan_s = l->config->station.offline_loan_s,
        };
        r = ils_worker_start(client, queue, &forward, &l->worker);
        if (r < 0)
                return log_error_errno(r, "Cannot start the ILS thread: %m");
        client = NULL, queue = NULL;
        *ret = TAKE_PTR(l);
        return 0;
}

Lendd *lendd_free(Lendd *l) {
        if (!l)
                return NULL;
        sd_event_source_disable_unref(l->worker_source);
        sd_event_source_disable_unref(l->tick);
        sd_event_source_disable_unref(l->retry);
        lendd_gate_free_waiting(l);
        ils_worker_free(l->worker);
        sd_bus_flush_close_unref(l->bus);
        sd_event_unref(l->event);
        station_free(l->station);
        config_free(l->config);
        free(l->bus_address);
        free(l->last_receipt);
        free(l);
        return NULL;
}

static int on_worker(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Lendd *l = userdata;
        IlsReply r;

        while (ils_worker_take(l->worker, &r) > 0)
                lendd_worker_reply(l, &r);
        return 0;
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata) {
        Lendd *l = userdata;

        lendd_tick(l);
        return sd_event_source_set_time(s, usec + 1000000);
}

static int on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Lendd *l = userdata;

        (void) sd_notify(false, "STOPPING=1\nSTATUS=Stopping");
        return sd_event_exit(l->event, 0);
}

int lendd_run(Lendd *l) {
        uint64_t now;
        sigset_t mask;
        int r;

        r = sd_event_default(&l->event);
        if (r < 0)
                return log_error_errno(r, "Cannot make the event loop: %m");
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Cannot block signals: %m");
        (void) sd_event_add_signal(l->event, NULL, SIGTERM, on_signal, l);
        (void) sd_event_add_signal(l->event, NULL, SIGINT, on_signal, l);
        r = sd_event_add_io(l->event, &l->worker_source, ils_worker_fd(l->worker), EPOLLIN, on_worker, l);
        if (r < 0)
                return log_error_errno(r, "Cannot watch the ILS thread: %m");
        (void) sd_event_now(l->event, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(l->event, &l->tick, CLOCK_MONOTONIC, now + 1000000, 100000, on_tick, l);
        if (r < 0)
                return log_error_errno(r, "Cannot arm the session's timer: %m");
        (void) sd_event_source_set_enabled(l->tick, SD_EVENT_ON);
        r = lendd_bus_setup(l);
        if (r < 0)
                return r;
        (void) sd_event_set_watchdog(l->event, true);
        /* Whatever a crash left in the queue is settled first, before any new transaction. */
        lendd_retry_ils(l);
        (void) sd_notify(false, "READY=1\nSTATUS=Running");
        log_info("qrgate-lendd running: station %s, ILS %s:%u, %zu queued.", l->config->station.id,
                 l->config->ils.host, (unsigned) l->config->ils.port, l->queue_length);
        return sd_event_loop(l->event);
}
