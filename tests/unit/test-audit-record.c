/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit record format (docs/audit.md): what the builder writes is what the parser reads, and
 * every kind of bad input is told apart, never read past, never taken for a record; and the
 * pseudonym's input, byte for byte. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit-file.h"
#include "audit/audit-record.h"
#include "audit/pseudonym-input.h"

static const uint8_t zero[AUDIT_HASH_SIZE];

static void build_decision(AuditBuilder *b, uint64_t seq, const uint8_t *prev, uint8_t hash[static AUDIT_HASH_SIZE]) {
        audit_builder_init(b, AUDIT_EVENT_DECISION);
        audit_builder_add_str(b, AUDIT_TAG_DOOR, "main");
        audit_builder_add_u8(b, AUDIT_TAG_DECISION, 1);
        audit_builder_add_str(b, AUDIT_TAG_REASON, "ok");
        audit_builder_add_str(b, AUDIT_TAG_FORMAT, "QG1");
        audit_builder_add_str(b, AUDIT_TAG_ORIGIN, "scan0");
        audit_builder_add_u8(b, AUDIT_TAG_SUBJECT, AUDIT_SUBJECT_PENDING);
        assert_int_equal(audit_builder_finish(b, seq, 1800000000123456, prev, hash), 0);
}

static void record_round_trips(void **state) {
        uint8_t hash[AUDIT_HASH_SIZE], again[AUDIT_HASH_SIZE];
        char text[AUDIT_TEXT_MAX + 1];
        AuditBuilder b;
        AuditRecord r;
        uint8_t u8;

        build_decision(&b, 7, zero, hash);
        assert_int_equal(audit_record_parse(b.buf, b.size, &r), AUDIT_PARSE_OK);
        assert_int_equal(r.size, b.size);
        assert_int_equal(r.event, AUDIT_EVENT_DECISION);
        assert_int_equal(r.seq, 7);
        assert_true(r.time_usec == 1800000000123456);
        assert_memory_equal(r.prev, zero, AUDIT_HASH_SIZE);
        assert_true(audit_record_get_str(&r, AUDIT_TAG_DOOR, text));
        assert_string_equal(text, "main");
        assert_true(audit_record_get_str(&r, AUDIT_TAG_ORIGIN, text));
        assert_string_equal(text, "scan0");
        assert_true(audit_record_get_u8(&r, AUDIT_TAG_SUBJECT, &u8));
        assert_int_equal(u8, AUDIT_SUBJECT_PENDING);
        assert_false(audit_record_get_str(&r, AUDIT_TAG_TEXT, text));
        assert_null(audit_record_get_bytes(&r, AUDIT_TAG_PSEUDONYM, AUDIT_HASH_SIZE));
        /* The hash is over every byte of the record. */
        audit_record_hash(&r, again);
        assert_memory_equal(hash, again, AUDIT_HASH_SIZE);
        audit_hash(b.buf, b.size, again);
        assert_memory_equal(hash, again, AUDIT_HASH_SIZE);
}

static void integers_and_bytes_are_big_endian_and_exact(void **state) {
        uint8_t hash[AUDIT_HASH_SIZE], sig[AUDIT_SIGNATURE_SIZE];
        AuditBuilder b;
        AuditRecord r;
        uint64_t v64;
        uint32_t v32;

        memset(sig, 0xa5, sizeof(sig));
        audit_builder_init(&b, AUDIT_EVENT_CHECKPOINT);
        b.flags = AUDIT_FLAG_FINAL;
        audit_builder_add_u64(&b, AUDIT_TAG_REF, 0x0102030405060708ULL);
        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, zero, AUDIT_HASH_SIZE);
        audit_builder_add_bytes(&b, AUDIT_TAG_SIGNATURE, sig, sizeof(sig));
        audit_builder_add_u32(&b, AUDIT_TAG_UID, 0xdeadbeef);
        assert_int_equal(audit_builder_finish(&b, 1, 0, zero, hash), 0);
        assert_memory_equal(b.buf, "QGAr", 4);
        assert_int_equal(b.buf[4] << 8 | b.buf[5], b.size);
        assert_int_equal(b.buf[6], AUDIT_VERSION);
        assert_int_equal(b.buf[AUDIT_HEADER_SIZE], AUDIT_TAG_REF);
        assert_int_equal(b.buf[AUDIT_HEADER_SIZE + 1], 8);
        assert_int_equal(b.buf[AUDIT_HEADER_SIZE + 2], 0x01);
        assert_int_equal(audit_record_parse(b.buf, b.size, &r), AUDIT_PARSE_OK);
        assert_true(r.flags & AUDIT_FLAG_FINAL);
        assert_true(audit_record_get_u64(&r, AUDIT_TAG_REF, &v64));
        assert_true(v64 == 0x0102030405060708ULL);
        assert_true(audit_record_get_u32(&r, AUDIT_TAG_UID, &v32));
        assert_true(v32 == 0xdeadbeef);
        assert_non_null(audit_record_get_bytes(&r, AUDIT_TAG_SIGNATURE, AUDIT_SIGNATURE_SIZE));
        assert_null(audit_record_get_bytes(&r, AUDIT_TAG_SIGNATURE, 63));
}

