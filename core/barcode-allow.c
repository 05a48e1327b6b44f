/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/barcode-allow.h"
#include "core/barcode.h"
#include "core/check-digit.h"
#include "core/claims.h"
#include "core/fileio.h"

typedef struct Entry {
        char id[BARCODE_DIGITS_MAX + 1];
        uint32_t line;
        const char *sub; /* in BarcodeAllow.text; NULL: the id itself */
} Entry;

struct BarcodeAllow {
        char *text; /* the file, its subjects cut out in place */
        Entry *entries; /* sorted by id */
        size_t n;
};

typedef struct Report {
        FILE *f;
        char *buf;
        size_t size;
        const char *name;
        size_t count;
} Report;

_printf_(3, 4) static void report(Report *r, size_t line, const char *fmt, ...) {
        va_list ap;

        if (r->count++ >= BARCODE_ALLOW_ERRORS_MAX)
                return;
        fprintf(r->f, "%s:%zu: ", r->name, line);
        va_start(ap, fmt);
        vfprintf(r->f, fmt, ap);
        va_end(ap);
        fputc('\n', r->f);
}

BarcodeAllow *barcode_allow_free(BarcodeAllow *a) {
        if (!a)
                return NULL;
        free(a->entries);
        free(a->text);
        free(a);
        return NULL;
}

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

/* A barcode some door could be shown: the verifier's normalized id with a right check digit. */
static const char *barcode_id_problem(const char *s, size_t n) {
        if (strspn(s, "0123456789") != n)
                return "is not digits only (a barcode as the verifier gives it: no AIM identifier, no Codabar "
                       "start/stop characters)";
        if (n == 14)
                return check_digit_luhn(s, 13) == s[13] - '0' ? NULL
                       : "has a wrong check digit for a 14-digit library card (Luhn): no card could match it";
        if (n == 13)
                return check_digit_gs1(s, 12) == s[12] - '0' ? NULL
                       : "has a wrong check digit for a 13-digit EAN-13/ISBN-13 (GS1): no barcode could match it";
        return "is neither a 14-digit library card nor a 13-digit EAN-13/ISBN-13: no barcode could match it";
}

/* One line (NUL-terminated in place, its end of line removed): nothing, or one more entry. */
static int parse_line(BarcodeAllow *a, size_t *allocated, char *line, size_t lineno, Report *rep) {
        char *p = line, *id, *sub = NULL;
        size_t n;
        const char *why;

        while (is_blank(*p))
                p++;
        if (*p == '\0' || *p == '#')
                return 0;
        id = p;
        n = strcspn(p, " \t");
        p += n;
        if (*p != '\0') {
                *p++ = '\0';
                while (is_blank(*p))
                        p++;
                if (*p != '\0' && *p != '#') {
                        sub = p;
                        p += strcspn(p, " \t");
                        if (*p != '\0') {
                                *p++ = '\0';
                                while (is_blank(*p))
                                        p++;
                                if (*p != '\0' && *p != '#') {
                                        report(rep, lineno, "more than a barcode and a subject (subjects have no "
                                               "spaces; a comment starts with '#')");
                                        return 0;
                                }
                        }
                }
        }
        if (n > BARCODE_DIGITS_MAX && strspn(id, "0123456789") == n) {
                report(rep, lineno, "barcode \"%.20s...\" is longer than %d digits", id, BARCODE_DIGITS_MAX);
                return 0;
        }
        why = barcode_id_problem(id, n);
        if (why) {
                report(rep, lineno, "barcode \"%.*s%s\" %s", BARCODE_DIGITS_MAX + 6, id,
                       n > BARCODE_DIGITS_MAX + 6 ? "..." : "", why);
                return 0;
        }
        if (sub && !claim_text_is_valid(sub)) {
                report(rep, lineno, "subject of barcode %s is not 1-64 printable ASCII characters", id);
                return 0;
        }
        if (a->n == *allocated) {
                size_t m = MAX(*allocated * 2, (size_t) 64);
                Entry *e = reallocarray(a->entries, m, sizeof(Entry));
                if (!e)
                        return -ENOMEM;
                a->entries = e;
                *allocated = m;
        }
        Entry *e = &a->entries[a->n++];
        memcpy(e->id, id, n + 1);
        e->line = (uint32_t) MIN(lineno, (size_t) UINT32_MAX);
        e->sub = sub;
        return 0;
}

