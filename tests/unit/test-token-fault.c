/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The token service against the fault-injection module (tests/pkcs11/fault-module.c) wrapping
 * SoftHSM2: a slow token never holds up the event loop, removal and device faults are survived
 * and recovered from, and the PIN is never tried twice or on a token's final try. */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include <systemd/sd-bus.h>

#include "tests/pkcs11/fault-control.h"
#include "tests/pkcs11/token-fixture.h"
#include "tests/unit/helper-cmocka.h"

#define TIMEOUT_USEC (10U * 1000U * 1000U)

typedef struct Env {
        TokenFixture fx;
        FaultControl fault;
        sd_event *event;
        TokenService *service;
        FxStates states;
} Env;

static int setup(void **state) {
        Env *env = calloc(1, sizeof(Env));

        assert_non_null(env);
        fx_token_setup(&env->fx, FX_KEYS_KNOWN_HMAC);
        if (fault_control_open(env->fx.fault_module, &env->fault) < 0)
                fail_msg("fault module %s: %s", env->fx.fault_module, dlerror());
        env->fault.reset();
        assert_int_equal(sd_event_new(&env->event), 0);
        *state = env;
        return 0;
}

static int teardown(void **state) {
        Env *env = *state;

        token_service_free(env->service);
        env->fault.reset();
        fault_control_close(&env->fault);
        sd_event_unref(env->event);
        fx_token_teardown(&env->fx);
        free(env);
        return 0;
}

static TokenConfig config(Env *env) {
        return fx_config(&env->fx, env->fx.fault_module);
}

static void start(Env *env, const TokenConfig *c) {
        const char *reason = NULL;

        if (token_service_new(env->event, c, &env->service, &reason) < 0)
                fail_msg("token_service_new: %s", reason);
        token_service_set_state_handler(env->service, fx_on_state, &env->states);
}

static void wait_state(Env *env, TokenState want) {
        if (!fx_wait_state(env->event, env->service, want, TIMEOUT_USEC))
                fail_msg("state %s not reached; now %s: %s", token_state_to_string(want),
                         token_state_to_string(env->states.last), env->states.reason);
}

static FxResult sign_and_wait(Env *env, const char *msg, uint64_t timeout_usec) {
        FxResult res = {};

        assert_int_equal(token_sign_async(env->service, msg, strlen(msg), timeout_usec, fx_on_result, &res, NULL), 0);
        assert_true(fx_wait_result(env->event, &res, TIMEOUT_USEC));
        return res;
}

/* ---- A slow token does not hold up the loop ---- */

/* The door side of the loop: a scanner thread writes a code every 2 ms with its send time; the
 * loop "decides" it and records how long it waited. A D-Bus client thread calls a method on a
 * peer-to-peer sd-bus connection served by the same loop, as the daemon's Gate1 interface will
 * be. Both must keep being answered while the token takes 2 s for a signature. */
typedef struct Door {
        int fds[2];
        int bus_fds[2];
        atomic_bool stop;
        uint64_t decisions, decision_max_usec; /* loop thread */
        uint64_t lat[8192];
        unsigned n_lat;
        atomic_uint bus_calls;                 /* client thread */
        _Atomic uint64_t bus_max_usec;
        atomic_bool bus_failed;
        int bus_error; /* what failed it (-errno), said when the test fails */
        atomic_bool client_done;
} Door;

static int on_code(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Door *d = userdata;
        uint64_t sent, waited;

        while (read(fd, &sent, sizeof(sent)) == sizeof(sent)) {
                waited = fx_now_usec() - sent;
                d->decisions++;
                d->decision_max_usec = MAX(d->decision_max_usec, waited);
                if (d->n_lat < ELEMENTSOF(d->lat))
                        d->lat[d->n_lat++] = waited;
        }
        return 0;
}

static int method_ping(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(m, "s", "pong");
}

static const sd_bus_vtable gate_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Ping", "", "s", method_ping, 0),
        SD_BUS_VTABLE_END,
};

