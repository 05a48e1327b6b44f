/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DSC trust list: what it takes in (DER, PEM bundles, directories), what it refuses and
 * reports, how it computes key ids, and how its age is known. Each test builds its own files in
 * its own temporary directory. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hc1-mint.h"
#include "core/trustlist.h"

#define NOW ((int64_t) 1800000000)

static EVP_PKEY *keygen(const char *alg, const char *param) {
        EVP_PKEY *k = param ? EVP_PKEY_Q_keygen(NULL, NULL, alg, param) : EVP_PKEY_Q_keygen(NULL, NULL, alg);
        assert_non_null(k);
        return k;
}

static uint8_t *dsc(EVP_PKEY *key, const char *eku, size_t *ret_len) {
        uint8_t *der;
        assert_int_equal(hc1_dsc_make(key, "DSC", NOW - 1000, NOW + 1000, eku, &der, ret_len), 0);
        return der;
}

static uint8_t *dsc_p256(const char *eku, size_t *ret_len) {
        EVP_PKEY *k = keygen("EC", "P-256");
        uint8_t *der = dsc(k, eku, ret_len);
        EVP_PKEY_free(k);
        return der;
}

static char *pem_of(const uint8_t *der, size_t len) {
        BIO *bio = BIO_new(BIO_s_mem());
        char *p, *out;
        long n;

        assert_true(PEM_write_bio(bio, "CERTIFICATE", "", der, (long) len) > 0);
        n = BIO_get_mem_data(bio, &p);
        out = strndup(p, (size_t) n);
        BIO_free(bio);
        return out;
}

static void write_file(const char *dir, const char *name, const void *data, size_t len, int64_t mtime) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
        if (mtime > 0) {
                struct timespec ts[2] = { { .tv_sec = mtime }, { .tv_sec = mtime } };
                assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
        }
}

static char *tmpdir(void) {
        char *d = strdup("/tmp/test-trustlist-XXXXXX");
        assert_non_null(mkdtemp(d));
        return d;
}

static void rmdir_all(char *d) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
        assert_int_equal(system(cmd), 0);
        free(d);
}

typedef struct Skips {
        unsigned n;
        int first_error;
        char first_path[512];
        int last_error;
        char last_path[512];
        size_t last_index;
} Skips;

static void on_skip(const char *path, size_t index, int error, void *userdata) {
        Skips *s = userdata;
        if (s->n++ == 0) {
                s->first_error = error;
                snprintf(s->first_path, sizeof(s->first_path), "%s", path);
        }
        s->last_error = error;
        s->last_index = index;
        snprintf(s->last_path, sizeof(s->last_path), "%s", path);
}

static void kid_is_first_eight_bytes_of_sha256_over_der(void **state) {
        TrustList *tl;
        size_t len;
        uint8_t *der = dsc_p256(NULL, &len), md[32], kid[DSC_KID_LEN];
        const Dsc *const *found;

        assert_int_equal(EVP_Digest(der, len, md, NULL, EVP_sha256(), NULL), 1);
        assert_int_equal(dsc_kid(der, len, kid), 0);
        assert_memory_equal(kid, md, DSC_KID_LEN);

        assert_int_equal(trustlist_new(&tl), 0);
        assert_int_equal(trustlist_add_der(tl, der, len), 0);
        assert_int_equal(trustlist_count(tl), 1);
        assert_int_equal(trustlist_find(tl, md, DSC_KID_LEN, &found), 1);
        assert_memory_equal(found[0]->info.kid, md, DSC_KID_LEN);
        assert_int_equal(found[0]->info.key_type, COSE_KEY_EC_P256);
        assert_int_equal(found[0]->info.not_before, NOW - 1000);
        assert_int_equal(found[0]->info.not_after, NOW + 1000);
        assert_string_equal(found[0]->info.subject, "CN=DSC");
        assert_false(found[0]->info.has_eku);
        assert_int_equal(found[0]->info.dcc_types, DCC_TYPES_ALL);
        /* The wrong length or a different kid finds nothing. */
        assert_int_equal(trustlist_find(tl, md, 7, &found), 0);
        md[0] ^= 1;
        assert_int_equal(trustlist_find(tl, md, DSC_KID_LEN, &found), 0);
        trustlist_free(tl);
        free(der);
}

