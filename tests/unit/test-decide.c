/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The decision sequence (daemon/decide.c) on the daemon's real pieces — configuration, replay
 * cache, audit log, a simulated lock — opened by manager_open(), without a bus or a token:
 *   - every rule's reason reaches the Decision;
 *   - a refusal never consumes the code;
 *   - the code is consumed before the lock moves;
 *   - a door whose lock could not be opened is out of service, and uses no code up;
 *   - a door outside its schedule uses no code up either, nor does an untrusted clock;
 *   - no door opens without its audit record when on_write_error is "deny". */

#include <fcntl.h>
#include <openssl/pem.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/audit-file.h"
#include "daemon/audit.h"
#include "daemon/decide.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/manager.h"
#include "daemon/reload.h"
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-gate.h"

static EVP_PKEY *key;
static char dir[64];

typedef struct Fixture {
        Manager *m;
        char conf[128];
} Fixture;

static void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

static int rm_rf(const char *path) {
        char cmd[256];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
        return system(cmd);
}

/* The door's own keys beyond the fixed ones (a schedule), for the next gate opened. */
static const char *door_keys = "";
/* clock.untrusted: "accept" but in the clock's own test, so that the machine's clock (a
 * container's is often not synchronized) does not decide the others. */
static const char *clock_untrusted = "accept";

/* A gate with one door "main" on lock (the configuration's locks group), issuer "city"; extra:
 * more configuration. */
static Manager *open_gate_on(Fixture *f, const char *lock, const char *extra) {
        char body[2048];

        snprintf(body, sizeof(body),
                 "locks = ( %s );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 60000; scopes = [ \"library.lend\" ]; %s } );\n"
                 "clock: { untrusted = \"%s\"; };\n"
                 "%s\n",
                 lock, door_keys, clock_untrusted, extra ?: "");
        snprintf(f->conf, sizeof(f->conf), "%s/qrgate.conf", dir);
        assert_int_equal(th_gate_open(dir, key, body, &f->m), 0);
        return f->m;
}

/* The same on a simulated lock. */
static Manager *open_gate(Fixture *f, const char *extra) {
        return open_gate_on(f, "{ id = \"main\"; backend = \"sim\"; }", extra);
}

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));
        assert_non_null(f);
        strcpy(dir, "/tmp/qrgate-decide-XXXXXX");
        assert_non_null(mkdtemp(dir));
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        door_keys = "";
        clock_untrusted = "accept";
        manager_free(f->m);
        (void) rm_rf(dir);
        free(f);
        return 0;
}

/* A code valid now for the door, or changed by the caller before it is signed. */
static CodeClaims claims_now(uint8_t tag) {
        CodeClaims c = th_claims();
        c.iat = (int64_t) time(NULL);
        c.exp = c.iat + 60;
        c.cti[0] = tag;
        return c;
}

static Decision present(Manager *m, const char *door, const CodeClaims *c) {
        char *text = th_mint(key, "k1", c);
        Decision d;

        assert_int_equal(decide(m, &(DecideRequest) { .door = door, .text = text, .len = strlen(text), .origin = "test" },
                                &d),
                         0);
        free(text);
        return d;
}

static bool unlocked(Manager *m) {
        return lock_is_unlocked(m->locks[0]);
}

static bool consumed(Manager *m, const CodeClaims *c) {
        return replay_cache_contains(m->replay, c->iss, c->cti, c->cti_len, (int64_t) time(NULL));
}

/* Shown twice at door main, the code is refused with reason and detail both times, the door
 * stays shut and the code is not used up. */
static void refused_every_time(Manager *m, const CodeClaims *c, Reason reason, const char *detail) {
        for (int i = 0; i < 2; i++) {
                Decision d = present(m, "main", c);
                assert_false(d.granted);
                assert_int_equal(d.reason, reason);
                assert_string_equal(d.detail, detail);
                assert_false(unlocked(m));
                assert_false(consumed(m, c));
        }
}

