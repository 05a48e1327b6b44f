/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qrgate-issue: the issuer's tool. Makes issuer keys and mints QG1 codes. It refuses claims
 * that every gate would refuse, with the verifier's own rules (claims_check()); --unchecked
 * mints them anyway, for testing gates. It belongs on the issuing side, never on an
 * appliance. */

#include <errno.h>
#include <getopt.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/claims.h"
#include "core/cose.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/qg1-mint.h"
#include "core/verifier.h"
#include "tools/issue-denylist.h"
#include "tools/issue-hc1.h"
#include "tools/keyfile.h"
#include "tools/qr-png.h"
#include "tools/util.h"

#define SYNOPSIS_KEYGEN "qrgate-issue keygen --alg es256|ed25519 --kid KID --out PREFIX\n"
#define SYNOPSIS_MINT \
        "qrgate-issue mint --key FILE --kid KID --iss ISS --sub SUB [--scope S]...\n" \
        "                         [--status green|yellow|red|N] [--ttl SECONDS] [--iat UNIXTIME]\n" \
        "                         [--exp UNIXTIME] [--cti HEX] [--obo SUB] [--patron ID] [--png FILE] [--unchecked]\n"
#define SYNOPSIS_MINT_CARD \
        "qrgate-issue mint-card --key FILE --kid KID --iss ISS --sub SUB --serial SERIAL [--scope S]...\n" \
        "                         [--status green|yellow|red|N] [--days N | --ttl SECONDS | --exp UNIXTIME]\n" \
        "                         [--iat UNIXTIME] [--obo SUB] [--patron ID] [--png FILE] [--unchecked]\n"
#define SYNOPSIS_DCC_SIGNER "qrgate-issue dcc-signer --out PREFIX [--types vaccination,test,recovery|all] [--days N]\n"
#define SYNOPSIS_MINT_HC1 \
        "qrgate-issue mint-hc1 --key FILE --cert FILE --type vaccination|test|recovery\n" \
        "                         [--iss CC] [--iat UNIXTIME] [--ttl SECONDS]\n"
#define DCC_NOTE "(dcc-signer and mint-hc1 make EU DCC test material: a signer of your own, never a real one)\n"

static int cmd_keygen(int argc, char *argv[]);
static int cmd_mint(int argc, char *argv[]);
static int cmd_mint_card(int argc, char *argv[]);

static const Verb verbs[] = {
        { "keygen", cmd_keygen, SYNOPSIS_KEYGEN "Makes an issuer key pair: PREFIX.key (private, mode 0600) and PREFIX.pub.\n" },
        { "mint", cmd_mint, SYNOPSIS_MINT "Mints a QG1 code and prints it (--png also writes its QR image). Claims every\n"
                                          "gate would refuse are refused here too; --unchecked mints them, to test gates.\n" },
        { "mint-card", cmd_mint_card, SYNOPSIS_MINT_CARD "Mints a static card code (docs/code-format.md §8): a QG1 code with a card serial\n"
                                                       "and no cti, valid for --days (default 365), to print on a card (--png). Only\n"
                                                       "doors with cards = true take it; the deny-list withdraws it by its serial.\n" },
        { "dcc-signer", issue_dcc_signer, SYNOPSIS_DCC_SIGNER "Makes a test EU DCC signer: PREFIX.key and its certificate "
                                                              "PREFIX.crt.\n" DCC_NOTE },
        { "mint-hc1", issue_mint_hc1, SYNOPSIS_MINT_HC1 "Mints a test EU DCC (\"HC1:\") signed by such a signer.\n" DCC_NOTE },
        { "denylist", issue_denylist, SYNOPSIS_DENYLIST "Builds a signed deny-list from a text file (one entry a line: card ISS SERIAL,\n"
                                                        "subject ISS SUB, cti HEX, barcode FORMAT DIGITS) and writes it into place\n"
                                                        "(docs/denylist.md).\n" },
};

static int usage(FILE *f) {
        fputs("usage: " SYNOPSIS_KEYGEN "       " SYNOPSIS_MINT "       " SYNOPSIS_MINT_CARD "       " SYNOPSIS_DCC_SIGNER "       " SYNOPSIS_MINT_HC1
              "       " SYNOPSIS_DENYLIST "       qrgate-issue --version | -h | --help | COMMAND --help\n" DCC_NOTE,
              f);
        return f == stderr ? 2 : 0;
}

static int cmd_keygen(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "alg", required_argument, NULL, 'a' },
                { "kid", required_argument, NULL, 'k' },
                { "out", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *alg = "es256", *kid = NULL, *out = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'a': alg = optarg; break;
                case 'k': kid = optarg; break;
                case 'o': out = optarg; break;
                case 'h': return usage(stdout);
                default: return usage(stderr);
                }
        if (!kid || !out || optind != argc)
                return usage(stderr);

        r = keyfile_generate(alg, out);
        if (r == -EINVAL)
                return fprintf(stderr, "qrgate-issue: --alg must be es256 or ed25519\n"), 2;
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot write %s.key/%s.pub: %s\n", out, out, strerror(-r)), 1;
        printf("private key: %s.key (keep it on the issuing side)\n"
               "public key:  %s.pub\n"
               "appliance configuration:\n"
               "  issuers = ( { id = \"YOUR-ISSUER\"; keys = ( { kid = \"%s\"; file = \"%s.pub\"; } ); } );\n",
               out, out, kid, out);
        return 0;
}

