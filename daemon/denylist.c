/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>

#include "core/denylist-record.h"
#include "core/fileio.h"
#include "daemon/bus.h"
#include "daemon/denylist.h"
#include "daemon/faults.h"
#include "daemon/log.h"
#include "daemon/manager.h"

static const LogFields refused = { .message_id = QRGATE_MESSAGE_DENYLIST_REFUSED };

/* The names a list may have: NAME.deny, not hidden. An updater writes a temporary name (a
 * hidden one, or one without that suffix) and renames it into place, so a file still being
 * written is never taken for a list — and one that is, written in place, fails verification
 * until it is whole, and is read again at its close. */
static bool wanted_name(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".deny") == 0;
}

static void emit_changed(Manager *m) {
        if (m->bus)
                (void) sd_bus_emit_properties_changed(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "DenyListVersion",
                                                      "DenyListIssued", "DenyListEntries", NULL);
}

static bool outdated(Manager *m, int64_t now, int64_t *ret_age) {
        int64_t max_age = m->config->denylist.max_age;

        if (!m->denylist || max_age <= 0)
                return false;
        /* A list issued in the future (the appliance's clock is behind the issuer's) is fresh. */
        *ret_age = MAX(now - denylist_info(m->denylist)->issued, (int64_t) 0);
        return *ret_age > max_age;
}

/* Said once for each list put in force: when it is loaded already too old, or at the second it
 * ages past denylist.max_age (the timer below) — not with every decision. */
static void check_age(Manager *m) {
        int64_t age;

        if (m->denylist_outdated_said || !outdated(m, (int64_t) time(NULL), &age))
                return;
        m->denylist_outdated_said = true;
        log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DENYLIST_OUTDATED),
                   "Deny-list version %" PRIu64 " is outdated: issued %" PRId64 " s ago, denylist.max_age is %" PRId64
                   " s; what was revoked since is not refused until a newer list is dropped into %s.",
                   denylist_info(m->denylist)->version, age, m->config->denylist.max_age, m->config->denylist.directory);
}

static int on_outdated(sd_event_source *s, uint64_t usec, void *userdata);

/* At the second the list becomes outdated, with or without a code to judge by it (CLOCK_REALTIME:
 * the age is a wall-clock age), like the EU DCC trust list's (daemon/reload.c). */
static void arm_timer_at(Manager *m, uint64_t usec) {
        int r;

        if (!m->denylist_timer)
                r = sd_event_add_time(m->event, &m->denylist_timer, CLOCK_REALTIME, usec, 1000, on_outdated, m);
        else {
                r = sd_event_source_set_time(m->denylist_timer, usec);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->denylist_timer, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                log_warning_errno(r, "Cannot arm the timer for the deny-list's age; its being outdated is said at the "
                                  "next change instead: %m");
}

static void arm_timer(Manager *m) {
        int64_t age;

        (void) sd_event_source_set_enabled(m->denylist_timer, SD_EVENT_OFF);
        if (!m->denylist || m->config->denylist.max_age <= 0 || outdated(m, (int64_t) time(NULL), &age))
                return;
        arm_timer_at(m, (uint64_t) (denylist_info(m->denylist)->issued + m->config->denylist.max_age + 1) * 1000000u);
}

static int on_outdated(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        int64_t age;

        /* time() may lag the timer's clock by a tick: not outdated by it yet means a moment more. */
        if (m->denylist && !outdated(m, (int64_t) time(NULL), &age)) {
                arm_timer_at(m, usec + 10000);
                return 0;
        }
        check_age(m);
        manager_update_state(m);
        return 0;
}

/* Puts dl in force: first the record of its version (so that a crash after this instant cannot
 * bring back an older list), then the pointer, then the old list goes. */
static void apply(Manager *m, DenyList *dl, const char *name) {
        const DenyListInfo *info = denylist_info(dl);
        DenyListRecord rec = { .version = info->version };
        char when[32];
        struct tm tm;
        time_t t = (time_t) info->issued;
        int r;

        memcpy(rec.id, info->id, sizeof(rec.id));
        if (denylist_succession(&m->denylist_highest, info) == 0) {
                r = denylist_record_write(m->state_fd, DENYLIST_RECORD_FILE, &rec);
                if (r < 0)
                        log_warning_errno(r, "Cannot record deny-list version %" PRIu64 " in %s/%s; it is in force, but "
                                          "after a restart an older list could be: %m", info->version,
                                          m->state_directory, DENYLIST_RECORD_FILE);
                m->denylist_highest = rec;
        }
        denylist_free(m->denylist);
        m->denylist = dl;
        m->denylist_outdated_said = false;
        if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(when, sizeof(when), "@%" PRId64, info->issued);
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DENYLIST_LOADED),
                   "Deny-list %s/%s: version %" PRIu64 " of issuer \"%s\", issued %s, %" PRIu64 " entries: in force.",
                   m->config->denylist.directory, name, info->version, info->iss, when, info->entries);
        check_age(m);
        arm_timer(m);
        emit_changed(m);
        manager_update_state(m);
}

