/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log with a real token (SoftHSM2, through the service, as the daemon uses it):
 * checkpoints signed by the device key and checked offline, pseudonyms made in the token and
 * never the raw id, a slow or absent token that delays nothing, and tampering of every kind —
 * random bit flips, truncations, edits with the chain recomputed, re-signing with another key —
 * found and located by verification. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/x509.h>

#include "daemon/pseudonym.h"
#include "tests/audit/audit-fixture.h"
#include "tests/pkcs11/fault-control.h"
#include "tests/pkcs11/token-fixture.h"

#define TIMEOUT_USEC (10U * 1000U * 1000U)

typedef struct Env {
        AuditFx afx;
        TokenFixture tfx;
        TokenService *token;
        FxStates states;
        uint8_t *spki; /* the device key, DER */
        size_t spki_size;
        FaultControl fault;
        bool have_fault;
} Env;

static int setup(void **state) {
        Env *env = calloc(1, sizeof(Env));

        assert_non_null(env);
        afx_setup(&env->afx);
        fx_token_setup(&env->tfx, FX_KEYS_KNOWN_HMAC);
        *state = env;
        return 0;
}

static int teardown(void **state) {
        Env *env = *state;

        token_service_free(env->token);
        if (env->have_fault) {
                env->fault.reset();
                fault_control_close(&env->fault);
        }
        free(env->spki);
        fx_token_teardown(&env->tfx);
        afx_teardown(&env->afx);
        free(env);
        return 0;
}

static void start_token(Env *env, const char *module) {
        TokenConfig c = fx_config(&env->tfx, module);
        const char *reason = NULL;

        if (token_service_new(env->afx.event, &c, &env->token, &reason) < 0)
                fail_msg("token_service_new: %s", reason);
        token_service_set_state_handler(env->token, fx_on_state, &env->states);
        if (!fx_wait_state(env->afx.event, env->token, TOKEN_STATE_PRESENT, TIMEOUT_USEC))
                fail_msg("token not present: %s", env->states.reason);
        void *der = NULL;
        assert_int_equal(token_export_pubkey(env->token, TOKEN_KEY_FORMAT_DER, &der, &env->spki_size), 0);
        env->spki = der;
}

static void start_slow_token(Env *env) {
        start_token(env, env->tfx.fault_module);
        assert_int_equal(fault_control_open(env->tfx.fault_module, &env->fault), 0);
        env->have_fault = true;
}

static Audit *open_log(Env *env, const AuditConf *c) {
        Audit *a = NULL;

        assert_int_equal(audit_open(env->afx.event, env->afx.state, c, &a), 0);
        audit_set_token(a, env->token);
        return a;
}

typedef struct Waiter {
        Audit *a;
        uint64_t checkpoint_seq;
        bool stopped;
} Waiter;

static bool checkpoint_reached(void *userdata) {
        Waiter *w = userdata;
        AuditHead h;

        audit_get_head(w->a, &h);
        return h.checkpoint_seq >= w->checkpoint_seq;
}

static void on_stopped(Audit *a, void *userdata) {
        ((Waiter *) userdata)->stopped = true;
}

static bool stopped(void *userdata) {
        return ((Waiter *) userdata)->stopped;
}

/* A clean stop: STOP, and the final checkpoint from the token. */
static void stop_log(Env *env, Audit *a) {
        Waiter w = { .a = a };

        assert_int_equal(audit_stop(a, on_stopped, &w), 1);
        assert_true(afx_loop_until(env->afx.event, stopped, &w, TIMEOUT_USEC));
        audit_free(a);
}

static AuditVerifyOptions with_key(const Env *env) {
        return (AuditVerifyOptions) { .pubkey = env->spki, .pubkey_size = env->spki_size };
}

