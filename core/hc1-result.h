/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the HC1 pipeline (core/hc1.h) learned about a code, kept in VerifyResult.hc1 so that the
 * daemon's door policy, `qrgatectl decode` and the conformance runner read the same facts. */

#include <stdbool.h>
#include <stdint.h>

#include "core/hc1-claims.h"
#include "core/trustlist.h"

/* The pipeline's stages in order; Hc1Info.stage is the last one that passed. */
typedef enum Hc1Stage {
        HC1_STAGE_NONE,
        HC1_STAGE_PREFIX,    /* "HC1:" and the length limit */
        HC1_STAGE_BASE45,    /* RFC 9285 */
        HC1_STAGE_INFLATE,   /* zlib, bounded */
        HC1_STAGE_COSE,      /* COSE_Sign1 with alg and kid */
        HC1_STAGE_SIGNER,    /* a DSC with the kid is trusted */
        HC1_STAGE_SIGNATURE, /* the signature verifies with it */
        HC1_STAGE_CLAIMS,    /* CWT claims and the health certificate (only once authentic) */
        HC1_STAGE_VALID,     /* key usage, the code's and the DSC's validity */
        _HC1_STAGE_MAX,
} Hc1Stage;

/* Once the claims are read, every check below is made and each failure recorded, so an
 * operator sees all that is wrong; the verdict reports the first in this order. */
enum {
        HC1_PROBLEM_KEY_USAGE = 1 << 0,         /* the DSC may not sign this certificate type */
        HC1_PROBLEM_NOT_YET_VALID = 1 << 1,     /* iat is after now (beyond the clock skew) */
        HC1_PROBLEM_EXPIRED = 1 << 2,           /* now is after exp (beyond the clock skew) */
        HC1_PROBLEM_DSC_NOT_YET_VALID = 1 << 3, /* now is before the DSC's notBefore */
        HC1_PROBLEM_IAT_BEFORE_DSC = 1 << 4,    /* signed before the DSC's notBefore */
        HC1_PROBLEM_DSC_EXPIRED = 1 << 5,       /* now is after the DSC's notAfter */
        HC1_PROBLEM_EXP_AFTER_DSC = 1 << 6,     /* the code outlives its DSC (hcert spec §3.3.5) */
};
#define HC1_PROBLEMS_TIME                                                                      \
        (HC1_PROBLEM_NOT_YET_VALID | HC1_PROBLEM_EXPIRED | HC1_PROBLEM_DSC_NOT_YET_VALID |    \
         HC1_PROBLEM_IAT_BEFORE_DSC | HC1_PROBLEM_DSC_EXPIRED | HC1_PROBLEM_EXP_AFTER_DSC)

typedef struct Hc1Info {
        Hc1Stage stage;
        unsigned problems;      /* HC1_PROBLEM_* (only once the claims were read) */
        size_t inflated_len;    /* bytes of COSE after inflating */
        bool kid_unprotected;   /* the kid came from the unprotected header */
        bool trust_list_stale;  /* the list is older than allowed and the policy said warn */
        int64_t trust_list_age; /* seconds, -1 when unknown */
        bool have_claims;       /* claims below are set (stage ≥ CLAIMS) */
        Hc1Claims claims;
        bool have_dsc;          /* dsc below is set (stage ≥ SIGNATURE, or the DSC that failed it) */
        DscInfo dsc;
} Hc1Info;

const char *hc1_stage_to_string(Hc1Stage s);
