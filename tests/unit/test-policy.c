/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Door policy on valid codes: scopes, status colours, formats. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/policy.h"

static DoorConf door(void) {
        return (DoorConf) {
                .id = "main",
                .scopes = { "building.A.enter", "library.lend" },
                .n_scopes = 2,
                .status_mask = 1u << CODE_STATUS_GREEN,
        };
}

static VerifyResult code(const char *scope, int status) {
        VerifyResult r = { .reason = REASON_OK, .format = CODE_FORMAT_QG1, .have_claims = true };
        r.claims.n_scopes = 1;
        strcpy(r.claims.scopes[0], scope);
        r.claims.status = status;
        return r;
}

static Reason decide(const DoorConf *d, const VerifyResult *r) {
        char detail[192] = "";
        PolicyInput in = { .door = d, .code = r, .now = 0 };
        Reason reason = policy_decide(&in, detail, sizeof(detail));
        assert_true(reason == REASON_OK || detail[0] != '\0');
        return reason;
}

static void a_matching_scope_and_green_open_the_door(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_OK);
}

static void any_one_of_several_scopes_is_enough(void **state) {
        DoorConf d = door();
        VerifyResult r = code("pool.enter", CODE_STATUS_GREEN);
        r.claims.n_scopes = 2;
        strcpy(r.claims.scopes[1], "building.A.enter");
        assert_int_equal(decide(&d, &r), REASON_OK);
}

static void a_code_for_another_building_is_scope(void **state) {
        DoorConf d = door();
        VerifyResult r = code("building.B.enter", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
        /* A prefix is not a match. */
        r = code("building.A", CODE_STATUS_GREEN);
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
        r = code("x", CODE_STATUS_GREEN);
        r.claims.n_scopes = 0;
        assert_int_equal(decide(&d, &r), REASON_SCOPE);
}

static void status_colours_follow_the_door(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_YELLOW);
        assert_int_equal(decide(&d, &r), REASON_STATUS);
        d.status_mask |= 1u << CODE_STATUS_YELLOW;
        assert_int_equal(decide(&d, &r), REASON_OK);
        r = code("library.lend", CODE_STATUS_RED);
        assert_int_equal(decide(&d, &r), REASON_STATUS);
}

static void other_formats_need_a_door_rule_of_their_own(void **state) {
        DoorConf d = door();
        VerifyResult r = code("library.lend", CODE_STATUS_GREEN);
        r.format = CODE_FORMAT_UNKNOWN;
        assert_int_not_equal(decide(&d, &r), REASON_OK);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_matching_scope_and_green_open_the_door),
                cmocka_unit_test(any_one_of_several_scopes_is_enough),
                cmocka_unit_test(a_code_for_another_building_is_scope),
                cmocka_unit_test(status_colours_follow_the_door),
                cmocka_unit_test(other_formats_need_a_door_rule_of_their_own),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