static void a_valid_code_is_granted_consumed_and_opens(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, NULL);
        CodeClaims c = claims_now(1);

        Decision d = present(m, "main", &c);
        assert_true(d.granted);
        assert_int_equal(d.reason, REASON_OK);
        assert_int_equal(d.format, CODE_FORMAT_QG1);
        assert_true(unlocked(m));
        assert_true(consumed(m, &c));
        /* And the same code again: replayed, the door already open stays as it is. */
        d = present(m, "main", &c);
        assert_false(d.granted);
        assert_int_equal(d.reason, REASON_REPLAYED);
}

/* Every rule the table holds, each with the reason it must give; none of them uses the code up. */
static void every_refusal_reaches_the_decision_and_consumes_nothing(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "verifier: { replay_capacity = 16; };");
        struct {
                const char *door;
                CodeClaims c;
                Reason want;
        } cases[] = {
                { "side", claims_now(2), REASON_UNKNOWN_DOOR },
                { "main", claims_now(3), REASON_EXPIRED },
                { "main", claims_now(4), REASON_SCOPE },
                { "main", claims_now(5), REASON_STATUS },
        };
        cases[1].c.iat -= 1000, cases[1].c.exp -= 1000;
        strcpy(cases[2].c.scopes[0], "pool.enter");
        cases[3].c.status = CODE_STATUS_RED;

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Decision d = present(m, cases[i].door, &cases[i].c);
                if (d.reason != cases[i].want)
                        fail_msg("case %zu: got %s (%s), want %s", i, reason_to_string(d.reason), d.detail,
                                 reason_to_string(cases[i].want));
                assert_false(d.granted);
                assert_true(d.detail[0] != '\0');
                assert_false(unlocked(m));
                assert_false(consumed(m, &cases[i].c));
        }
        assert_int_equal(replay_cache_count(m->replay, (int64_t) time(NULL)), 0);

        /* replay-room: sixteen codes used, the seventeenth has no room — and is not used up. */
        for (uint8_t i = 0; i < 16; i++) {
                CodeClaims c = claims_now((uint8_t) (100 + i));
                assert_true(present(m, "main", &c).granted);
        }
        CodeClaims c = claims_now(200);
        Decision d = present(m, "main", &c);
        assert_int_equal(d.reason, REASON_REPLAY_CACHE_FULL);
        assert_false(consumed(m, &c));
}

/* A lock whose output checks, at the moment it is asked to unlock, that the code is already
 * remembered as used: the backend of the simulated lock, with set() wrapped. */
static const LockOps *real_ops;
static Manager *check_m;
static const CodeClaims *check_c;
static unsigned unlocks_seen, unlocks_before_consumed;

static int checking_set(Lock *l, bool unlocked_now) {
        if (unlocked_now) {
                unlocks_seen++;
                if (!consumed(check_m, check_c))
                        unlocks_before_consumed++;
        }
        return real_ops->set(l, unlocked_now);
}

static void the_code_is_consumed_before_the_lock_moves(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, NULL);
        static LockOps ops;
        CodeClaims c = claims_now(7);

        real_ops = m->locks[0]->ops;
        ops = *real_ops;
        ops.set = checking_set;
        m->locks[0]->ops = &ops;
        check_m = m;
        check_c = &c;

        assert_true(present(m, "main", &c).granted);
        assert_int_equal(unlocks_seen, 1);
        assert_int_equal(unlocks_before_consumed, 0);
        m->locks[0]->ops = real_ops;
}

static unsigned count_granted_records(void) {
        char path[128];
        _cleanup_(freep) AuditFileEntry *list = NULL;
        _cleanup_(closep) int dfd = -EBADF;
        unsigned granted = 0;
        size_t n = 0;

        snprintf(path, sizeof(path), "%s/state/audit", dir);
        dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(dfd >= 0);
        assert_int_equal(audit_dir_list(dfd, &list, &n), 0);
        for (size_t i = 0; i < n; i++) {
                _cleanup_(closep) int fd = openat(dfd, list[i].name, O_RDONLY | O_CLOEXEC);
                _cleanup_(freep) uint8_t *buf = NULL;
                size_t size = 0, off = 0;
                AuditRecord r;
                uint8_t g;

                assert_int_equal(audit_file_read(fd, &buf, &size), 0);
                while (off < size && audit_record_parse(buf + off, size - off, &r) == AUDIT_PARSE_OK) {
                        if (r.event == AUDIT_EVENT_DECISION && audit_record_get_u8(&r, AUDIT_TAG_DECISION, &g) && g)
                                granted++;
                        off += r.size;
                }
        }
        return granted;
}

