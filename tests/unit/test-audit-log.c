/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's writer without a token: the chain across restarts, what recovery does with
 * what a crash or a power cut leaves, acknowledgment after fdatasync, and a disk that refuses
 * writes. (Rotation and retention: test-audit-rotation.c; signatures and pseudonyms:
 * test-audit-token.c.) */

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "tests/audit/audit-writer-fixture.h"
#include "tests/unit/helper-cmocka.h"

static void chain_continues_across_restarts(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        Audit *a;

        a = afx_open_log(f, &c);
        assert_int_equal(audit_log_start(a, NULL), 0);
        for (unsigned i = 0; i < 10; i++)
                assert_int_equal(afx_decision(a, i), 0);
        assert_int_equal(afx_head_seq(a), 11);
        assert_int_equal(audit_stop(a, NULL, NULL), 0); /* no token: nothing to wait for */
        a = audit_free(a);

        a = afx_open_log(f, &c);
        assert_int_equal(afx_head_seq(a), 12); /* START, 10 decisions, STOP */
        assert_int_equal(audit_log_start(a, NULL), 0);
        assert_int_equal(afx_decision(a, 1), 0);
        a = audit_free(a); /* STOP written even without audit_stop() */

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.first_seq, 1);
        assert_int_equal(r.s.last_seq, 15);
        assert_int_equal(r.s.n_files, 1);
        assert_false(r.s.closed); /* nothing signed it */
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_START), 2);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_STOP), 2);

        /* Without --open, an unsigned log is not proof of anything. */
        r = afx_verify(f, &(AuditVerifyOptions) {});
        assert_true(r.s.n_problems > 0);
        assert_non_null(strstr(r.text, "no valid checkpoint"));
        afx_report_free(&r);
}

/* Appends half of a record, as a crash in the middle of a write leaves it; returns how much. */
static size_t append_half_record(const char *path, uint64_t seq) {
        uint8_t hash[AUDIT_HASH_SIZE], zero[AUDIT_HASH_SIZE] = {};
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "half of me is lost");
        assert_int_equal(audit_builder_finish(&b, seq, 0, zero, hash), 0);
        afx_append(path, b.buf, b.size / 2);
        return b.size / 2;
}

static void torn_tail_is_cut_recorded_and_the_chain_continues(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;
        size_t before, after;

        afx_write_some(f, &c, 5);
        assert_int_equal(afx_list(f, &paths), 1);
        free(afx_read(paths[0], &before));
        append_half_record(paths[0], 7);

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0); /* with --open a torn tail is expected */
        assert_non_null(strstr(r.text, "torn record"));
        afx_report_free(&r);
        r = afx_verify(f, &(AuditVerifyOptions) {});
        assert_int_equal(r.first_problem_off, (int64_t) before); /* located */
        afx_report_free(&r);

        Audit *a = afx_open_log(f, &c); /* recovery */
        assert_int_equal(afx_head_seq(a), 7); /* 5 + STOP, then the RECOVERY record */
        audit_free(a);
        free(afx_read(paths[0], &after));
        assert_true(after > before); /* cut, then RECOVERY and STOP appended */

        r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.last_seq, 8);
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RECOVERY), 1);
        afx_free_paths(paths);
}

static void zeros_after_a_power_cut_are_cut_too(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        uint8_t zeros[8192] = {};
        char **paths;

        afx_write_some(f, &c, 3);
        assert_int_equal(afx_list(f, &paths), 1);
        afx_append(paths[0], zeros, sizeof(zeros));
        audit_free(afx_open_log(f, &c));
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.last_seq, 6); /* 3 + STOP + RECOVERY + STOP */
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RECOVERY), 1);
        afx_free_paths(paths);
}

/* Half a record after zeros is not what one interrupted append leaves (the daemon appends nothing
 * before recovery has cut a torn tail): it is kept as found, like any damage, and nothing before
 * it is lost. The crash test once produced this by tearing a log twice without a start between. */
