/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The key under which the daemon remembers a subject between decisions (presence in an area,
 * a rate limit): HMAC-SHA256 of (iss, sub) under a per-appliance secret, cut to 16 bytes. State
 * kept per subject holds only this key — never the raw id, in memory or on disk — and without
 * the secret the key says nothing about who it is.
 *
 * The secret comes from the token: the token's HMAC key over a fixed label, asked once at start
 * (daemon/manager.c), so it is the same after every restart and never lies in a file. The
 * decision must never wait for the token, so until the token answers (and for good without a
 * token) the secret is random, made at start: state keyed with it is valid in memory only and
 * must not be written to disk (subject_key_is_persistent()). Computed locally with OpenSSL: one
 * HMAC per decision costs about a microsecond, a token round trip milliseconds. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/macro.h"

#define SUBJECT_KEY_SIZE 16
#define SUBJECT_KEY_SECRET_SIZE 32
/* What the token's HMAC key is applied to, to give the secret. A pseudonym's input begins with
 * "qrgate-subject-v1" and a NUL (audit/pseudonym-input.h), so the two uses never share an input. */
#define SUBJECT_KEY_TOKEN_LABEL "qrgate-state-secret-v1"

typedef struct SubjectKey SubjectKey;

/* A key with a random secret (not persistent). Returns 0, -ENOMEM, or -EIO when the system's
 * random source fails. */
int subject_key_new(SubjectKey **ret);
SubjectKey *subject_key_free(SubjectKey *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(SubjectKey *, subject_key_free);

/* The secret derived from the token's answer (at least SUBJECT_KEY_SECRET_SIZE bytes; more are
 * folded in by hashing): from now on, keys are the same after a restart. Returns 0 or -EINVAL. */
int subject_key_set_secret(SubjectKey *k, const uint8_t *secret, size_t size);

/* The key of (iss, sub) in ret. Returns 0, or -EINVAL when iss or sub is empty or longer than a
 * code can carry (CLAIM_TEXT_MAX): nothing is cut to fit, which would give two people one key. */
int subject_key_of(const SubjectKey *k, const char *iss, const char *sub, uint8_t ret[SUBJECT_KEY_SIZE]);

/* Whether the secret came from the token: only then may state keyed with it be written to disk. */
bool subject_key_is_persistent(const SubjectKey *k);

/* 16 bytes naming the secret, for a state file's header: a file written under another secret
 * (another token, or the random one of an earlier start) is not used. */
void subject_key_id(const SubjectKey *k, uint8_t ret[SUBJECT_KEY_SIZE]);
