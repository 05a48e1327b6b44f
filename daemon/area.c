/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api/gate1.h"
#include "core/fileio.h"
#include "daemon/area.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/subject-key.h"

/* A file four times the records of its live state is compacted: appends stay cheap, and the file
 * never grows far beyond what it holds. */
#define COMPACT_FACTOR 4
#define COMPACT_SLACK 64
/* The largest file read: the most presences, plus the slack compaction allows. */
#define AREA_FILE_MAX ((size_t) AREA_FILE_HEADER_SIZE + (size_t) (COMPACT_FACTOR + 1) * AREA_PRESENCE_MAX * AREA_RECORD_SIZE)

const AreaConf *area_config(const Area *a) {
        return &a->manager->config->areas[a->index];
}

Area *manager_find_area(Manager *m, const char *id) {
        for (size_t i = 0; i < m->n_areas; i++)
                if (strcmp(m->areas[i]->id, id) == 0)
                        return m->areas[i];
        return NULL;
}

/* Whether presences may be written: only under a secret that will be the same after a restart
 * (the token's), whose id then names the file. */
static bool persistent_key(Manager *m, uint8_t ret_id[AREA_KEY_SIZE]) {
        if (!m->subject_key || !subject_key_is_persistent(m->subject_key))
                return false;
        subject_key_id(m->subject_key, ret_id);
        return true;
}

static void emit_changed(Area *a) {
        if (a->manager->bus)
                (void) sd_bus_emit_properties_changed(a->manager->bus, a->object_path, BUS_AREA_IFACE, "Occupancy",
                                                      "PresentSubjects", NULL);
}

static int write_all(int fd, const uint8_t *p, size_t n) {
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

static int open_in_state_dir(Area *a, const char *name, int flags) {
        struct stat st;
        int fd = openat(a->manager->state_fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()) {
                int r = S_ISREG(st.st_mode) ? -EPERM : -EBADFD;
                close(fd);
                return r;
        }
        return fd;
}

typedef struct Writer {
        int fd;
        int error;
        size_t n;
} Writer;

static void write_presence(const uint8_t key[AREA_KEY_SIZE], int64_t entered, void *userdata) {
        Writer *w = userdata;
        uint8_t rec[AREA_RECORD_SIZE];

        if (w->error < 0)
                return;
        area_record_encode(AREA_RECORD_ENTER, (uint32_t) entered, key, rec);
        w->error = write_all(w->fd, rec, sizeof(rec));
        w->n++;
}

/* Writes the whole state to area-ID.tmp, syncs it and renames it over area-ID, then syncs the
 * directory: a crash leaves the old file or the new one. Presences only under key_id. */
static int area_compact(Area *a, const uint8_t *key_id, int64_t now) {
        _cleanup_(closep) int fd = -EBADF;
        char name[64], tmp[80];
        uint8_t header[AREA_FILE_HEADER_SIZE], rec[AREA_RECORD_SIZE];
        const AreaConf *c = area_config(a);
        Writer w;
        int r, dir = a->manager->state_fd;

        snprintf(name, sizeof(name), "area-%s", a->id);
        snprintf(tmp, sizeof(tmp), "%s.tmp", name);
        if (unlinkat(dir, tmp, 0) < 0 && errno != ENOENT)
                return -errno;
        fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        area_file_header(key_id, header);
        area_record_encode(AREA_RECORD_OCCUPANCY, area_occupancy(a->state), NULL, rec);
        r = write_all(fd, header, sizeof(header));
        if (r >= 0)
                r = write_all(fd, rec, sizeof(rec));
        w = (Writer) { .fd = fd, .error = r, .n = 1 };
        if (key_id) {
                (void) area_presence_expire(a->state, now, c->presence_timeout);
                area_presence_foreach(a->state, write_presence, &w);
        }
        r = w.error;
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir, tmp, dir, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir, tmp, 0);
                return r;
        }
        (void) fsync(dir);
        closep(&a->fd);
        a->fd = open_in_state_dir(a, name, O_WRONLY | O_APPEND);
        if (a->fd < 0)
                return a->fd;
        a->file_records = w.n;
        return 0;
}

