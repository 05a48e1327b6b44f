/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl audit verify` and the start of a log: records missing before the first record there
 * is must be accounted for by RETIRE records (retention) — files deleted by hand are a problem —
 * and the verdict lines an operator reads for that and for lost records. The logs are built
 * record by record (tests/audit/audit-log-builder.h). */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/audit/audit-log-builder.h"
#include "tests/unit/helper-cmocka.h"
#include "tools/ctl-audit.h"

static void deleted_first_file_without_retire_is_a_problem(void **state) {
        Log *l = *state;

        three_files(l);
        AfxReport r = verify(l);
        assert_intact(&r);
        afx_report_free(&r);

        delete_file(l, 1);
        r = verify_one_problem(l, 11, /* located at the first record there is */
                               "records 1-10 are missing and no RETIRE record accounts for them: files are missing, "
                               "or were deleted by hand");
        assert_int_equal(r.s.first_seq, 11);
        assert_int_equal(r.first_problem_off, 0);
        afx_report_free(&r);

        delete_file(l, 11);
        r = verify_one_problem(l, 0, "records 1-20 are missing and no RETIRE record accounts for them");
        afx_report_free(&r);
}

/* The daemon's retention: the RETIRE record of a file goes into a newer file, and when that file
 * is retired in turn, a newer one still says so. */
static void retired_files_are_accounted_for_by_retire_records_in_newer_files(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 10); /* 1-10 */
        new_file(l);
        decisions(l, 9);
        retire(l, 1, 10); /* 20 */
        new_file(l);
        decisions(l, 9);
        retire(l, 11, 10); /* 30 */
        decisions(l, 5);
        close_log(l);

        /* A RETIRE record whose file is still there (the daemon stopped before the unlink). */
        AfxReport r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.first_seq, 1);
        afx_report_free(&r);

        delete_file(l, 1);
        r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.first_seq, 11);
        assert_says(&r, "starts at record 11");
        assert_says(&r, "records 1-10 were retired: RETIRE records in the log account for them");
        afx_report_free(&r);

        /* Only the last file left: its RETIRE record covers the file whose RETIRE record covered
         * the first. */
        delete_file(l, 11);
        r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.first_seq, 21);
        assert_int_equal(r.s.n_files, 1);
        assert_says(&r, "records 1-20 were retired: RETIRE records in the log account for them");
        afx_report_free(&r);
}

static void retire_records_accounting_for_less_than_is_missing_are_a_problem(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 10); /* 1-10 */
        new_file(l);
        decisions(l, 10); /* 11-20 */
        new_file(l);
        retire(l, 1, 10); /* only the first file said retired */
        decisions(l, 5);
        close_log(l);

        delete_file(l, 1);
        AfxReport r = verify(l);
        assert_intact(&r);
        afx_report_free(&r);

        delete_file(l, 11);
        r = verify_one_problem(l, 0, "records 11-20 are missing and no RETIRE record accounts for them (RETIRE records "
                                     "account for the records before them): files are missing, or were deleted by hand");
        afx_report_free(&r);
}

/* For a caller that gives the later files of a log on purpose (the crash test). */
static void prefix_ok_accepts_a_later_part_of_the_log(void **state) {
        Log *l = *state;

        three_files(l);
        delete_file(l, 1);
        AfxReport r = verify_with(l, true);
        assert_intact(&r);
        assert_int_equal(r.s.n_warnings, 0);
        assert_says(&r, "starts at record 11");
        afx_report_free(&r);
}

/* `qrgatectl audit verify`: its output and exit status. */
static int ctl_verify(const Log *l, char **ret_out) {
        char pubkey[256], out[256];
        _cleanup_(closep) int saved = -EBADF, fd = -EBADF;
        size_t size;
        int status;

        snprintf(pubkey, sizeof(pubkey), "%s/device.der", l->fx.state);
        afx_write(pubkey, l->spki, l->spki_size);
        snprintf(out, sizeof(out), "%s/verify.out", l->fx.state);
        char *argv[] = { (char *) "audit", (char *) "verify", (char *) "--pubkey", pubkey, (char *) l->fx.dir, NULL };

        fflush(stdout);
        saved = dup(STDOUT_FILENO);
        fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(saved >= 0 && fd >= 0);
        assert_true(dup2(fd, STDOUT_FILENO) >= 0);
        status = ctl_audit((int) ELEMENTSOF(argv) - 1, argv);
        fflush(stdout);
        assert_true(dup2(saved, STDOUT_FILENO) >= 0);
        uint8_t *text = afx_read(out, &size);
        *ret_out = realloc(text, size + 1);
        assert_non_null(*ret_out);
        (*ret_out)[size] = 0;
        return status;
}

static void assert_line(const char *out, const char *line) {
        _cleanup_(freep) char *needle = NULL;

        assert_true(asprintf(&needle, "\n%s\n", line) > 0);
        if (!strstr(out, needle))
                fail_msg("no line \"%s\" in:\n%s", line, out);
}

static void verify_output_shows_lost_records_and_stays_intact(void **state) {
        Log *l = *state;
        _cleanup_(freep) char *out = NULL;

        gap_6_to_8(l);
        lost(l, 6, 3);
        decisions(l, 3);
        close_log(l);

        assert_int_equal(ctl_verify(l, &out), 0);
        assert_line(out, "files: 1, records: 11 (1-14)");
        assert_line(out, "lost: 3 records (6-8), accounted for by LOST records");
        assert_line(out, "closed: yes, with a final checkpoint");
        assert_line(out, "verdict: intact");
        assert_non_null(strstr(out, "record 9: warning: records 6-8 were lost"));
        assert_null(strstr(out, "not kept:"));
}

static void verify_output_fails_for_files_deleted_by_hand(void **state) {
        Log *l = *state;
        _cleanup_(freep) char *out = NULL;

        three_files(l);
        delete_file(l, 1);
        assert_int_equal(ctl_verify(l, &out), 1);
        assert_non_null(strstr(out, "audit-00000000000000000011.log offset 0 record 11: PROBLEM: records 1-10 are "
                                    "missing and no RETIRE record accounts for them"));
        assert_line(out, "verdict: NOT INTACT (1 problem)");
        assert_null(strstr(out, "lost:"));
}

static void verify_output_counts_records_never_numbered(void **state) {
        Log *l = *state;
        _cleanup_(freep) char *out = NULL;

        new_file(l);
        decisions(l, 2);
        lost_unnumbered(l, 40);
        close_log(l);

        assert_int_equal(ctl_verify(l, &out), 0);
        assert_line(out, "not kept: 40 records never numbered (the memory backlog was full), counted by LOST records");
        assert_null(strstr(out, "lost:"));
        assert_line(out, "verdict: intact");
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(deleted_first_file_without_retire_is_a_problem),
                cmocka_unit_test(retired_files_are_accounted_for_by_retire_records_in_newer_files),
                cmocka_unit_test(retire_records_accounting_for_less_than_is_missing_are_a_problem),
                cmocka_unit_test(prefix_ok_accepts_a_later_part_of_the_log),
                cmocka_unit_test(verify_output_shows_lost_records_and_stays_intact),
                cmocka_unit_test(verify_output_fails_for_files_deleted_by_hand),
                cmocka_unit_test(verify_output_counts_records_never_numbered),
        };
        return th_run_tests_with_fixture(tests, setup, teardown);
}
