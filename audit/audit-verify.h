/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Offline verification of an audit log (what `qrgatectl audit verify` runs): every record parses
 * and its CRC holds, sequence numbers run on without gaps or repeats, each record carries the
 * hash of the one before (within and across files), every checkpoint covers a record of this
 * chain and its signature verifies under the device key, and the log ends where it should. Each
 * finding is located (file, byte offset, sequence number) and handed to a callback; nothing is
 * printed here.
 *
 * Records missing from the log must be accounted for by the log itself, or they are a problem:
 * missing at its start by RETIRE records (retention deletes oldest files first, and records each
 * deletion in a newer file before it unlinks the file), missing in the middle by the LOST record
 * the daemon writes right after records it had numbered but could not write before it stopped.
 *
 * What cannot be detected from the files alone: the removal of whole trailing runs of the daemon
 * (a log cut right after an earlier clean stop's final checkpoint looks complete). Pass the head
 * recorded elsewhere (AuditHead on D-Bus, or a previous export) as `head` to rule that out. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit-record.h"

typedef enum AuditVerifyLevel {
        AUDIT_VERIFY_INFO,    /* how the log is, e.g. where it starts */
        AUDIT_VERIFY_WARNING, /* worth knowing, not a failure (unsynchronized clock, open tail with open_ok,
                               * records a LOST record accounts for) */
        AUDIT_VERIFY_PROBLEM, /* the log is not intact, or not provably so */
} AuditVerifyLevel;

/* file is the path as given (NULL for findings about the whole log); off is -1 when not about a
 * byte offset, seq 0 when not about a record. */
typedef void (*AuditVerifyNote)(void *userdata, AuditVerifyLevel level, const char *file, int64_t off, uint64_t seq,
                                const char *message);

typedef struct AuditVerifyOptions {
        /* SubjectPublicKeyInfo DER of the device key; NULL: trust the key the checkpoints carry
         * (a consistency check only: anyone can re-sign with a key of their own). */
        const uint8_t *pubkey;
        size_t pubkey_size;
        /* Accept a log that does not end with a final checkpoint (the daemon is running, or
         * crashed and has not restarted yet); its unsigned tail is reported as a warning. */
        bool open_ok;
        /* The files given are a later part of the log on purpose (the crash test checks only what
         * was written since its last check): records missing before the first one then need no
         * RETIRE record. Never for a proof: a log whose first files were deleted by hand passes. */
        bool prefix_ok;
        /* A head known from elsewhere: record head_seq must be in the log with this hash. */
        bool have_head;
        uint64_t head_seq;
        uint8_t head_hash[AUDIT_HASH_SIZE];
} AuditVerifyOptions;

typedef struct AuditVerifySummary {
        uint64_t n_files;
        uint64_t n_records;
        uint64_t first_seq, last_seq;
        uint8_t last_hash[AUDIT_HASH_SIZE];
        uint64_t n_checkpoints;       /* checkpoint records */
        uint64_t n_checkpoints_valid; /* … whose signature and coverage verified */
        uint64_t covered_seq;         /* last record covered by a valid checkpoint */
        uint64_t unsigned_records;    /* records after covered_seq, checkpoints themselves excluded */
        bool closed;                  /* ends with a valid final checkpoint over a STOP record */
        bool head_found;
        uint64_t n_clock_unsynced;
        /* Gaps in the chain that LOST records account for: records numbered but never written
         * (held in memory when the daemon stopped), in n_lost_gaps runs between lost_first_seq
         * and lost_last_seq. */
        uint64_t n_lost_records, n_lost_gaps;
        uint64_t lost_first_seq, lost_last_seq;
        /* Records the daemon could not keep and never numbered (LOST records without REF): no gap. */
        uint64_t n_unnumbered_lost;
        uint64_t n_problems, n_warnings;
        bool have_key;
        uint8_t key_fingerprint[AUDIT_HASH_SIZE]; /* SHA-256 of the SPKI DER that signed */
} AuditVerifySummary;

/* Verifies the files (any order; sorted by their first record) as one log. Returns 0 when the
 * verification ran — its verdict is ret->n_problems == 0 — or -ENOMEM. */
int audit_verify(const char *const *paths, size_t n, const AuditVerifyOptions *o, AuditVerifyNote note, void *userdata,
                 AuditVerifySummary *ret);

/* Checks an ECDSA P-256 signature (r || s) over SHA-256 of msg with the SPKI DER key. Returns 0
 * (valid), -EBADMSG (invalid signature), -EKEYREJECTED (not a P-256 public key), -ENOMEM. */
int audit_signature_check(const uint8_t *spki, size_t spki_size, const uint8_t *msg, size_t msg_size,
                          const uint8_t sig[static AUDIT_SIGNATURE_SIZE]);
