/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkcs11/token-blocking.h"
#include "tools/ctl-bus.h"
#include "tools/ctl-token.h"
#include "tools/ctl-token-session.h"
#include "tools/util.h"

/* qrgatectl token: the synchronous building blocks of the token service (pkcs11/), driven from
 * the command line — and retry-login, which asks the running daemon's service over the bus. PINs
 * come from files or systemd credentials, never from arguments. */

#define DEFAULT_SIGN_KEY "device-key"
#define DEFAULT_HMAC_KEY "hmac-key"

typedef struct Args {
        const char *module;
        const char *token;
        const char *key;
        const char *hmac_key;
        const char *pin_file;
        const char *pin_credential;
        const char *so_pin_file;
        const char *output;
        bool init_token;
        bool no_hmac;
        bool der;
} Args;

#define OPTIONS \
        "\n" \
        "  --module M        PKCS#11 module path or p11-kit module name (or module-path= in the URI)\n" \
        "  --token URI       RFC 7512 URI of the token, e.g. pkcs11:token=qrgate;serial=...\n" \
        "  --key K           device key: URI or label (default " DEFAULT_SIGN_KEY ")\n" \
        "  --hmac-key K      HMAC key: URI or label (default " DEFAULT_HMAC_KEY ")\n" \
        "  --pin-file F      user PIN in a file readable only by you (mode 0600)\n" \
        "  --pin-credential N  user PIN from $CREDENTIALS_DIRECTORY/N\n" \
        "  --init-token      first initialize a blank software token (SoftHSM2) with the label\n" \
        "                    from --token, the SO PIN from --so-pin-file and the user PIN\n"
#define SYNOPSIS_INIT \
        "qrgatectl token init   --module M --token URI [--key K] [--hmac-key K | --no-hmac]\n" \
        "                              (--pin-file F | --pin-credential N) [--init-token --so-pin-file F]\n"
#define SYNOPSIS_INFO \
        "qrgatectl token info   --module M --token URI [--key K] [--hmac-key K]\n" \
        "                              [--pin-file F | --pin-credential N]\n"
#define SYNOPSIS_RETRY "qrgatectl token retry-login\n"
#define SYNOPSIS_PUBKEY \
        "qrgatectl token pubkey --module M --token URI [--key K] [--der] [--output FILE]\n" \
        "                              [--pin-file F | --pin-credential N]\n"

const char ctl_token_usage[] = SYNOPSIS_INIT "       " SYNOPSIS_INFO "       " SYNOPSIS_PUBKEY "       " SYNOPSIS_RETRY
        OPTIONS "\nretry-login asks the running qrgated for one more login after a PIN alarm (operators only).\n";

static void usage(FILE *f) {
        fprintf(f, "usage: %s", ctl_token_usage);
}

static int fail(int r, const char *what, const TokenReason *why) {
        fprintf(stderr, "qrgatectl token: %s: %s\n", what, why && why->text[0] ? why->text : strerror(-r));
        return r;
}

