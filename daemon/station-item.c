/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which lines at a lending station's door are items (docs/lending.md): told apart by the AIM
 * identifier a scanner sends before every barcode (ISO/IEC 15424), so that an item is never
 * decided on like a person and never recorded as a denied one. */
#include <string.h>

#include "core/barcode-format.h"
#include "daemon/station.h"

static bool has_item_aim(unsigned item_formats, const char *text, size_t n) {
        for (CodeFormat f = 0; f < _CODE_FORMAT_MAX; f++) {
                const char *aim = barcode_format_aim(f);
                size_t k = aim ? strlen(aim) : 0;

                if ((item_formats & (1u << f)) && aim && n >= k && memcmp(text, aim, k) == 0)
                        return true;
        }
        return false;
}

bool station_line_is_item(const Verifier *v, unsigned item_formats, const BarcodeAllow *allow, const char *text,
                          size_t n) {
        VerifyResult res;

        if (!has_item_aim(item_formats, text, n))
                return false;
        if (!allow)
                return true;
        /* A patron's card of the same symbology as the items: only a valid barcode that the list
         * names is one. The time does not matter: a barcode carries none. */
        (void) verifier_check(v, text, n, 0, &res);
        return !(res.reason == REASON_OK && code_format_is_barcode(res.format) &&
                 barcode_allow_lookup(allow, res.barcode.id));
}
