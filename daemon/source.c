/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/log.h"
#include "daemon/source.h"

static void line_done(Source *s) {
        Decision d;
        size_t n = s->len;

        /* Scanners end lines with CR, LF or both. */
        while (n > 0 && s->buf[n - 1] == '\r')
                n--;
        if (s->overflow)
                (void) manager_decide(s->manager, s->door, s->buf, CODE_MAX_TEXT + 1, s->id, &d);
        else if (n > 0)
                (void) manager_decide(s->manager, s->door, s->buf, n, s->id, &d);
        s->len = 0;
        s->overflow = false;
}

static int on_readable(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Source *s = userdata;
        char chunk[4096];

        for (;;) {
                ssize_t k = read(fd, chunk, sizeof(chunk));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN)
                        return 0;
                if (k <= 0) {
                        /* We hold a writer ourselves (O_RDWR), so EOF cannot happen; an error
                         * means the pipe is unusable: stop watching it rather than spin. */
                        log_error_errno(k < 0 ? errno : EIO, "Source %s: read failed, disabling: %m", s->id);
                        return sd_event_source_set_enabled(es, SD_EVENT_OFF);
                }
                for (ssize_t i = 0; i < k; i++) {
                        char c = chunk[i];
                        if (c == '\n') {
                                line_done(s);
                                continue;
                        }
                        if (s->len < sizeof(s->buf))
                                s->buf[s->len++] = c;
                        else
                                s->overflow = true;
                }
        }
}

int source_new(Manager *m, const SourceConf *c, Source **ret) {
        _cleanup_(freep) Source *s = calloc(1, sizeof(Source));
        struct stat st;
        int r;

        if (!s)
                return log_oom();
        s->manager = m;
        s->fd = -EBADF;
        s->id = strdup(c->id);
        s->door = strdup(c->door);
        s->path = strdup(c->path);
        if (!s->id || !s->door || !s->path) {
                source_free(TAKE_PTR(s));
                return log_oom();
        }

        /* Owner reads, the daemon's group (a scanner bridge) writes. The service's UMask=0077
         * would strip the group bit, so a FIFO we create gets its mode set explicitly; one an
         * operator made keeps theirs. */
        if (mkfifo(c->path, 0620) >= 0)
                (void) chmod(c->path, 0620);
        else if (errno != EEXIST) {
                r = log_error_errno(errno, "Source %s: cannot create FIFO %s: %m", c->id, c->path);
                goto fail;
        }
        /* O_RDWR keeps a writer open ourselves, so a scanner bridge closing its end does not
         * turn the pipe into an endless stream of EOFs. */
        s->fd = open(c->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (s->fd < 0) {
                r = log_error_errno(errno, "Source %s: cannot open %s: %m", c->id, c->path);
                goto fail;
        }
        if (fstat(s->fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
                r = log_error_errno(ENOTTY, "Source %s: %s exists and is not a FIFO.", c->id, c->path);
                goto fail;
        }
        r = sd_event_add_io(m->event, &s->io, s->fd, EPOLLIN, on_readable, s);
        if (r < 0) {
                log_error_errno(r, "Source %s: cannot watch %s: %m", c->id, c->path);
                goto fail;
        }
        log_debug("Source %s: reading codes for door %s from %s.", s->id, s->door, s->path);
        *ret = TAKE_PTR(s);
        return 0;
fail:
        source_free(TAKE_PTR(s));
        return r;
}

Source *source_free(Source *s) {
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->io);
        closep(&s->fd);
        free(s->id);
        free(s->door);
        free(s->path);
        free(s);
        return NULL;
}
