/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The audit log's readers. An audit file is hostile input: anyone who can reach the disk (or a
 * copy shipped off the box) can write anything into it, and the daemon, `qrgatectl audit verify`
 * and `qrgatectl audit export` must each come back with findings, never a crash or a leak. The
 * first byte of the input picks the reader the rest goes to, as one audit file:
 *
 *   0  audit_tail_scan() and audit_scan(), every field of every record read with every getter
 *   1  audit_verify() (open or closed log), then `qrgatectl audit export`
 *   2  the daemon's start: audit_open() recovers the file (cuts a torn tail, or sets damage
 *      aside and continues in a new file), appends its records, and audit_free() stops
 *
 * QRGATE_FUZZ_AUDIT_SEEDS=DIR makes the target write its seed corpus into DIR and exit: a log
 * the real writer made, closed by a checkpoint that a P-256 key signed, as each layer. */
#include <inttypes.h>
#include <openssl/x509.h>

#include "daemon/log.h"
#include "tests/audit/audit-fixture.h"
#include "tools/ctl-audit.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static AuditFx fx;
static char path[256];

static void read_every_field(const AuditRecord *r) {
        char text[AUDIT_TEXT_MAX + 1];
        uint8_t hash[AUDIT_HASH_SIZE];
        uint64_t u64;
        uint32_t u32;
        uint8_t u8;

        audit_record_hash(r, hash);
        (void) audit_event_to_string(r->event);
        for (int tag = 0; tag <= _AUDIT_TAG_MAX; tag++) {
                (void) audit_record_get_u64(r, tag, &u64);
                (void) audit_record_get_u32(r, tag, &u32);
                (void) audit_record_get_u8(r, tag, &u8);
                (void) audit_record_get_str(r, tag, text);
                (void) audit_record_get_bytes(r, tag, AUDIT_HASH_SIZE);
                (void) audit_record_get_bytes(r, tag, AUDIT_SIGNATURE_SIZE);
        }
}

static int on_record(void *userdata, const AuditRecord *r, uint64_t off) {
        read_every_field(r);
        return 0;
}

static int on_damage(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn) {
        (void) audit_parse_to_string(why);
        return 0;
}

static void on_note(void *userdata, AuditVerifyLevel level, const char *file, int64_t off, uint64_t seq, const char *msg) {
}

static void scan(const uint8_t *buf, size_t size) {
        static const AuditScanOps ops = { .record = on_record, .damage = on_damage };
        AuditTail t;

        audit_tail_scan(buf, size, &t);
        (void) audit_scan(buf, size, &ops, NULL);
}

static void verify_and_export(const uint8_t *buf, size_t size, bool open_ok) {
        const char *paths[] = { path };
        AuditVerifySummary s;
        char *argv[] = { "audit", "export", "--output", "/dev/null", path, NULL };

        afx_write(path, buf, size);
        if (audit_verify(paths, 1, &(AuditVerifyOptions) { .open_ok = open_ok }, on_note, NULL, &s) < 0)
                abort(); /* only -ENOMEM, which these sizes never reach */
        (void) ctl_audit(5, argv);
        unlink(path);
}

/* The file as the last one of the log, named for its first record as the writer names files. */
static void recover(const uint8_t *buf, size_t size) {
        AuditConf c = AUDIT_CONF_DEFAULTS;
        AuditRecord r;
        char name[512];
        Audit *a = NULL;
        char **paths;

        if (mkdir(fx.dir, 0700) < 0 && errno != EEXIST)
                afx_die("mkdir %s: %m", fx.dir);
        snprintf(name, sizeof(name), "%s/audit-%020" PRIu64 ".log", fx.dir,
                 audit_record_parse(buf, size, &r) == AUDIT_PARSE_OK && r.seq > 0 ? r.seq : 1);
        afx_write(name, buf, size);
        if (audit_open(fx.event, fx.state, &c, &a) < 0)
                abort(); /* a file's content is never a reason to refuse the directory */
        (void) afx_decision(a, 1);
        audit_free(a);
        size_t n = afx_list(&fx, &paths);
        for (size_t i = 0; i < n; i++)
                unlink(paths[i]);
        afx_free_paths(paths);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        switch (data[0] % 3) {
        case 0:
                scan(data + 1, size - 1);
                break;
        case 1:
                verify_and_export(data + 1, size - 1, data[0] & 0x80);
                break;
        case 2:
                recover(data + 1, size - 1);
                break;
        }
        return 0;
}

