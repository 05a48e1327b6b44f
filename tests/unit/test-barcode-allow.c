/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A door's barcode allow-list (core/barcode-allow.h): the file's grammar at its edges — empty,
 * comments, CRLF, a subject or none, duplicates, over-long lines, barcodes no scan could match —
 * and the file itself: missing, a FIFO, a directory, oversized. */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/barcode-allow.h"
#include "tests/unit/helper-dir.h"

#define CARD1 "20234000000019"
#define CARD2 "20234000000027"
#define CARD3 "20234000000035"
#define BOOK "9780306406157"

static BarcodeAllow *parse_ok(const char *text) {
        BarcodeAllow *a = NULL;
        char *errors = NULL;
        int r = barcode_allow_parse(text, strlen(text), "patrons.list", &a, &errors);
        if (r < 0)
                fail_msg("refused (%d): %s", r, errors ?: "");
        assert_null(errors);
        return a;
}

/* Parses text, which must be refused; returns the report (caller frees). */
static char *parse_bad(const char *text, size_t len) {
        BarcodeAllow *a = NULL;
        char *errors = NULL;
        assert_int_equal(barcode_allow_parse(text, len, "patrons.list", &a, &errors), -EBADMSG);
        assert_null(a);
        assert_non_null(errors);
        return errors;
}

static void assert_report(const char *text, const char *want) {
        char *e = parse_bad(text, strlen(text));
        if (!strstr(e, want))
                fail_msg("report \"%s\" lacks \"%s\"", e, want);
        free(e);
}

static void an_empty_list_lists_nothing(void **state) {
        BarcodeAllow *a = parse_ok("");
        assert_int_equal(barcode_allow_size(a), 0);
        assert_null(barcode_allow_lookup(a, CARD1));
        barcode_allow_free(a);
        a = parse_ok("\n\n   \n\t\n# only comments\n   # indented\n");
        assert_int_equal(barcode_allow_size(a), 0);
        barcode_allow_free(a);
}

static void a_barcode_maps_to_its_subject_or_to_itself(void **state) {
        BarcodeAllow *a = parse_ok("# patrons\n" CARD1 " patron-0001\n" CARD2 "\n  " CARD3 "\tp-3   # the third\n" BOOK
                                   " # a book, no subject\n");

        assert_int_equal(barcode_allow_size(a), 4);
        assert_string_equal(barcode_allow_lookup(a, CARD1), "patron-0001");
        assert_string_equal(barcode_allow_lookup(a, CARD2), CARD2);
        assert_string_equal(barcode_allow_lookup(a, CARD3), "p-3");
        assert_string_equal(barcode_allow_lookup(a, BOOK), BOOK);
        assert_null(barcode_allow_lookup(a, "30234000517861"));
        assert_null(barcode_allow_lookup(a, ""));
        assert_null(barcode_allow_lookup(a, "2023400000001")); /* a prefix is not a match */
        barcode_allow_free(a);
}

/* Lines end in LF or CRLF, the last one may have no end at all. */
static void crlf_and_a_missing_last_newline_are_fine(void **state) {
        BarcodeAllow *a = parse_ok(CARD1 " p-1\r\n" CARD2 "\r\n# c\r\n\r\n" CARD3 " p-3");
        assert_int_equal(barcode_allow_size(a), 3);
        assert_string_equal(barcode_allow_lookup(a, CARD1), "p-1");
        assert_string_equal(barcode_allow_lookup(a, CARD2), CARD2);
        assert_string_equal(barcode_allow_lookup(a, CARD3), "p-3");
        barcode_allow_free(a);
}

/* One barcode, one subject: listed twice is an error, with both lines, even with the same subject. */
static void a_barcode_listed_twice_is_an_error(void **state) {
        assert_report(CARD1 " a\n" CARD2 "\n" CARD1 " b\n",
                      "patrons.list:3: barcode " CARD1 " is listed again (first on line 1)");
        assert_report(CARD1 "\n" CARD1 "\n", "patrons.list:2: barcode " CARD1 " is listed again (first on line 1)");
}

/* A line of exactly BARCODE_ALLOW_LINE_MAX characters is read; one more is an error. */
static void a_line_over_the_limit_is_an_error(void **state) {
        char text[BARCODE_ALLOW_LINE_MAX + 64];
        BarcodeAllow *a;

        /* A barcode, a subject and a comment padding the line to the limit exactly. */
        int n = snprintf(text, sizeof(text), CARD1 " p-1 #");
        memset(text + n, 'x', (size_t) (BARCODE_ALLOW_LINE_MAX - n));
        text[BARCODE_ALLOW_LINE_MAX] = '\0';
        a = parse_ok(text);
        assert_int_equal(barcode_allow_size(a), 1);
        barcode_allow_free(a);
        /* The same with CRLF: the CR is the line's end, not its content. */
        strcat(text, "\r\n");
        a = parse_ok(text);
        barcode_allow_free(a);
        text[BARCODE_ALLOW_LINE_MAX] = 'x';
        text[BARCODE_ALLOW_LINE_MAX + 1] = '\n';
        text[BARCODE_ALLOW_LINE_MAX + 2] = '\0';
        char *e = parse_bad(text, strlen(text));
        assert_non_null(strstr(e, "patrons.list:1: line longer than 256 characters"));
        free(e);
}

