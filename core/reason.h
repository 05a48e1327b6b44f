/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>

/* Why a code was refused (or REASON_OK). The strings are a stable interface: they appear in
 * D-Bus signals, in the audit log and in `qrgatectl` output, and operators' scripts match them.
 * docs/reasons.md explains each one. Add new reasons at the end of their group; never rename. */
typedef enum Reason {
        REASON_OK,
        /* the text itself */
        REASON_UNSUPPORTED_FORMAT,
        REASON_TOO_LONG,
        REASON_BAD_ENCODING,
        REASON_MALFORMED,
        REASON_UNSUPPORTED_ALGORITHM,
        REASON_DECOMPRESSION_FAILED,
        REASON_BAD_CHECK_DIGIT,
        /* who signed it */
        REASON_UNKNOWN_ISSUER,
        REASON_ALGORITHM_MISMATCH,
        REASON_BAD_SIGNATURE,
        REASON_KEY_USAGE,
        REASON_TRUST_LIST_TOO_OLD,
        /* when */
        REASON_EXPIRED,
        REASON_NOT_YET_VALID,
        REASON_LIFETIME_TOO_LONG,
        REASON_REPLAYED,
        REASON_REPLAY_CACHE_FULL,
        REASON_CERTIFICATE_EXPIRED,
        REASON_CERTIFICATE_NOT_YET_VALID,
        /* the door's rules */
        REASON_UNKNOWN_DOOR,
        REASON_SCOPE,
        REASON_STATUS,
        REASON_NOT_AUTHORIZED,
        REASON_CERTIFICATE_TYPE,
        REASON_OUTSIDE_SCHEDULE,
        REASON_FORMAT,
        REASON_CARD_NOT_ACCEPTED,
        REASON_BARCODE_NOT_LISTED,
        REASON_ANTI_PASSBACK,
        REASON_CAPACITY_FULL,
        /* the appliance */
        REASON_INTERNAL_ERROR,
        REASON_AUDIT_UNAVAILABLE,
        REASON_RATE_LIMITED,
        REASON_DOOR_OUT_OF_SERVICE,
        REASON_CLOCK_UNTRUSTED,
        /* the deny-list (docs/denylist.md) */
        REASON_REVOKED,
        REASON_INTERLOCK,
        REASON_TYPED_TOO_SLOWLY,
        REASON_MISSING_PREFIX,
        _REASON_MAX,
        _REASON_INVALID = -EINVAL,
} Reason;

const char *reason_to_string(Reason r);
Reason reason_from_string(const char *s);
