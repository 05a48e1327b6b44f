/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/token-blocking.h"

static const uint8_t p256_params[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };

static int find_blank_slot(TokenModule *m, const char *label, CK_SLOT_ID *ret, TokenReason *why) {
        _cleanup_(freep) CK_SLOT_ID *slots = NULL;
        CK_ULONG n = 0;
        bool found = false;
        int r;

        r = token_slot_list(m, &slots, &n, why);
        if (r < 0)
                return r;

        for (CK_ULONG i = 0; i < n; i++) {
                CK_TOKEN_INFO info;

                if (m->f->C_GetTokenInfo(slots[i], &info) != CKR_OK)
                        continue;
                if (info.flags & CKF_TOKEN_INITIALIZED) {
                        size_t len = p11_kit_space_strlen(info.label, sizeof(info.label));

                        if (len == strlen(label) && memcmp(info.label, label, len) == 0)
                                return token_fail(why, -EEXIST, "a token labelled \"%s\" exists already", label);
                        continue;
                }
                if (!found) {
                        *ret = slots[i];
                        found = true;
                }
        }
        if (!found)
                return token_fail(why, -ENODEV, "no uninitialized token to initialize");
        return 0;
}

int token_provision_init_token(TokenModule *m, const char *label, const TokenPin *so_pin,
                               const TokenPin *user_pin, TokenReason *why) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        CK_SESSION_HANDLE h = 0;
        CK_UTF8CHAR padded[32];
        CK_SLOT_ID slot;
        CK_RV rv;
        int r;

        if (!label || !*label || strlen(label) > sizeof(padded))
                return token_fail(why, -EINVAL, "token label must be 1..32 bytes");
        r = find_blank_slot(m, label, &slot, why);
        if (r < 0)
                return r;

        /* CK_TOKEN_INFO strings are blank-padded, not NUL-terminated (§3.2). */
        memset(padded, ' ', sizeof(padded));
        memcpy(padded, label, strlen(label));
        rv = m->f->C_InitToken(slot, (CK_UTF8CHAR_PTR) so_pin->value, so_pin->size, padded);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_InitToken", rv);

        /* SoftHSM2 gives an initialized token a new slot id: look it up again by label. */
        uri = p11_kit_uri_new();
        if (!uri)
                return -ENOMEM;
        memcpy(p11_kit_uri_get_token_info(uri)->label, padded, sizeof(padded));
        r = token_find_slot(m, uri, &slot, NULL, why);
        if (r < 0)
                return r;

        r = token_open_session(m, slot, true, &h, why);
        if (r < 0)
                return r;
        rv = m->f->C_Login(h, CKU_SO, (CK_UTF8CHAR_PTR) so_pin->value, so_pin->size);
        if (rv != CKR_OK)
                r = token_fail_rv(why, "C_Login (SO)", rv);
        else {
                rv = m->f->C_InitPIN(h, (CK_UTF8CHAR_PTR) user_pin->value, user_pin->size);
                if (rv != CKR_OK)
                        r = token_fail_rv(why, "C_InitPIN", rv);
                (void) m->f->C_Logout(h);
        }
        token_close_session(m, &h);
        return r;
}

static int refuse_existing(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *uri, CK_OBJECT_CLASS cls, TokenReason *why) {
        CK_OBJECT_HANDLE o;
        TokenReason ignored;
        int r;

        r = token_find_object(m, h, uri, cls, &o, &ignored);
        if (r == -ENOENT)
                return 0;
        if (r < 0 && r != -ENOTUNIQ)
                return token_fail(why, r, "%s", ignored.text);

        _cleanup_(freep) char *s = token_uri_to_string(uri);
        return token_fail(why, -EEXIST, "%s exists already on the token; nothing was changed (delete it first)", s ?: "?");
}

/* Appends CKA_LABEL and CKA_ID from uri to template t at *n. */
static void add_name(P11KitUri *uri, CK_ATTRIBUTE *t, CK_ULONG *n) {
        CK_ATTRIBUTE *a;

        a = p11_kit_uri_get_attribute(uri, CKA_LABEL);
        if (a)
                t[(*n)++] = *a;
        a = p11_kit_uri_get_attribute(uri, CKA_ID);
        if (a)
                t[(*n)++] = *a;
}

