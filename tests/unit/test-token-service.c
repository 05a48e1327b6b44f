/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token service against SoftHSM2 loaded through p11-kit: every operation, checked by
 * OpenSSL and by OpenSC's pkcs11-tool, and the refusals that keep a wrong token or a leaky key
 * out of service. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "tests/pkcs11/token-fixture.h"

#define TIMEOUT_USEC (10U * 1000U * 1000U)

typedef struct Env {
        TokenFixture fx;
        sd_event *event;
        TokenService *service;
        FxStates states;
} Env;

static int setup_keys(void **state, FxKeys keys) {
        Env *env = calloc(1, sizeof(Env));

        assert_non_null(env);
        fx_token_setup(&env->fx, keys);
        assert_int_equal(sd_event_new(&env->event), 0);
        *state = env;
        return 0;
}

static int setup(void **state) {
        return setup_keys(state, FX_KEYS_KNOWN_HMAC);
}

static int setup_generated(void **state) {
        return setup_keys(state, FX_KEYS_GENERATED);
}

static int setup_bare(void **state) {
        return setup_keys(state, FX_KEYS_NONE);
}

static int teardown(void **state) {
        Env *env = *state;

        token_service_free(env->service);
        sd_event_unref(env->event);
        fx_token_teardown(&env->fx);
        free(env);
        return 0;
}

static void start(Env *env, const TokenConfig *c) {
        const char *reason = NULL;
        int r;

        r = token_service_new(env->event, c, &env->service, &reason);
        if (r < 0)
                fail_msg("token_service_new: %s", reason);
        token_service_set_state_handler(env->service, fx_on_state, &env->states);
}

static void start_present(Env *env, const TokenConfig *c) {
        start(env, c);
        if (!fx_wait_state(env->event, env->service, TOKEN_STATE_PRESENT, TIMEOUT_USEC))
                fail_msg("token not present: %s", env->states.reason);
}

