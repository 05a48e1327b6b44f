/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The signed deny-list at the size of a city: 1,000,000 entries (docs/denylist.md).
 *   denylist_lookup_ns   one lookup (hash of the value and the probe), random hits and misses
 *                        half and half, beside one QG1 verification measured in alternating
 *                        rounds (verify_qg1_ns) and their ratio;
 *   denylist_load_ms     reading and verifying the 1,000,000-entry file (denylist_new_from_fd:
 *                        header, read, one SHA-256 and layout pass), beside SHA-256 alone over
 *                        the same bytes in memory (the floor of any verification);
 *   denylist_rss_kb      what the loaded list adds to this process's RSS, beside the file's size;
 *   decision_p99_us      decide() on a real gate (configuration, replay cache, audit log, sim
 *                        lock, no bus), with the list in force and without, alternating code
 *                        by code so that whatever else the machine does falls on both alike;
 *                        the median of 9 rounds' p99s (a p99 is the few slowest decisions,
 *                        which a shared machine's other work decides more than the list).
 * And denylist_lookup_ns beside the same lookup in a list of 1,000 entries, which stays in the
 * cache: what the size costs is memory latency, not probes. */

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/denylist-build.h"
#include "core/qg1-mint.h"
#include "core/verifier.h"
#include "daemon/decide.h"
#include "daemon/manager.h"
#include "tests/bench/bench-util.h"
#include "tests/unit/helper-codes.h"

#define ENTRIES 1000000
#define PROBES 65536
#define ROUNDS 9
#define PER_ROUND 4000 /* decisions a round, half with the list */
#define DECISIONS (ROUNDS * PER_ROUND)

static char dir[64];
static EVP_PKEY *key;
static Keystore *ks;
static DenyList *list;

typedef struct Probe {
        char sub[24];
} Probe;
static Probe *probes;
static size_t probe_i;

static DenyList *small;
static Probe *small_probes;

static bool once_lookup(const void *arg) {
        const Probe *p = &probes[probe_i++ & (PROBES - 1)];
        /* Half hits (p-N, listed) and half misses (q-N): the result depends on the name. */
        bool hit = denylist_contains_pair(list, DENY_SUBJECT, "city", p->sub);
        return hit == (p->sub[0] == 'p');
}

static bool once_lookup_small(const void *arg) {
        const Probe *p = &small_probes[probe_i++ & (PROBES - 1)];
        bool hit = denylist_contains_pair(small, DENY_SUBJECT, "city", p->sub);
        return hit == (p->sub[0] == 'p');
}

static void make_probes(Probe **ret, uint32_t n) {
        Probe *v = calloc(PROBES, sizeof(Probe));
        if (!v)
                abort();
        for (size_t i = 0; i < PROBES; i++) {
                uint32_t r;
                if (RAND_bytes((uint8_t *) &r, sizeof(r)) != 1)
                        abort();
                snprintf(v[i].sub, sizeof(v[i].sub), "%c-%u", i & 1 ? 'q' : 'p', r % n);
        }
        *ret = v;
}

/* p-0 ... p-999 in memory. */
static void build_small(void) {
        DenyListBuilder *b;
        uint8_t *file;
        size_t len;
        char sub[24];

        if (denylist_builder_new(&b) < 0)
                abort();
        for (size_t i = 0; i < 1000; i++) {
                snprintf(sub, sizeof(sub), "p-%zu", i);
                if (denylist_builder_add_pair(b, DENY_SUBJECT, "city", sub) < 0)
                        abort();
        }
        if (denylist_build(b, key, "city", (const uint8_t *) "k1", 2, 1, TH_NOW, &file, &len) < 0 ||
            denylist_new_from_buffer(file, len, ks, &small, NULL) < 0)
                abort();
        denylist_builder_free(b);
        free(file);
}

typedef struct VerifyArg {
        Verifier v;
        const char *code;
} VerifyArg;

static bool once_verify(const void *arg) {
        const VerifyArg *a = arg;
        VerifyResult res;
        return verifier_check(&a->v, a->code, strlen(a->code), TH_NOW, &res) == REASON_OK;
}

static long rss_kb(void) {
        char line[256];
        long v = -1;
        FILE *f = fopen("/proc/self/status", "re");
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "VmRSS:", 6) == 0)
                        v = atol(line + 6);
        if (f)
                fclose(f);
        return v;
}

static int cmp_i64(const void *a, const void *b) {
        int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
        return (x > y) - (x < y);
}

