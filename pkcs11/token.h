/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The token service. The appliance's secrets — its ECDSA P-256 device key (audit checkpoints,
 * receipts) and its HMAC key (pseudonyms) — live in a PKCS#11 token: a smartcard through OpenSC
 * in the field, an HSM, SoftHSM2 in tests. They never exist in a file or in this process; the
 * service only asks the token to use them.
 *
 * Every token call runs on one worker thread behind a bounded queue. Results come back to the
 * caller's sd-event loop (through an eventfd) as callbacks, so a token that needs a second per
 * signature never delays the loop, and nothing on the unlock path ever waits for it.
 *
 * The service keeps itself alive: a removed token, a reset card or a device error moves it to
 * TOKEN_STATE_ABSENT, work waits in the queue (or is refused, as the caller chose), and the token
 * comes back with a fresh login on its own (C_WaitForSlotEvent where the module has it, bounded
 * polling otherwise). The PIN is read from a systemd credential or a private file at each login
 * and wiped afterwards; it is tried once: a rejected PIN, a token on its final PIN try or a locked
 * PIN raise an alarm state and the service makes no further login until the operator acts.
 *
 * The library never logs. Errors are negative errno values; where a person needs to know more,
 * results and state changes carry a short reason in English (see docs/token.md).
 *
 * A TokenService belongs to the thread that runs its sd-event loop: call its functions there
 * only. Callbacks run there too. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

typedef struct TokenService TokenService;

#define TOKEN_USEC_INFINITY UINT64_MAX
/* Largest message token_sign_async()/token_hmac_async() accept. HMAC input goes to the token in
 * one C_Sign call, and small tokens limit what they take in one command. */
#define TOKEN_DATA_MAX (64U * 1024U)
/* ECDSA P-256 signature as r || s, 32 bytes each, big-endian: the PKCS#11 CKM_ECDSA output
 * (PKCS#11 v2.40 Current Mechanisms, ECDSA) and the COSE ES256 encoding (RFC 9053 §2.1). */
#define TOKEN_SIGNATURE_SIZE 64U
#define TOKEN_HMAC_SIZE 32U /* HMAC-SHA256 (CKM_SHA256_HMAC) */

typedef enum TokenState {
        TOKEN_STATE_CONNECTING,    /* "connecting": not yet found and logged in since start */
        TOKEN_STATE_PRESENT,       /* "present": logged in, keys found; operations run */
        TOKEN_STATE_ABSENT,        /* "absent": removed, faulty, wrong token or missing key;
                                    * recovers automatically */
        TOKEN_STATE_PIN_REJECTED,  /* "pin-rejected": the token refused the PIN once; alarm */
        TOKEN_STATE_PIN_FINAL_TRY, /* "pin-final-try": one wrong PIN would lock it; not tried; alarm */
        TOKEN_STATE_PIN_LOCKED,    /* "pin-locked": the user PIN is blocked; alarm */
        _TOKEN_STATE_MAX,
        _TOKEN_STATE_INVALID = -EINVAL,
} TokenState;

typedef enum TokenOp {
        TOKEN_OP_SIGN, /* ECDSA P-256 over SHA-256 of the message, with the device key */
        TOKEN_OP_HMAC, /* HMAC-SHA256 of the message, with the HMAC secret key */
        _TOKEN_OP_MAX,
        _TOKEN_OP_INVALID = -EINVAL,
} TokenOp;

/* What token_service_new() needs. Strings are borrowed for the duration of token_service_new()
 * only; the service copies what it keeps. Numeric fields left 0 take the default named. */
