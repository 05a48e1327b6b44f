/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test fixture for the token service: a fresh SoftHSM2 token in a temporary directory per test
 * (SOFTHSM2_CONF points at it), provisioned through the service's own provisioning code as
 * `qrgatectl token init --init-token` does, plus small helpers to run an sd-event loop until
 * something happened and to run outside tools (pkcs11-tool, openssl, softhsm2-util).
 *
 * Header-only because tests/unit/helper-*.c are linked into every unit test of the tree;
 * everything here is static and marked unused. Failures abort the test (fx_die()). */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <libgen.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <systemd/sd-event.h>

#include "pkcs11/token-blocking.h"
#include "pkcs11/token.h"

extern char **environ;

#define FX_SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"
#define FX_LABEL "qrgate"
#define FX_PIN "4711-qrgate"
#define FX_SO_PIN "so-4711-qrgate"
#define FX_SIGN_KEY "device-key"
#define FX_HMAC_KEY "hmac-key"

/* The HMAC key tests import, so that OpenSSL can compute the expected MAC. */
static const uint8_t fx_hmac_secret[32] = {
        0x51, 0x52, 0x47, 0x41, 0x54, 0x45, 0x2d, 0x74, 0x65, 0x73, 0x74, 0x2d, 0x68, 0x6d, 0x61, 0x63,
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

typedef struct TokenFixture {
        char dir[64];
        char conf[PATH_MAX];
        char pin_file[PATH_MAX];
        char fault_module[PATH_MAX];
} TokenFixture;

typedef enum FxKeys {
        FX_TOKEN_BLANK,    /* SoftHSM2 configured, token not even initialized */
        FX_KEYS_NONE,      /* token initialized, no keys */
        FX_KEYS_GENERATED, /* device key pair and HMAC key generated on the token */
        FX_KEYS_KNOWN_HMAC, /* device key pair generated, HMAC key imported from fx_hmac_secret */
} FxKeys;

_unused_ _printf_(1, 2) static void fx_die(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        fprintf(stderr, "fixture: ");
        vfprintf(stderr, format, ap);
        fprintf(stderr, "\n");
        va_end(ap);
        abort();
}

_unused_ static void fx_write_file(const char *path, const char *text, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

        if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text) || fchmod(fd, mode) < 0)
                fx_die("cannot write %s: %m", path);
        close(fd);
}

/* The fault module: $QRGATE_FAULT_MODULE, or pkcs11/libqrgate-fault.so next to this program
 * (mk/pkcs11.mk builds it there for plain and ASan tests). */
_unused_ static void fx_fault_module_path(char ret[static PATH_MAX]) {
        const char *env = getenv("QRGATE_FAULT_MODULE");
        char exe[PATH_MAX];
        ssize_t n;

        if (env && *env) {
                snprintf(ret, PATH_MAX, "%s", env);
                return;
        }
        n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n < 0)
                fx_die("readlink /proc/self/exe: %m");
        exe[n] = 0;
        snprintf(ret, PATH_MAX, "%s/pkcs11/libqrgate-fault.so", dirname(exe));
}

_unused_ static TokenPin fx_pin(const char *value) {
        TokenPin p = {};

        snprintf(p.value, sizeof(p.value), "%s", value);
        p.size = strlen(p.value);
        return p;
}

/* A logged-in R/W session on the fixture token, straight through p11-kit (for setting up
 * objects the service then finds). */
