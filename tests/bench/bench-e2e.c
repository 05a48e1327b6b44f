/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* End-to-end latency through the real qrgated: from the moment the last byte of a code has been
 * written to a door's scanner FIFO until (a) that door's lock output changes (the sim backend's
 * output FIFO delivers '1') and (b) the Decision signal reaches this client over D-Bus. Then the
 * daemon's RSS and how often it wakes up when idle. The verify time of the same codes in this
 * process is printed beside it, as the floor.
 *
 * usage: bench-e2e DAEMON CONFIG BUS-ADDRESS DIR KEYFILE DOORS COUNT
 * DIR holds scanN (the daemon's FIFO sources) and lockN (the sim lock outputs, FIFOs we read),
 * N = 0..DOORS-1; the doors are used in turn so each has relocked before its next code. */

#include <errno.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <poll.h>
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
#include "core/qg1-mint.h"
#include "core/verifier.h"
#include "tests/bench/bench-util.h"
#include "tools/keyfile.h"


static int64_t signal_at;

static int on_decision(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        signal_at = bench_now_ns();
        return 0;
}

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double pct(int64_t *v, int n, double p) {
        qsort(v, (size_t) n, sizeof(int64_t), cmp);
        return (double) v[(int) ((n - 1) * p)] / 1000.0;
}

static long proc_field(pid_t pid, const char *field) {
        char path[64], line[256];
        long v = -1, sum = 0;
        snprintf(path, sizeof(path), "/proc/%d/status", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, field, strlen(field)) == 0)
                        v = atol(line + strlen(field)), sum += v;
        fclose(f);
        return v < 0 ? -1 : sum;
}

static void die(const char *what) {
        fprintf(stderr, "bench-e2e: %s\n", what);
        exit(1);
}

