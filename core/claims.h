/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The claims of a QG1 code: a CWT claims map (RFC 8392 §3) with our private claims.
 * docs/code-format.md is the normative description; the limits here are the ones it states. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* RFC 8392 §4 registered claim keys. */
#define CWT_ISS 1
#define CWT_SUB 2
#define CWT_EXP 4
#define CWT_IAT 6
#define CWT_CTI 7

/* Private claims: RFC 8392 §9.1 reserves keys below -65536 for private use. */
#define QG1_CLAIM_STATUS (-65537)
#define QG1_CLAIM_SCOPES (-65538)
#define QG1_CLAIM_OBO (-65539)
/* The card serial: present in a static card code (docs/code-format.md §8), never in a dynamic
 * one. Its presence, under the signature, is what makes a code a card. */
#define QG1_CLAIM_CARD (-65540)
/* The holder's patron id in the library's system, for a lending station whose configuration
 * takes it from the code (station.patron_id = "claim", docs/lending.md). */
#define QG1_CLAIM_PATRON (-65541)

#define CLAIM_TEXT_MAX 64
#define QG1_MAX_SCOPES 16
#define QG1_CTI_MIN 8
#define QG1_CTI_MAX 32
#define CLAIM_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

typedef enum CodeStatus {
        CODE_STATUS_GREEN = 1,
        CODE_STATUS_YELLOW = 2,
        CODE_STATUS_RED = 3,
        _CODE_STATUS_MAX,
        _CODE_STATUS_INVALID = -EINVAL,
} CodeStatus;

typedef struct CodeClaims {
        char iss[CLAIM_TEXT_MAX + 1];
        char sub[CLAIM_TEXT_MAX + 1];
        char obo[CLAIM_TEXT_MAX + 1]; /* empty when the holder presents their own code */
        int64_t iat, exp;
        uint8_t cti[QG1_CTI_MAX];
        size_t cti_len;
        int status; /* a CodeStatus once parsed; any value when encoding test codes */
        size_t n_scopes;
        char scopes[QG1_MAX_SCOPES][CLAIM_TEXT_MAX + 1];
        /* The card serial (claim -65540) of a static card code; empty for a dynamic code. A card
         * carries no cti and a dynamic code must: claims_check() refuses a code with both or
         * neither, so the profile is never in doubt (docs/code-format.md §8). */
        char card_serial[CLAIM_TEXT_MAX + 1];
        /* The library patron id (claim -65541), 1-64 printable ASCII without '|'; empty when absent. */
        char patron[CLAIM_TEXT_MAX + 1];
} CodeClaims;

/* True for a static card code (docs/code-format.md §8): one that carries a card serial. Only
 * meaningful once claims_parse() accepted the claims. */
static inline bool claims_is_card(const CodeClaims *c) {
        return c->card_serial[0] != '\0';
}

/* The claims, as claims_check() names the one that is wrong. */
typedef enum CodeClaim {
        CODE_CLAIM_ISS,
        CODE_CLAIM_SUB,
        CODE_CLAIM_EXP,
        CODE_CLAIM_IAT,
        CODE_CLAIM_CTI,
        CODE_CLAIM_STATUS,
        CODE_CLAIM_SCOPES,
        CODE_CLAIM_OBO,
        CODE_CLAIM_CARD,
        CODE_CLAIM_PATRON,
        _CODE_CLAIM_LABELLED, /* the ones above are map entries; the next one is a rule on scopes */
        CODE_CLAIM_SCOPE = _CODE_CLAIM_LABELLED, /* one of the scopes */
        _CODE_CLAIM_MAX,
} CodeClaim;

/* Parses and checks a QG1 claims map. Returns -EBADMSG with *ret_why for a missing or
 * duplicated claim, a wrong type, or a value outside its limits (claims_check()). Unknown
 * claims are ignored (RFC 8392 §3: a recipient ignores claims it does not understand). */
int claims_parse(const uint8_t *payload, size_t len, CodeClaims *ret, const char **ret_why);

/* The rules on the claims' values (docs/code-format.md §3) that claims_parse() applies: texts
 * 1-64 printable ASCII, times in 1970-9999 with exp after iat, cti 8-32 bytes, a known status,
 * at most 16 valid scopes; obo may be empty (absent). A card (a non-empty card_serial, 1-64 of
 * [A-Za-z0-9._-]) has no cti (cti_len 0) instead (§8). Returns 0, or -EBADMSG with the claim
 * in *ret_claim and the verifier's words in *ret_why (both may be NULL). An issuer calls it
 * before minting, so that it never makes a code every gate refuses. */
int claims_check(const CodeClaims *c, CodeClaim *ret_claim, const char **ret_why);

/* Encodes c as a claims map, as it is: no value is checked, so tests can make bad codes.
 * Returns a malloc()ed buffer. Claims with empty text or zero count are still written; obo and
 * the card serial are written only when non-empty, and cti is left out of a card when its
 * cti_len is 0. */
int claims_encode(const CodeClaims *c, uint8_t **ret, size_t *ret_len);

const char *code_status_to_string(int s);
CodeStatus code_status_from_string(const char *s);

/* True for a syntactically valid scope: 1–64 of [A-Za-z0-9._-]. */
bool scope_is_valid(const char *s);
/* True for a valid text claim (iss, sub, on-behalf-of): 1–64 printable ASCII, 0x21-0x7e. */
bool claim_text_is_valid(const char *s);
