/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Checkpoint scheduling: when to ask the token to sign the chain head, and asking it. A
 * checkpoint is due every `every_records` records or `every_usec` after the first record not yet
 * covered, whichever comes first, and on request (the final one at a clean stop). One signature
 * is in flight at a time; records keep being appended meanwhile, so a checkpoint covers the head
 * as it was when it was asked for. Nothing waits for the token: results come back on the event
 * loop through the handler, which appends the checkpoint record.
 *
 * While there is nothing new to cover, no timer is armed, so an idle gate does not wake up. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "audit/audit-record.h"
#include "core/macro.h"
#include "pkcs11/token.h"

typedef struct AuditCheckpointer AuditCheckpointer;

typedef struct AuditSignature {
        uint64_t seq; /* the covered record */
        uint8_t hash[AUDIT_HASH_SIZE];
        uint16_t flags; /* AUDIT_FLAG_FINAL or 0; part of the signed message */
        uint8_t signature[AUDIT_SIGNATURE_SIZE];
        const uint8_t *pubkey; /* SubjectPublicKeyInfo DER of the key that signed; valid during the call */
        size_t pubkey_size;
} AuditSignature;

/* sig is NULL when error < 0; reason then says why in English (valid during the call). */
typedef void (*AuditSignedHandler)(AuditCheckpointer *c, const AuditSignature *sig, int error, const char *reason,
                                   void *userdata);

/* Returns 0 and a checkpointer that must be freed with audit_checkpointer_free(), or -ENOMEM. */
int audit_checkpointer_new(sd_event *e, uint64_t every_records, uint64_t every_usec, AuditSignedHandler handler,
                           void *userdata, AuditCheckpointer **ret);
/* Cancels a signature in flight (its handler is not called) and frees c. Returns NULL. */
AuditCheckpointer *audit_checkpointer_free(AuditCheckpointer *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(AuditCheckpointer *, audit_checkpointer_free);

/* The token that signs (borrowed; NULL: none, checkpoints wait). */
void audit_checkpointer_set_token(AuditCheckpointer *c, TokenService *token);

/* The log's head is now seq/hash. covers: the record counts toward the next checkpoint (false
 * for checkpoint records themselves, which would otherwise keep an idle log signing itself). */
void audit_checkpointer_appended(AuditCheckpointer *c, uint64_t seq, const uint8_t hash[static AUDIT_HASH_SIZE], bool covers);

/* Everything up to seq is covered by a checkpoint already in the log (recovered at start). */
void audit_checkpointer_set_covered(AuditCheckpointer *c, uint64_t seq);

/* Asks for a checkpoint of the current head now, with flags (AUDIT_FLAG_FINAL at a clean stop);
 * after the one in flight, if any. Returns 0, or -ENOKEY when there is no token. */
int audit_checkpointer_request(AuditCheckpointer *c, uint16_t flags);

bool audit_checkpointer_busy(const AuditCheckpointer *c);
