/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "core/macro.h"
#include "daemon/pseudonym.h"

int pseudonym_request(TokenService *t, const char *iss, const char *sub, uint64_t timeout_usec,
                      TokenResultHandler handler, void *userdata, uint64_t *ret_id) {
        _cleanup_(pseudonym_input_erase) PseudonymInput input = {};
        int r;

        r = pseudonym_input_build(iss, sub, &input);
        if (r < 0)
                return r;
        /* The service copies the input; it goes nowhere else, and this copy is wiped. */
        return token_hmac_async(t, input.data, input.size, timeout_usec, handler, userdata, ret_id);
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
