/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* make bench: a SIP2 checkout through the client (lending/sip2-client.h) against the test ILS
 * (tests/ils/sip2-ils.c), beside a bare round trip to the same server in the same run: a
 * pre-built SC status request (99) written on a plain socket and read back up to its CR, with no
 * building, parsing or checking on our side. The difference is the client's own cost plus the
 * ILS's for a checkout rather than a status. Samples alternate in rounds (the machine is
 * shared); each checkout is followed by an untimed checkin of the same item.
 *
 * usage: bench-sip2 PATH-OF-sip2-ils */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lending/sip2-client.h"
#include "tests/bench/bench-ils.h"

#define ROUNDS 10
#define PER_ROUND 100

static int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static int64_t pct(int64_t *v, size_t n, unsigned p) {
        size_t i = (n * p + 99) / 100;
        return v[i > 0 ? i - 1 : 0];
}

static void die(const char *what) {
        fprintf(stderr, "bench-sip2: %s\n", what);
        exit(1);
}

/* One message on the raw socket, read back up to its CR. */
static void raw_exchange(int fd, const char *m, size_t n) {
        char buf[SIP2_MSG_MAX];
        size_t got = 0;

        if (send(fd, m, n, MSG_NOSIGNAL) != (ssize_t) n)
                die("raw send");
        for (;;) {
                ssize_t k = recv(fd, buf + got, sizeof(buf) - got, 0);
                if (k <= 0)
                        die("raw recv");
                got += (size_t) k;
                if (memchr(buf, '\r', got))
                        return;
        }
}

int main(int argc, char *argv[]) {
        char dir[] = "/tmp/bench-sip2-XXXXXX";
        const char *why = NULL;
        static int64_t checkout[ROUNDS * PER_ROUND], rtt[ROUNDS * PER_ROUND];
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        Sip2ClientError e;
        Sip2Result res;
        Sip2Writer w;
        const char *msg;
        unsigned port = 0;
        size_t n = 0;
        pid_t pid;
        int fd, len;

        if (argc != 2)
                die("usage: bench-sip2 PATH-OF-sip2-ils");
        if (!mkdtemp(dir))
                die("mkdtemp");
        pid = bench_ils_start(argv[1], dir, &port, &why);
        if (pid < 0)
                die(why);

        if (bench_ils_client(port, &c) < 0)
                die("client connect");

        /* The bare connection: logged in once, then the same pre-built 99 each time. */
        a.sin_port = htons((uint16_t) port);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof(a)) < 0)
                die("raw connect");
        (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int) { 1 }, sizeof(int));
        len = sip2_build_login(&w, &(Sip2Login) { "bench", "bench-pw", NULL }, 0, &msg);
        raw_exchange(fd, msg, (size_t) len);
        char status[64];
        len = sip2_build_sc_status(&w, 1, &msg);
        memcpy(status, msg, (size_t) len);

        for (int r = 0; r < ROUNDS; r++) {
                for (int i = 0; i < PER_ROUND; i++) {
                        int64_t t0 = now_ns();
                        raw_exchange(fd, status, (size_t) len);
                        rtt[n] = now_ns() - t0;
                        t0 = now_ns();
                        if (sip2_client_checkout(c, "P-OK", "I-AVAIL-1", time(NULL), &res, &e) < 0)
                                die(e.detail);
                        checkout[n] = now_ns() - t0;
                        if (sip2_client_checkin(c, "I-AVAIL-1", time(NULL), &res, &e) < 0)
                                die(e.detail);
                        n++;
                }
        }
        close(fd);
        bench_ils_stop(pid, dir);
        rmdir(dir);

        qsort(checkout, n, sizeof(int64_t), cmp);
        qsort(rtt, n, sizeof(int64_t), cmp);
        printf("sip2_samples=%zu\n", n);
        printf("sip2_checkout_p50_us=%.1f\n", (double) pct(checkout, n, 50) / 1000.0);
        printf("sip2_checkout_p99_us=%.1f\n", (double) pct(checkout, n, 99) / 1000.0);
        printf("tcp_rtt_p50_us=%.1f\n", (double) pct(rtt, n, 50) / 1000.0);
        printf("tcp_rtt_p99_us=%.1f\n", (double) pct(rtt, n, 99) / 1000.0);
        return 0;
}