/* A log of n decisions with a checkpoint every `every` records, closed cleanly. */
static void make_log(Env *env, unsigned n, unsigned every) {
        AuditConf c = afx_conf();
        Audit *a;

        c.checkpoint_records = every;
        a = open_log(env, &c);
        assert_int_equal(audit_log_start(a, NULL), 0);
        for (unsigned i = 0; i < n; i++) {
                assert_int_equal(afx_decision(a, i), 0);
                /* Let the token sign each batch's checkpoint before the next batch, as it would
                 * between real scans. (A fixed 2 ms was not always enough under ASan on a loaded
                 * machine: the writer then rightly folds the batches into one checkpoint.) */
                if (i % every == every - 1) {
                        AuditHead h;
                        audit_get_head(a, &h);
                        Waiter w = { .a = a, .checkpoint_seq = h.checkpoint_seq + 1 };
                        assert_true(afx_loop_until(env->afx.event, checkpoint_reached, &w, TIMEOUT_USEC));
                }
        }
        stop_log(env, a);
}

static void checkpoints_are_signed_in_the_token_and_verify_with_its_key(void **state) {
        Env *env = *state;

        start_token(env, FX_SOFTHSM);
        make_log(env, 35, 10);

        AuditVerifyOptions o = with_key(env);
        AfxReport r = afx_verify(&env->afx, &o);
        assert_int_equal(r.s.n_problems, 0);
        assert_true(r.s.closed);
        assert_true(r.s.n_checkpoints_valid >= 4);
        assert_int_equal(r.s.n_checkpoints_valid, r.s.n_checkpoints);
        assert_int_equal(r.s.unsigned_records, 0);
        uint8_t fp[AUDIT_HASH_SIZE];
        audit_hash(env->spki, env->spki_size, fp);
        assert_memory_equal(r.s.key_fingerprint, fp, sizeof(fp));
        afx_report_free(&r);

        /* The same log against a key that is not the device key: refused. */
        EVP_PKEY *other = EVP_EC_gen("P-256");
        unsigned char *der = NULL;
        int n = i2d_PUBKEY(other, &der);
        assert_true(n > 0);
        o = (AuditVerifyOptions) { .pubkey = der, .pubkey_size = (size_t) n };
        r = afx_verify(&env->afx, &o);
        assert_true(r.s.n_problems >= r.s.n_checkpoints);
        assert_non_null(strstr(r.text, "not the device key given"));
        assert_non_null(strstr(r.text, "does not verify with the device key"));
        afx_report_free(&r);
        OPENSSL_free(der);
        EVP_PKEY_free(other);
}

/* AuditHead names the last checkpoint after a restart too, also when it is in an earlier file
 * than the last one. */
static void the_last_checkpoint_is_found_at_start_in_an_earlier_file(void **state) {
        Env *env = *state;
        AuditConf c = afx_conf();
        AuditHead h;
        Audit *a;

        start_token(env, FX_SOFTHSM);
        make_log(env, 12, 5);
        assert_int_equal(audit_open(env->afx.event, env->afx.state, &c, &a), 0);
        audit_get_head(a, &h);
        uint64_t want = h.checkpoint_seq;
        assert_true(want > 0);
        a = audit_free(a);

        /* Without the token, and a file per record: the last two files hold no checkpoint. */
        c.max_file_size = 1;
        assert_int_equal(audit_open(env->afx.event, env->afx.state, &c, &a), 0);
        assert_int_equal(afx_decision(a, 1), 0);
        a = audit_free(a);
        assert_int_equal(audit_open(env->afx.event, env->afx.state, &c, &a), 0);
        audit_get_head(a, &h);
        assert_int_equal(h.checkpoint_seq, want);
        audit_free(a);
}

static void a_checkpoint_follows_within_checkpoint_seconds_and_idle_logs_stay_quiet(void **state) {
        Env *env = *state;
        AuditConf c = afx_conf();
        Audit *a;

        start_token(env, FX_SOFTHSM);
        c.checkpoint_records = 1000;
        c.checkpoint_seconds = 1;
        a = open_log(env, &c);
        uint64_t t0 = afx_now_usec();
        for (unsigned i = 0; i < 3; i++)
                assert_int_equal(afx_decision(a, i), 0);
        Waiter w = { .a = a, .checkpoint_seq = 3 };
        assert_true(afx_loop_until(env->afx.event, checkpoint_reached, &w, 3000000));
        uint64_t took = afx_now_usec() - t0;
        assert_true(took >= 900000 && took < 2000000);

        /* Nothing new: no further checkpoint, no timer left running. */
        AuditHead h1, h2;
        audit_get_head(a, &h1);
        afx_loop_for(env->afx.event, 1500000);
        audit_get_head(a, &h2);
        assert_int_equal(h1.seq, h2.seq);
        stop_log(env, a);
}

