/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The transactions not DONE, in append order, and the replay of a file's records onto them.
 * The replay is also the file's second check after the CRC: a record that cannot follow the
 * ones before it (an id used twice, a state change for a transaction that is not pending) is
 * treated like a bad CRC, as the start of the torn tail. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lending/lend-queue-internal.h"

void lq_pending_done(LendPending *p) {
        free(p->entries);
        *p = (LendPending) {};
}

LendEntry *lq_pending_find(LendPending *p, uint64_t id) {
        /* Ids increase along the array: a binary search over [head, n), DONE holes included. */
        size_t lo = p->head, hi = p->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (p->entries[mid].id < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < p->n && p->entries[lo].id == id && p->entries[lo].state != LEND_DONE)
                return &p->entries[lo];
        return NULL;
}

int lq_pending_reserve(LendPending *p) {
        if (p->head > 0 && p->n == p->allocated) {
                /* Reuse the room of the DONE ones at the front before growing. */
                memmove(p->entries, p->entries + p->head, (p->n - p->head) * sizeof(LendEntry));
                p->n -= p->head;
                p->head = 0;
        }
        if (p->n == p->allocated) {
                size_t k = MAX(p->allocated * 2, (size_t) 16);
                LendEntry *a = reallocarray(p->entries, k, sizeof(LendEntry));
                if (!a)
                        return -ENOMEM;
                p->entries = a;
                p->allocated = k;
        }
        return 0;
}

int lq_pending_add(LendPending *p, const LendEntry *e) {
        int r;

        /* Ids only grow: in the file (an ADD after a compaction's copies has one above the
         * header's next id, the copies below it) and from the header's next id on when
         * appending. */
        if (e->id <= p->last_id || e->id == UINT64_MAX)
                return -EBADMSG;
        r = lq_pending_reserve(p);
        if (r < 0)
                return r;
        p->entries[p->n++] = *e;
        p->count++;
        p->last_id = e->id;
        p->next_id = MAX(p->next_id, e->id + 1);
        return 0;
}

void lq_pending_squeeze(LendPending *p) {
        size_t k = 0;

        for (size_t i = p->head; i < p->n; i++)
                if (p->entries[i].state != LEND_DONE) {
                        if (k != i) /* a struct copy onto itself is an overlapping memcpy() */
                                p->entries[k] = p->entries[i];
                        k++;
                }
        p->head = 0;
        p->n = k;
}

void lq_pending_remove(LendPending *p, LendEntry *e) {
        /* Marked, not moved: the array stays sorted for the search. The front is trimmed now,
         * holes further in when lq_pending_add() needs the room or at compaction. */
        e->state = LEND_DONE;
        p->count--;
        while (p->head < p->n && p->entries[p->head].state == LEND_DONE)
                p->head++;
        if (p->head == p->n)
                p->head = p->n = 0;
}

int lq_pending_apply(LendPending *p, const LendRecord *rec) {
        LendEntry *e;

        switch (rec->type) {
        case LQ_RECORD_ADD: {
                LendEntry n = { .id = rec->id, .kind = rec->kind, .state = LEND_QUEUED, .time = rec->time };
                memcpy(n.patron, rec->patron, sizeof(n.patron));
                memcpy(n.item, rec->item, sizeof(n.item));
                memcpy(n.station, rec->station, sizeof(n.station));
                return lq_pending_add(p, &n);
        }
        case LQ_RECORD_SENDING:
                e = lq_pending_find(p, rec->id);
                if (!e)
                        return -EBADMSG;
                e->state = LEND_SENDING;
                return 0;
        case LQ_RECORD_DONE:
                e = lq_pending_find(p, rec->id);
                if (!e)
                        return -EBADMSG;
                lq_pending_remove(p, e);
                return 0;
        }
        return -EBADMSG;
}

int lend_queue_recover(const uint8_t *buf, size_t size, LendPending *ret, size_t *ret_valid, uint64_t *ret_records) {
        LendPending p = {};
        uint64_t records = 0;
        size_t pos;
        int r;

        r = lq_header_decode(buf, size, &p.next_id);
        if (r < 0)
                return r;
        for (pos = LQ_HEADER_SIZE; pos < size;) {
                LendRecord rec;

                int len = lq_record_decode(buf + pos, size - pos, &rec);

                if (len < 0)
                        break;
                r = lq_pending_apply(&p, &rec);
                if (r == -ENOMEM) {
                        lq_pending_done(&p);
                        return r;
                }
                if (r < 0)
                        break;
                pos += (size_t) len;
                records++;
        }
        *ret = p;
        *ret_valid = pos;
        *ret_records = records;
        return 0;
}
