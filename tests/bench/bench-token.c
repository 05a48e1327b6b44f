/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Token service benchmark (make bench-token, part of make bench). Prints key=value lines:
 *
 *   p11_raw_sign_per_s / p11_raw_hmac_per_s   SHA-256 + CKM_ECDSA / CKM_SHA256_HMAC in a tight
 *                                             loop on the module (SoftHSM2 via p11-kit), no service
 *   p11_sign_per_s / p11_hmac_per_s           the same through the service (queue, worker thread,
 *                                             eventfd back to sd-event), 32 requests in flight
 *   decision_p50_us_idle, decision_p99_us_idle  how long a scanned code waits for the event loop
 *                                             with the token idle
 *   decision_p99_us_with_slow_token, decision_max_us_with_slow_token
 *                                             the same while the token takes 200 ms per signature
 *                                             (fault module; published figures for smartcards and
 *                                             secure elements are 50-1000 ms) under constant load
 *
 * A "decision" here is the event loop reading a code a scanner thread wrote (1000 per second)
 * and answering it; the daemon's verifier runs at that point. What is measured is what the token
 * could add to it: the wait for the loop. */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pkcs11/fault-control.h"
#include "tests/pkcs11/token-fixture.h"

#define RUN_USEC (1000U * 1000U)
#define IN_FLIGHT 32U
#define SLOW_SIGN_USEC 200000U
#define DECISION_RUN_USEC (3U * 1000U * 1000U)

static double raw_rate(TokenOp op) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL, *key = NULL;
        TokenModule *m = NULL;
        CK_SESSION_HANDLE h;
        CK_OBJECT_HANDLE k;
        TokenReason why = {};
        uint64_t n = 0, start, end;
        uint8_t digest[32], out[TOKEN_SIGNATURE_SIZE];
        char msg[64];

        fx_session_open(&m, &h);
        if (token_uri_parse_key(op == TOKEN_OP_SIGN ? FX_SIGN_KEY : FX_HMAC_KEY, &key, &why) < 0 ||
            token_find_object(m, h, key, op == TOKEN_OP_SIGN ? CKO_PRIVATE_KEY : CKO_SECRET_KEY, &k, &why) < 0)
                fx_die("raw: %s", why.text);

        start = fx_now_usec();
        end = start + RUN_USEC;
        while (fx_now_usec() < end) {
                int r;

                snprintf(msg, sizeof(msg), "bench message %" PRIu64, n);
                if (op == TOKEN_OP_SIGN) {
                        r = token_sha256(msg, strlen(msg), digest);
                        if (r >= 0)
                                r = token_sign_digest(m, h, k, digest, out, &why);
                } else
                        r = token_hmac(m, h, k, msg, strlen(msg), out, &why);
                if (r < 0)
                        fx_die("raw: %s", why.text);
                n++;
        }
        fx_session_close(m, h);
        return (double) n * 1e6 / (double) (fx_now_usec() - start);
}

typedef struct Load {
        TokenService *service;
        TokenOp op;
        uint64_t done, failed;
        bool stop;
        unsigned outstanding;
} Load;

static void load_submit(Load *l);

static void on_load_result(TokenService *s, const TokenResult *r, void *userdata) {
        Load *l = userdata;

        l->outstanding--;
        if (r->error < 0)
                l->failed++;
        else
                l->done++;
        if (!l->stop)
                load_submit(l);
}

static void load_submit(Load *l) {
        char msg[64];

        snprintf(msg, sizeof(msg), "bench message %" PRIu64, l->done);
        if (token_submit(l->service, l->op, msg, strlen(msg), TOKEN_USEC_INFINITY, on_load_result, l, NULL) < 0)
                fx_die("submit");
        l->outstanding++;
}

static bool load_drained(void *userdata) {
        return ((Load *) userdata)->outstanding == 0;
}

static TokenService *service_start(sd_event *e, TokenConfig *c) {
        TokenService *s = NULL;
        const char *reason;

        if (token_service_new(e, c, &s, &reason) < 0)
                fx_die("token_service_new: %s", reason);
        if (!fx_wait_state(e, s, TOKEN_STATE_PRESENT, 10000000))
                fx_die("token not present: %s", token_service_get_state(s, &reason) >= 0 ? reason : "");
        return s;
}

static double service_rate(sd_event *e, TokenService *s, TokenOp op) {
        Load l = { .service = s, .op = op };
        uint64_t start;

        start = fx_now_usec();
        for (unsigned i = 0; i < IN_FLIGHT; i++)
                load_submit(&l);
        fx_loop_for(e, RUN_USEC);
        l.stop = true;
        (void) fx_loop_until(e, load_drained, &l, 10000000);
        if (l.failed > 0)
                fx_die("%" PRIu64 " requests failed", l.failed);
        return (double) l.done * 1e6 / (double) (fx_now_usec() - start);
}

