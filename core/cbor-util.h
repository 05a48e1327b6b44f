/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* CBOR (RFC 8949) at the hostile edge. Everything a scanned code contains passes through
 * cbor_parse_bounded() before any of it is read, so that a crafted code cannot make us read or
 * allocate by a length it declares, recurse deeply, or hide trailing bytes. libcbor's streaming
 * decoder judges well-formedness; its tree builder serves only the issuer side (encoding). */

#include <cbor.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cbor-read.h"
#include "core/macro.h"

/* Levels of nesting, the top-level item being level 1 (docs/code-format.md §2): deep enough for
 * any COSE/CWT structure we read (COSE_Sign1 → header map → value is 3). */
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

/* Checks that buf holds exactly one well-formed item and reads its head into *ret (core/cbor-read.h
 * reads the rest in place). The check is a streaming pass, made before anything is read: no
 * item is nested deeper than max_depth (the top-level item is level 1; at most CBOR_MAX_DEPTH),
 * no array, map or string declares more elements or bytes than remain in the input (so no
 * declared length can make a reader run or allocate beyond it), no indefinite lengths, no tags
 * 6-20 (see above), every text string is valid UTF-8, and no bytes follow the item.
 * *ret_tags (may be NULL) is set to the number of tags inside, for formats that allow none.
 * Returns 0, or -EBADMSG with *ret_why saying what was wrong. */
int cbor_parse_bounded(const uint8_t *buf, size_t len, unsigned max_depth, CborItem *ret, size_t *ret_tags,
                       const char **ret_why);

/* Whether n bytes are well-formed UTF-8 (RFC 3629 §4), as cbor_parse_bounded() requires of
 * every text string: for writers that must not produce what readers refuse. */
bool cbor_text_valid(const uint8_t *s, size_t n);

/* Builds an integer item of the right width and sign; NULL on allocation failure. */
cbor_item_t *cbor_build_int64(int64_t v);

/* Writes the head of an item of the given major type (0–7) and argument into out (room for 9
 * bytes); returns its length. */
size_t cbor_put_head(uint8_t *out, unsigned major, uint64_t arg);