static void set_file_limit(rlim_t limit) {
        struct rlimit rl = { .rlim_cur = limit, .rlim_max = RLIM_INFINITY };
        assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static void no_door_opens_without_its_record_when_deny(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, NULL);
        CodeClaims c = claims_now(8);
        char path[128];
        struct stat st;

        /* While the log takes records, each opening has one. */
        assert_true(present(m, "main", &c).granted);
        assert_int_equal(count_granted_records(), 1);
        door_relock(m->doors[0]);

        /* The disk refuses (EFBIG past the audit file's end, as ENOSPC would): the refusal of a
         * junk line is held in memory, the log is failing, and from then on nothing opens. */
        snprintf(path, sizeof(path), "%s/state/audit/audit-00000000000000000001.log", dir);
        assert_int_equal(stat(path, &st), 0);
        signal(SIGXFSZ, SIG_IGN);
        set_file_limit((rlim_t) st.st_size);
        assert_int_equal(decide(m, &(DecideRequest) { .door = "main", .text = "junk", .len = 4, .origin = "test" },
                                &(Decision) {}),
                         0);
        assert_true(audit_is_failing(m->audit));

        c = claims_now(9);
        Decision d = present(m, "main", &c);
        set_file_limit(RLIM_INFINITY);
        signal(SIGXFSZ, SIG_DFL);
        assert_false(d.granted);
        assert_int_equal(d.reason, REASON_AUDIT_UNAVAILABLE);
        assert_false(unlocked(m));
        assert_false(consumed(m, &c));
        assert_int_equal(count_granted_records(), 1);
}

/* A GPIO line that is not there: the gate opens without its lock, and the door on it is out of
 * service. A valid code is refused there with door-out-of-service and not used up (it still
 * works at a door in service, or here after a restart with the line back), as often as it is
 * shown. */
static void a_door_out_of_service_refuses_and_consumes_nothing(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate_on(f, "{ id = \"main\"; backend = \"gpiod\"; line_name = \"qrgate-test-no-such-line\"; }",
                                  NULL);
        CodeClaims c = claims_now(10);

        assert_null(m->locks[0]);
        assert_int_equal(m->n_locks, 1);
        assert_true(m->lock_errors[0] < 0);
        assert_non_null(m->doors[0]);
        assert_string_equal(door_lock_state(m->doors[0]), "out-of-service");
        for (int i = 0; i < 2; i++) {
                Decision d = present(m, "main", &c);
                assert_false(d.granted);
                assert_int_equal(d.reason, REASON_DOOR_OUT_OF_SERVICE);
                assert_string_equal(d.detail, "door main is out of service: its lock main could not be opened");
                assert_false(consumed(m, &c));
        }
        assert_int_equal(replay_cache_count(m->replay, (int64_t) time(NULL)), 0);
        /* The last word, should a caller not ask the policy first. */
        assert_int_equal(door_open(m->doors[0], 100), -ENODEV);
        assert_string_equal(door_lock_state(m->doors[0]), "out-of-service");
}

/* A door outside its opening hours refuses a valid code with outside-schedule and does not use
 * it up: once the schedule lets the door open (here by a reload, as an operator would change
 * the hours) the same code opens it. */