static const char *why_of(int r, const char *why) {
        if (r == -ENOKEY || r == -EKEYREJECTED || r == -EBADMSG)
                return why ?: strerror(-r);
        if (r == -EFBIG)
                return "larger than any deny-list can be";
        return read_file_strerror(r, 0);
}

/* Loads name in dir_fd when it is newer than the list in force; quiet: a stale file is only
 * worth a notice (a folder read at start or reload may keep older lists). Returns 1 when it
 * was put in force. */
static int try_file(Manager *m, int dir_fd, const char *name, bool quiet) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        const char *dir = m->config->denylist.directory, *why = NULL;
        DenyListInfo info;
        int r;

        fd = open_regular_file(dir_fd, name, 0, NULL);
        if (fd >= 0)
                r = denylist_read_header_fd(fd, m->keys, &info, &why);
        else
                r = fd;
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_struct(LOG_ERR, 0, &refused, "Deny-list %s/%s refused: %s; the list in force stays.", dir, name,
                           why_of(r, why));
                return 0;
        }
        r = denylist_succession(&m->denylist_highest, &info);
        if (r == -EALREADY && m->denylist && memcmp(denylist_info(m->denylist)->id, info.id, sizeof(info.id)) == 0) {
                log_debug("Deny-list %s/%s: version %" PRIu64 " is the list in force.", dir, name, info.version);
                return 0;
        }
        if (r == -ESTALE) {
                log_struct(quiet ? LOG_NOTICE : LOG_ERR, 0, &refused,
                           "Deny-list %s/%s refused: version %" PRIu64 " is not newer than version %" PRIu64 ", the highest "
                           "accepted (%s); the list in force stays.", dir, name, info.version, m->denylist_highest.version,
                           info.version == m->denylist_highest.version ? "another list under the same version" :
                           "no rollback");
                return 0;
        }
        /* The header verified and is newer: now the table, read and checked in one pass. */
        r = denylist_new_from_fd(fd, m->keys, &dl, &why);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                log_struct(LOG_ERR, 0, &refused, "Deny-list %s/%s refused: %s; the list in force stays.", dir, name,
                           why_of(r, why));
                return 0;
        }
        apply(m, TAKE_PTR(dl), name);
        return 1;
}

typedef struct Candidate {
        char *name;
        uint64_t version; /* from its header; 0 when that does not verify */
} Candidate;

/* Newest first, then by name. */
static int cmp_candidates(const void *a, const void *b) {
        const Candidate *x = a, *y = b;
        return x->version != y->version ? (x->version < y->version ? 1 : -1) : strcmp(x->name, y->name);
}

static uint64_t header_version(Manager *m, int dir_fd, const char *name) {
        _cleanup_(closep) int fd = open_regular_file(dir_fd, name, 0, NULL);
        DenyListInfo info;

        return fd >= 0 && denylist_read_header_fd(fd, m->keys, &info, NULL) >= 0 ? info.version : 0;
}

/* Every list in the folder, the newest first (by its signed header): the first that verifies
 * whole is put in force, and each other one is said to be older (or refused) — one table read,
 * however many old lists the folder keeps. */
static int scan(Manager *m) {
        const char *path = m->config->denylist.directory;
        _cleanup_(closep) int fd = -EBADF;
        Candidate *c = NULL;
        size_t n = 0;
        struct dirent *de;
        int r = 0;
        DIR *d;

        fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        fd = -EBADF;
        while ((de = readdir(d))) {
                if (!wanted_name(de->d_name))
                        continue;
                Candidate *v = reallocarray(c, n + 1, sizeof(Candidate));
                if (!v || !(v[n].name = strdup(de->d_name))) {
                        c = v ?: c;
                        r = -ENOMEM;
                        break;
                }
                c = v;
                c[n].version = header_version(m, dirfd(d), de->d_name);
                n++;
        }
        if (n > 0)
                qsort(c, n, sizeof(Candidate), cmp_candidates);
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = try_file(m, dirfd(d), c[i].name, true);
        for (size_t i = 0; i < n; i++)
                free(c[i].name);
        free(c);
        closedir(d);
        return r < 0 ? r : 0;
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata) {
        Manager *m = userdata;
        _cleanup_(closep) int fd = -EBADF;

        if (ev->mask & IN_Q_OVERFLOW) { /* events were lost: read the whole folder */
                if (scan(m) == -ENOMEM)
                        (void) log_oom();
                return 0;
        }
        if (ev->mask & IN_IGNORED) { /* the folder itself went away: nothing more comes from it */
                m->denylist_watch = sd_event_source_disable_unref(m->denylist_watch);
                free(m->denylist_fault);
                m->denylist_fault = strdup("its folder was removed or moved");
                log_struct(LOG_ERR, 0, &refused, "Deny-list folder %s was removed; new lists are not seen until it is "
                           "back and qrgated reloads. The list in force stays.", m->config->denylist.directory);
                manager_update_state(m);
                return 0;
        }
        if (ev->len == 0 || !wanted_name(ev->name))
                return 0;
        fd = open(m->config->denylist.directory, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
                log_warning_errno(errno, "Deny-list folder %s: cannot open it: %m", m->config->denylist.directory);
                return 0;
        }
        (void) try_file(m, fd, ev->name, false);
        return 0;
}