static void half_a_record_after_zeros_is_damage_not_a_torn_tail(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        uint8_t zeros[4096] = {};
        char **paths;
        size_t before, size, half;

        afx_write_some(f, &c, 3);
        assert_int_equal(afx_list(f, &paths), 1);
        free(afx_read(paths[0], &before));
        afx_append(paths[0], zeros, sizeof(zeros));
        half = append_half_record(paths[0], 5);
        afx_free_paths(paths);

        Audit *a = afx_open_log(f, &c);
        assert_int_equal(afx_head_seq(a), 5); /* 3 + STOP, then the RECOVERY record, in a new file */
        audit_free(a);
        assert_int_equal(afx_list(f, &paths), 2);
        free(afx_read(paths[0], &size));
        assert_int_equal(size, before + sizeof(zeros) + half); /* left as found */
        afx_free_paths(paths);

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 1);
        assert_int_equal(r.first_problem_off, (int64_t) before); /* located */
        assert_int_equal(r.s.last_seq, 6); /* and its STOP */
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RECOVERY), 1);
}

static void damaged_file_is_kept_and_the_chain_continues_in_a_new_file(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        AfxRecords *rs = calloc(1, sizeof(AfxRecords));
        char **paths;
        size_t size, size2;

        assert_non_null(rs);
        afx_write_some(f, &c, 8);
        assert_int_equal(afx_list(f, &paths), 1);
        _cleanup_(freep) uint8_t *buf = afx_read(paths[0], &size);
        afx_records(buf, size, rs);
        /* A byte changed in record 3 of 9: not something a crash does. */
        buf[rs->off[2] + 30] ^= 0x01;
        afx_write(paths[0], buf, size);
        afx_free_paths(paths);

        Audit *a = afx_open_log(f, &c);
        assert_int_equal(afx_head_seq(a), 10); /* continues after the last readable record */
        audit_free(a);

        assert_int_equal(afx_list(f, &paths), 2);
        _cleanup_(freep) uint8_t *kept = afx_read(paths[0], &size2);
        assert_int_equal(size2, size);
        assert_memory_equal(kept, buf, size); /* left exactly as found */
        afx_free_paths(paths);

        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_true(r.s.n_problems >= 1);
        assert_int_equal(r.first_problem_off, (int64_t) rs->off[2]); /* located */
        assert_int_equal(r.s.last_seq, 11);
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_RECOVERY), 1);
        free(rs);
}

/* The pseudonym comes from the token later, through the caller (daemon/publish.c); the door and
 * the record never wait for it. One that does not come in time is recorded as unavailable, and
 * one that comes after that changes nothing. */
static void a_late_pseudonym_is_recorded_unavailable_and_not_twice(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        uint8_t mac[AUDIT_HASH_SIZE] = { 0x42 };
        uint64_t seq, seq2;

        c.pseudonym_timeout_ms = 100;
        Audit *a = afx_open_log(f, &c);
        assert_int_equal(audit_log_decision(a, "main", true, "ok", "QG1", "scan0", AUDIT_SUBJECT_PENDING, AUDIT_SUBJECT_NONE, NULL, &seq), 0);
        assert_int_equal(seq, 1);
        assert_true(afx_wait_durable(f->event, a, 1000000)); /* acknowledged without the pseudonym */
        afx_loop_for(f->event, 300000);
        AfxPseudonym p = afx_pseudonym(f);
        assert_true(p.found);
        assert_int_equal(p.ref, 1);
        assert_int_equal(p.subject, AUDIT_SUBJECT_UNAVAILABLE);
        assert_non_null(strstr(p.text, "did not answer in time"));
        audit_log_pseudonym(a, seq, mac, NULL, NULL); /* too late */

        /* One that comes in time is recorded for its decision, whatever came in between. */
        assert_int_equal(audit_log_decision(a, "main", false, "scope", "QG1", "scan0", AUDIT_SUBJECT_PENDING, AUDIT_SUBJECT_NONE, NULL, &seq2),
                         0);
        assert_int_equal(afx_decision(a, 1), 0);
        audit_log_pseudonym(a, seq2, mac, NULL, NULL);
        audit_log_pseudonym(a, seq2, mac, NULL, NULL); /* twice: once recorded */
        a = audit_free(a);
        p = afx_pseudonym(f);
        assert_int_equal(p.count, 2);
        assert_int_equal(p.ref, seq2);
        assert_int_equal(p.subject, AUDIT_SUBJECT_PRESENT);
        assert_memory_equal(p.mac, mac, sizeof(mac));
}

