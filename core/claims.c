/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/cbor-util.h"
#include "core/claims.h"
#include "core/string-table.h"

static const char *const code_status_table[_CODE_STATUS_MAX] = {
        [CODE_STATUS_GREEN] = "green",
        [CODE_STATUS_YELLOW] = "yellow",
        [CODE_STATUS_RED] = "red",
};

/* Status 0 has no name: the table starts at CODE_STATUS_GREEN (1). */
DEFINE_STRING_TABLE_LOOKUP_TO_STRING(code_status, int);
DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(code_status, CodeStatus);

bool scope_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > CLAIM_TEXT_MAX)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Identifiers end up in logs, on D-Bus and in audit records, so control characters and
 * non-ASCII are refused at the edge. */
bool claim_text_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > CLAIM_TEXT_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x21 || s[i] > 0x7e)
                        return false;
        return true;
}

/* What is wrong with a claim's value (claims_check()): the same words reach `qrgatectl
 * decode`, the daemon's log and qrgate-issue's refusal. */
static const char *const value_why[_CODE_CLAIM_MAX] = {
        [CODE_CLAIM_ISS] = "claim iss (1) is not 1-64 printable ASCII characters (no spaces)",
        [CODE_CLAIM_SUB] = "claim sub (2) is not 1-64 printable ASCII characters (no spaces)",
        [CODE_CLAIM_IAT] = "claim iat or exp is outside 1970-9999",
        [CODE_CLAIM_EXP] = "claim iat or exp is outside 1970-9999",
        [CODE_CLAIM_CTI] = "claim cti (7) is not 8-32 bytes",
        [CODE_CLAIM_STATUS] = "status claim (-65537) is not 1 (green), 2 (yellow) or 3 (red)",
        [CODE_CLAIM_SCOPES] = "scopes claim (-65538) holds more than 16 scopes",
        [CODE_CLAIM_SCOPE] = "a scope is not 1-64 characters of [A-Za-z0-9._-]",
        [CODE_CLAIM_OBO] = "on-behalf-of claim (-65539) is not 1-64 printable ASCII characters (no spaces)",
        [CODE_CLAIM_CARD] = "card serial claim (-65540) is not 1-64 characters of [A-Za-z0-9._-]",
        [CODE_CLAIM_PATRON] = "library patron claim (-65541) is not 1-64 printable ASCII characters (no spaces, no '|')",
};

/* What is wrong with a claim's CBOR (claims_parse() only). */
static const char *const type_why[_CODE_CLAIM_MAX] = {
        [CODE_CLAIM_ISS] = "claim iss (1) missing or not a text string",
        [CODE_CLAIM_SUB] = "claim sub (2) missing or not a text string",
        [CODE_CLAIM_IAT] = "claim iat (6) missing or not an integer",
        [CODE_CLAIM_EXP] = "claim exp (4) missing or not an integer",
        [CODE_CLAIM_CTI] = "claim cti (7) missing or not a byte string",
        [CODE_CLAIM_STATUS] = "status claim (-65537) missing or not an integer",
        [CODE_CLAIM_SCOPES] = "scopes claim (-65538) missing or not an array",
        [CODE_CLAIM_SCOPE] = "a scope is not a text string",
        [CODE_CLAIM_OBO] = "on-behalf-of claim (-65539) is not a text string",
        [CODE_CLAIM_CARD] = "card serial claim (-65540) is not a text string",
        [CODE_CLAIM_PATRON] = "library patron claim (-65541) is not a text string",
};

static int fail(CodeClaim claim, const char *why, CodeClaim *ret_claim, const char **ret_why) {
        if (ret_claim)
                *ret_claim = claim;
        if (ret_why)
                *ret_why = why;
        return -EBADMSG;
}

static int bad_value(CodeClaim claim, CodeClaim *ret_claim, const char **ret_why) {
        return fail(claim, value_why[claim], ret_claim, ret_why);
}

