/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "core/barcode-explain.h"
#include "core/barcode-format.h"
#include "core/fileio.h"
#include "core/hc1-explain.h"
#include "tools/ctl-decode.h"
#include "tools/util.h"

static void print_text_or_dash(FILE *f, const char *label, const char *s) {
        fprintf(f, "  %-14s %s\n", label, s[0] ? s : "-");
}

/* "in 3 days", "2 hours ago": how far a card's expiry is, in words a front desk reads. */
static void format_distance(int64_t seconds, char *buf, size_t size) {
        int64_t a = seconds < 0 ? -seconds : seconds;
        static const struct { int64_t unit; const char *name; } units[] = {
                { 86400, "day" }, { 3600, "hour" }, { 60, "minute" }, { 1, "second" },
        };
        size_t i = 0;

        while (i + 1 < ELEMENTSOF(units) && a < units[i].unit)
                i++;
        int64_t n = a / units[i].unit;
        snprintf(buf, size, "%s%lld %s%s%s", seconds < 0 ? "" : "in ", (long long) n, units[i].name, n == 1 ? "" : "s",
                 seconds < 0 ? " ago" : "");
}

static void explain_card(FILE *f, const CodeClaims *c, int64_t now) {
        char t[40], d[48];

        format_distance(c->exp - now, d, sizeof(d));
        fprintf(f, "  %-14s card: a static code printed on a card, shown at every visit and never used up;\n"
                   "  %-14s only doors with cards = true take it, the deny-list withdraws it by its serial\n", "profile", "");
        fprintf(f, "  %-14s %s\n", "card serial", c->card_serial);
        fprintf(f, "  %-14s %s\n", "holder (sub)", c->sub);
        fprintf(f, "  %-14s %s, %s %s\n", "valid until", format_utc(c->exp, t, sizeof(t)),
                c->exp < now ? "expired" : "expires", d);
}

static void explain_claims(FILE *f, const VerifyResult *r, int64_t now) {
        const CodeClaims *c = &r->claims;
        char t1[40];

        if (claims_is_card(c))
                explain_card(f, c, now);
        else
                fprintf(f, "  %-14s dynamic: a code for one opening, renewed by the holder's app\n", "profile");

        fprintf(f, "  %-14s %s (%lld)\n", "alg", cose_alg_to_string(r->alg) ?: "?", (long long) r->alg);
        fprintf(f, "  %-14s ", "kid");
        print_hex(f, r->kid, r->kid_len);
        fprintf(f, " \"%.*s\"\n", (int) r->kid_len, r->kid);
        print_text_or_dash(f, "iss", c->iss);
        print_text_or_dash(f, "sub", c->sub);
        fprintf(f, "  %-14s %s (%lld)\n", "iat", format_utc(c->iat, t1, sizeof(t1)), (long long) c->iat);
        fprintf(f, "  %-14s %s (%lld, lifetime %lld s)\n", "exp", format_utc(c->exp, t1, sizeof(t1)),
                (long long) c->exp, (long long) (c->exp - c->iat));
        if (!claims_is_card(c)) {
                fprintf(f, "  %-14s ", "cti");
                print_hex(f, c->cti, c->cti_len);
                fputc('\n', f);
        }
        fprintf(f, "  %-14s %s\n", "status", code_status_to_string(c->status) ?: "?");
        fprintf(f, "  %-14s", "scopes");
        for (size_t i = 0; i < c->n_scopes; i++)
                fprintf(f, " %s", c->scopes[i]);
        fputs(c->n_scopes == 0 ? " (none)\n" : "\n", f);
        print_text_or_dash(f, "on-behalf-of", c->obo);
        if (c->patron[0])
                print_text_or_dash(f, "library patron", c->patron);
}

void decode_explain(FILE *f, const VerifyResult *r, int64_t now, bool replay_checked) {
        char t[40];

        fprintf(f, "code:          %s, %zu characters", code_format_to_string(r->format), r->text_len);
        if (r->cose_len > 0)
                fprintf(f, ", %zu bytes of COSE", r->cose_len);
        fprintf(f, "\nchecked at:    %s (%lld)\n", format_utc(now, t, sizeof(t)), (long long) now);

        /* An EU DCC runs its own stages (inflate, signer certificate, key usage), which the
         * HC1 explainer names, and a barcode only three steps and its check digit, which the
         * barcode explainer names; the generic steps below are QG1's. */
        if (r->format == CODE_FORMAT_HC1) {
                hc1_explain(f, r);
                if (r->reason != REASON_OK)
                        fprintf(f, "failed:        %s: %s\n", reason_to_string(r->reason), r->detail);
        } else if (code_format_is_barcode(r->format)) {
                /* A printed barcode runs three of the steps; saying "ok" for the others would
                 * read as a signature that was checked. */
                barcode_explain(f, r);
        } else for (VerifyStep s = 0; s < _VERIFY_STEP_MAX; s++) {
                fprintf(f, "check %-9s ", verify_step_to_string(s));
                if (s == r->failed)
                        fprintf(f, "FAILED %s: %s\n", reason_to_string(r->reason), r->detail);
                else if (s > r->failed)
                        fputs("not reached\n", f);
                else if (s == VERIFY_STEP_REPLAY && r->have_claims && claims_is_card(&r->claims))
                        fputs("not applicable (a card is shown at every visit: never used up, withdrawn by the deny-list)\n", f);
                else if (s == VERIFY_STEP_REPLAY && !replay_checked)
                        fputs("not checked (offline decoding keeps no record of used codes)\n", f);
                else
                        fputs("ok\n", f);
                if (s == VERIFY_STEP_STRUCTURE && r->have_claims)
                        explain_claims(f, r, now);
        }
        if (r->reason == REASON_OK)
                fputs("verdict: valid\n", f);
        else
                fprintf(f, "verdict: invalid %s\n", reason_to_string(r->reason));
}

