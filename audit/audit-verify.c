/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit-file.h"
#include "audit/audit-verify.h"

/* How far back a checkpoint may reach for the record it covers and still be checked against the
 * chain; the daemon's checkpoints cover a head a few records old. */
#define RING_SIZE 65536U

typedef struct RingEntry {
        uint64_t seq;
        uint64_t covering; /* records up to and including seq that checkpoints cover (non-checkpoints) */
        uint8_t hash[AUDIT_HASH_SIZE];
        AuditEvent event;
} RingEntry;

typedef struct Verifier {
        const AuditVerifyOptions *o;
        AuditVerifyNote note;
        void *userdata;
        AuditVerifySummary *s;
        const char *file;
        const uint8_t *buf; /* the file's bytes */
        bool last_file;
        bool started;
        uint64_t last_seq;
        uint8_t last_hash[AUDIT_HASH_SIZE];
        AuditEvent last_event;
        uint64_t covering; /* running count of non-checkpoint records */
        uint64_t covered_covering;
        bool last_is_final;
        RingEntry *ring;
        uint8_t *key; /* the first checkpoint key, when no key was given */
        size_t key_size;
        bool key_change_reported;
        const char *first_file; /* where the first record is, for findings about the log's start */
        uint64_t first_off;
        uint64_t retire_needed; /* records before this one must be accounted for by RETIRE records */
        uint64_t retired_end;   /* largest REF + COUNT of a RETIRE record: every record before it retired */
        bool head_lost;         /* the head given is among records a LOST record accounts for */
} Verifier;

static const uint8_t zero_hash[AUDIT_HASH_SIZE];

_printf_(5, 6) static void report(Verifier *v, AuditVerifyLevel level, int64_t off, uint64_t seq, const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        va_list ap;

        if (level == AUDIT_VERIFY_PROBLEM)
                v->s->n_problems++;
        else if (level == AUDIT_VERIFY_WARNING)
                v->s->n_warnings++;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (v->note)
                v->note(v->userdata, level, off >= 0 || seq > 0 ? v->file : NULL, off, seq, msg ?: "(out of memory)");
}

static void hex(const uint8_t *p, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                sprintf(out + 2 * i, "%02x", p[i]);
}

int audit_signature_check(const uint8_t *spki, size_t spki_size, const uint8_t *msg, size_t msg_size,
                          const uint8_t sig[static AUDIT_SIGNATURE_SIZE]) {
        const unsigned char *p = spki;
        EVP_PKEY *key = NULL;
        EVP_MD_CTX *ctx = NULL;
        ECDSA_SIG *es = NULL;
        BIGNUM *r = NULL, *s = NULL;
        unsigned char *der = NULL;
        char group[32] = "";
        int der_len, ret;

        /* OpenSSL's errors end here: a key that is not P-256 is refused, anything else is a bad
         * signature. */
        key = d2i_PUBKEY(NULL, &p, (long) spki_size);
        if (!key || p != spki + spki_size || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
            EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) != 1 ||
            strcmp(group, SN_X9_62_prime256v1) != 0) {
                ret = -EKEYREJECTED;
                goto out;
        }
        es = ECDSA_SIG_new();
        r = BN_bin2bn(sig, 32, NULL);
        s = BN_bin2bn(sig + 32, 32, NULL);
        if (!es || !r || !s || ECDSA_SIG_set0(es, r, s) != 1) {
                ret = -ENOMEM;
                goto out;
        }
        r = s = NULL;
        der_len = i2d_ECDSA_SIG(es, &der);
        ctx = EVP_MD_CTX_new();
        if (der_len <= 0 || !ctx) {
                ret = -ENOMEM;
                goto out;
        }
        ret = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
                              EVP_DigestVerify(ctx, der, (size_t) der_len, msg, msg_size) == 1
                      ? 0
                      : -EBADMSG;
out:
        OPENSSL_free(der);
        EVP_MD_CTX_free(ctx);
        ECDSA_SIG_free(es);
        BN_free(r);
        BN_free(s);
        EVP_PKEY_free(key);
        return ret;
}