static void eku_oids_limit_the_types_and_others_do_not(void **state) {
        static const struct {
                const char *eku;
                bool limited;
                unsigned types;
        } cases[] = {
                { "1.3.6.1.4.1.1847.2021.1.1", true, DCC_TYPE_TEST },
                { "1.3.6.1.4.1.1847.2021.1.2,1.3.6.1.4.1.1847.2021.1.3", true, DCC_TYPE_VACCINATION | DCC_TYPE_RECOVERY },
                { "1.3.6.1.4.1.0.1847.2021.1.3", true, DCC_TYPE_RECOVERY }, /* the misspelt arc */
                { "clientAuth,1.3.6.1.4.1.1847.2021.1.2", true, DCC_TYPE_VACCINATION },
                { "clientAuth,emailProtection", false, DCC_TYPES_ALL },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                TrustList *tl;
                size_t len;
                uint8_t *der = dsc_p256(cases[i].eku, &len);

                assert_int_equal(trustlist_new(&tl), 0);
                assert_int_equal(trustlist_add_der(tl, der, len), 0);
                const DscInfo *d = &trustlist_get(tl, 0)->info;
                assert_true(d->has_eku);
                assert_int_equal(d->dcc_limited, cases[i].limited);
                assert_int_equal(d->dcc_types, cases[i].types);
                trustlist_free(tl);
                free(der);
        }
}

static void unusable_certificates_are_refused(void **state) {
        TrustList *tl;
        size_t len;
        uint8_t *der, junk[64] = { 0x30, 0x82 };
        EVP_PKEY *k;

        assert_int_equal(trustlist_new(&tl), 0);
        /* P-384 (test vectors ES/401–403 sign with one under ES256), Ed25519, RSA-1024. */
        k = keygen("EC", "P-384");
        der = dsc(k, NULL, &len);
        assert_int_equal(trustlist_add_der(tl, der, len), -EKEYREJECTED);
        free(der), EVP_PKEY_free(k);
        k = keygen("ED25519", NULL);
        der = dsc(k, NULL, &len);
        assert_int_equal(trustlist_add_der(tl, der, len), -EKEYREJECTED);
        free(der), EVP_PKEY_free(k);
        k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t) 1024);
        der = dsc(k, NULL, &len);
        assert_int_equal(trustlist_add_der(tl, der, len), -EKEYREJECTED);
        free(der), EVP_PKEY_free(k);

        assert_int_equal(trustlist_add_der(tl, junk, sizeof(junk)), -EBADMSG);
        assert_int_equal(trustlist_add_der(tl, junk, 0), -EBADMSG);
        /* A certificate followed by stray bytes is not exactly one certificate. */
        der = dsc_p256(NULL, &len);
        uint8_t *longer = malloc(len + 1);
        memcpy(longer, der, len);
        longer[len] = 0;
        assert_int_equal(trustlist_add_der(tl, longer, len + 1), -EBADMSG);
        assert_int_equal(trustlist_add_der(tl, der, len), 0);
        assert_int_equal(trustlist_add_der(tl, der, len), -EEXIST);
        assert_int_equal(trustlist_count(tl), 1);
        free(longer), free(der);
        trustlist_free(tl);
}