static int make_key_pair(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *uri, CK_OBJECT_HANDLE *ret_pub,
                         CK_OBJECT_HANDLE *ret_priv, TokenReason *why) {
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        CK_MECHANISM mech = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
        CK_ATTRIBUTE pub[8] = {
                { CKA_TOKEN, &yes, sizeof(yes) },
                { CKA_PRIVATE, &no, sizeof(no) }, /* the public half is public: export needs no PIN */
                { CKA_VERIFY, &yes, sizeof(yes) },
                { CKA_EC_PARAMS, (void *) p256_params, sizeof(p256_params) },
        };
        /* The private half is made on the token and can never leave it (§4.9: CKA_SENSITIVE and
         * not CKA_EXTRACTABLE; once set, neither can be undone). */
        CK_ATTRIBUTE priv[10] = {
                { CKA_TOKEN, &yes, sizeof(yes) },
                { CKA_PRIVATE, &yes, sizeof(yes) },
                { CKA_SENSITIVE, &yes, sizeof(yes) },
                { CKA_EXTRACTABLE, &no, sizeof(no) },
                { CKA_SIGN, &yes, sizeof(yes) },
                { CKA_DERIVE, &no, sizeof(no) },
        };
        CK_ULONG n_pub = 4, n_priv = 6;
        CK_RV rv;

        add_name(uri, pub, &n_pub);
        add_name(uri, priv, &n_priv);
        rv = m->f->C_GenerateKeyPair(h, &mech, pub, n_pub, priv, n_priv, ret_pub, ret_priv);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_GenerateKeyPair", rv);
        return 0;
}

static int make_hmac_key(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *uri, TokenReason *why) {
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE type = CKK_GENERIC_SECRET;
        /* RFC 2104 §3: a key as long as the hash output is the recommended minimum. */
        CK_ULONG len = 32;
        CK_MECHANISM mech = { CKM_GENERIC_SECRET_KEY_GEN, NULL, 0 };
        CK_ATTRIBUTE t[16] = {
                { CKA_CLASS, &cls, sizeof(cls) },
                { CKA_KEY_TYPE, &type, sizeof(type) },
                { CKA_VALUE_LEN, &len, sizeof(len) },
                { CKA_TOKEN, &yes, sizeof(yes) },
                { CKA_PRIVATE, &yes, sizeof(yes) },
                { CKA_SENSITIVE, &yes, sizeof(yes) },
                { CKA_EXTRACTABLE, &no, sizeof(no) },
                { CKA_SIGN, &yes, sizeof(yes) },
                { CKA_VERIFY, &yes, sizeof(yes) },
                { CKA_ENCRYPT, &no, sizeof(no) },
                { CKA_DECRYPT, &no, sizeof(no) },
                { CKA_WRAP, &no, sizeof(no) },
                { CKA_UNWRAP, &no, sizeof(no) },
                { CKA_DERIVE, &no, sizeof(no) },
        };
        CK_ULONG n = 14;
        CK_OBJECT_HANDLE key;
        CK_RV rv;

        add_name(uri, t, &n);
        rv = m->f->C_GenerateKey(h, &mech, t, n, &key);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_GenerateKey", rv);
        return 0;
}

int token_provision_keys(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *sign_uri, P11KitUri *hmac_uri,
                         TokenReason *why) {
        CK_OBJECT_HANDLE pub = 0, priv = 0;
        int r;

        /* Check everything before making anything, so a refusal changes nothing. */
        if (sign_uri) {
                r = refuse_existing(m, h, sign_uri, CKO_PRIVATE_KEY, why);
                if (r >= 0)
                        r = refuse_existing(m, h, sign_uri, CKO_PUBLIC_KEY, why);
                if (r < 0)
                        return r;
        }
        if (hmac_uri) {
                r = refuse_existing(m, h, hmac_uri, CKO_SECRET_KEY, why);
                if (r < 0)
                        return r;
        }

        if (sign_uri) {
                r = make_key_pair(m, h, sign_uri, &pub, &priv, why);
                if (r < 0)
                        return r;
        }
        if (hmac_uri) {
                r = make_hmac_key(m, h, hmac_uri, why);
                if (r < 0) {
                        /* All or nothing: the next `token init` should not find half a set. */
                        if (sign_uri) {
                                (void) m->f->C_DestroyObject(h, priv);
                                (void) m->f->C_DestroyObject(h, pub);
                        }
                        return r;
                }
        }
        return 0;
}