int claims_check(const CodeClaims *c, CodeClaim *ret_claim, const char **ret_why) {
        if (!claim_text_is_valid(c->iss))
                return bad_value(CODE_CLAIM_ISS, ret_claim, ret_why);
        if (!claim_text_is_valid(c->sub))
                return bad_value(CODE_CLAIM_SUB, ret_claim, ret_why);
        /* Bounding the times keeps every later sum and difference (exp + skew, exp - iat) far
         * from int64 overflow, whatever a crafted code claims. */
        if (c->iat < 0 || c->iat > CLAIM_TIME_MAX)
                return bad_value(CODE_CLAIM_IAT, ret_claim, ret_why);
        if (c->exp < 0 || c->exp > CLAIM_TIME_MAX)
                return bad_value(CODE_CLAIM_EXP, ret_claim, ret_why);
        if (c->exp <= c->iat)
                return fail(CODE_CLAIM_EXP, "claim exp is not after iat", ret_claim, ret_why);
        /* The profile (docs/code-format.md §8): a card serial and no cti, or a cti and no card
         * serial. A code with both would be a single-use code that also claims to be shown
         * again and again; refusing it keeps the two profiles apart under the signature. */
        if (c->card_serial[0] != '\0') {
                if (!scope_is_valid(c->card_serial))
                        return bad_value(CODE_CLAIM_CARD, ret_claim, ret_why);
                if (c->cti_len > 0)
                        return fail(CODE_CLAIM_CTI, "a card (claim -65540) must not carry a cti (7): a code is either a "
                                    "card or a dynamic code", ret_claim, ret_why);
        } else if (c->cti_len < QG1_CTI_MIN || c->cti_len > QG1_CTI_MAX)
                return bad_value(CODE_CLAIM_CTI, ret_claim, ret_why);
        if (!code_status_to_string(c->status))
                return bad_value(CODE_CLAIM_STATUS, ret_claim, ret_why);
        if (c->n_scopes > QG1_MAX_SCOPES)
                return bad_value(CODE_CLAIM_SCOPES, ret_claim, ret_why);
        for (size_t i = 0; i < c->n_scopes; i++)
                if (!scope_is_valid(c->scopes[i]))
                        return bad_value(CODE_CLAIM_SCOPE, ret_claim, ret_why);
        if (c->obo[0] != '\0' && !claim_text_is_valid(c->obo))
                return bad_value(CODE_CLAIM_OBO, ret_claim, ret_why);
        /* It goes into SIP2's AA field, which '|' would end. */
        if (c->patron[0] != '\0' && (!claim_text_is_valid(c->patron) || strchr(c->patron, '|')))
                return bad_value(CODE_CLAIM_PATRON, ret_claim, ret_why);
        return 0;
}

/* Copies a text claim that fits CodeClaims; its content is judged by claims_check(). -EDOM
 * when it is absent or not a text, -EBADMSG when it cannot be held (too long, or a NUL that
 * would cut it short). */
static int copy_text(const CborItem *item, char out[static CLAIM_TEXT_MAX + 1]) {
        const char *s;
        size_t n;

        if (!cbor_item_text(item, &s, &n))
                return -EDOM;
        if (n > CLAIM_TEXT_MAX || memchr(s, '\0', n))
                return -EBADMSG;
        memcpy(out, s, n);
        out[n] = '\0';
        return 0;
}

/* Reads the claims' values into *c where their CBOR types are right; the rules on the values
 * themselves are claims_check()'s, so that the issuer applies exactly the same. */