static void directory_loads_der_and_pem_bundles_and_reports_the_rest(void **state) {
        char *d = tmpdir(), *pem_a, *pem_b, *bundle;
        size_t la, lb, lc, ld;
        uint8_t *a = dsc_p256(NULL, &la), *b = dsc_p256(NULL, &lb), *c = dsc_p256(NULL, &lc), *dd = dsc_p256(NULL, &ld);
        Skips skips = {};
        TrustList *tl;

        pem_a = pem_of(a, la);
        pem_b = pem_of(b, lb);
        /* A bundle: two certificates, a key block to ignore, and b again (a duplicate). */
        assert_true(asprintf(&bundle, "comment\n%s-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n%s%s",
                             pem_a, pem_b, pem_b) > 0);
        write_file(d, "bundle.pem", bundle, strlen(bundle), NOW - 500);
        write_file(d, "c.der", c, lc, NOW - 100);
        write_file(d, "D.CRT", dd, ld, NOW - 900);
        write_file(d, "readme.md", "not a certificate", 17, 0);  /* not a certificate name: not read */
        write_file(d, ".hidden.pem", pem_a, strlen(pem_a), 0);  /* hidden: not read */
        write_file(d, "broken.pem", "garbage", 7, 0);           /* read, holds nothing: reported */
        char sub[600];
        snprintf(sub, sizeof(sub), "%s/sub.pem", d); /* a directory with a certificate's name: not read */
        assert_int_equal(mkdir(sub, 0700), 0);

        assert_int_equal(trustlist_new(&tl), 0);
        assert_int_equal(trustlist_load_path(tl, d, on_skip, &skips), 4);
        assert_int_equal(trustlist_count(tl), 4);
        /* In name order: broken.pem holds nothing, then bundle.pem's third block is a duplicate. */
        assert_int_equal(skips.n, 2);
        assert_int_equal(skips.first_error, -EBADMSG);
        assert_non_null(strstr(skips.first_path, "broken.pem"));
        assert_int_equal(skips.last_error, -EEXIST);
        assert_non_null(strstr(skips.last_path, "bundle.pem"));
        assert_int_equal(skips.last_index, 2);
        /* The newest file decides the list's age. */
        assert_int_equal(trustlist_updated_at(tl), NOW - 100);
        assert_int_equal(trustlist_age(tl, NOW), 100);
        trustlist_set_loaded_at(tl, NOW);
        assert_int_equal(trustlist_loaded_at(tl), NOW);
        /* Listing is in kid order. */
        for (size_t i = 1; i < trustlist_count(tl); i++)
                assert_true(memcmp(trustlist_get(tl, i - 1)->info.kid, trustlist_get(tl, i)->info.kid, DSC_KID_LEN) <= 0);
        assert_null(trustlist_get(tl, 4));
        trustlist_free(tl);

        free(pem_a), free(pem_b), free(bundle), free(a), free(b), free(c), free(dd);
        rmdir_all(d);
}

static void damaged_pem_block_is_reported(void **state) {
        char *d = tmpdir(), path[512], *pem_a, *pem_b, *bundle;
        size_t la, lb;
        uint8_t *a = dsc_p256(NULL, &la), *b = dsc_p256(NULL, &lb);
        Skips skips = {};
        TrustList *tl;

        pem_a = pem_of(a, la);
        pem_b = pem_of(b, lb);
        pem_b[40] = '!'; /* not base64 */
        assert_true(asprintf(&bundle, "%s%s", pem_a, pem_b) > 0);
        write_file(d, "bundle.pem", bundle, strlen(bundle), 0);
        snprintf(path, sizeof(path), "%s/bundle.pem", d);
        assert_int_equal(trustlist_new(&tl), 0);
        assert_int_equal(trustlist_load_file(tl, path, on_skip, &skips), 1);
        assert_int_equal(skips.n, 1);
        assert_int_equal(skips.last_error, -EBADMSG);
        assert_int_equal(skips.last_index, 1);
        trustlist_free(tl);
        free(pem_a), free(pem_b), free(bundle), free(a), free(b);
        rmdir_all(d);
}

