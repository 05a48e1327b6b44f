/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config/config-text.h"
#include "core/macro.h"

typedef struct Report {
        const char *file;
        FILE *f;
        unsigned count;
} Report;

_printf_(3, 4) static void err_line(Report *e, unsigned line, const char *fmt, ...) {
        va_list ap;

        fprintf(e->f, "%s:%u: ", e->file, line);
        va_start(ap, fmt);
        vfprintf(e->f, fmt, ap);
        va_end(ap);
        fputc('\n', e->f);
        e->count++;
}

/* libconfig 1.5 converts an integer literal without the L suffix into an int with atoi() (hex:
 * strtoul()), one with it into a long long with atoll() (hex: strtoull()), and keeps whatever
 * bits fit: `operator_uids = [ 4294968297 ]` reads as uid 1001, typed INT, and no check made
 * after parsing can tell. So the text is checked before libconfig sees it: a literal must fit
 * in a signed 32-bit int, or with L in a signed 64-bit one. */

static bool is_name_start(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

/* libconfig's names are [A-Za-z*][-A-Za-z0-9_*]*: the digits of `key2` are not a value. */
static bool is_name_char(char c) {
        return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static int hex_value(char c) {
        return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

/* What libconfig makes of a literal that does not fit: asking it is the one exact answer. */
static bool libconfig_reading(const char *literal, size_t len, long long *ret) {
        _cleanup_(freep) char *text = NULL;
        config_t cfg;
        bool ok;

        if (asprintf(&text, "v = %.*s;", (int) len, literal) < 0)
                return false;
        config_init(&cfg);
        ok = config_read_string(&cfg, text) == CONFIG_TRUE && config_lookup_int64(&cfg, "v", ret) == CONFIG_TRUE;
        config_destroy(&cfg);
        return ok;
}

/* Scans the number at p (a digit, or a sign or '.' before one), as libconfig's scanner would
 * (flex, longest match): hex 0x..., decimal, either with L or LL, or a float (a '.' or an
 * exponent), which is not checked. Reports an integer that does not fit; returns its end. */
static const char *check_number(Report *e, unsigned line, const char *p, const char *end) {
        const char *start = p;
        uint64_t v = 0;
        bool neg = false, overflow = false, is_long;
        int d;

        if (p + 2 < end && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hex_value(p[2]) >= 0) {
                for (p += 2; p < end && (d = hex_value(*p)) >= 0; p++) {
                        overflow = overflow || v > (UINT64_MAX >> 4);
                        v = (v << 4) | (uint64_t) d;
                }
        } else {
                if (*p == '+' || *p == '-')
                        neg = *p++ == '-';
                for (; p < end && is_digit(*p); p++) {
                        d = *p - '0';
                        overflow = overflow || v > (UINT64_MAX - (uint64_t) d) / 10;
                        v = v * 10 + (uint64_t) d;
                }
                if (p < end && *p == '.') {
                        for (p++; p < end && is_digit(*p); p++)
                                ;
                        if (p < end && (*p == 'e' || *p == 'E')) {
                                const char *x = p + 1 < end && (p[1] == '+' || p[1] == '-') ? p + 2 : p + 1;
                                if (x < end && is_digit(*x))
                                        for (p = x; p < end && is_digit(*p); p++)
                                                ;
                        }
                        return p; /* a float */
                }
                if (p < end && (*p == 'e' || *p == 'E')) {
                        const char *x = p + 1 < end && (p[1] == '+' || p[1] == '-') ? p + 2 : p + 1;
                        if (x < end && is_digit(*x)) {
                                for (p = x; p < end && is_digit(*p); p++)
                                        ;
                                return p; /* a float */
                        }
                }
        }
        is_long = p < end && *p == 'L';
        if (is_long)
                p += p + 1 < end && p[1] == 'L' ? 2 : 1;

        /* A negative value may be one further from zero than a positive one. */
        uint64_t limit32 = (uint64_t) INT32_MAX + neg, limit64 = (uint64_t) INT64_MAX + neg;
        if (!overflow && v <= (is_long ? limit64 : limit32))
                return p;

        char reading[64] = "";
        long long read_as;
        int shown = (int) MIN((size_t) (p - start), (size_t) 40);
        if (libconfig_reading(start, (size_t) (p - start), &read_as))
                snprintf(reading, sizeof(reading), " (libconfig would read it as %lld)", read_as);
        if (!is_long && !overflow && v <= limit64)
                err_line(e, line, "%.*s does not fit in 32 bits%s; append L if it is meant", shown, start, reading);
        else
                err_line(e, line, "%.*s%s does not fit in 64 bits%s", shown, start, p - start > shown ? "..." : "",
                         reading);
        return p;
}

unsigned config_text_check(const char *file, const char *text, size_t size, FILE *f) {
        Report report = { .file = file, .f = f }, *e = &report;
        const char *p = text, *end = text + size, *nul = memchr(text, '\0', size);
        unsigned line = 1;

        if (nul) {
                for (const char *q = text; q < nul; q++)
                        line += *q == '\n';
                err_line(e, line, "the file contains a NUL byte; it is not a configuration file");
                return e->count;
        }
        while (p < end) {
                char c = *p;

                if (c == '\n') {
                        line++;
                        p++;
                } else if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
                        while (p < end && *p != '\n')
                                p++;
                } else if (c == '/' && p + 1 < end && p[1] == '*') {
                        for (p += 2; p < end && !(*p == '*' && p + 1 < end && p[1] == '/'); p++)
                                line += *p == '\n';
                        p = p < end ? p + 2 : end;
                } else if (c == '"') {
                        /* A backslash escapes the next character, a quote among others. */
                        for (p++; p < end && *p != '"'; p++) {
                                if (*p == '\\' && p + 1 < end)
                                        p++;
                                line += *p == '\n';
                        }
                        p = p < end ? p + 1 : end;
                } else if (is_name_start(c)) {
                        while (p < end && is_name_char(*p))
                                p++;
                } else if (c == '@') {
                        if ((size_t) (end - p) >= 8 && memcmp(p, "@include", 8) == 0)
                                err_line(e, line, "@include is not supported: keep the configuration in one file");
                        p++;
                } else if (is_digit(c) ||
                           ((c == '+' || c == '-' || c == '.') && p + 1 < end && is_digit(p[1])) ||
                           ((c == '+' || c == '-') && p + 2 < end && p[1] == '.' && is_digit(p[2])))
                        p = check_number(e, line, p, end);
                else
                        p++;
        }
        return e->count;
}
