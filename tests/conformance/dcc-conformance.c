/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the public EU DCC test vectors (dgc-testdata layout: <CC>/.../2DCode/raw/N.json) through
 * the real verifier and compares each EXPECTED flag it understands with what the verifier did.
 *
 * Each vector's PREFIX text goes through verifier_check() with TESTCTX.CERTIFICATE as the only
 * trusted DSC and TESTCTX.VALIDATIONCLOCK as now (no clock skew). A flag is observed true when
 * the verifier got past that check (Hc1Info.stage and .problems say how far it got), so a check
 * that was never reached counts as failed. Where a vector also gives the intermediate stages,
 * they must match too, computed with the same functions the verifier uses:
 *
 *   EXPECTEDUNPREFIX         the verifier took the text as HC1, and PREFIX = "HC1:" + BASE45
 *   EXPECTEDB45DECODE        base45 passed, and it gives COMPRESSED
 *   EXPECTEDCOMPRESSION      inflate passed, and it gives COSE
 *   EXPECTEDVERIFY           the kid found the DSC and the signature verified
 *   EXPECTEDEXPIRATIONCHECK  claims read, and no time problem (code or DSC window)
 *   EXPECTEDKEYUSAGE         claims read, and the DSC may sign this certificate type
 *
 * Mismatches listed in the known-mismatch file (docs/dcc.md explains each) are reported but do
 * not fail the run; a listed mismatch that no longer happens does, so the list stays true.
 *
 * usage: dcc-conformance [--known FILE] [--verbose] DIR */

#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/base45.h"
#include "core/hc1.h"
#include "core/inflate-bounded.h"
#include "core/verifier.h"

enum { F_UNPREFIX, F_B45DECODE, F_COMPRESSION, F_VERIFY, F_EXPIRATION, F_KEYUSAGE, _F_MAX };

static const char *const flag_names[_F_MAX] = {
        [F_UNPREFIX] = "EXPECTEDUNPREFIX",
        [F_B45DECODE] = "EXPECTEDB45DECODE",
        [F_COMPRESSION] = "EXPECTEDCOMPRESSION",
        [F_VERIFY] = "EXPECTEDVERIFY",
        [F_EXPIRATION] = "EXPECTEDEXPIRATIONCHECK",
        [F_KEYUSAGE] = "EXPECTEDKEYUSAGE",
};

typedef struct Known {
        char *path, *flag, *why;
        bool seen;
} Known;

static struct {
        char **paths;
        size_t n, allocated;
} found;

static Known *known;
static size_t n_known;
static bool verbose;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw) {
        size_t n = strlen(path);

        if (type != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0)
                return 0;
        if (found.n == found.allocated) {
                size_t a = found.allocated ? found.allocated * 2 : 256;
                char **p = realloc(found.paths, a * sizeof(char *));
                if (!p)
                        return -1;
                found.paths = p, found.allocated = a;
        }
        found.paths[found.n] = strdup(path);
        return found.paths[found.n++] ? 0 : -1;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int load_known(const char *file) {
        char line[1024];
        FILE *f = fopen(file, "re");

        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char *path, *flag, *why, *save = NULL;

                line[strcspn(line, "\r\n")] = '\0';
                if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
                        continue;
                path = strtok_r(line, " \t", &save);
                flag = strtok_r(NULL, " \t", &save);
                why = save ? save + strspn(save, " \t") : NULL;
                if (!path || !flag) {
                        fclose(f);
                        return -EINVAL;
                }
                Known *k = realloc(known, (n_known + 1) * sizeof(Known));
                if (!k) {
                        fclose(f);
                        return -ENOMEM;
                }
                known = k;
                known[n_known++] = (Known) { strdup(path), strdup(flag), strdup(why ? why : "") };
        }
        fclose(f);
        return 0;
}

static Known *find_known(const char *rel, const char *flag) {
        for (size_t i = 0; i < n_known; i++)
                if (strcmp(known[i].path, rel) == 0 && strcmp(known[i].flag, flag) == 0)
                        return &known[i];
        return NULL;
}

static const char *get_string(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v) : NULL;
}

