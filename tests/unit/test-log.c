/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The log's captured-output form (daemon/log.h, docs/journal.md): what a test or an operator
 * reads back from a file when there is no journal — the fields after a tab, values quoted so
 * that neither a tab nor a newline can break the line — and how the journal stream is known. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/log.h"

/* log_fields_write()'s text for fields. */
static char *fields_text(const LogFields *fields) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        assert_non_null(f);
        log_fields_write(f, fields);
        assert_int_equal(fclose(f), 0);
        return text;
}

static void assert_fields(const LogFields *fields, const char *want) {
        _cleanup_(freep) char *got = fields_text(fields);
        assert_string_equal(got, want);
}

static void test_no_fields_write_nothing(void **state) {
        assert_fields(NULL, "");
        assert_fields(LOG_FIELDS(), "");
}

static void test_fields_come_in_a_fixed_order(void **state) {
        assert_fields(LOG_FIELDS(.token_state = "absent", .source = "scan0", .reason = "replayed", .format = "QG1",
                                 .door = "main", .message_id = QRGATE_MESSAGE_DENIED, .lock = "relay-1"),
                      "MESSAGE_ID=" QRGATE_MESSAGE_DENIED " QRGATE_DOOR=main QRGATE_REASON=replayed QRGATE_FORMAT=QG1 "
                      "QRGATE_SOURCE=scan0 QRGATE_LOCK=relay-1 QRGATE_TOKEN_STATE=absent");
        assert_fields(LOG_FIELDS(.reason = "trust-list-too-old"), "QRGATE_REASON=trust-list-too-old");
}

static void test_values_that_are_not_one_word_are_quoted(void **state) {
        assert_fields(LOG_FIELDS(.door = "front door"), "QRGATE_DOOR=\"front door\"");
        assert_fields(LOG_FIELDS(.door = ""), "QRGATE_DOOR=\"\"");
        assert_fields(LOG_FIELDS(.door = "a\"b\\c"), "QRGATE_DOOR=\"a\\\"b\\\\c\"");
        assert_fields(LOG_FIELDS(.source = "bus:1.42", .lock = "a@b+c,d/e"), "QRGATE_SOURCE=bus:1.42 QRGATE_LOCK=a@b+c,d/e");
}

/* A tab would end the message part early, a newline the line: neither may come out raw. */
static void test_no_tab_or_newline_reaches_the_line(void **state) {
        assert_fields(LOG_FIELDS(.door = "a\tb\nc\rd\x01\x7f\xc3\xa9"), "QRGATE_DOOR=\"a\\tb\\nc\\x0dd\\x01\\x7f\\xc3\\xa9\"");
}

/* The whole captured line, through the public API: stderr is a file here, as under a test. */
static void test_a_captured_line_has_the_prefix_a_tab_and_the_fields(void **state) {
        char path[] = "/tmp/qrgate-test-log.XXXXXX", buf[512];
        int saved = dup(STDERR_FILENO), fd = mkstemp(path);
        ssize_t n;

        assert_true(saved >= 0 && fd >= 0);
        (void) unlink(path);
        unsetenv("JOURNAL_STREAM");
        fflush(stderr);
        assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);

        log_struct(LOG_NOTICE, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_DENIED, .door = "main"), "door %s: denied", "main");
        log_info("no fields, no tab");
        int r = log_struct(LOG_ERR, -EIO, LOG_FIELDS(.lock = "l1"), "failed: %m");

        fflush(stderr);
        assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        assert_int_equal(r, -EIO);
        n = pread(fd, buf, sizeof(buf) - 1, 0);
        close(fd);
        assert_true(n > 0);
        buf[n] = '\0';
        assert_string_equal(buf, "<5>door main: denied\tMESSAGE_ID=" QRGATE_MESSAGE_DENIED " QRGATE_DOOR=main\n"
                                 "<6>no fields, no tab\n"
                                 "<3>failed: Input/output error\tQRGATE_LOCK=l1\n");
}

static void test_the_journal_stream_is_known_by_device_and_inode(void **state) {
        char path[] = "/tmp/qrgate-test-log.XXXXXX", name[64];
        int fd = mkstemp(path);
        struct stat st;

        assert_true(fd >= 0);
        (void) unlink(path);
        assert_int_equal(fstat(fd, &st), 0);
        snprintf(name, sizeof(name), "%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        assert_true(log_stream_is_journal(fd, name));

        /* Another inode, trailing junk, half a value, nothing: stderr was redirected, or the
         * variable is not systemd's. */
        snprintf(name, sizeof(name), "%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino + 1);
        assert_false(log_stream_is_journal(fd, name));
        snprintf(name, sizeof(name), "%llu:%llux", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
        assert_false(log_stream_is_journal(fd, name));
        snprintf(name, sizeof(name), "%llu:", (unsigned long long) st.st_dev);
        assert_false(log_stream_is_journal(fd, name));
        assert_false(log_stream_is_journal(fd, ""));
        assert_false(log_stream_is_journal(fd, NULL));
        close(fd);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_fields_write_nothing),
                cmocka_unit_test(test_fields_come_in_a_fixed_order),
                cmocka_unit_test(test_values_that_are_not_one_word_are_quoted),
                cmocka_unit_test(test_no_tab_or_newline_reaches_the_line),
                cmocka_unit_test(test_a_captured_line_has_the_prefix_a_tab_and_the_fields),
                cmocka_unit_test(test_the_journal_stream_is_known_by_device_and_inode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
