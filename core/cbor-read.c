/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cbor-read.h"
#include "core/macro.h"

int cbor_item_read(const uint8_t *p, const uint8_t *end, CborItem *ret) {
        if (!p || p >= end)
                return -EBADMSG;

        unsigned info = p[0] & 0x1f;
        size_t left = (size_t) (end - p) - 1, n;
        uint64_t arg = 0;

        if (info < 24)
                n = 0, arg = info;
        else if (info <= 27)
                n = (size_t) 1 << (info - 24);
        else
                return -EBADMSG; /* reserved, or an indefinite length: never in a checked code */
        if (left < n)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++)
                arg = arg << 8 | p[1 + i];

        *ret = (CborItem) { .major = p[0] >> 5, .info = (uint8_t) info, .arg = arg, .head = p, .data = p + 1 + n, .end = end };
        if ((ret->major == CBOR_MAJOR_BYTES || ret->major == CBOR_MAJOR_TEXT) && arg > left - n)
                return -EBADMSG;
        return 0;
}

const uint8_t *cbor_item_skip(const CborItem *item) {
        const uint8_t *p = item->data;
        CborItem it = *item;
        uint64_t pending = 1;

        if (!item->head)
                return NULL;

        /* An iterative walk: pending counts the items still to pass, so no input can make it
         * recurse. Each element takes at least one byte, so a count beyond what is left fails. */
        for (;;) {
                size_t left = (size_t) (item->end - p);

                pending--;
                switch (it.major) {
                case CBOR_MAJOR_BYTES:
                case CBOR_MAJOR_TEXT:
                        p += it.arg; /* cbor_item_read() checked it against the end */
                        break;
                case CBOR_MAJOR_ARRAY:
                case CBOR_MAJOR_MAP:
                        if (it.arg > left || (it.major == CBOR_MAJOR_MAP && it.arg > left / 2))
                                return NULL;
                        pending += it.major == CBOR_MAJOR_MAP ? 2 * it.arg : it.arg;
                        break;
                case CBOR_MAJOR_TAG:
                        pending++;
                        break;
                default:
                        break;
                }
                if (pending == 0)
                        return p;
                if (cbor_item_read(p, item->end, &it) < 0)
                        return NULL;
                p = it.data;
        }
}

int cbor_item_next(const CborItem *item, CborItem *ret) {
        return cbor_item_read(cbor_item_skip(item), item->end, ret);
}

int cbor_item_first(const CborItem *item, CborItem *ret) {
        if ((item->major != CBOR_MAJOR_ARRAY && item->major != CBOR_MAJOR_MAP) || item->arg == 0)
                return -EBADMSG;
        return cbor_item_read(item->data, item->end, ret);
}

int cbor_item_int64(const CborItem *item, int64_t *ret) {
        if (!item->head || (item->major != CBOR_MAJOR_UINT && item->major != CBOR_MAJOR_NEGINT) || item->arg > INT64_MAX)
                return -EDOM;
        /* A negative integer n is encoded as -1 - n. */
        *ret = item->major == CBOR_MAJOR_UINT ? (int64_t) item->arg : -1 - (int64_t) item->arg;
        return 0;
}

/* RFC 8949 Appendix D: a half-precision float, exactly as a double. */
static double half_to_double(uint16_t h) {
        unsigned exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
        double v;

        if (exp == 0)
                v = ldexp(mant, -24);
        else if (exp != 31)
                v = ldexp(mant + 1024, (int) exp - 25);
        else
                v = mant == 0 ? INFINITY : NAN;
        return h & 0x8000 ? -v : v;
}

int cbor_item_float(const CborItem *item, double *ret) {
        if (!item->head || item->major != CBOR_MAJOR_SIMPLE)
                return -EDOM;
        switch (item->info) {
        case 25:
                *ret = half_to_double((uint16_t) item->arg);
                return 0;
        case 26: {
                uint32_t bits = (uint32_t) item->arg;
                float f;
                memcpy(&f, &bits, sizeof(f));
                *ret = f;
                return 0;
        }
        case 27: {
                uint64_t bits = item->arg;
                memcpy(ret, &bits, sizeof(*ret));
                return 0;
        }
        default:
                return -EDOM;
        }
}

static bool item_string(const CborItem *item, unsigned major, const uint8_t **ret_data, size_t *ret_len) {
        if (!item->head || item->major != major)
                return false;
        *ret_data = item->data;
        *ret_len = (size_t) item->arg;
        return true;
}

bool cbor_item_bytes(const CborItem *item, const uint8_t **ret_data, size_t *ret_len) {
        return item_string(item, CBOR_MAJOR_BYTES, ret_data, ret_len);
}

bool cbor_item_text(const CborItem *item, const char **ret_data, size_t *ret_len) {
        return item_string(item, CBOR_MAJOR_TEXT, (const uint8_t **) ret_data, ret_len);
}

bool cbor_key_equal(const CborItem *a, const CborItem *b) {
        if (a->major != b->major)
                return false;
        switch (a->major) {
        case CBOR_MAJOR_UINT:
        case CBOR_MAJOR_NEGINT:
                return a->arg == b->arg;
        case CBOR_MAJOR_BYTES:
        case CBOR_MAJOR_TEXT:
                return a->arg == b->arg && memcmp(a->data, b->data, (size_t) a->arg) == 0;
        default: {
                const uint8_t *ea = cbor_item_skip(a), *eb = cbor_item_skip(b);
                return ea && eb && ea - a->head == eb - b->head && memcmp(a->head, b->head, (size_t) (ea - a->head)) == 0;
        }
        }
}

/* Keys of a map, read once. Small maps (all the maps a real code has) are compared pairwise
 * in place; larger ones are sorted first, so that no map a crafted code declares costs more
 * than n log n comparisons. */
