/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "audit/audit-file.h"
#include "audit/audit-verify.h"
#include "core/fileio.h"
#include "audit/pseudonym-input.h"
#include "config/config.h"
#include "core/macro.h"
#include "pkcs11/token.h"
#include "tools/ctl-audit.h"
#include "tools/ctl-bus.h"
#include "tools/keyfile.h"
#include "tools/util.h"

#define SYNOPSIS_VERIFY "qrgatectl audit verify [--pubkey FILE] [--open] [--head SEQ:HASH] [--quiet] FILE|DIR...\n"
#define SYNOPSIS_EXPORT "qrgatectl audit export [--output FILE] FILE|DIR...\n"
#define SYNOPSIS_HEAD "qrgatectl audit head\n"
#define SYNOPSIS_PSEUDONYM "qrgatectl audit pseudonym [--config FILE] [--pin-file FILE] ISS SUB\n"

const char ctl_audit_usage[] = SYNOPSIS_VERIFY "       " SYNOPSIS_EXPORT "       " SYNOPSIS_HEAD "       " SYNOPSIS_PSEUDONYM;

static int usage(FILE *f) {
        fprintf(f, "usage: %s", ctl_audit_usage);
        return f == stderr ? 2 : 0;
}

/* The device public key: PEM ("PUBLIC KEY", as `qrgatectl token pubkey` writes it) or DER. */
static int load_pubkey(const char *path, uint8_t **ret, size_t *ret_size) {
        unsigned char *der = NULL;
        EVP_PKEY *key = NULL;
        int r, n;

        r = keyfile_load_public(path, &key);
        if (r < 0)
                return r;
        n = i2d_PUBKEY(key, &der);
        EVP_PKEY_free(key);
        if (n <= 0)
                return -EBADMSG;
        *ret = malloc((size_t) n);
        if (!*ret) {
                OPENSSL_free(der);
                return -ENOMEM;
        }
        memcpy(*ret, der, (size_t) n);
        *ret_size = (size_t) n;
        OPENSSL_free(der);
        return 0;
}

typedef struct NoteState {
        bool quiet;
} NoteState;

static void on_note(void *userdata, AuditVerifyLevel level, const char *file, int64_t off, uint64_t seq, const char *msg) {
        static const char *const labels[] = { "info", "warning", "PROBLEM" };
        NoteState *ns = userdata;

        if (ns->quiet && level != AUDIT_VERIFY_PROBLEM)
                return;
        if (file) {
                const char *base = strrchr(file, '/');
                printf("%s", base ? base + 1 : file);
                if (off >= 0)
                        printf(" offset %" PRId64, off);
                if (seq > 0)
                        printf(" record %" PRIu64, seq);
                printf(": ");
        }
        printf("%s: %s\n", labels[level], msg);
}

static int parse_head(const char *s, AuditVerifyOptions *o) {
        const char *colon = strchr(s, ':');
        _cleanup_(freep) char *num = NULL;
        size_t n = 0;
        int64_t seq;

        if (!colon)
                return -EINVAL;
        num = strndup(s, (size_t) (colon - s));
        if (!num || parse_int64(num, &seq) < 0 || seq <= 0 ||
            parse_hex(colon + 1, o->head_hash, AUDIT_HASH_SIZE, &n) < 0 || n != AUDIT_HASH_SIZE)
                return -EINVAL;
        o->have_head = true;
        o->head_seq = (uint64_t) seq;
        return 0;
}

