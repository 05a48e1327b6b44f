/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/barcode-format.h"
#include "core/cbor-util.h"
#include "core/cose.h"
#include "core/denylist.h"
#include "core/string-table.h"

/* The most slots a list can have: buckets (at most twice the entries, denylist_buckets_for() uses
 * 5/4) and an overflow tail of at most one slot per entry. */
#define DENYLIST_SLOTS_MAX (3 * (uint64_t) DENYLIST_MAX_ENTRIES + 1)
#define DENYLIST_FILE_MAX \
        ((uint64_t) DENYLIST_PREAMBLE_SIZE + DENYLIST_HEADER_MAX + DENYLIST_TABLE_ALIGN + DENYLIST_SLOTS_MAX * DENYLIST_HASH_SIZE)
/* The table is hashed and checked in pieces small enough to stay in the cache between the two. */
#define VERIFY_CHUNK_SLOTS 4096

struct DenyList {
        DenyListInfo info;
        uint8_t *map; /* the whole file, in an anonymous mapping of its own: read-only once verified */
        size_t map_len;
        const uint8_t *table; /* info.slots entries of DENYLIST_HASH_SIZE bytes */
        size_t max_probe;
};

DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free);

static const char *const deny_type_table[_DENY_TYPE_MAX] = {
        [DENY_CARD] = "card",
        [DENY_SUBJECT] = "subject",
        [DENY_CTI] = "cti",
        [DENY_BARCODE] = "barcode",
};

/* Type 0 has no name: the table starts at DENY_CARD (1). */
DEFINE_STRING_TABLE_LOOKUP(deny_type, DenyType);

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t be64(const uint8_t *p) {
        uint64_t v = 0;
        for (size_t i = 0; i < 8; i++)
                v = v << 8 | p[i];
        return v;
}

uint64_t denylist_home(const uint8_t hash[static DENYLIST_HASH_SIZE], uint64_t buckets) {
        return (uint64_t) (((unsigned __int128) be64(hash) * buckets) >> 64);
}

uint64_t denylist_buckets_for(uint64_t n) {
        return n + n / 4 + 1;
}

int denylist_hash(const uint8_t salt[static DENYLIST_SALT_SIZE], DenyType type, const void *value, size_t len,
                  uint8_t ret[static DENYLIST_HASH_SIZE]) {
        uint8_t buf[DENYLIST_SALT_SIZE + 1 + DENYLIST_VALUE_MAX], md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (len == 0 || len > DENYLIST_VALUE_MAX || type <= 0 || type >= _DENY_TYPE_MAX)
                return -EINVAL;
        memcpy(buf, salt, DENYLIST_SALT_SIZE);
        buf[DENYLIST_SALT_SIZE] = (uint8_t) type;
        memcpy(buf + DENYLIST_SALT_SIZE + 1, value, len);
        if (EVP_Digest(buf, DENYLIST_SALT_SIZE + 1 + len, md, &n, md_sha256(), NULL) != 1 || n < DENYLIST_HASH_SIZE) {
                ERR_clear_error();
                return -EIO;
        }
        memcpy(ret, md, DENYLIST_HASH_SIZE);
        return 0;
}

static int fail(const char **ret_why, const char *why) {
        if (ret_why)
                *ret_why = why;
        return -EBADMSG;
}

static int read_uint(const CborItem *item, uint64_t max, uint64_t *ret) {
        int64_t v;

        if (cbor_item_int64(item, &v) < 0 || v < 0 || (uint64_t) v > max)
                return -EBADMSG;
        *ret = (uint64_t) v;
        return 0;
}