static void check_checkpoint(Verifier *v, const AuditRecord *r, uint64_t off) {
        const uint8_t *hash = audit_record_get_bytes(r, AUDIT_TAG_HASH, AUDIT_HASH_SIZE);
        const uint8_t *sig = audit_record_get_bytes(r, AUDIT_TAG_SIGNATURE, AUDIT_SIGNATURE_SIZE);
        const AuditField *pk = audit_record_field(r, AUDIT_TAG_PUBKEY);
        uint8_t msg[AUDIT_CHECKPOINT_MESSAGE_SIZE], fp[AUDIT_HASH_SIZE];
        char fph[2 * AUDIT_HASH_SIZE + 1];
        const uint8_t *key;
        size_t key_size;
        uint64_t ref;
        bool ok = true;
        int k;

        v->s->n_checkpoints++;
        if (!audit_record_get_u64(r, AUDIT_TAG_REF, &ref) || !hash || !sig || !pk) {
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint without its covered record, hash, "
                       "signature or key");
                return;
        }
        audit_hash(pk->value, pk->size, fp);
        hex(fp, sizeof(fp), fph);
        if (ref >= r->seq) {
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint claims to cover record %" PRIu64
                       ", which is not before it", ref);
                return;
        }

        /* Does it cover this chain? */
        const RingEntry *e = &v->ring[ref % RING_SIZE];
        uint64_t covering = 0;
        bool known = e->seq == ref && ref >= v->s->first_seq;
        if (known) {
                covering = e->covering;
                if (memcmp(e->hash, hash, AUDIT_HASH_SIZE) != 0) {
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint covers record %" PRIu64 ", but "
                               "the hash it signs is not that record's: record %" PRIu64 " or one before it was changed",
                               ref, ref);
                        ok = false;
                }
        } else if (ref < v->s->first_seq)
                report(v, AUDIT_VERIFY_INFO, (int64_t) off, r->seq, "checkpoint covers record %" PRIu64 ", before the "
                       "first record available; only its signature is checked", ref);
        else {
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint covers record %" PRIu64 ", which is not "
                       "in the log", ref);
                ok = false;
        }

        /* Signed by whom? */
        if (v->o->pubkey) {
                key = v->o->pubkey;
                key_size = v->o->pubkey_size;
                if (pk->size != key_size || memcmp(pk->value, key, key_size) != 0) {
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint names key sha256:%.16s…, not "
                               "the device key given", fph);
                        ok = false;
                }
        } else {
                if (!v->key) {
                        v->key = malloc(pk->size);
                        if (v->key) {
                                memcpy(v->key, pk->value, pk->size);
                                v->key_size = pk->size;
                        }
                } else if ((v->key_size != pk->size || memcmp(v->key, pk->value, pk->size) != 0) &&
                           !v->key_change_reported) {
                        v->key_change_reported = true;
                        report(v, AUDIT_VERIFY_WARNING, (int64_t) off, r->seq, "from here checkpoints are signed by another "
                               "key (sha256:%.16s…); check both with --pubkey", fph);
                }
                key = pk->value;
                key_size = pk->size;
        }
        audit_checkpoint_message(ref, hash, r->flags & AUDIT_FLAG_FINAL, msg);
        k = audit_signature_check(key, key_size, msg, sizeof(msg), sig);
        if (k < 0) {
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "checkpoint signature %s",
                       k == -EKEYREJECTED ? "made with a key that is not an ECDSA P-256 key"
                       : v->o->pubkey     ? "does not verify with the device key"
                                          : "does not verify with the key it names");
                ok = false;
        }

        /* Final: signed at a clean stop, over its STOP record (the flag is in the signed message). */
        if ((r->flags & AUDIT_FLAG_FINAL) && known && e->event != AUDIT_EVENT_STOP) {
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "final checkpoint does not cover a STOP record");
                ok = false;
        }
        if (!ok)
                return;
        v->s->n_checkpoints_valid++;
        v->s->have_key = true;
        memcpy(v->s->key_fingerprint, fp, sizeof(fp));
        if (ref > v->s->covered_seq) {
                v->s->covered_seq = ref;
                v->covered_covering = known ? covering : v->covered_covering;
        }
        /* The log is closed when it ends here: a final checkpoint right after the STOP it covers. */
        v->last_is_final = (r->flags & AUDIT_FLAG_FINAL) && ref + 1 == r->seq;
}

/* The numbers a LOST record gives for records that were numbered but never written (REF, COUNT);
 * false for the other kind of LOST record (COUNT only: records never numbered). */
