/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>

#include "pkcs11/token-blocking.h"

/* The only place a CK_RV becomes an errno (STYLE.md: foreign codes are converted once at the
 * library edge). Return values are those of PKCS#11 v2.40 base spec §5.1 and the function descriptions of §5. The classes
 * that matter to the service are chosen so token_error_is_absent() can tell "the token or our
 * session is gone" from "this one operation failed". */
int token_errno_from_rv(CK_RV rv) {
        switch (rv) {
        case CKR_OK:
                return 0;
        case CKR_HOST_MEMORY:
                return -ENOMEM;
        case CKR_DEVICE_MEMORY:
                return -ENOSPC;

        /* The token is gone or was swapped: reconnect. */
        case CKR_TOKEN_NOT_PRESENT:
        case CKR_DEVICE_REMOVED:
        case CKR_TOKEN_NOT_RECOGNIZED:
                return -ENODEV;
        case CKR_SLOT_ID_INVALID: /* the reader itself went away */
                return -ENXIO;
        case CKR_DEVICE_ERROR:
        case CKR_GENERAL_ERROR: /* §5.1.1: "unrecoverable error", the session is not to be trusted */
        case CKR_CRYPTOKI_NOT_INITIALIZED:
                return -EIO;
        /* Handles from before a reset or reinsertion. */
        case CKR_SESSION_HANDLE_INVALID:
        case CKR_SESSION_CLOSED:
        case CKR_OBJECT_HANDLE_INVALID:
        case CKR_KEY_HANDLE_INVALID:
                return -ESTALE;
        case CKR_USER_NOT_LOGGED_IN: /* the login was lost, e.g. the card was reset */
                return -ENOTCONN;

        /* The PIN. */
        case CKR_PIN_INCORRECT:
        case CKR_PIN_INVALID:
        case CKR_PIN_LEN_RANGE:
                return -EKEYREJECTED;
        case CKR_PIN_LOCKED:
                return -EKEYREVOKED;
        case CKR_PIN_EXPIRED:
                return -EKEYEXPIRED;
        case CKR_USER_PIN_NOT_INITIALIZED:
                return -ENOKEY;
        case CKR_USER_ALREADY_LOGGED_IN:
        case CKR_CRYPTOKI_ALREADY_INITIALIZED:
                return -EALREADY;
        case CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
        case CKR_USER_TOO_MANY_TYPES:
        case CKR_OPERATION_ACTIVE:
        case CKR_SESSION_COUNT:
        case CKR_SESSION_EXISTS:
                return -EBUSY;

        /* This operation failed; the token is fine. */
        case CKR_ARGUMENTS_BAD:
        case CKR_ATTRIBUTE_VALUE_INVALID:
        case CKR_ATTRIBUTE_READ_ONLY:
        case CKR_TEMPLATE_INCOMPLETE:
        case CKR_TEMPLATE_INCONSISTENT:
        case CKR_MECHANISM_PARAM_INVALID:
        case CKR_DATA_INVALID:
        case CKR_DOMAIN_PARAMS_INVALID:
        case CKR_USER_TYPE_INVALID:
        case CKR_SESSION_PARALLEL_NOT_SUPPORTED:
                return -EINVAL;
        case CKR_DATA_LEN_RANGE:
                return -EMSGSIZE;
        case CKR_BUFFER_TOO_SMALL:
                return -ENOBUFS;
        case CKR_SIGNATURE_INVALID:
        case CKR_SIGNATURE_LEN_RANGE:
                return -EBADMSG;
        case CKR_FUNCTION_NOT_SUPPORTED:
        case CKR_MECHANISM_INVALID:
        case CKR_KEY_TYPE_INCONSISTENT:
        case CKR_KEY_FUNCTION_NOT_PERMITTED:
        case CKR_KEY_SIZE_RANGE:
        case CKR_CURVE_NOT_SUPPORTED:
        case CKR_RANDOM_NO_RNG:
                return -EOPNOTSUPP;
        case CKR_ATTRIBUTE_SENSITIVE:
        case CKR_KEY_UNEXTRACTABLE:
        case CKR_ACTION_PROHIBITED:
                return -EPERM;
        case CKR_ATTRIBUTE_TYPE_INVALID:
                return -ENODATA;
        case CKR_TOKEN_WRITE_PROTECTED:
        case CKR_SESSION_READ_ONLY:
        case CKR_SESSION_READ_ONLY_EXISTS:
                return -EROFS;
        case CKR_FUNCTION_CANCELED:
                return -ECANCELED;
        case CKR_NO_EVENT:
                return -EAGAIN;
        case CKR_CANT_LOCK:
        case CKR_NEED_TO_CREATE_THREADS:
                return -ENOLCK;
        /* §5.1.1: CKR_FUNCTION_FAILED leaves the token usable ("not necessarily totally
         * hopeless"), unlike CKR_GENERAL_ERROR. Unknown and vendor codes are treated the same:
         * the request fails, the session stays. */
        case CKR_FUNCTION_FAILED:
        case CKR_OPERATION_NOT_INITIALIZED:
        default:
                return -EPROTO;
        }
}

bool token_error_is_absent(int error) {
        switch (error) {
        case -ENODEV:
        case -ENXIO:
        case -EIO:
        case -ESTALE:
        case -ENOTCONN:
                return true;
        default:
                return false;
        }
}

int token_fail(TokenReason *why, int error, const char *format, ...) {
        if (why) {
                va_list ap;

                va_start(ap, format);
                (void) vsnprintf(why->text, sizeof(why->text), format, ap);
                va_end(ap);
        }
        return error;
}

int token_fail_rv(TokenReason *why, const char *what, CK_RV rv) {
        int r = token_errno_from_rv(rv);

        /* p11_kit_strerror() knows every standard code; vendor codes get their number. */
        if (rv >= CKR_VENDOR_DEFINED)
                return token_fail(why, r, "%s: vendor error 0x%lx", what, (unsigned long) rv);
        return token_fail(why, r, "%s: %s", what, p11_kit_strerror(rv));
}
