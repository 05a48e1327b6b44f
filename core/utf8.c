/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>

#include "core/utf8.h"

size_t utf8_cut(const char *s, size_t max) {
        size_t n = strnlen(s, max + 1);

        if (n <= max)
                return n;
        /* Back to the start of the character the cut falls in: continuation bytes are 10xxxxxx. */
        n = max;
        while (n > 0 && ((uint8_t) s[n] & 0xC0) == 0x80)
                n--;
        return n;
}