#define SMALL_MAP 16

static int key_order(const CborItem *a, const CborItem *b) {
        if (a->major != b->major)
                return a->major < b->major ? -1 : 1;
        if (a->major <= CBOR_MAJOR_TEXT && a->arg != b->arg)
                return a->arg < b->arg ? -1 : 1;
        if (a->major <= CBOR_MAJOR_NEGINT)
                return 0;
        if (a->major <= CBOR_MAJOR_TEXT)
                return memcmp(a->data, b->data, (size_t) a->arg);
        /* Other keys by their encoding; the caller made sure that each has an end. */
        size_t la = (size_t) (cbor_item_skip(a) - a->head), lb = (size_t) (cbor_item_skip(b) - b->head);
        if (la != lb)
                return la < lb ? -1 : 1;
        return memcmp(a->head, b->head, la);
}

static int cmp_keys(const void *x, const void *y) {
        return key_order(x, y);
}

static int keys_unique(const CborItem *keys, size_t n) {
        _cleanup_(freep) CborItem *sorted = NULL;

        if (n <= SMALL_MAP) {
                for (size_t i = 1; i < n; i++)
                        for (size_t k = 0; k < i; k++)
                                if (cbor_key_equal(&keys[i], &keys[k]))
                                        return -ENOTUNIQ;
                return 0;
        }
        sorted = malloc(n * sizeof(CborItem));
        if (!sorted)
                return -ENOMEM;
        memcpy(sorted, keys, n * sizeof(CborItem));
        qsort(sorted, n, sizeof(CborItem), cmp_keys);
        for (size_t i = 1; i < n; i++)
                if (key_order(&sorted[i - 1], &sorted[i]) == 0)
                        return -ENOTUNIQ;
        return 0;
}

/* Which of the n wanted keys key is: its index, or n. */
typedef size_t (*KeyMatch)(const CborItem *key, const void *wanted, size_t n);

static size_t match_label(const CborItem *key, const void *wanted, size_t n) {
        const int64_t *labels = wanted;
        int64_t label;
        size_t j = n;

        if (cbor_item_int64(key, &label) == 0)
                for (j = 0; j < n && labels[j] != label; j++)
                        ;
        return j;
}

static size_t match_text(const CborItem *key, const void *wanted, size_t n) {
        const char *const *texts = wanted, *s;
        size_t j = n, len;

        if (cbor_item_text(key, &s, &len))
                for (j = 0; j < n && !(strlen(texts[j]) == len && memcmp(texts[j], s, len) == 0); j++)
                        ;
        return j;
}

/* One pass over a map: each key is read once, matched against the wanted ones, and kept for
 * the duplicate check. */
static int map_scan(const CborItem *map, KeyMatch match, const void *wanted, size_t n, CborItem *values, size_t *ret_size) {
        _cleanup_(freep) CborItem *heap = NULL;
        CborItem small[SMALL_MAP], *keys = small, key, value;
        size_t size;
        int r;

        if (!map->head || map->major != CBOR_MAJOR_MAP)
                return -EMEDIUMTYPE;
        size = (size_t) map->arg;
        if (map->arg > (uint64_t) (map->end - map->data) / 2)
                return -EBADMSG;
        if (size > SMALL_MAP) {
                keys = heap = malloc(size * sizeof(CborItem));
                if (!heap)
                        return -ENOMEM;
        }
        for (size_t j = 0; j < n; j++)
                values[j] = (CborItem) {};

        const uint8_t *p = map->data;
        for (size_t i = 0; i < size; i++) {
                if (cbor_item_read(p, map->end, &key) < 0 || cbor_item_next(&key, &value) < 0)
                        return -EBADMSG;
                p = cbor_item_skip(&value);
                if (!p)
                        return -EBADMSG;
                keys[i] = key;
                size_t j = match(&key, wanted, n);
                if (j < n)
                        values[j] = value;
        }
        r = keys_unique(keys, size);
        if (r < 0)
                return r;
        if (ret_size)
                *ret_size = size;
        return 0;
}

int cbor_map_lookup(const CborItem *map, const int64_t *labels, size_t n, CborItem *values, size_t *ret_size) {
        return map_scan(map, match_label, labels, n, values, ret_size);
}

int cbor_map_lookup_text(const CborItem *map, const char *const *keys, size_t n, CborItem *values, size_t *ret_size) {
        return map_scan(map, match_text, keys, n, values, ret_size);
}

int cbor_maps_unique(const CborItem *item) {
        CborItem it = *item;
        uint64_t pending = 1;
        int r;

        /* Every item in turn, as cbor_item_skip() passes them; each map's keys are checked when
         * the walk reaches its head. */
        for (;;) {
                if (it.major == CBOR_MAJOR_MAP) {
                        r = cbor_map_lookup(&it, NULL, 0, NULL, NULL);
                        if (r < 0)
                                return r;
                }
                pending--;
                if ((it.major == CBOR_MAJOR_ARRAY || it.major == CBOR_MAJOR_MAP) && it.arg > (uint64_t) (it.end - it.data))
                        return -EBADMSG;
                if (it.major == CBOR_MAJOR_ARRAY || it.major == CBOR_MAJOR_MAP)
                        pending += it.major == CBOR_MAJOR_MAP ? 2 * it.arg : it.arg;
                else if (it.major == CBOR_MAJOR_TAG)
                        pending++;
                if (pending == 0)
                        return 0;
                const uint8_t *next = it.major == CBOR_MAJOR_BYTES || it.major == CBOR_MAJOR_TEXT ? it.data + it.arg : it.data;
                if (cbor_item_read(next, it.end, &it) < 0)
                        return -EBADMSG;
        }
}
