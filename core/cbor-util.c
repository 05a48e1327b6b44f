/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "core/cbor-util.h"

enum { CBOR_MAJOR_TAG = 6 };

/* Reads the argument of the head at buf (RFC 8949 §3): returns the head's length, 0 when the
 * input is too short or the additional information is reserved/indefinite. */
static size_t read_head(const uint8_t *buf, size_t len, unsigned *ret_major, uint64_t *ret_arg) {
        if (len < 1)
                return 0;
        unsigned ai = buf[0] & 0x1f;
        size_t n = ai < 24 ? 0 : ai == 24 ? 1 : ai == 25 ? 2 : ai == 26 ? 4 : ai == 27 ? 8 : SIZE_MAX;
        if (n == SIZE_MAX || len < 1 + n)
                return 0;
        uint64_t v = ai < 24 ? ai : 0;
        for (size_t i = 0; i < n; i++)
                v = v << 8 | buf[1 + i];
        *ret_major = buf[0] >> 5;
        *ret_arg = v;
        return 1 + n;
}

int cbor_strip_tags(const uint8_t **buf, size_t *len, uint64_t tags[static CBOR_MAX_TAGS], size_t *ret_n) {
        size_t n = 0;

        for (;;) {
                unsigned major;
                uint64_t arg;
                size_t h = read_head(*buf, *len, &major, &arg);

                if (h == 0)
                        return -EBADMSG;
                if (major != CBOR_MAJOR_TAG)
                        break;
                if (n == CBOR_MAX_TAGS)
                        return -EBADMSG;
                tags[n++] = arg;
                *buf += h;
                *len -= h;
        }
        *ret_n = n;
        return 0;
}

/* What the streaming decoder reported for one head. */
typedef enum ItemKind { ITEM_LEAF, ITEM_ARRAY, ITEM_MAP, ITEM_TAG, ITEM_INDEFINITE } ItemKind;

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
        .string = on_string, .string_start = on_indefinite,
        .array_start = on_array, .indef_array_start = on_indefinite,
        .map_start = on_map, .indef_map_start = on_indefinite,
        .tag = on_tag,
        .float2 = on_float, .float4 = on_float, .float8 = on_double,
        .undefined = on_leaf, .null = on_leaf, .boolean = on_bool,
        .indef_break = on_indefinite,
};

/* The streaming pass: remaining[d] counts the items still expected at depth d. */
static int walk(const uint8_t *buf, size_t len, unsigned max_depth, const char **ret_why) {
        size_t remaining[CBOR_MAX_DEPTH + 2];
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
                case ITEM_TAG:
                        /* A tag prefixes the next item and takes no slot of its own. Tags 6–20
                         * are refused so that all libcbor versions agree (see the header). */
                        if (it.tag >= 6 && it.tag <= 20) {
                                *ret_why = "nested CBOR tag 6-20 (not allowed inside codes)";
                                return -EBADMSG;
                        }
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
        return 0;
}

int cbor_load_bounded(const uint8_t *buf, size_t len, unsigned max_depth, cbor_item_t **ret, const char **ret_why) {
        struct cbor_load_result res;
        const char *dummy;
        int r;

        if (!ret_why)
                ret_why = &dummy;

        r = walk(buf, len, max_depth, ret_why);
        if (r < 0)
                return r;

        cbor_item_t *item = cbor_load(buf, len, &res);
        if (!item) {
                *ret_why = res.error.code == CBOR_ERR_MEMERROR ? "out of memory" : "CBOR rejected by libcbor (a text string that is not UTF-8?)";
                return res.error.code == CBOR_ERR_MEMERROR ? -ENOMEM : -EBADMSG;
        }
        *ret = item;
        return 0;
}

int cbor_get_int64(const cbor_item_t *item, int64_t *ret) {
        uint64_t v;

        if (cbor_isa_uint(item)) {
                v = cbor_get_int(item);
                if (v > INT64_MAX)
                        return -EDOM;
                *ret = (int64_t) v;
                return 0;
        }
        if (cbor_isa_negint(item)) {
                /* A negative integer n is stored as -1 - n. */
                v = cbor_get_int(item);
                if (v > INT64_MAX)
                        return -EDOM;
                *ret = -1 - (int64_t) v;
                return 0;
        }
        return -EDOM;
}

bool cbor_get_bytes(const cbor_item_t *item, const uint8_t **ret_data, size_t *ret_len) {
        if (!cbor_isa_bytestring(item) || !cbor_bytestring_is_definite(item))
                return false;
        *ret_data = cbor_bytestring_handle(item);
        *ret_len = cbor_bytestring_length(item);
        return true;
}

bool cbor_get_text(const cbor_item_t *item, const char **ret_data, size_t *ret_len) {
        if (!cbor_isa_string(item) || !cbor_string_is_definite(item))
                return false;
        *ret_data = (const char *) cbor_string_handle(item);
        *ret_len = cbor_string_length(item);
        return true;
}

static bool keys_equal(const cbor_item_t *a, const cbor_item_t *b) {
        int64_t x, y;
        const char *s, *t;
        size_t m, n;

        if (cbor_get_int64(a, &x) == 0 && cbor_get_int64(b, &y) == 0)
                return x == y;
        if (cbor_get_text(a, &s, &m) && cbor_get_text(b, &t, &n))
                return m == n && (m == 0 || memcmp(s, t, m) == 0);
        return false;
}

int cbor_map_lookup(const cbor_item_t *map, const int64_t *labels, size_t n, cbor_item_t **values) {
        if (!cbor_isa_map(map) || !cbor_map_is_definite(map))
                return -EMEDIUMTYPE;

        struct cbor_pair *pairs = cbor_map_handle(map);
        size_t size = cbor_map_size(map);

        for (size_t j = 0; j < n; j++)
                values[j] = NULL;

        for (size_t i = 0; i < size; i++) {
                int64_t key;

                /* Maps in codes are small (the walk bounds them by the input length), so the
                 * quadratic duplicate check costs less than building an index. */
                for (size_t k = 0; k < i; k++)
                        if (keys_equal(pairs[i].key, pairs[k].key))
                                return -ENOTUNIQ;

                if (cbor_get_int64(pairs[i].key, &key) < 0)
                        continue;
                for (size_t j = 0; j < n; j++)
                        if (labels[j] == key)
                                values[j] = pairs[i].value;
        }
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
