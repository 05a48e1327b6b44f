/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <openssl/sha.h>
#include <string.h>
#include <zlib.h>

#include "audit/audit-record.h"
#include "core/string-table.h"

static const struct {
        const char *name;
        AuditFieldType type;
} tags[_AUDIT_TAG_MAX] = {
        [AUDIT_TAG_DOOR] = { "door", AUDIT_FIELD_STR },
        [AUDIT_TAG_DECISION] = { "decision", AUDIT_FIELD_U8 },
        [AUDIT_TAG_REASON] = { "reason", AUDIT_FIELD_STR },
        [AUDIT_TAG_FORMAT] = { "format", AUDIT_FIELD_STR },
        [AUDIT_TAG_ORIGIN] = { "origin", AUDIT_FIELD_STR },
        [AUDIT_TAG_SUBJECT] = { "subject", AUDIT_FIELD_U8 },
        [AUDIT_TAG_PSEUDONYM] = { "pseudonym", AUDIT_FIELD_BYTES },
        [AUDIT_TAG_REF] = { "ref", AUDIT_FIELD_U64 },
        [AUDIT_TAG_HASH] = { "digest", AUDIT_FIELD_BYTES },
        [AUDIT_TAG_SIGNATURE] = { "signature", AUDIT_FIELD_BYTES },
        [AUDIT_TAG_PUBKEY] = { "pubkey", AUDIT_FIELD_BYTES },
        [AUDIT_TAG_DURATION_MS] = { "duration_ms", AUDIT_FIELD_U32 },
        [AUDIT_TAG_UID] = { "uid", AUDIT_FIELD_U32 },
        [AUDIT_TAG_TEXT] = { "text", AUDIT_FIELD_STR },
        [AUDIT_TAG_STATE] = { "state", AUDIT_FIELD_STR },
        [AUDIT_TAG_COUNT] = { "count", AUDIT_FIELD_U64 },
        [AUDIT_TAG_VERSION] = { "version", AUDIT_FIELD_STR },
        [AUDIT_TAG_FILE] = { "file", AUDIT_FIELD_STR },
        [AUDIT_TAG_KIND] = { "kind", AUDIT_FIELD_STR },
        [AUDIT_TAG_OFFSET] = { "offset", AUDIT_FIELD_U64 },
        [AUDIT_TAG_PRESENTER] = { "presenter", AUDIT_FIELD_U8 },
        [AUDIT_TAG_PRESENTER_PSEUDONYM] = { "presenter_pseudonym", AUDIT_FIELD_BYTES },
        [AUDIT_TAG_AREA] = { "area", AUDIT_FIELD_STR },
        [AUDIT_TAG_ITEM] = { "item", AUDIT_FIELD_STR },
};

static const char *const audit_event_table[_AUDIT_EVENT_MAX] = {
        [AUDIT_EVENT_START] = "start",         [AUDIT_EVENT_STOP] = "stop",
        [AUDIT_EVENT_DECISION] = "decision",   [AUDIT_EVENT_PSEUDONYM] = "pseudonym",
        [AUDIT_EVENT_UNLOCK] = "unlock",       [AUDIT_EVENT_ALARM] = "alarm",
        [AUDIT_EVENT_RELOAD] = "reload",       [AUDIT_EVENT_TOKEN] = "token",
        [AUDIT_EVENT_CHECKPOINT] = "checkpoint", [AUDIT_EVENT_RECOVERY] = "recovery",
        [AUDIT_EVENT_RETIRE] = "retire",       [AUDIT_EVENT_LOST] = "lost",
        [AUDIT_EVENT_OCCUPANCY] = "occupancy", [AUDIT_EVENT_LEND] = "lend",
};

static const char *const audit_subject_table[_AUDIT_SUBJECT_MAX] = {
        [AUDIT_SUBJECT_NONE] = "none",
        [AUDIT_SUBJECT_PENDING] = "pending",
        [AUDIT_SUBJECT_UNAVAILABLE] = "unavailable",
        [AUDIT_SUBJECT_PRESENT] = "present",
};

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(audit_event, AuditEvent);

const char *audit_tag_to_string(AuditTag t) {
        return t > 0 && t < _AUDIT_TAG_MAX ? tags[t].name : NULL;
}

AuditFieldType audit_tag_type(AuditTag t) {
        return t > 0 && t < _AUDIT_TAG_MAX ? tags[t].type : AUDIT_FIELD_BYTES;
}

DEFINE_STRING_TABLE_LOOKUP_TO_STRING(audit_subject, AuditSubject);

static void put_be(uint8_t *p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * (n - 1 - i)));
}

