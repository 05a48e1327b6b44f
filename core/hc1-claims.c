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
 * we show is the value beneath. The tag keeps its own reference, so the one cbor_tag_item() adds
 * is dropped at once and the result stays borrowed. */
static const cbor_item_t *untag(const cbor_item_t *item) {
        for (unsigned n = 0; item && cbor_isa_tag(item) && n < CBOR_MAX_DEPTH; n++) {
                cbor_item_t *inner = cbor_tag_item(item), *ref = inner;
                cbor_decref(&ref);
                item = inner;
        }
        return item;
}

/* The value for a text key, or NULL. Duplicate keys were refused before (cbor_map_lookup). */
static const cbor_item_t *map_get(const cbor_item_t *map, const char *key) {
        struct cbor_pair *pairs = cbor_map_handle(map);
        size_t klen = strlen(key);

        for (size_t i = 0; i < cbor_map_size(map); i++) {
                const char *s;
                size_t n;
                if (cbor_get_text(pairs[i].key, &s, &n) && n == klen && memcmp(s, key, n) == 0)
                        return pairs[i].value;
        }
        return NULL;
}

/* A definite map without duplicate keys (RFC 8949 §5.6), or false. */
static bool is_clean_map(const cbor_item_t *item) {
        return item && cbor_isa_map(item) && cbor_map_lookup(item, NULL, 0, NULL) == 0;
}

/* Copies display text: printable ASCII as is, each other character (a UTF-8 sequence counts
 * once) as '?', so that nothing from a code can steer a terminal or a log line. */
static void copy_text(const cbor_item_t *item, char *out, size_t size) {
        const char *s;
        size_t n, o = 0;

        out[0] = '\0';
        item = untag(item);
        if (!item || !cbor_get_text(item, &s, &n))
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
static int numeric_date(const cbor_item_t *item, int64_t *ret) {
        if (!item)
                return -ENOENT;
        if (cbor_get_int64(item, ret) == 0)
                return 0;
        if (cbor_isa_float_ctrl(item) && cbor_float_get_width(item) != CBOR_FLOAT_0) {
                double d = cbor_float_get_float(item);
                /* ±2^53 keeps the conversion exact and far beyond any real date. */
                if (!isfinite(d) || fabs(d) > 9007199254740992.0)
                        return -EDOM;
                *ret = (int64_t) d;
                return 0;
        }
        return -EDOM;
}

static void entry_summary(const cbor_item_t *e, Hc1Claims *c) {
        const cbor_item_t *v;

        copy_text(map_get(e, "tg"), c->tg, sizeof(c->tg));
        copy_text(map_get(e, "co"), c->co, sizeof(c->co));
        copy_text(map_get(e, "is"), c->is, sizeof(c->is));
        switch (c->type) {
        case DCC_TYPE_VACCINATION:
                if ((v = map_get(e, "dn")))
                        (void) cbor_get_int64(untag(v), &c->dn);
                if ((v = map_get(e, "sd")))
                        (void) cbor_get_int64(untag(v), &c->sd);
                copy_text(map_get(e, "dt"), c->date, sizeof(c->date));
                break;
        case DCC_TYPE_TEST:
                copy_text(map_get(e, "sc"), c->date, sizeof(c->date));
                copy_text(map_get(e, "tr"), c->tr, sizeof(c->tr));
                copy_text(map_get(e, "tt"), c->tt, sizeof(c->tt));
                break;
        case DCC_TYPE_RECOVERY:
                copy_text(map_get(e, "fr"), c->date, sizeof(c->date));
                copy_text(map_get(e, "df"), c->df, sizeof(c->df));
                copy_text(map_get(e, "du"), c->du, sizeof(c->du));
                break;
        default:
                break;
        }
}

int hc1_claims_parse(const uint8_t *payload, size_t len, Hc1Claims *c, const char **ret_why) {
        enum { ISS, EXP, IAT, HCERT, _N };
        static const int64_t labels[_N] = { [ISS] = CWT_ISS, [EXP] = CWT_EXP, [IAT] = CWT_IAT, [HCERT] = HCERT_CLAIM };
        static const int64_t dcc_label[1] = { HCERT_EU_DCC_V1 };
        _cleanup_(cbor_decrefp) cbor_item_t *map = NULL;
        cbor_item_t *v[_N], *dcc;
        const cbor_item_t *entries = NULL;
        const char *dummy;
        int r;

        if (!ret_why)
                ret_why = &dummy;
        *c = (Hc1Claims) {};

        r = cbor_load_bounded(payload, len, HC1_CBOR_DEPTH, &map, ret_why);
        if (r < 0)
                return r;
        r = cbor_map_lookup(map, labels, _N, v);
        if (r == -ENOTUNIQ)
                return *ret_why = "a claim occurs twice in the CWT claims map", -EBADMSG;
        if (r < 0)
                return *ret_why = "CWT payload is not a claims map", -EBADMSG;

        if (v[ISS]) {
                const char *s;
                size_t n;
                if (!cbor_get_text(v[ISS], &s, &n))
                        return *ret_why = "claim iss (1) is not a text", -EBADMSG;
                copy_text(v[ISS], c->iss, sizeof(c->iss));
        }
        if (numeric_date(v[IAT], &c->iat) < 0)
                return *ret_why = "claim iat (6) missing or not a NumericDate", -EBADMSG;
        if (numeric_date(v[EXP], &c->exp) < 0)
                return *ret_why = "claim exp (4) missing or not a NumericDate", -EBADMSG;

        if (!v[HCERT])
                return *ret_why = "no health certificate claim (-260)", -EBADMSG;
        r = cbor_map_lookup(v[HCERT], dcc_label, 1, &dcc);
        if (r == -ENOTUNIQ)
                return *ret_why = "a key occurs twice in the health certificate claim (-260)", -EBADMSG;
        if (r < 0)
                return *ret_why = "health certificate claim (-260) is not a map", -EBADMSG;
        if (!dcc)
                return *ret_why = "health certificate claim (-260) has no EU DCC (key 1)", -EBADMSG;
        if (!is_clean_map(dcc))
                return *ret_why = "EU DCC (-260/1) is not a map, or a key occurs twice in it", -EBADMSG;

        for (size_t i = 0; i < ELEMENTSOF(type_table); i++) {
                const cbor_item_t *a = map_get(dcc, type_table[i].key);
                /* Early issuers wrote the absent groups as null ("r": null); the hcert spec
                 * asks decoders to be permissive, and null names no certificate. */
                if (!a || cbor_is_null(a))
                        continue;
                if (c->type != 0)
                        return *ret_why = "EU DCC holds more than one kind of certificate (v, t, r)", -EBADMSG;
                c->type = type_table[i].type;
                entries = a;
        }
        if (c->type == 0)
                return *ret_why = "EU DCC holds no vaccination (v), test (t) or recovery (r)", -EBADMSG;
        if (!cbor_isa_array(entries) || cbor_array_size(entries) != 1)
                return *ret_why = "EU DCC must hold exactly one certificate entry (schema: v, t or r with one item)", -EBADMSG;
        const cbor_item_t *entry = cbor_array_handle(entries)[0];
        if (!is_clean_map(entry))
                return *ret_why = "EU DCC certificate entry is not a map, or a key occurs twice in it", -EBADMSG;

        copy_text(map_get(dcc, "ver"), c->ver, sizeof(c->ver));
        entry_summary(entry, c);
        return 0;
}