static bool lost_range(const AuditRecord *r, uint64_t *ret_first, uint64_t *ret_count) {
        if (r->event != AUDIT_EVENT_LOST || !audit_record_get_u64(r, AUDIT_TAG_REF, ret_first))
                return false;
        if (!audit_record_get_u64(r, AUDIT_TAG_COUNT, ret_count))
                *ret_count = 0; /* accounts for nothing */
        return true;
}

static void lost_accounted(Verifier *v, uint64_t first, uint64_t last) {
        AuditVerifySummary *s = v->s;

        if (s->n_lost_gaps++ == 0)
                s->lost_first_seq = first;
        s->lost_last_seq = last;
        s->n_lost_records += last - first + 1;
        /* AuditHead names the last record numbered, which may be one of those held in memory. */
        if (v->o->have_head && v->o->head_seq >= first && v->o->head_seq <= last)
                v->head_lost = true;
}

/* Records first … last are missing right before r, whose predecessor in the log has the hash
 * prev_hash. The daemon accounts for records it had numbered but never written with a LOST record
 * right after them that links to the record before them; anything else is a hole. */
static void check_gap(Verifier *v, const AuditRecord *r, uint64_t off, uint64_t first, uint64_t last,
                      const uint8_t *prev_hash) {
        uint64_t ref, count;

        if (!lost_range(r, &ref, &count))
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "records %" PRIu64 "-%" PRIu64 " are missing "
                       "(deleted, or a file is missing)", first, last);
        else if (ref != first || count != last - first + 1)
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "records %" PRIu64 "-%" PRIu64 " are missing "
                       "(deleted, or a file is missing); the LOST record after them does not account for them: it "
                       "names %" PRIu64 " records from record %" PRIu64, first, last, count, ref);
        else if (memcmp(r->prev, prev_hash, AUDIT_HASH_SIZE) != 0)
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "records %" PRIu64 "-%" PRIu64 " are missing "
                       "(deleted, or a file is missing); the LOST record after them names them but does not link to "
                       "record %" PRIu64 ", the one before them", first, last, first - 1);
        else {
                report(v, AUDIT_VERIFY_WARNING, (int64_t) off, r->seq, "records %" PRIu64 "-%" PRIu64 " were lost: "
                       "held in memory when the daemon stopped (disk full); the LOST record accounts for them",
                       first, last);
                lost_accounted(v, first, last);
        }
}

/* The first record of the log, when it is not record 1. */
static void check_start(Verifier *v, const AuditRecord *r, uint64_t off) {
        uint64_t ref, count;

        report(v, AUDIT_VERIFY_INFO, (int64_t) off, r->seq, "the log available starts at record %" PRIu64 " (records "
               "before it were retired or are not among the files given); the chain is checked from there", r->seq);
        v->retire_needed = r->seq;
        if (!lost_range(r, &ref, &count))
                return;
        /* Lost right before the first file left: retention counted them in the records of the
         * file it retired (its count runs up to the next file's first record). */
        if (count == 0 || ref >= r->seq || count != r->seq - ref)
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "the LOST record names %" PRIu64 " records from "
                       "record %" PRIu64 ", which are not the records right before it", count, ref);
        else if (ref == 1 && memcmp(r->prev, zero_hash, AUDIT_HASH_SIZE) != 0)
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "record %" PRIu64 " links to a record before it, "
                       "but the LOST record says every record before it was lost", r->seq);
        else {
                report(v, AUDIT_VERIFY_WARNING, (int64_t) off, r->seq, "records %" PRIu64 "-%" PRIu64 " were lost: "
                       "held in memory when the daemon stopped (disk full); the LOST record accounts for them%s",
                       ref, r->seq - 1, ref > 1 ? " (the record before them was retired: the link is not checked)" : "");
                lost_accounted(v, ref, r->seq - 1);
                v->retire_needed = ref;
        }
}

