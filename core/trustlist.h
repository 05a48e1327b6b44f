/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The trust list for HC1 codes: the Document Signer Certificates (DSCs) whose keys may sign an
 * EU DCC, found by key id. hcert spec §3.3.3 and the DCC gateway's onboarding rules define the
 * key id as the first 8 bytes of SHA-256 over the certificate's DER encoding, and a verifier
 * "MUST check all DSCs with that KID" — so a lookup yields every match, not the first.
 *
 * The list is loaded from files an operator or an updater puts in place: DER (one certificate)
 * or PEM (one or many, a bundle). It is immutable once built; reloading means building a new
 * list and swapping it in (core/verifier.h holds a borrowed pointer), so a list that fails to
 * load never replaces one that works. */

#include <errno.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cose.h"
#include "core/macro.h"

#define DSC_KID_LEN 8
/* Bounds for a list built from files: the whole EU gateway held about 1000 DSCs in 2022. */
#define TRUSTLIST_MAX_CERTS 65536
#define TRUSTLIST_MAX_FILE (16 * 1024 * 1024)
#define DSC_SUBJECT_MAX 127

/* What an appliance may do when the list is older than allowed (Verifier.dcc_trust_max_age). */
typedef enum TrustListAgePolicy {
        TRUST_LIST_AGE_DENY, /* refuse HC1 codes with trust-list-too-old (the default) */
        TRUST_LIST_AGE_WARN, /* verify as usual; VerifyResult.hc1.trust_list_stale is set */
        _TRUST_LIST_AGE_MAX,
        _TRUST_LIST_AGE_INVALID = -EINVAL,
} TrustListAgePolicy;

/* What a verdict needs to know and show about a DSC; copied into each HC1 result. */
typedef struct DscInfo {
        uint8_t kid[DSC_KID_LEN];
        char subject[DSC_SUBJECT_MAX + 1]; /* RFC 2253 one-line form, printable ASCII */
        int64_t not_before, not_after;     /* unix seconds */
        bool has_eku;       /* it has an extendedKeyUsage extension */
        bool dcc_limited;   /* which names DCC types: then it may sign only those */
        unsigned dcc_types; /* DccType bits it may sign: all unless dcc_limited */
        CoseKeyType key_type;
} DscInfo;

typedef struct Dsc {
        DscInfo info;
        uint8_t sha256[32];
        X509 *x509;
        CoseKey key; /* its public key, set up for verifying once, when the list is built */
} Dsc;

typedef struct TrustList TrustList;

int trustlist_new(TrustList **ret);
TrustList *trustlist_free(TrustList *tl);
DEFINE_TRIVIAL_CLEANUP_FUNC(TrustList *, trustlist_free);

/* Adds one certificate given as DER. Returns 0, or:
 *  -EBADMSG      not exactly one X.509 certificate, or an unreadable validity or extendedKeyUsage;
 *  -EKEYREJECTED its key cannot verify HC1 signatures (only EC P-256 and RSA ≥ 2048 can);
 *  -EEXIST       the same certificate is already in the list;
 *  -ENOSPC       the list holds TRUSTLIST_MAX_CERTS;
 *  -ENOMEM. */
int trustlist_add_der(TrustList *tl, const uint8_t *der, size_t len);

/* Called for each certificate or file that a load skipped: path, the certificate's position in
 * the file (0 for DER files and for errors about the file itself), and -errno as above (plus
 * -errno from reading the file, -EFBIG for a file over TRUSTLIST_MAX_FILE). Loading never logs;
 * the daemon's callback does. */
typedef void (*TrustListSkipFn)(const char *path, size_t index, int error, void *userdata);

/* Loads a file: PEM with one or more CERTIFICATE blocks (other blocks are ignored), or else one
 * DER certificate. The file must be a regular file of at most TRUSTLIST_MAX_FILE bytes (a
 * symbolic link to one is followed). Returns the number of certificates added (≥ 0), or the
 * errors of read_regular_file() (core/fileio.h: -EBADFD for a FIFO, socket or device, -EISDIR,
 * -EFBIG, -errno; read_file_strerror() says them in words), or -EBADMSG when it holds no
 * certificate at all. Certificates that cannot be
 * added are reported through skip (may be NULL) and do not fail the load. Raises the list's
 * updated_at to the file's modification time. */
int trustlist_load_file(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata);

/* Loads every regular file named *.pem, *.crt, *.cer or *.der directly in the directory, in name
 * order (hidden files and subdirectories are not read). Files that fail, and entries with such a
 * name that are not regular files (-EBADFD: a FIFO, socket or device, never opened in a way that
 * could block), are reported through skip and do not fail the load. Returns the number of certificates added, or -errno when the
 * directory cannot be read. */
int trustlist_load_dir(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata);

/* trustlist_load_dir() for a directory, trustlist_load_file() for anything else. */
int trustlist_load_path(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata);

size_t trustlist_count(const TrustList *tl);

/* The i-th DSC in key id order (i < trustlist_count()), for listings. */
const Dsc *trustlist_get(const TrustList *tl, size_t i);

/* Sets *ret to the DSCs with this key id (adjacent in the list) and returns how many there are.
 * Pointers stay valid until the list is freed. */
size_t trustlist_find(const TrustList *tl, const uint8_t *kid, size_t kid_len, const Dsc *const **ret);

/* When the list's content was last updated: the newest modification time among the files it
 * was loaded from (an updater that fetches the list rewrites them), unix seconds; 0 when
 * unknown (a list built in memory). trustlist_set_updated_at() overrides it, e.g. with the
 * signing time of a downloaded list. */
int64_t trustlist_updated_at(const TrustList *tl);
void trustlist_set_updated_at(TrustList *tl, int64_t t);

/* now - updated_at in seconds (0 when updated_at is in the future); -1 when it is unknown. */
int64_t trustlist_age(const TrustList *tl, int64_t now);

/* When this process built the list (the caller records it: core code reads no clock). */
int64_t trustlist_loaded_at(const TrustList *tl);
void trustlist_set_loaded_at(TrustList *tl, int64_t t);

/* The DSC's key id: the first 8 bytes of SHA-256 over the DER. -ENOMEM/-EIO from OpenSSL. */
int dsc_kid(const uint8_t *der, size_t len, uint8_t ret[static DSC_KID_LEN]);

const char *trust_list_age_policy_to_string(TrustListAgePolicy p);
TrustListAgePolicy trust_list_age_policy_from_string(const char *s);
