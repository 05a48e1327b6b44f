/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Test fixture for the audit log: a fresh state directory per test, an sd-event loop to run
 * until the log has reached a state, the log's files read back and rewritten (for tampering),
 * and verification with the findings kept as text for assertions.
 *
 * Header-only and static, like tests/pkcs11/token-fixture.h. Failures abort the test. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <systemd/sd-event.h>
#include <zlib.h>

#include "audit/audit-file.h"
#include "audit/audit-verify.h"
#include "daemon/audit.h"

typedef struct AuditFx {
        char state[64];  /* the state directory */
        char dir[128];   /* its audit/ */
        sd_event *event;
} AuditFx;

_unused_ _printf_(1, 2) static void afx_die(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        fprintf(stderr, "audit fixture: ");
        vfprintf(stderr, format, ap);
        fprintf(stderr, "\n");
        va_end(ap);
        abort();
}

/* base: where the state directory is made (the fuzz target's is a tmpfs: it syncs a lot). */
_unused_ static void afx_setup_in(AuditFx *f, const char *base) {
        memset(f, 0, sizeof(*f));
        snprintf(f->state, sizeof(f->state), "%s/qrgate-audit-XXXXXX", base);
        if (!mkdtemp(f->state))
                afx_die("mkdtemp: %m");
        snprintf(f->dir, sizeof(f->dir), "%s/audit", f->state);
        if (sd_event_new(&f->event) < 0)
                afx_die("sd_event_new");
}

_unused_ static void afx_setup(AuditFx *f) {
        afx_setup_in(f, "/tmp");
}

static int afx_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

_unused_ static void afx_teardown(AuditFx *f) {
        if (f->state[0])
                (void) nftw(f->state, afx_rm, 16, FTW_DEPTH | FTW_PHYS);
        f->event = sd_event_unref(f->event);
}

/* Settings for tests: the defaults, with what each test changes after. */
_unused_ static AuditConf afx_conf(void) {
        return AUDIT_CONF_DEFAULTS;
}

_unused_ static uint64_t afx_now_usec(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000U + (uint64_t) ts.tv_nsec / 1000U;
}

/* Runs the loop until done(userdata) or timeout; returns whether done. */
_unused_ static bool afx_loop_until(sd_event *e, bool (*done)(void *userdata), void *userdata, uint64_t timeout_usec) {
        uint64_t end = afx_now_usec() + timeout_usec;

        while (!done(userdata)) {
                uint64_t now = afx_now_usec();
                if (now >= end)
                        return false;
                if (sd_event_run(e, MIN(end - now, (uint64_t) 10000)) < 0)
                        afx_die("sd_event_run failed");
        }
        return true;
}

_unused_ static void afx_loop_for(sd_event *e, uint64_t usec) {
        uint64_t end = afx_now_usec() + usec;

        for (uint64_t now = afx_now_usec(); now < end; now = afx_now_usec())
                (void) sd_event_run(e, end - now);
}

typedef struct AfxDurable {
        Audit *a;
        uint64_t seq;
} AfxDurable;

static bool afx_is_durable(void *userdata) {
        AfxDurable *d = userdata;
        AuditHead h;

        audit_get_head(d->a, &h);
        return h.durable_seq >= d->seq;
}

/* Runs the loop until the log's head is acknowledged. */
_unused_ static bool afx_wait_durable(sd_event *e, Audit *a, uint64_t timeout_usec) {
        AuditHead h;

        audit_get_head(a, &h);
        AfxDurable d = { a, h.seq };
        return afx_loop_until(e, afx_is_durable, &d, timeout_usec);
}

_unused_ static uint64_t afx_head_seq(const Audit *a) {
        AuditHead h;

        audit_get_head(a, &h);
        return h.seq;
}

_unused_ static int afx_decision(Audit *a, unsigned i) {
        char door[16];

        snprintf(door, sizeof(door), "d%u", i % 4);
        return audit_log_decision(a, door, i % 3 == 0, i % 3 == 0 ? "ok" : "replayed", "QG1", "scan0",
                                  AUDIT_SUBJECT_NONE, AUDIT_SUBJECT_NONE, NULL, NULL);
}

