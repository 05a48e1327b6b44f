/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signed deny-lists (core/denylist.h): a list built and signed is found entry by entry and type
 * by type; a forged, unknown-key, truncated, padded, mis-sized or mis-laid-out list is refused
 * with its reason; the rule by which a list may follow another (no rollback); the record of the
 * highest version in the state directory; and a list of 1,000,000 entries. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/denylist-build.h"
#include "core/denylist-record.h"
#include "core/denylist.h"
#include "core/verifier.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-dir.h"
#include "tools/denylist-text.h"

#define ISSUED ((int64_t) 1800000000)

static EVP_PKEY *key, *other;
static Keystore *ks;

static const uint8_t salt[DENYLIST_SALT_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t cti_denied[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };

/* A list from key (as city/k1) naming one thing of each type, and n random entries more. */
static uint8_t *make_list(EVP_PKEY *k, uint64_t version, size_t n_random, size_t *ret_len) {
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        uint8_t *file = NULL;

        assert_int_equal(denylist_builder_new(&b), 0);
        denylist_builder_set_salt(b, salt);
        assert_int_equal(denylist_builder_add_pair(b, DENY_CARD, "city", "card-0042"), 0);
        assert_int_equal(denylist_builder_add_pair(b, DENY_SUBJECT, "city", "p-7f3a"), 0);
        assert_int_equal(denylist_builder_add(b, DENY_CTI, cti_denied, sizeof(cti_denied)), 0);
        assert_int_equal(denylist_builder_add_barcode(b, "codabar", "21234000056786"), 0);
        for (size_t i = 0; i < n_random; i++) {
                uint8_t h[DENYLIST_HASH_SIZE];
                assert_int_equal(RAND_bytes(h, sizeof(h)), 1);
                assert_int_equal(denylist_builder_add_hash(b, h), 0);
        }
        assert_int_equal(denylist_build(b, k, "city", (const uint8_t *) "k1", 2, version, ISSUED, &file, ret_len), 0);
        return file;
}

static int load(const uint8_t *buf, size_t len, DenyList **ret) {
        const char *why = NULL;
        int r = denylist_new_from_buffer(buf, len, ks, ret, &why);
        if (r < 0)
                assert_non_null(why); /* every refusal says why */
        return r;
}

static void each_type_is_found_and_only_what_is_listed(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 7, 100, &len);
        _cleanup_(denylist_freep) DenyList *dl = NULL;

        assert_int_equal(load(file, len, &dl), 0);
        const DenyListInfo *info = denylist_info(dl);
        assert_int_equal(info->version, 7);
        assert_int_equal(info->issued, ISSUED);
        assert_int_equal(info->entries, 104);
        assert_string_equal(info->iss, "city");

        assert_true(denylist_contains_pair(dl, DENY_CARD, "city", "card-0042"));
        assert_true(denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-7f3a"));
        assert_true(denylist_contains(dl, DENY_CTI, cti_denied, sizeof(cti_denied)));
        assert_true(denylist_contains_barcode(dl, CODE_FORMAT_CODABAR, "21234000056786"));
        /* The type is part of the entry: the same value as another type is not denied. */
        assert_false(denylist_contains_pair(dl, DENY_SUBJECT, "city", "card-0042"));
        assert_false(denylist_contains_pair(dl, DENY_CARD, "city", "p-7f3a"));
        assert_false(denylist_contains_barcode(dl, CODE_FORMAT_EAN13, "21234000056786"));
        /* Another issuer's subject of the same name is someone else. */
        assert_false(denylist_contains_pair(dl, DENY_SUBJECT, "hospital", "p-7f3a"));
        assert_false(denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-7f3b"));
        uint8_t cti[16];
        memcpy(cti, cti_denied, sizeof(cti));
        cti[15] ^= 1;
        assert_false(denylist_contains(dl, DENY_CTI, cti, sizeof(cti)));
        assert_false(denylist_contains(NULL, DENY_CTI, cti_denied, sizeof(cti_denied)));
        /* The list carries no name in clear. */
        assert_null(memmem(file, len, "p-7f3a", 6));
        assert_null(memmem(file, len, "card-0042", 9));
}

static void an_empty_list_names_nothing(void **state) {
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        _cleanup_(freep) uint8_t *file = NULL;
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        size_t len;

        assert_int_equal(denylist_builder_new(&b), 0);
        assert_int_equal(denylist_build(b, key, "city", (const uint8_t *) "k1", 2, 1, ISSUED, &file, &len), 0);
        assert_int_equal(load(file, len, &dl), 0);
        assert_int_equal(denylist_info(dl)->entries, 0);
        assert_false(denylist_contains(dl, DENY_CTI, cti_denied, sizeof(cti_denied)));
}

static void a_changed_table_byte_is_a_forgery(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 1, 50, &len);
        DenyList *dl = NULL;
        const char *why = NULL;

        file[len - 1] ^= 0x01; /* the last slot: an entry or an empty slot made non-empty */
        assert_int_equal(denylist_new_from_buffer(file, len, ks, &dl, &why), -EBADMSG);
        assert_null(dl);
        assert_non_null(why);
}

static void a_changed_header_does_not_verify(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 1, 10, &len);
        DenyList *dl = NULL;
        uint8_t *version;

        /* The version field: -65601 (0x3a 00 01 00 40) then its value 1. */
        version = memmem(file, len, "\x3a\x00\x01\x00\x40\x01", 6);
        assert_non_null(version);
        version[5] = 0x09; /* version 9: a rollback defeated by editing the number */
        assert_int_equal(load(file, len, &dl), -EKEYREJECTED);
        assert_null(dl);
}

