/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11/token-blocking.h"

#define SEEN_MAX 160

static const char *class_name(CK_OBJECT_CLASS cls) {
        switch (cls) {
        case CKO_PRIVATE_KEY:
                return "private key";
        case CKO_PUBLIC_KEY:
                return "public key";
        case CKO_SECRET_KEY:
                return "secret key";
        default:
                return "object";
        }
}

/* Slots come and go between C_GetSlotList's two calls (PKCS#11 v2.40 §5.5, CKR_BUFFER_TOO_SMALL
 * then means "ask again"), so the buffer follows the count. */
int token_slot_list(TokenModule *m, CK_SLOT_ID **ret, CK_ULONG *ret_n, TokenReason *why) {
        for (unsigned attempt = 0; attempt < 4; attempt++) {
                _cleanup_(freep) CK_SLOT_ID *slots = NULL;
                CK_ULONG n = 0;
                CK_RV rv;

                rv = m->f->C_GetSlotList(CK_TRUE, NULL, &n);
                if (rv != CKR_OK)
                        return token_fail_rv(why, "C_GetSlotList", rv);
                slots = calloc(n + 1, sizeof(CK_SLOT_ID));
                if (!slots)
                        return -ENOMEM;
                rv = m->f->C_GetSlotList(CK_TRUE, slots, &n);
                if (rv == CKR_BUFFER_TOO_SMALL)
                        continue;
                if (rv != CKR_OK)
                        return token_fail_rv(why, "C_GetSlotList", rv);
                *ret = TAKE_PTR(slots);
                *ret_n = n;
                return 0;
        }
        return token_fail(why, -EAGAIN, "C_GetSlotList: slot list kept changing");
}

int token_find_slot(TokenModule *m, P11KitUri *uri, CK_SLOT_ID *ret_slot, CK_TOKEN_INFO *ret_info,
                    TokenReason *why) {
        _cleanup_(freep) CK_SLOT_ID *slots = NULL;
        CK_TOKEN_INFO found_info = {};
        CK_SLOT_ID found = 0;
        char seen[SEEN_MAX] = "";
        size_t seen_len = 0;
        unsigned matches = 0;
        CK_ULONG n = 0;
        int r;

        r = token_slot_list(m, &slots, &n, why);
        if (r < 0)
                return r;

        for (CK_ULONG i = 0; i < n; i++) {
                CK_SLOT_INFO slot_info;
                CK_TOKEN_INFO info;

                /* A token pulled between the list and this call is simply not there. */
                if (m->f->C_GetSlotInfo(slots[i], &slot_info) != CKR_OK)
                        continue;
                if (m->f->C_GetTokenInfo(slots[i], &info) != CKR_OK)
                        continue;
                if (!(info.flags & CKF_TOKEN_INITIALIZED))
                        continue;

                if (p11_kit_uri_match_slot_info(uri, &slot_info) && p11_kit_uri_match_token_info(uri, &info)) {
                        if (matches++ == 0) {
                                found = slots[i];
                                found_info = info;
                        }
                        continue;
                }

                /* Name the tokens that did not match, so a wrong card is obvious to the operator. */
                if (seen_len < sizeof(seen) - 1) {
                        int k = snprintf(seen + seen_len, sizeof(seen) - seen_len, "%s\"%.*s\" (serial %.*s)",
                                         seen_len > 0 ? ", " : "",
                                         (int) p11_kit_space_strlen(info.label, sizeof(info.label)), info.label,
                                         (int) p11_kit_space_strlen(info.serialNumber, sizeof(info.serialNumber)),
                                         info.serialNumber);
                        seen_len = k < 0 ? seen_len : MIN(seen_len + (size_t) k, sizeof(seen) - 1);
                }
        }

        if (matches == 0) {
                _cleanup_(freep) char *s = token_uri_to_string(uri);

                if (seen_len == 0)
                        return token_fail(why, -ENODEV, "no token present matching %s", s ?: "?");
                return token_fail(why, -ENODEV, "no token present matching %s; refused: %s", s ?: "?", seen);
        }
        if (matches > 1) {
                _cleanup_(freep) char *s = token_uri_to_string(uri);

                return token_fail(why, -ENOTUNIQ, "%u tokens match %s; add serial= to the URI", matches, s ?: "?");
        }

        *ret_slot = found;
        if (ret_info)
                *ret_info = found_info;
        return 0;
}

int token_open_session(TokenModule *m, CK_SLOT_ID slot, bool rw, CK_SESSION_HANDLE *ret, TokenReason *why) {
        CK_FLAGS flags = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
        CK_SESSION_HANDLE h = 0;
        CK_RV rv;

        rv = m->f->C_OpenSession(slot, flags, NULL, NULL, &h);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_OpenSession", rv);
        *ret = h;
        return 0;
}

