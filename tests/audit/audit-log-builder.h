/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Audit logs built record by record for the tests of `qrgatectl audit verify`: each test states
 * exactly the log it means (files as rotation names them, RETIRE and LOST records, records
 * numbered but never written, a clean stop closed by a final checkpoint signed with a software
 * P-256 key standing in for the device key), then deletes what it wants missing. Header-only and
 * static, like audit-fixture.h, which it builds on. */

#include <inttypes.h>
#include <openssl/x509.h>

#include "tests/audit/audit-fixture.h"

typedef struct Log {
        AuditFx fx;
        EVP_PKEY *key; /* the "device key" that signs checkpoints */
        uint8_t *spki;
        size_t spki_size;
        char path[256];                /* the file records are appended to */
        uint64_t seq;                  /* the last sequence number given out */
        uint8_t head[AUDIT_HASH_SIZE]; /* the hash of the last record written */
} Log;

_unused_ static int setup(void **state) {
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

_unused_ static int teardown(void **state) {
        Log *l = *state;

        afx_teardown(&l->fx);
        EVP_PKEY_free(l->key);
        OPENSSL_free(l->spki);
        free(l);
        return 0;
}

_unused_ static void file_path(const Log *l, uint64_t first_seq, char *buf, size_t size) {
        char name[AUDIT_FILE_NAME_MAX];

        audit_file_name(first_seq, name);
        snprintf(buf, size, "%s/%s", l->fx.dir, name);
}

/* Records from now on go to a new file, named after the next sequence number, as the writer's. */
_unused_ static void new_file(Log *l) {
        file_path(l, l->seq + 1, l->path, sizeof(l->path));
        afx_write(l->path, NULL, 0);
}

_unused_ static void append(Log *l, AuditBuilder *b) {
        uint8_t hash[AUDIT_HASH_SIZE];

        b->flags |= AUDIT_FLAG_CLOCK_SYNCED;
        assert_int_equal(audit_builder_finish(b, l->seq + 1, 1800000000000000 + (int64_t) l->seq * 1000, l->head, hash), 0);
        afx_append(l->path, b->buf, b->size);
        l->seq++;
        memcpy(l->head, hash, AUDIT_HASH_SIZE);
}

_unused_ static void decisions(Log *l, unsigned n) {
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
_unused_ static void retire(Log *l, uint64_t first_seq, uint64_t count) {
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
_unused_ static void never_written(Log *l, uint64_t n) {
        l->seq += n;
}

_unused_ static void lost(Log *l, uint64_t ref, uint64_t count) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_LOST);
        audit_builder_add_u64(&b, AUDIT_TAG_REF, ref);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "held in memory when the daemon stopped");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        append(l, &b);
}

/* The older kind: records never numbered because the backlog in memory was full. */
_unused_ static void lost_unnumbered(Log *l, uint64_t count) {
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_LOST);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "the write backlog was full");
        audit_builder_add_u64(&b, AUDIT_TAG_COUNT, count);
        append(l, &b);
}

/* A clean stop: STOP, then the final checkpoint over it. */
_unused_ static void close_log(Log *l) {
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

_unused_ static void delete_file(const Log *l, uint64_t first_seq) {
        char path[256];

        file_path(l, first_seq, path, sizeof(path));
        assert_int_equal(unlink(path), 0);
}

_unused_ static AfxReport verify_with(const Log *l, bool prefix_ok) {
        AuditVerifyOptions o = { .pubkey = l->spki, .pubkey_size = l->spki_size, .prefix_ok = prefix_ok };
        return afx_verify(&l->fx, &o);
}

_unused_ static AfxReport verify(const Log *l) {
        return verify_with(l, false);
}

_unused_ static void assert_says(const AfxReport *r, const char *text) {
        if (!strstr(r->text, text))
                fail_msg("verify does not say \"%s\"; it says:\n%s", text, r->text);
}

/* verify() finds exactly one problem, says text about it and, when at_seq is not 0, locates it
 * at that record. The report is returned for the test's own checks; afx_report_free() it. */
_unused_ static AfxReport verify_one_problem(const Log *l, uint64_t at_seq, const char *text) {
        AfxReport r = verify(l);

        if (r.s.n_problems != 1)
                fail_msg("%" PRIu64 " problems, not 1:\n%s", r.s.n_problems, r.text);
        if (at_seq != 0)
                assert_int_equal(r.first_problem_seq, at_seq);
        assert_says(&r, text);
        return r;
}

_unused_ static void assert_intact(const AfxReport *r) {
        if (r->s.n_problems != 0)
                fail_msg("not intact:\n%s", r->text);
        assert_true(r->s.closed);
}

/* The start of the logs with records lost in the middle: records 1-5 written, 6-8 numbered but
 * never written (held in memory when the daemon died). */
_unused_ static void gap_6_to_8(Log *l) {
        new_file(l);
        decisions(l, 5);
        never_written(l, 3);
}

/* Three files as rotation leaves them: 1-10, 11-20, 21-… (closed). */
_unused_ static void three_files(Log *l) {
        new_file(l);
        decisions(l, 10);
        new_file(l);
        decisions(l, 10);
        new_file(l);
        decisions(l, 5);
        close_log(l);
}