static void say_write_error(Area *a, int r) {
        log_warning_errno(r, "Area %s: cannot write its state file %s/area-%s; the state is kept in memory and lost "
                          "at a restart: %m", a->id, a->manager->state_directory, a->id);
        closep(&a->fd);
}

/* Appends n records; compacts when the file has grown past its factor. */
static void area_append(Area *a, const uint8_t *recs, size_t n) {
        uint8_t id[AREA_KEY_SIZE];
        bool persistent = persistent_key(a->manager, id);
        int r;

        if (a->fd < 0)
                return;
        r = write_all(a->fd, recs, n * AREA_RECORD_SIZE);
        if (r < 0)
                return say_write_error(a, r);
        a->file_records += n;
        if (a->file_records > COMPACT_FACTOR * (area_presence_count(a->state) + 1) + COMPACT_SLACK) {
                r = area_compact(a, persistent ? id : NULL, (int64_t) time(NULL));
                if (r < 0)
                        say_write_error(a, r);
        }
}

/* Reads the state file: occupancy, and the presences when want_key names the file's key. A file
 * that is not an area file (or not a regular file of ours) is moved aside and the area starts
 * empty, with a message that says what an operator can do. Returns whether the file's key
 * matched (presences were loaded), or -errno when the file is unusable and could not be set
 * aside. */
static int area_load(Area *a, const uint8_t *want_key, AreaFileInfo *ret_info) {
        _cleanup_(freep) char *buf = NULL;
        _cleanup_(closep) int fd = -EBADF;
        const AreaConf *c = area_config(a);
        char name[64], aside[80];
        size_t size = 0;
        int r;

        *ret_info = (AreaFileInfo) {};
        snprintf(name, sizeof(name), "area-%s", a->id);
        fd = open_in_state_dir(a, name, O_RDONLY);
        if (fd == -ENOENT)
                return 0;
        if (fd >= 0) {
                r = read_regular_fd(fd, AREA_FILE_MAX, 0, &buf, &size);
                if (r >= 0)
                        r = area_file_load(a->state, (const uint8_t *) buf, size, want_key, (int64_t) time(NULL),
                                           c->presence_timeout, ret_info);
                if (r == -ENOMEM)
                        return log_oom();
        } else
                r = fd;
        if (r >= 0) {
                if (ret_info->torn)
                        log_notice("Area %s: the last change in %s/%s was cut short (a crash while writing it); it is "
                                   "dropped.", a->id, a->manager->state_directory, name);
                return want_key && ret_info->has_key && memcmp(want_key, ret_info->key_id, AREA_KEY_SIZE) == 0;
        }

        snprintf(aside, sizeof(aside), "%s.corrupt", name);
        log_struct(LOG_WARNING, r, LOG_FIELDS(.message_id = QRGATE_MESSAGE_AREA_STATE_REFUSED),
                   "Area %s: state file %s/%s is not usable (%s); moved to %s and the area starts empty: occupancy 0, "
                   "no one present. Correct the count with qrgatectl area set-occupancy %s N.", a->id,
                   a->manager->state_directory, name,
                   r == -EBADMSG ? "not an area state file, or truncated" :
                   r == -EPERM ? "not owned by qrgated" :
                   r == -EBADFD ? "not a regular file" : read_file_strerror(r, READ_NOFOLLOW),
                   aside, a->id);
        if (renameat(a->manager->state_fd, name, a->manager->state_fd, aside) < 0)
                return log_error_errno(errno, "Area %s: cannot move %s aside: %m", a->id, name);
        return 0;
}