static FxResult submit_and_wait(Env *env, TokenOp op, const void *msg, size_t size) {
        FxResult res = {};

        assert_int_equal(token_submit(env->service, op, msg, size, TOKEN_USEC_INFINITY, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(env->event, &res, TIMEOUT_USEC));
        return res;
}

static void signature_verifies_with_exported_key(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        _cleanup_(freep) void *der = NULL;
        size_t der_size = 0;
        static const char msg[] = "audit checkpoint 42";

        start_present(env, &c);
        assert_true(token_service_is_present(env->service));
        assert_int_equal(token_export_pubkey(env->service, TOKEN_KEY_FORMAT_DER, &der, &der_size), 0);

        FxResult res = submit_and_wait(env, TOKEN_OP_SIGN, msg, strlen(msg));
        assert_int_equal(res.error, 0);
        assert_int_equal(res.size, TOKEN_SIGNATURE_SIZE);
        assert_true(fx_verify(der, der_size, msg, strlen(msg), res.data));
        /* ... and not for another message. */
        assert_false(fx_verify(der, der_size, "audit checkpoint 43", 19, res.data));
}

/* The independent clients: openssl(1) with the exported PEM key, pkcs11-tool with the token's
 * own public key object. */
static void signature_verifies_with_openssl_and_pkcs11_tool(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        _cleanup_(freep) void *pem = NULL;
        size_t pem_size = 0;
        char pem_path[PATH_MAX + 16], msg_path[PATH_MAX + 16], sig_path[PATH_MAX + 16], dig_path[PATH_MAX + 16];
        char der_path[PATH_MAX + 16], out_path[PATH_MAX + 16], out[512];
        static const char msg[] = "receipt: book 9780262033848 lent at station 3";
        uint8_t digest[32];

        start_present(env, &c);
        assert_int_equal(token_export_pubkey(env->service, TOKEN_KEY_FORMAT_PEM, &pem, &pem_size), 0);
        assert_int_equal(strlen(pem), pem_size);
        assert_non_null(strstr(pem, "-----BEGIN PUBLIC KEY-----"));

        FxResult res = submit_and_wait(env, TOKEN_OP_SIGN, msg, strlen(msg));
        assert_int_equal(res.error, 0);

        snprintf(pem_path, sizeof(pem_path), "%s/pub.pem", env->fx.dir);
        snprintf(msg_path, sizeof(msg_path), "%s/msg", env->fx.dir);
        snprintf(sig_path, sizeof(sig_path), "%s/sig.rs", env->fx.dir);
        snprintf(dig_path, sizeof(dig_path), "%s/digest", env->fx.dir);
        snprintf(der_path, sizeof(der_path), "%s/sig.der", env->fx.dir);
        snprintf(out_path, sizeof(out_path), "%s/out", env->fx.dir);
        fx_write_bytes(pem_path, pem, pem_size);
        fx_write_bytes(msg_path, msg, strlen(msg));
        fx_write_bytes(sig_path, res.data, res.size);
        assert_int_equal(token_sha256(msg, strlen(msg), digest), 0);
        fx_write_bytes(dig_path, digest, sizeof(digest));

        /* pkcs11-tool: CKM_ECDSA over the digest with the public key object, signature as r||s. */
        const char *p11tool[] = { "pkcs11-tool", "--module", FX_SOFTHSM, "--token-label", FX_LABEL,
                                  "--verify", "-m", "ECDSA", "--label", FX_SIGN_KEY, "--type", "pubkey",
                                  "--input-file", dig_path, "--signature-file", sig_path,
                                  "--signature-format", "rs", NULL };
        /* pkcs11-tool exits 0 either way; its verdict is on stdout. */
        assert_int_equal(fx_run(p11tool, out_path), 0);
        assert_non_null(strstr(fx_read_text(out_path, out, sizeof(out)), "Signature is valid"));

        /* openssl: wants a DER signature; pkcs11-tool converts one the other way round for us
         * would be circular, so build it here with the ECDSA_SIG the library does not use. */
        {
                ECDSA_SIG *es = ECDSA_SIG_new();
                BIGNUM *r = BN_bin2bn(res.data, 32, NULL), *s = BN_bin2bn(res.data + 32, 32, NULL);
                uint8_t *der = NULL;
                int len;

                assert_true(es && r && s && ECDSA_SIG_set0(es, r, s) == 1);
                len = i2d_ECDSA_SIG(es, &der);
                assert_true(len > 0);
                fx_write_bytes(der_path, der, (size_t) len);
                OPENSSL_free(der);
                ECDSA_SIG_free(es);
        }
        const char *ossl[] = { "openssl", "dgst", "-sha256", "-verify", pem_path, "-signature", der_path, msg_path, NULL };
        assert_int_equal(fx_run(ossl, NULL), 0);

        /* A flipped bit must fail both. */
        const char *ossl_bad[] = { "openssl", "dgst", "-sha256", "-verify", pem_path, "-signature", der_path,
                                   dig_path, NULL };
        assert_int_not_equal(fx_run(ossl_bad, NULL), 0);
        res.data[5] ^= 0x01;
        fx_write_bytes(sig_path, res.data, res.size);
        assert_int_equal(fx_run(p11tool, out_path), 0);
        assert_non_null(strstr(fx_read_text(out_path, out, sizeof(out)), "Invalid signature"));
}

static void hmac_matches_openssl_with_the_same_key(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        static const char subject[] = "subject:library-card:000123456";
        uint8_t expected[32];

        start_present(env, &c);
        FxResult res = submit_and_wait(env, TOKEN_OP_HMAC, subject, strlen(subject));
        assert_int_equal(res.error, 0);
        assert_int_equal(res.size, TOKEN_HMAC_SIZE);
        fx_hmac_expected(subject, strlen(subject), expected);
        assert_memory_equal(res.data, expected, 32);

        /* Pseudonyms are stable: the same subject gives the same MAC. */
        FxResult again = submit_and_wait(env, TOKEN_OP_HMAC, subject, strlen(subject));
        assert_memory_equal(again.data, expected, 32);
}

static void generated_keys_sign_and_mac(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        start_present(env, &c);
        FxResult a = submit_and_wait(env, TOKEN_OP_HMAC, "x", 1);
        FxResult b = submit_and_wait(env, TOKEN_OP_HMAC, "y", 1);
        assert_int_equal(a.error, 0);
        assert_int_equal(b.error, 0);
        assert_memory_not_equal(a.data, b.data, 32);
        FxResult s = submit_and_wait(env, TOKEN_OP_SIGN, "", 0);
        assert_int_equal(s.error, 0);
}

static void module_is_found_by_p11_kit_name(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, "softhsm2");

        start_present(env, &c);
        FxResult res = submit_and_wait(env, TOKEN_OP_SIGN, "m", 1);
        assert_int_equal(res.error, 0);
}