/* The option that set each claim, to name it when claims_check() refuses the claims. */
static const char *const claim_option[_CODE_CLAIM_MAX] = {
        [CODE_CLAIM_ISS] = "--iss", [CODE_CLAIM_SUB] = "--sub", [CODE_CLAIM_IAT] = "--iat",
        [CODE_CLAIM_EXP] = "--exp/--ttl", [CODE_CLAIM_CTI] = "--cti", [CODE_CLAIM_STATUS] = "--status",
        [CODE_CLAIM_SCOPES] = "--scope", [CODE_CLAIM_SCOPE] = "--scope", [CODE_CLAIM_OBO] = "--obo",
        [CODE_CLAIM_CARD] = "--serial", [CODE_CLAIM_PATRON] = "--patron",
};

/* The offending text, for the claims whose value the user typed. */
static const char *claim_value(const CodeClaims *cl, CodeClaim which) {
        switch (which) {
        case CODE_CLAIM_ISS:
                return cl->iss;
        case CODE_CLAIM_SUB:
                return cl->sub;
        case CODE_CLAIM_OBO:
                return cl->obo;
        case CODE_CLAIM_CARD:
                return cl->card_serial;
        case CODE_CLAIM_PATRON:
                return cl->patron;
        case CODE_CLAIM_SCOPE:
                for (size_t i = 0; i < cl->n_scopes; i++)
                        if (!scope_is_valid(cl->scopes[i]))
                                return cl->scopes[i];
                return NULL;
        default:
                return NULL;
        }
}

/* Refuses claims that every gate refuses (exit 2, like any bad argument): an issuer that
 * printed such a code would hand out something that looks like a pass and opens nothing. */
static int refuse_bad_claims(const CodeClaims *cl) {
        const char *why, *value;
        CodeClaim which;

        if (claims_check(cl, &which, &why) >= 0)
                return 0;
        value = claim_value(cl, which);
        fprintf(stderr, "qrgate-issue: %s%s%s%s: %s; every gate refuses such a code as malformed "
                "(--unchecked mints it anyway, for testing gates)\n",
                claim_option[which], value ? " '" : "", value ?: "", value ? "'" : "", why);
        return -EINVAL;
}

/* mint and mint-card: the same claims, but a card carries a serial and no cti (§8), lives for
 * days rather than seconds, and is printed at a size a card reader takes in at arm's length. */
