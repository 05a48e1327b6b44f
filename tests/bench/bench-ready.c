/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* How long qrgated takes to become ready with a large configuration: 500 issuer keys and an EU
 * DCC trust list of 1,000 signer certificates. ready_ms runs from exec() of the real daemon to
 * the READY=1 it sends to $NOTIFY_SOCKET (this program listens there, as systemd would); beside
 * it, keys_ms is the time this process takes to load the same configuration, keys and trust
 * list through the same library calls — the floor the daemon's start is made of. Medians of
 * alternating rounds.
 *
 * usage: bench-ready DAEMON BUS-ADDRESS DIR [ROUNDS] */

#include <errno.h>
#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config.h"
#include "tests/bench/bench-util.h"

#define N_KEYS 500
#define N_DSCS 1000

static void die(const char *what) {
        fprintf(stderr, "bench-ready: %s\n", what);
        exit(1);
}

static EVP_PKEY *new_key(void) {
        EVP_PKEY *k = EVP_EC_gen("P-256");
        if (!k)
                die("EVP_EC_gen");
        return k;
}

static void write_pub(const char *path, EVP_PKEY *k) {
        FILE *f = fopen(path, "we");
        if (!f || PEM_write_PUBKEY(f, k) != 1 || fclose(f) != 0)
                die("cannot write a public key");
}

/* A self-signed signer certificate, valid for a year, as a national backend's DSC would be. */
static void write_dsc(const char *path, EVP_PKEY *k, long serial) {
        X509 *x = X509_new();
        X509_NAME *name;
        FILE *f;

        if (!x || X509_set_version(x, 2) != 1 || ASN1_INTEGER_set(X509_get_serialNumber(x), serial) != 1 ||
            !X509_gmtime_adj(X509_getm_notBefore(x), -86400) || !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400))
                die("X509");
        name = X509_get_subject_name(x);
        if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *) "DSC bench", -1, -1, 0) != 1 ||
            X509_set_issuer_name(x, name) != 1 || X509_set_pubkey(x, k) != 1 || X509_sign(x, k, EVP_sha256()) <= 0)
                die("X509 sign");
        f = fopen(path, "we");
        if (!f || PEM_write_X509(f, x) != 1 || fclose(f) != 0)
                die("cannot write a certificate");
        X509_free(x);
}

static void make_configuration(const char *dir, char *conf, size_t size) {
        char path[4096];
        FILE *f;

        snprintf(path, sizeof(path), "%s/keys", dir);
        (void) mkdir(path, 0700);
        snprintf(path, sizeof(path), "%s/dsc", dir);
        (void) mkdir(path, 0700);
        snprintf(conf, size, "%s/qrgate.conf", dir);
        f = fopen(conf, "we");
        if (!f)
                die("cannot write the configuration");
        /* Ten issuers of fifty keys (a configuration holds at most 64 of either). */
        fprintf(f, "state_directory = \"%s/state\";\nissuers = (\n", dir);
        for (int i = 0; i < N_KEYS; i++) {
                EVP_PKEY *k = new_key();
                snprintf(path, sizeof(path), "%s/keys/issuer%d-k%d.pub", dir, i / 50, i % 50);
                write_pub(path, k);
                EVP_PKEY_free(k);
                if (i % 50 == 0)
                        fprintf(f, "%s { id = \"issuer%d\"; keys = (\n", i ? "," : "", i / 50);
                fprintf(f, "    %s{ kid = \"k%d\"; file = \"%s\"; }\n", i % 50 ? "," : "", i % 50, path);
                if (i % 50 == 49)
                        fprintf(f, "  ); }\n");
        }
        fprintf(f, ");\n");
        for (int i = 0; i < N_DSCS; i++) {
                EVP_PKEY *k = new_key();
                snprintf(path, sizeof(path), "%s/dsc/dsc%04d.pem", dir, i);
                write_dsc(path, k, i + 1);
                EVP_PKEY_free(k);
        }
        fprintf(f,
                "dcc: { trust_list = [ \"%s/dsc\" ]; };\n"
                "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"building.A.enter\" ]; } );\n",
                dir);
        if (fclose(f) != 0)
                die("cannot write the configuration");
}

/* The floor: the same configuration, keys and trust list, loaded in this process. */
static double load_ms(const char *conf) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        _cleanup_(trustlist_freep) TrustList *tl = NULL;
        _cleanup_(freep) char *e1 = NULL, *e2 = NULL, *e3 = NULL, *notes = NULL;
        int64_t t0 = bench_now_ns();

        if (config_load(conf, &c, &e1) < 0 || config_build_keystore(c, &ks, &e2) != 0 ||
            config_build_trustlist(c, 0, &tl, &e3, &notes) != 0)
                die(e1 ?: e2 ?: e3 ?: "cannot load the configuration");
        if (keystore_size(ks) != N_KEYS || trustlist_count(tl) != N_DSCS)
                die("not every key or certificate loaded");
        return (double) (bench_now_ns() - t0) / 1e6;
}

/* exec() to READY=1 of the real daemon, then a clean stop. */
static double ready_ms(const char *daemon, const char *conf, const char *addr, const char *dir) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char buf[4096], notify[108], env[160];
        int fd, status;
        pid_t pid;
        int64_t t0, t1 = 0;

        snprintf(notify, sizeof(notify), "%s/notify", dir);
        (void) unlink(notify);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", notify);
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                die("cannot listen for READY=1");
        snprintf(env, sizeof(env), "NOTIFY_SOCKET=%s", notify);
        t0 = bench_now_ns();
        pid = fork();
        if (pid < 0)
                die("fork");
        /* The child's stderr goes to DIR/daemon.log. */
        if (pid == 0) {
                char log[4200];
                snprintf(log, sizeof(log), "%s/daemon.log", dir);
                int out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
                if (out >= 0)
                        dup2(out, STDERR_FILENO);
                putenv(env);
                execl(daemon, daemon, "--config", conf, "--bus", addr, (char *) NULL);
                _exit(127);
        }
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                if (poll(&p, 1, 60000) <= 0)
                        die("no READY=1 within 60 s (DIR/daemon.log says why)");
                ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
                if (n < 0)
                        continue;
                buf[n] = 0;
                if (strstr(buf, "READY=1")) {
                        t1 = bench_now_ns();
                        break;
                }
        }
        kill(pid, SIGTERM);
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                die("qrgated did not stop cleanly");
        close(fd);
        return (double) (t1 - t0) / 1e6;
}

int main(int argc, char *argv[]) {
        double ready[16], load[16];
        char conf[4096];
        int rounds;

        if (argc < 4)
                die("usage: bench-ready DAEMON BUS-ADDRESS DIR [ROUNDS]");
        rounds = argc > 4 ? atoi(argv[4]) : 5;
        if (rounds < 1 || rounds > 16)
                die("ROUNDS is 1-16");
        make_configuration(argv[3], conf, sizeof(conf));
        for (int i = 0; i < rounds; i++) {
                load[i] = load_ms(conf);
                ready[i] = ready_ms(argv[1], conf, argv[2], argv[3]);
        }
        qsort(ready, (size_t) rounds, sizeof(double), bench_cmp_double);
        qsort(load, (size_t) rounds, sizeof(double), bench_cmp_double);
        printf("ready_keys=%d ready_dscs=%d\n", N_KEYS, N_DSCS);
        printf("ready_ms=%.1f\n", ready[rounds / 2]);
        printf("keys_ms=%.1f\n", load[rounds / 2]);
        printf("ready_vs_keys=%.2f\n", ready[rounds / 2] / load[rounds / 2]);
        return 0;
}
