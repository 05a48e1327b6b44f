/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* CBOR (RFC 8949) at the hostile edge. Everything a scanned code contains passes through
 * cbor_load_bounded() before libcbor builds a tree from it, so that a crafted code cannot make
 * us allocate by a length it declares, recurse deeply, or hide trailing bytes. */

#include <cbor.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

/* Deep enough for any COSE/CWT structure we read (COSE_Sign1 → header map → value is 3). */
#define CBOR_MAX_DEPTH 8
/* Tags in front of the top-level item that we accept and report (e.g. CWT 61 around COSE 18). */
#define CBOR_MAX_TAGS 2

static inline void cbor_decrefp(cbor_item_t **p) {
        if (*p)
                cbor_decref(p); /* libcbor's own decref takes the pointer's address and NULLs it */
}

/* Removes up to CBOR_MAX_TAGS tags from the front of *buf, storing their numbers in tags[] and
 * their count in *ret_n. We read these ourselves instead of leaving them to libcbor because
 * libcbor rejects the one-byte tags 6–20 — COSE_Sign1's tag 18 among them (libcbor issue 307;
 * measured in 0.8.0, bookworm, and still in 0.10.2, trixie) — and this way every version,
 * fixed or not, behaves alike. Returns -EBADMSG when the input ends
 * inside a tag or more tags follow. */
int cbor_strip_tags(const uint8_t **buf, size_t *len, uint64_t tags[static CBOR_MAX_TAGS], size_t *ret_n);

/* Decodes exactly one item from buf. Before libcbor sees the bytes, a streaming pass checks
 * that they are well formed, that no item is nested deeper than max_depth, that no array, map
 * or string declares more elements or bytes than remain in the input (so allocations are
 * bounded by the input length), that there are no indefinite lengths, no tags 6–20 (see above)
 * and no bytes after the item. On success returns 0 and *ret owns the tree (cbor_decref()).
 * On failure returns -EBADMSG (or -ENOMEM) and *ret_why says what was wrong. */
int cbor_load_bounded(const uint8_t *buf, size_t len, unsigned max_depth, cbor_item_t **ret, const char **ret_why);

/* Reads an unsigned or negative integer item into *ret. -EDOM for other types or values outside
 * int64_t. */
int cbor_get_int64(const cbor_item_t *item, int64_t *ret);

/* True for definite byte/text strings; their handle and length in *ret_data, *ret_len. */
bool cbor_get_bytes(const cbor_item_t *item, const uint8_t **ret_data, size_t *ret_len);
bool cbor_get_text(const cbor_item_t *item, const char **ret_data, size_t *ret_len);

/* Looks up integer labels in a map: values[i] is set to the value for labels[i] or NULL.
 * Returns -EMEDIUMTYPE if map is not a map, -ENOTUNIQ if any key (integer or text) occurs twice
 * (RFC 8949 §5.6: such a map is not valid, and COSE/CWT forbid it). Values are borrowed from
 * the map. */
int cbor_map_lookup(const cbor_item_t *map, const int64_t *labels, size_t n, cbor_item_t **values);

/* Builds an integer item of the right width and sign; NULL on allocation failure. */
cbor_item_t *cbor_build_int64(int64_t v);

/* Writes the head of an item of the given major type (0–7) and argument into out (room for 9
 * bytes); returns its length. */
size_t cbor_put_head(uint8_t *out, unsigned major, uint64_t arg);