/* The signed header's payload: every label present, no other, each of its type and range. */
static int parse_payload(const uint8_t *p, size_t len, DenyListInfo *info, const char **ret_why) {
        static const int64_t labels[] = {
                DENYLIST_LABEL_ISS, DENYLIST_LABEL_IAT, DENYLIST_LABEL_VERSION, DENYLIST_LABEL_ENTRIES,
                DENYLIST_LABEL_BUCKETS, DENYLIST_LABEL_SLOTS, DENYLIST_LABEL_SALT, DENYLIST_LABEL_TABLE_SHA256,
        };
        CborItem root, v[ELEMENTSOF(labels)];
        const uint8_t *b;
        const char *s, *why = NULL;
        size_t n, tags;
        uint64_t iat;

        if (cbor_parse_bounded(p, len, 2, &root, &tags, &why) < 0 || tags > 0)
                return fail(ret_why, "the signed header is not well-formed CBOR without tags");
        if (!cbor_item_is_map(&root) || cbor_map_lookup(&root, labels, ELEMENTSOF(labels), v, &n) < 0)
                return fail(ret_why, "the signed header is not a map with each label once");
        for (size_t i = 0; i < ELEMENTSOF(labels); i++)
                if (!cbor_item_present(&v[i]))
                        return fail(ret_why, "the signed header lacks a field (iss, iat, version, entries, buckets, "
                                    "slots, salt or table hash)");
        /* A field a reader does not know could restrict what the list means: refuse, never ignore. */
        if (n != ELEMENTSOF(labels))
                return fail(ret_why, "the signed header has a field this version does not know");
        if (!cbor_item_text(&v[0], &s, &n) || n == 0 || n > CLAIM_TEXT_MAX || memchr(s, '\0', n))
                return fail(ret_why, "the list's iss is not a text of 1-64 characters");
        memcpy(info->iss, s, n);
        info->iss[n] = '\0';
        if (!claim_text_is_valid(info->iss))
                return fail(ret_why, "the list's iss is not 1-64 printable ASCII characters");
        if (read_uint(&v[1], (uint64_t) CLAIM_TIME_MAX, &iat) < 0)
                return fail(ret_why, "the list's issue time is not a time in 1970-9999");
        info->issued = (int64_t) iat;
        if (read_uint(&v[2], INT64_MAX, &info->version) < 0 || info->version == 0)
                return fail(ret_why, "the list's version is not a positive integer");
        if (read_uint(&v[3], DENYLIST_MAX_ENTRIES, &info->entries) < 0)
                return fail(ret_why, "the list has more entries than a list may have (8388608)");
        if (read_uint(&v[4], 2 * (uint64_t) DENYLIST_MAX_ENTRIES + 1, &info->buckets) < 0 ||
            info->buckets < info->entries || info->buckets == 0 || info->buckets > 2 * info->entries + 1)
                return fail(ret_why, "the list's bucket count does not fit its entries");
        if (read_uint(&v[5], DENYLIST_SLOTS_MAX, &info->slots) < 0 || info->slots < info->buckets ||
            info->slots - info->buckets > info->entries)
                return fail(ret_why, "the list's slot count does not fit its buckets and entries");
        if (!cbor_item_bytes(&v[6], &b, &n) || n != DENYLIST_SALT_SIZE)
                return fail(ret_why, "the list's salt is not 16 bytes");
        memcpy(info->salt, b, n);
        if (!cbor_item_bytes(&v[7], &b, &n) || n != sizeof(info->table_sha256))
                return fail(ret_why, "the list's table hash is not 32 bytes");
        memcpy(info->table_sha256, b, n);
        return 0;
}