void token_close_session(TokenModule *m, CK_SESSION_HANDLE *h) {
        if (*h != 0)
                (void) m->f->C_CloseSession(*h);
        *h = 0;
}

static bool session_is_user(TokenModule *m, CK_SESSION_HANDLE h) {
        CK_SESSION_INFO si;

        if (m->f->C_GetSessionInfo(h, &si) != CKR_OK)
                return false;
        return si.state == CKS_RO_USER_FUNCTIONS || si.state == CKS_RW_USER_FUNCTIONS;
}

int token_login(TokenModule *m, CK_SESSION_HANDLE h, CK_SLOT_ID slot, const char *pin_credential,
                const char *pin_file, TokenState *ret_alarm, bool *ret_tried, TokenReason *why) {
        _cleanup_(token_pin_erase) TokenPin pin = {};
        CK_TOKEN_INFO info;
        CK_RV rv;
        int r;

        *ret_alarm = TOKEN_STATE_PRESENT;
        *ret_tried = false;

        /* Fresh flags: the ones seen when the slot was chosen may be from before another
         * application's failed login. */
        rv = m->f->C_GetTokenInfo(slot, &info);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_GetTokenInfo", rv);
        if (!(info.flags & CKF_LOGIN_REQUIRED))
                return 0;
        /* Logins are per application (PKCS#11 v2.40 §5.6); p11-kit shares one module between the
         * users of a process, so another user may have logged in already. */
        if (session_is_user(m, h))
                return 0;

        /* The retry counter belongs to the token and the operator; the daemon never spends its
         * last unit (PKCS#11 v2.40 §3.2 CKF_USER_PIN_FINAL_TRY, CKF_USER_PIN_LOCKED). */
        if (info.flags & CKF_USER_PIN_LOCKED) {
                *ret_alarm = TOKEN_STATE_PIN_LOCKED;
                return token_fail(why, -EKEYREVOKED, "the token's user PIN is locked; unblock it with the SO PIN");
        }
        if (info.flags & CKF_USER_PIN_FINAL_TRY) {
                *ret_alarm = TOKEN_STATE_PIN_FINAL_TRY;
                return token_fail(why, -EKEYREVOKED,
                                  "the token is on its final PIN try; not logging in (check the PIN, then retry)");
        }

        r = token_pin_read(pin_credential, pin_file, &pin, why);
        if (r < 0)
                return r;

        *ret_tried = true;
        rv = m->f->C_Login(h, CKU_USER, (CK_UTF8CHAR_PTR) pin.value, pin.size);
        r = token_errno_from_rv(rv);
        switch (r) {
        case 0:
        case -EALREADY:
                return 0;
        case -EKEYREJECTED:
                *ret_alarm = TOKEN_STATE_PIN_REJECTED;
                return token_fail(why, r, "the token rejected the PIN (tried once; no further login until the PIN is fixed)");
        case -EKEYEXPIRED:
                *ret_alarm = TOKEN_STATE_PIN_REJECTED;
                return token_fail(why, r, "the token says the PIN has expired; change it");
        case -EKEYREVOKED:
                *ret_alarm = TOKEN_STATE_PIN_LOCKED;
                return token_fail(why, r, "the token's user PIN is locked; unblock it with the SO PIN");
        case -ENOKEY:
                /* Nothing was spent: the PIN was never set. Not an alarm; provisioning is due. */
                return token_fail(why, r, "the token's user PIN is not initialized");
        default:
                return token_fail_rv(why, "C_Login", rv);
        }
}

int token_find_object(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *uri, CK_OBJECT_CLASS cls,
                      CK_OBJECT_HANDLE *ret, TokenReason *why) {
        CK_ATTRIBUTE template[3];
        CK_OBJECT_HANDLE found[2];
        CK_ULONG n = 0, n_template;
        CK_RV rv, rv_final;

        n_template = token_uri_object_template(uri, &cls, template);
        rv = m->f->C_FindObjectsInit(h, template, n_template);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_FindObjectsInit", rv);
        rv = m->f->C_FindObjects(h, found, ELEMENTSOF(found), &n);
        /* Always end the search, or the session cannot start the next one. */
        rv_final = m->f->C_FindObjectsFinal(h);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_FindObjects", rv);
        if (rv_final != CKR_OK)
                return token_fail_rv(why, "C_FindObjectsFinal", rv_final);

        if (n != 1) {
                _cleanup_(freep) char *s = token_uri_to_string(uri);

                if (n == 0)
                        return token_fail(why, -ENOENT, "no %s %s on the token", class_name(cls), s ?: "?");
                return token_fail(why, -ENOTUNIQ, "several %ss match %s; give them distinct labels or ids",
                                  class_name(cls), s ?: "?");
        }
        *ret = found[0];
        return 0;
}
