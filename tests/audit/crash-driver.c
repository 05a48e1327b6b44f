/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The crash test's engine (tests/audit/crash-test.sh runs it): starts the real qrgated again and
 * again, feeds its scanner FIFO with codes, follows what it acknowledges, and kills it with
 * SIGKILL at a random moment — sometimes while it starts up and recovers, mostly in the middle of
 * the workload. After every kill, before the next start, the log on disk is checked offline:
 *
 *   - acknowledged = the highest AuditHead.durable_sequence read from the daemon before the kill
 *     (written and fdatasync()ed, docs/audit.md); every record up to it must be in the log, and
 *     when the head read was itself acknowledged, that record must be there with that hash;
 *   - the chain must be unbroken: no damage, no gap, no bad link, every checkpoint valid (a torn
 *     tail is allowed: the next start cuts it, and the RECOVERY record proves it did).
 *
 * Every eighth kill also leaves what a power cut would — half a record or a run of zeros — at
 * the end of the last file, so recovery is exercised even when SIGKILL happens to land between
 * two writes (it usually does: a record is one write(2)).
 *
 * usage: crash-driver DAEMON CONFIG BUS-ADDRESS AUDIT-DIR FIFO CODES-FILE KILLS SEED
 * $CRASH_AFTER_KILL, when set, is run by the shell after each kill (the test restores the SoftHSM2
 * token's files with it: see crash-test.sh). $CRASH_DAEMON_LOG, when set, names the file that gets
 * the output of the daemon started last (the one before it is kept as FILE.prev), so that a
 * failure says what the daemon said. Prints one key=value summary line; exit status 0 only when
 * nothing was lost or broken. */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "audit/audit-file.h"
#include "audit/audit-verify.h"
#include "tools/util.h"

static const char *daemon_path, *config, *address, *audit_dir, *fifo, *daemon_log;
static char **codes;
static size_t n_codes;
static unsigned short seed[3];

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

_printf_(1, 2) static void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "crash-driver: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
        va_end(ap);
        exit(2);
}

static void load_codes(const char *path) {
        FILE *f = fopen(path, "re");
        char *line = NULL;
        size_t size = 0;
        ssize_t n;

        if (!f)
                die("cannot open %s: %m", path);
        while ((n = getline(&line, &size, f)) > 0) {
                codes = reallocarray(codes, n_codes + 1, sizeof(char *));
                if (!codes || !(codes[n_codes++] = strdup(line)))
                        die("out of memory");
        }
        free(line);
        fclose(f);
        if (n_codes == 0)
                die("no codes in %s", path);
}

static pid_t spawn(void) {
        pid_t pid;

        if (daemon_log) {
                _cleanup_(freep) char *prev = NULL;
                if (asprintf(&prev, "%s.prev", daemon_log) < 0)
                        die("out of memory");
                (void) rename(daemon_log, prev);
        }
        pid = fork();
        if (pid < 0)
                die("fork: %m");
        if (pid == 0) {
                int out = daemon_log ? open(daemon_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
                                     : open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (out >= 0) {
                        dup2(out, STDOUT_FILENO);
                        dup2(out, STDERR_FILENO);
                }
                execl(daemon_path, daemon_path, "--config", config, "--bus", address, (char *) NULL);
                _exit(127);
        }
        return pid;
}

static void kill_and_reap(pid_t pid) {
        int status;

        (void) kill(pid, SIGKILL);
        if (waitpid(pid, &status, 0) < 0)
                die("waitpid: %m");
        if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
                die("qrgated ended by itself before the kill (status 0x%x); see its log", status);
}

static bool daemon_up(sd_bus *bus) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "GetNameOwner", &e, &reply, "s", BUS_NAME);
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
        return r >= 0;
}

typedef struct Ack {
        uint64_t durable;     /* highest acknowledged sequence number seen */
        bool have_anchor;
        uint64_t anchor_seq;  /* a record known acknowledged, with its hash */
        uint8_t anchor_hash[AUDIT_HASH_SIZE];
} Ack;

