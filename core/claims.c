/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/cbor-util.h"
#include "core/claims.h"

static const char *const status_table[_CODE_STATUS_MAX] = {
        [CODE_STATUS_GREEN] = "green",
        [CODE_STATUS_YELLOW] = "yellow",
        [CODE_STATUS_RED] = "red",
};

const char *code_status_to_string(int s) {
        return s > 0 && s < _CODE_STATUS_MAX ? status_table[s] : NULL;
}

CodeStatus code_status_from_string(const char *s) {
        for (int i = 1; s && i < _CODE_STATUS_MAX; i++)
                if (strcmp(s, status_table[i]) == 0)
                        return (CodeStatus) i;
        return _CODE_STATUS_INVALID;
}

bool scope_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > CLAIM_TEXT_MAX)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* Copies a text claim: 1–64 printable ASCII characters. Identifiers end up in logs, on D-Bus
 * and in audit records, so control characters and non-ASCII are refused at the edge. */
static bool text_claim(const cbor_item_t *item, char out[static CLAIM_TEXT_MAX + 1]) {
        const char *s;
        size_t n;

        if (!item || !cbor_get_text(item, &s, &n) || n == 0 || n > CLAIM_TEXT_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < 0x21 || s[i] > 0x7e)
                        return false;
        memcpy(out, s, n);
        out[n] = '\0';
        return true;
}

int claims_parse(const uint8_t *payload, size_t len, CodeClaims *c, const char **ret_why) {
        enum { ISS, SUB, EXP, IAT, CTI, STATUS, SCOPES, OBO, _N };
        static const int64_t labels[_N] = {
                [ISS] = CWT_ISS, [SUB] = CWT_SUB, [EXP] = CWT_EXP, [IAT] = CWT_IAT, [CTI] = CWT_CTI,
                [STATUS] = QG1_CLAIM_STATUS, [SCOPES] = QG1_CLAIM_SCOPES, [OBO] = QG1_CLAIM_OBO,
        };
        _cleanup_(cbor_decrefp) cbor_item_t *map = NULL;
        cbor_item_t *v[_N];
        const uint8_t *cti;
        int64_t status;
        int r;

        *c = (CodeClaims) {};

        r = cbor_load_bounded(payload, len, 3, &map, ret_why);
        if (r < 0)
                return r;
        r = cbor_map_lookup(map, labels, _N, v);
        if (r == -ENOTUNIQ)
                return *ret_why = "a claim occurs twice in the claims map", -EBADMSG;
        if (r < 0)
                return *ret_why = "CWT payload is not a claims map", -EBADMSG;

        if (!text_claim(v[ISS], c->iss))
                return *ret_why = "claim iss (1) missing, or not 1-64 printable ASCII characters", -EBADMSG;
        if (!text_claim(v[SUB], c->sub))
                return *ret_why = "claim sub (2) missing, or not 1-64 printable ASCII characters", -EBADMSG;
        if (!v[IAT] || cbor_get_int64(v[IAT], &c->iat) < 0)
                return *ret_why = "claim iat (6) missing or not an integer", -EBADMSG;
        if (!v[EXP] || cbor_get_int64(v[EXP], &c->exp) < 0)
                return *ret_why = "claim exp (4) missing or not an integer", -EBADMSG;
        /* Bounding the times keeps every later sum and difference (exp + skew, exp - iat) far
         * from int64 overflow, whatever a crafted code claims. */
        if (c->iat < 0 || c->iat > CLAIM_TIME_MAX || c->exp < 0 || c->exp > CLAIM_TIME_MAX)
                return *ret_why = "claim iat or exp is outside 1970-9999", -EBADMSG;
        if (c->exp <= c->iat)
                return *ret_why = "claim exp is not after iat", -EBADMSG;
        if (!v[CTI] || !cbor_get_bytes(v[CTI], &cti, &c->cti_len) ||
            c->cti_len < QG1_CTI_MIN || c->cti_len > QG1_CTI_MAX)
                return *ret_why = "claim cti (7) missing, or not a byte string of 8-32 bytes", -EBADMSG;
        memcpy(c->cti, cti, c->cti_len);

        if (!v[STATUS] || cbor_get_int64(v[STATUS], &status) < 0 || !code_status_to_string((int) MIN(status, 1000)))
                return *ret_why = "status claim (-65537) missing or not 1 (green), 2 (yellow) or 3 (red)", -EBADMSG;
        c->status = (int) status;

        if (!v[SCOPES] || !cbor_isa_array(v[SCOPES]) || cbor_array_size(v[SCOPES]) > QG1_MAX_SCOPES)
                return *ret_why = "scopes claim (-65538) missing, not an array, or more than 16 scopes", -EBADMSG;
        cbor_item_t **scopes = cbor_array_handle(v[SCOPES]);
        c->n_scopes = cbor_array_size(v[SCOPES]);
        for (size_t i = 0; i < c->n_scopes; i++)
                if (!text_claim(scopes[i], c->scopes[i]) || !scope_is_valid(c->scopes[i]))
                        return *ret_why = "a scope is not a text of 1-64 characters [A-Za-z0-9._-]", -EBADMSG;

        if (v[OBO] && !text_claim(v[OBO], c->obo))
                return *ret_why = "on-behalf-of claim (-65539) is not 1-64 printable ASCII characters", -EBADMSG;
        return 0;
}

static bool add(cbor_item_t *map, int64_t key, cbor_item_t *value) {
        _cleanup_(cbor_decrefp) cbor_item_t *k = cbor_build_int64(key), *v = value;

        return k && v && cbor_map_add(map, (struct cbor_pair) { .key = k, .value = v });
}

int claims_encode(const CodeClaims *c, uint8_t **ret, size_t *ret_len) {
        _cleanup_(cbor_decrefp) cbor_item_t *map = cbor_new_definite_map(8), *scopes = NULL;
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
             add(map, CWT_CTI, cbor_build_bytestring(c->cti, c->cti_len)) &&
             add(map, QG1_CLAIM_STATUS, cbor_build_int64(c->status)) &&
             add(map, QG1_CLAIM_SCOPES, cbor_incref(scopes)) &&
             (c->obo[0] == '\0' || add(map, QG1_CLAIM_OBO, cbor_build_string(c->obo)));
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