/* RETIRE and LOST records: what they say about records that are not in the log. */
static void note_accounting(Verifier *v, const AuditRecord *r, uint64_t off) {
        uint64_t ref, count;

        if (r->event == AUDIT_EVENT_RETIRE && audit_record_get_u64(r, AUDIT_TAG_REF, &ref) &&
            audit_record_get_u64(r, AUDIT_TAG_COUNT, &count)) {
                /* Retention deletes the oldest files first: every record before REF + COUNT is
                 * retired (or still here, if the daemon stopped before the unlink). */
                uint64_t end = count > UINT64_MAX - ref ? UINT64_MAX : ref + count;
                v->retired_end = MAX(v->retired_end, end);
        } else if (r->event == AUDIT_EVENT_LOST && !audit_record_get_u64(r, AUDIT_TAG_REF, &ref)) {
                if (!audit_record_get_u64(r, AUDIT_TAG_COUNT, &count))
                        count = 0;
                v->s->n_unnumbered_lost += count;
                report(v, AUDIT_VERIFY_WARNING, (int64_t) off, r->seq, "%" PRIu64 " records could not be kept: the "
                       "backlog in memory was full while the log could not be written, so they were never numbered "
                       "(the chain has no gap for them)", count);
        }
}

static int on_record(void *userdata, const AuditRecord *r, uint64_t off) {
        Verifier *v = userdata;
        AuditVerifySummary *s = v->s;
        uint8_t hash[AUDIT_HASH_SIZE];
        uint64_t ref, count;

        s->n_records++;
        if (!(r->flags & AUDIT_FLAG_CLOCK_SYNCED))
                s->n_clock_unsynced++;
        audit_record_hash(r, hash);

        if (!v->started) {
                v->started = true;
                s->first_seq = r->seq;
                v->first_file = v->file;
                v->first_off = off;
                if (r->seq == 1) {
                        if (memcmp(r->prev, zero_hash, AUDIT_HASH_SIZE) != 0)
                                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "record 1 links to a record before "
                                       "it: it is not the start of a chain");
                        if (lost_range(r, &ref, &count))
                                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "the LOST record names %" PRIu64
                                       " records from record %" PRIu64 ", but it is record 1: no records come before it", count, ref);
                } else
                        check_start(v, r, off);
        } else if (r->seq != v->last_seq + 1) {
                if (r->seq <= v->last_seq)
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "record %" PRIu64 " comes after record %"
                               PRIu64 ": records are out of order or repeated", r->seq, v->last_seq);
                else
                        check_gap(v, r, off, v->last_seq + 1, r->seq - 1, v->last_hash);
        } else {
                if (memcmp(r->prev, v->last_hash, AUDIT_HASH_SIZE) != 0)
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "record %" PRIu64 " does not link to "
                               "record %" PRIu64 ": one of them was changed, or records were removed and renumbered",
                               r->seq, v->last_seq);
                if (lost_range(r, &ref, &count))
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "the LOST record names %" PRIu64 " records "
                               "from record %" PRIu64 ", but no records are missing before it", count, ref);
        }
        note_accounting(v, r, off);

        if (v->o->have_head && r->seq == v->o->head_seq) {
                s->head_found = memcmp(hash, v->o->head_hash, AUDIT_HASH_SIZE) == 0;
                if (!s->head_found)
                        report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, r->seq, "record %" PRIu64 " is not the head given "
                               "(its hash differs)", r->seq);
        }

        v->last_is_final = false;
        if (r->event == AUDIT_EVENT_CHECKPOINT)
                check_checkpoint(v, r, off);
        else
                v->covering++;

        RingEntry *e = &v->ring[r->seq % RING_SIZE];
        *e = (RingEntry) { .seq = r->seq, .covering = v->covering, .event = r->event };
        memcpy(e->hash, hash, AUDIT_HASH_SIZE);
        v->last_seq = r->seq;
        v->last_event = r->event;
        memcpy(v->last_hash, hash, AUDIT_HASH_SIZE);
        s->last_seq = r->seq;
        memcpy(s->last_hash, hash, AUDIT_HASH_SIZE);
        return 0;
}