static void *bus_client_main(void *userdata) {
        Door *d = userdata;
        sd_bus *bus = NULL;
        int r;

        if ((r = sd_bus_new(&bus)) < 0 || (r = sd_bus_set_fd(bus, d->bus_fds[1], d->bus_fds[1])) < 0 ||
            (r = sd_bus_start(bus)) < 0) {
                d->bus_error = r;
                d->bus_failed = true;
                d->client_done = true;
                return NULL;
        }
        while (!d->stop) {
                sd_bus_message *reply = NULL;
                uint64_t t = fx_now_usec();

                r = sd_bus_call_method(bus, NULL, "/io/qrgate/Gate1", "io.qrgate.Test", "Ping", NULL, &reply, "");
                if (r < 0) {
                        d->bus_error = r;
                        d->bus_failed = true;
                        break;
                }
                sd_bus_message_unref(reply);
                uint64_t took = fx_now_usec() - t;
                if (took > atomic_load(&d->bus_max_usec))
                        atomic_store(&d->bus_max_usec, took);
                atomic_fetch_add(&d->bus_calls, 1);
                usleep(5000);
        }
        sd_bus_flush_close_unref(bus);
        d->client_done = true;
        return NULL;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

static void event_loop_keeps_deciding_while_a_token_call_takes_2s(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);
        sd_event_source *code_source = NULL;
        sd_bus *server = NULL;
        pthread_t scanner, client;
        Door d = {};
        sd_id128_t id;

        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);

        assert_int_equal(pipe2(d.fds, O_NONBLOCK | O_CLOEXEC), 0);
        assert_int_equal(sd_event_add_io(env->event, &code_source, d.fds[0], EPOLLIN, on_code, &d), 0);
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, d.bus_fds), 0);
        assert_int_equal(sd_id128_randomize(&id), 0);
        assert_int_equal(sd_bus_new(&server), 0);
        assert_int_equal(sd_bus_set_fd(server, d.bus_fds[0], d.bus_fds[0]), 0);
        assert_int_equal(sd_bus_set_server(server, 1, id), 0);
        assert_int_equal(sd_bus_add_object_vtable(server, NULL, "/io/qrgate/Gate1", "io.qrgate.Test", gate_vtable, NULL), 0);
        assert_int_equal(sd_bus_start(server), 0);
        assert_int_equal(sd_bus_attach_event(server, env->event, 0), 0);

        FxScanner sc = { .fd = d.fds[1], .stop = &d.stop, .interval_usec = 2000 };
        assert_int_equal(pthread_create(&scanner, NULL, fx_scanner_main, &sc), 0);
        assert_int_equal(pthread_create(&client, NULL, bus_client_main, &d), 0);
        fx_loop_for(env->event, 100000);

        env->fault.set_latency("C_Sign", 2000000);
        uint64_t t0 = fx_now_usec();
        uint64_t decisions_before = d.decisions;
        unsigned bus_before = atomic_load(&d.bus_calls);
        d.n_lat = 0;
        d.decision_max_usec = 0;
        atomic_store(&d.bus_max_usec, 0);
        FxResult res = sign_and_wait(env, "slow", TOKEN_USEC_INFINITY);
        uint64_t took = res.at_usec - t0;

        d.stop = true;
        pthread_join(scanner, NULL);
        /* The client may be in the middle of a call: its answer needs the loop, so the loop runs
         * until the client has stopped (joining it at once left a call unanswered until its 25 s
         * timeout, which failed the test under qemu on a loaded machine). */
        while (!atomic_load(&d.client_done))
                fx_loop_for(env->event, 10000);
        pthread_join(client, NULL);

        assert_int_equal(res.error, 0);
        assert_true(took >= 1900000);
        if (d.bus_failed)
                fail_msg("the bus client failed after %u calls: %s", atomic_load(&d.bus_calls), strerror(-d.bus_error));
        /* ~500 codes and ~350 calls in 2 s on an idle machine. How many is a matter of CPU (under
         * ASan on a loaded box it failed the old bar of 300 and 100); that they keep coming is not.
         * A loop blocked by the token would still count them, all at once afterwards: the
         * latencies below are what tell the two apart. */
        assert_true(d.decisions - decisions_before >= 50);
        assert_true(d.bus_calls - bus_before >= 20);

        qsort(d.lat, d.n_lat, sizeof(d.lat[0]), cmp_u64);
        uint64_t p99 = d.lat[(d.n_lat * 99) / 100];
        fprintf(stderr, "token call %" PRIu64 " ms; %" PRIu64 " decisions, p99 %" PRIu64 " us, max %" PRIu64
                " us; %u bus calls, max %" PRIu64 " us\n",
                took / 1000, d.decisions - decisions_before, p99, d.decision_max_usec, d.bus_calls - bus_before,
                d.bus_max_usec);
        /* Bounded, far below the token's 2 s: a loop that waited for the token would show ~2 s.
         * The bars leave room for sanitizers and a loaded CI box, nothing more. */
        assert_true(p99 < 100000);
        assert_true(d.decision_max_usec < 1000000);
        assert_true(d.bus_max_usec < 1000000);

        sd_event_source_disable_unref(code_source);
        sd_bus_flush_close_unref(server);
        close(d.fds[0]);
        close(d.fds[1]);
        close(d.bus_fds[1]);
}

