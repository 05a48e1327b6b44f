/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "core/cbor-util.h"

int cbor_strip_tags(const uint8_t **buf, size_t *len, uint64_t tags[static CBOR_MAX_TAGS], size_t *ret_n) {
        size_t n = 0;
        CborItem it;

        for (;;) {
                if (cbor_item_read(*buf, *buf + *len, &it) < 0)
                        return -EBADMSG;
                if (it.major != CBOR_MAJOR_TAG)
                        break;
                if (n == CBOR_MAX_TAGS)
                        return -EBADMSG;
                tags[n++] = it.arg;
                *len -= (size_t) (it.data - *buf);
                *buf = it.data;
        }
        *ret_n = n;
        return 0;
}

/* What the streaming decoder reported for one head. */
typedef enum ItemKind { ITEM_LEAF, ITEM_ARRAY, ITEM_MAP, ITEM_TAG, ITEM_INDEFINITE, ITEM_BAD_TEXT } ItemKind;

typedef struct WalkItem {
        ItemKind kind;
        size_t count;
        uint64_t tag;
} WalkItem;

static void on_leaf(void *ctx) {
        ((WalkItem *) ctx)->kind = ITEM_LEAF;
}
static void on_u8(void *ctx, uint8_t v) {
        on_leaf(ctx);
}
static void on_u16(void *ctx, uint16_t v) {
        on_leaf(ctx);
}
static void on_u32(void *ctx, uint32_t v) {
        on_leaf(ctx);
}
static void on_u64(void *ctx, uint64_t v) {
        on_leaf(ctx);
}
static void on_string(void *ctx, cbor_data d, size_t n) {
        on_leaf(ctx);
}

/* RFC 3629 §4: well-formed UTF-8 — no overlong forms, no surrogates, nothing above U+10FFFF.
 * libcbor's tree builder refused other text strings; reading in place, we refuse them here. */
bool cbor_text_valid(const uint8_t *s, size_t n) {
        for (size_t i = 0; i < n;) {
                uint8_t c = s[i];
                size_t k;
                uint8_t lo = 0x80, hi = 0xbf;

                if (c < 0x80) {
                        i++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf)
                        k = 1;
                else if (c >= 0xe0 && c <= 0xef) {
                        k = 2;
                        if (c == 0xe0)
                                lo = 0xa0;
                        else if (c == 0xed)
                                hi = 0x9f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        k = 3;
                        if (c == 0xf0)
                                lo = 0x90;
                        else if (c == 0xf4)
                                hi = 0x8f;
                } else
                        return false;
                if (n - i <= k || s[i + 1] < lo || s[i + 1] > hi)
                        return false;
                for (size_t j = 2; j <= k; j++)
                        if (s[i + j] < 0x80 || s[i + j] > 0xbf)
                                return false;
                i += k + 1;
        }
        return true;
}

static void on_text(void *ctx, cbor_data d, size_t n) {
        ((WalkItem *) ctx)->kind = cbor_text_valid(d, n) ? ITEM_LEAF : ITEM_BAD_TEXT;
}

static void on_float(void *ctx, float f) {
        on_leaf(ctx);
}
static void on_double(void *ctx, double d) {
        on_leaf(ctx);
}
static void on_bool(void *ctx, bool b) {
        on_leaf(ctx);
}
static void on_indefinite(void *ctx) {
        ((WalkItem *) ctx)->kind = ITEM_INDEFINITE;
}
static void on_array(void *ctx, size_t n) {
        *(WalkItem *) ctx = (WalkItem) { .kind = ITEM_ARRAY, .count = n };
}
static void on_map(void *ctx, size_t n) {
        *(WalkItem *) ctx = (WalkItem) { .kind = ITEM_MAP, .count = n };
}
static void on_tag(void *ctx, uint64_t v) {
        *(WalkItem *) ctx = (WalkItem) { .kind = ITEM_TAG, .tag = v };
}

static const struct cbor_callbacks walk_callbacks = {
        .uint8 = on_u8, .uint16 = on_u16, .uint32 = on_u32, .uint64 = on_u64,
        .negint8 = on_u8, .negint16 = on_u16, .negint32 = on_u32, .negint64 = on_u64,
        .byte_string = on_string, .byte_string_start = on_indefinite,
        .string = on_text, .string_start = on_indefinite,
        .array_start = on_array, .indef_array_start = on_indefinite,
        .map_start = on_map, .indef_map_start = on_indefinite,
        .tag = on_tag,
        .float2 = on_float, .float4 = on_float, .float8 = on_double,
        .undefined = on_leaf, .null = on_leaf, .boolean = on_bool,
        .indef_break = on_indefinite,
};

