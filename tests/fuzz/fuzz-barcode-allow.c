/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A door's barcode allow-list (core/barcode-allow.h): any bytes as the file's text must parse to
 * a list or a report, never crash, and a list found must answer for each of its own barcodes. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/barcode-allow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        BarcodeAllow *a = NULL;
        char *errors = NULL;
        int r = barcode_allow_parse((const char *) data, size, "fuzz.list", &a, &errors);

        assert(r == 0 || r == -EBADMSG || r == -ENOMEM);
        assert((r == 0) == (a != NULL));
        assert(r != -EBADMSG || (errors && strncmp(errors, "fuzz.list:", 10) == 0));
        if (a) {
                /* Every line that starts with 13 or 14 digits and a blank or its end is listed. */
                const char *p = (const char *) data, *end = p + size;
                while (p < end) {
                        const char *nl = memchr(p, '\n', (size_t) (end - p));
                        size_t n = 0;
                        while (p + n < end && n < 15 && p[n] >= '0' && p[n] <= '9')
                                n++;
                        if (n == 13 || n == 14) {
                                char id[15];
                                memcpy(id, p, n);
                                id[n] = '\0';
                                if (p + n == end || p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || p[n] == '\r')
                                        assert(barcode_allow_lookup(a, id));
                        }
                        p = nl ? nl + 1 : end;
                }
        }
        barcode_allow_free(a);
        free(errors);
        return 0;
}