/* The files of the log, in chain order: paths[] (free with afx_free_paths). */
_unused_ static size_t afx_list(const AuditFx *f, char ***ret) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(closep) int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        size_t n = 0;
        char **paths;

        if (fd < 0 || audit_dir_list(fd, &list, &n) < 0)
                afx_die("cannot list %s", f->dir);
        paths = calloc(n + 1, sizeof(char *));
        if (!paths)
                afx_die("oom");
        for (size_t i = 0; i < n; i++)
                if (asprintf(&paths[i], "%s/%s", f->dir, list[i].name) < 0)
                        afx_die("oom");
        *ret = paths;
        return n;
}

_unused_ static void afx_free_paths(char **paths) {
        for (size_t i = 0; paths && paths[i]; i++)
                free(paths[i]);
        free(paths);
}

_unused_ static uint8_t *afx_read(const char *path, size_t *ret_size) {
        _cleanup_(closep) int fd = open(path, O_RDONLY | O_CLOEXEC);
        uint8_t *buf = NULL;

        if (fd < 0 || audit_file_read(fd, &buf, ret_size) < 0)
                afx_die("cannot read %s: %m", path);
        return buf;
}

_unused_ static void afx_write(const char *path, const void *data, size_t size) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

        if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t) size))
                afx_die("cannot write %s: %m", path);
}

_unused_ static void afx_append(const char *path, const void *data, size_t size) {
        _cleanup_(closep) int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

        if (fd < 0 || write(fd, data, size) != (ssize_t) size)
                afx_die("cannot append to %s: %m", path);
}

/* Verification, with every finding kept as "LEVEL off seq: message\n" lines. */
typedef struct AfxReport {
        AuditVerifySummary s;
        char *text;
        size_t size;
        FILE *f;
        int64_t first_problem_off;
        uint64_t first_problem_seq;
} AfxReport;

static void afx_note(void *userdata, AuditVerifyLevel level, const char *file, int64_t off, uint64_t seq, const char *msg) {
        static const char *const labels[] = { "info", "warning", "PROBLEM" };
        AfxReport *r = userdata;

        if (level == AUDIT_VERIFY_PROBLEM && r->first_problem_off == INT64_MIN) {
                r->first_problem_off = off;
                r->first_problem_seq = seq;
        }
        fprintf(r->f, "%s %s off=%lld seq=%llu: %s\n", labels[level], file ? strrchr(file, '/') + 1 : "-", (long long) off,
                (unsigned long long) seq, msg);
}

_unused_ static void afx_report_free(AfxReport *r) {
        free(r->text);
        r->text = NULL;
}

_unused_ static AfxReport afx_verify_paths(const char *const *paths, size_t n, const AuditVerifyOptions *o) {
        AfxReport r = { .first_problem_off = INT64_MIN };

        r.f = open_memstream(&r.text, &r.size);
        if (!r.f || audit_verify(paths, n, o, afx_note, &r, &r.s) < 0)
                afx_die("audit_verify");
        fclose(r.f);
        r.f = NULL;
        if (getenv("QRGATE_TEST_VERBOSE"))
                fputs(r.text, stderr);
        return r;
}

_unused_ static AfxReport afx_verify(const AuditFx *f, const AuditVerifyOptions *o) {
        const char *dir = f->dir;
        return afx_verify_paths(&dir, 1, o);
}

/* Records of a buffer, for tampering: offsets and sizes of each. */
typedef struct AfxRecords {
        size_t n;
        size_t off[65536];
        size_t size[65536];
        uint8_t event[65536];
} AfxRecords;

static int afx_records_add(void *userdata, const AuditRecord *r, uint64_t off) {
        AfxRecords *rs = userdata;

        if (rs->n < ELEMENTSOF(rs->off)) {
                rs->off[rs->n] = (size_t) off;
                rs->size[rs->n] = r->size;
                rs->event[rs->n] = (uint8_t) r->event;
                rs->n++;
        }
        return 0;
}

