/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIP2 messages: one table describes every message (fixed fields, variable fields, which are
 * required), and one parser and one writer follow it. The field lists follow the 3M SIP2
 * Developers Guide, version 2.00, section "Message Formats"; docs/sip2.md repeats them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/macro.h"
#include "lending/sip2.h"

typedef enum FixedKind {
        FX_YN,         /* 'Y' or 'N' */
        FX_YNU,        /* 'Y', 'N' or 'U' (unknown) */
        FX_01,         /* '0' or '1' (ok) */
        FX_STATUS,     /* '0', '1' or '2' (SC status code) */
        FX_DIGITS,     /* decimal digits */
        FX_PADDED,     /* decimal digits right-aligned in blanks (the spec's own SC status example: " 40") */
        FX_DATE,       /* YYYYMMDDZZZZHHMMSS */
        FX_DATE_BLANK, /* a date, or 18 blanks (nb due date, return date) */
        FX_Y_SPACE,    /* each character 'Y' or ' ' (patron status, summary) */
        FX_VERSION,    /* "d.dd" */
} FixedKind;

typedef struct FixedSpec {
        const char *name;
        uint8_t len;
        FixedKind kind;
} FixedSpec;

enum { OPT = 0, REQ = 1, REP = 2 /* optional and may repeat */ };

typedef struct FieldSpec {
        const char id[3];
        uint8_t flags;
} FieldSpec;

typedef struct MessageSpec {
        const char id[3];
        const char *name;
        FixedSpec fixed[SIP2_FIXED_MAX];
        FieldSpec fields[32];
} MessageSpec;

#define DATE(n) { n, SIP2_DATE_LEN, FX_DATE }
#define TDATE DATE("transaction date")