static bool file_contains(Env *env, const char *needle) {
        char **paths;
        size_t n = afx_list(&env->afx, &paths), size;
        bool found = false;

        for (size_t i = 0; i < n; i++) {
                _cleanup_(freep) uint8_t *buf = afx_read(paths[i], &size);
                found = found || memmem(buf, size, needle, strlen(needle));
        }
        afx_free_paths(paths);
        return found;
}

typedef struct MacWait {
        bool done;
        int error;
        uint8_t mac[TOKEN_HMAC_SIZE];
} MacWait;

static void on_mac(TokenService *t, const TokenResult *res, void *userdata) {
        MacWait *w = userdata;

        w->done = true;
        w->error = res->error;
        if (res->error == 0 && res->size == TOKEN_HMAC_SIZE)
                memcpy(w->mac, res->data, TOKEN_HMAC_SIZE);
}

static bool mac_done(void *userdata) {
        return ((MacWait *) userdata)->done;
}

/* The daemon asks the token once per decision (daemon/publish.c): the pseudonym is the token's
 * HMAC of the documented input, and it is all of the subject that reaches the log. */
static void pseudonym_is_the_token_hmac_and_the_raw_id_never_reaches_the_disk(void **state) {
        static const char input[] = "qrgate-subject-v1\0city\0raw-subject-4711";
        char long_sub[PSEUDONYM_TEXT_MAX + 2];
        Env *env = *state;
        AuditConf c = afx_conf();
        uint8_t want[32];
        uint64_t seq;
        MacWait w = {};
        Audit *a;

        start_token(env, FX_SOFTHSM);
        assert_int_equal(pseudonym_request(env->token, "city", "raw-subject-4711", TIMEOUT_USEC, on_mac, &w, NULL), 0);
        assert_true(afx_loop_until(env->afx.event, mac_done, &w, TIMEOUT_USEC));
        assert_int_equal(w.error, 0);
        fx_hmac_expected(input, sizeof(input) - 1, want);
        assert_memory_equal(w.mac, want, sizeof(want));
        /* What no code can carry is not pseudonymized (nor cut to fit, which would merge people). */
        memset(long_sub, 'p', sizeof(long_sub) - 1);
        long_sub[sizeof(long_sub) - 1] = '\0';
        assert_int_equal(pseudonym_request(env->token, "city", long_sub, TIMEOUT_USEC, on_mac, &w, NULL), -EINVAL);
        assert_int_equal(pseudonym_request(env->token, "city", "", TIMEOUT_USEC, on_mac, &w, NULL), -EINVAL);

        a = open_log(env, &c);
        assert_int_equal(audit_log_decision(a, "main", true, "ok", "QG1", "scan0", AUDIT_SUBJECT_PENDING, AUDIT_SUBJECT_NONE, NULL, &seq), 0);
        assert_int_equal(seq, 1);
        audit_log_pseudonym(a, seq, w.mac, NULL, NULL);
        stop_log(env, a);

        AfxPseudonym p = afx_pseudonym(&env->afx);
        assert_true(p.found);
        assert_int_equal(p.ref, 1);
        assert_int_equal(p.subject, AUDIT_SUBJECT_PRESENT);
        assert_memory_equal(p.mac, want, sizeof(want));
        assert_false(file_contains(env, "raw-subject-4711"));

        AuditVerifyOptions o = with_key(env);
        AfxReport r = afx_verify(&env->afx, &o);
        assert_int_equal(r.s.n_problems, 0);
        afx_report_free(&r);
}

