/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Receipts off the box (core/receipt.h): any bytes, as text and as COSE, are checked against
 * a real station key without crashing, with one of the documented errors. The seeds are
 * receipts signed by the public half below, and the bytes are also tried as the payload of a
 * receipt signed here, so the fuzzer reaches the strict payload reader past the signature. What
 * verifies is within the writer's bounds. */
#include <assert.h>
#include <errno.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "core/cose.h"
#include "core/receipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tests/fuzz/fuzz-issuer.key, a test key that nothing else trusts, whose public half is in
 * fuzz-qg1.c too: it signed the seeds (tests/fuzz/corpus/fuzz-receipt). */
static EVP_PKEY *key;
static Receipt rc;
static uint8_t kid[RECEIPT_KID_SIZE], prot[32];
static size_t prot_len;

static void init(void) {
        FILE *f;

        if (key)
                return;
        f = fopen("tests/fuzz/fuzz-issuer.key", "re");
        assert(f);
        key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        assert(key);
        assert(receipt_key_id_pkey(key, kid) == 0);
        prot_len = cose_encode_header(prot, COSE_ALG_ES256, kid, sizeof(kid));
}

static bool documented(int r) {
        return r == 0 || r == -ENOMSG || r == -EBADMSG || r == -EPROTONOSUPPORT || r == -ENOKEY || r == -EKEYREJECTED;
}

/* A receipt that verified is one the writer could have made: within its bounds, and signed
 * under this key's id. (Not necessarily the writer's bytes: integers in a longer form than the
 * shortest verify too, as for QG1 codes.) */
static void check_valid(const uint8_t *cose, size_t len) {
        uint8_t digest[32];
        CoseSign1 c;

        assert(receipt_check(&rc, NULL) == 0);
        assert(receipt_to_be_signed(&rc, kid, digest) == 0);
        assert(cose_sign1_parse(cose, len, &c, NULL) == 0);
        assert(c.protected.kid_len == RECEIPT_KID_SIZE && memcmp(c.protected.kid, kid, RECEIPT_KID_SIZE) == 0);
}

static void check_cose(const uint8_t *cose, size_t len) {
        int r = receipt_parse_verify_cose(cose, len, key, &rc, NULL);

        assert(documented(r) && r != -ENOMSG);
        if (r == 0)
                check_valid(cose, len);
        else
                assert(rc.n_items == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *sig = NULL, *cose = NULL;
        size_t sig_len = 0, len = 0;
        int r;

        init();
        r = receipt_parse_verify((const char *) data, size, key, &rc, NULL);
        assert(documented(r));
        check_cose(data, size);

        /* The input as a payload, signed: the payload reader's own edge. */
        if (size <= 2048 && cose_sign(key, COSE_ALG_ES256, prot, prot_len, data, size, &sig, &sig_len) == 0 &&
            cose_sign1_encode(true, prot, prot_len, (const uint8_t *) "\xa0", 1, data, size, sig, sig_len, &cose, &len) == 0) {
                r = receipt_parse_verify_cose(cose, len, key, &rc, NULL);
                assert(r == 0 || r == -EBADMSG || r == -EPROTONOSUPPORT);
                if (r == 0)
                        check_valid(cose, len);
        }
        free(sig);
        free(cose);
        return 0;
}
