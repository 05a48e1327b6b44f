/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 200 random removals and reinsertions of the token during a signing and HMAC workload: no
 * crash, no wrong result, and service again within 5 s of every reinsertion. The fault module
 * (tests/pkcs11/fault-module.c) pulls the token at random moments: between calls, during a
 * connection, under a queued request. */

#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pkcs11/fault-control.h"
#include "tests/pkcs11/token-fixture.h"

#define CYCLES 200U
#define IN_FLIGHT 4U
#define RECOVERY_LIMIT_USEC (5U * 1000U * 1000U)

typedef struct Work Work;

typedef struct Stress {
        TokenService *service;
        uint8_t *spki;
        size_t spki_size;
        unsigned seed;
        uint64_t counter;
        uint64_t ok, wrong, refused, other_errors;
        uint64_t last_success_usec;
        uint64_t inserted_usec;
} Stress;

struct Work {
        Stress *stress;
        TokenOp op;
        char msg[48];
};

static void submit(Stress *st, Work *w);

static void on_result(TokenService *s, const TokenResult *r, void *userdata) {
        Work *w = userdata;
        Stress *st = w->stress;

        if (r->error == 0) {
                bool right;

                if (w->op == TOKEN_OP_SIGN)
                        right = r->size == TOKEN_SIGNATURE_SIZE &&
                                fx_verify(st->spki, st->spki_size, w->msg, strlen(w->msg), r->data);
                else {
                        uint8_t expected[32];

                        fx_hmac_expected(w->msg, strlen(w->msg), expected);
                        right = r->size == TOKEN_HMAC_SIZE && memcmp(r->data, expected, 32) == 0;
                }
                if (right) {
                        st->ok++;
                        st->last_success_usec = fx_now_usec();
                } else
                        st->wrong++;
        } else if (r->error == -ENODEV)
                st->refused++; /* waited its second and the token was still out: allowed */
        else {
                st->other_errors++;
                fprintf(stderr, "unexpected error %d: %s\n", r->error, r->reason);
        }
        submit(st, w);
}

static void submit(Stress *st, Work *w) {
        int r;

        w->op = (st->counter & 1) ? TOKEN_OP_HMAC : TOKEN_OP_SIGN;
        snprintf(w->msg, sizeof(w->msg), "stress %" PRIu64 " %u", st->counter++, (unsigned) rand_r(&st->seed));
        r = token_submit(st->service, w->op, w->msg, strlen(w->msg), 1000000, on_result, w, NULL);
        if (r < 0)
                fail_msg("submit: %d", r);
}

static bool success_after(void *userdata) {
        Stress *st = userdata;

        return st->last_success_usec > st->inserted_usec;
}

static void two_hundred_random_removals_during_signing(void **state) {
        TokenFixture fx;
        FaultControl fault = {};
        sd_event *event = NULL;
        FxStates states = {};
        Stress st = { .seed = 4711 };
        Work work[IN_FLIGHT] = {};
        uint64_t recovery[CYCLES], recovery_max = 0, recovery_sum = 0;
        const char *reason;
        TokenStats stats;

        fx_token_setup(&fx, FX_KEYS_KNOWN_HMAC);
        if (fault_control_open(fx.fault_module, &fault) < 0)
                fail_msg("fault module: %s", dlerror());
        fault.reset();
        assert_int_equal(sd_event_new(&event), 0);

        TokenConfig c = fx_config(&fx, fx.fault_module);
        c.poll_min_usec = 2000;
        c.poll_max_usec = 20000;
        c.health_usec = 20000;
        if (token_service_new(event, &c, &st.service, &reason) < 0)
                fail_msg("token_service_new: %s", reason);
        token_service_set_state_handler(st.service, fx_on_state, &states);
        assert_true(fx_wait_state(event, st.service, TOKEN_STATE_PRESENT, RECOVERY_LIMIT_USEC));
        assert_int_equal(token_export_pubkey(st.service, TOKEN_KEY_FORMAT_DER, (void **) &st.spki, &st.spki_size), 0);

        for (unsigned i = 0; i < IN_FLIGHT; i++) {
                work[i].stress = &st;
                submit(&st, &work[i]);
        }

        for (unsigned cycle = 0; cycle < CYCLES; cycle++) {
                /* Some work while present, then out for a random while, then back. */
                fx_loop_for(event, (uint64_t) (rand_r(&st.seed) % 15000));
                fault.remove_token();
                fx_loop_for(event, (uint64_t) (rand_r(&st.seed) % 15000));
                st.inserted_usec = fx_now_usec();
                fault.insert_token();
                if (!fx_loop_until(event, success_after, &st, RECOVERY_LIMIT_USEC))
                        fail_msg("cycle %u: no correct result within 5 s of reinsertion (state %s: %s)", cycle,
                                 token_state_to_string(states.last), states.reason);
                recovery[cycle] = st.last_success_usec - st.inserted_usec;
                recovery_max = MAX(recovery_max, recovery[cycle]);
                recovery_sum += recovery[cycle];
        }

        /* The key did not change under the removals either. */
        _cleanup_(freep) void *after = NULL;
        size_t after_size = 0;
        assert_int_equal(token_export_pubkey(st.service, TOKEN_KEY_FORMAT_DER, &after, &after_size), 0);
        assert_int_equal(after_size, st.spki_size);
        assert_memory_equal(after, st.spki, after_size);

        token_service_get_stats(st.service, &stats);
        fprintf(stderr,
                "%u removals: %" PRIu64 " correct, %" PRIu64 " wrong, %" PRIu64 " refused (token out > 1 s or 3 tries), "
                "%" PRIu64 " other errors; %" PRIu64 " connects, %" PRIu64 " logins, %u absent notifications; "
                "recovery mean %" PRIu64 " us, max %" PRIu64 " us\n",
                CYCLES, st.ok, st.wrong, st.refused, st.other_errors, stats.connects, stats.logins,
                states.count[TOKEN_STATE_ABSENT], recovery_sum / CYCLES, recovery_max);

        assert_int_equal(st.wrong, 0);
        assert_int_equal(st.other_errors, 0);
        assert_true(st.ok > CYCLES);
        assert_true(recovery_max < RECOVERY_LIMIT_USEC);
        /* Every login was a fresh one after a reinsertion, never a retry of a refused PIN. */
        assert_int_equal(states.count[TOKEN_STATE_PIN_REJECTED], 0);
        assert_true(stats.logins <= stats.connects + states.count[TOKEN_STATE_ABSENT]);

        token_service_free(st.service);
        free(st.spki);
        sd_event_unref(event);
        fault.reset();
        fault_control_close(&fault);
        fx_token_teardown(&fx);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(two_hundred_random_removals_during_signing),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}
