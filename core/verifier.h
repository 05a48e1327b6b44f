/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The verifier: scanned text in, a verdict out. It runs the checks in a fixed order —
 * format → encoding → structure → issuer → signature → time → lifetime → replay — and stops at
 * the first that fails, recording which one and why, so an operator can be told exactly what
 * was wrong with a code. It never decides whether a door opens: that is policy. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/barcode.h"
#include "core/claims.h"
#include "core/cose.h"
#include "core/hc1-result.h"
#include "core/keystore.h"
#include "core/reason.h"
#include "core/replay.h"
#include "core/trustlist.h"

/* Defaults and bounds of Verifier.max_lifetime and .clock_skew; docs/code-format.md explains
 * the choice of each number. */
#define QG1_DEFAULT_MAX_LIFETIME 120
#define QG1_DEFAULT_CLOCK_SKEW 30
#define QG1_MAX_CLOCK_SKEW 300 /* the most verifier.clock_skew can be configured to */
/* Static card codes (docs/code-format.md §8): the default and the bounds of
 * Verifier.card_max_lifetime, verifier.card_max_lifetime in the configuration. */
#define CARD_DEFAULT_MAX_LIFETIME (INT64_C(3) * 366 * 86400) /* three years */
#define CARD_MIN_MAX_LIFETIME INT64_C(86400)                 /* a day */
#define CARD_MAX_MAX_LIFETIME (INT64_C(10) * 366 * 86400)    /* ten years */
/* A limit for any scanned text before its format is known (QR version 40 holds 4296 characters). */
#define CODE_MAX_TEXT 4296

/* One value per entry of the verifier's table of formats (core/code-format.h says how to add
 * one). */
typedef enum CodeFormat {
        CODE_FORMAT_UNKNOWN,
        CODE_FORMAT_QG1, /* qrgate's dynamic codes: core/qg1.h, docs/code-format.md */
        CODE_FORMAT_HC1, /* EU DCC and its WHO successor: core/hc1.h, docs/dcc.md */
        CODE_FORMAT_CODABAR, /* library patron and item barcodes: core/codabar.h */
        CODE_FORMAT_EAN13,   /* EAN-13 item barcodes, ISBN-13 among them: core/ean13.h */
        CODE_FORMAT_ISBN,    /* books as Bookland scanners send them, ISBN-10 or -13: core/isbn.h */
        _CODE_FORMAT_MAX,
} CodeFormat;

typedef enum VerifyStep {
        VERIFY_STEP_FORMAT,
        VERIFY_STEP_ENCODING,
        VERIFY_STEP_STRUCTURE,
        VERIFY_STEP_ISSUER,
        VERIFY_STEP_SIGNATURE,
        VERIFY_STEP_TIME,
        VERIFY_STEP_LIFETIME,
        VERIFY_STEP_REPLAY,
        _VERIFY_STEP_MAX,
} VerifyStep;

typedef struct VerifyResult {
        Reason reason;        /* REASON_OK when every step passed */
        VerifyStep failed;    /* the step that failed; _VERIFY_STEP_MAX when none did */
        char detail[192];     /* what exactly was wrong, for logs and `qrgatectl decode` */
        CodeFormat format;
        size_t text_len, cose_len;
        /* Set once the structure step passed: */
        bool have_claims;
        int64_t alg;
        uint8_t kid[COSE_KID_MAX];
        size_t kid_len;
        CodeClaims claims;
        Hc1Info hc1; /* only for CODE_FORMAT_HC1; have_claims stays false */
        BarcodeInfo barcode; /* only for CODE_FORMAT_CODABAR and _EAN13; have_claims stays false */
} VerifyResult;

typedef struct Verifier {
        const Keystore *keys;  /* borrowed */
        ReplayCache *replay;   /* borrowed; NULL skips the replay step (offline decoding) */
        int64_t max_lifetime;  /* seconds; exp - iat above this is refused */
        int64_t card_max_lifetime; /* seconds; the same for a card (0 refuses every card) */
        int64_t clock_skew;    /* seconds of tolerance on iat and exp */
        /* HC1 (EU DCC): signer certificates, and how old their list may be (docs/dcc.md). */
        const TrustList *dcc_trust;           /* borrowed; NULL refuses every HC1 code */
        int64_t dcc_trust_max_age;            /* seconds since the list was updated; 0 = no limit */
        TrustListAgePolicy dcc_trust_age_policy; /* what an older list means */
} Verifier;

/* The one definition of "still acceptable": a code whose exp claim is exp is accepted at every
 * second now <= exp + skew. The time step refuses it after; the replay cache keeps a used code's
 * entry live through code_last_acceptable(exp, QG1_MAX_CLOCK_SKEW), so through every second any
 * configuration — including one a later reload applies — could accept it in. */
static inline int64_t code_last_acceptable(int64_t exp, int64_t skew) {
        return exp + skew; /* exp is at most CLAIM_TIME_MAX (claims_parse refuses more): no overflow */
}

/* Verifies text (len bytes, need not be NUL-terminated) at time now (unix seconds). Always fills
 * *ret and returns its reason. Does not record the code as used: call verifier_consume() once
 * the code has actually been honoured. */
Reason verifier_check(const Verifier *v, const char *text, size_t len, int64_t now, VerifyResult *ret);

/* Records a valid result's (iss, cti) in the replay cache for as long as the code could be
 * accepted under any configuration (a card, a barcode or a DCC records nothing and returns 0). Returns 0, -ENOSPC (cache full of live codes: refuse the code), -EEXIST (already
 * used), or -errno from the cache's file (the entry is still held in memory). */
int verifier_consume(const Verifier *v, const VerifyResult *res, int64_t now);

/* The subject per-subject rules (anti-passback, rate limits, the deny-list) and the subject key
 * know a code by: the (iss, sub) of a QG1 code whose signature verified — a card's holder as
 * well as a dynamic code's — or of a valid printed barcode (iss "barcode:codabar" or
 * "barcode:ean13", sub its digits or, once decide() applied the door's allow-list, the subject
 * the list maps it to). False for anything else (an EU DCC, an unverified code): it has none.
 * The pointers point into res. */
bool verify_result_subject(const VerifyResult *res, const char **ret_iss, const char **ret_sub);

const char *verify_step_to_string(VerifyStep s);
const char *code_format_to_string(CodeFormat f);
