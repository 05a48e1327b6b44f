/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The queue file's header and records, to and from bytes (layout in lend-queue-internal.h).
 * Decoding believes nothing: every length is checked against what is left, every enum against
 * its range, and the CRC before any field is read. */
#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "lending/lend-queue-internal.h"

static void put_le(uint8_t *p, uint64_t v, size_t n) {
        for (size_t i = 0; i < n; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = n; i > 0; i--)
                v = v << 8 | p[i - 1];
        return v;
}

static uint32_t crc(const uint8_t *p, size_t n) {
        return (uint32_t) crc32(0L, p, (uInt) n);
}

size_t lq_header_encode(uint8_t buf[static LQ_HEADER_SIZE], uint64_t next_id) {
        memcpy(buf, LQ_HEADER_MAGIC, 8);
        put_le(buf + 8, next_id, 8);
        put_le(buf + 16, crc(buf, 16), 4);
        return LQ_HEADER_SIZE;
}

int lq_header_decode(const uint8_t *buf, size_t size, uint64_t *ret_next_id) {
        if (size < LQ_HEADER_SIZE || memcmp(buf, LQ_HEADER_MAGIC, 8) != 0 || get_le(buf + 16, 4) != crc(buf, 16))
                return -EBADMSG;
        *ret_next_id = get_le(buf + 8, 8);
        return 0;
}

static size_t put_str(uint8_t *p, const char *s) {
        size_t n = strlen(s);

        p[0] = (uint8_t) n;
        memcpy_safe(p + 1, s, n);
        return 1 + n;
}

/* Frames the payload already at buf + 4 (n bytes): magic, length, CRC. */
static size_t frame(uint8_t *buf, size_t n) {
        buf[0] = LQ_RECORD_MAGIC0;
        buf[1] = LQ_RECORD_MAGIC1;
        put_le(buf + 2, n, 2);
        put_le(buf + 4 + n, crc(buf, 4 + n), 4);
        return LQ_FRAME_SIZE + n;
}

size_t lq_record_encode(uint8_t buf[static LQ_RECORD_MAX], const LendRecord *rec) {
        uint8_t *p = buf + 4;
        size_t n = 0;

        p[n++] = (uint8_t) rec->type;
        put_le(p + n, rec->id, 8);
        n += 8;
        switch (rec->type) {
        case LQ_RECORD_ADD:
                p[n++] = (uint8_t) rec->kind;
                put_le(p + n, (uint64_t) rec->time, 8);
                n += 8;
                n += put_str(p + n, rec->patron);
                n += put_str(p + n, rec->item);
                n += put_str(p + n, rec->station);
                break;
        case LQ_RECORD_SENDING:
                break;
        case LQ_RECORD_DONE:
                p[n++] = (uint8_t) rec->outcome;
                n += put_str(p + n, rec->text);
                break;
        }
        return frame(buf, n);
}

size_t lq_entry_encode(uint8_t buf[static LQ_RECORD_MAX], const LendEntry *e) {
        LendRecord rec = { .type = LQ_RECORD_ADD, .id = e->id, .kind = e->kind, .time = e->time };

        memcpy(rec.patron, e->patron, sizeof(rec.patron));
        memcpy(rec.item, e->item, sizeof(rec.item));
        memcpy(rec.station, e->station, sizeof(rec.station));
        return lq_record_encode(buf, &rec);
}

/* A length-prefixed string of at most max bytes, without NUL (the API hands out C strings). */
static int get_str(const uint8_t *p, size_t size, size_t *pos, size_t max, char *ret) {
        size_t n;

        if (*pos >= size)
                return -EBADMSG;
        n = p[(*pos)++];
        if (n > max || n > size - *pos || memchr(p + *pos, 0, n))
                return -EBADMSG;
        memcpy_safe(ret, p + *pos, n);
        ret[n] = '\0';
        *pos += n;
        return 0;
}

int lq_record_decode(const uint8_t *buf, size_t size, LendRecord *ret) {
        const uint8_t *p = buf + 4;
        size_t len, pos = 0;
        LendRecord rec = {};

        if (size < LQ_FRAME_SIZE || buf[0] != LQ_RECORD_MAGIC0 || buf[1] != LQ_RECORD_MAGIC1)
                return -EBADMSG;
        len = (size_t) get_le(buf + 2, 2);
        if (len < 9 || len > LQ_PAYLOAD_MAX || len > size - LQ_FRAME_SIZE)
                return -EBADMSG;
        if (get_le(p + len, 4) != crc(buf, 4 + len))
                return -EBADMSG;

        rec.type = p[pos++];
        rec.id = get_le(p + pos, 8);
        pos += 8;
        switch (rec.type) {
        case LQ_RECORD_ADD:
                if (len < pos + 9)
                        return -EBADMSG;
                rec.kind = p[pos++];
                if (rec.kind < 0 || rec.kind >= _LEND_KIND_MAX)
                        return -EBADMSG;
                rec.time = (int64_t) get_le(p + pos, 8);
                pos += 8;
                if (get_str(p, len, &pos, LEND_ID_MAX, rec.patron) < 0 ||
                    get_str(p, len, &pos, LEND_ID_MAX, rec.item) < 0 ||
                    get_str(p, len, &pos, LEND_ID_MAX, rec.station) < 0 || rec.item[0] == '\0')
                        return -EBADMSG;
                break;
        case LQ_RECORD_SENDING:
                break;
        case LQ_RECORD_DONE:
                if (len < pos + 1)
                        return -EBADMSG;
                rec.outcome = p[pos++];
                if (rec.outcome < 0 || rec.outcome >= _LEND_OUTCOME_MAX ||
                    get_str(p, len, &pos, LEND_TEXT_MAX, rec.text) < 0)
                        return -EBADMSG;
                break;
        default:
                return -EBADMSG;
        }
        /* Nothing may follow the fields: a record means exactly one thing. */
        if (pos != len)
                return -EBADMSG;
        *ret = rec;
        return (int) (LQ_FRAME_SIZE + len);
}
