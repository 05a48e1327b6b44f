/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* One audit record: its binary encoding, its hash, and the link to the record before it.
 * docs/audit.md is the normative description of the format; this header follows it.
 *
 *   offset  size  field
 *   0       4     magic "QGAr"
 *   4       2     length of the whole record, magic to CRC included (big-endian, ≤ AUDIT_RECORD_MAX)
 *   6       1     format version (1)
 *   7       1     event (AuditEvent)
 *   8       8     sequence number, 1 for the first record ever written
 *   16      8     wall-clock time, microseconds since the epoch (signed)
 *   24      2     flags (AUDIT_FLAG_*)
 *   26      32    SHA-256 of the previous record (all of its bytes); zero for sequence 1
 *   58      …     fields: tag (1), length (1), value; tags strictly ascending, each at most once
 *   len-4   4     CRC-32 (ISO-HDLC, as zlib's crc32()) of bytes 0 … len-5
 *
 * The hash of a record is SHA-256 over all of its bytes, CRC included. Integers are big-endian.
 * Nothing here does I/O or logs: the writer, the recovery code and `qrgatectl audit` share it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

#define AUDIT_MAGIC "QGAr"
#define AUDIT_VERSION 1
#define AUDIT_HASH_SIZE 32
#define AUDIT_HEADER_SIZE 58
#define AUDIT_CRC_SIZE 4
#define AUDIT_RECORD_MIN (AUDIT_HEADER_SIZE + AUDIT_CRC_SIZE)
/* Bounded so that recovery can tell a torn last record from damage further in. */
#define AUDIT_RECORD_MAX 2048
#define AUDIT_TEXT_MAX 255
#define AUDIT_FIELDS_MAX 24

/* The message a checkpoint signs starts with this, so that a signature made by the device key
 * for another purpose (a receipt) can never pass as a checkpoint. */
#define AUDIT_CHECKPOINT_DOMAIN "qrgate-audit-checkpoint-v1"
#define AUDIT_CHECKPOINT_MESSAGE_SIZE (sizeof(AUDIT_CHECKPOINT_DOMAIN) - 1 + 8 + AUDIT_HASH_SIZE + 2)
#define AUDIT_SIGNATURE_SIZE 64 /* ECDSA P-256 r || s (RFC 9053 §2.1) */

typedef enum AuditEvent {
        AUDIT_EVENT_START = 1,  /* the daemon started */
        AUDIT_EVENT_STOP,       /* the daemon is stopping cleanly */
        AUDIT_EVENT_DECISION,   /* a code was presented at a door */
        AUDIT_EVENT_PSEUDONYM,  /* the subject pseudonym of an earlier decision (REF) */
        AUDIT_EVENT_UNLOCK,     /* an operator opened a door by hand */
        AUDIT_EVENT_ALARM,      /* a fault raised or cleared */
        AUDIT_EVENT_RELOAD,     /* a configuration reload, applied or refused */
        AUDIT_EVENT_TOKEN,      /* the token changed state */
        AUDIT_EVENT_CHECKPOINT, /* the device key signed the chain head */
        AUDIT_EVENT_RECOVERY,   /* a torn tail was cut at start, or a damaged file set aside */
        AUDIT_EVENT_RETIRE,     /* retention deleted an old file */
        AUDIT_EVENT_LOST,       /* records that could not be kept (the write backlog overflowed) */
        AUDIT_EVENT_OCCUPANCY,  /* an operator set an area's count (AREA, COUNT, UID, TEXT: the count before) */
        AUDIT_EVENT_LEND,       /* the lending service lent, took back, renewed or refused an item (docs/lending.md) */
        _AUDIT_EVENT_MAX,
        _AUDIT_EVENT_INVALID = -EINVAL,
} AuditEvent;

enum {
        AUDIT_FLAG_CLOCK_SYNCED = 1 << 0, /* the kernel reported the clock NTP-synchronized */
        AUDIT_FLAG_FINAL = 1 << 1,        /* checkpoint: covers the STOP record of a clean shutdown */
        _AUDIT_FLAGS_KNOWN = AUDIT_FLAG_CLOCK_SYNCED | AUDIT_FLAG_FINAL,
};

typedef enum AuditTag {
        AUDIT_TAG_DOOR = 1,      /* str: door id */
        AUDIT_TAG_DECISION,      /* u8: 1 granted, 0 denied */
        AUDIT_TAG_REASON,        /* str: reason string (docs/reasons.md) */
        AUDIT_TAG_FORMAT,        /* str: code format */
        AUDIT_TAG_ORIGIN,        /* str: source id or "bus" */
        AUDIT_TAG_SUBJECT,       /* u8: AuditSubject */
        AUDIT_TAG_PSEUDONYM,     /* 32 bytes: HMAC-SHA256 of the subject id, computed in the token */
        AUDIT_TAG_REF,           /* u64: the sequence number this record is about */
        AUDIT_TAG_HASH,          /* "digest", 32 bytes: checkpoint: hash of record REF; else a SHA-256 */
        AUDIT_TAG_SIGNATURE,     /* 64 bytes: checkpoint signature */
        AUDIT_TAG_PUBKEY,        /* bytes: SubjectPublicKeyInfo DER of the signing key */
        AUDIT_TAG_DURATION_MS,   /* u32 */
        AUDIT_TAG_UID,           /* u32: operator uid */
        AUDIT_TAG_TEXT,          /* str: explanation */
        AUDIT_TAG_STATE,         /* str: token state; alarm "raised"/"cleared"; reload "applied"/"refused" */
        AUDIT_TAG_COUNT,         /* u64 */
        AUDIT_TAG_VERSION,       /* str: daemon version */
        AUDIT_TAG_FILE,          /* str: a log file name */
        AUDIT_TAG_KIND,          /* str: alarm kind ("lock", "audit", "token", "checkpoint") */
        AUDIT_TAG_OFFSET,        /* u64: byte offset in FILE */
        AUDIT_TAG_PRESENTER,     /* u8: AuditSubject of the person presenting on behalf of the subject */
        AUDIT_TAG_PRESENTER_PSEUDONYM, /* 32 bytes: the presenter's pseudonym, as PSEUDONYM is the subject's */
        AUDIT_TAG_AREA,          /* str: area id */
        AUDIT_TAG_ITEM,          /* str: a library item's id (its barcode), as the lending service gives it */
        _AUDIT_TAG_MAX,
} AuditTag;

typedef enum AuditSubject {
        AUDIT_SUBJECT_NONE,        /* no readable subject (the code was not readable) */
        AUDIT_SUBJECT_PENDING,     /* a PSEUDONYM record with REF = this record follows */
        AUDIT_SUBJECT_UNAVAILABLE, /* the token could not compute it in time; never the raw id */
        AUDIT_SUBJECT_PRESENT,     /* the PSEUDONYM field is in this record */
        _AUDIT_SUBJECT_MAX,
} AuditSubject;

typedef enum AuditFieldType {
        AUDIT_FIELD_STR,
        AUDIT_FIELD_U8,
        AUDIT_FIELD_U32,
        AUDIT_FIELD_U64,
        AUDIT_FIELD_BYTES,
} AuditFieldType;

typedef struct AuditField {
        uint8_t tag;
        uint8_t size;
        const uint8_t *value; /* points into the record buffer */
} AuditField;

/* A parsed record: views into the caller's buffer, valid as long as it is. */
typedef struct AuditRecord {
        const uint8_t *data;
        size_t size;
        AuditEvent event;
        uint64_t seq;
        int64_t time_usec;
        uint16_t flags;
        const uint8_t *prev; /* AUDIT_HASH_SIZE bytes */
        AuditField fields[AUDIT_FIELDS_MAX];
        size_t n_fields;
} AuditRecord;

/* Building a record: fields first, then audit_builder_finish() fills in the header with the
 * sequence number and link that the writer assigns at that moment. */
typedef struct AuditBuilder {
        uint8_t buf[AUDIT_RECORD_MAX];
        size_t size;
        AuditEvent event;
        uint16_t flags;
        int last_tag;
        int error; /* first error of an add_*(), reported by finish */
} AuditBuilder;

void audit_builder_init(AuditBuilder *b, AuditEvent event);
/* Adders keep the first error (-EINVAL for a tag out of order, -E2BIG when the record would
 * exceed AUDIT_RECORD_MAX); strings longer than AUDIT_TEXT_MAX are cut. */
void audit_builder_add_str(AuditBuilder *b, AuditTag tag, const char *s);
void audit_builder_add_u8(AuditBuilder *b, AuditTag tag, uint8_t v);
void audit_builder_add_u32(AuditBuilder *b, AuditTag tag, uint32_t v);
void audit_builder_add_u64(AuditBuilder *b, AuditTag tag, uint64_t v);
void audit_builder_add_bytes(AuditBuilder *b, AuditTag tag, const void *p, size_t n);
/* Completes the record in b->buf (b->size bytes) and returns its hash in ret_hash. */
int audit_builder_finish(AuditBuilder *b, uint64_t seq, int64_t time_usec, const uint8_t prev[static AUDIT_HASH_SIZE],
                         uint8_t ret_hash[static AUDIT_HASH_SIZE]);

typedef enum AuditParse {
        AUDIT_PARSE_OK,
        AUDIT_PARSE_SHORT,     /* fewer bytes than a header, or than the length says */
        AUDIT_PARSE_MAGIC,     /* not a record start */
        AUDIT_PARSE_LENGTH,    /* length field out of range */
        AUDIT_PARSE_CRC,       /* CRC mismatch: the bytes changed after they were written */
        AUDIT_PARSE_STRUCTURE, /* CRC fine, contents invalid (version, event, flags, fields) */
} AuditParse;

/* Parses the record at the start of p (size bytes available). On AUDIT_PARSE_OK, ret holds the
 * record and ret->size its length. Never reads beyond size. */
AuditParse audit_record_parse(const uint8_t *p, size_t size, AuditRecord *ret);
const char *audit_parse_to_string(AuditParse p);

void audit_record_hash(const AuditRecord *r, uint8_t ret[static AUDIT_HASH_SIZE]);
void audit_hash(const void *p, size_t n, uint8_t ret[static AUDIT_HASH_SIZE]);

const AuditField *audit_record_field(const AuditRecord *r, AuditTag tag);
bool audit_record_get_u64(const AuditRecord *r, AuditTag tag, uint64_t *ret);
bool audit_record_get_u32(const AuditRecord *r, AuditTag tag, uint32_t *ret);
bool audit_record_get_u8(const AuditRecord *r, AuditTag tag, uint8_t *ret);
/* Copies a string field, NUL-terminated; buf needs AUDIT_TEXT_MAX + 1 bytes. */
bool audit_record_get_str(const AuditRecord *r, AuditTag tag, char buf[static AUDIT_TEXT_MAX + 1]);
const uint8_t *audit_record_get_bytes(const AuditRecord *r, AuditTag tag, size_t size);

/* The exact bytes a checkpoint's signature is over (SHA-256 of them, by the token):
 * AUDIT_CHECKPOINT_DOMAIN || covered seq (u64) || covered hash || flags (u16). */
void audit_checkpoint_message(uint64_t seq, const uint8_t hash[static AUDIT_HASH_SIZE], uint16_t flags,
                              uint8_t ret[static AUDIT_CHECKPOINT_MESSAGE_SIZE]);

const char *audit_event_to_string(AuditEvent e);
const char *audit_tag_to_string(AuditTag t);
AuditFieldType audit_tag_type(AuditTag t);
const char *audit_subject_to_string(AuditSubject s);