static void read_head(sd_bus *bus, Ack *ack) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        uint64_t seq, durable, cseq;
        const char *hash, *chash, *state;
        size_t n = 0;

        if (bus_get_property(bus, bus_gate_manager, "AuditHead", &e, &reply, "(tsttss)") >= 0 &&
            sd_bus_message_read(reply, "(tsttss)", &seq, &hash, &durable, &cseq, &chash, &state) >= 0) {
                if (durable > ack->durable)
                        ack->durable = durable;
                if (seq == durable && seq > 0 && parse_hex(hash, ack->anchor_hash, AUDIT_HASH_SIZE, &n) >= 0 &&
                    n == AUDIT_HASH_SIZE) {
                        ack->have_anchor = true;
                        ack->anchor_seq = seq;
                }
        }
        sd_bus_error_free(&e);
        sd_bus_message_unref(reply);
}

/* Feeds codes for `usec`, reading AuditHead every 2 ms. */
static void workload(sd_bus *bus, uint64_t usec, Ack *ack, uint64_t *sent) {
        uint64_t end = now_usec() + usec, next_code = 0;
        int fd = -1;

        while (now_usec() < end) {
                if (fd < 0)
                        fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC); /* ENXIO until the daemon reads */
                if (fd >= 0 && now_usec() >= next_code) {
                        const char *c = codes[nrand48(seed) % (long) n_codes];
                        if (write(fd, c, strlen(c)) == (ssize_t) strlen(c))
                                (*sent)++;
                        next_code = now_usec() + 1000;
                }
                read_head(bus, ack);
                usleep(1000);
        }
        read_head(bus, ack);
        if (fd >= 0)
                close(fd);
}

/* What a power cut leaves after the last record: the start of one, or zeros. Only an append can
 * leave that, and the daemon appends nothing before its recovery has cut the previous torn tail:
 * so a log that still ends torn (the kill came before recovery) is not torn again — zeros with
 * half a record after them are not something a crash makes, and the daemon rightly treats them as
 * damage. Returns whether it tore the tail. */
static bool tear_tail(void) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(freep) uint8_t *buf = NULL;
        _cleanup_(closep) int dfd = open(audit_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint8_t junk[4096] = {};
        size_t n = 0, len, size = 0;
        char path[4096];
        AuditTail t;

        if (dfd < 0 || audit_dir_list(dfd, &list, &n) < 0 || n == 0)
                return false;
        snprintf(path, sizeof(path), "%s/%s", audit_dir, list[n - 1].name);
        _cleanup_(closep) int rfd = open(path, O_RDONLY | O_CLOEXEC);
        if (rfd < 0 || audit_file_read(rfd, &buf, &size) < 0)
                die("cannot read %s: %m", path);
        audit_tail_scan(buf, size, &t);
        if (t.torn)
                return false;
        if (nrand48(seed) % 2) {
                len = 6 + (size_t) (nrand48(seed) % 90);
                memcpy(junk, AUDIT_MAGIC, 4);
                junk[4] = 0;
                junk[5] = 200; /* promises more than follows */
                for (size_t i = 6; i < len; i++)
                        junk[i] = (uint8_t) nrand48(seed);
        } else
                len = sizeof(junk);
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0 || write(fd, junk, len) != (ssize_t) len)
                die("cannot tear %s: %m", path);
        return true;
}

typedef struct Check {
        uint64_t problems;
} Check;

static void on_note(void *userdata, AuditVerifyLevel level, const char *file, int64_t off, uint64_t seq, const char *msg) {
        Check *c = userdata;

        /* A kill before the first record leaves a log without records: not a break. Had anything
         * been acknowledged, the comparison with the acknowledged head reports it as lost. */
        if (level != AUDIT_VERIFY_PROBLEM || (off < 0 && seq == 0 && strcmp(msg, "no records") == 0))
                return;
        c->problems++;
        fprintf(stderr, "crash-driver: %s offset %" PRId64 " record %" PRIu64 ": %s\n", file ?: "log", off, seq, msg);
}