static double p99_us(int64_t *v, size_t n) {
        qsort(v, n, sizeof(int64_t), cmp_i64);
        return (double) v[(n - 1) * 99 / 100] / 1000.0;
}

static double median_us(int64_t *v, size_t n) {
        qsort(v, n, sizeof(int64_t), cmp_i64);
        return (double) v[n / 2] / 1000.0;
}

/* The file of 1,000,000 subjects p-0 ... p-999999, written to dir/city.deny. */
static void build_list(char path[static 128], size_t *ret_len) {
        DenyListBuilder *b;
        uint8_t *file;
        char sub[24];
        FILE *f;

        if (denylist_builder_new(&b) < 0)
                abort();
        for (size_t i = 0; i < ENTRIES; i++) {
                snprintf(sub, sizeof(sub), "p-%zu", i);
                if (denylist_builder_add_pair(b, DENY_SUBJECT, "city", sub) < 0)
                        abort();
        }
        if (denylist_build(b, key, "city", (const uint8_t *) "k1", 2, 1, TH_NOW, &file, ret_len) < 0)
                abort();
        denylist_builder_free(b);
        snprintf(path, 128, "%s/city.deny", dir);
        f = fopen(path, "we");
        if (!f || fwrite(file, 1, *ret_len, f) != *ret_len || fclose(f) != 0)
                abort();
        free(file);
}

static void bench_load(const char *path, size_t len) {
        int64_t load[5], sha[5];
        uint8_t *buf = malloc(len), md[EVP_MAX_MD_SIZE];
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (!buf || fd < 0 || pread(fd, buf, len, 0) != (ssize_t) len)
                abort();
        for (int i = 0; i < 5; i++) {
                DenyList *dl;
                int64_t t = bench_now_ns();
                if (EVP_Digest(buf, len, md, NULL, md_sha256(), NULL) != 1)
                        abort();
                sha[i] = bench_now_ns() - t;
                /* The file's pages back into the page cache, as an updater leaves them: the load
                 * measures reading and verifying, not the SD card. */
                if (pread(fd, buf, len, 0) != (ssize_t) len)
                        abort();
                t = bench_now_ns();
                if (denylist_new_from_fd(fd, ks, &dl, NULL) < 0)
                        abort();
                load[i] = bench_now_ns() - t;
                denylist_free(dl);
        }
        printf("denylist_load_ms=%.1f\n", median_us(load, 5) / 1000.0);
        printf("sha256_same_bytes_ms=%.1f\n", median_us(sha, 5) / 1000.0);
        printf("denylist_load_vs_sha256=%.2f\n", median_us(load, 5) / median_us(sha, 5));

        /* What the list in force costs in memory: RSS before and after one load. */
        long before = rss_kb();
        const char *why = NULL;
        if (denylist_new_from_fd(fd, ks, &list, &why) < 0)
                abort();
        long after = rss_kb();
        printf("denylist_rss_kb=%ld\n", after - before);
        printf("denylist_file_kb=%zu\n", len / 1024);
        printf("denylist_rss_vs_file=%.2f\n", (double) (after - before) / (double) (len / 1024));
        printf("denylist_max_probe_slots=%zu\n", denylist_max_probe(list));
        close(fd);
        free(buf);
}

static void bench_lookup(void) {
        CodeClaims c = th_claims();
        char *code = th_mint(key, "k1", &c);
        VerifyArg a = { .v = { .keys = ks, .max_lifetime = 120, .clock_skew = 30 }, .code = code };
        double lookups, verifies;

        make_probes(&probes, ENTRIES);
        make_probes(&small_probes, 1000);
        build_small();
        bench_alternate(once_lookup, once_verify, &a, 7, 200000000, &lookups, &verifies);
        printf("denylist_lookup_ns=%.0f\n", 1e9 / lookups);
        printf("verify_qg1_ns=%.0f\n", 1e9 / verifies);
        printf("denylist_lookup_vs_verify=%.4f\n", verifies / lookups);
        double in_cache;
        bench_alternate(once_lookup, once_lookup_small, NULL, 7, 200000000, &lookups, &in_cache);
        printf("denylist_lookup_1000_entries_ns=%.0f\n", 1e9 / in_cache);
        printf("denylist_lookup_1000000_vs_1000=%.2f\n", in_cache / lookups);
        denylist_free(small);
        free(small_probes);
        free(code);
}

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        if (!f || fputs(text, f) < 0 || fclose(f) != 0)
                abort();
}

