/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token service's edges that need no token: CK_RV to errno, URIs, PIN sources, names,
 * and configuration checks at token_service_new(). */

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

static void removal_family_maps_to_absent_errors(void **state) {
        static const CK_RV gone[] = {
                CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID, CKR_SESSION_CLOSED,
                CKR_USER_NOT_LOGGED_IN, CKR_DEVICE_ERROR, CKR_GENERAL_ERROR, CKR_SLOT_ID_INVALID,
                CKR_TOKEN_NOT_RECOGNIZED, CKR_KEY_HANDLE_INVALID, CKR_OBJECT_HANDLE_INVALID,
        };

        for (size_t i = 0; i < ELEMENTSOF(gone); i++) {
                int r = token_errno_from_rv(gone[i]);

                assert_true(r < 0);
                assert_true(token_error_is_absent(r));
        }
}

static void operation_errors_are_not_absent(void **state) {
        static const CK_RV op[] = {
                CKR_FUNCTION_FAILED, CKR_MECHANISM_INVALID, CKR_DATA_LEN_RANGE, CKR_KEY_FUNCTION_NOT_PERMITTED,
                CKR_ARGUMENTS_BAD, CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_HOST_MEMORY, CKR_VENDOR_DEFINED | 7,
                CKR_OPERATION_ACTIVE, CKR_BUFFER_TOO_SMALL,
        };

        for (size_t i = 0; i < ELEMENTSOF(op); i++) {
                int r = token_errno_from_rv(op[i]);

                assert_true(r < 0);
                assert_false(token_error_is_absent(r));
        }
        assert_int_equal(token_errno_from_rv(CKR_OK), 0);
        assert_int_equal(token_errno_from_rv(CKR_PIN_INCORRECT), -EKEYREJECTED);
        assert_int_equal(token_errno_from_rv(CKR_PIN_LOCKED), -EKEYREVOKED);
        assert_int_equal(token_errno_from_rv(CKR_USER_ALREADY_LOGGED_IN), -EALREADY);
        assert_int_equal(token_errno_from_rv(CKR_FUNCTION_NOT_SUPPORTED), -EOPNOTSUPP);
        assert_int_equal(token_errno_from_rv(CKR_NO_EVENT), -EAGAIN);
}

static void failure_reason_names_the_call(void **state) {
        TokenReason why = {};

        assert_int_equal(token_fail_rv(&why, "C_Sign", CKR_DEVICE_REMOVED), -ENODEV);
        assert_non_null(strstr(why.text, "C_Sign: "));
        assert_int_equal(token_fail_rv(&why, "C_Sign", CKR_VENDOR_DEFINED | 0x42), -EPROTO);
        assert_non_null(strstr(why.text, "vendor error 0x80000042"));
}

static void token_uri_is_parsed_and_checked(void **state) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        TokenReason why = {};
        CK_TOKEN_INFO info;

        assert_int_equal(token_uri_parse_token("pkcs11:token=qrgate;serial=1a2b", &uri, &why), 0);
        memset(&info, ' ', sizeof(info));
        memcpy(info.label, "qrgate", 6);
        memcpy(info.serialNumber, "1a2b", 4);
        assert_true(p11_kit_uri_match_token_info(uri, &info));
        memcpy(info.serialNumber, "1a2c", 4);
        assert_false(p11_kit_uri_match_token_info(uri, &info));
        p11_kit_uri_free(TAKE_PTR(uri));

        assert_int_equal(token_uri_parse_token("https://qrgate", &uri, &why), -EINVAL);
        assert_non_null(strstr(why.text, "bad PKCS#11 URI"));
        /* A misspelt attribute must not silently select any token. */
        assert_int_equal(token_uri_parse_token("pkcs11:tokn=qrgate", &uri, &why), -EINVAL);
        assert_int_equal(token_uri_parse_token("pkcs11:token=qrgate;object=device-key", &uri, &why), -EINVAL);
        assert_int_equal(token_uri_parse_token(NULL, &uri, &why), -EINVAL);
        assert_null(uri);
}