static int entry_compare(const void *x, const void *y) {
        const Entry *a = x, *b = y;
        int c = strcmp(a->id, b->id);
        return c != 0 ? c : (a->line > b->line) - (a->line < b->line);
}

int barcode_allow_parse(const char *text, size_t len, const char *name, BarcodeAllow **ret, char **ret_errors) {
        _cleanup_(barcode_allow_freep) BarcodeAllow *a = calloc(1, sizeof(BarcodeAllow));
        Report rep = { .name = name };
        size_t allocated = 0, lineno = 0;
        int r = 0;

        *ret_errors = NULL;
        if (!a)
                return -ENOMEM;
        a->text = malloc(len + 1);
        if (!a->text)
                return -ENOMEM;
        memcpy_safe(a->text, text, len);
        a->text[len] = '\0';
        rep.f = open_memstream(&rep.buf, &rep.size);
        if (!rep.f)
                return -ENOMEM;

        for (size_t pos = 0; pos < len && r >= 0;) {
                char *line = a->text + pos, *end = memchr(line, '\n', len - pos);
                size_t n = end ? (size_t) (end - line) : len - pos;

                lineno++;
                pos += n + (end != NULL);
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                if (n > BARCODE_ALLOW_LINE_MAX) {
                        report(&rep, lineno, "line longer than %d characters", BARCODE_ALLOW_LINE_MAX);
                        continue;
                }
                line[n] = '\0';
                if (strlen(line) != n) {
                        report(&rep, lineno, "a NUL character in the line (not a text file?)");
                        continue;
                }
                r = parse_line(a, &allocated, line, lineno, &rep);
        }

        if (r >= 0 && a->n > 0) {
                qsort(a->entries, a->n, sizeof(Entry), entry_compare);
                for (size_t i = 1; i < a->n; i++)
                        if (strcmp(a->entries[i].id, a->entries[i - 1].id) == 0)
                                report(&rep, a->entries[i].line, "barcode %s is listed again (first on line %" PRIu32
                                       "): one barcode maps to one subject", a->entries[i].id, a->entries[i - 1].line);
        }
        if (rep.count > BARCODE_ALLOW_ERRORS_MAX)
                fprintf(rep.f, "%s: %zu more problems\n", name, rep.count - BARCODE_ALLOW_ERRORS_MAX);
        if (fclose(rep.f) != 0 || !rep.buf)
                r = -ENOMEM;
        if (r < 0) {
                free(rep.buf);
                return r;
        }
        if (rep.count > 0) {
                *ret_errors = rep.buf;
                return -EBADMSG;
        }
        free(rep.buf);
        *ret = TAKE_PTR(a);
        return 0;
}

int barcode_allow_load(const char *path, BarcodeAllow **ret, char **ret_errors) {
        _cleanup_(freep) char *text = NULL;
        size_t size;
        int r;

        *ret_errors = NULL;
        r = read_regular_file(AT_FDCWD, path, BARCODE_ALLOW_FILE_MAX, 0, &text, &size);
        if (r < 0)
                return r;
        return barcode_allow_parse(text, size, path, ret, ret_errors);
}

const char *barcode_allow_lookup(const BarcodeAllow *a, const char *id) {
        size_t lo = 0, hi = a->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = strcmp(a->entries[mid].id, id);
                if (c == 0)
                        return a->entries[mid].sub ?: a->entries[mid].id;
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

size_t barcode_allow_size(const BarcodeAllow *a) {
        return a->n;
}