/* The door side: a scanner thread writes a timestamped code every millisecond. */
typedef struct Door {
        int fds[2];
        atomic_bool stop;
        uint64_t lat[8192];
        unsigned n;
} Door;

static int on_code(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Door *d = userdata;
        uint64_t sent;

        while (read(fd, &sent, sizeof(sent)) == sizeof(sent))
                if (d->n < ELEMENTSOF(d->lat))
                        d->lat[d->n++] = fx_now_usec() - sent;
        return 0;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

typedef struct Decisions {
        uint64_t p50, p99, max;
        unsigned n;
} Decisions;

/* Serves codes for DECISION_RUN_USEC, with a signing load on s when it is not NULL. */
static Decisions decisions(sd_event *e, TokenService *s, uint64_t *ret_signed) {
        sd_event_source *src = NULL;
        Load l = { .service = s, .op = TOKEN_OP_SIGN };
        Door *d = calloc(1, sizeof(Door));
        pthread_t scanner;
        Decisions r;

        if (!d || pipe2(d->fds, O_NONBLOCK | O_CLOEXEC) < 0 ||
            sd_event_add_io(e, &src, d->fds[0], EPOLLIN, on_code, d) < 0)
                fx_die("door setup");
        if (s)
                for (unsigned i = 0; i < 4; i++)
                        load_submit(&l);
        FxScanner sc = { .fd = d->fds[1], .stop = &d->stop, .interval_usec = 1000 };
        if (pthread_create(&scanner, NULL, fx_scanner_main, &sc) != 0)
                fx_die("pthread_create");
        fx_loop_for(e, DECISION_RUN_USEC);
        d->stop = true;
        pthread_join(scanner, NULL);
        l.stop = true;
        if (s)
                (void) fx_loop_until(e, load_drained, &l, 10000000);

        qsort(d->lat, d->n, sizeof(d->lat[0]), cmp_u64);
        r = (Decisions) {
                .p50 = d->lat[d->n / 2],
                .p99 = d->lat[(d->n * 99) / 100],
                .max = d->lat[d->n - 1],
                .n = d->n,
        };
        if (ret_signed)
                *ret_signed = l.done;
        sd_event_source_disable_unref(src);
        close(d->fds[0]);
        close(d->fds[1]);
        free(d);
        return r;
}

int main(void) {
        TokenFixture fx;
        FaultControl fault = {};
        sd_event *e = NULL;
        TokenService *s;
        double raw_sign, raw_hmac, sign, hmac;
        Decisions idle, slow;
        uint64_t slow_signed = 0;

        fx_token_setup(&fx, FX_KEYS_KNOWN_HMAC);
        if (sd_event_new(&e) < 0)
                fx_die("sd_event_new");

        raw_sign = raw_rate(TOKEN_OP_SIGN);
        raw_hmac = raw_rate(TOKEN_OP_HMAC);

        TokenConfig c = fx_config(&fx, FX_SOFTHSM);
        s = service_start(e, &c);
        sign = service_rate(e, s, TOKEN_OP_SIGN);
        hmac = service_rate(e, s, TOKEN_OP_HMAC);
        token_service_free(s);

        idle = decisions(e, NULL, NULL);

        if (fault_control_open(fx.fault_module, &fault) < 0)
                fx_die("fault module %s: %s", fx.fault_module, dlerror());
        fault.reset();
        c = fx_config(&fx, fx.fault_module);
        s = service_start(e, &c);
        fault.set_latency("C_Sign", SLOW_SIGN_USEC);
        slow = decisions(e, s, &slow_signed);
        token_service_free(s);
        fault.reset();
        fault_control_close(&fault);

        printf("p11_raw_sign_per_s=%.0f\n", raw_sign);
        printf("p11_sign_per_s=%.0f\n", sign);
        printf("p11_raw_hmac_per_s=%.0f\n", raw_hmac);
        printf("p11_hmac_per_s=%.0f\n", hmac);
        printf("p11_sign_service_vs_raw_pct=%.0f\n", 100.0 * sign / raw_sign);
        printf("p11_hmac_service_vs_raw_pct=%.0f\n", 100.0 * hmac / raw_hmac);
        printf("decision_p50_us_idle=%" PRIu64 "\n", idle.p50);
        printf("decision_p99_us_idle=%" PRIu64 "\n", idle.p99);
        printf("slow_token_sign_ms=%u\n", SLOW_SIGN_USEC / 1000U);
        printf("slow_token_signatures=%" PRIu64 "\n", slow_signed);
        printf("decisions_with_slow_token=%u\n", slow.n);
        printf("decision_p50_us_with_slow_token=%" PRIu64 "\n", slow.p50);
        printf("decision_p99_us_with_slow_token=%" PRIu64 "\n", slow.p99);
        printf("decision_max_us_with_slow_token=%" PRIu64 "\n", slow.max);

        sd_event_unref(e);
        fx_token_teardown(&fx);
        return 0;
}