static int claims_read(const CborItem *v, CodeClaims *c, const char **ret_why) {
        const uint8_t *cti;
        int64_t status;
        CborItem scope;
        int r;

        /* A value too long for CodeClaims is refused with the words claims_check() would use. */
        r = copy_text(&v[CODE_CLAIM_ISS], c->iss);
        if (r < 0)
                return fail(CODE_CLAIM_ISS, r == -EDOM ? type_why[CODE_CLAIM_ISS] : value_why[CODE_CLAIM_ISS], NULL, ret_why);
        r = copy_text(&v[CODE_CLAIM_SUB], c->sub);
        if (r < 0)
                return fail(CODE_CLAIM_SUB, r == -EDOM ? type_why[CODE_CLAIM_SUB] : value_why[CODE_CLAIM_SUB], NULL, ret_why);
        if (cbor_item_int64(&v[CODE_CLAIM_IAT], &c->iat) < 0)
                return fail(CODE_CLAIM_IAT, type_why[CODE_CLAIM_IAT], NULL, ret_why);
        if (cbor_item_int64(&v[CODE_CLAIM_EXP], &c->exp) < 0)
                return fail(CODE_CLAIM_EXP, type_why[CODE_CLAIM_EXP], NULL, ret_why);
        /* A card has no cti (§8): its absence is judged once the card serial is known. */
        if (cbor_item_present(&v[CODE_CLAIM_CARD])) {
                r = copy_text(&v[CODE_CLAIM_CARD], c->card_serial);
                if (r < 0 || c->card_serial[0] == '\0')
                        return fail(CODE_CLAIM_CARD, r == -EDOM ? type_why[CODE_CLAIM_CARD] : value_why[CODE_CLAIM_CARD], NULL, ret_why);
        }
        if (cbor_item_present(&v[CODE_CLAIM_CTI]) || c->card_serial[0] == '\0') {
                if (!cbor_item_bytes(&v[CODE_CLAIM_CTI], &cti, &c->cti_len))
                        return fail(CODE_CLAIM_CTI, type_why[CODE_CLAIM_CTI], NULL, ret_why);
                if (c->cti_len > QG1_CTI_MAX)
                        return bad_value(CODE_CLAIM_CTI, NULL, ret_why);
                /* An empty cti is still a cti: a card must not carry one at all. */
                if (c->card_serial[0] != '\0')
                        return fail(CODE_CLAIM_CTI, "a card (claim -65540) must not carry a cti (7): a code is either a "
                                    "card or a dynamic code", NULL, ret_why);
                memcpy(c->cti, cti, c->cti_len);
        }
        if (cbor_item_int64(&v[CODE_CLAIM_STATUS], &status) < 0)
                return fail(CODE_CLAIM_STATUS, type_why[CODE_CLAIM_STATUS], NULL, ret_why);
        /* Clamped, not narrowed: -4294967295 must not become 1 (green). */
        c->status = (int) MAX(MIN(status, (int64_t) 1000), (int64_t) -1000);
        if (!cbor_item_is_array(&v[CODE_CLAIM_SCOPES]))
                return fail(CODE_CLAIM_SCOPES, type_why[CODE_CLAIM_SCOPES], NULL, ret_why);
        if (v[CODE_CLAIM_SCOPES].arg > QG1_MAX_SCOPES)
                return bad_value(CODE_CLAIM_SCOPES, NULL, ret_why);
        c->n_scopes = (size_t) v[CODE_CLAIM_SCOPES].arg;
        for (size_t i = 0; i < c->n_scopes; i++) {
                r = i == 0 ? cbor_item_first(&v[CODE_CLAIM_SCOPES], &scope) : cbor_item_next(&scope, &scope);
                if (r >= 0)
                        r = copy_text(&scope, c->scopes[i]);
                if (r < 0)
                        return fail(CODE_CLAIM_SCOPE, r == -EDOM ? type_why[CODE_CLAIM_SCOPE] : value_why[CODE_CLAIM_SCOPE], NULL, ret_why);
        }
        if (cbor_item_present(&v[CODE_CLAIM_OBO])) {
                r = copy_text(&v[CODE_CLAIM_OBO], c->obo);
                if (r < 0 || c->obo[0] == '\0')
                        return fail(CODE_CLAIM_OBO, r == -EDOM ? type_why[CODE_CLAIM_OBO] : value_why[CODE_CLAIM_OBO], NULL, ret_why);
        }
        if (cbor_item_present(&v[CODE_CLAIM_PATRON])) {
                r = copy_text(&v[CODE_CLAIM_PATRON], c->patron);
                if (r < 0 || c->patron[0] == '\0')
                        return fail(CODE_CLAIM_PATRON, r == -EDOM ? type_why[CODE_CLAIM_PATRON] : value_why[CODE_CLAIM_PATRON],
                                    NULL, ret_why);
        }
        return 0;
}