/* A decision that cannot wait for its pseudonym says why, in its own record. */
static void a_decision_without_a_pseudonym_says_why(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        uint64_t seq;
        Audit *a = afx_open_log(f, &c);

        assert_int_equal(audit_log_decision(a, "main", true, "ok", "QG1", "scan0", AUDIT_SUBJECT_UNAVAILABLE,
                                            AUDIT_SUBJECT_NONE, "no HMAC key in the token", &seq), 0);
        assert_int_equal(seq, 0);
        assert_int_equal(audit_stop(a, NULL, NULL), 0); /* no token: stops at once */
        assert_int_equal(audit_log_decision(a, "main", true, "ok", "QG1", "scan0", AUDIT_SUBJECT_PENDING, AUDIT_SUBJECT_NONE, NULL, &seq), 0);
        assert_int_equal(seq, 0); /* stopping: nothing waits any more */
        audit_free(a);
        assert_false(afx_pseudonym(f).found);
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        afx_report_free(&r);
        size_t size;
        char **paths;
        assert_int_equal(afx_list(f, &paths), 1);
        _cleanup_(freep) uint8_t *buf = afx_read(paths[0], &size);
        afx_free_paths(paths);
        assert_non_null(memmem(buf, size, "no HMAC key in the token", 24));
        assert_non_null(memmem(buf, size, "stopping", 8));
}

static void records_are_acknowledged_after_fdatasync(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        AuditHead h;
        Audit *a;

        /* sync: acknowledged about one fdatasync after the write. */
        a = afx_open_log(f, &c);
        assert_int_equal(afx_decision(a, 0), 0);
        audit_get_head(a, &h);
        assert_int_equal(h.seq, 1);
        assert_true(afx_wait_durable(f->event, a, 2000000));
        audit_free(a);

        /* grouped: not before the group window has passed. */
        c.durability = AUDIT_DURABILITY_GROUPED;
        c.group_ms = 300;
        a = afx_open_log(f, &c);
        afx_loop_for(f->event, 50000);
        uint64_t t0 = afx_now_usec();
        for (unsigned i = 0; i < 20; i++)
                assert_int_equal(afx_decision(a, i), 0);
        afx_loop_for(f->event, 100000);
        audit_get_head(a, &h);
        assert_true(h.durable_seq < h.seq);
        assert_true(afx_wait_durable(f->event, a, 2000000));
        assert_true(afx_now_usec() - t0 >= 290000);
        audit_free(a);
}

static bool failing_seen, recovered_seen;

static void on_state(Audit *a, bool failing, void *userdata) {
        if (failing)
                failing_seen = true;
        else
                recovered_seen = true;
}

static bool not_failing(void *userdata) {
        return !audit_is_failing(userdata);
}

/* RLIMIT_FSIZE makes the kernel refuse writes past a size (EFBIG), as a full disk refuses them
 * (ENOSPC): the same path through the writer, without mounting anything. */
static void set_file_limit(rlim_t limit) {
        struct rlimit rl = { .rlim_cur = limit, .rlim_max = RLIM_INFINITY };
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void write_errors_hold_records_raise_an_alarm_and_recover(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        char **paths;
        size_t size;
        Audit *a;

        signal(SIGXFSZ, SIG_IGN);
        failing_seen = recovered_seen = false;
        a = afx_open_log(f, &c);
        audit_set_state_handler(a, on_state, NULL);
        for (unsigned i = 0; i < 5; i++)
                assert_int_equal(afx_decision(a, i), 0);
        assert_int_equal(afx_list(f, &paths), 1);
        free(afx_read(paths[0], &size));

        set_file_limit(size + 200);
        for (unsigned i = 0; i < 20; i++)
                assert_int_equal(afx_decision(a, i), 0); /* held, not lost */
        assert_true(failing_seen);
        assert_true(audit_is_failing(a));
        assert_true(audit_refuses_openings(a));
        AuditHead h;
        audit_get_head(a, &h);
        assert_string_equal(h.state, "failing");
        assert_int_equal(h.seq, 5 + 20 + 1); /* + the alarm */
        assert_true(h.durable_seq < h.seq);
        /* Nothing torn in the file: a partial write was cut back. */
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        afx_report_free(&r);

        /* Space again: within the retry interval, everything is written, the alarm cleared. */
        set_file_limit(RLIM_INFINITY);
        assert_true(afx_loop_until(f->event, not_failing, a, 3000000));
        assert_true(recovered_seen);
        assert_false(audit_refuses_openings(a));
        assert_true(afx_wait_durable(f->event, a, 2000000));
        audit_free(a);
        signal(SIGXFSZ, SIG_DFL);

        r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        assert_int_equal(r.s.last_seq, 5 + 20 + 1 + 1 + 1); /* alarm raised, cleared, STOP */
        afx_report_free(&r);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_ALARM), 2);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_DECISION), 25);
        afx_free_paths(paths);
}