static void module_is_taken_from_uri(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, NULL);

        c.token_uri = "pkcs11:token=" FX_LABEL "?module-name=softhsm2";
        start_present(env, &c);
        c.token_uri = "pkcs11:token=" FX_LABEL "?module-path=" FX_SOFTHSM;
        token_service_free(env->service);
        env->service = NULL;
        start_present(env, &c);
}

static void key_uri_may_name_the_token(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        c.sign_key = "pkcs11:token=" FX_LABEL ";object=" FX_SIGN_KEY ";type=private";
        start_present(env, &c);
        token_service_free(env->service);
        env->service = NULL;

        c.sign_key = "pkcs11:token=another;object=" FX_SIGN_KEY;
        start(env, &c);
        assert_true(fx_wait_state(env->event, env->service, TOKEN_STATE_ABSENT, TIMEOUT_USEC));
        assert_non_null(strstr(env->states.reason, "another token"));
}

static void token_with_other_label_is_refused(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        c.token_uri = "pkcs11:token=qrgate-other";
        start(env, &c);
        assert_true(fx_wait_state(env->event, env->service, TOKEN_STATE_ABSENT, TIMEOUT_USEC));
        /* The operator sees which token was there instead. */
        assert_non_null(strstr(env->states.reason, "refused: \"" FX_LABEL "\""));
        assert_int_equal(env->states.count[TOKEN_STATE_PRESENT], 0);

        TokenStats st;
        token_service_get_stats(env->service, &st);
        assert_int_equal(st.logins, 0);

        /* Work is refused with a reason once its wait is over. */
        FxResult res = {};
        assert_int_equal(token_sign_async(env->service, "m", 1, 0, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(env->event, &res, TIMEOUT_USEC));
        assert_int_equal(res.error, -ENODEV);
        assert_non_null(strstr(res.reason, "token absent"));
}

static void token_with_other_serial_is_refused(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        c.token_uri = "pkcs11:token=" FX_LABEL ";serial=0000000000000000";
        start(env, &c);
        assert_true(fx_wait_state(env->event, env->service, TOKEN_STATE_ABSENT, TIMEOUT_USEC));
        assert_non_null(strstr(env->states.reason, "serial"));
        assert_int_equal(env->states.count[TOKEN_STATE_PRESENT], 0);
}

static void extractable_hmac_key_is_refused(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        TokenModule *m;
        CK_SESSION_HANDLE h;

        fx_session_open(&m, &h);
        fx_import_hmac_key(m, h, "leaky", fx_hmac_secret, sizeof(fx_hmac_secret), true);
        fx_session_close(m, h);

        c.hmac_key = "leaky";
        start(env, &c);
        assert_true(fx_wait_state(env->event, env->service, TOKEN_STATE_ABSENT, TIMEOUT_USEC));
        assert_non_null(strstr(env->states.reason, "SENSITIVE"));
}

static void missing_key_keeps_service_absent_with_reason(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        c.sign_key = "pkcs11:object=no-such-key";
        start(env, &c);
        assert_true(fx_wait_state(env->event, env->service, TOKEN_STATE_ABSENT, TIMEOUT_USEC));
        assert_non_null(strstr(env->states.reason, "no-such-key"));
}

static void pkcs11_tool_keys_are_accepted(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);

        /* The documented provisioning route (docs/token.md) with OpenSC's tool. The PIN is on the
         * command line here only because this is a throwaway test token. */
        const char *pair[] = { "pkcs11-tool", "--module", FX_SOFTHSM, "--token-label", FX_LABEL, "--login",
                               "--pin", FX_PIN, "--keypairgen", "--key-type", "EC:prime256v1",
                               "--label", "tool-key", "--id", "7001", "--usage-sign", "--sensitive", NULL };
        const char *secret[] = { "pkcs11-tool", "--module", FX_SOFTHSM, "--token-label", FX_LABEL, "--login",
                                 "--pin", FX_PIN, "--keygen", "--key-type", "GENERIC:32", "--label", "tool-hmac",
                                 "--usage-sign", "--sensitive", "--private", NULL };
        assert_int_equal(fx_run(pair, NULL), 0);
        assert_int_equal(fx_run(secret, NULL), 0);

        c.sign_key = "pkcs11:id=%70%01";
        c.hmac_key = "tool-hmac";
        start_present(env, &c);
        FxResult s = submit_and_wait(env, TOKEN_OP_SIGN, "m", 1);
        FxResult h = submit_and_wait(env, TOKEN_OP_HMAC, "m", 1);
        assert_int_equal(s.error, 0);
        assert_int_equal(h.error, 0);
}

