/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/cbor-util.h"
#include "core/claims.h"
#include "core/hc1-claims.h"

/* CWT claims → hcert map → one of v/t/r → array → entry map → value: six levels. */
#define HC1_CBOR_DEPTH 7

static const struct {
        DccType type;
        const char *key, *name;
} type_table[] = {
        { DCC_TYPE_VACCINATION, "v", "vaccination" },
        { DCC_TYPE_TEST, "t", "test" },
        { DCC_TYPE_RECOVERY, "r", "recovery" },
};

const char *dcc_type_to_string(DccType t) {
        for (size_t i = 0; i < ELEMENTSOF(type_table); i++)
                if (type_table[i].type == t)
                        return type_table[i].name;
        return NULL;
}

int dcc_types_from_string(const char *s, unsigned *ret_mask) {
        unsigned mask = 0;

        if (!s)
                return -EINVAL;
        while (*s) {
                size_t n = strcspn(s, ", \t");
                bool found = false;

                if (n == 0) {
                        s++;
                        continue;
                }
                if (n == 3 && strncmp(s, "all", 3) == 0)
                        mask |= DCC_TYPES_ALL, found = true;
                for (size_t i = 0; i < ELEMENTSOF(type_table); i++)
                        if (strlen(type_table[i].name) == n && strncmp(s, type_table[i].name, n) == 0)
                                mask |= type_table[i].type, found = true;
                if (!found)
                        return -EINVAL;
                s += n;
        }
        if (mask == 0)
                return -EINVAL;
        *ret_mask = mask;
        return 0;
}

const char *dcc_types_to_string(unsigned mask, char *buf, size_t size) {
        size_t o = 0;

        if (size == 0)
                return buf;
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(type_table); i++)
                if (mask & type_table[i].type) {
                        int n = snprintf(buf + o, size - o, "%s%s", o ? "," : "", type_table[i].name);
                        if (n < 0 || (size_t) n >= size - o)
                                break;
                        o += (size_t) n;
                }
        if (o == 0)
                (void) snprintf(buf, size, "none");
        return buf;
}

/* Values in a DCC may carry a semantic tag (0 for date-time text, 1004 for a full date); what
 * we show is the value beneath. At most CBOR_MAX_DEPTH tags are looked through. */
static CborItem untag(const CborItem *item) {
        CborItem it = *item, inner;

        for (unsigned n = 0; it.head && it.major == CBOR_MAJOR_TAG && n < CBOR_MAX_DEPTH; n++) {
                if (cbor_item_read(it.data, it.end, &inner) < 0)
                        break;
                it = inner;
        }
        return it;
}

/* Copies display text: printable ASCII as is, each other character (a UTF-8 sequence counts
 * once) as '?', so that nothing from a code can steer a terminal or a log line. */
static void copy_text(const CborItem *item, char *out, size_t size) {
        CborItem it = untag(item);
        const char *s;
        size_t n, o = 0;

        out[0] = '\0';
        if (!cbor_item_text(&it, &s, &n))
                return;
        for (size_t i = 0; i < n && o + 1 < size; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c >= 0x80 && c < 0xc0)
                        continue; /* UTF-8 continuation byte */
                out[o++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
        }
        out[o] = '\0';
}

/* NumericDate (RFC 8392 §2): an integer, or a floating-point number of seconds. */
static int numeric_date(const CborItem *item, int64_t *ret) {
        double d;

        if (!cbor_item_present(item))
                return -ENOENT;
        if (cbor_item_int64(item, ret) == 0)
                return 0;
        if (cbor_item_float(item, &d) == 0) {
                /* ±2^53 keeps the conversion exact and far beyond any real date. */
                if (!isfinite(d) || fabs(d) > 9007199254740992.0)
                        return -EDOM;
                *ret = (int64_t) d;
                return 0;
        }
        return -EDOM;
}

/* The fields of a certificate entry that a gate shows (hcert spec; DCC schema 1.3). */
enum { E_TG, E_CO, E_IS, E_DN, E_SD, E_DT, E_SC, E_TR, E_TT, E_FR, E_DF, E_DU, _E_MAX };
static const char *const entry_keys[_E_MAX] = {
        [E_TG] = "tg", [E_CO] = "co", [E_IS] = "is", [E_DN] = "dn", [E_SD] = "sd", [E_DT] = "dt",
        [E_SC] = "sc", [E_TR] = "tr", [E_TT] = "tt", [E_FR] = "fr", [E_DF] = "df", [E_DU] = "du",
};

static void get_int(const CborItem *item, int64_t *ret) {
        CborItem u = untag(item);

        (void) cbor_item_int64(&u, ret);
}