static int verify(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "pubkey", required_argument, NULL, 'k' },
                { "open", no_argument, NULL, 'o' },
                { "head", required_argument, NULL, 'H' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(freep) uint8_t *key = NULL;
        AuditVerifyOptions o = {};
        AuditVerifySummary s;
        NoteState ns = {};
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'k':
                        free(key);
                        key = NULL;
                        r = load_pubkey(optarg, &key, &o.pubkey_size);
                        if (r < 0) {
                                fprintf(stderr, "qrgatectl: %s: %s\n", optarg,
                                        r == -EBADMSG ? "not a public key (PEM or DER SubjectPublicKeyInfo)" : read_file_strerror(r, 0));
                                return 2;
                        }
                        o.pubkey = key;
                        break;
                case 'o':
                        o.open_ok = true;
                        break;
                case 'H':
                        if (parse_head(optarg, &o) < 0) {
                                fprintf(stderr, "qrgatectl: --head wants SEQ:HASH (64 hex digits), as `qrgatectl audit "
                                                "head` prints\n");
                                return 2;
                        }
                        break;
                case 'q':
                        ns.quiet = true;
                        break;
                case 'h':
                        return usage(stdout);
                default:
                        return usage(stderr);
                }
        if (optind >= argc)
                return usage(stderr);

        r = audit_verify((const char *const *) argv + optind, (size_t) (argc - optind), &o, on_note, &ns, &s);
        if (r < 0) {
                fprintf(stderr, "qrgatectl: %s\n", strerror(-r));
                return 1;
        }
        if (!ns.quiet) {
                printf("files: %" PRIu64 ", records: %" PRIu64, s.n_files, s.n_records);
                if (s.n_records > 0)
                        printf(" (%" PRIu64 "-%" PRIu64 ")", s.first_seq, s.last_seq);
                printf("\n");
                /* Accounted gaps are not problems, but an auditor must see that records are missing. */
                if (s.n_lost_gaps == 1)
                        printf("lost: %" PRIu64 " records (%" PRIu64 "-%" PRIu64 "), accounted for by LOST records\n",
                               s.n_lost_records, s.lost_first_seq, s.lost_last_seq);
                else if (s.n_lost_gaps > 1)
                        printf("lost: %" PRIu64 " records in %" PRIu64 " gaps from record %" PRIu64 " to %" PRIu64
                               ", accounted for by LOST records\n", s.n_lost_records, s.n_lost_gaps, s.lost_first_seq,
                               s.lost_last_seq);
                if (s.n_unnumbered_lost > 0)
                        printf("not kept: %" PRIu64 " records never numbered (the memory backlog was full), counted by "
                               "LOST records\n", s.n_unnumbered_lost);
                printf("checkpoints: %" PRIu64 " valid of %" PRIu64, s.n_checkpoints_valid, s.n_checkpoints);
                if (s.have_key) {
                        printf(", key sha256:");
                        print_hex(stdout, s.key_fingerprint, AUDIT_HASH_SIZE);
                        printf(o.pubkey ? " (the device key given)" : " (named by the log itself: pass --pubkey to prove it)");
                }
                printf("\nsigned: up to record %" PRIu64 "; %" PRIu64 " records after it are not\n", s.covered_seq,
                       s.unsigned_records);
                printf("closed: %s\n", s.closed ? "yes, with a final checkpoint" : "no");
                if (s.n_clock_unsynced > 0)
                        printf("clock: %" PRIu64 " records written while the clock was not synchronized\n", s.n_clock_unsynced);
                if (s.n_records > 0) {
                        printf("head: %" PRIu64 ":", s.last_seq);
                        print_hex(stdout, s.last_hash, AUDIT_HASH_SIZE);
                        printf("\n");
                }
        }
        if (s.n_problems > 0)
                printf("verdict: NOT INTACT (%" PRIu64 " problem%s)\n", s.n_problems, s.n_problems == 1 ? "" : "s");
        else
                printf("verdict: intact\n");
        return s.n_problems > 0 ? 1 : 0;
}

/* Export: JSON lines. */

static void json_string(FILE *f, const uint8_t *p, size_t n) {
        fputc('"', f);
        for (size_t i = 0; i < n; i++) {
                uint8_t ch = p[i];
                if (ch == '"' || ch == '\\')
                        fprintf(f, "\\%c", ch);
                else if (ch < 0x20 || ch == 0x7f)
                        fprintf(f, "\\u%04x", ch);
                else
                        fputc(ch, f);
        }
        fputc('"', f);
}

/* Bytes in a JSON string, as hex. */
static void json_hex(FILE *f, const uint8_t *p, size_t n) {
        fputc('"', f);
        print_hex(f, p, n);
        fputc('"', f);
}

static uint64_t be(const uint8_t *p, size_t n) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

typedef struct Pseudonym {
        uint64_t ref;
        bool present, presenter_present;
        uint8_t mac[AUDIT_HASH_SIZE];
        uint8_t presenter_mac[AUDIT_HASH_SIZE];
} Pseudonym;

typedef struct Export {
        FILE *out;
        Pseudonym *pseudonyms;
        size_t n, allocated;
        uint64_t damaged;
        const char *file;
} Export;

