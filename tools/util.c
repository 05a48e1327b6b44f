/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/util.h"

int verb_dispatch(const Verb *verbs, size_t n, int argc, char *argv[]) {
        for (size_t i = 0; argc >= 2 && i < n; i++) {
                if (strcmp(argv[1], verbs[i].name) != 0)
                        continue;
                if (argc >= 3 && arg_is_help(argv[2])) {
                        printf("usage: %s", verbs[i].usage);
                        return 0;
                }
                if (argc >= 3 && arg_is_version(argv[2])) {
                        print_version();
                        return 0;
                }
                return verbs[i].run(argc - 1, argv + 1);
        }
        return -ENOENT;
}

bool arg_is_help(const char *arg) {
        return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

bool arg_is_help_command(const char *arg) {
        return arg_is_help(arg) || strcmp(arg, "help") == 0;
}

bool arg_is_version(const char *arg) {
        return strcmp(arg, "--version") == 0;
}

void print_version(void) {
        printf("%s %s\n", program_invocation_short_name, QRGATE_VERSION);
}

int parse_int64(const char *s, int64_t *ret) {
        char *end;
        long long v;

        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno == ERANGE)
                return -ERANGE;
        if (end == s || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int parse_hex(const char *s, uint8_t *out, size_t max, size_t *ret_len) {
        size_t n = strlen(s);

        if (n % 2)
                return -EINVAL;
        if (n / 2 > max)
                return -ENOBUFS;
        for (size_t i = 0; i < n; i += 2) {
                int hi = hexval(s[i]), lo = hexval(s[i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                out[i / 2] = (uint8_t) (hi << 4 | lo);
        }
        *ret_len = n / 2;
        return 0;
}

void print_hex(FILE *f, const uint8_t *p, size_t n) {
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%02x", p[i]);
}

const char *format_utc(int64_t t, char *buf, size_t size) {
        struct tm tm;
        time_t tt = (time_t) t;

        if (!gmtime_r(&tt, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "@%lld", (long long) t);
        return buf;
}