static int parse(int argc, char *argv[], Args *a) {
        enum {
                ARG_MODULE = 0x100, ARG_TOKEN, ARG_KEY, ARG_HMAC_KEY, ARG_NO_HMAC, ARG_PIN_FILE,
                ARG_PIN_CREDENTIAL, ARG_INIT_TOKEN, ARG_SO_PIN_FILE, ARG_DER, ARG_OUTPUT,
        };
        static const struct option options[] = {
                { "module", required_argument, NULL, ARG_MODULE },
                { "token", required_argument, NULL, ARG_TOKEN },
                { "key", required_argument, NULL, ARG_KEY },
                { "hmac-key", required_argument, NULL, ARG_HMAC_KEY },
                { "no-hmac", no_argument, NULL, ARG_NO_HMAC },
                { "pin-file", required_argument, NULL, ARG_PIN_FILE },
                { "pin-credential", required_argument, NULL, ARG_PIN_CREDENTIAL },
                { "init-token", no_argument, NULL, ARG_INIT_TOKEN },
                { "so-pin-file", required_argument, NULL, ARG_SO_PIN_FILE },
                { "der", no_argument, NULL, ARG_DER },
                { "output", required_argument, NULL, ARG_OUTPUT },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;

        *a = (Args) { .key = DEFAULT_SIGN_KEY, .hmac_key = DEFAULT_HMAC_KEY };
        optind = 0; /* glibc: start afresh, whatever parsed argv before */
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case ARG_MODULE: a->module = optarg; break;
                case ARG_TOKEN: a->token = optarg; break;
                case ARG_KEY: a->key = optarg; break;
                case ARG_HMAC_KEY: a->hmac_key = optarg; break;
                case ARG_NO_HMAC: a->no_hmac = true; break;
                case ARG_PIN_FILE: a->pin_file = optarg; break;
                case ARG_PIN_CREDENTIAL: a->pin_credential = optarg; break;
                case ARG_INIT_TOKEN: a->init_token = true; break;
                case ARG_SO_PIN_FILE: a->so_pin_file = optarg; break;
                case ARG_DER: a->der = true; break;
                case ARG_OUTPUT: a->output = optarg; break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "qrgatectl token: unexpected argument \"%s\"\n", argv[optind]);
                return -EINVAL;
        }
        if (!a->token) {
                fprintf(stderr, "qrgatectl token: --token URI is required\n");
                return -EINVAL;
        }
        if (a->pin_file && a->pin_credential) {
                fprintf(stderr, "qrgatectl token: give --pin-file or --pin-credential, not both\n");
                return -EINVAL;
        }
        return 1;
}

static int ctx_open(TokenCtx *c, const Args *a, bool rw, bool need_login) {
        TokenReason why = {};
        TokenState alarm;
        bool tried;
        int r;

        r = token_uri_parse_token(a->token, &c->token_uri, &why);
        if (r < 0)
                return fail(r, "--token", &why);
        r = token_uri_parse_key(a->key, &c->key_uri, &why);
        if (r < 0)
                return fail(r, "--key", &why);
        if (!a->no_hmac) {
                r = token_uri_parse_key(a->hmac_key, &c->hmac_uri, &why);
                if (r < 0)
                        return fail(r, "--hmac-key", &why);
        }
        r = token_module_load(a->module, c->token_uri, &c->module, &why);
        if (r >= 0)
                r = token_module_initialize(c->module, &why);
        if (r < 0)
                return fail(r, "module", &why);

        if (a->init_token) {
                _cleanup_(token_pin_erase) TokenPin so = {}, user = {};
                const CK_TOKEN_INFO *want = p11_kit_uri_get_token_info(c->token_uri);
                char label[sizeof(want->label) + 1] = "";

                memcpy(label, want->label, p11_kit_space_strlen(want->label, sizeof(want->label)));
                if (!label[0] || !a->so_pin_file)
                        return fail(-EINVAL, "--init-token", &(TokenReason) { "needs token= in --token and --so-pin-file" });
                r = token_pin_read(NULL, a->so_pin_file, &so, &why);
                if (r >= 0)
                        r = token_pin_read(a->pin_credential, a->pin_file, &user, &why);
                if (r >= 0)
                        r = token_provision_init_token(c->module, label, &so, &user, &why);
                if (r < 0)
                        return fail(r, "init token", &why);
                printf("initialized token \"%s\"\n", label);
        }

        r = token_find_slot(c->module, c->token_uri, &c->slot, &c->info, &why);
        if (r < 0)
                return fail(r, "token", &why);
        r = token_open_session(c->module, c->slot, rw, &c->session, &why);
        if (r < 0)
                return fail(r, "session", &why);

        if (!a->pin_file && !a->pin_credential) {
                if (need_login)
                        return fail(-EINVAL, "login", &(TokenReason) { "give --pin-file or --pin-credential" });
                return 0;
        }
        /* The same once-only login as the daemon's: a CLI must not burn the retry counter either. */
        r = token_login(c->module, c->session, c->slot, a->pin_credential, a->pin_file, &alarm, &tried, &why);
        if (r < 0)
                return fail(r, "login", &why);
        c->logged_in = true;
        return 0;
}

