/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl token init|info|pubkey` (tools/ctl-token.c) on a SoftHSM2 token made in a
 * temporary directory: provisioning from a blank token, refusal to overwrite, and a public key
 * export that checks what the service signs. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pkcs11/token-fixture.h"
#include "tests/unit/helper-cmocka.h"
#include "tools/ctl-token.h"

typedef struct Env {
        TokenFixture fx;
        char so_pin_file[PATH_MAX + 16];
        char out[PATH_MAX + 16];
        char text[8192];
} Env;

static int setup(void **state) {
        Env *env = calloc(1, sizeof(Env));

        assert_non_null(env);
        fx_token_setup(&env->fx, FX_TOKEN_BLANK);
        snprintf(env->so_pin_file, sizeof(env->so_pin_file), "%s/so-pin", env->fx.dir);
        fx_write_file(env->so_pin_file, FX_SO_PIN "\n", 0600);
        snprintf(env->out, sizeof(env->out), "%s/stdout", env->fx.dir);
        *state = env;
        return 0;
}

static int teardown(void **state) {
        Env *env = *state;

        fx_token_teardown(&env->fx);
        free(env);
        return 0;
}

/* Runs ctl_token with stdout captured in env->text. */
static int ctl(Env *env, const char *const args[]) {
        char *argv[32];
        int argc = 0, saved, fd, r;

        for (; args[argc]; argc++)
                argv[argc] = (char *) args[argc];
        argv[argc] = NULL;

        fflush(stdout);
        saved = dup(STDOUT_FILENO);
        fd = open(env->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(saved >= 0 && fd >= 0);
        dup2(fd, STDOUT_FILENO);
        close(fd);
        r = ctl_token(argc, argv);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        fx_read_text(env->out, env->text, sizeof(env->text));
        return r;
}

static void init_provisions_a_blank_token_and_refuses_to_overwrite(void **state) {
        Env *env = *state;
        const char *init[] = { "token", "init", "--module", FX_SOFTHSM, "--token", "pkcs11:token=" FX_LABEL,
                               "--pin-file", env->fx.pin_file, "--init-token", "--so-pin-file", env->so_pin_file,
                               NULL };
        const char *again[] = { "token", "init", "--module", FX_SOFTHSM, "--token", "pkcs11:token=" FX_LABEL,
                                "--pin-file", env->fx.pin_file, NULL };
        const char *info[] = { "token", "info", "--module", "softhsm2", "--token", "pkcs11:token=" FX_LABEL,
                               "--pin-file", env->fx.pin_file, NULL };

        assert_int_equal(ctl(env, init), 0);
        assert_non_null(strstr(env->text, "initialized token \"" FX_LABEL "\""));
        assert_non_null(strstr(env->text, "-----BEGIN PUBLIC KEY-----"));

        assert_int_equal(ctl(env, again), 1);

        assert_int_equal(ctl(env, info), 0);
        assert_non_null(strstr(env->text, "token: " FX_LABEL "\n"));
        assert_non_null(strstr(env->text, "device public key: SHA-256 "));
        assert_non_null(strstr(env->text, "device key: present, sensitive, not extractable"));
        assert_non_null(strstr(env->text, "HMAC key: present, sensitive, not extractable"));
        assert_non_null(strstr(env->text, "user PIN final try: no"));
}

static void exported_key_checks_what_the_service_signs(void **state) {
        Env *env = *state;
        char pem_path[PATH_MAX + 16], der_path[PATH_MAX + 16];
        const char *init[] = { "token", "init", "--module", FX_SOFTHSM, "--token", "pkcs11:token=" FX_LABEL,
                               "--pin-file", env->fx.pin_file, "--init-token", "--so-pin-file", env->so_pin_file,
                               "--no-hmac", NULL };
        const char *pubkey[] = { "token", "pubkey", "--module", FX_SOFTHSM, "--token", "pkcs11:token=" FX_LABEL,
                                 "--output", pem_path, NULL };
        const char *pubkey_der[] = { "token", "pubkey", "--module", FX_SOFTHSM, "--token", "pkcs11:token=" FX_LABEL,
                                     "--der", "--output", der_path, NULL };
        _cleanup_(freep) void *der = NULL;
        TokenService *s = NULL;
        sd_event *e = NULL;
        const char *reason;
        char text[4096];
        FxResult res = {};
        int fd;
        ssize_t n;

        snprintf(pem_path, sizeof(pem_path), "%s/device.pem", env->fx.dir);
        snprintf(der_path, sizeof(der_path), "%s/device.der", env->fx.dir);
        assert_int_equal(ctl(env, init), 0);
        assert_null(strstr(env->text, "HMAC"));
        /* The public half needs no PIN. */
        assert_int_equal(ctl(env, pubkey), 0);
        assert_int_equal(ctl(env, pubkey_der), 0);

        TokenConfig c = fx_config(&env->fx, FX_SOFTHSM);
        c.hmac_key = NULL;
        assert_int_equal(sd_event_new(&e), 0);
        if (token_service_new(e, &c, &s, &reason) < 0)
                fail_msg("%s", reason);
        assert_true(fx_wait_state(e, s, TOKEN_STATE_PRESENT, 10000000));
        assert_int_equal(token_sign_async(s, "checked off the box", 19, 0, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(e, &res, 10000000));
        assert_int_equal(res.error, 0);

        /* The service's export and the CLI's are the same key. */
        size_t der_size = 0;
        assert_int_equal(token_export_pubkey(s, TOKEN_KEY_FORMAT_DER, &der, &der_size), 0);
        fd = open(der_path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        n = read(fd, text, sizeof(text));
        close(fd);
        assert_int_equal(n, der_size);
        assert_memory_equal(text, der, der_size);
        assert_true(fx_verify(text, (size_t) n, "checked off the box", 19, res.data));

        token_service_free(s);
        sd_event_unref(e);
}

/* Exit status 2, as for qrgatectl's other commands. */
static void usage_errors_are_refused(void **state) {
        Env *env = *state;
        const char *no_token[] = { "token", "info", "--module", FX_SOFTHSM, NULL };
        const char *unknown[] = { "token", "burn", NULL };
        /* There is no way to give a PIN as an argument. */
        const char *pin_arg[] = { "token", "init", "--token", "pkcs11:token=x", "--pin", "1234", NULL };
        const char *both[] = { "token", "info", "--token", "pkcs11:token=x", "--pin-file", "a", "--pin-credential",
                               "b", NULL };
        const char *none[] = { "token", NULL };

        assert_int_equal(ctl(env, no_token), 2);
        assert_int_equal(ctl(env, unknown), 2);
        assert_int_equal(ctl(env, pin_arg), 2);
        assert_int_equal(ctl(env, both), 2);
        assert_int_equal(ctl(env, none), 2);
}

static void missing_token_is_reported(void **state) {
        Env *env = *state;
        const char *info[] = { "token", "info", "--module", FX_SOFTHSM, "--token", "pkcs11:token=elsewhere", NULL };

        assert_int_equal(ctl(env, info), 1);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(init_provisions_a_blank_token_and_refuses_to_overwrite),
                cmocka_unit_test(exported_key_checks_what_the_service_signs),
                cmocka_unit_test(usage_errors_are_refused),
                cmocka_unit_test(missing_token_is_reported),
        };

        return th_run_tests_with_fixture(tests, setup, teardown);
}