static void key_is_a_uri_or_a_label(void **state) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *a = NULL, *b = NULL, *c = NULL;
        TokenReason why = {};
        CK_ATTRIBUTE t[3];
        CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;

        assert_int_equal(token_uri_parse_key("device-key", &a, &why), 0);
        assert_int_equal(token_uri_object_template(a, &cls, t), 2);
        assert_int_equal(t[1].type, CKA_LABEL);
        assert_int_equal(t[1].ulValueLen, 10);
        assert_memory_equal(t[1].pValue, "device-key", 10);

        assert_int_equal(token_uri_parse_key("pkcs11:object=k%20ey;id=%01%02", &b, &why), 0);
        assert_int_equal(token_uri_object_template(b, &cls, t), 3);
        assert_memory_equal(t[1].pValue, "k ey", 4);
        assert_int_equal(t[2].type, CKA_ID);
        assert_memory_equal(t[2].pValue, "\x01\x02", 2);

        assert_int_equal(token_uri_parse_key("pkcs11:token=qrgate", &c, &why), -EINVAL);
        assert_non_null(strstr(why.text, "names no object"));
        assert_int_equal(token_uri_parse_key("", &c, &why), -EINVAL);
}

typedef struct PinDir {
        char dir[64];
        char path[128];
} PinDir;

static int pin_setup(void **state) {
        PinDir *p = calloc(1, sizeof(PinDir));

        assert_non_null(p);
        snprintf(p->dir, sizeof(p->dir), "/tmp/qrgate-pin-XXXXXX");
        assert_non_null(mkdtemp(p->dir));
        snprintf(p->path, sizeof(p->path), "%s/token-pin", p->dir);
        *state = p;
        return 0;
}

static int pin_teardown(void **state) {
        PinDir *p = *state;

        (void) unlink(p->path);
        (void) rmdir(p->dir);
        (void) unsetenv("CREDENTIALS_DIRECTORY");
        free(p);
        return 0;
}

static void pin_file_is_read_without_line_end(void **state) {
        PinDir *p = *state;
        _cleanup_(token_pin_erase) TokenPin pin = {};
        TokenReason why = {};

        fx_write_file(p->path, "12 34\r\n", 0600);
        assert_int_equal(token_pin_read(NULL, p->path, &pin, &why), 0);
        assert_int_equal(pin.size, 5);
        assert_string_equal(pin.value, "12 34");
}

static void pin_file_readable_by_others_is_refused(void **state) {
        PinDir *p = *state;
        _cleanup_(token_pin_erase) TokenPin pin = {};
        TokenReason why = {};

        fx_write_file(p->path, "1234\n", 0640);
        assert_int_equal(token_pin_read(NULL, p->path, &pin, &why), -EPERM);
        assert_non_null(strstr(why.text, "chmod 0600"));
        assert_int_equal(pin.size, 0);
}

static void empty_or_huge_pin_is_refused(void **state) {
        PinDir *p = *state;
        _cleanup_(token_pin_erase) TokenPin pin = {};
        TokenReason why = {};
        char big[TOKEN_PIN_MAX + 8];

        fx_write_file(p->path, "\n", 0600);
        assert_int_equal(token_pin_read(NULL, p->path, &pin, &why), -EINVAL);
        memset(big, '7', sizeof(big) - 1);
        big[sizeof(big) - 1] = 0;
        fx_write_file(p->path, big, 0600);
        assert_int_equal(token_pin_read(NULL, p->path, &pin, &why), -E2BIG);
        assert_int_equal(token_pin_read(NULL, "/nonexistent/pin", &pin, &why), -ENOENT);
}