static int on_damage(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn) {
        Verifier *v = userdata;

        /* An interrupted append leaves an incomplete record (or zeros): a whole record whose CRC
         * fails was changed after it was written, wherever it is. */
        bool interrupted = torn && (why == AUDIT_PARSE_SHORT || memeqzero(v->buf + off, size));
        if (at_end && interrupted && v->last_file)
                report(v, v->o->open_ok ? AUDIT_VERIFY_WARNING : AUDIT_VERIFY_PROBLEM, (int64_t) off, 0,
                       "the log ends in a torn record (%" PRIu64 " bytes, %s): an interrupted append, or the file was "
                       "cut%s", size, audit_parse_to_string(why), v->o->open_ok ? "; the daemon cuts it at its next start" : "");
        else
                report(v, AUDIT_VERIFY_PROBLEM, (int64_t) off, 0, "%s: %" PRIu64 " bytes here are not records (changed "
                       "or damaged)", audit_parse_to_string(why), size);
        v->last_is_final = false;
        return 0;
}

typedef struct Input {
        char *path;
        uint64_t key;
} Input;

static int input_cmp(const void *a, const void *b) {
        const Input *x = a, *y = b;
        if (x->key != y->key)
                return (x->key > y->key) - (x->key < y->key);
        return strcmp(x->path, y->path);
}

static int add_input(Input **list, size_t *n, size_t *allocated, const char *path) {
        if (*n == *allocated) {
                size_t m = *allocated ? *allocated * 2 : 16;
                Input *l = reallocarray(*list, m, sizeof(Input));
                if (!l)
                        return -ENOMEM;
                *list = l;
                *allocated = m;
        }
        (*list)[*n] = (Input) { .path = strdup(path), .key = UINT64_MAX };
        if (!(*list)[*n].path)
                return -ENOMEM;
        (*n)++;
        return 0;
}

/* Directories stand for the audit files in them. */
static int expand(const char *const *paths, size_t n, Input **ret, size_t *ret_n) {
        Input *list = NULL;
        size_t k = 0, allocated = 0;
        int r = 0;

        for (size_t i = 0; i < n && r >= 0; i++) {
                struct stat st;
                if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode)) {
                        _cleanup_(freep) AuditFileEntry *files = NULL;
                        _cleanup_(closep) int fd = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        size_t nf = 0;
                        if (fd < 0 || audit_dir_list(fd, &files, &nf) < 0) {
                                r = add_input(&list, &k, &allocated, paths[i]); /* reported when read */
                                continue;
                        }
                        for (size_t j = 0; j < nf && r >= 0; j++) {
                                _cleanup_(freep) char *p = NULL;
                                if (asprintf(&p, "%s/%s", paths[i], files[j].name) < 0)
                                        r = -ENOMEM;
                                else
                                        r = add_input(&list, &k, &allocated, p);
                        }
                } else
                        r = add_input(&list, &k, &allocated, paths[i]);
        }
        if (r < 0) {
                for (size_t i = 0; i < k; i++)
                        free(list[i].path);
                free(list);
                return r;
        }
        /* Chain order: by the first record of each file (its name may have been changed). */
        for (size_t i = 0; i < k; i++) {
                uint8_t buf[AUDIT_RECORD_MAX];
                AuditRecord rec;
                _cleanup_(closep) int fd = open(list[i].path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                ssize_t got = fd >= 0 ? pread(fd, buf, sizeof(buf), 0) : -1;
                uint64_t seq;
                const char *base = strrchr(list[i].path, '/');
                if (got > 0 && audit_record_parse(buf, (size_t) got, &rec) == AUDIT_PARSE_OK)
                        list[i].key = rec.seq;
                else if (audit_file_name_parse(base ? base + 1 : list[i].path, &seq))
                        list[i].key = seq;
        }
        if (k > 0)
                qsort(list, k, sizeof(Input), input_cmp);
        *ret = list;
        *ret_n = k;
        return 0;
}