/* Seeds. */

static void seal(uint8_t *buf, size_t *size) {
        EVP_PKEY *key = EVP_EC_gen("P-256");
        uint8_t msg[AUDIT_CHECKPOINT_MESSAGE_SIZE], sig[AUDIT_SIGNATURE_SIZE], hash[AUDIT_HASH_SIZE];
        unsigned char *spki = NULL;
        AfxRecords *rs = calloc(1, sizeof(AfxRecords));
        AuditRecord last;
        AuditBuilder b;

        if (!key || !rs)
                afx_die("out of memory");
        afx_records(buf, *size, rs);
        if (rs->n == 0 || audit_record_parse(buf + rs->off[rs->n - 1], rs->size[rs->n - 1], &last) != AUDIT_PARSE_OK)
                afx_die("the writer's log does not parse");
        audit_record_hash(&last, hash);
        audit_checkpoint_message(last.seq, hash, AUDIT_FLAG_FINAL, msg);
        afx_sign_raw(key, msg, sizeof(msg), sig);
        int spki_size = i2d_PUBKEY(key, &spki);
        audit_builder_init(&b, AUDIT_EVENT_CHECKPOINT);
        b.flags = AUDIT_FLAG_FINAL;
        audit_builder_add_u64(&b, AUDIT_TAG_REF, last.seq);
        audit_builder_add_bytes(&b, AUDIT_TAG_HASH, hash, sizeof(hash));
        audit_builder_add_bytes(&b, AUDIT_TAG_SIGNATURE, sig, sizeof(sig));
        audit_builder_add_bytes(&b, AUDIT_TAG_PUBKEY, spki, (size_t) spki_size);
        if (spki_size <= 0 || audit_builder_finish(&b, last.seq + 1, last.time_usec, hash, hash) < 0)
                afx_die("cannot build the checkpoint");
        memcpy(buf + *size, b.buf, b.size);
        *size += b.size;
        OPENSSL_free(spki);
        EVP_PKEY_free(key);
        free(rs);
}

static void write_seed(const char *dir, const char *name, uint8_t layer, const uint8_t *buf, size_t size) {
        char p[4096];
        _cleanup_(freep) uint8_t *seed = malloc(size + 1);

        if (!seed)
                afx_die("out of memory");
        seed[0] = layer;
        memcpy(seed + 1, buf, size);
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        afx_write(p, seed, size + 1);
}

static void write_seeds(const char *dir) {
        AuditConf c = AUDIT_CONF_DEFAULTS;
        Audit *a = NULL;
        char **paths;
        size_t size;

        if (audit_open(fx.event, fx.state, &c, &a) < 0 || audit_log_start(a, NULL) < 0)
                afx_die("cannot start a log in %s", fx.state);
        (void) afx_decision(a, 1);
        (void) audit_log_unlock(a, "front", 3000, 1000, 0, NULL);
        (void) audit_log_alarm(a, "lock", "front", true, "the door contact did not open");
        (void) afx_decision(a, 2);
        audit_free(a);
        if (afx_list(&fx, &paths) != 1)
                afx_die("the writer made more than one file");
        _cleanup_(freep) uint8_t *log = afx_read(paths[0], &size);
        afx_free_paths(paths);
        log = realloc(log, size + AUDIT_RECORD_MAX);
        if (!log)
                afx_die("out of memory");
        seal(log, &size);
        write_seed(dir, "scan-closed-log", 0, log, size);
        write_seed(dir, "verify-closed-log", 1, log, size);
        write_seed(dir, "verify-open-log", 1 | 0x80, log, size);
        write_seed(dir, "recover-closed-log", 2, log, size);
        write_seed(dir, "recover-torn-tail", 2, log, size - 20);
}

static void teardown(void) {
        afx_teardown(&fx);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        /* Recovery logs what it finds; the fuzzer's inputs would drown its own output. */
        log_set_max_level(LOG_EMERG - 1);
        afx_setup_in(&fx, access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        atexit(teardown);
        snprintf(path, sizeof(path), "%s/input.log", fx.state);
        const char *dir = getenv("QRGATE_FUZZ_AUDIT_SEEDS");
        if (dir) {
                write_seeds(dir);
                exit(0);
        }
        return 0;
}