static void pin_credential_comes_from_credentials_directory(void **state) {
        PinDir *p = *state;
        _cleanup_(token_pin_erase) TokenPin pin = {};
        TokenReason why = {};

        fx_write_file(p->path, "cred-pin", 0400);
        assert_int_equal(token_pin_read("token-pin", NULL, &pin, &why), -ENXIO);
        /* The reason points at the unit line that gives the credential. */
        assert_non_null(strstr(why.text, "LoadCredentialEncrypted= in qrgated.service"));
        assert_int_equal(setenv("CREDENTIALS_DIRECTORY", p->dir, 1), 0);
        assert_int_equal(token_pin_read("token-pin", NULL, &pin, &why), 0);
        assert_string_equal(pin.value, "cred-pin");
        /* systemd grants a non-root service user access by ACL, which shows as group bits: fine
         * for a credential in its private directory, not for a PIN file. */
        assert_int_equal(chmod(p->path, 0440), 0);
        assert_int_equal(token_pin_read("token-pin", NULL, &pin, &why), 0);
        assert_int_equal(token_pin_read(NULL, p->path, &pin, &why), -EPERM);
        assert_int_equal(token_pin_read("../token-pin", NULL, &pin, &why), -EINVAL);
        assert_int_equal(token_pin_read("other", NULL, &pin, &why), -ENOENT);
}

static void names_round_trip(void **state) {
        for (TokenState s = 0; s < _TOKEN_STATE_MAX; s++)
                assert_int_equal(token_state_from_string(token_state_to_string(s)), s);
        assert_int_equal(token_state_from_string("gone"), _TOKEN_STATE_INVALID);
        assert_null(token_state_to_string(_TOKEN_STATE_MAX));
        assert_true(token_state_is_alarm(TOKEN_STATE_PIN_FINAL_TRY));
        assert_false(token_state_is_alarm(TOKEN_STATE_ABSENT));
        assert_string_equal(token_op_to_string(TOKEN_OP_HMAC), "hmac");
}

static void bad_configuration_is_refused_at_creation(void **state) {
        sd_event *e = NULL;
        TokenService *s = NULL;
        const char *reason = NULL;
        TokenConfig c = {
                .module = FX_SOFTHSM,
                .token_uri = "pkcs11:token=qrgate",
        };

        assert_int_equal(sd_event_new(&e), 0);

        c.token_uri = NULL;
        assert_int_equal(token_service_new(e, &c, &s, &reason), -EINVAL);
        assert_non_null(strstr(reason, "token URI"));

        c.token_uri = "pkcs11:token=qrgate";
        c.module = "/nonexistent/module.so";
        assert_int_equal(token_service_new(e, &c, &s, &reason), -ENOENT);

        c.module = "no-such-p11-kit-module";
        assert_int_equal(token_service_new(e, &c, &s, &reason), -ENOENT);
        assert_non_null(strstr(reason, "p11-kit"));

        c.module = NULL;
        assert_int_equal(token_service_new(e, &c, &s, &reason), -EINVAL);
        assert_non_null(strstr(reason, "no PKCS#11 module"));

        c.module = FX_SOFTHSM;
        c.pin_file = "/nonexistent/pin";
        assert_int_equal(token_service_new(e, &c, &s, &reason), -ENOENT);
        c.pin_credential = "pin";
        assert_int_equal(token_service_new(e, &c, &s, &reason), -EINVAL);
        c.pin_file = c.pin_credential = NULL;

        c.poll_min_usec = 2000000;
        c.poll_max_usec = 1000000;
        assert_int_equal(token_service_new(e, &c, &s, &reason), -EINVAL);
        assert_null(s);

        sd_event_unref(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(removal_family_maps_to_absent_errors),
                cmocka_unit_test(operation_errors_are_not_absent),
                cmocka_unit_test(failure_reason_names_the_call),
                cmocka_unit_test(token_uri_is_parsed_and_checked),
                cmocka_unit_test(key_is_a_uri_or_a_label),
                cmocka_unit_test_setup_teardown(pin_file_is_read_without_line_end, pin_setup, pin_teardown),
                cmocka_unit_test_setup_teardown(pin_file_readable_by_others_is_refused, pin_setup, pin_teardown),
                cmocka_unit_test_setup_teardown(empty_or_huge_pin_is_refused, pin_setup, pin_teardown),
                cmocka_unit_test_setup_teardown(pin_credential_comes_from_credentials_directory, pin_setup, pin_teardown),
                cmocka_unit_test(names_round_trip),
                cmocka_unit_test(bad_configuration_is_refused_at_creation),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
