/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* HC1 codes: the EU Digital COVID Certificate and, since 2023, the WHO's global trust network
 * (GDHCN) that carries its format forward. eHN "Electronic Health Certificate Specification"
 * (hcert spec) and Commission Implementing Decision (EU) 2021/1073 Annex I define it:
 *
 *   "HC1:" + base45 (RFC 9285) of zlib (RFC 1950) of a COSE_Sign1 (RFC 9052) whose payload is a
 *   CWT (RFC 8392) with the health certificate in claim -260/1,
 *
 * signed with ES256 or PS256 by a Document Signer Certificate (DSC) found by key id in a trust
 * list (core/trustlist.h). Unlike QG1 these codes are static: shown again at every visit for
 * months, so there is no replay step and no lifetime limit; whether a door takes a vaccination,
 * a test or a recovery certificate is the door's policy (hc1_type_accepted()). */

#include <stdbool.h>

#include "core/code-format.h"

#define HC1_PREFIX "HC1:"
/* QR version 40 holds 4296 alphanumeric characters; nothing longer was ever scanned. */
#define HC1_MAX_TEXT CODE_MAX_TEXT
/* Inflate limits. A DCC's COSE is 300–900 bytes (the largest public test vector: 870) and its
 * signature does not compress, so real ratios stay below 1.5; 16 KiB and 16× leave wide room for
 * future payloads while a decompression bomb is refused after 16 KiB of work. */
#define HC1_MAX_INFLATED 16384
#define HC1_MAX_RATIO 16

/* The verifier's table entry. Its check fills res->hc1 along the way; it uses v->dcc_trust,
 * v->dcc_trust_max_age, v->dcc_trust_age_policy and v->clock_skew, and ignores the QG1 fields
 * (keys, replay, max_lifetime). Its consume records nothing: a certificate is shown again at
 * every visit. */
extern const CodeFormatOps code_format_hc1;

/* Door policy: true when r is a valid HC1 result whose certificate type is in accepted_types
 * (DccType bits). A door that refuses the type should report REASON_CERTIFICATE_TYPE. */
bool hc1_type_accepted(const VerifyResult *r, unsigned accepted_types);