int denylist_read_header(const uint8_t *buf, size_t len, const Keystore *ks, DenyListInfo *ret, const char **ret_why) {
        DenyListInfo info = {};
        CoseSign1 cose;
        const char *why = NULL;
        size_t cose_len;
        int r;

        if (len < DENYLIST_PREAMBLE_SIZE || memcmp(buf, DENYLIST_MAGIC, DENYLIST_MAGIC_SIZE) != 0)
                return fail(ret_why, "not a deny-list (no QGDENY1 magic)");
        cose_len = le32(buf + 8);
        if (le32(buf + 12) != 0)
                return fail(ret_why, "the preamble's reserved bytes are not zero");
        if (cose_len == 0 || cose_len > DENYLIST_HEADER_MAX)
                return fail(ret_why, "the signed header's length is not 1-4096 bytes");
        if (len - DENYLIST_PREAMBLE_SIZE < cose_len)
                return fail(ret_why, "the file ends inside its signed header (truncated)");
        info.table_offset = (DENYLIST_PREAMBLE_SIZE + cose_len + DENYLIST_TABLE_ALIGN - 1) / DENYLIST_TABLE_ALIGN *
                            DENYLIST_TABLE_ALIGN;

        /* Structure as a QG1 code's (core/qg1.c): tag 18 only, alg and kid protected, nothing
         * unprotected — anything unprotected could be changed by whoever relays the file. */
        r = cose_sign1_parse(buf + DENYLIST_PREAMBLE_SIZE, cose_len, &cose, &why);
        if (r < 0)
                return fail(ret_why, why ?: "the signed header is not a COSE_Sign1");
        if (cose.n_tags != 1 || cose.tags[0] != COSE_TAG_SIGN1 || cose.inner_tags > 0)
                return fail(ret_why, "the signed header needs exactly the COSE_Sign1 tag 18 and no other");
        if (cose.unprotected.n_params > 0)
                return fail(ret_why, "the signed header's unprotected bucket is not empty");
        if (!cose.protected.has_alg || !cose.protected.has_kid || cose.protected.n_params != 2)
                return fail(ret_why, "the signed header's protected bucket is not exactly alg and kid");
        if (cose_alg_key_type(cose.protected.alg) == COSE_KEY_UNSUPPORTED)
                return fail(ret_why, "the list is signed with an algorithm other than ES256, EdDSA or PS256");
        memcpy(info.kid, cose.protected.kid, cose.protected.kid_len);
        info.kid_len = cose.protected.kid_len;
        r = parse_payload(cose.payload, cose.payload_len, &info, ret_why);
        if (r < 0)
                return r;
        if (EVP_Digest(cose.payload, cose.payload_len, info.id, NULL, md_sha256(), NULL) != 1) {
                ERR_clear_error();
                return -ENOMEM;
        }

        const IssuerKey *key = keystore_find(ks, info.iss, info.kid, info.kid_len);
        if (!key) {
                if (ret_why)
                        *ret_why = "no key of the keystore has the list's iss and kid";
                return -ENOKEY;
        }
        r = cose_sign1_verify(&cose, cose.protected.alg, &key->key);
        if (r == -EBADMSG || r == -EKEYREJECTED || r == -EPROTONOSUPPORT) {
                if (ret_why)
                        *ret_why = r == -EBADMSG ? "the signature does not verify with the issuer's key"
                                                 : "the algorithm does not fit the issuer's key";
                return -EKEYREJECTED;
        }
        if (r < 0)
                return r;
        /* Between the header and the table: zeros only, so that nothing unsigned hides there. */
        size_t end = DENYLIST_PREAMBLE_SIZE + cose_len;
        if (!memeqzero(buf + end, MIN(len, info.table_offset) - end))
                return fail(ret_why, "the padding before the table is not zero");
        *ret = info;
        return 0;
}

static uint64_t expected_size(const DenyListInfo *info) {
        return info->table_offset + info->slots * DENYLIST_HASH_SIZE;
}

/* One streaming pass over the table: its SHA-256, and its layout. Each entry is larger than the
 * one before it and sits exactly at max(its home, the previous entry's slot + 1): that is the
 * one layout in which a lookup that stops at an empty slot or a larger entry misses nothing. */
static int verify_table(DenyList *dl, const char **ret_why) {
        const DenyListInfo *info = &dl->info;
        _cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        uint8_t md[EVP_MAX_MD_SIZE];
        const uint8_t *prev = NULL;
        const char *layout = NULL; /* the first thing wrong with the layout */
        uint64_t prev_pos = 0, count = 0;
        size_t max_probe = 0;

        if (!ctx || EVP_DigestInit_ex(ctx, md_sha256(), NULL) != 1)
                return ERR_clear_error(), -ENOMEM;
        for (uint64_t i = 0; i < info->slots; i += VERIFY_CHUNK_SLOTS) {
                uint64_t end = MIN(i + VERIFY_CHUNK_SLOTS, info->slots);
                if (EVP_DigestUpdate(ctx, dl->table + i * DENYLIST_HASH_SIZE, (end - i) * DENYLIST_HASH_SIZE) != 1)
                        return ERR_clear_error(), -EIO;
                for (uint64_t j = i; j < end && !layout; j++) {
                        const uint8_t *e = dl->table + j * DENYLIST_HASH_SIZE;
                        if (memeqzero(e, DENYLIST_HASH_SIZE))
                                continue;
                        if (prev && memcmp(prev, e, DENYLIST_HASH_SIZE) >= 0) {
                                layout = "the table's entries are not in ascending order";
                                break;
                        }
                        uint64_t home = denylist_home(e, info->buckets);
                        uint64_t want = prev ? MAX(home, prev_pos + 1) : home;
                        if (j != want) {
                                layout = "an entry of the table is not in its slot";
                                break;
                        }
                        max_probe = MAX(max_probe, (size_t) (j - home + 1));
                        prev = e, prev_pos = j;
                        count++;
                }
        }
        if (EVP_DigestFinal_ex(ctx, md, NULL) != 1)
                return ERR_clear_error(), -EIO;
        /* The hash first: a table that is not the signed one is a forgery or a damaged file,
         * whatever else is wrong with it. */
        if (memcmp(md, info->table_sha256, sizeof(info->table_sha256)) != 0)
                return fail(ret_why, "the table does not match the hash its signed header names (damaged or forged)");
        if (layout)
                return fail(ret_why, layout);
        if (count != info->entries)
                return fail(ret_why, "the table holds another number of entries than its header says");
        dl->max_probe = max_probe;
        return 0;
}