static const MessageSpec messages[_SIP2_COMMAND_MAX] = {
        [SIP2_PATRON_STATUS] = { "23", "patron status request",
                { { "language", 3, FX_DIGITS }, TDATE },
                { { "AO", REQ }, { "AA", REQ }, { "AC", REQ }, { "AD", REQ } } },
        [SIP2_PATRON_STATUS_RESP] = { "24", "patron status response",
                { { "patron status", 14, FX_Y_SPACE }, { "language", 3, FX_DIGITS }, TDATE },
                { { "AO", REQ }, { "AA", REQ }, { "AE", REQ }, { "BL", OPT }, { "CQ", OPT }, { "BH", OPT },
                  { "BV", OPT }, { "AF", REP }, { "AG", REP } } },
        [SIP2_CHECKOUT] = { "11", "checkout",
                { { "SC renewal policy", 1, FX_YN }, { "no block", 1, FX_YN }, TDATE,
                  { "nb due date", SIP2_DATE_LEN, FX_DATE_BLANK } },
                { { "AO", REQ }, { "AA", REQ }, { "AB", REQ }, { "AC", REQ }, { "CH", OPT }, { "AD", OPT },
                  { "BO", OPT }, { "BI", OPT } } },
        [SIP2_CHECKOUT_RESP] = { "12", "checkout response",
                { { "ok", 1, FX_01 }, { "renewal ok", 1, FX_YN }, { "magnetic media", 1, FX_YNU },
                  { "desensitize", 1, FX_YNU }, TDATE },
                { { "AO", REQ }, { "AA", REQ }, { "AB", REQ }, { "AJ", REQ }, { "AH", REQ }, { "BT", OPT },
                  { "CI", OPT }, { "BH", OPT }, { "BV", OPT }, { "CK", OPT }, { "CH", OPT }, { "BK", OPT },
                  { "AF", REP }, { "AG", REP } } },
        [SIP2_CHECKIN] = { "09", "checkin",
                { { "no block", 1, FX_YN }, TDATE, { "return date", SIP2_DATE_LEN, FX_DATE_BLANK } },
                { { "AP", REQ }, { "AO", REQ }, { "AB", REQ }, { "AC", REQ }, { "CH", OPT }, { "BI", OPT } } },
        [SIP2_CHECKIN_RESP] = { "10", "checkin response",
                { { "ok", 1, FX_01 }, { "resensitize", 1, FX_YN }, { "magnetic media", 1, FX_YNU },
                  { "alert", 1, FX_YN }, TDATE },
                { { "AO", REQ }, { "AB", REQ }, { "AQ", REQ }, { "AJ", OPT }, { "CL", OPT }, { "AA", OPT },
                  { "CK", OPT }, { "CH", OPT }, { "AF", REP }, { "AG", REP } } },
        [SIP2_SC_STATUS] = { "99", "SC status",
                { { "status code", 1, FX_STATUS }, { "max print width", 3, FX_PADDED },
                  { "protocol version", 4, FX_VERSION } },
                { { "" } } },
        [SIP2_ACS_STATUS] = { "98", "ACS status",
                { { "on-line status", 1, FX_YN }, { "checkin ok", 1, FX_YN }, { "checkout ok", 1, FX_YN },
                  { "ACS renewal policy", 1, FX_YN }, { "status update ok", 1, FX_YN },
                  { "off-line ok", 1, FX_YN }, { "timeout period", 3, FX_DIGITS },
                  { "retries allowed", 3, FX_DIGITS }, DATE("date / time sync"),
                  { "protocol version", 4, FX_VERSION } },
                { { "AO", REQ }, { "AM", OPT }, { "BX", REQ }, { "AN", OPT }, { "AF", REP }, { "AG", REP } } },
        [SIP2_REQUEST_SC_RESEND] = { "96", "request SC resend", { { NULL } }, { { "" } } },
        [SIP2_REQUEST_ACS_RESEND] = { "97", "request ACS resend", { { NULL } }, { { "" } } },
        [SIP2_LOGIN] = { "93", "login",
                { { "UID algorithm", 1, FX_DIGITS }, { "PWD algorithm", 1, FX_DIGITS } },
                { { "CN", REQ }, { "CO", REQ }, { "CP", OPT } } },
        [SIP2_LOGIN_RESP] = { "94", "login response", { { "ok", 1, FX_01 } }, { { "" } } },
        [SIP2_PATRON_INFO] = { "63", "patron information",
                { { "language", 3, FX_DIGITS }, TDATE, { "summary", 10, FX_Y_SPACE } },
                { { "AO", REQ }, { "AA", REQ }, { "AC", OPT }, { "AD", OPT }, { "BP", OPT }, { "BQ", OPT } } },
        [SIP2_PATRON_INFO_RESP] = { "64", "patron information response",
                { { "patron status", 14, FX_Y_SPACE }, { "language", 3, FX_DIGITS }, TDATE,
                  { "hold items count", 4, FX_DIGITS }, { "overdue items count", 4, FX_DIGITS },
                  { "charged items count", 4, FX_DIGITS }, { "fine items count", 4, FX_DIGITS },
                  { "recall items count", 4, FX_DIGITS }, { "unavailable holds count", 4, FX_DIGITS } },
                { { "AO", REQ }, { "AA", REQ }, { "AE", REQ }, { "BZ", OPT }, { "CA", OPT }, { "CB", OPT },
                  { "BL", OPT }, { "CQ", OPT }, { "BH", OPT }, { "BV", OPT }, { "CC", OPT }, { "AS", REP },
                  { "AT", REP }, { "AU", REP }, { "AV", REP }, { "BU", REP }, { "CD", REP }, { "BD", OPT },
                  { "BE", OPT }, { "BF", OPT }, { "AF", REP }, { "AG", REP } } },
        [SIP2_ITEM_INFO] = { "17", "item information", { TDATE },
                { { "AO", REQ }, { "AB", REQ }, { "AC", OPT } } },
        [SIP2_ITEM_INFO_RESP] = { "18", "item information response",
                { { "circulation status", 2, FX_DIGITS }, { "security marker", 2, FX_DIGITS },
                  { "fee type", 2, FX_DIGITS }, TDATE },
                { { "CF", OPT }, { "AH", OPT }, { "CJ", OPT }, { "CM", OPT }, { "AB", REQ }, { "AJ", REQ },
                  { "BG", OPT }, { "BH", OPT }, { "BV", OPT }, { "CK", OPT }, { "AQ", OPT }, { "AP", OPT },
                  { "CH", OPT }, { "AF", REP }, { "AG", REP } } },
        [SIP2_RENEW] = { "29", "renew",
                { { "third party allowed", 1, FX_YN }, { "no block", 1, FX_YN }, TDATE,
                  { "nb due date", SIP2_DATE_LEN, FX_DATE_BLANK } },
                { { "AO", REQ }, { "AA", REQ }, { "AD", OPT }, { "AB", OPT }, { "AJ", OPT }, { "AC", OPT },
                  { "CH", OPT }, { "BO", OPT } } },
        [SIP2_RENEW_RESP] = { "30", "renew response",
                { { "ok", 1, FX_01 }, { "renewal ok", 1, FX_YN }, { "magnetic media", 1, FX_YNU },
                  { "desensitize", 1, FX_YNU }, TDATE },
                { { "AO", REQ }, { "AA", REQ }, { "AB", REQ }, { "AJ", REQ }, { "AH", REQ }, { "BT", OPT },
                  { "CI", OPT }, { "BH", OPT }, { "BV", OPT }, { "CK", OPT }, { "CH", OPT }, { "BK", OPT },
                  { "AF", REP }, { "AG", REP } } },
};