static void a_list_signed_by_an_unknown_key_is_refused(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(other, 1, 10, &len);
        _cleanup_(keystore_freep) Keystore *ks2 = NULL;
        DenyList *dl = NULL;

        /* Signed by another key under the trusted name: the signature is wrong. */
        assert_int_equal(load(file, len, &dl), -EKEYREJECTED);
        /* A keystore without the issuer at all. */
        assert_int_equal(keystore_new(&ks2), 0);
        th_trust(ks2, "hospital", "k1", key);
        assert_int_equal(denylist_new_from_buffer(file, len, ks2, &dl, NULL), -ENOKEY);
        assert_null(dl);
}

static void every_truncation_is_refused(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 1, 20, &len);
        DenyList *dl = NULL;

        for (size_t n = 0; n < len; n++) {
                assert_true(load(file, n, &dl) < 0);
                assert_null(dl);
        }
        /* And one byte more is not the signed file either. */
        _cleanup_(freep) uint8_t *longer = calloc(1, len + 1);
        memcpy(longer, file, len);
        assert_int_equal(load(longer, len + 1, &dl), -EBADMSG);
}

static void wrong_magic_preamble_and_padding_are_refused(void **state) {
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 1, 20, &len);
        DenyList *dl = NULL;
        const DenyListInfo *info;

        file[0] = 'X';
        assert_int_equal(load(file, len, &dl), -EBADMSG);
        file[0] = 'Q';
        file[12] = 1; /* reserved */
        assert_int_equal(load(file, len, &dl), -EBADMSG);
        file[12] = 0;
        file[8] = 0xff, file[9] = 0xff; /* header length beyond 4096 */
        assert_int_equal(load(file, len, &dl), -EBADMSG);
        free(file);
        file = make_list(key, 1, 20, &len);
        assert_int_equal(load(file, len, &dl), 0);
        info = denylist_info(dl);
        size_t pad = info->table_offset - 1;
        dl = denylist_free(dl);
        if (file[pad] == 0) { /* the header may end exactly at the table; then there is no padding */
                file[pad] = 1;
                assert_int_equal(load(file, len, &dl), -EBADMSG);
        }
}

/* Tables signed correctly whose content does not fit their header or the layout. */
static int sign_and_load(uint8_t *table, uint64_t entries, uint64_t buckets, uint64_t slots) {
        _cleanup_(freep) uint8_t *file = NULL;
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        size_t len;

        assert_int_equal(denylist_sign_table(&(DenyListSignParams) { .key = key, .iss = "city", .kid = (const uint8_t *) "k1",
                                                                     .kid_len = 2, .version = 1, .issued = ISSUED,
                                                                     .entries = entries, .buckets = buckets, .slots = slots,
                                                                     .salt = salt },
                                             table, &file, &len),
                         0);
        return load(file, len, &dl);
}

