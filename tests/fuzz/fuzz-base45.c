/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* base45: any input either decodes into at most base45_decoded_max() bytes that encode back to
 * the same text, or is refused. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/base45.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *out = malloc(base45_decoded_max(size));
        int n = base45_decode((const char *) data, size, out, NULL);

        if (n >= 0) {
                assert((size_t) n <= base45_decoded_max(size));
                char *again = malloc(base45_encoded_len((size_t) n) + 1);
                base45_encode(out, (size_t) n, again);
                assert(strlen(again) == size && memcmp(again, data, size) == 0);
                free(again);
        }
        free(out);
        return 0;
}
