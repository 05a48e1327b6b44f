/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl receipt sign`: a receipt signed by the device key in the token, through the same
 * blocking building blocks as `qrgatectl token` and the token service's worker
 * (pkcs11/token-blocking.h): one login, CKM_ECDSA over a digest made here. For tests and
 * demonstrations; the lending service will sign through the asynchronous token service. */
#include <errno.h>
#include <getopt.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/receipt.h"
#include "pkcs11/token-blocking.h"
#include "tools/ctl-receipt.h"
#include "tools/ctl-token-session.h"
#include "tools/qr-png.h"
#include "tools/util.h"

typedef struct SignArgs {
        const char *module, *token, *key, *pin_file, *pin_credential, *png;
} SignArgs;

static int usage_error(const char *what) {
        if (what)
                fprintf(stderr, "qrgatectl receipt sign: %s\n", what);
        fprintf(stderr, "usage: %s", CTL_RECEIPT_SIGN_SYNOPSIS);
        return -EINVAL;
}

/* KIND:ID:OUTCOME[:DUE|:WORDS]; WORDS is the rest of the argument, colons and all. */
static int parse_item(const char *s, ReceiptItem *it) {
        _cleanup_(freep) char *copy = strdup(s);
        char *kind, *id, *outcome, *rest;
        int64_t due;

        if (!copy)
                return -ENOMEM;
        kind = copy;
        id = strchr(kind, ':');
        outcome = id ? strchr(++id, ':') : NULL;
        if (!outcome)
                return -EINVAL;
        *(id - 1) = 0;
        *outcome++ = 0;
        rest = strchr(outcome, ':');
        if (rest)
                *rest++ = 0;

        *it = (ReceiptItem) { .kind = receipt_kind_from_string(kind), .outcome = receipt_outcome_from_string(outcome) };
        if (it->kind < 0 || it->outcome < 0 || strlen(id) > RECEIPT_ITEM_ID_MAX)
                return -EINVAL;
        strcpy(it->id, id);
        if (it->outcome == RECEIPT_REFUSED) {
                if (rest && strlen(rest) > RECEIPT_WORDS_MAX)
                        return -EINVAL;
                strcpy(it->words, rest ?: "");
        } else if (it->kind != RECEIPT_CHECKIN) {
                if (!rest || parse_int64(rest, &due) < 0)
                        return -EINVAL;
                it->due = due;
        } else if (rest)
                return -EINVAL;
        return 0;
}

static int parse(int argc, char *argv[], SignArgs *a, Receipt *rc) {
        enum { ARG_MODULE = 0x100, ARG_TOKEN, ARG_KEY, ARG_PIN_FILE, ARG_PIN_CREDENTIAL, ARG_STATION,
               ARG_TIME, ARG_PATRON_HEX, ARG_ITEM, ARG_PNG };
        static const struct option options[] = {
                { "module", required_argument, NULL, ARG_MODULE },
                { "token", required_argument, NULL, ARG_TOKEN },
                { "key", required_argument, NULL, ARG_KEY },
                { "pin-file", required_argument, NULL, ARG_PIN_FILE },
                { "pin-credential", required_argument, NULL, ARG_PIN_CREDENTIAL },
                { "station", required_argument, NULL, ARG_STATION },
                { "time", required_argument, NULL, ARG_TIME },
                { "patron-hex", required_argument, NULL, ARG_PATRON_HEX },
                { "item", required_argument, NULL, ARG_ITEM },
                { "png", required_argument, NULL, ARG_PNG },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *why = NULL;
        int c;

        *a = (SignArgs) { .key = "device-key" };
        rc->time = (int64_t) time(NULL);
        optind = 0;
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_MODULE: a->module = optarg; break;
                case ARG_TOKEN: a->token = optarg; break;
                case ARG_KEY: a->key = optarg; break;
                case ARG_PIN_FILE: a->pin_file = optarg; break;
                case ARG_PIN_CREDENTIAL: a->pin_credential = optarg; break;
                case ARG_PNG: a->png = optarg; break;
                case ARG_STATION:
                        if (strlen(optarg) > RECEIPT_STATION_MAX)
                                return usage_error("--station: longer than 64 bytes");
                        strcpy(rc->station, optarg);
                        break;
                case ARG_TIME:
                        if (parse_int64(optarg, &rc->time) < 0)
                                return usage_error("--time: not unix seconds");
                        break;
                case ARG_PATRON_HEX:
                        if (parse_hex(optarg, rc->patron, RECEIPT_PATRON_MAX, &rc->patron_len) < 0)
                                return usage_error("--patron-hex: not hex of at most 32 bytes");
                        break;
                case ARG_ITEM:
                        if (rc->n_items == RECEIPT_ITEMS_MAX)
                                return usage_error("more than 64 items");
                        if (parse_item(optarg, &rc->items[rc->n_items++]) < 0)
                                return usage_error("--item: not KIND:ID:OUTCOME[:DUE|:WORDS]");
                        break;
                case 'h':
                        printf("usage: %s", CTL_RECEIPT_SIGN_SYNOPSIS);
                        return 0;
                default:
                        return usage_error(NULL);
                }
        if (optind < argc)
                return usage_error("unexpected argument");
        if (!a->token)
                return usage_error("--token URI is required");
        if (!a->pin_file == !a->pin_credential)
                return usage_error("give --pin-file or --pin-credential");
        if (receipt_check(rc, &why) < 0)
                return usage_error(why);
        return 1;
}

/* Signs digest with the device key and returns its public key (SPKI DER), so the caller can
 * name the key and check the signature with what `qrgatectl token pubkey` exports. */
static int token_sign(const SignArgs *a, const Receipt *rc, uint8_t **ret_spki, size_t *ret_spki_size,
                      uint8_t kid[static RECEIPT_KID_SIZE], uint8_t sig[static RECEIPT_SIGNATURE_SIZE]) {
        _cleanup_(token_ctx_done) TokenCtx s = {};
        _cleanup_(freep) uint8_t *spki = NULL;
        CK_OBJECT_HANDLE priv, pub;
        TokenReason why = {};
        TokenState alarm;
        uint8_t digest[32];
        size_t spki_size = 0;
        bool tried;
        const char *what;
        int r;

        what = "--token";
        r = token_uri_parse_token(a->token, &s.token_uri, &why);
        if (r >= 0)
                what = "--key", r = token_uri_parse_key(a->key, &s.key_uri, &why);
        if (r >= 0)
                what = "module", r = token_module_load(a->module, s.token_uri, &s.module, &why);
        if (r >= 0)
                r = token_module_initialize(s.module, &why);
        if (r >= 0)
                what = "token", r = token_find_slot(s.module, s.token_uri, &s.slot, &s.info, &why);
        if (r >= 0)
                what = "session", r = token_open_session(s.module, s.slot, false, &s.session, &why);
        /* One login at most, as the daemon's: a wrong PIN must not burn the retry counter. */
        if (r >= 0)
                what = "login", r = token_login(s.module, s.session, s.slot, a->pin_credential, a->pin_file, &alarm, &tried, &why);
        if (r >= 0) {
                s.logged_in = true;
                what = "device public key";
                r = token_find_object(s.module, s.session, s.key_uri, CKO_PUBLIC_KEY, &pub, &why);
        }
        if (r >= 0)
                r = token_read_pubkey(s.module, s.session, pub, &spki, &spki_size, &why);
        if (r >= 0)
                what = "device key", r = token_find_object(s.module, s.session, s.key_uri, CKO_PRIVATE_KEY, &priv, &why);
        if (r >= 0)
                r = token_check_sign_key(s.module, s.session, priv, &why);
        if (r >= 0) {
                what = "receipt";
                r = receipt_key_id(spki, spki_size, kid);
                if (r >= 0)
                        r = receipt_to_be_signed(rc, kid, digest);
        }
        if (r >= 0)
                what = "sign", r = token_sign_digest(s.module, s.session, priv, digest, sig, &why);
        if (r < 0) {
                fprintf(stderr, "qrgatectl receipt sign: %s: %s\n", what, why.text[0] ? why.text : strerror(-r));
                return r;
        }
        *ret_spki = TAKE_PTR(spki);
        *ret_spki_size = spki_size;
        return 0;
}

/* The receipt checked as a verifier will: the exported public key must be the one that signed. */
static int check_own(const char *text, const uint8_t *spki, size_t spki_size) {
        const unsigned char *p = spki;
        EVP_PKEY *key = d2i_PUBKEY(NULL, &p, (long) spki_size);
        _cleanup_(freep) Receipt *back = malloc(sizeof(Receipt));
        const char *why = "out of memory";
        int r = -ENOMEM;

        ERR_clear_error();
        if (key && back)
                r = receipt_parse_verify(text, strlen(text), key, back, &why);
        EVP_PKEY_free(key);
        if (r < 0)
                fprintf(stderr, "qrgatectl receipt sign: the token's signature does not verify with its public key: %s\n", why);
        return r;
}

int ctl_receipt_sign(int argc, char *argv[]) {
        _cleanup_(freep) Receipt *rc = calloc(1, sizeof(Receipt));
        _cleanup_(freep) uint8_t *spki = NULL, *cose = NULL;
        _cleanup_(freep) char *text = NULL;
        uint8_t kid[RECEIPT_KID_SIZE], sig[RECEIPT_SIGNATURE_SIZE];
        size_t spki_size = 0, len = 0;
        SignArgs a;
        int r;

        if (!rc)
                return 1;
        r = parse(argc, argv, &a, rc);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        if (token_sign(&a, rc, &spki, &spki_size, kid, sig) < 0)
                return 1;
        r = receipt_assemble(rc, kid, sig, &cose, &len);
        if (r >= 0)
                r = receipt_text(cose, len, &text);
        if (r < 0) {
                fprintf(stderr, "qrgatectl receipt sign: %s\n", strerror(-r));
                return 1;
        }
        if (check_own(text, spki, spki_size) < 0)
                return 1;
        if (a.png) {
                r = qr_png_write(a.png, text, 4);
                if (r < 0) {
                        fprintf(stderr, "qrgatectl receipt sign: --png %s: %s\n", a.png,
                                r == -EFBIG ? "the receipt is too long for one QR code" : strerror(-r));
                        return 1;
                }
        }
        printf("%s\n", text);
        return 0;
}
