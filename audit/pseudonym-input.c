/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "audit/pseudonym-input.h"

int pseudonym_input_build(const char *iss, const char *sub, PseudonymInput *ret) {
        size_t ni = strnlen(iss, PSEUDONYM_TEXT_MAX + 1), ns = strnlen(sub, PSEUDONYM_TEXT_MAX + 1), n = 0;

        if (ni == 0 || ns == 0 || ni > PSEUDONYM_TEXT_MAX || ns > PSEUDONYM_TEXT_MAX)
                return -EINVAL;
        memcpy(ret->data, PSEUDONYM_DOMAIN, sizeof(PSEUDONYM_DOMAIN)), n += sizeof(PSEUDONYM_DOMAIN);
        memcpy(ret->data + n, iss, ni + 1), n += ni + 1;
        memcpy(ret->data + n, sub, ns), n += ns;
        ret->size = n;
        return 0;
}

void pseudonym_input_erase(PseudonymInput *in) {
        explicit_bzero(in, sizeof(*in));
}