static int write_out(const char *path, const void *data, size_t size) {
        _cleanup_(closep) int fd = -EBADF;
        int r;

        if (!path || strcmp(path, "-") == 0)
                return fwrite(data, 1, size, stdout) == size && fflush(stdout) == 0 ? 0 : -EIO;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, data, size) != (ssize_t) size) {
                r = -errno;
                fprintf(stderr, "qrgatectl token: %s: %s\n", path, strerror(-r));
                return r;
        }
        return 0;
}

static int read_pubkey(TokenCtx *c, uint8_t **ret, size_t *ret_size) {
        CK_OBJECT_HANDLE pub;
        TokenReason why = {};
        int r;

        r = token_find_object(c->module, c->session, c->key_uri, CKO_PUBLIC_KEY, &pub, &why);
        if (r >= 0)
                r = token_read_pubkey(c->module, c->session, pub, ret, ret_size, &why);
        if (r < 0)
                return fail(r, "device public key", &why);
        return 0;
}

static int print_pem(const uint8_t *der, size_t size) {
        _cleanup_(freep) char *pem = NULL;
        size_t pem_size;
        int r;

        r = token_pubkey_to_pem(der, size, &pem, &pem_size);
        if (r < 0)
                return fail(r, "PEM", NULL);
        fputs(pem, stdout);
        return 0;
}

static int verb_init(const Args *a) {
        _cleanup_(freep) uint8_t *der = NULL;
        TokenCtx c = {};
        TokenReason why = {};
        size_t size = 0;
        int r;

        r = ctx_open(&c, a, true, true);
        if (r >= 0) {
                r = token_provision_keys(c.module, c.session, c.key_uri, c.hmac_uri, &why);
                if (r < 0)
                        (void) fail(r, "init", &why);
        }
        if (r >= 0)
                r = read_pubkey(&c, &der, &size);
        if (r >= 0) {
                printf("created device key \"%s\" (EC P-256)%s%s%s on token \"%.*s\" (serial %.*s);\n"
                       "private keys are sensitive and not extractable. Device public key:\n",
                       a->key, c.hmac_uri ? " and HMAC key \"" : "", c.hmac_uri ? a->hmac_key : "",
                       c.hmac_uri ? "\"" : "",
                       (int) p11_kit_space_strlen(c.info.label, sizeof(c.info.label)), c.info.label,
                       (int) p11_kit_space_strlen(c.info.serialNumber, sizeof(c.info.serialNumber)),
                       c.info.serialNumber);
                r = print_pem(der, size);
        }
        token_ctx_done(&c);
        return r;
}

static const char *yes_no(bool b) {
        return b ? "yes" : "no";
}

static void info_key(TokenCtx *c, const char *what, P11KitUri *uri, CK_OBJECT_CLASS cls, bool sign) {
        CK_OBJECT_HANDLE o;
        TokenReason why = {};
        int r;

        r = token_find_object(c->module, c->session, uri, cls, &o, &why);
        if (r >= 0)
                r = sign ? token_check_sign_key(c->module, c->session, o, &why)
                         : token_check_hmac_key(c->module, c->session, o, &why);
        printf("%s: %s\n", what, r >= 0 ? "present, sensitive, not extractable" : why.text);
}