static void entry_summary(const CborItem *e, Hc1Claims *c) {
        copy_text(&e[E_TG], c->tg, sizeof(c->tg));
        copy_text(&e[E_CO], c->co, sizeof(c->co));
        copy_text(&e[E_IS], c->is, sizeof(c->is));
        switch (c->type) {
        case DCC_TYPE_VACCINATION:
                get_int(&e[E_DN], &c->dn);
                get_int(&e[E_SD], &c->sd);
                copy_text(&e[E_DT], c->date, sizeof(c->date));
                break;
        case DCC_TYPE_TEST:
                copy_text(&e[E_SC], c->date, sizeof(c->date));
                copy_text(&e[E_TR], c->tr, sizeof(c->tr));
                copy_text(&e[E_TT], c->tt, sizeof(c->tt));
                break;
        case DCC_TYPE_RECOVERY:
                copy_text(&e[E_FR], c->date, sizeof(c->date));
                copy_text(&e[E_DF], c->df, sizeof(c->df));
                copy_text(&e[E_DU], c->du, sizeof(c->du));
                break;
        default:
                break;
        }
}

int hc1_claims_parse(const uint8_t *payload, size_t len, Hc1Claims *c, const char **ret_why) {
        enum { ISS, EXP, IAT, HCERT, _N };
        static const int64_t labels[_N] = { [ISS] = CWT_ISS, [EXP] = CWT_EXP, [IAT] = CWT_IAT, [HCERT] = HCERT_CLAIM };
        static const int64_t dcc_label[1] = { HCERT_EU_DCC_V1 };
        /* The DCC's groups in type_table's order, then its schema version. */
        static const char *const dcc_keys[] = { "v", "t", "r", "ver" };
        CborItem map, v[_N], dcc, groups[ELEMENTSOF(dcc_keys)], entries = {}, entry, fields[_E_MAX];
        const char *dummy;
        int r;

        if (!ret_why)
                ret_why = &dummy;
        *c = (Hc1Claims) {};

        r = cbor_parse_bounded(payload, len, HC1_CBOR_DEPTH, &map, NULL, ret_why);
        if (r < 0)
                return r;
        r = cbor_map_lookup(&map, labels, _N, v, NULL);
        if (r == -ENOTUNIQ)
                return *ret_why = "a claim occurs twice in the CWT claims map", -EBADMSG;
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "CWT payload is not a claims map", -EBADMSG;

        if (cbor_item_present(&v[ISS])) {
                const char *s;
                size_t n;
                if (!cbor_item_text(&v[ISS], &s, &n))
                        return *ret_why = "claim iss (1) is not a text", -EBADMSG;
                copy_text(&v[ISS], c->iss, sizeof(c->iss));
        }
        if (numeric_date(&v[IAT], &c->iat) < 0)
                return *ret_why = "claim iat (6) missing or not a NumericDate", -EBADMSG;
        if (numeric_date(&v[EXP], &c->exp) < 0)
                return *ret_why = "claim exp (4) missing or not a NumericDate", -EBADMSG;

        if (!cbor_item_present(&v[HCERT]))
                return *ret_why = "no health certificate claim (-260)", -EBADMSG;
        r = cbor_map_lookup(&v[HCERT], dcc_label, 1, &dcc, NULL);
        if (r == -ENOTUNIQ)
                return *ret_why = "a key occurs twice in the health certificate claim (-260)", -EBADMSG;
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "health certificate claim (-260) is not a map", -EBADMSG;
        if (!cbor_item_present(&dcc))
                return *ret_why = "health certificate claim (-260) has no EU DCC (key 1)", -EBADMSG;
        r = cbor_map_lookup_text(&dcc, dcc_keys, ELEMENTSOF(dcc_keys), groups, NULL);
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "EU DCC (-260/1) is not a map, or a key occurs twice in it", -EBADMSG;

        for (size_t i = 0; i < ELEMENTSOF(type_table); i++) {
                CborItem a = groups[i];
                /* Early issuers wrote the absent groups as null ("r": null); the hcert spec
                 * asks decoders to be permissive, and null names no certificate. */
                if (!cbor_item_present(&a) || cbor_item_is_null(&a))
                        continue;
                if (c->type != 0)
                        return *ret_why = "EU DCC holds more than one kind of certificate (v, t, r)", -EBADMSG;
                c->type = type_table[i].type;
                entries = a;
        }
        if (c->type == 0)
                return *ret_why = "EU DCC holds no vaccination (v), test (t) or recovery (r)", -EBADMSG;
        if (!cbor_item_is_array(&entries) || entries.arg != 1 || cbor_item_first(&entries, &entry) < 0)
                return *ret_why = "EU DCC must hold exactly one certificate entry (schema: v, t or r with one item)", -EBADMSG;
        r = cbor_map_lookup_text(&entry, entry_keys, _E_MAX, fields, NULL);
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "EU DCC certificate entry is not a map, or a key occurs twice in it", -EBADMSG;

        copy_text(&groups[ELEMENTSOF(dcc_keys) - 1], c->ver, sizeof(c->ver));
        entry_summary(fields, c);
        return 0;
}