/* The streaming pass: remaining[d] counts the items still expected at depth d. */
static int walk(const uint8_t *buf, size_t len, unsigned max_depth, size_t *ret_tags, const char **ret_why) {
        size_t remaining[CBOR_MAX_DEPTH + 2], tags = 0;
        unsigned depth = 1;
        size_t pos = 0;

        if (max_depth > CBOR_MAX_DEPTH)
                max_depth = CBOR_MAX_DEPTH;
        remaining[0] = 1;

        while (depth > 0) {
                WalkItem it = { .kind = ITEM_INDEFINITE };

                if (pos >= len) {
                        *ret_why = "CBOR ends in the middle of an item (truncated)";
                        return -EBADMSG;
                }
                struct cbor_decoder_result res = cbor_stream_decode(buf + pos, len - pos, &walk_callbacks, &it);
                if (res.status == CBOR_DECODER_NEDATA) {
                        *ret_why = "CBOR ends in the middle of an item (truncated, or a length larger than the data)";
                        return -EBADMSG;
                }
                if (res.status != CBOR_DECODER_FINISHED) {
                        *ret_why = "CBOR item not well formed (reserved or unassigned initial byte)";
                        return -EBADMSG;
                }
                pos += res.read;

                switch (it.kind) {
                case ITEM_INDEFINITE:
                        *ret_why = "indefinite-length CBOR item (not allowed in codes)";
                        return -EBADMSG;
                case ITEM_BAD_TEXT:
                        *ret_why = "CBOR text string is not valid UTF-8";
                        return -EBADMSG;
                case ITEM_TAG:
                        /* A tag prefixes the next item and takes no slot of its own. Tags 6–20
                         * are refused so that all libcbor versions agree (see the header). */
                        if (it.tag >= 6 && it.tag <= 20) {
                                *ret_why = "nested CBOR tag 6-20 (not allowed inside codes)";
                                return -EBADMSG;
                        }
                        tags++;
                        continue;
                case ITEM_ARRAY:
                case ITEM_MAP: {
                        /* Every element needs at least one byte, so a declared count larger than
                         * what is left is a lie meant to make the builder allocate. */
                        size_t left = len - pos;
                        if (it.count > left || (it.kind == ITEM_MAP && it.count > left / 2)) {
                                *ret_why = "CBOR array or map declares more elements than the data holds";
                                return -EBADMSG;
                        }
                        remaining[depth - 1]--;
                        if (it.count > 0) {
                                if (depth >= max_depth) {
                                        *ret_why = "CBOR nested too deeply";
                                        return -EBADMSG;
                                }
                                remaining[depth++] = it.kind == ITEM_MAP ? it.count * 2 : it.count;
                        }
                        break;
                }
                case ITEM_LEAF:
                        remaining[depth - 1]--;
                        break;
                }

                while (depth > 0 && remaining[depth - 1] == 0)
                        depth--;
        }

        if (pos != len) {
                *ret_why = "trailing bytes after the CBOR item";
                return -EBADMSG;
        }
        *ret_tags = tags;
        return 0;
}

int cbor_parse_bounded(const uint8_t *buf, size_t len, unsigned max_depth, CborItem *ret, size_t *ret_tags,
                       const char **ret_why) {
        const char *dummy;
        size_t tags = 0;
        int r;

        if (!ret_why)
                ret_why = &dummy;

        r = walk(buf, len, max_depth, &tags, ret_why);
        if (r < 0)
                return r;
        r = cbor_item_read(buf, buf + len, ret);
        if (r < 0)
                return *ret_why = "CBOR item not well formed", r; /* the walk passed it: never */
        if (ret_tags)
                *ret_tags = tags;
        return 0;
}

/* libcbor serializes an integer in the width it was built with; RFC 8949 §4.2.1's preferred
 * (shortest) encoding keeps codes small enough for a low QR version. */
cbor_item_t *cbor_build_int64(int64_t v) {
        bool neg = v < 0;
        uint64_t u = neg ? (uint64_t) (-1 - v) : (uint64_t) v;

        if (u <= UINT8_MAX)
                return neg ? cbor_build_negint8((uint8_t) u) : cbor_build_uint8((uint8_t) u);
        if (u <= UINT16_MAX)
                return neg ? cbor_build_negint16((uint16_t) u) : cbor_build_uint16((uint16_t) u);
        if (u <= UINT32_MAX)
                return neg ? cbor_build_negint32((uint32_t) u) : cbor_build_uint32((uint32_t) u);
        return neg ? cbor_build_negint64(u) : cbor_build_uint64(u);
}

size_t cbor_put_head(uint8_t *out, unsigned major, uint64_t arg) {
        unsigned m = major << 5;
        size_t n;

        if (arg < 24) {
                out[0] = m | arg;
                return 1;
        }
        if (arg <= 0xff)
                out[0] = m | 24, n = 1;
        else if (arg <= 0xffff)
                out[0] = m | 25, n = 2;
        else if (arg <= 0xffffffff)
                out[0] = m | 26, n = 4;
        else
                out[0] = m | 27, n = 8;
        for (size_t i = 0; i < n; i++)
                out[1 + i] = (uint8_t) (arg >> (8 * (n - 1 - i)));
        return 1 + n;
}