static void absent_token_raises_a_checkpoint_alarm_and_signing_resumes(void **state) {
        Env *env = *state;
        AuditConf c = afx_conf();
        Audit *a;

        start_slow_token(env);
        c.checkpoint_records = 1000;
        c.checkpoint_seconds = 1;
        c.pseudonym_timeout_ms = 100;
        a = open_log(env, &c);
        env->fault.remove_token();
        assert_int_equal(afx_decision(a, 1), 0);
        afx_loop_for(env->afx.event, 2500000); /* the sign request gives up after 1 s */

        env->fault.insert_token();
        assert_true(fx_wait_state(env->afx.event, env->token, TOKEN_STATE_PRESENT, TIMEOUT_USEC));
        Waiter w = { .a = a, .checkpoint_seq = afx_head_seq(a) };
        assert_true(afx_loop_until(env->afx.event, checkpoint_reached, &w, 5000000));
        stop_log(env, a);

        AuditVerifyOptions o = with_key(env);
        AfxReport r = afx_verify(&env->afx, &o);
        assert_int_equal(r.s.n_problems, 0);
        assert_true(r.s.closed);
        afx_report_free(&r);
        /* alarm raised while away, cleared when the token signed again */
        assert_true(file_contains(env, "raised"));
        assert_true(file_contains(env, "the token signs again"));
}

/* Tampering. */

typedef struct Log {
        uint8_t *buf;
        size_t size;
        char path[PATH_MAX];
        AfxRecords *rs;
        size_t last_checkpoint_end;
} Log;

static void load_single_file_log(Env *env, Log *log) {
        char **paths;

        assert_int_equal(afx_list(&env->afx, &paths), 1);
        snprintf(log->path, sizeof(log->path), "%s", paths[0]);
        afx_free_paths(paths);
        log->buf = afx_read(log->path, &log->size);
        log->rs = calloc(1, sizeof(AfxRecords));
        assert_non_null(log->rs);
        afx_records(log->buf, log->size, log->rs);
        for (size_t i = 0; i < log->rs->n; i++)
                if (log->rs->event[i] == AUDIT_EVENT_CHECKPOINT)
                        log->last_checkpoint_end = log->rs->off[i] + log->rs->size[i];
        assert_true(log->last_checkpoint_end == log->size);
}

static size_t record_at(const Log *log, size_t off) {
        for (size_t i = 0; i < log->rs->n; i++)
                if (off >= log->rs->off[i] && off < log->rs->off[i] + log->rs->size[i])
                        return i;
        fail_msg("offset %zu in no record", off);
        return 0;
}

static AfxReport verify_bytes(Env *env, const Log *log, const uint8_t *buf, size_t size, const AuditVerifyOptions *o) {
        const char *p = log->path;

        afx_write(log->path, buf, size);
        return afx_verify_paths(&p, 1, o);
}

static void thousand_bit_flips_and_thousand_truncations_are_all_detected(void **state) {
        Env *env = *state;
        unsigned short seed[3] = { 0x5147, 0x4154, 0x0005 };
        Log log = {};
        unsigned flips = 0, truncations = 0;

        start_token(env, FX_SOFTHSM);
        make_log(env, 200, 20);
        load_single_file_log(env, &log);
        AuditVerifyOptions o = with_key(env);
        AfxReport r = verify_bytes(env, &log, log.buf, log.size, &o);
        assert_int_equal(r.s.n_problems, 0);
        assert_true(r.s.closed);
        afx_report_free(&r);

        _cleanup_(freep) uint8_t *copy = malloc(log.size);
        assert_non_null(copy);
        for (unsigned i = 0; i < 1000; i++) {
                size_t bit = (size_t) (nrand48(seed) % (long) (log.size * 8));
                memcpy(copy, log.buf, log.size);
                copy[bit / 8] ^= (uint8_t) (1u << (bit % 8));
                r = verify_bytes(env, &log, copy, log.size, &o);
                if (r.s.n_problems == 0)
                        fail_msg("bit %zu flipped: not detected", bit);
                /* Located: the first problem is at the start of the record the bit is in. */
                assert_int_equal(r.first_problem_off, (int64_t) log.rs->off[record_at(&log, bit / 8)]);
                afx_report_free(&r);
                flips++;
        }
        for (unsigned i = 0; i < 1000; i++) {
                size_t cut = (size_t) (nrand48(seed) % (long) log.last_checkpoint_end);
                r = verify_bytes(env, &log, log.buf, cut, &o);
                if (r.s.n_problems == 0)
                        fail_msg("cut at %zu of %zu: not detected", cut, log.size);
                afx_report_free(&r);
                truncations++;
        }
        /* The cuts that look most innocent: right after each checkpoint but the last. */
        for (size_t i = 0; i + 1 < log.rs->n; i++) {
                if (log.rs->event[i] != AUDIT_EVENT_CHECKPOINT)
                        continue;
                r = verify_bytes(env, &log, log.buf, log.rs->off[i] + log.rs->size[i], &o);
                assert_true(r.s.n_problems > 0);
                assert_non_null(strstr(r.text, "does not end with a final checkpoint"));
                afx_report_free(&r);
                truncations++;
        }
        print_message("%u bit flips and %u truncations, all detected\n", flips, truncations);
        afx_write(log.path, log.buf, log.size);
        free(log.buf);
        free(log.rs);
}