static int hex_decode(const char *s, uint8_t **ret, size_t *ret_len) {
        size_t n = strlen(s);
        uint8_t *b;

        if (n % 2)
                return -EINVAL;
        b = malloc(n / 2 + 1);
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < n / 2; i++) {
                unsigned v;
                if (sscanf(s + 2 * i, "%2x", &v) != 1) {
                        free(b);
                        return -EINVAL;
                }
                b[i] = (uint8_t) v;
        }
        *ret = b;
        *ret_len = n / 2;
        return 0;
}

static int base64_decode(const char *s, uint8_t **ret, size_t *ret_len) {
        size_t n = strlen(s), o = 0, pad = 0;
        _cleanup_(freep) char *clean = malloc(n + 1);
        uint8_t *b;

        if (!clean)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!strchr(" \t\r\n", s[i]))
                        clean[o++] = s[i];
        clean[o] = '\0';
        if (o == 0 || o % 4)
                return -EINVAL;
        pad = clean[o - 1] == '=' ? (clean[o - 2] == '=' ? 2 : 1) : 0;
        b = malloc(o / 4 * 3 + 1);
        if (!b)
                return -ENOMEM;
        int k = EVP_DecodeBlock(b, (const unsigned char *) clean, (int) o);
        if (k < 0 || (size_t) k < pad) {
                free(b);
                return -EINVAL;
        }
        *ret = b;
        *ret_len = (size_t) k - pad;
        return 0;
}

/* ISO 8601 as the vectors write it: YYYY-MM-DDTHH:MM:SS, then any fraction, then Z, ±HH:MM,
 * ±HHMM or nothing (UTC, as the upstream harness assumes). */
static int parse_clock(const char *s, int64_t *ret) {
        struct tm tm = {};
        int n = 0, zh = 0, zm = 0;
        const char *p;

        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec, &n) != 6)
                return -EINVAL;
        p = s + n;
        if (*p == '.')
                for (p++; *p >= '0' && *p <= '9'; p++)
                        ;
        tm.tm_year -= 1900;
        tm.tm_mon -= 1;
        int64_t t = (int64_t) timegm(&tm);
        if (*p == 'Z' || *p == 'z')
                p++;
        else if (*p == '+' || *p == '-') {
                int sign = *p == '+' ? 1 : -1;
                if (sscanf(p + 1, "%2d:%2d", &zh, &zm) == 2)
                        p += 6;
                else if (sscanf(p + 1, "%2d%2d", &zh, &zm) == 2)
                        p += 5;
                else
                        return -EINVAL;
                t -= sign * (zh * 3600 + zm * 60);
        }
        if (*p != '\0')
                return -EINVAL;
        *ret = t;
        return 0;
}

static bool bytes_equal_hex(const uint8_t *b, size_t n, const char *hexs) {
        _cleanup_(freep) uint8_t *want = NULL;
        size_t wn;

        if (hex_decode(hexs, &want, &wn) < 0)
                return false;
        return wn == n && (n == 0 || memcmp(want, b, n) == 0);
}

static const char *dsc_error(int r) {
        switch (r) {
        case -ENOENT:
                return "the vector has no TESTCTX.CERTIFICATE";
        case -EINVAL:
                return "CERTIFICATE is not base64";
        case -EBADMSG:
                return "CERTIFICATE is not an X.509 certificate";
        case -EKEYREJECTED:
                return "its key is neither EC P-256 nor RSA >= 2048 bits";
        default:
                return strerror(-r);
        }
}

typedef struct Counts {
        unsigned pass[_F_MAX], fail[_F_MAX], known[_F_MAX];
        unsigned vectors, no_flags, broken, fixed;
} Counts;