static int collect(void *userdata, const AuditRecord *r, uint64_t off) {
        Export *x = userdata;
        const uint8_t *mac = audit_record_get_bytes(r, AUDIT_TAG_PSEUDONYM, AUDIT_HASH_SIZE);
        const uint8_t *pmac = audit_record_get_bytes(r, AUDIT_TAG_PRESENTER_PSEUDONYM, AUDIT_HASH_SIZE);
        uint64_t ref;

        if (r->event != AUDIT_EVENT_PSEUDONYM || !audit_record_get_u64(r, AUDIT_TAG_REF, &ref))
                return 0;
        if (x->n == x->allocated) {
                size_t m = x->allocated ? x->allocated * 2 : 64;
                Pseudonym *p = reallocarray(x->pseudonyms, m, sizeof(Pseudonym));
                if (!p)
                        return -ENOMEM;
                x->pseudonyms = p;
                x->allocated = m;
        }
        x->pseudonyms[x->n] = (Pseudonym) { .ref = ref, .present = !!mac, .presenter_present = !!pmac };
        if (mac)
                memcpy(x->pseudonyms[x->n].mac, mac, AUDIT_HASH_SIZE);
        if (pmac)
                memcpy(x->pseudonyms[x->n].presenter_mac, pmac, AUDIT_HASH_SIZE);
        x->n++;
        return 0;
}

static const Pseudonym *find_pseudonym(const Export *x, uint64_t seq) {
        /* Appended in the order the token answered, which is nearly sequence order: search back. */
        for (size_t i = x->n; i-- > 0;)
                if (x->pseudonyms[i].ref == seq)
                        return &x->pseudonyms[i];
        return NULL;
}

