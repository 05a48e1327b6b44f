/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's files: rotation by size and by age (the chain links across files), and
 * retention by count, minimum age and age, each deletion recorded so that verify can account
 * for what is gone. The rest of the writer is test-audit-log.c's. */

#include <errno.h>
#include <sys/stat.h>

#include "tests/audit/audit-writer-fixture.h"
#include "tests/unit/helper-cmocka.h"

static void files_rotate_by_size_and_link_across(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;
        size_t n;

        c.max_file_size = 4096;
        afx_write_some(f, &c, 300);
        n = afx_list(f, &paths);
        assert_true(n >= 5);
        for (size_t i = 0; i < n; i++) {
                struct stat st;
                assert_int_equal(stat(paths[i], &st), 0);
                assert_true(st.st_size <= 4096);
        }
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.n_files, n);
        assert_int_equal(r.s.first_seq, 1);
        assert_int_equal(r.s.last_seq, 301);
        afx_report_free(&r);

        /* A file in the middle gone: the gap is named. */
        assert_int_equal(unlink(paths[2]), 0);
        r = afx_verify(f, &afx_open_ok);
        assert_true(r.s.n_problems >= 1);
        assert_non_null(strstr(r.text, "are missing"));
        afx_report_free(&r);
        afx_free_paths(paths);
}

static void retention_deletes_the_oldest_files_and_verify_starts_after_them(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;

        c.max_file_size = 4096;
        c.max_files = 3;
        c.min_age = 0;
        afx_write_some(f, &c, 300);
        assert_int_equal(afx_list(f, &paths), 3);
        afx_free_paths(paths);
        assert_true(afx_count_events(f, AUDIT_EVENT_RETIRE) >= 1);

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_true(r.s.first_seq > 1);
        assert_non_null(strstr(r.text, "starts at record"));
        afx_report_free(&r);
}

/* A flood of records must not push out recent evidence: beyond max_files, a file younger than
 * min_age is kept (and an alarm says so), so what bounds the log is then the free-space check. */
static void retention_by_count_keeps_files_younger_than_min_age(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;
        size_t n;

        c.max_file_size = 4096;
        c.max_files = 3;
        c.min_age = 3600;
        afx_write_some(f, &c, 300);
        n = afx_list(f, &paths);
        afx_free_paths(paths);
        assert_true(n > 3);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RETIRE), 0);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_ALARM), 1); /* raised once, not at every rotation */

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.first_seq, 1);
        afx_report_free(&r);
}

static void retention_by_age_applies_at_start(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        struct timespec old[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        char **paths;
        size_t n;

        c.max_file_size = 4096;
        afx_write_some(f, &c, 100);
        n = afx_list(f, &paths);
        assert_true(n >= 3);
        /* The first two files were last written in 2001. */
        assert_int_equal(utimensat(AT_FDCWD, paths[0], old, 0), 0);
        assert_int_equal(utimensat(AT_FDCWD, paths[1], old, 0), 0);
        afx_free_paths(paths);
        c.max_age = 86400;
        audit_free(afx_open_log(f, &c));
        assert_int_equal(afx_list(f, &paths), n - 2);
        afx_free_paths(paths);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RETIRE), 2);
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        afx_report_free(&r);
}

static void files_rotate_by_age(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;

        c.max_file_age = 1;
        Audit *a = afx_open_log(f, &c);
        assert_int_equal(afx_decision(a, 0), 0);
        usleep(1100 * 1000);
        assert_int_equal(afx_decision(a, 1), 0);
        audit_free(a);
        assert_int_equal(afx_list(f, &paths), 2);
        afx_free_paths(paths);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(files_rotate_by_size_and_link_across),
                cmocka_unit_test(retention_deletes_the_oldest_files_and_verify_starts_after_them),
                cmocka_unit_test(retention_by_count_keeps_files_younger_than_min_age),
                cmocka_unit_test(retention_by_age_applies_at_start),
                cmocka_unit_test(files_rotate_by_age),
        };
        return th_run_tests_with_fixture(tests, afx_test_setup, afx_test_teardown);
}
