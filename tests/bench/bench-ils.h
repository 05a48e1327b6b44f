/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The test ILS (tests/ils/sip2-ils.c) for the lending benchmarks: started in a scratch folder
 * with a login "bench"/"bench-pw", on the port it picks and writes down. */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lending/sip2-client.h"

/* Starts ils (its path) with dir (an existing folder) for its files; returns its pid and the
 * port in *ret_port, or -1 (with what failed in *ret_what). */
static inline pid_t bench_ils_start(const char *ils, const char *dir, unsigned *ret_port, const char **ret_what) {
        char portf[256], cred[256], buf[32];
        unsigned port = 0;
        pid_t pid;
        FILE *f;

        snprintf(portf, sizeof(portf), "%s/port", dir);
        snprintf(cred, sizeof(cred), "%s/login", dir);
        f = fopen(cred, "w");
        if (!f || fputs("bench\nbench-pw\n", f) < 0 || fclose(f) != 0 || chmod(cred, 0600) < 0) {
                *ret_what = "credential";
                return -1;
        }
        pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                execl(ils, ils, "--port-file", portf, "--credential", cred, (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 200 && port == 0; i++) {
                f = fopen(portf, "r");
                if (f) {
                        if (fgets(buf, sizeof(buf), f))
                                port = (unsigned) atoi(buf);
                        fclose(f);
                }
                if (port == 0)
                        usleep(25000);
        }
        if (port == 0) {
                *ret_what = "the test ILS did not start";
                return -1;
        }
        *ret_port = port;
        return pid;
}

/* Stops it and removes its files from dir (not dir itself). */
static inline void bench_ils_stop(pid_t pid, const char *dir) {
        char path[256];

        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        snprintf(path, sizeof(path), "%s/port", dir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/login", dir);
        unlink(path);
}

/* A client of it, connected and logged in: 0, or -1. */
static inline int bench_ils_client(unsigned port, Sip2Client **ret) {
        Sip2ClientConfig cfg = { .host = "127.0.0.1", .port = (uint16_t) port, .institution = "CITY", .location = "Bench",
                                 .user = "bench", .password = "bench-pw", .reply_timeout_ms = 5000,
                                 .resend_max = 2, .reconnect_max = 0 };
        Sip2ClientError e;

        if (sip2_client_new(&cfg, ret) < 0)
                return -1;
        return sip2_client_connect(*ret, &e) < 0 ? -1 : 0;
}
