/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Synchronous building blocks of the token service, shared by the worker thread
 * (token-worker.c) and `qrgatectl token` (tools/ctl-token.c): the service's blocking API, as
 * pkcs11/token.h is its asynchronous one. Each function makes blocking PKCS#11 calls: never call
 * them on the event loop thread of the daemon (it has token.h for that).
 *
 * Failures return a negative errno and, when `why` is not NULL, a short English reason in it.
 * CK_RV values become errno values in token_errno_from_rv() only (token-errno.c). */

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/uri.h>

#include "core/macro.h"
#include "pkcs11/token.h"

#define TOKEN_REASON_MAX 256
#define TOKEN_PIN_MAX 256

typedef struct TokenReason {
        char text[TOKEN_REASON_MAX];
} TokenReason;

/* token-errno.c: the one place where a CK_RV becomes an errno. */
int token_errno_from_rv(CK_RV rv);
/* Sets why to "<what>: <p11-kit's text for rv>" and returns token_errno_from_rv(rv). */
int token_fail_rv(TokenReason *why, const char *what, CK_RV rv);
/* Sets why from a format and returns error (a negative errno). */
int token_fail(TokenReason *why, int error, const char *format, ...) _printf_(3, 4);
/* Errors that mean the token or our session with it is gone (removed, reset, device error, stale
 * handles, login lost): the service drops the session and reconnects. */
bool token_error_is_absent(int error);

/* token-uri.c: RFC 7512 URIs, parsed by p11-kit. */
DEFINE_TRIVIAL_CLEANUP_FUNC(P11KitUri *, p11_kit_uri_free);
/* Parses a URI that selects a token. */
int token_uri_parse_token(const char *s, P11KitUri **ret, TokenReason *why);
/* Parses a key: a URI naming an object by object= and/or id=, or a bare label. */
int token_uri_parse_key(const char *s, P11KitUri **ret, TokenReason *why);
/* The key URI as text, for messages; "?" when it cannot be formatted. Caller frees. */
char *token_uri_to_string(P11KitUri *uri);
/* Fills template with CKA_CLASS = cls and the URI's CKA_LABEL and CKA_ID. Returns the number of
 * attributes; they point into uri and cls. */
size_t token_uri_object_template(P11KitUri *uri, const CK_OBJECT_CLASS *cls, CK_ATTRIBUTE template[static 3]);

/* token-module.c: one PKCS#11 module loaded through p11-kit. */
typedef struct TokenModule {
        CK_FUNCTION_LIST *f;
        CK_FUNCTION_LIST **list; /* p11-kit's configured modules, when f was chosen by name */
        char *name;              /* path or p11-kit name, for messages */
        bool initialized;
} TokenModule;

/* Loads (without initializing) the module named by `module` (a path, or a p11-kit module name),
 * or when NULL by the module-path/module-name attribute of uri. -ENOENT: no such module,
 * -EINVAL: none named, -ELIBBAD: it did not load. The module must be freed with
 * token_module_free(). */