static uint64_t get_be(const uint8_t *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

void audit_hash(const void *p, size_t n, uint8_t ret[static AUDIT_HASH_SIZE]) {
        (void) SHA256(p, n, ret);
}

void audit_builder_init(AuditBuilder *b, AuditEvent event) {
        b->size = AUDIT_HEADER_SIZE;
        b->event = event;
        b->flags = 0;
        b->last_tag = 0;
        b->error = 0;
}

static uint8_t *builder_field(AuditBuilder *b, AuditTag tag, size_t n) {
        uint8_t *p;

        if (b->error)
                return NULL;
        if ((int) tag <= b->last_tag || tag >= _AUDIT_TAG_MAX || n > UINT8_MAX) {
                b->error = -EINVAL;
                return NULL;
        }
        if (b->size + 2 + n + AUDIT_CRC_SIZE > AUDIT_RECORD_MAX) {
                b->error = -E2BIG;
                return NULL;
        }
        p = b->buf + b->size;
        p[0] = (uint8_t) tag;
        p[1] = (uint8_t) n;
        b->size += 2 + n;
        b->last_tag = (int) tag;
        return p + 2;
}

void audit_builder_add_str(AuditBuilder *b, AuditTag tag, const char *s) {
        size_t n = strnlen(s ?: "", AUDIT_TEXT_MAX);
        uint8_t *p = builder_field(b, tag, n);
        if (p)
                memcpy_safe(p, s, n);
}

void audit_builder_add_u8(AuditBuilder *b, AuditTag tag, uint8_t v) {
        uint8_t *p = builder_field(b, tag, 1);
        if (p)
                p[0] = v;
}

void audit_builder_add_u32(AuditBuilder *b, AuditTag tag, uint32_t v) {
        uint8_t *p = builder_field(b, tag, 4);
        if (p)
                put_be(p, v, 4);
}

void audit_builder_add_u64(AuditBuilder *b, AuditTag tag, uint64_t v) {
        uint8_t *p = builder_field(b, tag, 8);
        if (p)
                put_be(p, v, 8);
}

void audit_builder_add_bytes(AuditBuilder *b, AuditTag tag, const void *v, size_t n) {
        uint8_t *p = builder_field(b, tag, n);
        if (p)
                memcpy_safe(p, v, n);
}

int audit_builder_finish(AuditBuilder *b, uint64_t seq, int64_t time_usec, const uint8_t prev[static AUDIT_HASH_SIZE],
                         uint8_t ret_hash[static AUDIT_HASH_SIZE]) {
        uint8_t *p = b->buf;

        if (b->error)
                return b->error;
        assert(b->event > 0 && b->event < _AUDIT_EVENT_MAX);
        b->size += AUDIT_CRC_SIZE;
        memcpy(p, AUDIT_MAGIC, 4);
        put_be(p + 4, b->size, 2);
        p[6] = AUDIT_VERSION;
        p[7] = (uint8_t) b->event;
        put_be(p + 8, seq, 8);
        put_be(p + 16, (uint64_t) time_usec, 8);
        put_be(p + 24, b->flags, 2);
        memcpy(p + 26, prev, AUDIT_HASH_SIZE);
        put_be(p + b->size - AUDIT_CRC_SIZE, crc32(0L, p, (uInt) (b->size - AUDIT_CRC_SIZE)), 4);
        audit_hash(p, b->size, ret_hash);
        return 0;
}

static bool field_size_ok(AuditTag tag, size_t n) {
        switch (tag) {
        case AUDIT_TAG_PSEUDONYM:
        case AUDIT_TAG_HASH:
                return n == AUDIT_HASH_SIZE;
        case AUDIT_TAG_SIGNATURE:
                return n == AUDIT_SIGNATURE_SIZE;
        default:
                break;
        }
        switch (tags[tag].type) {
        case AUDIT_FIELD_U8:
                return n == 1;
        case AUDIT_FIELD_U32:
                return n == 4;
        case AUDIT_FIELD_U64:
                return n == 8;
        case AUDIT_FIELD_STR:
                /* Text is stored without NUL; an embedded NUL would make two readers disagree. */
                return true;
        case AUDIT_FIELD_BYTES:
                return n > 0;
        }
        return false;
}

AuditParse audit_record_parse(const uint8_t *p, size_t size, AuditRecord *ret) {
        size_t len, off;
        int last = 0;

        if (size < 6)
                return size == 0 || memcmp(p, AUDIT_MAGIC, MIN(size, (size_t) 4)) == 0 ? AUDIT_PARSE_SHORT : AUDIT_PARSE_MAGIC;
        if (memcmp(p, AUDIT_MAGIC, 4) != 0)
                return AUDIT_PARSE_MAGIC;
        len = (size_t) get_be(p + 4, 2);
        if (len < AUDIT_RECORD_MIN || len > AUDIT_RECORD_MAX)
                return AUDIT_PARSE_LENGTH;
        if (len > size)
                return AUDIT_PARSE_SHORT;
        if (crc32(0L, p, (uInt) (len - AUDIT_CRC_SIZE)) != get_be(p + len - AUDIT_CRC_SIZE, 4))
                return AUDIT_PARSE_CRC;

        *ret = (AuditRecord) {
                .data = p,
                .size = len,
                .event = p[7],
                .seq = get_be(p + 8, 8),
                .time_usec = (int64_t) get_be(p + 16, 8),
                .flags = (uint16_t) get_be(p + 24, 2),
                .prev = p + 26,
        };
        if (p[6] != AUDIT_VERSION || !audit_event_to_string(ret->event) || (ret->flags & ~_AUDIT_FLAGS_KNOWN) ||
            ret->seq == 0)
                return AUDIT_PARSE_STRUCTURE;
        for (off = AUDIT_HEADER_SIZE; off < len - AUDIT_CRC_SIZE;) {
                uint8_t tag, n;

                if (off + 2 > len - AUDIT_CRC_SIZE)
                        return AUDIT_PARSE_STRUCTURE;
                tag = p[off];
                n = p[off + 1];
                if (tag <= last || tag >= _AUDIT_TAG_MAX || off + 2 + n > len - AUDIT_CRC_SIZE ||
                    ret->n_fields >= AUDIT_FIELDS_MAX || !field_size_ok(tag, n))
                        return AUDIT_PARSE_STRUCTURE;
                if (tags[tag].type == AUDIT_FIELD_STR && memchr(p + off + 2, 0, n))
                        return AUDIT_PARSE_STRUCTURE;
                ret->fields[ret->n_fields++] = (AuditField) { .tag = tag, .size = n, .value = p + off + 2 };
                last = tag;
                off += 2 + (size_t) n;
        }
        return AUDIT_PARSE_OK;
}

static const char *const audit_parse_table[] = {
        [AUDIT_PARSE_OK] = "ok",
        [AUDIT_PARSE_SHORT] = "incomplete record",
        [AUDIT_PARSE_MAGIC] = "no record starts here",
        [AUDIT_PARSE_LENGTH] = "record length out of range",
        [AUDIT_PARSE_CRC] = "CRC mismatch",
        [AUDIT_PARSE_STRUCTURE] = "invalid record contents",
};

/* Said in verify's and export's messages: never NULL. */
const char *audit_parse_to_string(AuditParse p) {
        return string_table_lookup_to_string(audit_parse_table, ELEMENTSOF(audit_parse_table), p) ?: "?";
}

void audit_record_hash(const AuditRecord *r, uint8_t ret[static AUDIT_HASH_SIZE]) {
        audit_hash(r->data, r->size, ret);
}

const AuditField *audit_record_field(const AuditRecord *r, AuditTag tag) {
        for (size_t i = 0; i < r->n_fields; i++)
                if (r->fields[i].tag == tag)
                        return &r->fields[i];
        return NULL;
}

bool audit_record_get_u64(const AuditRecord *r, AuditTag tag, uint64_t *ret) {
        const AuditField *f = audit_record_field(r, tag);
        if (!f || f->size != 8)
                return false;
        *ret = get_be(f->value, 8);
        return true;
}

bool audit_record_get_u32(const AuditRecord *r, AuditTag tag, uint32_t *ret) {
        const AuditField *f = audit_record_field(r, tag);
        if (!f || f->size != 4)
                return false;
        *ret = (uint32_t) get_be(f->value, 4);
        return true;
}

bool audit_record_get_u8(const AuditRecord *r, AuditTag tag, uint8_t *ret) {
        const AuditField *f = audit_record_field(r, tag);
        if (!f || f->size != 1)
                return false;
        *ret = f->value[0];
        return true;
}

bool audit_record_get_str(const AuditRecord *r, AuditTag tag, char buf[static AUDIT_TEXT_MAX + 1]) {
        const AuditField *f = audit_record_field(r, tag);
        if (!f) {
                buf[0] = 0;
                return false;
        }
        memcpy_safe(buf, f->value, f->size);
        buf[f->size] = 0;
        return true;
}

const uint8_t *audit_record_get_bytes(const AuditRecord *r, AuditTag tag, size_t size) {
        const AuditField *f = audit_record_field(r, tag);
        return f && f->size == size ? f->value : NULL;
}

void audit_checkpoint_message(uint64_t seq, const uint8_t hash[static AUDIT_HASH_SIZE], uint16_t flags,
                              uint8_t ret[static AUDIT_CHECKPOINT_MESSAGE_SIZE]) {
        size_t n = sizeof(AUDIT_CHECKPOINT_DOMAIN) - 1;

        memcpy(ret, AUDIT_CHECKPOINT_DOMAIN, n);
        put_be(ret + n, seq, 8);
        memcpy(ret + n + 8, hash, AUDIT_HASH_SIZE);
        put_be(ret + n + 8 + AUDIT_HASH_SIZE, flags, 2);
}