int audit_verify(const char *const *paths, size_t n, const AuditVerifyOptions *o, AuditVerifyNote note, void *userdata,
                 AuditVerifySummary *ret) {
        static const AuditScanOps ops = { .record = on_record, .damage = on_damage };
        Verifier v = { .o = o, .note = note, .userdata = userdata, .s = ret };
        Input *inputs = NULL;
        size_t n_inputs = 0;
        int r;

        *ret = (AuditVerifySummary) {};
        v.ring = calloc(RING_SIZE, sizeof(RingEntry));
        if (!v.ring)
                return -ENOMEM;
        r = expand(paths, n, &inputs, &n_inputs);
        if (r < 0) {
                free(v.ring);
                return r;
        }

        for (size_t i = 0; i < n_inputs; i++) {
                _cleanup_(freep) uint8_t *buf = NULL;
                size_t size = 0;

                v.file = inputs[i].path;
                v.last_file = i + 1 == n_inputs;
                ret->n_files++;
                r = audit_file_read_path(v.file, &buf, &size);
                if (r < 0) {
                        report(&v, AUDIT_VERIFY_PROBLEM, 0, 0, "cannot read: %s", strerror(-r));
                        continue;
                }
                if (size == 0) {
                        report(&v, v.last_file ? AUDIT_VERIFY_WARNING : AUDIT_VERIFY_PROBLEM, 0, 0, "empty file");
                        continue;
                }
                v.buf = buf;
                (void) audit_scan(buf, size, &ops, &v);
        }
        v.file = NULL;

        if (ret->n_records == 0)
                report(&v, AUDIT_VERIFY_PROBLEM, -1, 0, "no records");
        else {
                /* Missing at the start: retired, as RETIRE records (written into newer files before
                 * each unlink, so the last of them is always still here) say — or a hole. */
                v.file = v.first_file;
                if (v.retire_needed > 1 && v.retired_end < v.retire_needed && !o->prefix_ok)
                        report(&v, AUDIT_VERIFY_PROBLEM, (int64_t) v.first_off, ret->first_seq, "records %" PRIu64 "-%"
                               PRIu64 " are missing and no RETIRE record accounts for them%s: files are missing, or "
                               "were deleted by hand", MAX(v.retired_end, (uint64_t) 1), v.retire_needed - 1,
                               v.retired_end > 1 ? " (RETIRE records account for the records before them)" : "");
                else if (v.retire_needed > 1 && v.retired_end >= v.retire_needed)
                        report(&v, AUDIT_VERIFY_INFO, (int64_t) v.first_off, ret->first_seq, "records 1-%" PRIu64 " were "
                               "retired: RETIRE records in the log account for them", v.retire_needed - 1);
                v.file = NULL;

                uint64_t covering_total = v.covering;
                ret->closed = v.last_is_final;
                ret->unsigned_records = ret->covered_seq ? covering_total - v.covered_covering : covering_total;
                if (ret->closed)
                        ret->unsigned_records = 0;
                if (o->have_head && !ret->head_found && o->head_seq > ret->last_seq)
                        report(&v, AUDIT_VERIFY_PROBLEM, -1, 0, "the head given (record %" PRIu64 ") is beyond the end of "
                               "the log (record %" PRIu64 "): the log was cut short", o->head_seq, ret->last_seq);
                else if (o->have_head && !ret->head_found && o->head_seq < ret->first_seq)
                        report(&v, AUDIT_VERIFY_WARNING, -1, 0, "the head given (record %" PRIu64 ") was retired; it "
                               "cannot be checked", o->head_seq);
                else if (o->have_head && !ret->head_found && v.head_lost)
                        report(&v, AUDIT_VERIFY_WARNING, -1, 0, "the head given (record %" PRIu64 ") was lost (held in "
                               "memory when the daemon stopped); it cannot be checked", o->head_seq);
                if (!ret->closed) {
                        bool anchored = o->have_head && ret->head_found;
                        if (ret->n_checkpoints_valid == 0)
                                report(&v, o->open_ok ? AUDIT_VERIFY_WARNING : AUDIT_VERIFY_PROBLEM, -1, 0,
                                       "no valid checkpoint: nothing in this log is signed");
                        else if (o->open_ok || anchored)
                                report(&v, AUDIT_VERIFY_WARNING, -1, 0, "the log is open: %" PRIu64 " records after "
                                       "record %" PRIu64 " are not covered by a checkpoint yet", ret->unsigned_records,
                                       ret->covered_seq);
                        else
                                report(&v, AUDIT_VERIFY_PROBLEM, -1, 0, "the log does not end with a final checkpoint: it "
                                       "was cut short, or the daemon is running or crashed (%" PRIu64 " records after "
                                       "record %" PRIu64 " are not signed); --open accepts a live log, --head checks it "
                                       "against a head known from elsewhere", ret->unsigned_records, ret->covered_seq);
                }
        }

        for (size_t i = 0; i < n_inputs; i++)
                free(inputs[i].path);
        free(inputs);
        free(v.ring);
        free(v.key);
        return 0;
}