int token_module_load(const char *module, P11KitUri *uri, TokenModule **ret, TokenReason *why);
int token_module_initialize(TokenModule *m, TokenReason *why);
/* Finalizes the module if it was initialized, releases it and frees m. Returns NULL. */
TokenModule *token_module_free(TokenModule *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(TokenModule *, token_module_free);

/* token-pin.c: the user PIN, read from a systemd credential or a private file. */
typedef struct TokenPin {
        char value[TOKEN_PIN_MAX + 1];
        size_t size;
} TokenPin;
/* Reads the PIN; *ret must be erased with token_pin_erase() (use _cleanup_). -ENOENT, -EPERM
 * (file accessible by group or others, or owned by another user), -EINVAL (empty, bad name),
 * -E2BIG, -ENXIO ($CREDENTIALS_DIRECTORY not set). */
int token_pin_read(const char *credential, const char *file, TokenPin *ret, TokenReason *why);
void token_pin_erase(TokenPin *pin);

/* token-session.c: finding the token, sessions and the one login. */
/* The slots with a token present, in *ret (malloc()ed, n + 1 entries). -EAGAIN when the list
 * kept changing under four attempts. */
int token_slot_list(TokenModule *m, CK_SLOT_ID **ret, CK_ULONG *ret_n, TokenReason *why);
/* Finds the one slot whose token matches uri. -ENODEV: no matching token present (the reason
 * names the tokens seen, so a wrong card is visible), -ENOTUNIQ: several match. */
int token_find_slot(TokenModule *m, P11KitUri *uri, CK_SLOT_ID *ret_slot, CK_TOKEN_INFO *ret_info,
                    TokenReason *why);
int token_open_session(TokenModule *m, CK_SLOT_ID slot, bool rw, CK_SESSION_HANDLE *ret, TokenReason *why);
/* Closes *h if open (errors ignored: the session may already be gone) and resets it to 0. */
void token_close_session(TokenModule *m, CK_SESSION_HANDLE *h);
/* Logs the user in with at most one C_Login, following the token's PIN flags (PKCS#11 v2.40
 * §3.2 CK_TOKEN_INFO): a token on its final try or with a locked PIN is not tried at all.
 * Returns 0 (also when the token needs no login, or is already logged in), or -EKEYREJECTED
 * (PIN wrong), -EKEYREVOKED (locked, or final try: *ret_alarm says which), or another error.
 * *ret_alarm is set to the PIN alarm state, or to TOKEN_STATE_PRESENT when there is none.
 * *ret_tried is set when C_Login was called. */
int token_login(TokenModule *m, CK_SESSION_HANDLE h, CK_SLOT_ID slot, const char *pin_credential,
                const char *pin_file, TokenState *ret_alarm, bool *ret_tried, TokenReason *why);
/* Finds the one object of class cls matching uri's label/id. -ENOENT none, -ENOTUNIQ several. */
int token_find_object(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *uri, CK_OBJECT_CLASS cls,
                      CK_OBJECT_HANDLE *ret, TokenReason *why);

/* token-ops.c: what the product asks of its keys. */
/* Checks that the object is a usable, secret-keeping key: the device key an EC private key with
 * CKA_SIGN, the HMAC key a generic/SHA-256-HMAC secret key with CKA_SIGN; both sensitive and not
 * extractable. -EPERM with a reason otherwise. */
int token_check_sign_key(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, TokenReason *why);
int token_check_hmac_key(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, TokenReason *why);
/* CKM_ECDSA over a SHA-256 digest computed on the host: tokens that sign in hardware all
 * implement raw CKM_ECDSA, fewer the hashing variants. */
int token_sign_digest(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const uint8_t digest[static 32],
                      uint8_t ret_sig[static TOKEN_SIGNATURE_SIZE], TokenReason *why);
int token_hmac(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE key, const void *data, size_t size,
               uint8_t ret_mac[static TOKEN_HMAC_SIZE], TokenReason *why);
/* Reads CKA_EC_PARAMS and CKA_EC_POINT of a public key object and returns its
 * SubjectPublicKeyInfo DER (caller frees). -EOPNOTSUPP if the curve is not P-256. */
int token_read_pubkey(TokenModule *m, CK_SESSION_HANDLE h, CK_OBJECT_HANDLE pub, uint8_t **ret_der,
                      size_t *ret_size, TokenReason *why);

/* token-pubkey.c: the OpenSSL edge. */
int token_sha256(const void *data, size_t size, uint8_t ret[static 32]);
/* Builds SubjectPublicKeyInfo DER for a P-256 point given as PKCS#11 gives CKA_EC_POINT (a DER
 * OCTET STRING, or the raw uncompressed point some tokens return). -EBADMSG when it is not a
 * point on P-256. */
int token_pubkey_from_ec_point(const uint8_t *point, size_t size, uint8_t **ret_der, size_t *ret_size);
/* PEM "PUBLIC KEY" text for SPKI DER, NUL-terminated; caller frees. */
int token_pubkey_to_pem(const uint8_t *der, size_t size, char **ret_pem, size_t *ret_size);
/* 0 when sig (r || s) is a valid ECDSA signature of digest under the SPKI DER key, -EBADMSG
 * when not. */
int token_pubkey_verify(const uint8_t *der, size_t size, const uint8_t digest[static 32],
                        const uint8_t sig[static TOKEN_SIGNATURE_SIZE]);

/* token-provision.c: making the keys (qrgatectl token init, tests). */
/* Initializes a blank token (C_InitToken in the first slot whose token is not initialized, then
 * C_InitPIN), as softhsm2-util --init-token does. For software tokens only: smartcards are
 * initialized with their own tools. */
int token_provision_init_token(TokenModule *m, const char *label, const TokenPin *so_pin,
                               const TokenPin *user_pin, TokenReason *why);
/* Generates, on the token, a P-256 key pair named by sign_uri and a 32-byte HMAC secret named by
 * hmac_uri (either may be NULL), as sensitive, non-extractable token objects. -EEXIST when an
 * object with that name exists already (nothing is overwritten). Needs a logged-in R/W session. */
int token_provision_keys(TokenModule *m, CK_SESSION_HANDLE h, P11KitUri *sign_uri, P11KitUri *hmac_uri,
                         TokenReason *why);