/* Re-encodes every record as a forger would: editing some, re-linking all, and re-signing each
 * checkpoint with key (or keeping its signature when key is NULL). */
typedef bool (*EditFn)(AuditBuilder *b, const AuditRecord *r, void *userdata);

static size_t forge(const Log *log, uint8_t *out, EVP_PKEY *key, uint64_t drop_seq, EditFn edit, void *userdata) {
        uint8_t prev[AUDIT_HASH_SIZE] = {}, (*hashes)[AUDIT_HASH_SIZE] = calloc(log->rs->n + 2, AUDIT_HASH_SIZE);
        unsigned char *spki = NULL;
        int spki_size = key ? i2d_PUBKEY(key, &spki) : 0;
        size_t size = 0;
        uint64_t seq = 0;

        assert_non_null(hashes);
        for (size_t i = 0; i < log->rs->n; i++) {
                AuditRecord r;
                AuditBuilder b;
                uint64_t ref = 0;

                assert_int_equal(audit_record_parse(log->buf + log->rs->off[i], log->rs->size[i], &r), AUDIT_PARSE_OK);
                if (r.seq == drop_seq)
                        continue;
                seq++;
                audit_builder_init(&b, r.event);
                b.flags = r.flags;
                if (!edit || !edit(&b, &r, userdata)) {
                        (void) audit_record_get_u64(&r, AUDIT_TAG_REF, &ref);
                        if (ref >= drop_seq && drop_seq)
                                ref--; /* renumbered along */
                        for (size_t k = 0; k < r.n_fields; k++) {
                                const AuditField *f = &r.fields[k];
                                if (f->tag == AUDIT_TAG_REF)
                                        audit_builder_add_u64(&b, AUDIT_TAG_REF, ref);
                                else if (r.event == AUDIT_EVENT_CHECKPOINT && key && f->tag == AUDIT_TAG_HASH)
                                        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, hashes[ref], AUDIT_HASH_SIZE);
                                else if (r.event == AUDIT_EVENT_CHECKPOINT && key && f->tag == AUDIT_TAG_SIGNATURE) {
                                        uint8_t msg[AUDIT_CHECKPOINT_MESSAGE_SIZE], sig[64];
                                        audit_checkpoint_message(ref, hashes[ref], r.flags & AUDIT_FLAG_FINAL, msg);
                                        afx_sign_raw(key, msg, sizeof(msg), sig);
                                        audit_builder_add_bytes(&b, AUDIT_TAG_SIGNATURE, sig, sizeof(sig));
                                } else if (r.event == AUDIT_EVENT_CHECKPOINT && key && f->tag == AUDIT_TAG_PUBKEY)
                                        audit_builder_add_bytes(&b, AUDIT_TAG_PUBKEY, spki, (size_t) spki_size);
                                else
                                        audit_builder_add_bytes(&b, f->tag, f->value, f->size);
                        }
                }
                assert_int_equal(audit_builder_finish(&b, seq, r.time_usec, prev, prev), 0);
                memcpy(hashes[seq], prev, AUDIT_HASH_SIZE);
                memcpy(out + size, b.buf, b.size);
                size += b.size;
        }
        free(hashes);
        OPENSSL_free(spki);
        return size;
}

static bool grant_decision_5(AuditBuilder *b, const AuditRecord *r, void *userdata) {
        if (r->seq != 5 || r->event != AUDIT_EVENT_DECISION)
                return false;
        for (size_t k = 0; k < r->n_fields; k++) {
                const AuditField *f = &r->fields[k];
                if (f->tag == AUDIT_TAG_DECISION)
                        audit_builder_add_u8(b, AUDIT_TAG_DECISION, !f->value[0]);
                else
                        audit_builder_add_bytes(b, f->tag, f->value, f->size);
        }
        return true;
}

