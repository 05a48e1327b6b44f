/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl audit verify` and records that are not in the log: missing at its start (retention,
 * accounted for by RETIRE records — or files deleted by hand), missing in the middle (records the
 * daemon numbered but never wrote, accounted for by a LOST record — or a hole), and the verdict
 * the operator reads. The logs are made record by record with the record builder, closed by a
 * final checkpoint signed with a software P-256 key, so that each test states exactly the log it
 * means (the writer itself is tested in test-audit-log.c). */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/x509.h>

#include "tests/audit/audit-fixture.h"
#include "tools/ctl-audit.h"

typedef struct Log {
        AuditFx fx;
        EVP_PKEY *key; /* the "device key" that signs checkpoints */
        uint8_t *spki;
        size_t spki_size;
        char path[256];                /* the file records are appended to */
        uint64_t seq;                  /* the last sequence number given out */
        uint8_t head[AUDIT_HASH_SIZE]; /* the hash of the last record written */
} Log;

static int setup(void **state) {
        Log *l = calloc(1, sizeof(Log));
        unsigned char *der = NULL;
        int n;

        assert_non_null(l);
        afx_setup(&l->fx);
        assert_int_equal(mkdir(l->fx.dir, 0700), 0);
        l->key = EVP_EC_gen("P-256");
        assert_non_null(l->key);
        n = i2d_PUBKEY(l->key, &der);
        assert_true(n > 0);
        l->spki = der;
        l->spki_size = (size_t) n;
        *state = l;
        return 0;
}

static int teardown(void **state) {
        Log *l = *state;

        afx_teardown(&l->fx);
        EVP_PKEY_free(l->key);
        OPENSSL_free(l->spki);
        free(l);
        return 0;
}

static void file_path(const Log *l, uint64_t first_seq, char *buf, size_t size) {
        char name[AUDIT_FILE_NAME_MAX];

        audit_file_name(first_seq, name);
        snprintf(buf, size, "%s/%s", l->fx.dir, name);
}

/* Records from now on go to a new file, named after the next sequence number, as the writer's. */
static void new_file(Log *l) {
        file_path(l, l->seq + 1, l->path, sizeof(l->path));
        afx_write(l->path, NULL, 0);
}

static void append(Log *l, AuditBuilder *b) {
        uint8_t hash[AUDIT_HASH_SIZE];

        b->flags |= AUDIT_FLAG_CLOCK_SYNCED;
        assert_int_equal(audit_builder_finish(b, l->seq + 1, 1800000000000000 + (int64_t) l->seq * 1000, l->head, hash), 0);
        afx_append(l->path, b->buf, b->size);
        l->seq++;
        memcpy(l->head, hash, AUDIT_HASH_SIZE);
}

static void decisions(Log *l, unsigned n) {
        for (unsigned i = 0; i < n; i++) {
                AuditBuilder b;
                audit_builder_init(&b, AUDIT_EVENT_DECISION);
                audit_builder_add_str(&b, AUDIT_TAG_DOOR, "main");
                audit_builder_add_u8(&b, AUDIT_TAG_DECISION, 1);
                audit_builder_add_str(&b, AUDIT_TAG_REASON, "ok");
                audit_builder_add_str(&b, AUDIT_TAG_FORMAT, "QG1");
                audit_builder_add_str(&b, AUDIT_TAG_ORIGIN, "scan0");
                audit_builder_add_u8(&b, AUDIT_TAG_SUBJECT, AUDIT_SUBJECT_NONE);
                append(l, &b);
        }
}

/* As retention writes it before it deletes the file that starts at first_seq. */
static void retire(Log *l, uint64_t first_seq, uint64_t count) {
        char name[AUDIT_FILE_NAME_MAX];
        AuditBuilder b;

        audit_file_name(first_seq, name);
        audit_builder_init(&b, AUDIT_EVENT_RETIRE);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, first_seq);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "max_files");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        audit_builder_add_str(&b, AUDIT_TAG_FILE, name);
        append(l, &b);
}

/* Records numbered but never written (held in memory when the daemon died): the numbers are
 * used up, and the next record links to the last one written. */
static void never_written(Log *l, uint64_t n) {
        l->seq += n;
}

static void lost(Log *l, uint64_t ref, uint64_t count) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_LOST);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, ref);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "held in memory when the daemon stopped");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        append(l, &b);
}

/* The older kind: records never numbered because the backlog in memory was full. */
static void lost_unnumbered(Log *l, uint64_t count) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_LOST);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "the write backlog was full");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        append(l, &b);
}

/* A clean stop: STOP, then the final checkpoint over it. */
static void close_log(Log *l) {
        uint8_t msg[AUDIT_CHECKPOINT_MESSAGE_SIZE], sig[AUDIT_SIGNATURE_SIZE];
        AuditBuilder b;
        uint64_t stop;

        audit_builder_init(&b, AUDIT_EVENT_STOP);
        append(l, &b);
        stop = l->seq;
        audit_checkpoint_message(stop, l->head, AUDIT_FLAG_FINAL, msg);
        afx_sign_raw(l->key, msg, sizeof(msg), sig);
        audit_builder_init(&b, AUDIT_EVENT_CHECKPOINT);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, stop);
        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, l->head, AUDIT_HASH_SIZE);
        audit_builder_add_bytes(&b, AUDIT_TAG_SIGNATURE, sig, AUDIT_SIGNATURE_SIZE);
        audit_builder_add_bytes(&b, AUDIT_TAG_PUBKEY, l->spki, l->spki_size);
        b.flags = AUDIT_FLAG_FINAL;
        append(l, &b);
}

static void delete_file(const Log *l, uint64_t first_seq) {
        char path[256];

        file_path(l, first_seq, path, sizeof(path));
        assert_int_equal(unlink(path), 0);
}

static AfxReport verify_with(const Log *l, bool prefix_ok) {
        AuditVerifyOptions o = { .pubkey = l->spki, .pubkey_size = l->spki_size, .prefix_ok = prefix_ok };
        return afx_verify(&l->fx, &o);
}

static AfxReport verify(const Log *l) {
        return verify_with(l, false);
}

static void assert_says(const AfxReport *r, const char *text) {
        if (!strstr(r->text, text))
                fail_msg("verify does not say \"%s\"; it says:\n%s", text, r->text);
}

static void assert_intact(const AfxReport *r) {
        if (r->s.n_problems != 0)
                fail_msg("not intact:\n%s", r->text);
        assert_true(r->s.closed);
}

/* Three files as rotation leaves them: 1-10, 11-20, 21-… (closed). */
static void three_files(Log *l) {
        new_file(l);
        decisions(l, 10);
        new_file(l);
        decisions(l, 10);
        new_file(l);
        decisions(l, 5);
        close_log(l);
}

static void deleted_first_file_without_retire_is_a_problem(void **state) {
        Log *l = *state;

        three_files(l);
        AfxReport r = verify(l);
        assert_intact(&r);
        afx_report_free(&r);

        delete_file(l, 1);
        r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_int_equal(r.s.first_seq, 11);
        assert_says(&r, "records 1-10 are missing and no RETIRE record accounts for them: files are missing, or were "
                        "deleted by hand");
        assert_int_equal(r.first_problem_seq, 11); /* located at the first record there is */
        assert_int_equal(r.first_problem_off, 0);
        afx_report_free(&r);

        delete_file(l, 11);
        r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_says(&r, "records 1-20 are missing and no RETIRE record accounts for them");
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
        r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_says(&r, "records 11-20 are missing and no RETIRE record accounts for them (RETIRE records account for "
                        "the records before them): files are missing, or were deleted by hand");
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

static void gap_accounted_for_by_a_lost_record_is_a_warning(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
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

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
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
                new_file(l);
                decisions(l, 5);
                never_written(l, 3); /* 6-8 */
                lost(l, wrong[i].ref, wrong[i].count);
                close_log(l);

                AfxReport r = verify(l);
                assert_int_equal(r.s.n_problems, 1);
                assert_int_equal(r.first_problem_seq, 9);
                assert_says(&r, "records 6-8 are missing (deleted, or a file is missing); the LOST record after them "
                                "does not account for them");
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

        AfxReport r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_int_equal(r.first_problem_seq, 9);
        assert_says(&r, "records 6-8 are missing (deleted, or a file is missing); the LOST record after them names them "
                        "but does not link to record 5, the one before them");
        assert_int_equal(r.s.n_lost_records, 0);
        afx_report_free(&r);
}

static void gap_without_a_lost_record_is_a_problem(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
        decisions(l, 3);
        close_log(l);

        AfxReport r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_int_equal(r.first_problem_seq, 9);
        assert_says(&r, "records 6-8 are missing (deleted, or a file is missing)");
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

        AfxReport r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_int_equal(r.first_problem_seq, 6);
        assert_says(&r, "the LOST record names 2 records from record 3, but no records are missing before it");
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

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
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

        AfxReport r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_says(&r, "the LOST record names 1 records from record 1, but it is record 1");
        afx_report_free(&r);
}

static void lost_records_right_before_the_first_file_left(void **state) {
        Log *l = *state;

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
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

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
        new_file(l);
        lost(l, 6, 3);
        decisions(l, 5);
        close_log(l);

        delete_file(l, 1);
        AfxReport r = verify(l);
        assert_int_equal(r.s.n_problems, 1);
        assert_says(&r, "records 1-5 are missing and no RETIRE record accounts for them");
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

        new_file(l);
        decisions(l, 5);
        never_written(l, 3); /* 6-8 */
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
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(deleted_first_file_without_retire_is_a_problem, setup, teardown),
                cmocka_unit_test_setup_teardown(retired_files_are_accounted_for_by_retire_records_in_newer_files, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(retire_records_accounting_for_less_than_is_missing_are_a_problem, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(prefix_ok_accepts_a_later_part_of_the_log, setup, teardown),
                cmocka_unit_test_setup_teardown(gap_accounted_for_by_a_lost_record_is_a_warning, setup, teardown),
                cmocka_unit_test_setup_teardown(gaps_across_files_are_accounted_for_and_counted_together, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(lost_record_with_the_wrong_range_is_a_problem, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_record_not_linked_to_the_record_before_the_gap_is_a_problem, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(gap_without_a_lost_record_is_a_problem, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_record_naming_records_that_are_there_is_a_problem, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_record_without_ref_is_a_warning_only, setup, teardown),
                cmocka_unit_test_setup_teardown(head_given_among_lost_records_is_a_warning, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_record_as_record_1_is_a_problem, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_records_right_before_the_first_file_left, setup, teardown),
                cmocka_unit_test_setup_teardown(lost_records_right_before_the_first_file_left_still_need_retire_records,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(verify_output_shows_lost_records_and_stays_intact, setup, teardown),
                cmocka_unit_test_setup_teardown(verify_output_fails_for_files_deleted_by_hand, setup, teardown),
                cmocka_unit_test_setup_teardown(verify_output_counts_records_never_numbered, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
