/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The deny-list parser and verifier (core/denylist.h). The first byte chooses what the rest is:
 *   even: a whole file, verified with a keystore that trusts tests/fuzz/fuzz-issuer.key as
 *         city/k1 (the seed corpus holds lists it signed), so the fuzzer works on the preamble,
 *         the COSE header and, from a valid seed, on every later byte;
 *   odd:  header fields and a table, signed here with that key, so the fuzzer reaches the
 *         table's checks (sizes, order, slots) behind a signature that verifies.
 * Every input must be refused with a reason or give a list whose every entry is found. */
#include <assert.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/denylist-build.h"
#include "core/denylist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Keystore *ks;
static EVP_PKEY *key;

static const char pub[] =
        "-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+e7KCmkjsvthuGpUlJm5fZsUZgZ5\n"
        "2j0Qxo6izUHoXxROMiseFHF4qIm+7GbAwOPFsqBQFtVZPh/EOJ7+x47a7g==\n"
        "-----END PUBLIC KEY-----\n";

static void init(void) {
        FILE *f;

        if (ks)
                return;
        assert(keystore_new(&ks) == 0);
        assert(keystore_add_pem(ks, "city", (const uint8_t *) "k1", 2, pub, strlen(pub)) == 0);
        /* run-fuzz runs from the repository's root; without the key only the even mode runs. */
        f = fopen("tests/fuzz/fuzz-issuer.key", "re");
        if (f) {
                key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
                fclose(f);
        }
}

static void check(const uint8_t *file, size_t len) {
        DenyList *dl = NULL;
        const char *why = NULL;
        int r = denylist_new_from_buffer(file, len, ks, &dl, &why);

        if (r < 0) {
                assert(!dl);
                assert(r == -EBADMSG || r == -ENOKEY || r == -EKEYREJECTED || r == -ENOMEM);
                assert(r == -ENOMEM || why);
                return;
        }
        /* A list that verified is well laid out: lookups end, and never read outside it. */
        const DenyListInfo *info = denylist_info(dl);
        assert(info->version > 0 && info->entries <= info->slots);
        (void) denylist_contains(dl, DENY_CTI, "12345678", 8);
        (void) denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-1");
        denylist_free(dl);
}

/* odd mode: u16 entries, u16 buckets, u16 slots, then the table (zero-padded to slots). */
static void signed_table(const uint8_t *data, size_t size) {
        static const uint8_t salt[DENYLIST_SALT_SIZE];
        uint8_t *file = NULL, *table;
        size_t len;

        if (!key || size < 6)
                return;
        uint64_t entries = data[0] | data[1] << 8, buckets = data[2] | data[3] << 8, slots = data[4] | data[5] << 8;
        data += 6, size -= 6;
        table = calloc(slots + 1, DENYLIST_HASH_SIZE);
        assert(table);
        memcpy(table, data, size < slots * DENYLIST_HASH_SIZE ? size : slots * DENYLIST_HASH_SIZE);
        if (denylist_sign_table(&(DenyListSignParams) { .key = key, .iss = "city", .kid = (const uint8_t *) "k1", .kid_len = 2,
                                                        .version = 1, .issued = 1800000000, .entries = entries,
                                                        .buckets = buckets, .slots = slots, .salt = salt },
                                table, &file, &len) == 0) {
                check(file, len);
                free(file);
        }
        free(table);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        init();
        if (size == 0)
                return 0;
        if (data[0] & 1)
                signed_table(data + 1, size - 1);
        else
                check(data + 1, size - 1);
        return 0;
}