static void builder_refuses_out_of_order_tags_and_oversize(void **state) {
        uint8_t hash[AUDIT_HASH_SIZE];
        char big[AUDIT_TEXT_MAX + 50];
        AuditBuilder b;

        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "x");
        audit_builder_add_str(&b, AUDIT_TAG_DOOR, "main"); /* lower tag after a higher one */
        assert_int_equal(audit_builder_finish(&b, 1, 0, zero, hash), -EINVAL);

        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "x");
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, "y"); /* twice */
        assert_int_equal(audit_builder_finish(&b, 1, 0, zero, hash), -EINVAL);

        /* Text longer than AUDIT_TEXT_MAX is cut, not refused. */
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        audit_builder_add_str(&b, AUDIT_TAG_TEXT, big);
        assert_int_equal(audit_builder_finish(&b, 1, 0, zero, hash), 0);
        assert_int_equal(b.size, AUDIT_HEADER_SIZE + 2 + AUDIT_TEXT_MAX + AUDIT_CRC_SIZE);

        /* Fields that would take the record past AUDIT_RECORD_MAX. */
        audit_builder_init(&b, AUDIT_EVENT_ALARM);
        for (int tag = AUDIT_TAG_DOOR; tag < _AUDIT_TAG_MAX; tag++)
                audit_builder_add_bytes(&b, (AuditTag) tag, big, AUDIT_TEXT_MAX);
        assert_int_equal(audit_builder_finish(&b, 1, 0, zero, hash), -E2BIG);
}

static void every_kind_of_bad_input_is_told_apart(void **state) {
        uint8_t hash[AUDIT_HASH_SIZE], buf[AUDIT_RECORD_MAX];
        AuditBuilder b;
        AuditRecord r;

        build_decision(&b, 3, zero, hash);
        /* Every prefix of a record is incomplete, never a record. */
        for (size_t n = 0; n < b.size; n++)
                assert_int_equal(audit_record_parse(b.buf, n, &r), AUDIT_PARSE_SHORT);
        /* Every single bit flipped is caught. */
        for (size_t bit = 0; bit < b.size * 8; bit++) {
                memcpy(buf, b.buf, b.size);
                buf[bit / 8] ^= (uint8_t) (1u << (bit % 8));
                AuditParse p = audit_record_parse(buf, b.size, &r);
                assert_int_not_equal(p, AUDIT_PARSE_OK);
                if (bit / 8 < 4)
                        assert_int_equal(p, AUDIT_PARSE_MAGIC);
                else if (bit / 8 >= 6)
                        assert_int_equal(p, AUDIT_PARSE_CRC);
        }
        /* A length beyond the limit. */
        memcpy(buf, b.buf, b.size);
        buf[4] = 0xff;
        assert_int_equal(audit_record_parse(buf, b.size, &r), AUDIT_PARSE_LENGTH);
        /* Zeros (what a power cut can leave). */
        memset(buf, 0, sizeof(buf));
        assert_int_equal(audit_record_parse(buf, sizeof(buf), &r), AUDIT_PARSE_MAGIC);
}

static void checkpoint_message_layout_is_fixed(void **state) {
        uint8_t hash[AUDIT_HASH_SIZE], msg[AUDIT_CHECKPOINT_MESSAGE_SIZE];
        size_t d = strlen(AUDIT_CHECKPOINT_DOMAIN);

        memset(hash, 0x11, sizeof(hash));
        audit_checkpoint_message(0x2a, hash, AUDIT_FLAG_FINAL, msg);
        assert_int_equal(sizeof(msg), d + 8 + 32 + 2);
        assert_memory_equal(msg, "qrgate-audit-checkpoint-v1", d);
        assert_int_equal(msg[d + 7], 0x2a);
        assert_memory_equal(msg + d + 8, hash, 32);
        assert_int_equal(msg[d + 41], AUDIT_FLAG_FINAL);
}

/* The daemon and `qrgatectl audit pseudonym` both build this input: an operator finds someone in
 * the log only if the bytes are exactly the documented ones (docs/audit.md, "Pseudonyms"). */
static void pseudonym_input_layout_is_fixed(void **state) {
        static const char want[] = "qrgate-subject-v1\0city\0raw-subject-4711";
        char longest[PSEUDONYM_TEXT_MAX + 1], too_long[PSEUDONYM_TEXT_MAX + 2];
        PseudonymInput in;

        assert_int_equal(pseudonym_input_build("city", "raw-subject-4711", &in), 0);
        assert_int_equal(in.size, sizeof(want) - 1);
        assert_memory_equal(in.data, want, in.size);

        memset(longest, 'p', sizeof(longest) - 1);
        longest[sizeof(longest) - 1] = '\0';
        memset(too_long, 'p', sizeof(too_long) - 1);
        too_long[sizeof(too_long) - 1] = '\0';
        assert_int_equal(pseudonym_input_build(longest, longest, &in), 0);
        assert_true(in.size <= sizeof(in.data));
        /* What no code can carry is refused, not cut to fit (which would merge people). */
        assert_int_equal(pseudonym_input_build("city", too_long, &in), -EINVAL);
        assert_int_equal(pseudonym_input_build(too_long, "p-1", &in), -EINVAL);
        assert_int_equal(pseudonym_input_build("city", "", &in), -EINVAL);
        assert_int_equal(pseudonym_input_build("", "p-1", &in), -EINVAL);

        pseudonym_input_erase(&in);
        assert_int_equal(in.size, 0);
}