_unused_ static void fx_session_open(TokenModule **ret_m, CK_SESSION_HANDLE *ret_h) {
        _cleanup_(p11_kit_uri_freep) P11KitUri *uri = NULL;
        TokenReason why = {};
        TokenModule *m = NULL;
        CK_SLOT_ID slot;
        int r;

        if (token_module_load(FX_SOFTHSM, NULL, &m, &why) < 0 || token_module_initialize(m, &why) < 0)
                fx_die("softhsm2: %s", why.text);
        r = token_uri_parse_token("pkcs11:token=" FX_LABEL, &uri, &why);
        if (r >= 0)
                r = token_find_slot(m, uri, &slot, NULL, &why);
        if (r >= 0)
                r = token_open_session(m, slot, true, ret_h, &why);
        if (r < 0)
                fx_die("session: %s", why.text);
        if (m->f->C_Login(*ret_h, CKU_USER, (CK_UTF8CHAR_PTR) FX_PIN, strlen(FX_PIN)) != CKR_OK)
                fx_die("C_Login failed");
        *ret_m = m;
}

_unused_ static void fx_session_close(TokenModule *m, CK_SESSION_HANDLE h) {
        (void) m->f->C_Logout(h);
        token_close_session(m, &h);
        token_module_free(m);
}

/* Imports secret as a sensitive, non-extractable HMAC key labelled label. */
_unused_ static void fx_import_hmac_key(TokenModule *m, CK_SESSION_HANDLE h, const char *label,
                                        const uint8_t *secret, size_t size, bool extractable) {
        CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
        CK_KEY_TYPE type = CKK_GENERIC_SECRET;
        CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
        CK_ATTRIBUTE t[] = {
                { CKA_CLASS, &cls, sizeof(cls) },
                { CKA_KEY_TYPE, &type, sizeof(type) },
                { CKA_TOKEN, &yes, sizeof(yes) },
                { CKA_PRIVATE, &yes, sizeof(yes) },
                { CKA_SENSITIVE, extractable ? &no : &yes, sizeof(yes) },
                { CKA_EXTRACTABLE, extractable ? &yes : &no, sizeof(no) },
                { CKA_SIGN, &yes, sizeof(yes) },
                { CKA_VALUE, (void *) secret, size },
                { CKA_LABEL, (void *) label, strlen(label) },
        };
        CK_OBJECT_HANDLE o;
        CK_RV rv;

        rv = m->f->C_CreateObject(h, t, ELEMENTSOF(t), &o);
        if (rv != CKR_OK)
                fx_die("C_CreateObject: %s", p11_kit_strerror(rv));
}