static int on_reset(sd_event_source *s, uint64_t usec, void *userdata) {
        Area *a = userdata;

        /* As door-schedule.c: time() may lag the timer's clock by a tick. */
        if ((uint64_t) time(NULL) < usec / 1000000u) {
                if (sd_event_source_set_time(s, usec + 10000) >= 0)
                        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                return 0;
        }
        log_info("Area %s: daily reset: occupancy %u -> 0, %zu presences forgotten.", a->id, area_occupancy(a->state),
                 area_presence_count(a->state));
        /* The day starts empty: whoever left unseen yesterday is not held against today. */
        area_presence_clear(a->state);
        area_set_occupancy(a->state, 0);
        uint8_t id[AREA_KEY_SIZE];
        bool persistent = persistent_key(a->manager, id);
        int r = area_compact(a, persistent ? id : NULL, (int64_t) time(NULL));
        if (r < 0)
                say_write_error(a, r);
        emit_changed(a);
        (void) area_arm_reset(a);
        return 0;
}

int area_arm_reset(Area *a) {
        const AreaConf *c = area_config(a);
        time_t next = c->capacity_reset < 0 ? 0 : area_next_reset(time(NULL), (uint32_t) c->capacity_reset);
        int r;

        if (next == 0) {
                (void) sd_event_source_set_enabled(a->reset_timer, SD_EVENT_OFF);
                return 0;
        }
        /* CLOCK_REALTIME: a time on the wall, which a clock set forward or back moves with it. */
        uint64_t usec = (uint64_t) next * 1000000u;
        if (!a->reset_timer)
                r = sd_event_add_time(a->manager->event, &a->reset_timer, CLOCK_REALTIME, usec, 1000, on_reset, a);
        else {
                r = sd_event_source_set_time(a->reset_timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(a->reset_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                return log_warning_errno(r, "Area %s: cannot arm its daily reset timer: %m", a->id);
        return 0;
}

static Area *area_free(Area *a) {
        if (!a)
                return NULL;
        sd_event_source_disable_unref(a->reset_timer);
        closep(&a->fd);
        area_state_free(a->state);
        free(a->object_path);
        free(a->id);
        free(a);
        return NULL;
}

static int area_open(Manager *m, size_t index, Area **ret) {
        const AreaConf *c = &m->config->areas[index];
        uint8_t id[AREA_KEY_SIZE];
        bool persistent = persistent_key(m, id);
        AreaFileInfo info;
        Area *a;
        int r;

        a = calloc(1, sizeof(Area));
        if (!a)
                return -ENOMEM;
        *a = (Area) { .manager = m, .index = index, .fd = -EBADF };
        a->id = strdup(c->id);
        if (!a->id || asprintf(&a->object_path, "%s/%s", BUS_AREA_PREFIX, c->id) < 0 || area_state_new(&a->state) < 0) {
                area_free(a);
                return -ENOMEM;
        }
        *ret = a;

        r = area_load(a, persistent ? id : NULL, &info);
        if (r == -ENOMEM)
                return r;
        /* Presences written under the token's key wait for it: the file is not rewritten (which
         * would drop them) until manager_areas_subject_key_changed() has read them. */
        if (r >= 0 && info.has_key && !persistent) {
                char name[64];
                snprintf(name, sizeof(name), "area-%s", a->id);
                a->fd = open_in_state_dir(a, name, O_WRONLY | O_APPEND);
                a->file_records = info.records;
                if (a->fd < 0)
                        say_write_error(a, a->fd);
        } else if (r >= 0) {
                r = area_compact(a, persistent ? id : NULL, (int64_t) time(NULL));
                if (r < 0)
                        say_write_error(a, r);
        }
        log_info("Area %s: occupancy %u (capacity %u, 0: none), %zu present.", a->id, area_occupancy(a->state),
                 c->capacity, area_presence_count(a->state));
        return 0;
}

int manager_open_areas(Manager *m) {
        int r;

        for (size_t i = 0; i < m->config->n_areas; i++) {
                r = area_open(m, i, &m->areas[m->n_areas]);
                if (r < 0)
                        return log_oom();
                m->n_areas++;
                (void) area_arm_reset(m->areas[i]);
        }
        return 0;
}

void manager_free_areas(Manager *m) {
        for (size_t i = 0; i < m->n_areas; i++)
                m->areas[i] = area_free(m->areas[i]);
        m->n_areas = 0;
}

void manager_areas_subject_key_changed(Manager *m) {
        uint8_t id[AREA_KEY_SIZE];
        bool persistent = persistent_key(m, id);

        for (size_t i = 0; i < m->n_areas; i++) {
                Area *a = m->areas[i];
                AreaFileInfo info;
                uint32_t occupancy = area_occupancy(a->state);
                int r;

                /* Made under the old secret: they can never match a code again. */
                area_presence_clear(a->state);
                if (persistent) {
                        r = area_load(a, id, &info);
                        if (r == -ENOMEM)
                                return (void) log_oom();
                        if (r == 0 && info.has_key)
                                log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_AREA_STATE_REFUSED),
                                           "Area %s: the presences in its state file were written under another "
                                           "subject key (another token); they are not used: anti-passback starts "
                                           "with no one present. The occupancy (%u) is kept.", a->id, occupancy);
                }
                /* The count is the one kept while waiting: it went on counting. */
                area_set_occupancy(a->state, occupancy);
                r = area_compact(a, persistent ? id : NULL, (int64_t) time(NULL));
                if (r < 0)
                        say_write_error(a, r);
                log_info("Area %s: subject key %s; %zu present.", a->id, persistent ? "from the token" : "changed",
                         area_presence_count(a->state));
                emit_changed(a);
        }
}

uint32_t area_present_count(Area *a, int64_t now) {
        if (now >= a->swept + 60 || now < a->swept) {
                (void) area_presence_expire(a->state, now, area_config(a)->presence_timeout);
                a->swept = now;
        }
        return (uint32_t) area_presence_count(a->state);
}

bool area_subject_present(Area *a, const uint8_t *subject, int64_t now) {
        return subject && area_presence_live(a->state, subject, now, area_config(a)->presence_timeout);
}

bool area_pass(Area *a, AreaSide side, const uint8_t *subject, int64_t now) {
        const AreaConf *c = area_config(a);
        uint8_t recs[2][AREA_RECORD_SIZE], id[AREA_KEY_SIZE];
        bool keep = subject && c->passback != AREA_PASSBACK_OFF, write_keyed = keep && persistent_key(a->manager, id);
        bool flagged = false;
        size_t n = 0;

        if (side == AREA_SIDE_ENTRY) {
                flagged = c->passback == AREA_PASSBACK_SOFT && area_subject_present(a, subject, now);
                (void) area_count_in(a->state);
                /* The rule saw room (anti-passback refuses at AREA_PRESENCE_MAX); -ENOMEM leaves the
                 * person uncounted for anti-passback only. */
                if (keep && area_presence_add(a->state, subject, now, c->presence_timeout) >= 0 && write_keyed)
                        area_record_encode(AREA_RECORD_ENTER, (uint32_t) now, subject, recs[n++]);
        } else if (side == AREA_SIDE_EXIT) {
                (void) area_count_out(a->state);
                /* An exit without a recorded entry is let through and clears nothing. */
                if (keep && area_presence_remove(a->state, subject) && write_keyed)
                        area_record_encode(AREA_RECORD_EXIT, 0, subject, recs[n++]);
        }
        area_record_encode(AREA_RECORD_OCCUPANCY, area_occupancy(a->state), NULL, recs[n++]);
        area_append(a, &recs[0][0], n);
        emit_changed(a);
        return flagged;
}

static void append_count(Area *a) {
        uint8_t rec[AREA_RECORD_SIZE];

        area_record_encode(AREA_RECORD_OCCUPANCY, area_occupancy(a->state), NULL, rec);
        area_append(a, rec, 1);
        emit_changed(a);
}

Area *manager_door_area(Manager *m, const DoorConf *dc) {
        return dc && dc->area && dc->area_index < m->n_areas ? m->areas[dc->area_index] : NULL;
}

void area_count_exit(Area *a) {
        (void) area_count_out(a->state);
        append_count(a);
}

void area_set_count(Area *a, uint32_t n) {
        area_set_occupancy(a->state, n);
        append_count(a);
}