/* A line that no scanned barcode could ever match is an error rather than a silent miss. */
static void a_barcode_no_scan_could_match_is_an_error(void **state) {
        assert_report("20234000000018\n", "1: barcode \"20234000000018\" has a wrong check digit for a 14-digit library card");
        assert_report("9780306406158\n", "1: barcode \"9780306406158\" has a wrong check digit for a 13-digit EAN-13");
        assert_report("123456789012\n", "is neither a 14-digit library card nor a 13-digit EAN-13/ISBN-13");
        assert_report("A20234000000019B\n", "is not digits only");
        assert_report("]F020234000000019\n", "is not digits only");
        assert_report("123456789012345678901234567890\n", "is longer than 14 digits");
        assert_report(CARD1 " p 1\n", "1: more than a barcode and a subject");
        char bad_sub[] = CARD1 " p\x01q\n";
        assert_report(bad_sub, "subject of barcode " CARD1 " is not 1-64 printable ASCII");
        char long_sub[128];
        snprintf(long_sub, sizeof(long_sub), CARD1 " %065d\n", 0);
        assert_report(long_sub, "subject of barcode " CARD1);
        /* 64 characters are a subject. */
        snprintf(long_sub, sizeof(long_sub), CARD1 " %064d\n", 0);
        barcode_allow_free(parse_ok(long_sub));
}

static void a_nul_in_a_line_is_an_error(void **state) {
        char *e = parse_bad(CARD1 "\n" CARD2 "\0x\n", strlen(CARD1) + 1 + strlen(CARD2) + 3);
        assert_non_null(strstr(e, "patrons.list:2: a NUL character"));
        free(e);
}

/* Every wrong line is reported (up to the cap, then counted), not only the first. */
static void every_wrong_line_is_reported_up_to_the_cap(void **state) {
        char text[4096] = "";
        for (int i = 0; i < BARCODE_ALLOW_ERRORS_MAX + 5; i++)
                strcat(text, "123\n");
        char *e = parse_bad(text, strlen(text));
        assert_non_null(strstr(e, "patrons.list:1: "));
        assert_non_null(strstr(e, "patrons.list:10: "));
        assert_null(strstr(e, "patrons.list:11: "));
        assert_non_null(strstr(e, "patrons.list: 5 more problems"));
        free(e);
}

static void write_at(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

/* The file: read as a regular file or not at all — a FIFO must not block, a directory or a
 * missing file is an error the caller names, an oversized file is refused before it is read. */
static void only_a_regular_file_of_bounded_size_is_read(void **state) {
        char dir[TH_DIR_MAX], path[TH_DIR_MAX + 32];
        BarcodeAllow *a = NULL;
        char *errors = NULL;

        th_dir_new(dir, "/tmp/qrgate-allow-XXXXXX");
        snprintf(path, sizeof(path), "%s/patrons.list", dir);
        assert_int_equal(barcode_allow_load(path, &a, &errors), -ENOENT);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(barcode_allow_load(path, &a, &errors), -EBADFD);
        assert_int_equal(unlink(path), 0);
        assert_int_equal(mkdir(path, 0700), 0);
        assert_int_equal(barcode_allow_load(path, &a, &errors), -EISDIR);
        assert_int_equal(rmdir(path), 0);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, BARCODE_ALLOW_FILE_MAX + 1), 0);
        close(fd);
        assert_int_equal(barcode_allow_load(path, &a, &errors), -EFBIG);
        assert_null(a);
        write_at(path, CARD1 " p-1\n");
        assert_int_equal(barcode_allow_load(path, &a, &errors), 0);
        assert_string_equal(barcode_allow_lookup(a, CARD1), "p-1");
        barcode_allow_free(a);
        write_at(path, "12\n");
        assert_int_equal(barcode_allow_load(path, &a, &errors), -EBADMSG);
        assert_non_null(strstr(errors, "/patrons.list:1: barcode \"12\""));
        free(errors);
        th_dir_remove(dir);
}

/* Many entries: every one found, none that is not there. */
static void a_large_list_finds_every_entry(void **state) {
        size_t n = 20000, size = n * 32;
        char *text = malloc(size), *p = text;
        BarcodeAllow *a;

        assert_non_null(text);
        for (size_t i = 0; i < n; i++) {
                char base[16];
                snprintf(base, sizeof(base), "2%04d%08zu", 1234, i);
                /* The Luhn check digit of the 13 data digits. */
                int t = 0;
                for (int k = 0; k < 13; k++) {
                        int v = base[k] - '0';
                        if (k % 2 == 0 && (v *= 2) > 9)
                                v -= 9;
                        t += v;
                }
                p += sprintf(p, "%s%d s%zu\n", base, (10 - t % 10) % 10, i);
        }
        a = parse_ok(text);
        assert_int_equal(barcode_allow_size(a), n);
        p = text;
        for (size_t i = 0; i < n; i++) {
                char id[15], want[16];
                memcpy(id, p, 14);
                id[14] = '\0';
                snprintf(want, sizeof(want), "s%zu", i);
                assert_string_equal(barcode_allow_lookup(a, id), want);
                p = strchr(p, '\n') + 1;
        }
        assert_null(barcode_allow_lookup(a, "20234000000019"));
        barcode_allow_free(a);
        free(text);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(an_empty_list_lists_nothing),
                cmocka_unit_test(a_barcode_maps_to_its_subject_or_to_itself),
                cmocka_unit_test(crlf_and_a_missing_last_newline_are_fine),
                cmocka_unit_test(a_barcode_listed_twice_is_an_error),
                cmocka_unit_test(a_line_over_the_limit_is_an_error),
                cmocka_unit_test(a_barcode_no_scan_could_match_is_an_error),
                cmocka_unit_test(a_nul_in_a_line_is_an_error),
                cmocka_unit_test(every_wrong_line_is_reported_up_to_the_cap),
                cmocka_unit_test(only_a_regular_file_of_bounded_size_is_read),
                cmocka_unit_test(a_large_list_finds_every_entry),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