/* What the verifier did with one vector, as the six observed flags. */
static void observe(json_object *vec, const char *prefix, const VerifyResult *res, bool obs[static _F_MAX]) {
        const char *b45 = get_string(vec, "BASE45"), *compressed = get_string(vec, "COMPRESSED"),
                   *cose = get_string(vec, "COSE");
        const Hc1Info *h = &res->hc1;
        bool hc1 = res->format == CODE_FORMAT_HC1;
        size_t plen = strlen(HC1_PREFIX);

        obs[F_UNPREFIX] = hc1 && h->stage >= HC1_STAGE_PREFIX && (!b45 || strcmp(prefix + plen, b45) == 0);
        obs[F_B45DECODE] = hc1 && h->stage >= HC1_STAGE_BASE45;
        obs[F_COMPRESSION] = hc1 && h->stage >= HC1_STAGE_INFLATE;
        obs[F_VERIFY] = hc1 && h->stage >= HC1_STAGE_SIGNATURE;
        obs[F_EXPIRATION] = hc1 && h->stage >= HC1_STAGE_CLAIMS && !(h->problems & HC1_PROBLEMS_TIME);
        obs[F_KEYUSAGE] = hc1 && h->stage >= HC1_STAGE_CLAIMS && !(h->problems & HC1_PROBLEM_KEY_USAGE);

        /* The intermediate stages, recomputed with the verifier's own functions. */
        if ((obs[F_B45DECODE] && compressed) || (obs[F_COMPRESSION] && cose)) {
                size_t n = strlen(prefix) - plen;
                _cleanup_(freep) uint8_t *bin = malloc(base45_decoded_max(n)), *out = NULL;
                size_t out_len = 0;
                int r = bin ? base45_decode(prefix + plen, n, bin, NULL) : -ENOMEM;

                if (compressed && obs[F_B45DECODE])
                        obs[F_B45DECODE] = r >= 0 && bytes_equal_hex(bin, (size_t) r, compressed);
                if (cose && obs[F_COMPRESSION])
                        obs[F_COMPRESSION] = r >= 0 &&
                                inflate_bounded(bin, (size_t) r, HC1_MAX_INFLATED, HC1_MAX_RATIO, &out, &out_len, NULL) >= 0 &&
                                bytes_equal_hex(out, out_len, cose);
        }
}

static void run_vector(const char *path, const char *rel, Counts *c) {
        json_object *vec = json_object_from_file(path), *ctx = NULL, *exp = NULL;
        _cleanup_(trustlist_freep) TrustList *tl = NULL;
        _cleanup_(freep) uint8_t *der = NULL;
        const char *prefix, *cert, *clock;
        bool obs[_F_MAX], any = false;
        int64_t now = (int64_t) time(NULL);
        VerifyResult res;
        size_t der_len;
        int cert_r = -ENOENT;

        if (!vec) {
                printf("BROKEN %s: not readable JSON\n", rel);
                c->broken++;
                return;
        }
        c->vectors++;
        if (!json_object_object_get_ex(vec, "EXPECTEDRESULTS", &exp) || !json_object_is_type(exp, json_type_object))
                exp = NULL;
        for (int f = 0; exp && f < _F_MAX; f++)
                any |= json_object_object_get_ex(exp, flag_names[f], NULL);
        if (!any) {
                c->no_flags++;
                json_object_put(vec);
                return;
        }

        prefix = get_string(vec, "PREFIX");
        (void) json_object_object_get_ex(vec, "TESTCTX", &ctx);
        cert = ctx ? get_string(ctx, "CERTIFICATE") : NULL;
        clock = ctx ? get_string(ctx, "VALIDATIONCLOCK") : NULL;
        if (!prefix || trustlist_new(&tl) < 0 || (clock && parse_clock(clock, &now) < 0)) {
                printf("BROKEN %s: no PREFIX, or an unreadable VALIDATIONCLOCK \"%s\"\n", rel, clock ?: "");
                c->broken++;
                json_object_put(vec);
                return;
        }
        if (cert && (cert_r = base64_decode(cert, &der, &der_len)) >= 0)
                cert_r = trustlist_add_der(tl, der, der_len);

        Verifier v = { .dcc_trust = tl };
        (void) verifier_check(&v, prefix, strlen(prefix), now, &res);
        observe(vec, prefix, &res, obs);

        if (verbose)
                printf("%-40s %-24s stage %-9s %s%s%s\n", rel, reason_to_string(res.reason),
                       hc1_stage_to_string(res.hc1.stage) ?: "-", res.detail,
                       cert_r < 0 ? "; DSC not loaded: " : "", cert_r < 0 ? dsc_error(cert_r) : "");

        for (int f = 0; f < _F_MAX; f++) {
                json_object *jv;
                if (!json_object_object_get_ex(exp, flag_names[f], &jv) || !json_object_is_type(jv, json_type_boolean))
                        continue;
                bool want = json_object_get_boolean(jv);
                Known *k = find_known(rel, flag_names[f]);

                if (want == obs[f]) {
                        c->pass[f]++;
                        if (k) {
                                k->seen = true;
                                c->fixed++;
                                printf("FIXED    %s %s: listed as a known mismatch but passes; remove it from the list\n",
                                       rel, flag_names[f]);
                        }
                        continue;
                }
                c->fail[f]++;
                printf("%s %s %s: expected %s, verifier says %s (%s: %s%s%s)\n", k ? "KNOWN   " : "MISMATCH", rel,
                       flag_names[f], want ? "true" : "false", obs[f] ? "true" : "false",
                       reason_to_string(res.reason), res.detail, cert_r < 0 ? "; DSC not loaded: " : "",
                       cert_r < 0 ? dsc_error(cert_r) : "");
                if (k) {
                        k->seen = true;
                        c->known[f]++;
                        printf("         why: %s\n", k->why);
                }
        }
        json_object_put(vec);
}