int claims_parse(const uint8_t *payload, size_t len, CodeClaims *c, const char **ret_why) {
        static const int64_t labels[_CODE_CLAIM_LABELLED] = {
                [CODE_CLAIM_ISS] = CWT_ISS, [CODE_CLAIM_SUB] = CWT_SUB, [CODE_CLAIM_EXP] = CWT_EXP,
                [CODE_CLAIM_IAT] = CWT_IAT, [CODE_CLAIM_CTI] = CWT_CTI, [CODE_CLAIM_STATUS] = QG1_CLAIM_STATUS,
                [CODE_CLAIM_SCOPES] = QG1_CLAIM_SCOPES, [CODE_CLAIM_OBO] = QG1_CLAIM_OBO,
                [CODE_CLAIM_CARD] = QG1_CLAIM_CARD, [CODE_CLAIM_PATRON] = QG1_CLAIM_PATRON,
        };
        CborItem map, v[_CODE_CLAIM_MAX];
        size_t tags;
        int r;

        *c = (CodeClaims) {};

        /* docs/code-format.md §2: at most 8 levels, no tags, no key twice in any map - claims
         * we ignore included, so that every verifier reads the same message. */
        r = cbor_parse_bounded(payload, len, CBOR_MAX_DEPTH, &map, &tags, ret_why);
        if (r < 0)
                return r;
        if (tags > 0)
                return *ret_why = "a CBOR tag in the claims (QG1 allows none but the leading 18)", -EBADMSG;
        r = cbor_map_lookup(&map, labels, _CODE_CLAIM_LABELLED, v, NULL);
        if (r == -ENOTUNIQ)
                return *ret_why = "a claim occurs twice in the claims map", -EBADMSG;
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "CWT payload is not a claims map", -EBADMSG;
        r = cbor_maps_unique(&map);
        if (r == -ENOTUNIQ)
                return *ret_why = "a key occurs twice in a map inside a claim", -EBADMSG;
        if (r == -ENOMEM)
                return *ret_why = "out of memory", r;
        if (r < 0)
                return *ret_why = "CBOR item not well formed", -EBADMSG; /* the walk passed it: never */

        r = claims_read(v, c, ret_why);
        if (r < 0)
                return r;
        return claims_check(c, NULL, ret_why);
}

static bool add(cbor_item_t *map, int64_t key, cbor_item_t *value) {
        _cleanup_(cbor_decrefp) cbor_item_t *k = cbor_build_int64(key), *v = value;

        return k && v && cbor_map_add(map, (struct cbor_pair) { .key = k, .value = v });
}

int claims_encode(const CodeClaims *c, uint8_t **ret, size_t *ret_len) {
        _cleanup_(cbor_decrefp) cbor_item_t *map = cbor_new_definite_map(10), *scopes = NULL;
        bool ok;

        if (!map)
                return -ENOMEM;
        scopes = cbor_new_definite_array(c->n_scopes);
        if (!scopes)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_scopes; i++) {
                _cleanup_(cbor_decrefp) cbor_item_t *s = cbor_build_string(c->scopes[i]);
                if (!s || !cbor_array_push(scopes, s))
                        return -ENOMEM;
        }

        ok = add(map, CWT_ISS, cbor_build_string(c->iss)) &&
             add(map, CWT_SUB, cbor_build_string(c->sub)) &&
             add(map, CWT_EXP, cbor_build_int64(c->exp)) &&
             add(map, CWT_IAT, cbor_build_int64(c->iat)) &&
             (c->card_serial[0] != '\0' && c->cti_len == 0 ? true :
                      add(map, CWT_CTI, cbor_build_bytestring(c->cti, c->cti_len))) &&
             add(map, QG1_CLAIM_STATUS, cbor_build_int64(c->status)) &&
             add(map, QG1_CLAIM_SCOPES, cbor_incref(scopes)) &&
             (c->obo[0] == '\0' || add(map, QG1_CLAIM_OBO, cbor_build_string(c->obo))) &&
             (c->card_serial[0] == '\0' || add(map, QG1_CLAIM_CARD, cbor_build_string(c->card_serial))) &&
             (c->patron[0] == '\0' || add(map, QG1_CLAIM_PATRON, cbor_build_string(c->patron)));
        if (!ok)
                return -ENOMEM;

        size_t size;
        unsigned char *buf = NULL;
        size_t n = cbor_serialize_alloc(map, &buf, &size);
        if (n == 0)
                return -ENOMEM;
        *ret = buf;
        *ret_len = n;
        return 0;
}