/* ---- The PIN ---- */

static void wrong_pin_causes_exactly_one_login(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);
        FxResult res;

        fx_write_file(env->fx.pin_file, "0000-wrong\n", 0600);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PIN_REJECTED);
        assert_true(token_state_is_alarm(env->states.last));
        assert_int_equal(env->fault.calls("C_Login"), 1);

        /* Work is refused with the reason, and nothing brings another login: not time, not a
         * removal and reinsertion, not new work. */
        res = sign_and_wait(env, "m", TOKEN_USEC_INFINITY);
        assert_int_equal(res.error, -EKEYREJECTED);
        assert_non_null(strstr(res.reason, "PIN"));
        env->fault.remove_token();
        fx_loop_for(env->event, 100000);
        env->fault.insert_token();
        fx_loop_for(env->event, 300000);
        res = sign_and_wait(env, "m", TOKEN_USEC_INFINITY);
        assert_int_equal(res.error, -EKEYREJECTED);
        assert_int_equal(env->fault.calls("C_Login"), 1);
        assert_int_equal(env->states.last, TOKEN_STATE_PIN_REJECTED);

        /* The operator fixes the PIN and asks for one more try. */
        fx_write_file(env->fx.pin_file, FX_PIN "\n", 0600);
        assert_int_equal(token_service_retry_login(env->service), 0);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(env->fault.calls("C_Login"), 2);
        assert_int_equal(sign_and_wait(env, "m", 0).error, 0);
        assert_int_equal(token_service_retry_login(env->service), -EALREADY);
}

static void final_try_token_is_never_logged_into(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        env->fault.set_token_flags(CKF_USER_PIN_FINAL_TRY);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PIN_FINAL_TRY);
        fx_loop_for(env->event, 200000);
        assert_int_equal(env->fault.calls("C_Login"), 0);
        FxResult res = sign_and_wait(env, "m", TOKEN_USEC_INFINITY);
        assert_int_equal(res.error, -EKEYREVOKED);
        assert_non_null(strstr(res.reason, "final PIN try"));
        assert_int_equal(env->fault.calls("C_Login"), 0);
}

static void locked_pin_token_is_never_logged_into(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        env->fault.set_token_flags(CKF_USER_PIN_LOCKED);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PIN_LOCKED);
        fx_loop_for(env->event, 200000);
        assert_int_equal(env->fault.calls("C_Login"), 0);
}

static void token_that_says_pin_locked_at_login_raises_alarm(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        env->fault.set_failure("C_Login", CKR_PIN_LOCKED, 1);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PIN_LOCKED);
        fx_loop_for(env->event, 200000);
        assert_int_equal(env->fault.calls("C_Login"), 1);
}