static void a_door_outside_its_schedule_refuses_and_consumes_nothing(void **state) {
        Fixture *f = *state;
        Manager *m;
        CodeClaims c = claims_now(11);
        _cleanup_(freep) char *errors = NULL;
        char text[4096];
        FILE *p;

        door_keys = "schedule = \"hours\";";
        m = open_gate(f, "schedules = ( { id = \"hours\"; windows = [ ]; } );");
        assert_false(door_schedule_open(m->doors[0], time(NULL)));
        refused_every_time(m, &c, REASON_OUTSIDE_SCHEDULE, "door main is closed now by schedule hours");

        p = fopen(f->conf, "re");
        assert_non_null(p);
        size_t n = fread(text, 1, sizeof(text) - 1, p);
        fclose(p);
        text[n] = '\0';
        char *w = strstr(text, "windows = [ ]");
        assert_non_null(w);
        char fixed[4096];
        snprintf(fixed, sizeof(fixed), "%.*swindows = [ \"daily 00:00-24:00\" ]%s", (int) (w - text), text,
                 w + strlen("windows = [ ]"));
        write_file(f->conf, fixed);
        assert_int_equal(manager_reload(m, &errors), 0);
        assert_true(door_schedule_open(m->doors[0], time(NULL)));
        Decision d = present(m, "main", &c);
        assert_true(d.granted);
        assert_true(consumed(m, &c));
}

/* A clock not synchronized since start, with the default clock.untrusted = "refuse": a valid
 * code is refused with clock-untrusted and not used up; once the clock is synchronized the
 * same code opens the door. */
static void an_untrusted_clock_refuses_and_consumes_nothing(void **state) {
        Fixture *f = *state;
        Manager *m;
        CodeClaims c = claims_now(12);

        clock_untrusted = "refuse";
        m = open_gate(f, NULL);
        m->clock_synchronized = false; /* whatever this machine's kernel says */
        refused_every_time(m, &c, REASON_CLOCK_UNTRUSTED,
                           "the system clock is not synchronized, and clock.untrusted is \"refuse\"");
        m->clock_synchronized = true;
        Decision d = present(m, "main", &c);
        assert_true(d.granted);
        assert_true(consumed(m, &c));
}

/* policy.subject_rate, 2 an hour: two codes of one subject open, the third is refused with
 * rate-limited and not used up, while another subject's code is granted in between. Refusals
 * take nothing: a replayed copy of the first code, shown again and again, does not use up the
 * subject's second opening. A new subject key (the token's secret replacing the random one)
 * forgets every bucket. */
static void a_subject_over_its_rate_is_refused_and_others_are_not(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "policy: { subject_rate = { max = 2; per = 3600; }; };");
        CodeClaims a1 = claims_now(21), a2 = claims_now(22), a3 = claims_now(23), b1 = claims_now(24);
        Decision d;

        strcpy(b1.sub, "p-2");
        d = present(m, "main", &a1);
        assert_true(d.granted);
        for (int i = 0; i < 5; i++) {
                d = present(m, "main", &a1);
                assert_int_equal(d.reason, REASON_REPLAYED);
        }
        d = present(m, "main", &a2);
        assert_true(d.granted);
        for (int i = 0; i < 2; i++) {
                d = present(m, "main", &a3);
                assert_false(d.granted);
                assert_int_equal(d.reason, REASON_RATE_LIMITED);
                assert_string_equal(d.detail, "this code's subject was let in 2 times within 3600 s "
                                              "(policy.subject_rate); the next opening in 1800 s");
                assert_false(consumed(m, &a3));
                d = present(m, "main", &b1);
                assert_int_equal(d.reason, i == 0 ? REASON_OK : REASON_REPLAYED);
        }
        assert_true(consumed(m, &b1));

        manager_subject_key_changed(m);
        d = present(m, "main", &a3);
        assert_true(d.granted);
        assert_true(consumed(m, &a3));
}

