/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store-and-forward queue's recovery (lending/lend-queue-internal.h): any bytes as a queue
 * file are read without crashing, either refused whole (a header that is not ours) or cut at
 * the first record that does not check. What is kept is consistent — ids increasing, no DONE
 * ones, every id and text within its bound — and reading the kept part again gives the same.
 * The first input byte chooses whether the CRCs are fixed up before reading: random bytes
 * almost never carry a right CRC-32, and without it the fields and the state changes behind
 * it would never be reached. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lending/lend-queue-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put_crc(uint8_t *p, size_t n) {
        uint32_t c = (uint32_t) crc32(0L, p, (uInt) n);

        for (size_t i = 0; i < 4; i++)
                p[n + i] = (uint8_t) (c >> (8 * i));
}

static void fix_crcs(uint8_t *buf, size_t size) {
        size_t pos = LQ_HEADER_SIZE;

        if (size < LQ_HEADER_SIZE)
                return;
        put_crc(buf, 16);
        while (size - pos >= LQ_FRAME_SIZE) {
                size_t len = buf[pos + 2] | (size_t) buf[pos + 3] << 8;

                if (len > size - pos - LQ_FRAME_SIZE)
                        break;
                put_crc(buf + pos, 4 + len);
                pos += LQ_FRAME_SIZE + len;
        }
}

static int check(const uint8_t *data, size_t size) {
        LendPending p = {}, again = {};
        size_t valid, valid2;
        uint64_t records, records2, last = 0;
        int r;

        r = lend_queue_recover(data, size, &p, &valid, &records);
        if (r < 0) {
                assert(r == -EBADMSG || r == -ENOMEM);
                return 0;
        }
        assert(valid >= LQ_HEADER_SIZE && valid <= size);
        assert(records <= (valid - LQ_HEADER_SIZE) / (LQ_FRAME_SIZE + 9));
        assert(p.count <= records);
        for (size_t i = p.head; i < p.n; i++) {
                const LendEntry *e = &p.entries[i];

                assert(e->id > last && e->id < p.next_id);
                last = e->id;
                if (e->state == LEND_DONE)
                        continue;
                assert(e->state == LEND_QUEUED || e->state == LEND_SENDING);
                assert(e->kind >= 0 && e->kind < _LEND_KIND_MAX);
                assert(strlen(e->patron) <= LEND_ID_MAX && strlen(e->station) <= LEND_ID_MAX);
                assert(strlen(e->item) >= 1 && strlen(e->item) <= LEND_ID_MAX);
        }

        r = lend_queue_recover(data, valid, &again, &valid2, &records2);
        assert(r == 0 && valid2 == valid && records2 == records && again.count == p.count);
        lq_pending_done(&again);
        lq_pending_done(&p);
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        uint8_t *copy;

        if (size < 1)
                return 0;
        if (!(data[0] & 1))
                return check(data + 1, size - 1);
        copy = malloc(size - 1 + 1);
        if (!copy)
                return 0;
        memcpy_safe(copy, data + 1, size - 1);
        fix_crcs(copy, size - 1);
        check(copy, size - 1);
        free(copy);
        return 0;
}