/* Verifies the files from the one that held the previous check's last record onward. */
static uint64_t check(const Ack *ack, uint64_t *from_seq, uint64_t *ret_last) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(closep) int dfd = open(audit_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        /* Only the files from the last check on: the records before them were checked then. */
        AuditVerifyOptions o = { .open_ok = true, .prefix_ok = true };
        AuditVerifySummary s;
        Check c = {};
        size_t n = 0, k = 0, start = 0;
        char **paths;

        /* A kill early in the first start can come before the daemon made its log's directory:
         * then there is no log, which is right as long as nothing was acknowledged (main()
         * compares). */
        if (dfd < 0 && errno == ENOENT) {
                *ret_last = 0;
                return 0;
        }
        if (dfd < 0 || audit_dir_list(dfd, &list, &n) < 0)
                die("cannot list %s: %m", audit_dir);
        paths = calloc(n + 1, sizeof(char *));
        if (!paths)
                die("out of memory");
        for (size_t i = 0; i < n; i++)
                if (list[i].first_seq <= *from_seq)
                        start = i;
        for (size_t i = start; i < n; i++)
                if (asprintf(&paths[k++], "%s/%s", audit_dir, list[i].name) < 0)
                        die("out of memory");
        if (ack->have_anchor && ack->anchor_seq >= (k > 0 ? list[start].first_seq : 0)) {
                o.have_head = true;
                o.head_seq = ack->anchor_seq;
                memcpy(o.head_hash, ack->anchor_hash, AUDIT_HASH_SIZE);
        }
        if (audit_verify((const char *const *) paths, k, &o, on_note, &c, &s) < 0)
                die("audit_verify failed");
        if (o.have_head && !s.head_found) {
                fprintf(stderr, "crash-driver: acknowledged record %" PRIu64 " is not in the log as acknowledged\n",
                        o.head_seq);
                c.problems++;
        }
        *ret_last = s.last_seq;
        if (n > 0)
                *from_seq = list[n - 1].first_seq;
        for (size_t i = 0; i < k; i++)
                free(paths[i]);
        free(paths);
        return c.problems;
}

int main(int argc, char *argv[]) {
        uint64_t kills, sent = 0, lost = 0, breaks = 0, torn = 0, early = 0, from_seq = 0, last = 0;
        sd_bus *bus = NULL;
        Ack ack = {};

        if (argc != 9)
                die("usage: crash-driver DAEMON CONFIG BUS-ADDRESS AUDIT-DIR FIFO CODES-FILE KILLS SEED");
        daemon_path = argv[1];
        config = argv[2];
        address = argv[3];
        audit_dir = argv[4];
        fifo = argv[5];
        load_codes(argv[6]);
        kills = strtoull(argv[7], NULL, 10);
        unsigned long s = strtoul(argv[8], NULL, 10);
        seed[0] = (unsigned short) s;
        seed[1] = (unsigned short) (s >> 16);
        seed[2] = 0x5147;
        daemon_log = getenv("CRASH_DAEMON_LOG");
        signal(SIGPIPE, SIG_IGN);
        if (bus_connect(address, &bus) < 0)
                die("cannot connect to %s", address);

        for (uint64_t k = 0; k < kills; k++) {
                pid_t pid = spawn();

                if (nrand48(seed) % 10 == 0) {
                        /* During start-up: recovery, the START record, the token's first login. */
                        usleep((useconds_t) (nrand48(seed) % 30000));
                        early++;
                } else {
                        uint64_t t0 = now_usec();
                        while (!daemon_up(bus)) {
                                if (now_usec() - t0 > 10000000)
                                        die("qrgated did not come up (kill %" PRIu64 ")", k);
                                usleep(2000);
                        }
                        workload(bus, 5000 + (uint64_t) (nrand48(seed) % 150000), &ack, &sent);
                }
                kill_and_reap(pid);
                if (getenv("CRASH_AFTER_KILL") && system(getenv("CRASH_AFTER_KILL")) != 0)
                        die("$CRASH_AFTER_KILL failed");
                if (nrand48(seed) % 8 == 0 && tear_tail())
                        torn++;

                uint64_t problems = check(&ack, &from_seq, &last);
                breaks += problems;
                if (last < ack.durable) {
                        fprintf(stderr, "crash-driver: kill %" PRIu64 ": acknowledged up to %" PRIu64 ", log ends at %" PRIu64
                                "\n", k, ack.durable, last);
                        lost += ack.durable - last;
                }
        }
        printf("kills=%" PRIu64 " early_kills=%" PRIu64 " codes_sent=%" PRIu64 " acknowledged=%" PRIu64
               " acknowledged_lost=%" PRIu64 " chain_breaks=%" PRIu64 " torn_tails_made=%" PRIu64 "\n",
               kills, early, sent, ack.durable, lost, breaks, torn);
        sd_bus_flush_close_unref(bus);
        return lost == 0 && breaks == 0 ? 0 : 1;
}