static void bad_sizes_and_layouts_are_refused(void **state) {
        uint8_t table[16][DENYLIST_HASH_SIZE] = {};
        uint8_t a[DENYLIST_HASH_SIZE], b[DENYLIST_HASH_SIZE];

        /* Two entries with homes 0 and 3 of 5 buckets (the top byte decides the home). */
        memset(a, 0x11, sizeof(a));
        memset(b, 0xa0, sizeof(b));
        assert_int_equal(denylist_home(a, 5), 0);
        assert_int_equal(denylist_home(b, 5), 3);
        memcpy(table[0], a, 16);
        memcpy(table[3], b, 16);
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 5), 0); /* the canonical layout: accepted */
        /* The counts. */
        assert_int_equal(sign_and_load(&table[0][0], 3, 5, 5), -EBADMSG); /* more entries than there are */
        assert_int_equal(sign_and_load(&table[0][0], 1, 5, 5), -EBADMSG);
        assert_int_equal(sign_and_load(&table[0][0], 2, 1, 5), -EBADMSG); /* fewer buckets than entries */
        assert_int_equal(sign_and_load(&table[0][0], 2, 6, 5), -EBADMSG); /* fewer slots than buckets */
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 8), -EBADMSG); /* a tail longer than the entries */
        assert_int_equal(sign_and_load(&table[0][0], 2, 9, 9), -EBADMSG); /* buckets beyond 2n + 1 */
        /* An entry away from its slot: a lookup from its home would stop at the empty slot. */
        memset(table, 0, sizeof(table));
        memcpy(table[0], a, 16);
        memcpy(table[4], b, 16);
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 5), -EBADMSG);
        /* Out of order. */
        memset(table, 0, sizeof(table));
        memcpy(table[3], a, 16);
        memcpy(table[4], b, 16);
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 5), -EBADMSG);
        /* A collision run: a second entry with home 0 goes to slot 1, not 2. */
        memset(table, 0, sizeof(table));
        memcpy(table[0], a, 16);
        a[15] = 0x12;
        memcpy(table[1], a, 16);
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 5), 0);
        memset(table[1], 0, 16);
        memcpy(table[2], a, 16);
        assert_int_equal(sign_and_load(&table[0][0], 2, 5, 5), -EBADMSG);
}

static void the_file_path_reads_the_same_and_refuses_a_truncated_file(void **state) {
        char dir[TH_DIR_MAX], path[TH_DIR_MAX + 16];
        size_t len;
        _cleanup_(freep) uint8_t *file = make_list(key, 3, 1000, &len);
        _cleanup_(closep) int fd = -EBADF;
        DenyList *dl = NULL;
        const char *why = NULL;

        th_dir_new(dir, "/tmp/qrgate-denylist-XXXXXX");
        snprintf(path, sizeof(path), "%s/list.deny", dir);
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, file, len), (ssize_t) len);
        assert_int_equal(denylist_new_from_fd(fd, ks, &dl, &why), 0);
        assert_true(denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-7f3a"));
        /* The list is a copy of its own: the file cut short after the load changes nothing. */
        assert_int_equal(ftruncate(fd, 100), 0);
        assert_true(denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-7f3a"));
        dl = denylist_free(dl);
        /* A file cut short: refused, as at every length. */
        for (off_t n = 0; n < (off_t) len; n += 997) {
                assert_int_equal(ftruncate(fd, n), 0);
                assert_true(denylist_new_from_fd(fd, ks, &dl, &why) < 0);
                assert_null(dl);
        }
        th_dir_remove(dir);
}

static void a_list_follows_only_a_lower_version(void **state) {
        DenyListRecord highest = { .version = 5 };
        DenyListInfo info = {};

        memset(highest.id, 0xaa, sizeof(highest.id));
        info.version = 6;
        assert_int_equal(denylist_succession(&highest, &info), 0);
        info.version = 5;
        memset(info.id, 0xaa, sizeof(info.id));
        assert_int_equal(denylist_succession(&highest, &info), -EALREADY); /* the same list again */
        info.id[31] = 0xab;
        assert_int_equal(denylist_succession(&highest, &info), -ESTALE); /* the same version, another list */
        info.version = 4;
        assert_int_equal(denylist_succession(&highest, &info), -ESTALE);
        /* A first list of any version follows no list at all. */
        assert_int_equal(denylist_succession(&(DenyListRecord) {}, &(DenyListInfo) { .version = 1 }), 0);
}

static void the_record_survives_and_refuses_what_it_does_not_know(void **state) {
        char dir[TH_DIR_MAX], path[TH_DIR_MAX + 32];
        DenyListRecord rec = { .version = 12345678901234ULL }, got;
        _cleanup_(closep) int dfd = -EBADF;

        th_dir_new(dir, "/tmp/qrgate-denylist-XXXXXX");
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), -ENOENT);
        assert_int_equal(got.version, 0);
        for (size_t i = 0; i < sizeof(rec.id); i++)
                rec.id[i] = (uint8_t) i;
        assert_int_equal(denylist_record_write(dfd, DENYLIST_RECORD_FILE, &rec), 0);
        assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), 0);
        assert_int_equal(got.version, rec.version);
        assert_memory_equal(got.id, rec.id, sizeof(rec.id));
        /* Overwritten by a higher one; no temporary file left behind. */
        rec.version++;
        assert_int_equal(denylist_record_write(dfd, DENYLIST_RECORD_FILE, &rec), 0);
        assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), 0);
        assert_int_equal(got.version, rec.version);
        assert_int_equal(faccessat(dfd, "." DENYLIST_RECORD_FILE ".tmp", F_OK, 0), -1);

        /* Cut short, by one character at a time: never read as a record. */
        snprintf(path, sizeof(path), "%s/%s", dir, DENYLIST_RECORD_FILE);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        for (off_t n = 0; n < st.st_size; n++) {
                assert_int_equal(truncate(path, n), 0);
                assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), -EBADMSG);
        }
        /* A symbolic link and a FIFO are not records. */
        assert_int_equal(unlink(path), 0);
        assert_int_equal(symlink("/etc/hostname", path), 0);
        assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), -ELOOP);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(denylist_record_read(dfd, DENYLIST_RECORD_FILE, &got), -EBADFD);
        th_dir_remove(dir);
}