_unused_ static void afx_records(const uint8_t *buf, size_t size, AfxRecords *ret) {
        static const AuditScanOps ops = { .record = afx_records_add };

        ret->n = 0;
        (void) audit_scan(buf, size, &ops, ret);
}

/* After a change to the records in buf, links each to the one before again and recomputes its
 * CRC — what someone without the device key can do to a log. prev: the link of the first. */
_unused_ static void afx_rechain(uint8_t *buf, size_t size, const uint8_t prev[static AUDIT_HASH_SIZE]) {
        uint8_t link[AUDIT_HASH_SIZE];
        size_t off = 0;

        memcpy(link, prev, AUDIT_HASH_SIZE);
        while (off + AUDIT_RECORD_MIN <= size) {
                size_t len = (size_t) buf[off + 4] << 8 | buf[off + 5];
                uLong crc;

                if (len < AUDIT_RECORD_MIN || off + len > size)
                        afx_die("rechain: no record at %zu", off);
                memcpy(buf + off + 26, link, AUDIT_HASH_SIZE);
                crc = crc32(0L, buf + off, (uInt) (len - AUDIT_CRC_SIZE));
                for (int i = 0; i < 4; i++)
                        buf[off + len - 4 + i] = (uint8_t) (crc >> (24 - 8 * i));
                audit_hash(buf + off, len, link);
                off += len;
        }
}

/* Signs msg as the token signs a checkpoint (ECDSA P-256 over SHA-256, r || s), with a software
 * key: for logs a test makes or forges by hand. */
_unused_ static void afx_sign_raw(EVP_PKEY *key, const uint8_t *msg, size_t n, uint8_t out[static AUDIT_SIGNATURE_SIZE]) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        unsigned char der[80];
        const unsigned char *p = der;
        size_t len = sizeof(der);
        ECDSA_SIG *s = NULL;

        if (!ctx || EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) != 1 ||
            EVP_DigestSign(ctx, der, &len, msg, n) != 1 || !(s = d2i_ECDSA_SIG(NULL, &p, (long) len)))
                afx_die("cannot sign with the software key");
        BN_bn2binpad(ECDSA_SIG_get0_r(s), out, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(s), out + 32, 32);
        ECDSA_SIG_free(s);
        EVP_MD_CTX_free(ctx);
}

/* The last PSEUDONYM record in the log. */
typedef struct AfxPseudonym {
        bool found;
        unsigned count; /* PSEUDONYM records in all */
        uint64_t ref;
        uint8_t subject;
        uint8_t mac[AUDIT_HASH_SIZE];
        char text[AUDIT_TEXT_MAX + 1];
} AfxPseudonym;

static int afx_pseudonym_record(void *userdata, const AuditRecord *r, uint64_t off) {
        AfxPseudonym *p = userdata;
        const uint8_t *mac = audit_record_get_bytes(r, AUDIT_TAG_PSEUDONYM, AUDIT_HASH_SIZE);

        if (r->event != AUDIT_EVENT_PSEUDONYM)
                return 0;
        *p = (AfxPseudonym) { .found = true, .count = p->count + 1 };
        (void) audit_record_get_u64(r, AUDIT_TAG_REF, &p->ref);
        (void) audit_record_get_u8(r, AUDIT_TAG_SUBJECT, &p->subject);
        (void) audit_record_get_str(r, AUDIT_TAG_TEXT, p->text);
        if (mac)
                memcpy(p->mac, mac, AUDIT_HASH_SIZE);
        return 0;
}

_unused_ static AfxPseudonym afx_pseudonym(const AuditFx *f) {
        static const AuditScanOps ops = { .record = afx_pseudonym_record };
        AfxPseudonym p = {};
        char **paths;
        size_t n = afx_list(f, &paths), size;

        for (size_t i = 0; i < n; i++) {
                uint8_t *buf = afx_read(paths[i], &size);
                (void) audit_scan(buf, size, &ops, &p);
                free(buf);
        }
        afx_free_paths(paths);
        return p;
}