int main(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "known", required_argument, NULL, 'k' },
                { "verbose", no_argument, NULL, 'v' },
                {}
        };
        const char *dir, *known_file = NULL;
        unsigned passed = 0, failed = 0, skipped = 0;
        Counts c = {};
        struct stat st;
        int o;

        while ((o = getopt_long(argc, argv, "k:v", opts, NULL)) >= 0)
                switch (o) {
                case 'k':
                        known_file = optarg;
                        break;
                case 'v':
                        verbose = true;
                        break;
                default:
                        return 2;
                }
        if (optind + 1 != argc) {
                fprintf(stderr, "usage: dcc-conformance [--known FILE] [--verbose] DIR\n");
                return 2;
        }
        dir = argv[optind];
        /* A missing vector folder must fail the run: a conformance check that silently runs
         * nothing would pass forever. */
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, "conformance: DCC vectors not found at %s (set DCC_DIR=DIR)\n", dir);
                return 1;
        }
        if (known_file && load_known(known_file) < 0) {
                fprintf(stderr, "conformance: cannot read known-mismatch list %s\n", known_file);
                return 1;
        }
        if (nftw(dir, collect, 16, FTW_PHYS) != 0) {
                fprintf(stderr, "conformance: cannot walk %s: %m\n", dir);
                return 1;
        }
        if (found.n == 0) {
                fprintf(stderr, "conformance: no *.json vectors under %s\n", dir);
                return 1;
        }
        qsort(found.paths, found.n, sizeof(char *), cmp_str);

        size_t dlen = strlen(dir);
        while (dlen > 1 && dir[dlen - 1] == '/')
                dlen--;
        for (size_t i = 0; i < found.n; i++) {
                const char *rel = found.paths[i] + dlen;
                rel += strspn(rel, "/");
                run_vector(found.paths[i], rel, &c);
                free(found.paths[i]);
        }
        free(found.paths);

        printf("DCC conformance, %u vectors in %s (%u without any of these flags):\n", c.vectors, dir, c.no_flags);
        for (int f = 0; f < _F_MAX; f++) {
                printf("  %-24s %u passed, %u failed (%u of them known)\n", flag_names[f], c.pass[f], c.fail[f], c.known[f]);
                passed += c.pass[f];
                failed += c.fail[f] - c.known[f];
                skipped += c.known[f];
        }
        failed += c.broken + c.fixed;
        if (skipped > 0)
                printf("known mismatches (docs/dcc.md) are counted as skipped below\n");
        printf("conformance: %u passed, %u failed, %u skipped\n", passed, failed, skipped);

        for (size_t i = 0; i < n_known; i++) {
                free(known[i].path), free(known[i].flag), free(known[i].why);
        }
        free(known);
        return failed == 0 && c.vectors > 0 ? 0 : 1;
}