static void watch(Manager *m) {
        const char *dir = m->config->denylist.directory;
        int r;

        m->denylist_watch = sd_event_source_disable_unref(m->denylist_watch);
        free(m->denylist_fault);
        m->denylist_fault = NULL;
        if (!dir)
                return;
        /* IN_CLOSE_WRITE as well as IN_MOVED_TO: a list copied in place is read once it is whole. */
        r = sd_event_add_inotify(m->event, &m->denylist_watch, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR,
                                 on_inotify, m);
        if (r < 0) {
                if (asprintf(&m->denylist_fault, "its folder cannot be watched: %s", strerror(-r)) < 0)
                        m->denylist_fault = NULL;
                log_struct(LOG_ERR, r, &refused, "Deny-list folder %s cannot be watched: %m; lists dropped there are "
                           "not seen until it can be and qrgated reloads.", dir);
                return;
        }
        r = scan(m);
        if (r == -ENOMEM)
                (void) log_oom();
        else if (r < 0)
                log_error_errno(r, "Deny-list folder %s cannot be read: %m", dir);
}

int manager_denylist_open(Manager *m) {
        int r;

        if (!m->config->denylist.directory)
                return 0;
        r = denylist_record_read(m->state_fd, DENYLIST_RECORD_FILE, &m->denylist_highest);
        if (r < 0 && r != -ENOENT) {
                /* Not ours: kept for inspection. Any signed list is accepted as the first one now,
                 * as on a new appliance, and the journal says so. */
                log_struct(LOG_ERR, r, &refused, "Deny-list version record %s/%s cannot be read (%s); moved to %s.corrupt. "
                           "The newest list in %s is accepted whatever its version.", m->state_directory,
                           DENYLIST_RECORD_FILE, r == -EBADMSG ? "not a version record" : read_file_strerror(r, READ_NOFOLLOW),
                           DENYLIST_RECORD_FILE, m->config->denylist.directory);
                (void) renameat(m->state_fd, DENYLIST_RECORD_FILE, m->state_fd, DENYLIST_RECORD_FILE ".corrupt");
        }
        watch(m);
        if (!m->denylist)
                log_warning("Deny-list: no list in force (folder %s, highest version accepted before: %" PRIu64 "); "
                            "nothing is refused as revoked until one is.", m->config->denylist.directory,
                            m->denylist_highest.version);
        return 0;
}

void manager_denylist_reload(Manager *m) {
        if (!m->config->denylist.directory) {
                if (m->denylist)
                        log_info("Deny-list: no longer configured; the list in force is dropped.");
                manager_denylist_close(m);
                emit_changed(m);
                return;
        }
        /* A first configuration of the deny-list by a reload: its record, as at start. */
        if (!m->denylist_watch && !m->denylist && m->denylist_highest.version == 0) {
                (void) manager_denylist_open(m);
                return;
        }
        watch(m);
        m->denylist_outdated_said = false;
        check_age(m);
        arm_timer(m);
}

void manager_denylist_close(Manager *m) {
        m->denylist_watch = sd_event_source_disable_unref(m->denylist_watch);
        m->denylist_timer = sd_event_source_disable_unref(m->denylist_timer);
        m->denylist = denylist_free(m->denylist);
        free(m->denylist_fault);
        m->denylist_fault = NULL;
}

bool manager_denylist_fault(Manager *m, char *buf, size_t size) {
        const char *dir = m->config->denylist.directory;
        int64_t age;

        if (!dir)
                return false;
        if (m->denylist_fault)
                snprintf(buf, size, "deny-list: %s (%s): lists dropped there are not seen; fix it, then reload",
                         m->denylist_fault, dir);
        else if (!m->denylist)
                snprintf(buf, size, "deny-list: no valid list in force (folder %s): nothing is refused as revoked; "
                         "drop a signed list there (docs/denylist.md)", dir);
        else if (outdated(m, (int64_t) time(NULL), &age))
                snprintf(buf, size, "deny-list: outdated, version %" PRIu64 " issued %" PRId64 " s ago (denylist.max_age is "
                         "%" PRId64 " s): what was revoked since is not refused; check the list's updater",
                         denylist_info(m->denylist)->version, age, m->config->denylist.max_age);
        else
                return false;
        return true;
}