static void bench_decisions(void) {
        char conf[96], pub[96], run[96], text[1024];
        static int64_t with[DECISIONS / 2], without[DECISIONS / 2];
        double p_with[ROUNDS], p_without[ROUNDS], ratio[ROUNDS];
        char **codes = calloc(DECISIONS, sizeof(char *));
        Manager *m = NULL;
        FILE *p;

        snprintf(pub, sizeof(pub), "%s/city.pub", dir);
        p = fopen(pub, "we");
        if (!p || PEM_write_PUBKEY(p, key) != 1 || fclose(p) != 0)
                abort();
        snprintf(text, sizeof(text),
                 "state_directory = \"%s/state\";\n"
                 "verifier: { replay_capacity = 65536; };\n"
                 "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; } ); } );\n"
                 "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 100; scopes = [ \"library.lend\" ]; } );\n"
                 "clock: { untrusted = \"accept\"; };\n",
                 dir, pub);
        snprintf(conf, sizeof(conf), "%s/qrgate.conf", dir);
        write_file(conf, text);
        snprintf(run, sizeof(run), "%s/run", dir);
        setenv("RUNTIME_DIRECTORY", run, 1);
        /* Codes of subjects the list does not name, each once: every decision is a grant, so
         * every rule runs, rule_revoked's lookups (cti, subject) among them. */
        for (size_t i = 0; i < DECISIONS; i++) {
                CodeClaims c = th_claims();
                c.iat = (int64_t) time(NULL);
                c.exp = c.iat + 110;
                snprintf(c.sub, sizeof(c.sub), "g-%zu", i);
                if (RAND_bytes(c.cti, (int) c.cti_len) != 1)
                        abort();
                codes[i] = th_mint(key, "k1", &c);
        }
        /* The journal line of each decision goes nowhere: it costs the same with and without. */
        int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (saved < 0 || null < 0 || dup2(null, STDERR_FILENO) < 0)
                abort();
        if (manager_new(conf, "none", &m) < 0 || manager_open(m) < 0)
                abort();
        for (size_t i = 0; i < DECISIONS; i++) {
                Decision d;
                /* Which of a pair goes first flips from round to round: neither is always the one
                 * after the other. */
                bool use = (i & 1) ^ ((i / PER_ROUND) & 1);
                m->denylist = use ? list : NULL;
                int64_t t = bench_now_ns();
                (void) decide(m, &(DecideRequest) { .door = "main", .text = codes[i], .len = strlen(codes[i]), .origin = "bench" },
                              &d);
                t = bench_now_ns() - t;
                if (!d.granted)
                        abort();
                (use ? with : without)[i / 2] = t;
                while (sd_event_run(m->event, 0) > 0) /* the audit log's and the lock's events, untimed */
                        ;
        }
        m->denylist = NULL;
        manager_free(m);
        (void) dup2(saved, STDERR_FILENO);
        close(saved);
        close(null);
        for (size_t r = 0; r < ROUNDS; r++) {
                p_with[r] = p99_us(with + r * PER_ROUND / 2, PER_ROUND / 2);
                p_without[r] = p99_us(without + r * PER_ROUND / 2, PER_ROUND / 2);
                ratio[r] = p_with[r] / p_without[r];
        }
        qsort(p_with, ROUNDS, sizeof(double), bench_cmp_double);
        qsort(p_without, ROUNDS, sizeof(double), bench_cmp_double);
        qsort(ratio, ROUNDS, sizeof(double), bench_cmp_double);
        printf("decision_p99_us_without_list=%.1f\n", p_without[ROUNDS / 2]);
        printf("decision_p99_us=%.1f\n", p_with[ROUNDS / 2]);
        printf("decision_p99_with_vs_without=%.3f\n", ratio[ROUNDS / 2]);
        printf("decision_median_us_without_list=%.1f\n", median_us(without, DECISIONS / 2));
        printf("decision_median_us=%.1f\n", median_us(with, DECISIONS / 2));
        for (size_t i = 0; i < DECISIONS; i++)
                free(codes[i]);
        free(codes);
}

int main(void) {
        char path[128], cmd[128];
        size_t len;

        strcpy(dir, "/tmp/qrgate-bench-denylist-XXXXXX");
        if (!mkdtemp(dir))
                abort();
        key = th_key("es256");
        if (keystore_new(&ks) < 0)
                abort();
        th_trust(ks, "city", "k1", key);

        printf("# deny-list of %d entries (tests/bench/bench-denylist.c)\n", ENTRIES);
        build_list(path, &len);
        bench_load(path, len);
        bench_lookup();
        bench_decisions();

        denylist_free(list);
        keystore_free(ks);
        EVP_PKEY_free(key);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : 1;
}