static const Sip2Command responses[_SIP2_COMMAND_MAX] = {
        [SIP2_PATRON_STATUS] = SIP2_PATRON_STATUS_RESP, [SIP2_CHECKOUT] = SIP2_CHECKOUT_RESP,
        [SIP2_CHECKIN] = SIP2_CHECKIN_RESP,             [SIP2_SC_STATUS] = SIP2_ACS_STATUS,
        [SIP2_LOGIN] = SIP2_LOGIN_RESP,                 [SIP2_PATRON_INFO] = SIP2_PATRON_INFO_RESP,
        [SIP2_ITEM_INFO] = SIP2_ITEM_INFO_RESP,         [SIP2_RENEW] = SIP2_RENEW_RESP,
};

static const char *const error_names[_SIP2_ERROR_MAX] = {
        [SIP2_OK] = "ok",
        [SIP2_E_TOO_LONG] = "too-long",
        [SIP2_E_NO_TERMINATOR] = "no-terminator",
        [SIP2_E_NOT_PRINTABLE] = "not-printable",
        [SIP2_E_UNKNOWN_COMMAND] = "unknown-command",
        [SIP2_E_UNEXPECTED] = "unexpected-message",
        [SIP2_E_FIXED_LENGTH] = "fixed-length",
        [SIP2_E_FIXED_VALUE] = "fixed-value",
        [SIP2_E_BAD_DATE] = "bad-date",
        [SIP2_E_BAD_FIELD] = "bad-field",
        [SIP2_E_DUPLICATE_FIELD] = "duplicate-field",
        [SIP2_E_MISSING_FIELD] = "missing-field",
        [SIP2_E_TOO_MANY_FIELDS] = "too-many-fields",
        [SIP2_E_NO_CHECKSUM] = "no-checksum",
        [SIP2_E_BAD_CHECKSUM] = "bad-checksum",
        [SIP2_E_NO_SEQUENCE] = "no-sequence",
        [SIP2_E_WRONG_SEQUENCE] = "wrong-sequence",
};

static const char *const patron_status_names[_SIP2_PS_MAX] = {
        "charge privileges denied", "renewal privileges denied", "recall privileges denied",
        "hold privileges denied", "card reported lost", "too many items charged",
        "too many items overdue", "too many renewals", "too many claims of items returned",
        "too many items lost", "excessive outstanding fines", "excessive outstanding fees",
        "recall overdue", "too many items billed",
};

const char *sip2_error_to_string(Sip2Error e) {
        return e >= 0 && e < _SIP2_ERROR_MAX ? error_names[e] : NULL;
}

const char *sip2_patron_status_name(Sip2PatronStatusBit b) {
        return b >= 0 && b < _SIP2_PS_MAX ? patron_status_names[b] : NULL;
}

const char *sip2_command_id(Sip2Command c) {
        return c >= 0 && c < _SIP2_COMMAND_MAX ? messages[c].id : NULL;
}

const char *sip2_command_name(Sip2Command c) {
        return c >= 0 && c < _SIP2_COMMAND_MAX ? messages[c].name : NULL;
}

Sip2Command sip2_command_from_id(const char *id) {
        for (Sip2Command c = 0; c < _SIP2_COMMAND_MAX; c++)
                if (id[0] == messages[c].id[0] && id[0] && id[1] == messages[c].id[1])
                        return c;
        return _SIP2_COMMAND_INVALID;
}

Sip2Command sip2_command_response(Sip2Command request) {
        if (request < 0 || request >= _SIP2_COMMAND_MAX || responses[request] == 0)
                return _SIP2_COMMAND_INVALID; /* no request answers with SIP2_PATRON_STATUS (0) */
        return responses[request];
}