static void provisioning_never_overwrites(void **state) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *sign = NULL, *hmac = NULL;
        TokenReason why = {};
        TokenModule *m;
        CK_SESSION_HANDLE h;

        assert_int_equal(token_uri_parse_key(FX_SIGN_KEY, &sign, &why), 0);
        assert_int_equal(token_uri_parse_key("fresh-hmac", &hmac, &why), 0);
        fx_session_open(&m, &h);
        assert_int_equal(token_provision_keys(m, h, sign, hmac, &why), -EEXIST);
        /* Nothing was made: the fresh HMAC name is still free. */
        CK_OBJECT_HANDLE o;
        assert_int_equal(token_find_object(m, h, hmac, CKO_SECRET_KEY, &o, &why), -ENOENT);
        fx_session_close(m, h);
}

static void provisioned_keys_are_sensitive_and_not_extractable(void **state) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *sign = NULL, *hmac = NULL;
        TokenReason why = {};
        TokenModule *m;
        CK_SESSION_HANDLE h;
        CK_OBJECT_HANDLE priv, secret;

        assert_int_equal(token_uri_parse_key(FX_SIGN_KEY, &sign, &why), 0);
        assert_int_equal(token_uri_parse_key(FX_HMAC_KEY, &hmac, &why), 0);
        fx_session_open(&m, &h);
        assert_int_equal(token_find_object(m, h, sign, CKO_PRIVATE_KEY, &priv, &why), 0);
        assert_int_equal(token_find_object(m, h, hmac, CKO_SECRET_KEY, &secret, &why), 0);
        assert_int_equal(token_check_sign_key(m, h, priv, &why), 0);
        assert_int_equal(token_check_hmac_key(m, h, secret, &why), 0);

        /* The token itself refuses to reveal them. */
        uint8_t buf[64];
        CK_ATTRIBUTE value = { CKA_VALUE, buf, sizeof(buf) };
        assert_int_not_equal(m->f->C_GetAttributeValue(h, secret, &value, 1), CKR_OK);
        fx_session_close(m, h);
}

static void init_token_refuses_existing_label(void **state) {
        TokenPin so = fx_pin(FX_SO_PIN), user = fx_pin(FX_PIN);
        _cleanup_(token_module_freep) TokenModule *m = NULL;
        TokenReason why = {};

        assert_int_equal(token_module_load(FX_SOFTHSM, NULL, &m, &why), 0);
        assert_int_equal(token_module_initialize(m, &why), 0);
        assert_int_equal(token_provision_init_token(m, FX_LABEL, &so, &user, &why), -EEXIST);
}