static int emit(void *userdata, const AuditRecord *r, uint64_t off) {
        Export *x = userdata;
        FILE *f = x->out;
        uint8_t hash[AUDIT_HASH_SIZE];
        char when[40];
        time_t secs = (time_t) (r->time_usec >= 0 ? r->time_usec / 1000000 : (r->time_usec - 999999) / 1000000);
        struct tm tm;

        audit_record_hash(r, hash);
        if (!gmtime_r(&secs, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                snprintf(when, sizeof(when), "?");
        fprintf(f, "{\"seq\":%" PRIu64 ",\"time\":\"%s.%06" PRId64 "Z\",\"time_usec\":%" PRId64 ",\"clock_synced\":%s,"
                   "\"event\":\"%s\"",
                r->seq, when, ((r->time_usec % 1000000) + 1000000) % 1000000, r->time_usec,
                r->flags & AUDIT_FLAG_CLOCK_SYNCED ? "true" : "false", audit_event_to_string(r->event));
        if (r->flags & AUDIT_FLAG_FINAL)
                fprintf(f, ",\"final\":true");
        for (size_t i = 0; i < r->n_fields; i++) {
                const AuditField *fl = &r->fields[i];
                fprintf(f, ",\"%s\":", audit_tag_to_string(fl->tag));
                if (fl->tag == AUDIT_TAG_DECISION)
                        fprintf(f, r->event == AUDIT_EVENT_DECISION ? "\"%s\"" : "%s",
                                r->event == AUDIT_EVENT_DECISION ? (fl->value[0] ? "granted" : "denied")
                                                                 : (fl->value[0] ? "true" : "false"));
                else if (fl->tag == AUDIT_TAG_SUBJECT || fl->tag == AUDIT_TAG_PRESENTER) {
                        /* A decision's subject and presenter: the pseudonyms its PSEUDONYM record brought. */
                        bool presenter = fl->tag == AUDIT_TAG_PRESENTER;
                        const Pseudonym *p = r->event == AUDIT_EVENT_DECISION && fl->value[0] == AUDIT_SUBJECT_PENDING
                                                     ? find_pseudonym(x, r->seq) : NULL;
                        if (p && (presenter ? p->presenter_present : p->present))
                                json_hex(f, presenter ? p->presenter_mac : p->mac, AUDIT_HASH_SIZE);
                        else
                                fprintf(f, "\"%s\"", p ? "unavailable" : audit_subject_to_string(fl->value[0]) ?: "?");
                } else
                        switch (audit_tag_type(fl->tag)) {
                        case AUDIT_FIELD_STR:
                                json_string(f, fl->value, fl->size);
                                break;
                        case AUDIT_FIELD_U8:
                        case AUDIT_FIELD_U32:
                        case AUDIT_FIELD_U64:
                                fprintf(f, "%" PRIu64, be(fl->value, fl->size));
                                break;
                        case AUDIT_FIELD_BYTES:
                                json_hex(f, fl->value, fl->size);
                                break;
                        }
        }
        fputs(",\"hash\":", f);
        json_hex(f, hash, AUDIT_HASH_SIZE);
        fputs(",\"prev\":", f);
        json_hex(f, r->prev, AUDIT_HASH_SIZE);
        fputs("}\n", f);
        return 0;
}

static int on_export_damage(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn) {
        Export *x = userdata;

        x->damaged++;
        fprintf(stderr, "qrgatectl: %s offset %" PRIu64 ": %" PRIu64 " bytes are not records (%s); skipped\n", x->file, off,
                size, audit_parse_to_string(why));
        return 0;
}

static int export(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        static const AuditScanOps collect_ops = { .record = collect };
        static const AuditScanOps emit_ops = { .record = emit, .damage = on_export_damage };
        const char *output = NULL;
        Export x = { .out = stdout };
        int c, r = 0, ret = 0;

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'o':
                        output = optarg;
                        break;
                case 'h':
                        return usage(stdout);
                default:
                        return usage(stderr);
                }
        if (optind >= argc)
                return usage(stderr);
        if (output) {
                x.out = fopen(output, "we");
                if (!x.out) {
                        fprintf(stderr, "qrgatectl: %s: %m\n", output);
                        return 1;
                }
        }

        /* Files in chain order: directories are listed, files taken as named. */
        for (int pass = 0; pass < 2 && r >= 0; pass++)
                for (int i = optind; i < argc && r >= 0; i++) {
                        _cleanup_(freep) AuditFileEntry *list = NULL;
                        _cleanup_(closep) int dfd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        size_t n = 1;

                        if (dfd >= 0 && (r = audit_dir_list(dfd, &list, &n)) < 0) {
                                fprintf(stderr, "qrgatectl: %s: %s\n", argv[i], strerror(-r));
                                break;
                        }
                        for (size_t j = 0; j < n && r >= 0; j++) {
                                _cleanup_(freep) uint8_t *buf = NULL;
                                _cleanup_(freep) char *path = NULL;
                                size_t size = 0;

                                if (dfd >= 0 ? asprintf(&path, "%s/%s", argv[i], list[j].name) < 0 : !(path = strdup(argv[i]))) {
                                        r = -ENOMEM;
                                        break;
                                }
                                r = audit_file_read_path(path, &buf, &size);
                                if (r < 0) {
                                        fprintf(stderr, "qrgatectl: %s: %s\n", path, strerror(-r));
                                        break;
                                }
                                x.file = path;
                                r = audit_scan(buf, size, pass == 0 ? &collect_ops : &emit_ops, &x);
                        }
                }
        if (r < 0)
                ret = 1;
        if (x.damaged > 0) {
                fprintf(stderr, "qrgatectl: %" PRIu64 " damaged regions skipped; run `qrgatectl audit verify`\n", x.damaged);
                ret = 1;
        }
        if (fflush(x.out) != 0 || ferror(x.out)) {
                fprintf(stderr, "qrgatectl: cannot write the export: %m\n");
                ret = 1;
        }
        if (output)
                fclose(x.out);
        free(x.pseudonyms);
        return ret;
}

/* Head: from the running daemon. */

static int head(int argc, char *argv[]) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        uint64_t seq, durable, cseq;
        const char *hash, *chash, *state;
        int r;

        if (argc != 1)
                return usage(stderr);
        r = bus_connect(ctl_bus_address, &bus);
        if (r >= 0)
                r = bus_get_property(bus, bus_gate_manager, "AuditHead", &e, &reply, "(tsttss)");
        if (r >= 0)
                r = sd_bus_message_read(reply, "(tsttss)", &seq, &hash, &durable, &cseq, &chash, &state);
        if (r < 0) {
                fprintf(stderr, "qrgatectl: cannot read AuditHead: %s\n", e.message ?: strerror(-r));
                return 1;
        }
        printf("head: %" PRIu64 ":%s\ndurable: %" PRIu64 "\ncheckpoint: %" PRIu64 ":%s\nstate: %s\n", seq, hash, durable,
               cseq, chash, state);
        return 0;
}

/* Pseudonym: what the log calls a given subject, computed by the appliance's own token. */