static int verb_info(const Args *a) {
        _cleanup_(freep) uint8_t *der = NULL;
        TokenCtx c = {};
        size_t size = 0;
        uint8_t fp[32];
        int r;

        r = ctx_open(&c, a, false, false);
        if (r < 0) {
                token_ctx_done(&c);
                return r;
        }
        printf("module: %s\n", c.module->name);
        printf("token: %.*s\n", (int) p11_kit_space_strlen(c.info.label, sizeof(c.info.label)), c.info.label);
        printf("manufacturer: %.*s\n", (int) p11_kit_space_strlen(c.info.manufacturerID, sizeof(c.info.manufacturerID)),
               c.info.manufacturerID);
        printf("model: %.*s\n", (int) p11_kit_space_strlen(c.info.model, sizeof(c.info.model)), c.info.model);
        printf("serial: %.*s\n", (int) p11_kit_space_strlen(c.info.serialNumber, sizeof(c.info.serialNumber)),
               c.info.serialNumber);
        printf("login required: %s\n", yes_no(c.info.flags & CKF_LOGIN_REQUIRED));
        printf("user PIN count low: %s\n", yes_no(c.info.flags & CKF_USER_PIN_COUNT_LOW));
        printf("user PIN final try: %s\n", yes_no(c.info.flags & CKF_USER_PIN_FINAL_TRY));
        printf("user PIN locked: %s\n", yes_no(c.info.flags & CKF_USER_PIN_LOCKED));

        if (read_pubkey(&c, &der, &size) >= 0 && token_sha256(der, size, fp) >= 0) {
                printf("device public key: SHA-256 ");
                print_hex(stdout, fp, sizeof(fp));
                printf("\n");
        }
        if (c.logged_in) {
                info_key(&c, "device key", c.key_uri, CKO_PRIVATE_KEY, true);
                if (c.hmac_uri)
                        info_key(&c, "HMAC key", c.hmac_uri, CKO_SECRET_KEY, false);
        } else
                printf("keys: not checked (give --pin-file or --pin-credential)\n");
        token_ctx_done(&c);
        return 0;
}

static int verb_pubkey(const Args *a) {
        _cleanup_(freep) uint8_t *der = NULL;
        _cleanup_(freep) char *pem = NULL;
        Args b = *a;
        TokenCtx c = {};
        size_t size = 0, pem_size = 0;
        int r;

        b.no_hmac = true;
        r = ctx_open(&c, &b, false, false);
        if (r >= 0)
                r = read_pubkey(&c, &der, &size);
        token_ctx_done(&c);
        if (r < 0)
                return r;
        if (a->der) {
                if (!a->output && isatty(STDOUT_FILENO))
                        return fail(-EINVAL, "--der", &(TokenReason) { "will not write binary to a terminal; use --output" });
                return write_out(a->output, der, size);
        }
        r = token_pubkey_to_pem(der, size, &pem, &pem_size);
        if (r < 0)
                return fail(r, "PEM", NULL);
        return write_out(a->output, pem, pem_size);
}

/* Each verb's options are parsed alike, into Args; this runs one on them. */
static int run_parsed(int (*verb)(const Args *a), int argc, char *argv[]) {
        Args a;
        int r;

        r = parse(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;
        return verb(&a) < 0 ? 1 : 0;
}

static int run_init(int argc, char *argv[]) {
        return run_parsed(verb_init, argc, argv);
}

static int run_info(int argc, char *argv[]) {
        return run_parsed(verb_info, argc, argv);
}

static int run_pubkey(int argc, char *argv[]) {
        return run_parsed(verb_pubkey, argc, argv);
}

int ctl_token(int argc, char *argv[]) {
        static const Verb verbs[] = {
                { "init", run_init, SYNOPSIS_INIT "Makes the device key and the HMAC key on the token.\n" OPTIONS },
                { "info", run_info, SYNOPSIS_INFO "Shows the token (its serial for the URI) and the keys on it.\n" OPTIONS },
                { "pubkey", run_pubkey, SYNOPSIS_PUBKEY "Writes the device public key (PEM, or DER with --der).\n" OPTIONS },
                { "retry-login", ctl_token_retry_login,
                  SYNOPSIS_RETRY "After a PIN alarm (pin-rejected, pin-final-try, pin-locked) the running qrgated makes no\n"
                                 "login on its own; once the PIN is fixed, this asks it for one more (operators only). Its\n"
                                 "outcome shows in the token state (qrgatectl status). A PIN from a systemd credential is\n"
                                 "read as systemd loaded it at the service's start: a new credential needs a restart.\n" },
        };
        int r;

        r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (arg_is_help_command(argv[1])) {
                usage(stdout);
                return 0;
        }
        if (arg_is_version(argv[1])) {
                print_version();
                return 0;
        }
        fprintf(stderr, "qrgatectl token: unknown command \"%s\"\n", argv[1]);
        usage(stderr);
        return 2;
}