typedef struct TokenConfig {
        /* Path of a PKCS#11 module ("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so") or the name of
         * a module in p11-kit's configuration ("opensc-pkcs11", "softhsm2"). NULL: taken from the
         * token URI's module-path or module-name query attribute (RFC 7512 §2.3). */
        const char *module;
        /* RFC 7512 URI that selects the token, e.g. "pkcs11:token=qrgate;serial=1a2b". A token
         * whose label, serial, manufacturer or model differs from what the URI names is refused.
         * Required. */
        const char *token_uri;
        /* The device key: a URI naming the object ("pkcs11:object=device-key" or with id=) or a
         * bare label ("device-key"). The private key signs; the public key object with the same
         * label/id is exported. NULL: the service offers no signatures. */
        const char *sign_key;
        /* The HMAC secret key, as sign_key. NULL: the service offers no HMAC. */
        const char *hmac_key;
        /* Where the user PIN comes from: the name of a systemd credential
         * ($CREDENTIALS_DIRECTORY/<name>, LoadCredential= or LoadCredentialEncrypted=), or the
         * path of a file readable only by the daemon (no group or other permission bits). One of
         * the two is required unless the token needs no login. Never a command line or the
         * environment. */
        const char *pin_credential;
        const char *pin_file;
        unsigned queue_max;     /* requests accepted and not yet answered; 0 = 64 */
        uint64_t poll_min_usec; /* first retry delay while the token is absent; 0 = 100 ms */
        uint64_t poll_max_usec; /* retry delay cap (backoff doubles up to it); 0 = 2 s */
        uint64_t health_usec;   /* idle check that the session still lives; 0 = 5 s,
                                 * TOKEN_USEC_INFINITY = never */
        bool no_slot_events;    /* do not use C_WaitForSlotEvent even if the module has it */
} TokenConfig;

/* One answer. Pointers are valid during the callback only. */
typedef struct TokenResult {
        uint64_t id;         /* as returned by the *_async() call */
        TokenOp op;
        int error;           /* 0, or negative errno (see token_sign_async()) */
        const char *reason;  /* NULL on success, otherwise a short English explanation */
        const uint8_t *data; /* the signature (TOKEN_SIGNATURE_SIZE) or MAC (TOKEN_HMAC_SIZE) */
        size_t size;
        uint64_t wait_usec;  /* time spent queued, including waiting for an absent token */
        uint64_t run_usec;   /* time the token took */
} TokenResult;

typedef void (*TokenResultHandler)(TokenService *s, const TokenResult *result, void *userdata);
/* Called on the event loop thread whenever the state or its reason changes. reason is valid
 * during the call only; it is "" for TOKEN_STATE_PRESENT. */
typedef void (*TokenStateHandler)(TokenService *s, TokenState state, const char *reason, void *userdata);

typedef struct TokenStats {
        uint64_t submitted; /* requests accepted */
        uint64_t succeeded;
        uint64_t failed;    /* answered with an error, cancelled ones excluded */
        uint64_t logins;    /* C_Login calls made */
        uint64_t connects;  /* times the service reached TOKEN_STATE_PRESENT */
        unsigned queued;    /* requests waiting now */
} TokenStats;

/* Creates the service on event loop e (referenced until the service is freed): validates the
 * configuration, loads the module (not yet initialized: that happens on the worker thread), checks
 * that the PIN source is readable and private, and starts the worker. The first state reported
 * is TOKEN_STATE_CONNECTING; the state handler, set right after this call, sees every change.
 * Returns 0 and a service that must be freed with token_service_free(), or -EINVAL (bad or
 * incomplete configuration, bad URI), -ENOENT (module or PIN source not found), -EPERM (PIN file
 * readable by others), -ELIBBAD (module could not be loaded), -ENOMEM. When ret_reason is not
 * NULL it receives a short English explanation of a failure, valid until the next call. */
int token_service_new(sd_event *e, const TokenConfig *c, TokenService **ret, const char **ret_reason);

/* Stops the worker (waiting for a token call in progress to end), logs out, closes the module
 * and frees s. Requests not yet answered are dropped without callback. May be called from one of
 * the service's own callbacks; the service is then freed when the callback returns. Returns
 * NULL. */
TokenService *token_service_free(TokenService *s);

static inline void token_service_freep(TokenService **s) {
        if (*s)
                (void) token_service_free(*s);
}

void token_service_set_state_handler(TokenService *s, TokenStateHandler handler, void *userdata);

/* Priority of the event source that delivers results (sd_event_source_set_priority()). A daemon
 * that wants door decisions served first gives this a larger (lower priority) value. */
int token_service_set_priority(TokenService *s, int64_t priority);

/* The state as last delivered to the event loop, without calling the token. When ret_reason is
 * not NULL it points to the reason, valid until the next state change is dispatched. */
TokenState token_service_get_state(const TokenService *s, const char **ret_reason);

