/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Signed deny-lists (docs/denylist.md): what must be refused before it expires — card serials,
 * subjects, code ids (cti), printed barcodes — in one file an issuer signs. The file is a small
 * signed header (a COSE_Sign1, RFC 9052 §4.2, signed like a code by a key of the keystore) and a
 * table of fixed-size entries: the first 16 bytes of SHA-256(salt || type || value) of each
 * thing denied, so the list carries no name in clear. The header signs the table's SHA-256, so
 * verifying is one streaming pass over the table, which checks its layout in the same pass.
 *
 * The table is an ordered hash table: entries sorted by hash, each at the first free slot at or
 * after its home slot (the hash's top 64 bits scaled to the number of buckets). Lookups start at
 * the home slot and stop at the entry, at a larger one or at an empty slot: a few probes in one
 * or two cache lines, whatever the list's size. The layout is canonical — each entry's slot
 * follows from the entries before it — and the verifier refuses any other, so no signed file
 * can make a lookup wrong or long.
 *
 * A loaded list is immutable: a new version is loaded beside it and swapped in by the caller. */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/keystore.h"
#include "core/macro.h"

#define DENYLIST_MAGIC "QGDENY1\n"
#define DENYLIST_MAGIC_SIZE 8
#define DENYLIST_PREAMBLE_SIZE 16 /* magic, the signed header's length (u32 LE), 4 zero bytes */
#define DENYLIST_HEADER_MAX 4096  /* the signed header: a few hundred bytes */
#define DENYLIST_TABLE_ALIGN 64   /* the table starts on a cache line: an entry never straddles two */
#define DENYLIST_HASH_SIZE 16
#define DENYLIST_SALT_SIZE 16
/* Sized for a city (1,000,000) with room: 8 Mi entries are a 168 MiB table. */
#define DENYLIST_MAX_ENTRIES (8u * 1024 * 1024)
/* The longest value hashed: an issuer (64), a NUL, a subject or card serial (64). */
#define DENYLIST_VALUE_MAX 160

/* Labels of the signed header (a CBOR map; RFC 8392 §4 for iss and iat, private ones below
 * -65536 as RFC 8392 §9.1 reserves them). */
#define DENYLIST_LABEL_ISS 1
#define DENYLIST_LABEL_IAT 6
#define DENYLIST_LABEL_VERSION (-65601)
#define DENYLIST_LABEL_ENTRIES (-65602)
#define DENYLIST_LABEL_BUCKETS (-65603)
#define DENYLIST_LABEL_SLOTS (-65604)
#define DENYLIST_LABEL_SALT (-65605)
#define DENYLIST_LABEL_TABLE_SHA256 (-65606)

/* What an entry names; the type byte is hashed with the value, so a card serial and a cti with
 * the same bytes are different entries. Stable: lists in the field carry them. */
typedef enum DenyType {
        DENY_CARD = 1,    /* a card's serial: value "ISS\0SERIAL" (denylist_contains_pair()) */
        DENY_SUBJECT = 2, /* a person: value "ISS\0SUB" */
        DENY_CTI = 3,     /* one code: its cti bytes */
        DENY_BARCODE = 4, /* a printed barcode: "FORMAT:ID", FORMAT as code_format_to_string() says it */
        _DENY_TYPE_MAX,
        _DENY_TYPE_INVALID = -EINVAL,
} DenyType;

/* What the signed header says. */
typedef struct DenyListInfo {
        char iss[CLAIM_TEXT_MAX + 1]; /* whose key signed it */
        uint8_t kid[COSE_KID_MAX];
        size_t kid_len;
        uint64_t version; /* >= 1; only ever grows */
        int64_t issued;   /* unix seconds */
        uint64_t entries, buckets, slots;
        uint8_t salt[DENYLIST_SALT_SIZE];
        uint8_t table_sha256[32];
        /* SHA-256 of the signed header's payload: the list's identity (two files with the same
         * version and a different identity are two different lists). */
        uint8_t id[32];
        size_t table_offset; /* where the table starts in the file */
} DenyListInfo;

typedef struct DenyList DenyList;

/* Reads the preamble and the signed header at the start of buf (len bytes: the whole file, or
 * only its first bytes) and verifies the header's signature with ks. Does not read the table.
 * Returns 0 and fills *ret; -EBADMSG with *ret_why for anything malformed (including a header
 * cut short), -ENOKEY for a signer not in ks, -EKEYREJECTED for a signature that does not verify
 * or an algorithm that does not fit the key, -ENOMEM. */
int denylist_read_header(const uint8_t *buf, size_t len, const Keystore *ks, DenyListInfo *ret, const char **ret_why);

/* Verifies a whole file held in buf (the header as denylist_read_header(), then the table: its
 * size, SHA-256 and canonical layout) and makes a list of it in private memory of its own,
 * read-only once verified. The errors of denylist_read_header(), and -EBADMSG with *ret_why for
 * a file of the wrong size or a table that does not match. Free with denylist_free(). */
int denylist_new_from_buffer(const uint8_t *buf, size_t len, const Keystore *ks, DenyList **ret, const char **ret_why);

/* denylist_read_header() on the first bytes of a file opened with open_regular_file(), for a
 * caller that decides from the header whether the table is worth reading. Also -EBADFD for an
 * fd that is not a regular file, -EFBIG for a file larger than any list, -errno. */
int denylist_read_header_fd(int fd, const Keystore *ks, DenyListInfo *ret, const char **ret_why);

/* The same from a file already opened (core/fileio.h's open_regular_file()), read from its start
 * with read(2) straight into the list's memory and hashed from there: one copy of the table in
 * memory, never two, and what was verified is what is used — a file rewritten or truncated after
 * the load cannot change the list or fault the reader (an mmap() of the file could). The file's
 * pages are dropped from the page cache afterwards. Also -EFBIG for a file larger than any list
 * can be, -errno from reading. */
int denylist_new_from_fd(int fd, const Keystore *ks, DenyList **ret, const char **ret_why);

DenyList *denylist_free(DenyList *dl);
DEFINE_TRIVIAL_CLEANUP_FUNC(DenyList *, denylist_free);

const DenyListInfo *denylist_info(const DenyList *dl);
/* The most slots any lookup of this list reads (the longest run from a home slot to its entry). */
size_t denylist_max_probe(const DenyList *dl);

/* Whether the list names (type, value): len bytes, at most DENYLIST_VALUE_MAX. A NULL list names
 * nothing. Constant time in the list's size: one SHA-256 of the value and a few slots read. */
bool denylist_contains(const DenyList *dl, DenyType type, const void *value, size_t len);
/* For subjects and cards: (iss, id) joined as "ISS\0ID". */
bool denylist_contains_pair(const DenyList *dl, DenyType type, const char *iss, const char *id);

/* For printed barcodes: the format by the name a door's 'barcodes' list gives it ("codabar",
 * "ean13", "isbn") and the normalized barcode (BarcodeInfo.id), joined as "FORMAT:ID" into out
 * (room for DENYLIST_VALUE_MAX bytes). Returns the value's length, or -EINVAL for another format
 * name or an empty or too long id. */
int denylist_barcode_value(const char *format, const char *id, char out[static DENYLIST_VALUE_MAX]);
/* The same, by the verifier's format (CodeFormat, core/verifier.h). */
bool denylist_contains_barcode(const DenyList *dl, int format, const char *id);

/* The entry for (type, value) under salt, as the table holds it. -EINVAL for a value that is
 * empty or longer than DENYLIST_VALUE_MAX, -EIO when OpenSSL fails. */
int denylist_hash(const uint8_t salt[static DENYLIST_SALT_SIZE], DenyType type, const void *value, size_t len,
                  uint8_t ret[static DENYLIST_HASH_SIZE]);
/* The home slot of an entry among buckets: its top 64 bits scaled, so that homes grow with the
 * entries' order. */
uint64_t denylist_home(const uint8_t hash[static DENYLIST_HASH_SIZE], uint64_t buckets);
/* The number of buckets a list of n entries is built with: a load of 4/5. */
uint64_t denylist_buckets_for(uint64_t n);

const char *deny_type_to_string(DenyType t);
DenyType deny_type_from_string(const char *s);