static int denylist_alloc(const DenyListInfo *info, DenyList **ret) {
        _cleanup_(denylist_freep) DenyList *dl = calloc(1, sizeof(DenyList));
        uint64_t size = expected_size(info);

        if (!dl)
                return -ENOMEM;
        dl->info = *info;
        /* An anonymous mapping, not the heap: it goes back to the kernel whole when the list is
         * freed (a 20 MiB malloc() might not), and it can be made read-only once verified. */
        dl->map = mmap(NULL, (size_t) size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (dl->map == MAP_FAILED) {
                dl->map = NULL;
                return -ENOMEM;
        }
        dl->map_len = (size_t) size;
        dl->table = dl->map + info->table_offset;
        /* Lookups land anywhere in the table: with huge pages (where the kernel has them) a
         * lookup costs one cache miss rather than a TLB miss as well. Anonymous memory can have
         * them; a mapped file's page cache, on most kernels, cannot. */
        (void) madvise(dl->map, dl->map_len, MADV_HUGEPAGE);
        *ret = TAKE_PTR(dl);
        return 0;
}

static int denylist_finish(DenyList *dl, const char **ret_why) {
        int r = verify_table(dl, ret_why);
        if (r < 0)
                return r;
        /* Immutable from here: a stray write faults instead of changing what doors refuse. */
        if (mprotect(dl->map, dl->map_len, PROT_READ) < 0)
                return -errno;
        return 0;
}

int denylist_new_from_buffer(const uint8_t *buf, size_t len, const Keystore *ks, DenyList **ret, const char **ret_why) {
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        DenyListInfo info;
        int r;

        r = denylist_read_header(buf, len, ks, &info, ret_why);
        if (r < 0)
                return r;
        if (len != expected_size(&info))
                return fail(ret_why, len < expected_size(&info) ? "the file is shorter than its header says (truncated)"
                                                                : "the file is longer than its header says");
        r = denylist_alloc(&info, &dl);
        if (r < 0)
                return r;
        memcpy(dl->map, buf, len);
        r = denylist_finish(dl, ret_why);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(dl);
        return 0;
}

/* Reads exactly n bytes at offset; -EBADMSG when the file ends before. */
static int pread_full(int fd, uint8_t *p, size_t n, uint64_t offset) {
        while (n > 0) {
                ssize_t k = pread(fd, p, MIN(n, (size_t) 1 << 20), (off_t) offset);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -EBADMSG;
                p += k, n -= (size_t) k, offset += (uint64_t) k;
        }
        return 0;
}

#define HEAD_MAX (DENYLIST_PREAMBLE_SIZE + DENYLIST_HEADER_MAX + DENYLIST_TABLE_ALIGN)

static int read_head(int fd, const Keystore *ks, uint8_t head[static HEAD_MAX], size_t *ret_n, struct stat *st,
                     DenyListInfo *info, const char **ret_why) {
        int r;

        if (fstat(fd, st) < 0)
                return -errno;
        if (!S_ISREG(st->st_mode))
                return -EBADFD;
        if ((uint64_t) st->st_size > DENYLIST_FILE_MAX)
                return -EFBIG;
        *ret_n = (size_t) MIN((uint64_t) st->st_size, (uint64_t) HEAD_MAX);
        r = pread_full(fd, head, *ret_n, 0);
        if (r < 0)
                return r == -EBADMSG ? fail(ret_why, "the file is shorter than when it was opened (being written?)") : r;
        return denylist_read_header(head, *ret_n, ks, info, ret_why);
}

int denylist_read_header_fd(int fd, const Keystore *ks, DenyListInfo *ret, const char **ret_why) {
        uint8_t head[HEAD_MAX];
        struct stat st;
        size_t n;

        return read_head(fd, ks, head, &n, &st, ret, ret_why);
}

int denylist_new_from_fd(int fd, const Keystore *ks, DenyList **ret, const char **ret_why) {
        _cleanup_(denylist_freep) DenyList *dl = NULL;
        uint8_t head[HEAD_MAX], extra;
        DenyListInfo info;
        struct stat st;
        size_t n = 0;
        int r;

        /* The signed header first, from a small buffer: a forged, foreign or unknown-key file is
         * refused before a byte of memory is set aside for its table. */
        r = read_head(fd, ks, head, &n, &st, &info, ret_why);
        if (r < 0)
                return r;
        if ((uint64_t) st.st_size != expected_size(&info))
                return fail(ret_why, (uint64_t) st.st_size < expected_size(&info)
                                             ? "the file is shorter than its header says (truncated)"
                                             : "the file is longer than its header says");
        r = denylist_alloc(&info, &dl);
        if (r < 0)
                return r;
        r = pread_full(fd, dl->map, dl->map_len, 0);
        if (r == -EBADMSG)
                return fail(ret_why, "the file became shorter while it was read");
        if (r < 0)
                return r;
        if (pread(fd, &extra, 1, (off_t) dl->map_len) > 0)
                return fail(ret_why, "the file grew while it was read");
        /* The header read again with the table: what is verified below is the copy we keep. */
        if (memcmp(dl->map, head, MIN(n, info.table_offset)) != 0)
                return fail(ret_why, "the file changed while it was read");
        r = denylist_finish(dl, ret_why);
        if (r < 0)
                return r;
        /* Our copy is all we use: the file's pages need not stay in the page cache beside it. */
        (void) posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        *ret = TAKE_PTR(dl);
        return 0;
}

DenyList *denylist_free(DenyList *dl) {
        if (!dl)
                return NULL;
        if (dl->map)
                (void) munmap(dl->map, dl->map_len);
        free(dl);
        return NULL;
}

const DenyListInfo *denylist_info(const DenyList *dl) {
        return &dl->info;
}

size_t denylist_max_probe(const DenyList *dl) {
        return dl->max_probe;
}

bool denylist_contains(const DenyList *dl, DenyType type, const void *value, size_t len) {
        uint8_t h[DENYLIST_HASH_SIZE];

        if (!dl || dl->info.entries == 0 || denylist_hash(dl->info.salt, type, value, len, h) < 0)
                return false;
        /* From the home slot on: the entries of a run are ascending, so the first that is not
         * smaller decides, and an empty slot ends the run (verify_table() made sure of both). */
        for (uint64_t i = denylist_home(h, dl->info.buckets); i < dl->info.slots; i++) {
                const uint8_t *e = dl->table + i * DENYLIST_HASH_SIZE;
                if (memeqzero(e, DENYLIST_HASH_SIZE))
                        return false;
                int c = memcmp(e, h, DENYLIST_HASH_SIZE);
                if (c >= 0)
                        return c == 0;
        }
        return false;
}

bool denylist_contains_pair(const DenyList *dl, DenyType type, const char *iss, const char *id) {
        char v[DENYLIST_VALUE_MAX];
        size_t a = strlen(iss), b = strlen(id);

        if (!dl || a + 1 + b > sizeof(v))
                return false;
        memcpy(v, iss, a);
        v[a] = '\0';
        memcpy(v + a + 1, id, b);
        return denylist_contains(dl, type, v, a + 1 + b);
}

int denylist_barcode_value(const char *format, const char *id, char out[static DENYLIST_VALUE_MAX]) {
        size_t a, b;

        if (barcode_format_from_config_name(format) == CODE_FORMAT_UNKNOWN)
                return -EINVAL;
        a = strlen(format), b = strlen(id);
        if (b == 0 || a + 1 + b > DENYLIST_VALUE_MAX)
                return -EINVAL;
        memcpy(out, format, a);
        out[a] = ':';
        memcpy(out + a + 1, id, b);
        return (int) (a + 1 + b);
}

bool denylist_contains_barcode(const DenyList *dl, int format, const char *id) {
        static const char *const names[] = { "codabar", "ean13", "isbn" };
        char v[DENYLIST_VALUE_MAX];

        /* The names of a door's 'barcodes' list (core/barcode-format.h), the same in every list. */
        for (size_t i = 0; dl && i < ELEMENTSOF(names); i++)
                if (barcode_format_from_config_name(names[i]) == (CodeFormat) format) {
                        int n = denylist_barcode_value(names[i], id, v);
                        return n > 0 && denylist_contains(dl, DENY_BARCODE, v, (size_t) n);
                }
        return false;
}
