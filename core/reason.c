/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "core/reason.h"
#include "core/string-table.h"

static const char *const reason_table[_REASON_MAX] = {
        [REASON_OK] = "ok",
        [REASON_UNSUPPORTED_FORMAT] = "unsupported-format",
        [REASON_TOO_LONG] = "too-long",
        [REASON_BAD_ENCODING] = "bad-encoding",
        [REASON_MALFORMED] = "malformed",
        [REASON_UNSUPPORTED_ALGORITHM] = "unsupported-algorithm",
        [REASON_DECOMPRESSION_FAILED] = "decompression-failed",
        [REASON_BAD_CHECK_DIGIT] = "bad-check-digit",
        [REASON_UNKNOWN_ISSUER] = "unknown-issuer",
        [REASON_ALGORITHM_MISMATCH] = "algorithm-mismatch",
        [REASON_BAD_SIGNATURE] = "bad-signature",
        [REASON_KEY_USAGE] = "key-usage",
        [REASON_TRUST_LIST_TOO_OLD] = "trust-list-too-old",
        [REASON_EXPIRED] = "expired",
        [REASON_NOT_YET_VALID] = "not-yet-valid",
        [REASON_LIFETIME_TOO_LONG] = "lifetime-too-long",
        [REASON_REPLAYED] = "replayed",
        [REASON_REPLAY_CACHE_FULL] = "replay-cache-full",
        [REASON_CERTIFICATE_EXPIRED] = "certificate-expired",
        [REASON_CERTIFICATE_NOT_YET_VALID] = "certificate-not-yet-valid",
        [REASON_UNKNOWN_DOOR] = "unknown-door",
        [REASON_SCOPE] = "scope",
        [REASON_STATUS] = "status",
        [REASON_NOT_AUTHORIZED] = "not-authorized",
        [REASON_CERTIFICATE_TYPE] = "certificate-type",
        [REASON_OUTSIDE_SCHEDULE] = "outside-schedule",
        [REASON_FORMAT] = "format",
        [REASON_CARD_NOT_ACCEPTED] = "card-not-accepted",
        [REASON_BARCODE_NOT_LISTED] = "barcode-not-listed",
        [REASON_ANTI_PASSBACK] = "anti-passback",
        [REASON_CAPACITY_FULL] = "capacity-full",
        [REASON_INTERNAL_ERROR] = "internal-error",
        [REASON_AUDIT_UNAVAILABLE] = "audit-unavailable",
        [REASON_RATE_LIMITED] = "rate-limited",
        [REASON_DOOR_OUT_OF_SERVICE] = "door-out-of-service",
        [REASON_CLOCK_UNTRUSTED] = "clock-untrusted",
        [REASON_REVOKED] = "revoked",
        [REASON_INTERLOCK] = "interlock",
        [REASON_TYPED_TOO_SLOWLY] = "typed-too-slowly",
        [REASON_MISSING_PREFIX] = "missing-prefix",
};

DEFINE_STRING_TABLE_LOOKUP(reason, Reason);