typedef struct Wait {
        bool done;
        int error;
        char reason[256];
        uint8_t mac[TOKEN_HMAC_SIZE];
} Wait;

static void on_mac(TokenService *t, const TokenResult *res, void *userdata) {
        Wait *w = userdata;

        w->done = true;
        w->error = res->error;
        snprintf(w->reason, sizeof(w->reason), "%s", res->reason ?: "");
        if (res->error == 0 && res->size == TOKEN_HMAC_SIZE)
                memcpy(w->mac, res->data, TOKEN_HMAC_SIZE);
}

static int pseudonym(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "pin-file", required_argument, NULL, 'p' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(token_service_freep) TokenService *token = NULL;
        _cleanup_(sd_event_unrefp) sd_event *e = NULL;
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *errors = NULL;
        _cleanup_(pseudonym_input_erase) PseudonymInput input = {};
        const char *config = CONFIG_DEFAULT_PATH, *pin_file = NULL, *reason = NULL;
        Wait w = {};
        int ch, r;

        optind = 1;
        while ((ch = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (ch) {
                case 'c':
                        config = optarg;
                        break;
                case 'p':
                        pin_file = optarg;
                        break;
                case 'h':
                        return usage(stdout);
                default:
                        return usage(stderr);
                }
        if (argc - optind != 2)
                return usage(stderr);
        if (pseudonym_input_build(argv[optind], argv[optind + 1], &input) < 0) {
                fprintf(stderr, "qrgatectl: ISS and SUB are 1-%d characters, as in a code\n", PSEUDONYM_TEXT_MAX);
                return 2;
        }
        r = config_load(config, &c, &errors);
        if (r < 0) {
                fputs(errors ?: "qrgatectl: out of memory\n", stderr);
                return 1;
        }
        if (!c->token.enabled || !c->token.hmac_key) {
                fprintf(stderr, "qrgatectl: %s configures no token with an HMAC key: the log has no pseudonyms\n", config);
                return 1;
        }
        TokenConfig tc = {
                .module = c->token.module,
                .token_uri = c->token.uri,
                .hmac_key = c->token.hmac_key,
                .pin_credential = pin_file ? NULL : c->token.pin_credential,
                .pin_file = pin_file ?: c->token.pin_file,
        };
        r = sd_event_new(&e);
        if (r >= 0)
                r = token_service_new(e, &tc, &token, &reason);
        if (r < 0) {
                fprintf(stderr, "qrgatectl: token: %s%s\n", reason ?: strerror(-r),
                        c->token.pin_credential && !pin_file ? " (the PIN is a credential of the service: pass --pin-file)" : "");
                return 1;
        }
        /* The daemon's question, asked of the same token (docs/audit.md, "Pseudonyms"). */
        r = token_hmac_async(token, input.data, input.size, 10U * 1000U * 1000U, on_mac, &w, NULL);
        while (r >= 0 && !w.done)
                r = sd_event_run(e, UINT64_MAX);
        if (r < 0 || w.error < 0) {
                fprintf(stderr, "qrgatectl: token: %s\n", w.reason[0] ? w.reason : strerror(-(r < 0 ? r : w.error)));
                return 1;
        }
        print_hex(stdout, w.mac, sizeof(w.mac));
        printf("\n");
        return 0;
}

int ctl_audit(int argc, char *argv[]) {
        static const Verb verbs[] = {
                { "verify", verify, SYNOPSIS_VERIFY "Checks the hash chain and the signed checkpoints of an audit log "
                                                    "(docs/audit.md).\n" },
                { "export", export, SYNOPSIS_EXPORT "Writes every record as a line of JSON.\n" },
                { "head", head, SYNOPSIS_HEAD "Prints the running daemon's head: its last record and checkpoint.\n" },
                { "pseudonym", pseudonym, SYNOPSIS_PSEUDONYM "Prints the pseudonym the audit log gives subject SUB of "
                                                            "issuer ISS, made by the appliance's token.\n" },
        };
        int r;

        r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        if (argc < 2)
                return usage(stderr);
        if (arg_is_help_command(argv[1]))
                return usage(stdout);
        if (arg_is_version(argv[1])) {
                print_version();
                return 0;
        }
        fprintf(stderr, "qrgatectl: unknown audit command '%s'\n", argv[1]);
        return usage(stderr);
}