static void queue_full_is_refused_at_once(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        FxResult res[4] = {};

        c.queue_max = 3;
        c.token_uri = "pkcs11:token=not-here"; /* nothing runs, so the queue fills */
        start(env, &c);
        for (unsigned i = 0; i < 3; i++)
                assert_int_equal(token_sign_async(env->service, "m", 1, TOKEN_USEC_INFINITY, fx_on_result, &res[i], NULL), 0);
        assert_int_equal(token_sign_async(env->service, "m", 1, TOKEN_USEC_INFINITY, fx_on_result, &res[3], NULL), -EAGAIN);

        TokenStats st;
        token_service_get_stats(env->service, &st);
        assert_int_equal(st.submitted, 3);
}

static void cancelled_request_gets_no_callback(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        FxResult a = {}, b = {};
        uint64_t id_a, id_b;

        c.token_uri = "pkcs11:token=not-here";
        start(env, &c);
        assert_int_equal(token_hmac_async(env->service, "a", 1, 50000, fx_on_result, &a, &id_a), 0);
        assert_int_equal(token_hmac_async(env->service, "b", 1, 50000, fx_on_result, &b, &id_b), 0);
        assert_int_equal(token_cancel(env->service, id_a), 0);
        assert_int_equal(token_cancel(env->service, id_a), -ENOENT);
        assert_true(fx_wait_result(env->event, &b, TIMEOUT_USEC));
        assert_int_equal(b.error, -ENODEV);
        fx_loop_for(env->event, 100000);
        assert_false(a.done);
}

typedef struct CancelPair {
        TokenService *s;
        uint64_t other_id;
        int first_cancel;
        FxResult second;
} CancelPair;

static void cancel_other(TokenService *s, const TokenResult *r, void *userdata) {
        CancelPair *p = userdata;

        p->first_cancel = token_cancel(s, p->other_id);
}

/* Both answers come in one dispatch (refused together); the first one's handler cancels the
 * second, which must then not be delivered. */
static void request_cancelled_by_an_earlier_answer_is_not_delivered(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        CancelPair p = { .first_cancel = 1 };

        c.token_uri = "pkcs11:token=not-here";
        start(env, &c);
        assert_int_equal(token_hmac_async(env->service, "a", 1, 30000, cancel_other, &p, NULL), 0);
        assert_int_equal(token_hmac_async(env->service, "b", 1, 30000, fx_on_result, &p.second, &p.other_id), 0);
        /* Not running the loop meanwhile: both answers are waiting when it next dispatches. */
        usleep(200000);
        fx_loop_for(env->event, 100000);
        assert_int_equal(p.first_cancel, 0);
        assert_false(p.second.done);
}