static void device_error_at_login_is_retried_unlike_a_wrong_pin(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        /* Not the PIN's fault: the counter is untouched, so trying again is right. */
        env->fault.set_failure("C_Login", CKR_DEVICE_ERROR, 1);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(env->fault.calls("C_Login"), 2);
        assert_int_equal(env->states.count[TOKEN_STATE_ABSENT], 1);
}

/* ---- Removal and faults ---- */

static void removal_makes_the_service_absent_and_reinsertion_brings_it_back(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);
        FxResult res;

        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(env->fault.calls("C_Login"), 1);

        env->fault.remove_token();
        /* A request that may not wait is refused with the reason. */
        res = sign_and_wait(env, "m", 0);
        assert_int_equal(res.error, -ENODEV);
        assert_non_null(strstr(res.reason, "token absent"));
        assert_false(token_service_is_present(env->service));

        /* One that may wait is served after reinsertion, with a fresh login. */
        FxResult waiting = {};
        assert_int_equal(token_sign_async(env->service, "w", 1, TOKEN_USEC_INFINITY, fx_on_result, &waiting, NULL), 0);
        fx_loop_for(env->event, 100000);
        assert_false(waiting.done);
        uint64_t inserted = fx_now_usec();
        env->fault.insert_token();
        assert_true(fx_wait_result(env->event, &waiting, TIMEOUT_USEC));
        assert_int_equal(waiting.error, 0);
        assert_true(waiting.at_usec - inserted < 5000000);
        assert_true(token_service_is_present(env->service));
        assert_int_equal(env->fault.calls("C_Login"), 2);
}

static void faults_that_mean_token_gone_are_recovered_and_the_work_retried(void **state) {
        static const CK_RV gone[] = {
                CKR_DEVICE_REMOVED, CKR_TOKEN_NOT_PRESENT, CKR_SESSION_HANDLE_INVALID,
                CKR_USER_NOT_LOGGED_IN, CKR_DEVICE_ERROR, CKR_GENERAL_ERROR, CKR_SESSION_CLOSED,
        };
        Env *env = *state;
        TokenConfig c = config(env);
        _cleanup_(freep) void *der = NULL;
        size_t der_size;

        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(token_export_pubkey(env->service, TOKEN_KEY_FORMAT_DER, &der, &der_size), 0);

        for (size_t i = 0; i < ELEMENTSOF(gone); i++) {
                unsigned absent_before = env->states.count[TOKEN_STATE_ABSENT];
                TokenStats st;

                env->fault.set_failure("C_Sign", gone[i], 1);
                FxResult res = sign_and_wait(env, "after a fault", TOKEN_USEC_INFINITY);
                if (res.error != 0)
                        fail_msg("rv 0x%lx: %s", gone[i], res.reason);
                assert_true(fx_verify(der, der_size, "after a fault", 13, res.data));
                assert_int_equal(env->states.count[TOKEN_STATE_ABSENT], absent_before + 1);
                assert_true(token_service_is_present(env->service));
                token_service_get_stats(env->service, &st);
                assert_int_equal(st.connects, i + 2);
        }
}

static void operation_failure_fails_the_request_but_keeps_the_token(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        env->fault.set_failure("C_Sign", CKR_FUNCTION_FAILED, 1);
        FxResult res = sign_and_wait(env, "m", TOKEN_USEC_INFINITY);
        assert_int_equal(res.error, -EPROTO);
        assert_non_null(strstr(res.reason, "C_Sign"));
        assert_int_equal(env->states.count[TOKEN_STATE_ABSENT], 0);
        assert_int_equal(sign_and_wait(env, "m", 0).error, 0);
        assert_int_equal(env->fault.calls("C_Login"), 1);
}

static void persistent_fault_fails_after_bounded_retries(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        /* Every C_Sign (the connection self-test's too) says the device is broken. */
        env->fault.set_failure("C_Sign", CKR_DEVICE_ERROR, -1);
        FxResult res = sign_and_wait(env, "m", 300000);
        assert_int_equal(res.error, -ENODEV);
        env->fault.set_failure("C_Sign", CKR_OK, 0);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(sign_and_wait(env, "m", 0).error, 0);
}