const char *sip2_fixed_name(Sip2Command c, size_t i) {
        if (c < 0 || c >= _SIP2_COMMAND_MAX || i >= SIP2_FIXED_MAX)
                return NULL;
        return messages[c].fixed[i].name;
}

static size_t fixed_length(const MessageSpec *s) {
        size_t n = 0;
        for (size_t i = 0; i < SIP2_FIXED_MAX && s->fixed[i].name; i++)
                n += s->fixed[i].len;
        return n;
}

static const FieldSpec *field_spec(const MessageSpec *s, const char *id) {
        for (size_t i = 0; i < ELEMENTSOF(s->fields) && s->fields[i].id[0]; i++)
                if (memcmp(s->fields[i].id, id, 2) == 0)
                        return &s->fields[i];
        return NULL;
}

uint16_t sip2_checksum(const char *p, size_t n) {
        uint16_t sum = 0;
        for (size_t i = 0; i < n; i++)
                sum = (uint16_t) (sum + (uint8_t) p[i]);
        return (uint16_t) -sum;
}

/* The length of the UTF-8 sequence at p (at most n bytes), 0 when it is not one (overlong forms,
 * surrogates and code points past U+10FFFF included: RFC 3629 section 4). */
static size_t utf8_sequence(const uint8_t *p, size_t n) {
        uint32_t cp;
        size_t len;

        if (p[0] < 0x80)
                return 1;
        if (p[0] >= 0xC2 && p[0] <= 0xDF)
                len = 2, cp = p[0] & 0x1F;
        else if (p[0] >= 0xE0 && p[0] <= 0xEF)
                len = 3, cp = p[0] & 0x0F;
        else if (p[0] >= 0xF0 && p[0] <= 0xF4)
                len = 4, cp = p[0] & 0x07;
        else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xC0) != 0x80)
                        return 0;
                cp = cp << 6 | (p[i] & 0x3F);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
                return 0;
        return len;
}

/* Where the first byte that may not be in a message's text is: a control character (the CR
 * terminator among them), DEL, or bytes that are not UTF-8. n when there is none. */
static size_t first_unprintable(const char *s, size_t n) {
        const uint8_t *p = (const uint8_t *) s;

        for (size_t i = 0; i < n;) {
                size_t l;
                if (p[i] < 0x20 || p[i] == 0x7F)
                        return i;
                l = utf8_sequence(p + i, n - i);
                if (l == 0)
                        return i;
                i += l;
        }
        return n;
}

static bool all_in(const char *s, size_t n, const char *set) {
        for (size_t i = 0; i < n; i++)
                if (!s[i] || !strchr(set, s[i]))
                        return false;
        return true;
}

static bool digits(const char *s, size_t n) {
        return all_in(s, n, "0123456789");
}

static int number(const char *s, size_t n) {
        int v = 0;
        for (size_t i = 0; i < n; i++)
                v = v * 10 + (s[i] - '0');
        return v;
}

