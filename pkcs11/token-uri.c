/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/token-blocking.h"

/* p11-kit's URI result codes, converted here and nowhere else. */
static int uri_errno(int code) {
        return code == P11_KIT_URI_NO_MEMORY ? -ENOMEM : -EINVAL;
}

static int uri_parse(const char *s, P11KitUri **ret, TokenReason *why) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        int code;

        uri = p11_kit_uri_new();
        if (!uri)
                return -ENOMEM;
        code = p11_kit_uri_parse(s, P11_KIT_URI_FOR_ANY, uri);
        if (code != P11_KIT_URI_OK)
                return token_fail(why, uri_errno(code), "bad PKCS#11 URI \"%s\": %s", s, p11_kit_uri_message(code));
        /* An attribute p11-kit does not know would be ignored: a misspelt "tokn=" would then
         * select any token. Refuse instead. */
        if (p11_kit_uri_any_unrecognized(uri))
                return token_fail(why, -EINVAL, "PKCS#11 URI \"%s\" has attributes p11-kit does not know", s);

        *ret = TAKE_PTR(uri);
        return 0;
}

int token_uri_parse_token(const char *s, P11KitUri **ret, TokenReason *why) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        CK_ULONG n_attrs = 0;
        int r;

        if (!s || !*s)
                return token_fail(why, -EINVAL, "no token URI configured");
        r = uri_parse(s, &uri, why);
        if (r < 0)
                return r;
        (void) p11_kit_uri_get_attributes(uri, &n_attrs);
        if (n_attrs > 0)
                return token_fail(why, -EINVAL, "token URI \"%s\" names an object; configure keys separately", s);

        *ret = TAKE_PTR(uri);
        return 0;
}

int token_uri_parse_key(const char *s, P11KitUri **ret, TokenReason *why) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        int r;

        if (!s || !*s)
                return token_fail(why, -EINVAL, "empty key name");

        if (strncmp(s, P11_KIT_URI_SCHEME ":", P11_KIT_URI_SCHEME_LEN + 1) == 0) {
                r = uri_parse(s, &uri, why);
                if (r < 0)
                        return r;
        } else {
                /* A bare label: the common case in a configuration file. */
                CK_ATTRIBUTE label = { CKA_LABEL, (void *) s, strlen(s) };

                uri = p11_kit_uri_new();
                if (!uri)
                        return -ENOMEM;
                r = p11_kit_uri_set_attribute(uri, &label);
                if (r != P11_KIT_URI_OK)
                        return uri_errno(r);
        }

        if (!p11_kit_uri_get_attribute(uri, CKA_LABEL) && !p11_kit_uri_get_attribute(uri, CKA_ID))
                return token_fail(why, -EINVAL, "key \"%s\" names no object (object= or id=)", s);

        *ret = TAKE_PTR(uri);
        return 0;
}

char *token_uri_to_string(P11KitUri *uri) {
        char *s = NULL;

        if (p11_kit_uri_format(uri, P11_KIT_URI_FOR_ANY, &s) != P11_KIT_URI_OK || !s)
                return strdup("?");
        return s;
}

size_t token_uri_object_template(P11KitUri *uri, const CK_OBJECT_CLASS *cls, CK_ATTRIBUTE template[static 3]) {
        CK_ATTRIBUTE *a;
        size_t n = 0;

        template[n++] = (CK_ATTRIBUTE) { CKA_CLASS, (void *) cls, sizeof(*cls) };
        a = p11_kit_uri_get_attribute(uri, CKA_LABEL);
        if (a)
                template[n++] = *a;
        a = p11_kit_uri_get_attribute(uri, CKA_ID);
        if (a)
                template[n++] = *a;
        return n;
}

int token_uri_pins_token(const char *s) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        TokenReason why = {};
        int r;

        r = uri_parse(s, &uri, &why);
        if (r < 0)
                return r;
        /* p11-kit leaves a field the URI does not name all zeros, and matches it with anything. */
        const CK_TOKEN_INFO *info = p11_kit_uri_get_token_info(uri);
        for (size_t i = 0; i < sizeof(info->serialNumber); i++)
                if (info->serialNumber[i] != 0)
                        return 1;
        return 0;
}