static void edits_with_the_chain_recomputed_and_resigning_are_detected(void **state) {
        Env *env = *state;
        Log log = {};
        size_t size;

        start_token(env, FX_SOFTHSM);
        make_log(env, 60, 10);
        load_single_file_log(env, &log);
        _cleanup_(freep) uint8_t *out = malloc(log.size + 4096);
        assert_non_null(out);
        AuditVerifyOptions o = with_key(env);

        /* Re-encoding without changes gives the same bytes: the forger's tool is faithful. */
        size = forge(&log, out, NULL, 0, NULL, NULL);
        assert_int_equal(size, log.size);
        assert_memory_equal(out, log.buf, size);

        /* A decision changed, every link and CRC recomputed: the checkpoint over it disagrees. */
        size = forge(&log, out, NULL, 0, grant_decision_5, NULL);
        AfxReport r = verify_bytes(env, &log, out, size, &o);
        assert_true(r.s.n_problems > 0);
        assert_non_null(strstr(r.text, "the hash it signs is not that record's"));
        afx_report_free(&r);

        /* A record deleted and the rest renumbered and re-linked: the same. */
        size = forge(&log, out, NULL, 7, NULL, NULL);
        r = verify_bytes(env, &log, out, size, &o);
        assert_true(r.s.n_problems > 0);
        afx_report_free(&r);

        /* The change and all checkpoints re-signed with another key: the device key says no... */
        EVP_PKEY *other = EVP_EC_gen("P-256");
        size = forge(&log, out, other, 0, grant_decision_5, NULL);
        r = verify_bytes(env, &log, out, size, &o);
        assert_true(r.s.n_problems >= r.s.n_checkpoints);
        assert_non_null(strstr(r.text, "not the device key given"));
        afx_report_free(&r);
        /* ...while the log alone looks consistent, under a fingerprint that is not the device's:
         * which is why verification takes --pubkey. */
        r = verify_bytes(env, &log, out, size, &(AuditVerifyOptions) {});
        assert_int_equal(r.s.n_problems, 0);
        uint8_t fp[AUDIT_HASH_SIZE];
        audit_hash(env->spki, env->spki_size, fp);
        assert_memory_not_equal(r.s.key_fingerprint, fp, sizeof(fp));
        afx_report_free(&r);
        EVP_PKEY_free(other);

        /* A head noted earlier (AuditHead on the bus) catches a cut that removes whole runs. */
        AuditVerifyOptions anchored = with_key(env);
        anchored.open_ok = true;
        anchored.have_head = true;
        anchored.head_seq = log.rs->n;
        audit_hash(log.buf + log.rs->off[log.rs->n - 1], log.rs->size[log.rs->n - 1], anchored.head_hash);
        r = verify_bytes(env, &log, log.buf, log.size, &anchored);
        assert_int_equal(r.s.n_problems, 0);
        assert_true(r.s.head_found);
        afx_report_free(&r);
        r = verify_bytes(env, &log, log.buf, log.rs->off[20], &anchored);
        assert_true(r.s.n_problems > 0);
        assert_non_null(strstr(r.text, "cut short"));
        afx_report_free(&r);

        afx_write(log.path, log.buf, log.size);
        free(log.buf);
        free(log.rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(checkpoints_are_signed_in_the_token_and_verify_with_its_key, setup, teardown),
                cmocka_unit_test_setup_teardown(the_last_checkpoint_is_found_at_start_in_an_earlier_file, setup, teardown),
                cmocka_unit_test_setup_teardown(a_checkpoint_follows_within_checkpoint_seconds_and_idle_logs_stay_quiet,
                                                setup, teardown),
                cmocka_unit_test_setup_teardown(pseudonym_is_the_token_hmac_and_the_raw_id_never_reaches_the_disk, setup,
                                                teardown),
                cmocka_unit_test_setup_teardown(absent_token_raises_a_checkpoint_alarm_and_signing_resumes, setup, teardown),
                cmocka_unit_test_setup_teardown(thousand_bit_flips_and_thousand_truncations_are_all_detected, setup, teardown),
                cmocka_unit_test_setup_teardown(edits_with_the_chain_recomputed_and_resigning_are_detected, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
