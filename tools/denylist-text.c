/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "core/barcode.h"
#include "core/claims.h"
#include "tools/denylist-text.h"
#include "tools/util.h"

#define FIELDS_MAX 4

/* Splits line (changed in place) at blanks into at most FIELDS_MAX fields, after cutting it at
 * '#'; returns how many there are, FIELDS_MAX + 1 when there are more. */
static size_t split(char *line, char *field[static FIELDS_MAX]) {
        size_t n = 0;
        char *save = NULL;

        line[strcspn(line, "#\r\n")] = '\0';
        for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                if (n == FIELDS_MAX)
                        return FIELDS_MAX + 1;
                field[n++] = t;
        }
        return n;
}

static bool barcode_id_is_valid(const char *s) {
        size_t n = strlen(s);
        /* Digits as the verifier normalizes them (core/barcode.h), an ISBN-10's final X among them. */
        return n > 0 && n <= BARCODE_DIGITS_MAX && strspn(s, "0123456789X") == n;
}

/* One entry line's fields into b, or the reason it is wrong. */
static const char *parse_entry(DenyListBuilder *b, char *const *f, size_t n, int *ret) {
        DenyType t = deny_type_from_string(f[0]);
        uint8_t cti[QG1_CTI_MAX];
        size_t len;

        *ret = 0;
        switch (t) {
        case DENY_CARD:
        case DENY_SUBJECT:
                if (n != 3)
                        return t == DENY_CARD ? "'card' takes an issuer and a serial: card ISS SERIAL"
                                              : "'subject' takes an issuer and a subject: subject ISS SUB";
                if (!claim_text_is_valid(f[1]) || !claim_text_is_valid(f[2]))
                        return "an issuer, subject or serial is 1-64 printable ASCII characters";
                *ret = denylist_builder_add_pair(b, t, f[1], f[2]);
                return NULL;
        case DENY_CTI:
                if (n != 2)
                        return "'cti' takes one code id in hex: cti HEX";
                if (parse_hex(f[1], cti, sizeof(cti), &len) < 0 || len < QG1_CTI_MIN)
                        return "a code id is 8-32 bytes of hex (16-64 hex digits)";
                *ret = denylist_builder_add(b, DENY_CTI, cti, len);
                return NULL;
        case DENY_BARCODE:
                if (n != 3)
                        return "'barcode' takes a format and the barcode's digits: barcode codabar|ean13|isbn DIGITS";
                if (!barcode_id_is_valid(f[2]))
                        return "a barcode is 1-14 digits (an ISBN-10 may end in X), without start or stop characters";
                *ret = denylist_builder_add_barcode(b, f[1], f[2]);
                return *ret == -EINVAL ? "the barcode format is not codabar, ean13 or isbn" : NULL;
        default:
                return "not an entry: a line is card, subject, cti or barcode, then its values";
        }
}

int denylist_text_parse(FILE *f, const char *name, DenyListBuilder *b, FILE *err) {
        _cleanup_(freep) char *line = NULL;
        size_t size = 0, fields;
        unsigned lineno = 0, bad = 0;
        int added = 0, r;
        char *field[FIELDS_MAX];

        while (getline(&line, &size, f) >= 0) {
                lineno++;
                if (strlen(line) != strcspn(line, "\n") + (line[strcspn(line, "\n")] == '\n')) {
                        fprintf(err, "%s:%u: a NUL byte in the line\n", name, lineno);
                        bad++;
                        continue;
                }
                fields = split(line, field);
                if (fields == 0)
                        continue;
                const char *why = fields > FIELDS_MAX ? "too many fields" : parse_entry(b, field, fields, &r);
                if (!why && r == -ENOMEM)
                        return -ENOMEM;
                if (!why && r == -ENOSPC)
                        why = "more entries than a deny-list may have (8388608)";
                else if (!why && r < 0)
                        why = strerror(-r);
                if (why) {
                        fprintf(err, "%s:%u: %s\n", name, lineno, why);
                        bad++;
                } else
                        added++;
        }
        if (ferror(f))
                return -EIO;
        return bad > 0 ? -EINVAL : added;
}