static void a_million_entries_load_and_are_found(void **state) {
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        _cleanup_(freep) uint8_t *file = NULL;
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        const size_t n = 1000000;
        size_t len;
        char sub[32];

        assert_int_equal(denylist_builder_new(&b), 0);
        for (size_t i = 0; i < n; i++) {
                snprintf(sub, sizeof(sub), "p-%zu", i);
                assert_int_equal(denylist_builder_add_pair(b, DENY_SUBJECT, "city", sub), 0);
        }
        assert_int_equal(denylist_build(b, key, "city", (const uint8_t *) "k1", 2, 1, ISSUED, &file, &len), 0);
        assert_int_equal(load(file, len, &dl), 0);
        assert_int_equal(denylist_info(dl)->entries, n);
        /* Every one is found; as many that are not listed are not. */
        for (size_t i = 0; i < n; i++) {
                snprintf(sub, sizeof(sub), "p-%zu", i);
                assert_true(denylist_contains_pair(dl, DENY_SUBJECT, "city", sub));
                snprintf(sub, sizeof(sub), "q-%zu", i);
                assert_false(denylist_contains_pair(dl, DENY_SUBJECT, "city", sub));
        }
        /* Constant time: no lookup reads more than a handful of slots at a load of 4/5. */
        print_message("1,000,000 entries: %zu bytes, longest probe %zu slots\n", len, denylist_max_probe(dl));
        assert_true(denylist_max_probe(dl) <= 256);
        assert_true(len < n * DENYLIST_HASH_SIZE * 13 / 10 + 8192);
}

static void too_many_entries_are_refused_by_the_builder(void **state) {
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        uint8_t zero[DENYLIST_HASH_SIZE] = {};
        char big[DENYLIST_VALUE_MAX + 1];

        assert_int_equal(denylist_builder_new(&b), 0);
        assert_int_equal(denylist_builder_add_hash(b, zero), -EINVAL); /* the mark of an empty slot */
        memset(big, 'a', sizeof(big));
        assert_int_equal(denylist_builder_add(b, DENY_CTI, big, sizeof(big)), -EINVAL);
        assert_int_equal(denylist_builder_add(b, DENY_CTI, big, 0), -EINVAL);
        assert_int_equal(denylist_builder_add_barcode(b, "qr", "123"), -EINVAL);
        assert_int_equal(denylist_builder_add_pair(b, DENY_SUBJECT, "", "x"), -EINVAL);
}