static int mint(int argc, char *argv[], bool card) {
        static const struct option opts[] = {
                { "key", required_argument, NULL, 'K' },
                { "kid", required_argument, NULL, 'k' },
                { "iss", required_argument, NULL, 'i' },
                { "sub", required_argument, NULL, 's' },
                { "scope", required_argument, NULL, 'S' },
                { "status", required_argument, NULL, 't' },
                { "ttl", required_argument, NULL, 'T' },
                { "iat", required_argument, NULL, 'I' },
                { "exp", required_argument, NULL, 'E' },
                { "cti", required_argument, NULL, 'c' },
                { "obo", required_argument, NULL, 'o' },
                { "patron", required_argument, NULL, 'P' },
                { "png", required_argument, NULL, 'p' },
                { "unchecked", no_argument, NULL, 'u' },
                { "serial", required_argument, NULL, 'N' },
                { "days", required_argument, NULL, 'D' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *key_path = NULL, *kid = NULL, *png = NULL, *iss = NULL, *sub = NULL;
        CodeClaims cl = { .status = CODE_STATUS_GREEN, .cti_len = card ? 0 : 16 };
        int64_t ttl = card ? 365 * 86400 : 60, exp = 0, days;
        bool have_iat = false, have_exp = false, have_cti = false, unchecked = false;
        EVP_PKEY *key = NULL;
        _cleanup_(freep) char *text = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'K': key_path = optarg; break;
                case 'k': kid = optarg; break;
                case 'i': iss = optarg; break;
                case 's': sub = optarg; break;
                case 'o':
                        if (strlen(optarg) > CLAIM_TEXT_MAX)
                                return fprintf(stderr, "qrgate-issue: --obo longer than %d\n", CLAIM_TEXT_MAX), 2;
                        strcpy(cl.obo, optarg);
                        break;
                case 'P':
                        if (strlen(optarg) > CLAIM_TEXT_MAX)
                                return fprintf(stderr, "qrgate-issue: --patron longer than %d\n", CLAIM_TEXT_MAX), 2;
                        strcpy(cl.patron, optarg);
                        break;
                case 'S':
                        if (cl.n_scopes == QG1_MAX_SCOPES || strlen(optarg) > CLAIM_TEXT_MAX)
                                return fprintf(stderr, "qrgate-issue: at most %d scopes of %d characters\n",
                                               QG1_MAX_SCOPES, CLAIM_TEXT_MAX), 2;
                        strcpy(cl.scopes[cl.n_scopes++], optarg);
                        break;
                case 't':
                        cl.status = code_status_from_string(optarg);
                        if (cl.status < 0 && parse_int64(optarg, &exp) == 0) /* a raw number, for tests */
                                cl.status = (int) exp, exp = 0;
                        else if (cl.status < 0)
                                return fprintf(stderr, "qrgate-issue: --status green, yellow, red or a number\n"), 2;
                        break;
                case 'T':
                        if (parse_int64(optarg, &ttl) < 0)
                                return fprintf(stderr, "qrgate-issue: bad --ttl\n"), 2;
                        break;
                case 'I':
                        if (parse_int64(optarg, &cl.iat) < 0)
                                return fprintf(stderr, "qrgate-issue: bad --iat\n"), 2;
                        have_iat = true;
                        break;
                case 'E':
                        if (parse_int64(optarg, &exp) < 0)
                                return fprintf(stderr, "qrgate-issue: bad --exp\n"), 2;
                        have_exp = true;
                        break;
                case 'c':
                        r = parse_hex(optarg, cl.cti, sizeof(cl.cti), &cl.cti_len);
                        if (r < 0)
                                return fprintf(stderr, "qrgate-issue: --cti takes up to %zu bytes of hex\n", sizeof(cl.cti)), 2;
                        have_cti = true;
                        break;
                case 'p': png = optarg; break;
                case 'u': unchecked = true; break;
                case 'N':
                        if (!card)
                                return fprintf(stderr, "qrgate-issue: --serial is for mint-card\n"), 2;
                        if (strlen(optarg) > CLAIM_TEXT_MAX)
                                return fprintf(stderr, "qrgate-issue: --serial longer than %d\n", CLAIM_TEXT_MAX), 2;
                        strcpy(cl.card_serial, optarg);
                        break;
                case 'D':
                        if (!card || parse_int64(optarg, &days) < 0 || days <= 0 || days > CARD_MAX_MAX_LIFETIME / 86400)
                                return fprintf(stderr, "qrgate-issue: --days is for mint-card, 1-%lld\n",
                                               (long long) (CARD_MAX_MAX_LIFETIME / 86400)), 2;
                        ttl = days * 86400;
                        break;
                case 'h': return usage(stdout);
                default: return usage(stderr);
                }
        if (!key_path || !kid || !iss || !sub || optind != argc || (card && !cl.card_serial[0]))
                return usage(stderr);
        if (strlen(iss) > CLAIM_TEXT_MAX || strlen(sub) > CLAIM_TEXT_MAX || strlen(kid) == 0 || strlen(kid) > COSE_KID_MAX)
                return fprintf(stderr, "qrgate-issue: --iss/--sub longer than %d or --kid not 1-%d bytes\n",
                               CLAIM_TEXT_MAX, COSE_KID_MAX), 2;
        strcpy(cl.iss, iss);
        strcpy(cl.sub, sub);

        if (!have_iat)
                cl.iat = (int64_t) time(NULL);
        cl.exp = have_exp ? exp : cl.iat + ttl;
        if (!unchecked && refuse_bad_claims(&cl) < 0)
                return 2;
        if (!have_cti && cl.cti_len > 0 && RAND_bytes(cl.cti, (int) cl.cti_len) != 1)
                return fprintf(stderr, "qrgate-issue: no randomness for cti\n"), 1;

        r = keyfile_load_private(key_path, &key);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot read private key %s: %s\n", key_path,
                               r == -EBADMSG ? "not a PEM private key" : read_file_strerror(r, 0)), 1;
        r = qg1_mint(key, (const uint8_t *) kid, strlen(kid), &cl, &text);
        EVP_PKEY_free(key);
        if (r == -EKEYREJECTED)
                return fprintf(stderr, "qrgate-issue: key type not usable (P-256, Ed25519 or RSA >= 2048)\n"), 1;
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot mint: %s\n", strerror(-r)), 1;

        if (png) {
                r = qr_png_write(png, text, card ? 8 : 6);
                if (r < 0)
                        return fprintf(stderr, "qrgate-issue: cannot write %s: %s\n", png, strerror(-r)), 1;
        }
        puts(text);
        return 0;
}

static int cmd_mint(int argc, char *argv[]) {
        return mint(argc, argv, false);
}

static int cmd_mint_card(int argc, char *argv[]) {
        return mint(argc, argv, true);
}

int main(int argc, char *argv[]) {
        int r;

        r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        if (argc >= 2 && arg_is_version(argv[1])) {
                print_version();
                return 0;
        }
        return usage(argc >= 2 && arg_is_help_command(argv[1]) ? stdout : stderr);
}