static void a_full_backlog_is_counted_in_a_lost_record(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        unsigned refused = 0;
        Audit *a;

        signal(SIGXFSZ, SIG_IGN);
        a = afx_open_log(f, &c);
        assert_int_equal(afx_decision(a, 0), 0);
        set_file_limit(1);
        for (unsigned i = 0; i < 20000; i++)
                if (afx_decision(a, i) == -ENOBUFS)
                        refused++;
        assert_true(refused > 0);
        set_file_limit(RLIM_INFINITY);
        assert_true(afx_loop_until(f->event, not_failing, a, 3000000));
        audit_free(a);
        signal(SIGXFSZ, SIG_DFL);

        assert_int_equal(afx_count_events(f, AUDIT_EVENT_LOST), 1);
        assert_int_equal(afx_count_events(f, AUDIT_EVENT_DECISION), 20001 - refused);
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_int_equal(r.s.n_problems, 0);
        afx_report_free(&r);
}

/* Found by a security review: with the disk full, records held in memory were lost without a
 * trace when the daemon was killed, the next start gave their sequence numbers to new records,
 * and verify said intact. Now the numbers given out are marked (audit/held), the next start
 * writes a LOST record naming them right after the gap, and nothing is numbered twice. */
static void records_held_when_killed_leave_a_lost_record_and_no_number_is_reused(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        AfxRecords *rs = calloc(1, sizeof(AfxRecords));
        uint64_t ref = 0, count = 0;
        char **paths;
        size_t n, size;
        int status;

        assert_non_null(rs);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                /* The daemon: five records on disk, then the disk refuses and ten decisions are
                 * held in memory; then it dies without a word (no audit_free(), as under SIGKILL). */
                Audit *a = NULL;
                sd_event *e = NULL;
                if (sd_event_new(&e) < 0 || audit_open(e, f->state, &c, &a) < 0)
                        _exit(2);
                for (unsigned i = 0; i < 5; i++)
                        if (afx_decision(a, i) < 0)
                                _exit(3);
                /* The log's end is past the limit, the marker's first bytes are not: as on a
                 * full disk, where a block already allocated can still be overwritten. */
                struct stat st;
                char **p;
                if (afx_list(f, &p) != 1 || stat(p[0], &st) < 0 || st.st_size < 64)
                        _exit(6);
                afx_free_paths(p);
                signal(SIGXFSZ, SIG_IGN);
                set_file_limit((rlim_t) st.st_size);
                for (unsigned i = 0; i < 10; i++)
                        if (afx_decision(a, i) < 0)
                                _exit(4);
                if (!audit_is_failing(a) || afx_head_seq(a) != 5 + 10 + 1) /* + the alarm */
                        _exit(5);
                _exit(0);
        }
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);

        Audit *a = afx_open_log(f, &c);
        assert_int_equal(afx_decision(a, 99), 0);
        assert_int_equal(afx_head_seq(a), 18); /* 6-16 lost, 17 the LOST record, 18 this one */
        audit_free(a);

        /* The LOST record comes right after record 5 and names 6-16. */
        n = afx_list(f, &paths);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) uint8_t *buf = afx_read(paths[i], &size);
                afx_records(buf, size, rs);
                for (size_t k = 0; k < rs->n; k++) {
                        AuditRecord r;
                        assert_int_equal(audit_record_parse(buf + rs->off[k], size - rs->off[k], &r), AUDIT_PARSE_OK);
                        assert_true(r.seq <= 5 || r.seq >= 17);
                        if (r.event == AUDIT_EVENT_LOST) {
                                assert_int_equal(r.seq, 17);
                                assert_true(audit_record_get_u64(&r, AUDIT_TAG_REF, &ref));
                                assert_true(audit_record_get_u64(&r, AUDIT_TAG_COUNT, &count));
                        }
                }
        }
        afx_free_paths(paths);
        free(rs);
        assert_int_equal(ref, 6);
        assert_int_equal(count, 11);
}