/* Makes a fresh SoftHSM2 token in a new temporary directory. */
_unused_ static void fx_token_setup(TokenFixture *f, FxKeys keys) {
        _cleanup_(token_module_freep) TokenModule *m = NULL;
        TokenPin so = fx_pin(FX_SO_PIN), user = fx_pin(FX_PIN);
        char tokens[PATH_MAX + 16], text[PATH_MAX + 128];
        TokenReason why = {};

        memset(f, 0, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/qrgate-token-XXXXXX");
        if (!mkdtemp(f->dir))
                fx_die("mkdtemp: %m");
        snprintf(tokens, sizeof(tokens), "%s/tokens", f->dir);
        if (mkdir(tokens, 0700) < 0)
                fx_die("mkdir: %m");
        snprintf(f->conf, sizeof(f->conf), "%s/softhsm2.conf", f->dir);
        /* SoftHSM2 reads its configuration at C_Initialize: each test's module load sees its own
         * token directory (softhsm2.conf(5)). */
        snprintf(text, sizeof(text),
                 "directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
                 tokens);
        fx_write_file(f->conf, text, 0600);
        if (setenv("SOFTHSM2_CONF", f->conf, 1) < 0)
                fx_die("setenv: %m");
        snprintf(f->pin_file, sizeof(f->pin_file), "%s/pin", f->dir);
        fx_write_file(f->pin_file, FX_PIN "\n", 0600);
        fx_fault_module_path(f->fault_module);
        if (keys == FX_TOKEN_BLANK)
                return;

        if (token_module_load(FX_SOFTHSM, NULL, &m, &why) < 0 || token_module_initialize(m, &why) < 0 ||
            token_provision_init_token(m, FX_LABEL, &so, &user, &why) < 0)
                fx_die("init token: %s", why.text);
        m = token_module_free(m);

        if (keys > FX_KEYS_NONE) {
                _cleanup_(p11_kit_uri_freep) P11KitUri *sign = NULL, *hmac = NULL;
                TokenModule *sm;
                CK_SESSION_HANDLE h;

                if (token_uri_parse_key(FX_SIGN_KEY, &sign, &why) < 0 || token_uri_parse_key(FX_HMAC_KEY, &hmac, &why) < 0)
                        fx_die("uri: %s", why.text);
                fx_session_open(&sm, &h);
                if (token_provision_keys(sm, h, sign, keys == FX_KEYS_GENERATED ? hmac : NULL, &why) < 0)
                        fx_die("provision: %s", why.text);
                if (keys == FX_KEYS_KNOWN_HMAC)
                        fx_import_hmac_key(sm, h, FX_HMAC_KEY, fx_hmac_secret, sizeof(fx_hmac_secret), false);
                fx_session_close(sm, h);
        }
}

static int fx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

_unused_ static void fx_token_teardown(TokenFixture *f) {
        if (f->dir[0])
                (void) nftw(f->dir, fx_rm, 16, FTW_DEPTH | FTW_PHYS);
        (void) unsetenv("SOFTHSM2_CONF");
        memset(f, 0, sizeof(*f));
}

/* A TokenConfig for the fixture token through `module` (FX_SOFTHSM, f->fault_module, or a
 * p11-kit module name), with short recovery intervals. */
_unused_ static TokenConfig fx_config(const TokenFixture *f, const char *module) {
        return (TokenConfig) {
                .module = module,
                .token_uri = "pkcs11:token=" FX_LABEL,
                .sign_key = FX_SIGN_KEY,
                .hmac_key = FX_HMAC_KEY,
                .pin_file = f->pin_file,
                .poll_min_usec = 5000,
                .poll_max_usec = 50000,
        };
}

/* Runs argv (searching PATH) with stdout to out_path (or /dev/null) and stderr to /dev/null;
 * returns the exit status, or -1. */
_unused_ static int fx_run(const char *const argv[], const char *out_path) {
        posix_spawn_file_actions_t fa;
        pid_t pid;
        int status = 0;

        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path ?: "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *) argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -1;
        }
        posix_spawn_file_actions_destroy(&fa);
        if (waitpid(pid, &status, 0) < 0)
                return -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Reads a small text file into buf (NUL-terminated); returns buf. */
_unused_ static char *fx_read_text(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0 || (n = read(fd, buf, size - 1)) < 0)
                fx_die("cannot read %s: %m", path);
        close(fd);
        buf[n] = 0;
        return buf;
}

_unused_ static void fx_write_bytes(const char *path, const void *data, size_t size) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || write(fd, data, size) != (ssize_t) size)
                fx_die("cannot write %s: %m", path);
        close(fd);
}

_unused_ static uint64_t fx_now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

/* Runs the loop until done(userdata) or timeout; returns whether done. */
_unused_ static bool fx_loop_until(sd_event *e, bool (*done)(void *userdata), void *userdata, uint64_t timeout_usec) {
        uint64_t end = fx_now_usec() + timeout_usec;

        while (!done(userdata)) {
                uint64_t now = fx_now_usec();

                if (now >= end)
                        return false;
                if (sd_event_run(e, MIN(end - now, (uint64_t) 10000)) < 0)
                        fx_die("sd_event_run failed");
        }
        return true;
}

/* Runs the loop for a while. */
_unused_ static void fx_loop_for(sd_event *e, uint64_t usec) {
        uint64_t end = fx_now_usec() + usec;

        for (uint64_t now = fx_now_usec(); now < end; now = fx_now_usec())
                (void) sd_event_run(e, end - now);
}