/* --issuer-key ISS:KID:PUBFILE; the file part may itself contain ':'. */
static int add_issuer_key(Keystore *ks, const char *spec) {
        const char *a = strchr(spec, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        _cleanup_(freep) char *iss = NULL;
        int r;

        if (!a || !b || a == spec || b == a + 1 || b[1] == '\0')
                return fprintf(stderr, "qrgatectl: --issuer-key takes ISS:KID:PUBFILE\n"), -EINVAL;
        iss = strndup(spec, (size_t) (a - spec));
        if (!iss)
                return -ENOMEM;
        r = keystore_add_pem_file(ks, iss, (const uint8_t *) a + 1, (size_t) (b - a - 1), b + 1);
        if (r < 0)
                fprintf(stderr, "qrgatectl: cannot use key %s: %s\n", b + 1,
                        r == -EBADMSG ? "not a PEM public key" :
                        r == -EKEYREJECTED ? "key type not supported (P-256, Ed25519, RSA >= 2048)" :
                        r == -EINVAL ? "issuer or kid too long" : read_file_strerror(r, 0));
        return r;
}

/* Reads the code from stdin: one line, trailing CR/LF removed, bounded like any scanned text. */
static int read_stdin_code(char *buf, size_t size, size_t *ret_len) {
        size_t n = fread(buf, 1, size, stdin);
        if (ferror(stdin))
                return -EIO;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                n--;
        *ret_len = n;
        return 0;
}

const char ctl_decode_usage[] =
        "qrgatectl decode [--config FILE | --issuer-key ISS:KID:PUBFILE ...] [--dcc-trust PATH ...]\n"
        "                        [--now UNIXTIME] CODE|-\n"
        "Verifies a code offline (- reads it from standard input) and explains every check; exits 0\n"
        "valid, 1 invalid. --config uses an appliance's issuer keys, limits and trust list.\n";

int ctl_decode(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "issuer-key", required_argument, NULL, 'k' },
                { "config", required_argument, NULL, 'c' },
                { "now", required_argument, NULL, 'n' },
                { "dcc-trust", required_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(keystore_freep) Keystore *ks = NULL, *config_keys = NULL;
        _cleanup_(trustlist_freep) TrustList *trust = NULL;
        const char *config = NULL;
        int64_t now = (int64_t) time(NULL);
        static char buf[CODE_MAX_TEXT + 2];
        const char *text;
        size_t len;
        int c, r;

        r = keystore_new(&ks);
        if (r < 0)
                return 1;
        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'k':
                        if (add_issuer_key(ks, optarg) < 0)
                                return 2;
                        break;
                case 'c':
                        config = optarg;
                        break;
                case 'd':
                        if (!trust && trustlist_new(&trust) < 0)
                                return 1;
                        r = trustlist_load_path(trust, optarg, NULL, NULL);
                        if (r < 0)
                                return fprintf(stderr, "qrgatectl: cannot load DCC trust list %s: %s\n", optarg, read_file_strerror(r, 0)), 2;
                        break;
                case 'n':
                        if (parse_int64(optarg, &now) < 0)
                                return fprintf(stderr, "qrgatectl: --now takes unix seconds\n"), 2;
                        break;
                case 'h':
                        printf("usage: %s", ctl_decode_usage);
                        return 0;
                default:
                        return 2;
                }
        if (optind + 1 != argc)
                return fprintf(stderr, "usage: qrgatectl decode [--config FILE | --issuer-key ISS:KID:PUBFILE ...] [--now UNIXTIME] CODE|-\n"), 2;

        Verifier v = {
                .keys = ks,
                .max_lifetime = QG1_DEFAULT_MAX_LIFETIME,
                .card_max_lifetime = CARD_DEFAULT_MAX_LIFETIME,
                .clock_skew = QG1_DEFAULT_CLOCK_SKEW,
        };
        if (config) {
                _cleanup_(config_freep) Config *cfg = NULL;
                _cleanup_(freep) char *errors = NULL;

                if (keystore_size(ks) > 0)
                        return fprintf(stderr, "qrgatectl: use either --config or --issuer-key\n"), 2;
                r = config_load(config, &cfg, &errors);
                if (r >= 0)
                        r = config_build_keystore(cfg, &config_keys, &errors);
                if (r != 0)
                        return fprintf(stderr, "%s", errors ?: "qrgatectl: out of memory\n"), 2;
                v.keys = config_keys;
                v.max_lifetime = cfg->max_lifetime;
                v.card_max_lifetime = cfg->card_max_lifetime;
                v.clock_skew = cfg->clock_skew;
                if (!trust && cfg->dcc.n_trust_list > 0) {
                        free(errors);
                        errors = NULL;
                        _cleanup_(freep) char *notes = NULL;
                        if (config_build_trustlist(cfg, now, &trust, &errors, &notes) != 0)
                                return fprintf(stderr, "%s", errors ?: "qrgatectl: out of memory\n"), 2;
                }
                v.dcc_trust_max_age = cfg->dcc.trust_max_age;
                v.dcc_trust_age_policy = cfg->dcc.trust_age_policy;
        }

        if (strcmp(argv[optind], "-") == 0) {
                if (read_stdin_code(buf, sizeof(buf) - 1, &len) < 0)
                        return fprintf(stderr, "qrgatectl: cannot read standard input\n"), 2;
                text = buf;
        } else {
                text = argv[optind];
                len = strlen(text);
        }

        v.dcc_trust = trust;
        VerifyResult res;
        verifier_check(&v, text, len, now, &res);
        decode_explain(stdout, &res, now, false);
        return res.reason == REASON_OK ? 0 : 1;
}
