/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The payload of an HC1 code: a CWT claims map (RFC 8392 §3) carrying the health certificate in
 * claim -260 ("hcert"), key 1 (the EU DCC, schema eu_dcc_v1; the WHO's GDHCN keeps the same
 * layout). eHN "Electronic Health Certificate Specification" (hcert spec) §3.3 lists the claims.
 * We read what a gate needs to decide and to explain — the certificate type and its dates — and
 * deliberately keep no name or date of birth: an access appliance has no use for them. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HCERT_CLAIM (-260)
#define HCERT_EU_DCC_V1 1

/* The three kinds of certificate (the DCC schema's groups "v", "t", "r"). A bitmask, so a
 * door's accepted types and a signer's allowed types are one unsigned each. */
typedef enum DccType {
        DCC_TYPE_VACCINATION = 1 << 0,
        DCC_TYPE_TEST = 1 << 1,
        DCC_TYPE_RECOVERY = 1 << 2,
        DCC_TYPES_ALL = DCC_TYPE_VACCINATION | DCC_TYPE_TEST | DCC_TYPE_RECOVERY,
} DccType;

/* Limits of what we copy out of a payload; longer text is cut, never refused (it is display). */
#define HC1_TEXT_MAX 80

typedef struct Hc1Claims {
        char iss[8];       /* claim 1, the issuing country (optional, hcert spec §3.3.4); "" if absent */
        int64_t iat, exp;  /* claims 6 and 4, NumericDate (RFC 8392 §2) */
        DccType type;      /* exactly one bit */
        char ver[16];      /* schema version, "" if absent */
        char tg[16];       /* disease targeted (SNOMED CT; 840539006 = COVID-19) */
        char co[8];        /* country of vaccination / test / recovery */
        char is[HC1_TEXT_MAX + 1]; /* certificate issuer (an organisation, not a person) */
        /* vaccination: dose dn of sd, given on date; test: sample taken at date, result tr and
         * test type tt; recovery: first positive on date, valid from df until du. */
        int64_t dn, sd;
        char date[40];
        char tr[16], tt[16];
        char df[16], du[16];
} Hc1Claims;

/* Parses the CWT payload of an HC1 code into *ret. Returns -EBADMSG with *ret_why when it is not
 * a claims map, iat/exp/hcert are missing or of the wrong type, a key occurs twice, or the health
 * certificate does not hold exactly one of v/t/r with exactly one entry (a gate must know which
 * single certificate it is deciding on; the DCC schema allows one only). -ENOMEM on allocation
 * failure. Text fields are copied as printable ASCII, other bytes shown as '?'. */
int hc1_claims_parse(const uint8_t *payload, size_t len, Hc1Claims *ret, const char **ret_why);

/* "vaccination", "test", "recovery" for a single type; NULL otherwise. */
const char *dcc_type_to_string(DccType t);

/* Parses a list such as "vaccination,test" (separated by ',' or spaces; "all" for every type)
 * into a mask. -EINVAL for an unknown word or an empty list. For the daemon's door policy. */
int dcc_types_from_string(const char *s, unsigned *ret_mask);

/* Writes the names of the types in mask, comma-separated, into buf ("none" for 0). */
const char *dcc_types_to_string(unsigned mask, char *buf, size_t size);