bool sip2_date_valid(const char *s, bool blanks_ok) {
        static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        int month, day;

        if (blanks_ok && all_in(s, SIP2_DATE_LEN, " "))
                return true;
        if (!digits(s, 8) || !digits(s + 12, 6))
                return false;
        /* The zone (ZZZZ): blanks for local time, or a zone name right-aligned in blanks ("   Z"
         * for UTC, as the spec's examples show). */
        size_t z = 0;
        while (z < 4 && s[8 + z] == ' ')
                z++;
        if (!all_in(s + 8 + z, 4 - z, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
                return false;
        month = number(s + 4, 2), day = number(s + 6, 2);
        if (month < 1 || month > 12 || day < 1 || day > days[month - 1])
                return false;
        int year = number(s, 4);
        if (month == 2 && day == 29 && !(year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
                return false;
        return number(s + 12, 2) <= 23 && number(s + 14, 2) <= 59 && number(s + 16, 2) <= 60;
}

int sip2_parse_date(const char *s, int64_t *ret) {
        struct tm tm = { .tm_isdst = -1 };
        bool utc;
        time_t t;

        if (!s || strlen(s) != SIP2_DATE_LEN || !sip2_date_valid(s, false))
                return -EINVAL;
        if (memcmp(s + 8, "   Z", 4) == 0)
                utc = true;
        else if (memcmp(s + 8, "    ", 4) == 0)
                utc = false;
        else
                return -EINVAL;
        if (sscanf(s, "%4d%2d%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3 ||
            sscanf(s + 12, "%2d%2d%2d", &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 3)
                return -EINVAL;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        t = utc ? timegm(&tm) : mktime(&tm);
        if (t == (time_t) -1)
                return -EINVAL;
        *ret = (int64_t) t;
        return 0;
}

void sip2_format_date(int64_t t, char *buf) {
        struct tm tm;
        time_t tt = (time_t) t;

        if (t < 0 || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999) {
                memset(buf, ' ', SIP2_DATE_LEN);
                buf[SIP2_DATE_LEN] = '\0';
                return;
        }
        char tmp[80]; /* wide enough for any int, so the compiler sees no truncation */
        snprintf(tmp, sizeof(tmp), "%04d%02d%02d   Z%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec);
        memcpy(buf, tmp, SIP2_DATE_LEN);
        buf[SIP2_DATE_LEN] = '\0';
}

_printf_(3, 4) static int fail(Sip2ParseError *e, Sip2Error code, const char *fmt, ...) {
        va_list ap;

        e->code = code;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

static bool fixed_value_valid(const FixedSpec *f, const char *v) {
        switch (f->kind) {
        case FX_YN:
                return all_in(v, f->len, "YN");
        case FX_YNU:
                return all_in(v, f->len, "YNU");
        case FX_01:
                return all_in(v, f->len, "01");
        case FX_STATUS:
                return all_in(v, f->len, "012");
        case FX_DIGITS:
                return digits(v, f->len);
        case FX_PADDED: {
                size_t b = 0;
                while (b < f->len && v[b] == ' ')
                        b++;
                return b < f->len && digits(v + b, f->len - b);
        }
        case FX_DATE:
                return sip2_date_valid(v, false);
        case FX_DATE_BLANK:
                return sip2_date_valid(v, true);
        case FX_Y_SPACE:
                return all_in(v, f->len, "Y ");
        case FX_VERSION:
                return digits(v, 1) && v[1] == '.' && digits(v + 2, 2);
        }
        return false;
}

static const char *store(char **at, const char *p, size_t n) {
        char *s = *at;
        memcpy(s, p, n);
        s[n] = '\0';
        *at = s + n + 1;
        return s;
}

static int hex_value(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int sip2_parse(const char *data, size_t len, int expect_sequence, Sip2Msg *ret, Sip2ParseError *ret_error) {
        Sip2ParseError ignored;
        Sip2ParseError *e = ret_error ?: &ignored;
        const MessageSpec *spec;
        size_t bad, end, pos, need;
        char *at = ret->storage;
        bool seen[32] = {};
        unsigned sum = 0;

        *e = (Sip2ParseError) {};
        if (len > SIP2_MSG_MAX)
                return fail(e, SIP2_E_TOO_LONG, "%zu bytes, more than %d", len, SIP2_MSG_MAX);
        if (len == 0 || data[len - 1] != '\r')
                return fail(e, SIP2_E_NO_TERMINATOR, "message does not end with a carriage return");
        end = len - 1;
        bad = first_unprintable(data, end);
        if (bad < end)
                return fail(e, SIP2_E_NOT_PRINTABLE, "byte 0x%02x at offset %zu is not printable text",
                            (uint8_t) data[bad], bad);
        if (end < 2)
                return fail(e, SIP2_E_UNKNOWN_COMMAND, "message shorter than its command identifier");
        ret->command = sip2_command_from_id(data);
        if (ret->command < 0)
                return fail(e, SIP2_E_UNKNOWN_COMMAND, "'%.2s' is no SIP2 command identifier",
                            data[0] >= 0x20 && data[1] >= 0x20 ? data : "??");
        spec = &messages[ret->command];

        /* Error detection (spec: "Checksum"): the checksum covers every character from the first
         * up to and including "AZ". It is checked before anything else is believed, the
         * sequence number included. */
        if (end < 2 + 6 || memcmp(data + end - 6, "AZ", 2) != 0)
                return fail(e, SIP2_E_NO_CHECKSUM, "%s without 'AZ' checksum at its end", spec->name);
        for (size_t i = end - 4; i < end; i++) {
                int h = hex_value(data[i]);
                if (h < 0)
                        return fail(e, SIP2_E_NO_CHECKSUM, "%s: checksum is not 4 hexadecimal digits", spec->name);
                sum = sum << 4 | (unsigned) h;
        }
        if (sum != sip2_checksum(data, end - 4))
                return fail(e, SIP2_E_BAD_CHECKSUM, "%s: checksum %04X, the message sums to %04X", spec->name, sum,
                            sip2_checksum(data, end - 4));
        end -= 6;
        ret->sequence = -1;
        if (ret->command != SIP2_REQUEST_SC_RESEND && ret->command != SIP2_REQUEST_ACS_RESEND) {
                if (end < 2 + 3 || memcmp(data + end - 3, "AY", 2) != 0 || !digits(data + end - 1, 1))
                        return fail(e, SIP2_E_NO_SEQUENCE, "%s without 'AY' sequence number before its checksum",
                                    spec->name);
                ret->sequence = data[end - 1] - '0';
                end -= 3;
                if (expect_sequence >= 0 && ret->sequence != expect_sequence)
                        return fail(e, SIP2_E_WRONG_SEQUENCE, "%s carries sequence number %d, the request had %d",
                                    spec->name, ret->sequence, expect_sequence);
        }

        need = fixed_length(spec);
        if (end - 2 < need)
                return fail(e, SIP2_E_FIXED_LENGTH, "%s: fixed-length part is %zu characters, must be %zu",
                            spec->name, end - 2, need);
        pos = 2;
        ret->n_fixed = 0;
        for (size_t i = 0; i < SIP2_FIXED_MAX && spec->fixed[i].name; i++) {
                const FixedSpec *f = &spec->fixed[i];
                ret->fixed[i] = store(&at, data + pos, f->len);
                if (!fixed_value_valid(f, ret->fixed[i]))
                        return fail(e, f->kind == FX_DATE || f->kind == FX_DATE_BLANK ? SIP2_E_BAD_DATE : SIP2_E_FIXED_VALUE,
                                    "%s: fixed field '%s' (offset %zu, %u characters) is not valid", spec->name,
                                    f->name, pos, f->len);
                pos += f->len;
                ret->n_fixed++;
        }

        ret->n_fields = 0;
        while (pos < end) {
                const char *bar;
                const FieldSpec *fs;
                Sip2Field *fld;

                if (end - pos < 2 || !all_in(data + pos, 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
                        return fail(e, SIP2_E_BAD_FIELD, "%s: no field identifier at offset %zu", spec->name, pos);
                bar = memchr(data + pos + 2, '|', end - pos - 2);
                if (!bar)
                        return fail(e, SIP2_E_BAD_FIELD, "%s: field %.2s at offset %zu is not ended by '|'", spec->name,
                                    data + pos, pos);
                if (ret->n_fields >= SIP2_FIELDS_MAX)
                        return fail(e, SIP2_E_TOO_MANY_FIELDS, "%s: more than %d fields", spec->name, SIP2_FIELDS_MAX);
                fs = field_spec(spec, data + pos);
                if (fs && !(fs->flags & REP)) {
                        size_t k = (size_t) (fs - spec->fields);
                        if (seen[k])
                                return fail(e, SIP2_E_DUPLICATE_FIELD, "%s: field %.2s appears twice", spec->name, data + pos);
                        seen[k] = true;
                } else if (fs)
                        seen[fs - spec->fields] = true;
                /* An identifier the spec does not name for this message is kept, not refused:
                 * ILSs add fields of their own (Koha's, SirsiDynix's VN, ...), and a station
                 * must work with them; no known field is read from an unknown one. */
                fld = &ret->fields[ret->n_fields++];
                memcpy(fld->id, data + pos, 2);
                fld->id[2] = '\0';
                fld->value = store(&at, data + pos + 2, (size_t) (bar - data - pos - 2));
                pos = (size_t) (bar - data) + 1;
        }
        for (size_t k = 0; k < ELEMENTSOF(spec->fields) && spec->fields[k].id[0]; k++)
                if ((spec->fields[k].flags & REQ) && !seen[k])
                        return fail(e, SIP2_E_MISSING_FIELD, "%s: required field %s is missing", spec->name,
                                    spec->fields[k].id);
        return 0;
}

const char *sip2_msg_get(const Sip2Msg *m, const char *id) {
        for (size_t i = 0; i < m->n_fields; i++)
                if (strcmp(m->fields[i].id, id) == 0)
                        return m->fields[i].value;
        return NULL;
}

const char *sip2_msg_fixed(const Sip2Msg *m, const char *name) {
        for (size_t i = 0; i < m->n_fixed; i++)
                if (strcmp(messages[m->command].fixed[i].name, name) == 0)
                        return m->fixed[i];
        return NULL;
}

static void put(Sip2Writer *w, const char *s, size_t n) {
        if (w->error < 0)
                return;
        if (w->len + n > SIP2_MSG_MAX - 5) { /* room for the checksum's digits and CR, put by sip2_writer_end() */
                w->error = -EMSGSIZE;
                return;
        }
        memcpy(w->buf + w->len, s, n);
        w->len += n;
        w->buf[w->len] = '\0';
}

void sip2_writer_begin(Sip2Writer *w, Sip2Command c) {
        w->len = 0;
        w->error = c >= 0 && c < _SIP2_COMMAND_MAX ? 0 : -EINVAL;
        w->buf[0] = '\0';
        if (w->error == 0)
                put(w, messages[c].id, 2);
}

/* A value may hold printable text (UTF-8) but never the '|' that ends a field: a barcode read
 * from a scanner goes into these, and must not be able to add a field of its own. */
static bool value_valid(const char *v, size_t n) {
        return first_unprintable(v, n) == n && !memchr(v, '|', n);
}

void sip2_put_fixed(Sip2Writer *w, const char *value, size_t len) {
        if (w->error == 0 && (strlen(value) != len || !value_valid(value, len)))
                w->error = -EINVAL;
        put(w, value, len);
}

void sip2_put_date(Sip2Writer *w, int64_t t) {
        char d[SIP2_DATE_LEN + 1];
        sip2_format_date(t, d);
        put(w, d, SIP2_DATE_LEN);
}

void sip2_put_field(Sip2Writer *w, const char *id, const char *value) {
        size_t n;

        if (!value)
                return;
        n = strlen(value);
        if (w->error == 0 && (strlen(id) != 2 || !value_valid(value, n)))
                w->error = -EINVAL;
        put(w, id, 2);
        put(w, value, n);
        put(w, "|", 1);
}

int sip2_writer_end(Sip2Writer *w, int sequence, const char **ret) {
        char tail[16];

        if (w->error < 0)
                return w->error;
        if (sequence > 9)
                return -EINVAL;
        if (sequence >= 0) {
                snprintf(tail, sizeof(tail), "AY%d", sequence);
                put(w, tail, 3);
        }
        put(w, "AZ", 2);
        if (w->error < 0) /* no room for the trailer: nothing half-built goes out */
                return w->error;
        snprintf(tail, sizeof(tail), "%04X\r", sip2_checksum(w->buf, w->len));
        memcpy(w->buf + w->len, tail, 6); /* put() kept room for it */
        w->len += 5;
        *ret = w->buf;
        return (int) w->len;
}

int sip2_build_login(Sip2Writer *w, const Sip2Login *l, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_LOGIN);
        sip2_put_fixed(w, "0", 1); /* UID algorithm: not encrypted (the only one the spec defines) */
        sip2_put_fixed(w, "0", 1); /* PWD algorithm: likewise; TLS protects it on the wire */
        sip2_put_field(w, "CN", l->user ?: "");
        sip2_put_field(w, "CO", l->password ?: "");
        sip2_put_field(w, "CP", l->location);
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_sc_status(Sip2Writer *w, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_SC_STATUS);
        sip2_put_fixed(w, "0", 1);     /* SC status: ok */
        sip2_put_fixed(w, "040", 3);   /* max print width: the receipt printer's 40 columns */
        sip2_put_fixed(w, "2.00", 4);  /* protocol version */
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_request_acs_resend(Sip2Writer *w, const char **ret) {
        sip2_writer_begin(w, SIP2_REQUEST_ACS_RESEND);
        return sip2_writer_end(w, -1, ret);
}

int sip2_build_patron_status(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_PATRON_STATUS);
        sip2_put_fixed(w, "000", 3); /* language: unknown (the ILS's default) */
        sip2_put_date(w, r->now);
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AA", r->patron ?: "");
        sip2_put_field(w, "AC", r->terminal_password ?: "");
        sip2_put_field(w, "AD", r->patron_password ?: "");
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_patron_info(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_PATRON_INFO);
        sip2_put_fixed(w, "000", 3);
        sip2_put_date(w, r->now);
        sip2_put_fixed(w, "          ", 10); /* summary: no item lists, only the counts */
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AA", r->patron ?: "");
        sip2_put_field(w, "AC", r->terminal_password);
        sip2_put_field(w, "AD", r->patron_password);
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_checkout(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_CHECKOUT);
        /* SC renewal policy N: an item the patron already holds is refused, never renewed
         * behind the station's back (renewal is its own message). */
        sip2_put_fixed(w, "N", 1);
        sip2_put_fixed(w, r->no_block ? "Y" : "N", 1);
        sip2_put_date(w, r->now);
        sip2_put_date(w, r->no_block ? r->no_block_due : -1);
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AA", r->patron ?: "");
        sip2_put_field(w, "AB", r->item ?: "");
        sip2_put_field(w, "AC", r->terminal_password ?: "");
        sip2_put_field(w, "AD", r->patron_password);
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_checkin(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_CHECKIN);
        sip2_put_fixed(w, r->no_block ? "Y" : "N", 1);
        sip2_put_date(w, r->now);
        sip2_put_date(w, r->now); /* return date: when the item was returned at the station */
        sip2_put_field(w, "AP", r->location ?: "");
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AB", r->item ?: "");
        sip2_put_field(w, "AC", r->terminal_password ?: "");
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_renew(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_RENEW);
        sip2_put_fixed(w, "N", 1); /* third party allowed: only the patron's own loans */
        sip2_put_fixed(w, r->no_block ? "Y" : "N", 1);
        sip2_put_date(w, r->now);
        sip2_put_date(w, r->no_block ? r->no_block_due : -1);
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AA", r->patron ?: "");
        sip2_put_field(w, "AD", r->patron_password);
        sip2_put_field(w, "AB", r->item);
        sip2_put_field(w, "AC", r->terminal_password);
        return sip2_writer_end(w, sequence, ret);
}

int sip2_build_item_info(Sip2Writer *w, const Sip2Request *r, int sequence, const char **ret) {
        sip2_writer_begin(w, SIP2_ITEM_INFO);
        sip2_put_date(w, r->now);
        sip2_put_field(w, "AO", r->institution ?: "");
        sip2_put_field(w, "AB", r->item ?: "");
        sip2_put_field(w, "AC", r->terminal_password);
        return sip2_writer_end(w, sequence, ret);
}

static bool is_secret(const char *id) {
        return strncmp(id, "CO", 2) == 0 || strncmp(id, "AC", 2) == 0 || strncmp(id, "AD", 2) == 0;
}

void sip2_mask(const char *msg, size_t len, char *buf, size_t size) {
        size_t o = 0, pos, fixed;
        Sip2Command c;

        if (size == 0)
                return;
#define OUT(ch) do { if (o + 1 < size) buf[o++] = (ch); } while (0)
        if (len > 0 && msg[len - 1] == '\r')
                len--;
        c = len >= 2 ? sip2_command_from_id(msg) : _SIP2_COMMAND_INVALID;
        fixed = c >= 0 ? 2 + fixed_length(&messages[c]) : 0;
        if (c < 0 || fixed > len) {
                /* Not a message we can split into fields: a secret could be anywhere in it. */
                const char *s = "(unparsed message)";
                while (*s)
                        OUT(*s++);
                buf[o] = '\0';
                return;
        }
        for (pos = 0; pos < fixed; pos++)
                OUT(msg[pos] >= 0x20 && msg[pos] != 0x7F ? msg[pos] : '?');
        while (pos < len) {
                const char *bar = memchr(msg + pos, '|', len - pos);
                size_t flen = bar ? (size_t) (bar - msg) - pos : len - pos;
                bool secret = flen >= 2 && is_secret(msg + pos);

                for (size_t i = 0; i < (secret ? 2 : flen); i++)
                        OUT(msg[pos + i] >= 0x20 && msg[pos + i] != 0x7F ? msg[pos + i] : '?');
                if (secret)
                        for (const char *s = "***"; *s; s++)
                                OUT(*s);
                if (bar)
                        OUT('|');
                pos += flen + 1;
        }
#undef OUT
        buf[o] = '\0';
}