static void file_names_sort_in_chain_order(void **state) {
        char name[AUDIT_FILE_NAME_MAX];
        uint64_t seq;

        audit_file_name(1, name);
        assert_string_equal(name, "audit-00000000000000000001.log");
        audit_file_name(UINT64_MAX, name);
        assert_true(audit_file_name_parse(name, &seq));
        assert_true(seq == UINT64_MAX);
        assert_false(audit_file_name_parse("audit-1.log", &seq));
        assert_false(audit_file_name_parse("audit-0000000000000000000x.log", &seq));
        assert_false(audit_file_name_parse("audit-00000000000000000001.log.torn", &seq));
        assert_false(audit_file_name_parse("audit-99999999999999999999.log", &seq)); /* > UINT64_MAX */
}

typedef struct Walk {
        unsigned records, damages;
        uint64_t last_seq;
        uint64_t damage_off[8];
        bool at_end[8], torn[8];
} Walk;

static int walk_record(void *userdata, const AuditRecord *r, uint64_t off) {
        Walk *w = userdata;
        w->records++;
        w->last_seq = r->seq;
        return 0;
}

static int walk_damage(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn) {
        Walk *w = userdata;
        if (w->damages < 8) {
                w->damage_off[w->damages] = off;
                w->at_end[w->damages] = at_end;
                w->torn[w->damages] = torn;
        }
        w->damages++;
        return 0;
}

static size_t build_chain(uint8_t *buf, unsigned n, size_t *offsets) {
        uint8_t prev[AUDIT_HASH_SIZE] = {};
        size_t size = 0;

        for (unsigned i = 0; i < n; i++) {
                AuditBuilder b;
                build_decision(&b, i + 1, prev, prev);
                if (offsets)
                        offsets[i] = size;
                memcpy(buf + size, b.buf, b.size);
                size += b.size;
        }
        return size;
}

static void scan_resynchronizes_after_damage_and_classifies_tails(void **state) {
        static const AuditScanOps ops = { .record = walk_record, .damage = walk_damage };
        uint8_t buf[64 * 1024];
        size_t offsets[10], size = build_chain(buf, 10, offsets);
        Walk w = {};
        AuditTail t;

        (void) audit_scan(buf, size, &ops, &w);
        assert_int_equal(w.records, 10);
        assert_int_equal(w.damages, 0);

        /* A flipped byte in record 4: 9 records, one damage in the middle, not torn. */
        buf[offsets[3] + 20] ^= 0x40;
        w = (Walk) {};
        (void) audit_scan(buf, size, &ops, &w);
        assert_int_equal(w.records, 9);
        assert_int_equal(w.damages, 1);
        assert_int_equal(w.damage_off[0], offsets[3]);
        assert_false(w.at_end[0]);
        audit_tail_scan(buf, size, &t);
        assert_int_equal(t.damage_off, offsets[3]);
        assert_false(t.torn);
        assert_int_equal(t.last_seq, 10);
        assert_int_equal(t.valid_end, offsets[3]);
        buf[offsets[3] + 20] ^= 0x40;

        /* Half a record at the end: torn. */
        audit_tail_scan(buf, offsets[9] + 30, &t);
        assert_true(t.torn);
        assert_int_equal(t.damage_off, UINT64_MAX);
        assert_int_equal(t.valid_end, offsets[9]);
        assert_int_equal(t.last_seq, 9);

        /* Zeros after the last record (a power cut after the file grew): torn, however long. */
        memset(buf + size, 0, 8192);
        audit_tail_scan(buf, size + 8192, &t);
        assert_true(t.torn);
        assert_int_equal(t.valid_end, size);
        assert_int_equal(t.last_seq, 10);

        /* Garbage longer than a record at the end: damage, not a tail to cut. */
        memset(buf + size, 0x5a, 4096);
        audit_tail_scan(buf, size + 4096, &t);
        assert_false(t.torn);
        assert_int_equal(t.damage_off, size);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(record_round_trips),
                cmocka_unit_test(integers_and_bytes_are_big_endian_and_exact),
                cmocka_unit_test(builder_refuses_out_of_order_tags_and_oversize),
                cmocka_unit_test(every_kind_of_bad_input_is_told_apart),
                cmocka_unit_test(checkpoint_message_layout_is_fixed),
                cmocka_unit_test(pseudonym_input_layout_is_fixed),
                cmocka_unit_test(file_names_sort_in_chain_order),
                cmocka_unit_test(scan_resynchronizes_after_damage_and_classifies_tails),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