static void request_waits_for_the_token_within_its_timeout(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        FxResult res = {};

        /* Submitted before the first connection: waits, then runs. */
        start(env, &c);
        assert_int_equal(token_sign_async(env->service, "early", 5, TOKEN_USEC_INFINITY, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(env->event, &res, TIMEOUT_USEC));
        assert_int_equal(res.error, 0);
}

static void unconfigured_operation_is_refused(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        FxResult res = {};
        void *pem = NULL;
        size_t size;

        c.hmac_key = NULL;
        start_present(env, &c);
        assert_int_equal(token_hmac_async(env->service, "m", 1, 0, fx_on_result, &res, NULL), -ENOKEY);
        assert_int_equal(token_sign_async(env->service, NULL, 1, 0, fx_on_result, &res, NULL), -EINVAL);
        assert_int_equal(token_sign_async(env->service, "m", TOKEN_DATA_MAX + 1, 0, fx_on_result, &res, NULL), -EINVAL);
        assert_int_equal(token_export_pubkey(env->service, _TOKEN_KEY_FORMAT_MAX, &pem, &size), -EINVAL);
}

static bool freed_in_callback;

static void free_from_callback(TokenService *s, const TokenResult *r, void *userdata) {
        token_service_free(s);
        freed_in_callback = true;
}

static void service_may_be_freed_from_its_callback(void **state) {
        Env *env = *state;
        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        FxResult res = {};

        start_present(env, &c);
        assert_int_equal(token_sign_async(env->service, "m", 1, 0, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(env->event, &res, TIMEOUT_USEC));
        freed_in_callback = false;
        assert_int_equal(token_sign_async(env->service, "m", 1, 0, free_from_callback, NULL, NULL), 0);
        FxResult second = {};
        assert_int_equal(token_sign_async(env->service, "n", 1, 0, fx_on_result, &second, NULL), 0);
        while (!freed_in_callback)
                assert_true(sd_event_run(env->event, 100000) >= 0);
        env->service = NULL;
        /* The second answer was dropped with the service, not delivered to freed memory. */
        fx_loop_for(env->event, 50000);
        assert_false(second.done);
}

/* tests/pkcs11/make-token.sh, the demo's token maker, makes a token the service accepts. */
static void demo_token_script_makes_a_working_token(void **state) {
        Env *env = *state;
        char dir[128], conf[192], pin[192];
        const char *script = "tests/pkcs11/make-token.sh";

        if (access(script, X_OK) < 0)
                skip(); /* run from outside the source tree */
        snprintf(dir, sizeof(dir), "%s/demo", env->fx.dir);
        const char *argv[] = { script, dir, "demo-token", NULL };
        assert_int_equal(fx_run(argv, NULL), 0);
        snprintf(conf, sizeof(conf), "%s/softhsm2.conf", dir);
        snprintf(pin, sizeof(pin), "%s/pin", dir);
        assert_int_equal(setenv("SOFTHSM2_CONF", conf, 1), 0);

        TokenConfig c = fx_config(&env->fx, "softhsm2");
        c.token_uri = "pkcs11:token=demo-token";
        c.pin_file = pin;
        start_present(env, &c);
        assert_int_equal(submit_and_wait(env, TOKEN_OP_SIGN, "demo", 4).error, 0);
        assert_int_equal(submit_and_wait(env, TOKEN_OP_HMAC, "demo", 4).error, 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(signature_verifies_with_exported_key, setup, teardown),
                cmocka_unit_test_setup_teardown(signature_verifies_with_openssl_and_pkcs11_tool, setup, teardown),
                cmocka_unit_test_setup_teardown(hmac_matches_openssl_with_the_same_key, setup, teardown),
                cmocka_unit_test_setup_teardown(generated_keys_sign_and_mac, setup_generated, teardown),
                cmocka_unit_test_setup_teardown(module_is_found_by_p11_kit_name, setup, teardown),
                cmocka_unit_test_setup_teardown(module_is_taken_from_uri, setup, teardown),
                cmocka_unit_test_setup_teardown(key_uri_may_name_the_token, setup, teardown),
                cmocka_unit_test_setup_teardown(token_with_other_label_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(token_with_other_serial_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(extractable_hmac_key_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(missing_key_keeps_service_absent_with_reason, setup, teardown),
                cmocka_unit_test_setup_teardown(pkcs11_tool_keys_are_accepted, setup_bare, teardown),
                cmocka_unit_test_setup_teardown(provisioning_never_overwrites, setup, teardown),
                cmocka_unit_test_setup_teardown(provisioned_keys_are_sensitive_and_not_extractable, setup_generated, teardown),
                cmocka_unit_test_setup_teardown(init_token_refuses_existing_label, setup, teardown),
                cmocka_unit_test_setup_teardown(queue_full_is_refused_at_once, setup, teardown),
                cmocka_unit_test_setup_teardown(cancelled_request_gets_no_callback, setup, teardown),
                cmocka_unit_test_setup_teardown(request_cancelled_by_an_earlier_answer_is_not_delivered, setup, teardown),
                cmocka_unit_test_setup_teardown(request_waits_for_the_token_within_its_timeout, setup, teardown),
                cmocka_unit_test_setup_teardown(unconfigured_operation_is_refused, setup, teardown),
                cmocka_unit_test_setup_teardown(service_may_be_freed_from_its_callback, setup, teardown),
                cmocka_unit_test_setup_teardown(demo_token_script_makes_a_working_token, setup_bare, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