static void idle_removal_is_noticed_without_any_work(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        c.health_usec = 20000;
        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        env->fault.remove_token();
        wait_state(env, TOKEN_STATE_ABSENT);
        TokenStats st;
        token_service_get_stats(env->service, &st);
        assert_int_equal(st.submitted, 0);
        assert_true(env->fault.calls("C_GetSessionInfo") >= 1);
        env->fault.insert_token();
        wait_state(env, TOKEN_STATE_PRESENT);
}

static bool second_login(void *userdata) {
        Env *env = userdata;

        return env->fault.calls("C_Login") >= 2 && env->states.count[TOKEN_STATE_PRESENT] >= 2;
}

static void lost_login_is_noticed_and_restored(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        c.health_usec = 20000;
        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(env->fault.calls("C_Login"), 1);
        env->fault.end_login();
        /* Absent and back may come in one dispatch: wait for the second login, then look. */
        assert_true(fx_loop_until(env->event, second_login, env, TIMEOUT_USEC));
        wait_state(env, TOKEN_STATE_PRESENT);
        assert_int_equal(env->states.count[TOKEN_STATE_ABSENT], 1);
        assert_non_null(strstr(env->states.first_absent_reason, "ended our login"));
        assert_int_equal(env->fault.calls("C_Login"), 2);
        assert_int_equal(sign_and_wait(env, "m", 0).error, 0);
}

static void slot_events_bring_the_token_back_without_polling(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        /* Polling and health checks far too slow to explain a recovery within the test. */
        c.poll_min_usec = c.poll_max_usec = 30U * 1000U * 1000U;
        c.health_usec = TOKEN_USEC_INFINITY;
        env->fault.set_slot_events(true);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);

        for (unsigned i = 0; i < 3; i++) {
                uint64_t t = fx_now_usec();

                env->fault.remove_token();
                wait_state(env, TOKEN_STATE_ABSENT);
                env->fault.insert_token();
                wait_state(env, TOKEN_STATE_PRESENT);
                assert_true(fx_now_usec() - t < 2000000);
        }
        assert_true(env->fault.calls("C_WaitForSlotEvent") >= 6);

        /* C_Finalize releases the watcher from its wait: freeing is prompt. */
        uint64_t t = fx_now_usec();
        env->service = token_service_free(env->service);
        assert_true(fx_now_usec() - t < 1000000);
}

static void no_slot_events_option_is_honoured(void **state) {
        Env *env = *state;
        TokenConfig c = config(env);

        c.no_slot_events = true;
        env->fault.set_slot_events(true);
        start(env, &c);
        wait_state(env, TOKEN_STATE_PRESENT);
        fx_loop_for(env->event, 50000);
        assert_int_equal(env->fault.calls("C_WaitForSlotEvent"), 0);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(event_loop_keeps_deciding_while_a_token_call_takes_2s),
                cmocka_unit_test(wrong_pin_causes_exactly_one_login),
                cmocka_unit_test(final_try_token_is_never_logged_into),
                cmocka_unit_test(locked_pin_token_is_never_logged_into),
                cmocka_unit_test(token_that_says_pin_locked_at_login_raises_alarm),
                cmocka_unit_test(device_error_at_login_is_retried_unlike_a_wrong_pin),
                cmocka_unit_test(removal_makes_the_service_absent_and_reinsertion_brings_it_back),
                cmocka_unit_test(faults_that_mean_token_gone_are_recovered_and_the_work_retried),
                cmocka_unit_test(operation_failure_fails_the_request_but_keeps_the_token),
                cmocka_unit_test(persistent_fault_fails_after_bounded_retries),
                cmocka_unit_test(idle_removal_is_noticed_without_any_work),
                cmocka_unit_test(lost_login_is_noticed_and_restored),
                cmocka_unit_test(slot_events_bring_the_token_back_without_polling),
                cmocka_unit_test(no_slot_events_option_is_honoured),
        };

        return th_run_tests_with_fixture(tests, setup, teardown);
}
