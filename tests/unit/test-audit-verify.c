/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl audit verify` and records missing in the middle of a log: numbered by the daemon but
 * never written (held in memory when it died, disk full), accounted for by a LOST record right
 * after them — or a hole. The logs are built record by record (tests/audit/audit-log-builder.h);
 * the writer itself is tested in test-audit-log.c, the start of a log in
 * test-audit-verify-start.c. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/audit/audit-log-builder.h"
#include "tests/unit/helper-cmocka.h"

static void gap_accounted_for_by_a_lost_record_is_a_warning(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        lost(l, 6, 3);
        decisions(l, 3);
        close_log(l);

        AfxReport r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.n_warnings, 1);
        assert_says(&r, "warning audit-00000000000000000001.log off=");
        assert_says(&r, "seq=9: records 6-8 were lost: held in memory when the daemon stopped (disk full); the LOST "
                        "record accounts for them");
        assert_int_equal(r.s.n_lost_records, 3);
        assert_int_equal(r.s.n_lost_gaps, 1);
        assert_int_equal(r.s.lost_first_seq, 6);
        assert_int_equal(r.s.lost_last_seq, 8);
        assert_int_equal(r.s.n_records, 5 + 1 + 3 + 2);
        afx_report_free(&r);
}

/* The daemon may start a new file for the LOST record; and a later gap is counted too. */
static void gaps_across_files_are_accounted_for_and_counted_together(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        new_file(l); /* audit-…9.log, as the writer names it: the next number to write */
        lost(l, 6, 3);
        decisions(l, 3);
        never_written(l, 1); /* 13 */
        lost(l, 13, 1);
        close_log(l);

        AfxReport r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.n_warnings, 2);
        assert_says(&r, "records 6-8 were lost");
        assert_says(&r, "records 13-13 were lost");
        assert_int_equal(r.s.n_lost_records, 4);
        assert_int_equal(r.s.n_lost_gaps, 2);
        assert_int_equal(r.s.lost_first_seq, 6);
        assert_int_equal(r.s.lost_last_seq, 13);
        afx_report_free(&r);
}

static void lost_record_with_the_wrong_range_is_a_problem(void **state) {
        static const struct {
                uint64_t ref, count;
        } wrong[] = { { 7, 2 }, { 6, 2 }, { 6, 4 }, { 5, 3 } };
        Log *l = *state;

        for (size_t i = 0; i < ELEMENTSOF(wrong); i++) {
                snprintf(l->fx.dir, sizeof(l->fx.dir), "%s/%zu", l->fx.state, i); /* a log of its own */
                assert_int_equal(mkdir(l->fx.dir, 0700), 0);
                l->seq = 0;
                memset(l->head, 0, AUDIT_HASH_SIZE);
                gap_6_to_8(l);
                lost(l, wrong[i].ref, wrong[i].count);
                close_log(l);

                AfxReport r = verify_one_problem(l, 9, "records 6-8 are missing (deleted, or a file is missing); the LOST "
                                                       "record after them does not account for them");
                assert_int_equal(r.s.n_lost_records, 0);
                afx_report_free(&r);
        }
}

static void lost_record_not_linked_to_the_record_before_the_gap_is_a_problem(void **state) {
        Log *l = *state;
        uint8_t head4[AUDIT_HASH_SIZE];

        new_file(l);
        decisions(l, 4);
        memcpy(head4, l->head, AUDIT_HASH_SIZE); /* record 4's */
        decisions(l, 1);
        never_written(l, 3); /* 6-8 */
        memcpy(l->head, head4, AUDIT_HASH_SIZE); /* as if record 5 had been removed too */
        lost(l, 6, 3);
        decisions(l, 2);
        close_log(l);

        AfxReport r = verify_one_problem(l, 9, "records 6-8 are missing (deleted, or a file is missing); the LOST record "
                                               "after them names them but does not link to record 5, the one before them");
        assert_int_equal(r.s.n_lost_records, 0);
        afx_report_free(&r);
}

static void gap_without_a_lost_record_is_a_problem(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        decisions(l, 3);
        close_log(l);

        AfxReport r = verify_one_problem(l, 9, "records 6-8 are missing (deleted, or a file is missing)");
        assert_null(strstr(r.text, "LOST"));
        assert_int_equal(r.s.n_lost_records, 0);
        afx_report_free(&r);
}

static void lost_record_naming_records_that_are_there_is_a_problem(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 5);
        lost(l, 3, 2); /* 6, linked to 5: nothing is missing */
        decisions(l, 2);
        close_log(l);

        AfxReport r = verify_one_problem(l, 6, "the LOST record names 2 records from record 3, but no records are missing "
                                               "before it");
        assert_int_equal(r.s.n_lost_records, 0);
        afx_report_free(&r);
}

static void lost_record_without_ref_is_a_warning_only(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 5);
        lost_unnumbered(l, 120);
        decisions(l, 2);
        close_log(l);

        AfxReport r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.n_warnings, 1);
        assert_int_equal(r.first_problem_off, INT64_MIN);
        assert_says(&r, "seq=6: 120 records could not be kept");
        assert_int_equal(r.s.n_unnumbered_lost, 120);
        assert_int_equal(r.s.n_lost_records, 0);
        afx_report_free(&r);
}

/* The LOST record is the first record left when the file before it was retired: retention
 * counted the lost records in that file's (up to the next file's first record). */
/* AuditHead names the last record numbered: with records held in memory, one that may be lost. */
static void head_given_among_lost_records_is_a_warning(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        lost(l, 6, 3);
        close_log(l);

        AuditVerifyOptions o = { .pubkey = l->spki, .pubkey_size = l->spki_size, .have_head = true, .head_seq = 7 };
        AfxReport r = afx_verify(&l->fx, &o);
        assert_intact(&r);
        assert_false(r.s.head_found);
        assert_int_equal(r.s.n_warnings, 2);
        assert_says(&r, "the head given (record 7) was lost (held in memory when the daemon stopped); it cannot be "
                        "checked");
        afx_report_free(&r);
}

static void lost_record_as_record_1_is_a_problem(void **state) {
        Log *l = *state;

        new_file(l);
        lost(l, 1, 1);
        decisions(l, 2);
        close_log(l);

        AfxReport r = verify_one_problem(l, 0, "the LOST record names 1 records from record 1, but it is record 1");
        afx_report_free(&r);
}

static void lost_records_right_before_the_first_file_left(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        new_file(l); /* audit-…9.log */
        lost(l, 6, 3);
        decisions(l, 5);
        retire(l, 1, 8);
        close_log(l);

        delete_file(l, 1);
        AfxReport r = verify(l);
        assert_intact(&r);
        assert_int_equal(r.s.first_seq, 9);
        assert_says(&r, "records 6-8 were lost");
        assert_says(&r, "records 1-5 were retired");
        assert_int_equal(r.s.n_lost_records, 3);
        afx_report_free(&r);
}

static void lost_records_right_before_the_first_file_left_still_need_retire_records(void **state) {
        Log *l = *state;

        gap_6_to_8(l);
        new_file(l);
        lost(l, 6, 3);
        decisions(l, 5);
        close_log(l);

        delete_file(l, 1);
        AfxReport r = verify_one_problem(l, 0, "records 1-5 are missing and no RETIRE record accounts for them");
        afx_report_free(&r);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(gap_accounted_for_by_a_lost_record_is_a_warning),
                cmocka_unit_test(gaps_across_files_are_accounted_for_and_counted_together),
                cmocka_unit_test(lost_record_with_the_wrong_range_is_a_problem),
                cmocka_unit_test(lost_record_not_linked_to_the_record_before_the_gap_is_a_problem),
                cmocka_unit_test(gap_without_a_lost_record_is_a_problem),
                cmocka_unit_test(lost_record_naming_records_that_are_there_is_a_problem),
                cmocka_unit_test(lost_record_without_ref_is_a_warning_only),
                cmocka_unit_test(head_given_among_lost_records_is_a_warning),
                cmocka_unit_test(lost_record_as_record_1_is_a_problem),
                cmocka_unit_test(lost_records_right_before_the_first_file_left),
                cmocka_unit_test(lost_records_right_before_the_first_file_left_still_need_retire_records),
        };
        return th_run_tests_with_fixture(tests, setup, teardown);
}