/* qrgate-issue denylist's input: each kind of line, comments, and every wrong line reported with
 * its number (all of them). */
static void the_text_format_reports_each_wrong_line(void **state) {
        static const char good[] =
                "# lost cards\n"
                "card city c-1\n"
                "\n"
                "   subject   city\tp-7f3a   # trailing comment\n"
                "cti 00112233445566778899aabbccddeeff\n"
                "barcode codabar 30234000517861\n"
                "barcode isbn 080442957X\n"
                "subject city p-7f3a\n"; /* a duplicate is one entry */
        static const char bad[] =
                "card city\n"
                "cti 0011\n"
                "barcode qr 123\n"
                "barcode ean13 12a\n"
                "subject city p 1\n"
                "person city p-1\n"
                "card city c-2\n";
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        _cleanup_(freep) uint8_t *file = NULL;
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        char errors[2048] = "";
        size_t len;
        FILE *in, *err;

        assert_int_equal(denylist_builder_new(&b), 0);
        in = fmemopen((void *) good, strlen(good), "r");
        err = fmemopen(errors, sizeof(errors), "w");
        assert_int_equal(denylist_text_parse(in, "good.txt", b, err), 6);
        fclose(in);
        fclose(err);
        assert_string_equal(errors, "");
        assert_int_equal(denylist_build(b, key, "city", (const uint8_t *) "k1", 2, 1, ISSUED, &file, &len), 0);
        assert_int_equal(load(file, len, &dl), 0);
        assert_int_equal(denylist_info(dl)->entries, 5);
        assert_true(denylist_contains_pair(dl, DENY_CARD, "city", "c-1"));
        assert_true(denylist_contains_pair(dl, DENY_SUBJECT, "city", "p-7f3a"));
        assert_true(denylist_contains_barcode(dl, CODE_FORMAT_ISBN, "080442957X"));

        in = fmemopen((void *) bad, strlen(bad), "r");
        err = fmemopen(errors, sizeof(errors), "w");
        assert_int_equal(denylist_text_parse(in, "bad.txt", b, err), -EINVAL);
        fclose(in);
        fclose(err);
        for (int line = 1; line <= 6; line++) {
                char want[32];
                snprintf(want, sizeof(want), "bad.txt:%d: ", line);
                if (!strstr(errors, want))
                        fail_msg("no report for line %d in:\n%s", line, errors);
        }
        assert_null(strstr(errors, "bad.txt:7:"));
        assert_non_null(strstr(errors, "bad.txt:3: the barcode format is not codabar, ean13 or isbn"));
        assert_non_null(strstr(errors, "bad.txt:5: 'subject' takes an issuer and a subject"));
}

static int setup_keys(void **state) {
        key = th_key("es256");
        other = th_key("es256");
        assert_int_equal(keystore_new(&ks), 0);
        th_trust(ks, "city", "k1", key);
        return 0;
}

static int teardown_keys(void **state) {
        EVP_PKEY_free(key);
        EVP_PKEY_free(other);
        keystore_free(ks);
        return 0;
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(each_type_is_found_and_only_what_is_listed),
                cmocka_unit_test(an_empty_list_names_nothing),
                cmocka_unit_test(a_changed_table_byte_is_a_forgery),
                cmocka_unit_test(a_changed_header_does_not_verify),
                cmocka_unit_test(a_list_signed_by_an_unknown_key_is_refused),
                cmocka_unit_test(every_truncation_is_refused),
                cmocka_unit_test(wrong_magic_preamble_and_padding_are_refused),
                cmocka_unit_test(bad_sizes_and_layouts_are_refused),
                cmocka_unit_test(the_file_path_reads_the_same_and_refuses_a_truncated_file),
                cmocka_unit_test(a_list_follows_only_a_lower_version),
                cmocka_unit_test(the_record_survives_and_refuses_what_it_does_not_know),
                cmocka_unit_test(a_million_entries_load_and_are_found),
                cmocka_unit_test(too_many_entries_are_refused_by_the_builder),
                cmocka_unit_test(the_text_format_reports_each_wrong_line),
        };
        return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