/* Reordering, deleting and duplicating records: found and located, even without checkpoints. */
static void reordered_deleted_and_repeated_records_are_located(void **state) {
        AuditFx *f = *state;
        AuditConf c = afx_conf();
        AfxRecords *rs = calloc(1, sizeof(AfxRecords));
        char **paths;
        size_t size;

        assert_non_null(rs);
        afx_write_some(f, &c, 10);
        assert_int_equal(afx_list(f, &paths), 1);
        _cleanup_(freep) uint8_t *orig = afx_read(paths[0], &size);
        _cleanup_(freep) uint8_t *buf = malloc(size + AUDIT_RECORD_MAX);
        assert_non_null(buf);
        afx_records(orig, size, rs);
        assert_int_equal(rs->n, 11);

        /* Records 4 and 5 swapped. */
        size_t o = rs->off[3], n4 = rs->size[3], n5 = rs->size[4];
        memcpy(buf, orig, size);
        memcpy(buf + o, orig + rs->off[4], n5);
        memcpy(buf + o + n5, orig + o, n4);
        afx_write(paths[0], buf, size);
        AfxReport r = afx_verify(f, &afx_open_ok);
        assert_true(r.s.n_problems > 0);
        assert_int_equal(r.first_problem_off, (int64_t) o);
        assert_int_equal(r.first_problem_seq, 5);
        afx_report_free(&r);

        /* Record 6 deleted. */
        memcpy(buf, orig, rs->off[5]);
        memcpy(buf + rs->off[5], orig + rs->off[6], size - rs->off[6]);
        afx_write(paths[0], buf, size - rs->size[5]);
        r = afx_verify(f, &afx_open_ok);
        assert_true(r.s.n_problems > 0);
        assert_int_equal(r.first_problem_off, (int64_t) rs->off[5]);
        assert_non_null(strstr(r.text, "records 6-6 are missing"));
        afx_report_free(&r);

        /* Record 2 repeated. */
        memcpy(buf, orig, rs->off[2]);
        memcpy(buf + rs->off[2], orig + rs->off[1], rs->size[1]);
        memcpy(buf + rs->off[2] + rs->size[1], orig + rs->off[2], size - rs->off[2]);
        afx_write(paths[0], buf, size + rs->size[1]);
        r = afx_verify(f, &afx_open_ok);
        assert_true(r.s.n_problems > 0);
        assert_int_equal(r.first_problem_off, (int64_t) rs->off[2]);
        assert_non_null(strstr(r.text, "out of order or repeated"));
        afx_report_free(&r);

        afx_free_paths(paths);
        free(rs);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(chain_continues_across_restarts),
                cmocka_unit_test(torn_tail_is_cut_recorded_and_the_chain_continues),
                cmocka_unit_test(zeros_after_a_power_cut_are_cut_too),
                cmocka_unit_test(half_a_record_after_zeros_is_damage_not_a_torn_tail),
                cmocka_unit_test(damaged_file_is_kept_and_the_chain_continues_in_a_new_file),
                cmocka_unit_test(a_late_pseudonym_is_recorded_unavailable_and_not_twice),
                cmocka_unit_test(a_decision_without_a_pseudonym_says_why),
                cmocka_unit_test(records_are_acknowledged_after_fdatasync),
                cmocka_unit_test(write_errors_hold_records_raise_an_alarm_and_recover),
                cmocka_unit_test(a_full_backlog_is_counted_in_a_lost_record),
                cmocka_unit_test(records_held_when_killed_leave_a_lost_record_and_no_number_is_reused),
                cmocka_unit_test(reordered_deleted_and_repeated_records_are_located),
        };
        return th_run_tests_with_fixture(tests, afx_test_setup, afx_test_teardown);
}