/* State recorder: a TokenStateHandler that keeps the history. */
typedef struct FxStates {
        TokenState last;
        char reason[TOKEN_REASON_MAX];
        unsigned n;
        unsigned count[_TOKEN_STATE_MAX];
        uint64_t last_change_usec;
        char first_absent_reason[TOKEN_REASON_MAX];
} FxStates;

_unused_ static void fx_on_state(TokenService *s, TokenState state, const char *reason, void *userdata) {
        FxStates *st = userdata;

        st->last = state;
        snprintf(st->reason, sizeof(st->reason), "%s", reason);
        st->n++;
        if (state == TOKEN_STATE_ABSENT && st->count[state] == 0)
                snprintf(st->first_absent_reason, sizeof(st->first_absent_reason), "%s", reason);
        st->count[state]++;
        st->last_change_usec = fx_now_usec();
        if (getenv("QRGATE_TEST_VERBOSE"))
                fprintf(stderr, "state %s: %s\n", token_state_to_string(state), reason);
}

typedef struct FxWaitState {
        TokenService *s;
        TokenState want;
} FxWaitState;

_unused_ static bool fx_state_reached(void *userdata) {
        FxWaitState *w = userdata;

        return token_service_get_state(w->s, NULL) == w->want;
}

_unused_ static bool fx_wait_state(sd_event *e, TokenService *s, TokenState want, uint64_t timeout_usec) {
        FxWaitState w = { s, want };

        return fx_loop_until(e, fx_state_reached, &w, timeout_usec);
}

/* One answer, kept for the test to look at. */
typedef struct FxResult {
        bool done;
        int error;
        char reason[TOKEN_REASON_MAX];
        uint8_t data[TOKEN_SIGNATURE_SIZE];
        size_t size;
        uint64_t at_usec;
} FxResult;

_unused_ static void fx_on_result(TokenService *s, const TokenResult *r, void *userdata) {
        FxResult *out = userdata;

        out->done = true;
        out->error = r->error;
        out->at_usec = fx_now_usec();
        snprintf(out->reason, sizeof(out->reason), "%s", r->reason ?: "");
        out->size = r->size;
        if (r->size > 0)
                memcpy(out->data, r->data, MIN(r->size, sizeof(out->data)));
}

static bool fx_result_done(void *userdata) {
        return ((FxResult *) userdata)->done;
}

_unused_ static bool fx_wait_result(sd_event *e, FxResult *r, uint64_t timeout_usec) {
        return fx_loop_until(e, fx_result_done, r, timeout_usec);
}

/* OpenSSL's verdict on a service signature: 1 valid, 0 not. */
_unused_ static int fx_verify(const void *spki_der, size_t spki_size, const void *msg, size_t msg_size,
                              const uint8_t sig[static TOKEN_SIGNATURE_SIZE]) {
        uint8_t digest[32];

        if (token_sha256(msg, msg_size, digest) < 0)
                fx_die("sha256");
        return token_pubkey_verify(spki_der, spki_size, digest, sig) == 0;
}

_unused_ static void fx_hmac_expected(const void *msg, size_t size, uint8_t ret[static 32]) {
        unsigned len = 32;

        if (!HMAC(EVP_sha256(), fx_hmac_secret, sizeof(fx_hmac_secret), msg, size, ret, &len) || len != 32)
                fx_die("HMAC");
}

/* A scanner thread for tests of what the token does to the event loop: it writes its clock
 * (fx_now_usec()) into fd every interval_usec until *stop, and the loop's reader measures how
 * long each code waited. */
typedef struct FxScanner {
        int fd;
        const atomic_bool *stop;
        unsigned interval_usec;
} FxScanner;

_unused_ static void *fx_scanner_main(void *userdata) {
        const FxScanner *sc = userdata;

        while (!*sc->stop) {
                uint64_t t = fx_now_usec();

                if (write(sc->fd, &t, sizeof(t)) != sizeof(t))
                        break;
                usleep(sc->interval_usec);
        }
        return NULL;
}
