/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the policy rules of issue 15 cost a decision: decide() — the daemon's own decision path,
 * daemon/decide.c: verify, the policy table, consume, open the (simulated) lock, the journal line
 * and the audit record — on the real pieces manager_open() opens (configuration, replay cache,
 * audit log, a sim lock; no bus, no token), once with no rule configured and once with every
 * rule the configuration has:
 *   - a schedule on the door (weekly windows that are open now, and holidays);
 *   - policy.subject_rate;
 *   - an unsynchronized clock with clock.untrusted = "narrow" (the rule's longest path);
 *   - an area with capacity and hard anti-passback, the door its entry.
 * The two configurations alternate in rounds (a reload between them, outside the timing), so that
 * whatever else the shared machine does falls on both alike. Every code is a fresh, valid QG1 code
 * (distinct cti and subject: hard anti-passback lets each subject in once; so each decision makes a
 * rate bucket and a presence, the dearer path of both) that
 * is granted; each decide() call is timed on its own. Prints the p99 of each configuration and
 * the ratio all_rules / no_rules.
 *
 * usage: bench-decide [ROUNDS [PER_ROUND]] (defaults 12 × 400) */

#include <fcntl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/decide.h"
#include "daemon/manager.h"
#include "daemon/rate-limit.h"
#include "daemon/reload.h"
#include "tests/bench/bench-util.h"
#include "tests/unit/helper-codes.h"

#define MAX_SAMPLES 32768

static char dir[64], conf[128], pub[128];

static const char *const NO_RULES =
        "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 60000; scopes = [ \"library.lend\" ]; } );\n"
        "clock: { untrusted = \"accept\"; };\n";
/* Every rule there is, configured so that codes pass it (the bench measures the cost of asking,
 * not of refusing): always open but by a window list that is searched, holidays that are not
 * today; a subject rate no subject reaches in a run; an unsynchronized clock, "narrow". */
static const char *const ALL_RULES =
        "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 60000; scopes = [ \"library.lend\" ];\n"
        "            schedule = \"hours\"; area = \"pool\"; side = \"entry\"; } );\n"
        "clock: { untrusted = \"narrow\"; narrow_window = 30; };\n"
        "policy: { subject_rate = { max = 1000; per = 60; capacity = 4096; }; };\n";

static void write_conf(const char *rules) {
        FILE *f = fopen(conf, "we");
        if (!f)
                abort();
        fprintf(f,
                "state_directory = \"%s/state\";\n"
                "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; } ); } );\n"
                "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                "schedules = ( { id = \"hours\"; windows = [ \"mon-fri 00:00-06:00\", \"mon-fri 06:00-24:00\",\n"
                "                \"sat-sun 00:00-12:00\", \"sat-sun 12:00-24:00\" ];\n"
                "                holidays = [ \"2001-01-01\", \"2001-12-25\", \"2002-01-01\" ]; } );\n"
                "areas = ( { id = \"pool\"; capacity = 1000000; passback = \"hard\"; } );\n"
                "%s",
                dir, pub, rules);
        if (fclose(f) != 0)
                abort();
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double p99_us(int64_t *v, size_t n) {
        qsort(v, n, sizeof(int64_t), cmp_i64);
        return (double) v[(size_t) ((double) (n - 1) * 0.99)] / 1000.0;
}

static double median_us(int64_t *v, size_t n) {
        qsort(v, n, sizeof(int64_t), cmp_i64);
        return (double) v[n / 2] / 1000.0;
}

/* One round of n decisions on m as configured now; their times appended to samples. */
static void round_of(Manager *m, EVP_PKEY *key, int n, unsigned *serial, int64_t *samples, size_t *n_samples) {
        char **codes = calloc((size_t) n, sizeof(char *));

        if (!codes)
                abort();
        for (int i = 0; i < n; i++) {
                CodeClaims c = th_claims();
                unsigned s = (*serial)++;
                c.iat = (int64_t) time(NULL);
                c.exp = c.iat + 60;
                memcpy(c.cti, &s, sizeof(s));
                snprintf(c.sub, sizeof(c.sub), "p-%u", s);
                codes[i] = th_mint(key, "k1", &c);
        }
        for (int i = 0; i < n; i++) {
                Decision d;
                int64_t t0 = bench_now_ns();
                (void) decide(m, &(DecideRequest) { .door = "main", .text = codes[i], .len = strlen(codes[i]),
                                                    .origin = "bench" },
                              &d);
                int64_t t1 = bench_now_ns();
                if (!d.granted) {
                        fprintf(stderr, "bench-decide: a code was refused: %s: %s\n", reason_to_string(d.reason),
                                d.detail);
                        exit(1);
                }
                if (*n_samples < MAX_SAMPLES)
                        samples[(*n_samples)++] = t1 - t0;
                free(codes[i]);
        }
        free(codes);
}

static void configure(Manager *m, const char *rules, bool clock_synchronized) {
        char *errors = NULL;

        write_conf(rules);
        if (manager_reload(m, &errors) < 0) {
                fprintf(stderr, "bench-decide: reload refused: %s\n", errors ?: "?");
                exit(1);
        }
        free(errors);
        m->clock_synchronized = clock_synchronized;
        /* The figure is worth something only if the rules are there to be asked. */
        if ((rules == ALL_RULES) != (m->subject_rate && m->config->doors[0].schedule && m->config->doors[0].area &&
                                     m->config->clock.untrusted == CLOCK_UNTRUSTED_NARROW)) {
                fprintf(stderr, "bench-decide: the configuration does not have the rules it should\n");
                exit(1);
        }
}

int main(int argc, char *argv[]) {
        int rounds = argc > 1 ? atoi(argv[1]) : 12, per_round = argc > 2 ? atoi(argv[2]) : 400;
        static int64_t none[MAX_SAMPLES], all[MAX_SAMPLES];
        size_t n_none = 0, n_all = 0;
        unsigned serial = 1;
        Manager *m = NULL;
        EVP_PKEY *key;
        char run[96], cmd[128];
        int saved_stderr, devnull;
        FILE *f;

        if (rounds < 1 || per_round < 1)
                return fprintf(stderr, "usage: bench-decide [ROUNDS [PER_ROUND]]\n"), 2;
        strcpy(dir, "/tmp/qrgate-bench-decide-XXXXXX");
        if (!mkdtemp(dir))
                return perror("mkdtemp"), 1;
        snprintf(conf, sizeof(conf), "%s/qrgate.conf", dir);
        snprintf(pub, sizeof(pub), "%s/city.pub", dir);
        snprintf(run, sizeof(run), "%s/run", dir);
        setenv("RUNTIME_DIRECTORY", run, 1);
        key = th_key("es256");
        f = fopen(pub, "we");
        if (!f || PEM_write_PUBKEY(f, key) != 1 || fclose(f) != 0)
                return fprintf(stderr, "bench-decide: cannot write %s\n", pub), 1;

        /* The journal lines go where the daemon's would; here nowhere, as they would cost the same
         * in both configurations. */
        saved_stderr = dup(STDERR_FILENO);
        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved_stderr < 0 || devnull < 0)
                return perror("open"), 1;
        (void) dup2(devnull, STDERR_FILENO);

        write_conf(NO_RULES);
        if (manager_new(conf, "none", &m) < 0 || manager_open(m) < 0) {
                (void) dup2(saved_stderr, STDERR_FILENO);
                return fprintf(stderr, "bench-decide: cannot open the gate (run with the log: see %s)\n", dir), 1;
        }
        /* A first round each, unmeasured: caches, the audit file's first pages. */
        configure(m, ALL_RULES, false);
        round_of(m, key, per_round / 4 + 1, &serial, all, &(size_t) { MAX_SAMPLES });
        configure(m, NO_RULES, true);
        round_of(m, key, per_round / 4 + 1, &serial, none, &(size_t) { MAX_SAMPLES });
        for (int r = 0; r < rounds; r++) {
                configure(m, NO_RULES, true);
                round_of(m, key, per_round, &serial, none, &n_none);
                configure(m, ALL_RULES, false);
                round_of(m, key, per_round, &serial, all, &n_all);
        }
        size_t remembered = m->subject_rate ? rate_table_count(m->subject_rate, rate_limit_now_usec()) : 0;
        manager_free(m);
        (void) dup2(saved_stderr, STDERR_FILENO);

        double p99_none = p99_us(none, n_none), p99_all = p99_us(all, n_all);
        printf("decision_p99_us_no_rules=%.1f\n", p99_none);
        printf("decision_p99_us_all_rules=%.1f\n", p99_all);
        printf("decision_p99_rules_ratio=%.3f\n", p99_all / p99_none);
        printf("decision_median_us_no_rules=%.1f\n", median_us(none, n_none));
        printf("decision_median_us_all_rules=%.1f\n", median_us(all, n_all));
        printf("decision_samples=%zu+%zu subjects_remembered=%zu rules=schedule,subject_rate,clock(narrow),"
               "area(capacity,passback=hard)\n", n_none, n_all, remembered);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        (void) system(cmd);
        EVP_PKEY_free(key);
        return 0;
}
