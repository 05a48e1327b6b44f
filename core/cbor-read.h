/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Reading CBOR (RFC 8949) in place. cbor_parse_bounded() (core/cbor-util.h) first checks the
 * bytes of a scanned code — well formed, definite lengths, bounded depth, valid UTF-8 — and then
 * hands out items that point into them. Nothing is copied or allocated: a code is read where
 * base45 and inflate left it, which keeps libcbor's per-item allocations off the verify path.
 * Every function still checks its bounds, so bytes that were never checked cannot make it read
 * outside them; they can only make it fail. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        CBOR_MAJOR_UINT,
        CBOR_MAJOR_NEGINT,
        CBOR_MAJOR_BYTES,
        CBOR_MAJOR_TEXT,
        CBOR_MAJOR_ARRAY,
        CBOR_MAJOR_MAP,
        CBOR_MAJOR_TAG,
        CBOR_MAJOR_SIMPLE, /* simple values and floats */
};

/* One item: its head, and the bytes it covers. Borrowed from the buffer it was read from. */
typedef struct CborItem {
        uint8_t major; /* CBOR_MAJOR_* */
        uint8_t info;  /* the head's additional information (for major 7: 20-23 simple, 25-27 float) */
        uint64_t arg;  /* integer value (for a negative integer n: -1 - n), length, count, tag number */
        const uint8_t *head; /* the item's first byte; NULL for "no item" (see cbor_map_lookup()) */
        const uint8_t *data; /* just after the head: a string's bytes, a container's first element,
                              * a tag's content */
        const uint8_t *end;  /* the end of the buffer it was read from */
} CborItem;

/* Reads the head at p (before end) into *ret. -EBADMSG when there is no whole head, or a
 * string's length runs past end. */
int cbor_item_read(const uint8_t *p, const uint8_t *end, CborItem *ret);

/* Where the item ends: after its head and content, after every element of a container, after a
 * tag's content. NULL when that lies past the buffer's end. */
const uint8_t *cbor_item_skip(const CborItem *item);

/* Reads the item that follows item (the next element of a container), or -EBADMSG. */
int cbor_item_next(const CborItem *item, CborItem *ret);

/* The first element of an array or map with at least one element, or -EBADMSG. */
int cbor_item_first(const CborItem *item, CborItem *ret);

static inline bool cbor_item_present(const CborItem *i) {
        return i->head != NULL;
}
static inline bool cbor_item_is_map(const CborItem *i) {
        return i->head && i->major == CBOR_MAJOR_MAP;
}
static inline bool cbor_item_is_array(const CborItem *i) {
        return i->head && i->major == CBOR_MAJOR_ARRAY;
}
static inline bool cbor_item_is_null(const CborItem *i) {
        return i->head && i->major == CBOR_MAJOR_SIMPLE && i->info == 22;
}

/* The accessors below fail on an item that is not cbor_item_present(). */

/* An unsigned or negative integer that fits int64_t; -EDOM for other types or values. */
int cbor_item_int64(const CborItem *item, int64_t *ret);
/* A half-, single- or double-precision float, as a double; -EDOM for other types. */
int cbor_item_float(const CborItem *item, double *ret);
/* A byte string's or text string's bytes; false for other types. */
bool cbor_item_bytes(const CborItem *item, const uint8_t **ret_data, size_t *ret_len);
bool cbor_item_text(const CborItem *item, const char **ret_data, size_t *ret_len);

/* Whether two map keys are the same key (RFC 8949 §5.6): integers of equal value whatever
 * their encoded width, strings of the same type and content, and anything else encoded alike. */
bool cbor_key_equal(const CborItem *a, const CborItem *b);

/* Looks up labels in a map: values[i] is the value for the integer key labels[i], or an item
 * that is not cbor_item_present() (labels and values may be NULL for n == 0). Returns
 * -EMEDIUMTYPE if map is not a map, -ENOTUNIQ if any key occurs twice, -EBADMSG for bytes that
 * are not well formed. *ret_size, if not NULL, is set to the map's number of entries. */
int cbor_map_lookup(const CborItem *map, const int64_t *labels, size_t n, CborItem *values, size_t *ret_size);

/* The same for text keys: values[i] is the value for the key keys[i]. */
int cbor_map_lookup_text(const CborItem *map, const char *const *keys, size_t n, CborItem *values, size_t *ret_size);

/* Returns -ENOTUNIQ if any map in item, however deep, has a key twice; -EBADMSG for bytes that
 * are not well formed; -ENOMEM. */
int cbor_maps_unique(const CborItem *item);