/* A reload that keeps the limit keeps its buckets; one that drops it lets the subject in. */
static void a_reload_keeps_an_unchanged_subject_rate(void **state) {
        Fixture *f = *state;
        Manager *m = open_gate(f, "policy: { subject_rate = { max = 1; per = 3600; }; };");
        CodeClaims a1 = claims_now(31), a2 = claims_now(32);
        _cleanup_(freep) char *errors = NULL;
        char text[4096];
        FILE *p;

        assert_true(present(m, "main", &a1).granted);
        assert_int_equal(present(m, "main", &a2).reason, REASON_RATE_LIMITED);
        assert_int_equal(manager_reload(m, &errors), 0);
        assert_int_equal(present(m, "main", &a2).reason, REASON_RATE_LIMITED);

        p = fopen(f->conf, "re");
        assert_non_null(p);
        size_t n = fread(text, 1, sizeof(text) - 1, p);
        fclose(p);
        text[n] = '\0';
        char *w = strstr(text, "policy:");
        assert_non_null(w);
        *w = '\0';
        write_file(f->conf, text);
        assert_int_equal(manager_reload(m, &errors), 0);
        assert_null(m->subject_rate);
        assert_true(present(m, "main", &a2).granted);
}

/* A static card (docs/code-format.md §8) at a door with cards = true: granted each time it is
 * shown, never used up; at a door without, card-not-accepted. */
static void a_card_opens_a_card_door_every_time_and_no_other(void **state) {
        Fixture *f = *state;
        Manager *m;
        CodeClaims c = claims_now(13);

        c.cti_len = 0;
        strcpy(c.card_serial, "C-0013");
        c.exp = c.iat + 365 * 86400;
        door_keys = "cards = true;";
        m = open_gate(f, NULL);
        for (int i = 0; i < 2; i++) {
                Decision d = present(m, "main", &c);
                assert_true(d.granted);
                assert_int_equal(d.reason, REASON_OK);
                assert_true(unlocked(m));
                door_relock(m->doors[0]);
        }
        assert_int_equal(replay_cache_count(m->replay, (int64_t) time(NULL)), 0);
        manager_free(m);
        f->m = NULL;
        (void) rm_rf(dir);
        assert_int_equal(mkdir(dir, 0700), 0);

        door_keys = "";
        m = open_gate(f, NULL);
        refused_every_time(m, &c, REASON_CARD_NOT_ACCEPTED,
                           "door main does not accept static cards (its configuration's 'cards' is false)");
        assert_int_equal(replay_cache_count(m->replay, (int64_t) time(NULL)), 0);
}

static Decision present_text(Manager *m, const char *text) {
        Decision d;
        assert_int_equal(decide(m, &(DecideRequest) { .door = "main", .text = text, .len = strlen(text), .origin = "test" },
                                &d),
                         0);
        return d;
}

/* A door with a barcode allow-list honours the barcodes on it and refuses the others with
 * barcode-not-listed; a list that cannot be read at start is a fault and refuses every barcode,
 * and the reload that reads it puts it in force. */
static void a_barcode_door_honours_its_allow_list_only(void **state) {
        Fixture *f = *state;
        static char keys[256];
        char list[96], detail[256];
        _cleanup_(freep) char *errors = NULL;
        Manager *m;
        Decision d;

        snprintf(list, sizeof(list), "%s/patrons.list", dir);
        snprintf(keys, sizeof(keys), "barcodes = [ \"codabar\" ]; barcode_allow = \"%s\";", list);
        door_keys = keys;
        m = open_gate(f, NULL); /* the list is not there yet */
        _cleanup_(faults_freep) char **faults = manager_faults(m);
        assert_non_null(faults);
        assert_non_null(faults[0]);
        assert_non_null(strstr(faults[0], "barcode_allow"));
        assert_non_null(strstr(faults[0], "No such file"));
        snprintf(detail, sizeof(detail), "door main's barcode allow-list %s could not be read (see the gate's faults)", list);
        d = present_text(m, "]F020234000000019");
        assert_false(d.granted);
        assert_int_equal(d.reason, REASON_BARCODE_NOT_LISTED);
        assert_string_equal(d.detail, detail);

        write_file(list, "# patrons\n20234000000019 patron-0001\n");
        assert_int_equal(manager_reload(m, &errors), 0);
        _cleanup_(faults_freep) char **after = manager_faults(m);
        assert_null(after[0]);
        d = present_text(m, "]F020234000000019");
        assert_true(d.granted);
        assert_true(unlocked(m));
        door_relock(m->doors[0]);
        d = present_text(m, "]F030234000517861"); /* valid, but not listed */
        assert_false(d.granted);
        assert_int_equal(d.reason, REASON_BARCODE_NOT_LISTED);
        snprintf(detail, sizeof(detail), "barcode is not on door main's allow-list %s", list);
        assert_string_equal(d.detail, detail);
        assert_false(unlocked(m));
        d = present_text(m, "]F020234000000018"); /* a misread: its own reason first */
        assert_int_equal(d.reason, REASON_BAD_CHECK_DIGIT);

        /* A list that turns bad is refused by the reload, and the one in force stays. */
        write_file(list, "20234000000019\n20234000000019\n");
        free(errors);
        errors = NULL;
        assert_int_equal(manager_reload(m, &errors), -EINVAL);
        assert_non_null(strstr(errors, "listed again"));
        d = present_text(m, "]F020234000000019");
        assert_true(d.granted);
}

