/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "daemon/pseudonym.h"

/* Domain separation: the same HMAC key may serve other purposes later (HSM-keyed codes). */
#define PSEUDONYM_DOMAIN "qrgate-subject-v1"

int pseudonym_request(TokenService *t, const char *iss, const char *sub, uint64_t timeout_usec,
                      TokenResultHandler handler, void *userdata, uint64_t *ret_id) {
        char input[sizeof(PSEUDONYM_DOMAIN) + 2 * (PSEUDONYM_TEXT_MAX + 1)];
        size_t ni = strnlen(iss, PSEUDONYM_TEXT_MAX + 1), ns = strnlen(sub, PSEUDONYM_TEXT_MAX + 1), n = 0;
        int r;

        if (ni == 0 || ns == 0 || ni > PSEUDONYM_TEXT_MAX || ns > PSEUDONYM_TEXT_MAX)
                return -EINVAL;
        memcpy(input, PSEUDONYM_DOMAIN, sizeof(PSEUDONYM_DOMAIN)), n += sizeof(PSEUDONYM_DOMAIN);
        memcpy(input + n, iss, ni + 1), n += ni + 1;
        memcpy(input + n, sub, ns), n += ns;
        /* The service copies the input; it goes nowhere else, and this copy is wiped. */
        r = token_hmac_async(t, input, n, timeout_usec, handler, userdata, ret_id);
        explicit_bzero(input, sizeof(input));
        return r;
}

const char *pseudonym_request_error(int error) {
        switch (error) {
        case -ENOKEY:
                return "no HMAC key in the token";
        case -EAGAIN:
                return "the token's queue is full";
        case -EINVAL:
                return "the subject is too long to pseudonymize";
        default:
                return "the token refused the request";
        }
}