static inline bool token_service_is_present(const TokenService *s) {
        return token_service_get_state(s, NULL) == TOKEN_STATE_PRESENT;
}

void token_service_get_stats(const TokenService *s, TokenStats *ret);

/* Queues a signature (TOKEN_OP_SIGN) of SHA-256(data) with the device key, or an HMAC-SHA256
 * (TOKEN_OP_HMAC) of data with the HMAC key. data is copied. The handler is then called exactly
 * once on the event loop thread, unless the request is cancelled or the service freed first.
 *
 * timeout_usec bounds how long the request waits for a token that is absent or still
 * connecting: 0 refuses it at once with -ENODEV in that case, TOKEN_USEC_INFINITY waits for ever.
 * While the token is present, requests run in order; queue_max bounds that wait instead.
 *
 * Returns 0 (and the request's id in *ret_id when not NULL) or, without calling the handler:
 * -EINVAL (bad op, no handler, data larger than TOKEN_DATA_MAX), -ENOKEY (no key of that kind
 * configured), -EAGAIN (queue full). The handler sees error 0, or: -ENODEV (token absent longer
 * than timeout_usec), -EKEYREJECTED/-EKEYREVOKED (PIN alarm: no login is attempted), or the
 * error the token gave for this operation (-EOPNOTSUPP, -EPROTO, -EMSGSIZE, ...). A request that
 * fails because the token vanished under it is retried after recovery (up to 3 times). */
int token_submit(TokenService *s, TokenOp op, const void *data, size_t size, uint64_t timeout_usec,
                 TokenResultHandler handler, void *userdata, uint64_t *ret_id);

static inline int token_sign_async(TokenService *s, const void *data, size_t size, uint64_t timeout_usec,
                                   TokenResultHandler handler, void *userdata, uint64_t *ret_id) {
        return token_submit(s, TOKEN_OP_SIGN, data, size, timeout_usec, handler, userdata, ret_id);
}

static inline int token_hmac_async(TokenService *s, const void *data, size_t size, uint64_t timeout_usec,
                                   TokenResultHandler handler, void *userdata, uint64_t *ret_id) {
        return token_submit(s, TOKEN_OP_HMAC, data, size, timeout_usec, handler, userdata, ret_id);
}

/* The request's handler will not be called. A token call already running is not interrupted
 * (PKCS#11 has no portable way to); its result is dropped. Returns 0, or -ENOENT when id is
 * unknown or already answered. */
int token_cancel(TokenService *s, uint64_t id);

typedef enum TokenKeyFormat {
        TOKEN_KEY_FORMAT_DER, /* SubjectPublicKeyInfo, DER (RFC 5480) */
        TOKEN_KEY_FORMAT_PEM, /* the same, PEM "PUBLIC KEY", NUL-terminated (size excludes NUL) */
        _TOKEN_KEY_FORMAT_MAX,
        _TOKEN_KEY_FORMAT_INVALID = -EINVAL,
} TokenKeyFormat;

/* The device public key as read from the token at the last connection (no token call: this is
 * safe on the event loop and while the token is absent). The service has checked, at that
 * connection, that the key verifies a signature the token made. Returns 0 and a buffer the caller
 * frees with free(), -ENOKEY when no sign key is configured, -ENODATA when the token has not been
 * present yet, -EINVAL, -ENOMEM. */
int token_export_pubkey(const TokenService *s, TokenKeyFormat format, void **ret, size_t *ret_size);

/* After the operator fixed the PIN (or unblocked it), allows one more login. Returns 0, or
 * -EALREADY when the service is not in a PIN alarm state. */
int token_service_retry_login(TokenService *s);

/* Whether the token URI s names one token: a serial number (RFC 7512 "serial"). A label alone
 * ("pkcs11:token=qrgate") is accepted by any card carrying it, so a swapped card would sign
 * checkpoints and make pseudonyms. Returns 1, 0, or -EINVAL for a URI that does not parse. */
int token_uri_pins_token(const char *s);

const char *token_state_to_string(TokenState s);
TokenState token_state_from_string(const char *s);
/* A state the operator must act on (the PIN states): the daemon raises an alarm. */
bool token_state_is_alarm(TokenState s);
const char *token_op_to_string(TokenOp op);