/* The subject of a barcode is its digits under "barcode:codabar", or what the door's list maps
 * it to (door_map_barcode()), for the per-subject rules. */
static void a_listed_barcode_takes_its_mapped_subject(void **state) {
        Fixture *f = *state;
        static char keys[256];
        char list[128];
        const char *iss, *sub;
        VerifyResult res;
        Manager *m;

        snprintf(list, sizeof(list), "%s/patrons.list", dir);
        write_file(list, "20234000000019 patron-0001\n20234000000027\n");
        snprintf(keys, sizeof(keys), "barcodes = [ \"codabar\" ]; barcode_allow = \"%s\";", list);
        door_keys = keys;
        m = open_gate(f, NULL);
        (void) verifier_check(&m->verifier, "]F020234000000019", 17, (int64_t) time(NULL), &res);
        assert_true(verify_result_subject(&res, &iss, &sub));
        assert_string_equal(iss, "barcode:codabar");
        assert_string_equal(sub, "20234000000019");
        door_map_barcode(m->doors[0], &res);
        assert_true(verify_result_subject(&res, &iss, &sub));
        assert_string_equal(sub, "patron-0001");
        (void) verifier_check(&m->verifier, "]F020234000000027", 17, (int64_t) time(NULL), &res);
        door_map_barcode(m->doors[0], &res);
        assert_true(verify_result_subject(&res, &iss, &sub));
        assert_string_equal(sub, "20234000000027");
        /* A book behind ]E0 or ]X0 is one subject. */
        (void) verifier_check(&m->verifier, "]X00306406152", 13, (int64_t) time(NULL), &res);
        assert_true(verify_result_subject(&res, &iss, &sub));
        assert_string_equal(iss, "barcode:ean13");
        assert_string_equal(sub, "9780306406157");
        /* A wrong check digit has no subject. */
        (void) verifier_check(&m->verifier, "]F020234000000018", 17, (int64_t) time(NULL), &res);
        assert_false(verify_result_subject(&res, &iss, &sub));
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(a_valid_code_is_granted_consumed_and_opens),
                cmocka_unit_test(every_refusal_reaches_the_decision_and_consumes_nothing),
                cmocka_unit_test(the_code_is_consumed_before_the_lock_moves),
                cmocka_unit_test(no_door_opens_without_its_record_when_deny),
                cmocka_unit_test(a_door_out_of_service_refuses_and_consumes_nothing),
                cmocka_unit_test(a_door_outside_its_schedule_refuses_and_consumes_nothing),
                cmocka_unit_test(an_untrusted_clock_refuses_and_consumes_nothing),
                cmocka_unit_test(a_subject_over_its_rate_is_refused_and_others_are_not),
                cmocka_unit_test(a_reload_keeps_an_unchanged_subject_rate),
                cmocka_unit_test(a_card_opens_a_card_door_every_time_and_no_other),
                cmocka_unit_test(a_barcode_door_honours_its_allow_list_only),
                cmocka_unit_test(a_listed_barcode_takes_its_mapped_subject),
        };
        key = th_key("es256");
        int r = th_run_tests_with_fixture(tests, setup, teardown);
        EVP_PKEY_free(key);
        return r;
}