static void single_file_errors_are_returned(void **state) {
        char *d = tmpdir(), path[512];
        TrustList *tl;
        Skips skips = {};
        size_t len;
        uint8_t *der = dsc_p256(NULL, &len);

        assert_int_equal(trustlist_new(&tl), 0);
        snprintf(path, sizeof(path), "%s/missing.pem", d);
        assert_int_equal(trustlist_load_path(tl, path, on_skip, &skips), -ENOENT);
        write_file(d, "junk.der", "junk", 4, 0);
        snprintf(path, sizeof(path), "%s/junk.der", d);
        assert_int_equal(trustlist_load_file(tl, path, on_skip, &skips), -EBADMSG);
        assert_int_equal(trustlist_load_file(tl, d, on_skip, &skips), -EISDIR);
        write_file(d, "one.der", der, len, NOW - 7);
        snprintf(path, sizeof(path), "%s/one.der", d);
        assert_int_equal(trustlist_load_file(tl, path, on_skip, &skips), 1);
        /* Loading it again adds nothing and reports the duplicate. */
        assert_int_equal(trustlist_load_file(tl, path, on_skip, &skips), 0);
        assert_int_equal(skips.n, 1);
        assert_int_equal(skips.last_error, -EEXIST);
        assert_int_equal(trustlist_updated_at(tl), NOW - 7);
        trustlist_free(tl);
        free(der);
        rmdir_all(d);
}

static void reload_builds_an_independent_list(void **state) {
        char *d = tmpdir();
        size_t la, lb;
        uint8_t *a = dsc_p256(NULL, &la), *b = dsc_p256(NULL, &lb);
        TrustList *old, *new;

        write_file(d, "a.der", a, la, NOW - 50);
        assert_int_equal(trustlist_new(&old), 0);
        assert_int_equal(trustlist_load_dir(old, d, NULL, NULL), 1);
        /* The updater adds b; a new list sees both, the old one is unchanged until swapped. */
        write_file(d, "b.der", b, lb, NOW - 10);
        assert_int_equal(trustlist_new(&new), 0);
        assert_int_equal(trustlist_load_dir(new, d, NULL, NULL), 2);
        assert_int_equal(trustlist_count(old), 1);
        assert_int_equal(trustlist_updated_at(old), NOW - 50);
        assert_int_equal(trustlist_updated_at(new), NOW - 10);
        trustlist_free(old);
        trustlist_free(new);
        free(a), free(b);
        rmdir_all(d);
}

static void empty_list_has_unknown_age_and_policy_names_are_stable(void **state) {
        TrustList *tl;

        assert_int_equal(trustlist_new(&tl), 0);
        assert_int_equal(trustlist_count(tl), 0);
        assert_int_equal(trustlist_age(tl, NOW), -1);
        /* Files written by an updater whose clock is ahead: fresh, not of unknown age. */
        trustlist_set_updated_at(tl, NOW + 100);
        assert_int_equal(trustlist_age(tl, NOW), 0);
        trustlist_free(tl);
        assert_string_equal(trust_list_age_policy_to_string(TRUST_LIST_AGE_DENY), "deny");
        assert_string_equal(trust_list_age_policy_to_string(TRUST_LIST_AGE_WARN), "warn");
        assert_int_equal(trust_list_age_policy_from_string("warn"), TRUST_LIST_AGE_WARN);
        assert_int_equal(trust_list_age_policy_from_string("allow"), _TRUST_LIST_AGE_INVALID);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(kid_is_first_eight_bytes_of_sha256_over_der),
                cmocka_unit_test(eku_oids_limit_the_types_and_others_do_not),
                cmocka_unit_test(unusable_certificates_are_refused),
                cmocka_unit_test(directory_loads_der_and_pem_bundles_and_reports_the_rest),
                cmocka_unit_test(damaged_pem_block_is_reported),
                cmocka_unit_test(single_file_errors_are_returned),
                cmocka_unit_test(reload_builds_an_independent_list),
                cmocka_unit_test(empty_list_has_unknown_age_and_policy_names_are_stable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