int main(int argc, char *argv[]) {
        if (argc != 8)
                die("usage: bench-e2e DAEMON CONFIG BUS-ADDRESS DIR KEYFILE DOORS COUNT");
        const char *daemon = argv[1], *config = argv[2], *addr = argv[3], *dir = argv[4], *keyfile = argv[5];
        int doors = atoi(argv[6]), count = atoi(argv[7]);
        int lockfd[64], scanfd[64];
        char path[4096];
        sd_bus *bus = NULL;
        EVP_PKEY *key = NULL;

        if (doors < 1 || doors > 64 || count < 1)
                die("bad DOORS or COUNT");
        /* Readers first: the daemon opens the outputs non-blocking, which needs a reader. */
        for (int d = 0; d < doors; d++) {
                snprintf(path, sizeof(path), "%s/lock%d", dir, d);
                if (mkfifo(path, 0600) < 0 && errno != EEXIST)
                        die("mkfifo");
                lockfd[d] = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (lockfd[d] < 0)
                        die("open lock output");
        }

        pid_t pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, STDERR_FILENO);
                execl(daemon, daemon, "--config", config, "--bus", addr, (char *) NULL);
                _exit(127);
        }

        if (bus_connect(addr, &bus) < 0)
                die("cannot connect to the bus");
        for (int i = 0;; i++) {
                if (sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "GetNameOwner", NULL, NULL, "s", BUS_NAME) >= 0)
                        break;
                if (i > 200)
                        die("qrgated did not come up");
                usleep(50000);
        }
        if (bus_match_signal(bus, NULL, bus_gate_manager, "Decision", on_decision, NULL) < 0)
                die("match");
        for (int d = 0; d < doors; d++) {
                snprintf(path, sizeof(path), "%s/scan%d", dir, d);
                scanfd[d] = open(path, O_WRONLY | O_CLOEXEC);
                if (scanfd[d] < 0)
                        die("open scanner FIFO");
        }

        /* Codes are made before the clock runs. */
        if (keyfile_load_private(keyfile, &key) < 0)
                die("key");
        char **codes = calloc((size_t) count, sizeof(char *));
        for (int i = 0; i < count; i++) {
                CodeClaims c = { .iss = "city", .sub = "p-bench", .iat = (int64_t) time(NULL), .cti_len = 16,
                                 .status = CODE_STATUS_GREEN, .n_scopes = 1, .scopes = { "building.A.enter" } };
                c.exp = c.iat + 60;
                memcpy(c.cti, &i, sizeof(i));
                c.cti[15] = 0x5a;
                char *t;
                if (qg1_mint(key, (const uint8_t *) "k1", 2, &c, &t) < 0)
                        die("mint");
                codes[i] = realloc(t, strlen(t) + 2);
                strcat(codes[i], "\n");
        }

        int64_t *lock_lat = calloc((size_t) count, sizeof(int64_t)), *sig_lat = calloc((size_t) count, sizeof(int64_t));
        char drain[256];
        for (int d = 0; d < doors; d++)
                while (read(lockfd[d], drain, sizeof(drain)) > 0)
                        ;
        for (int i = 0; i < count; i++) {
                int d = i % doors;
                int64_t lock_at = 0;
                /* Wait until this door has relocked ('0') from its previous code. */
                if (i >= doors) {
                        struct pollfd p = { .fd = lockfd[d], .events = POLLIN };
                        char c = 0;
                        while (c != '0') {
                                if (poll(&p, 1, 2000) <= 0)
                                        die("door did not relock");
                                if (read(lockfd[d], &c, 1) < 0 && errno != EAGAIN)
                                        die("read lock");
                        }
                }
                while (sd_bus_process(bus, NULL) > 0)
                        ;
                signal_at = 0;
                size_t len = strlen(codes[i]);
                if (write(scanfd[d], codes[i], len) != (ssize_t) len)
                        die("write code");
                int64_t t0 = bench_now_ns();
                while (!lock_at || !signal_at) {
                        struct pollfd p[2] = { { .fd = lockfd[d], .events = POLLIN },
                                               { .fd = sd_bus_get_fd(bus), .events = (short) sd_bus_get_events(bus) } };
                        if (poll(p, 2, 2000) <= 0)
                                die("no lock change or no Decision signal within 2 s");
                        if (p[0].revents & POLLIN) {
                                char c;
                                if (read(lockfd[d], &c, 1) == 1 && c == '1' && !lock_at)
                                        lock_at = bench_now_ns();
                        }
                        while (sd_bus_process(bus, NULL) > 0)
                                ;
                }
                lock_lat[i] = lock_at - t0;
                sig_lat[i] = signal_at - t0;
        }

        /* The floor: the same verification in this process. */
        Keystore *ks;
        BIO *b = BIO_new(BIO_s_mem());
        char *pem;
        keystore_new(&ks);
        PEM_write_bio_PUBKEY(b, key);
        long pem_len = BIO_get_mem_data(b, &pem);
        keystore_add_pem(ks, "city", (const uint8_t *) "k1", 2, pem, (size_t) pem_len);
        Verifier v = { .keys = ks, .max_lifetime = 120, .clock_skew = 30 };
        int64_t t0 = bench_now_ns();
        for (int i = 0; i < count; i++) {
                VerifyResult res;
                if (verifier_check(&v, codes[i], strlen(codes[i]) - 1, (int64_t) time(NULL), &res) != REASON_OK)
                        die("verify");
        }
        double verify_us = (double) (bench_now_ns() - t0) / 1000.0 / count;

        /* Idle: let every door relock, then count the daemon's context switches. */
        sleep(1);
        long rss = proc_field(pid, "VmRSS:");
        long cs0 = proc_field(pid, "voluntary_ctxt_switches:") + proc_field(pid, "nonvoluntary_ctxt_switches:");
        sleep(5);
        long cs1 = proc_field(pid, "voluntary_ctxt_switches:") + proc_field(pid, "nonvoluntary_ctxt_switches:");

        kill(pid, SIGTERM);
        int status;
        waitpid(pid, &status, 0);

        printf("e2e_codes=%d\n", count);
        printf("e2e_lock_p50_us=%.0f\n", pct(lock_lat, count, 0.50));
        printf("e2e_lock_p99_us=%.0f\n", pct(lock_lat, count, 0.99));
        printf("e2e_signal_p50_us=%.0f\n", pct(sig_lat, count, 0.50));
        printf("e2e_signal_p99_us=%.0f\n", pct(sig_lat, count, 0.99));
        printf("verify_us=%.0f\n", verify_us);
        printf("e2e_lock_p50_vs_verify=%.2f\n", pct(lock_lat, count, 0.50) / verify_us);
        printf("rss_kb=%ld\n", rss);
        printf("idle_wakeups_per_s=%.1f\n", (double) (cs1 - cs0) / 5.0);
        printf("daemon_exit_status=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return 0;
}
