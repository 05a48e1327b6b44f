/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The deny-list in the daemon (daemon/denylist.c, rule_revoked in daemon/policy.c) on the real
 * pieces — configuration, state directory, replay cache, audit log, a simulated lock — opened by
 * manager_open(), without a bus:
 *   - a code whose subject or cti the list names, and a listed barcode, are refused with
 *     "revoked", the door stays shut and nothing is used up; what the list does not name opens;
 *   - a list renamed into the folder is put in force at the loop's next turn, a forged one is
 *     refused and the old one stays;
 *   - a FIFO, a directory or a file that is not a list among the lists is refused, never waited on;
 *   - after a restart in the middle, an older list in the folder is refused (the record of the
 *     highest version), and so is another list under the same version; the list that was in
 *     force is accepted again. */

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/denylist-build.h"
#include "daemon/decide.h"
#include "daemon/faults.h"
#include "daemon/manager.h"
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-codes.h"
#include "tests/unit/helper-gate.h"

static EVP_PKEY *key;
static char dir[64];
static Manager *m;

static void write_file(const char *path, const void *data, size_t len) {
        FILE *f = fopen(path, "we");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, len, f), len);
        assert_int_equal(fclose(f), 0);
}

static Manager *open_gate(void) {
        char body[1024];

        snprintf(body, sizeof(body),
                 "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; unlock_ms = 60000; scopes = [ \"library.lend\" ]; "
                 "barcodes = [ \"codabar\" ]; } );\n"
                 "clock: { untrusted = \"accept\"; };\n"
                 "denylist: { directory = \"%s/deny\"; };\n",
                 dir);
        assert_int_equal(th_gate_open(dir, key, body, &m), 0);
        return m;
}

/* Deny-list version naming subject sub, the cti 0xc7 0xc7..., the library card 30234000517861 and
 * the static card C-7 of city;
 * written to name in the folder through a temporary name, as an updater does. */
static void drop_list(const char *name, uint64_t version, const char *sub) {
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        _cleanup_(freep) uint8_t *file = NULL;
        uint8_t cti[16];
        char tmp[128], path[128];
        size_t len;

        memset(cti, 0xc7, sizeof(cti));
        assert_int_equal(denylist_builder_new(&b), 0);
        assert_int_equal(denylist_builder_add_pair(b, DENY_SUBJECT, "city", sub), 0);
        assert_int_equal(denylist_builder_add(b, DENY_CTI, cti, sizeof(cti)), 0);
        assert_int_equal(denylist_builder_add_barcode(b, "codabar", "30234000517861"), 0);
        assert_int_equal(denylist_builder_add_pair(b, DENY_CARD, "city", "C-7"), 0);
        assert_int_equal(denylist_build(b, key, "city", (const uint8_t *) "k1", 2, version, (int64_t) time(NULL), &file, &len),
                         0);
        snprintf(tmp, sizeof(tmp), "%s/deny/.%s.tmp", dir, name);
        snprintf(path, sizeof(path), "%s/deny/%s", dir, name);
        write_file(tmp, file, len);
        assert_int_equal(rename(tmp, path), 0);
}

/* Runs the event loop until nothing is pending: the folder's inotify events are handled. */
static void settle(void) {
        for (int i = 0; i < 20; i++)
                if (sd_event_run(m->event, 10000) == 0)
                        break;
}

static uint64_t version_in_force(void) {
        return m->denylist ? denylist_info(m->denylist)->version : 0;
}

static Decision present_text(const char *text) {
        Decision d;
        assert_int_equal(decide(m, &(DecideRequest) { .door = "main", .text = text, .len = strlen(text), .origin = "test" }, &d),
                         0);
        return d;
}

static Decision present(const CodeClaims *c) {
        _cleanup_(freep) char *text = th_mint(key, "k1", c);
        return present_text(text);
}

static CodeClaims claims_now(const char *sub, uint8_t tag) {
        CodeClaims c = th_claims();
        c.iat = (int64_t) time(NULL);
        c.exp = c.iat + 60;
        strcpy(c.sub, sub);
        memset(c.cti, tag, c.cti_len);
        return c;
}

static void revoked_codes_are_refused_and_use_nothing_up(void **state) {
        drop_list("city.deny", 1, "p-bad");
        open_gate();
        assert_int_equal(version_in_force(), 1);

        CodeClaims c = claims_now("p-bad", 1);
        for (int i = 0; i < 2; i++) {
                Decision d = present(&c);
                assert_int_equal(d.reason, REASON_REVOKED);
                assert_string_equal(d.detail, "the deny-list (version 1) names the code's subject");
                assert_false(lock_is_unlocked(m->locks[0]));
                assert_false(replay_cache_contains(m->replay, c.iss, c.cti, c.cti_len, (int64_t) time(NULL)));
        }
        c = claims_now("p-ok", 0xc7);
        Decision d = present(&c);
        assert_int_equal(d.reason, REASON_REVOKED);
        assert_string_equal(d.detail, "the deny-list (version 1) names the code's id (cti)");
        d = present_text("]F030234000517861");
        assert_int_equal(d.reason, REASON_REVOKED);
        assert_string_equal(d.detail, "the deny-list (version 1) names the barcode");
        /* A static card (docs/code-format.md §8): no cti, known by its serial. */
        c = claims_now("p-card", 0);
        c.cti_len = 0;
        strcpy(c.card_serial, "C-7");
        d = present(&c);
        assert_int_equal(d.reason, REASON_REVOKED);
        assert_string_equal(d.detail, "the deny-list (version 1) names the card's serial");
        assert_false(lock_is_unlocked(m->locks[0]));
        /* A code that fails verification keeps its own reason: the list judges only valid codes. */
        c = claims_now("p-bad", 2);
        c.exp = c.iat - 1000, c.iat -= 2000;
        assert_int_equal(present(&c).reason, REASON_EXPIRED);
        /* What the list does not name opens. */
        c = claims_now("p-ok", 3);
        d = present(&c);
        assert_true(d.granted);
        assert_true(lock_is_unlocked(m->locks[0]));
}

static void a_dropped_list_replaces_the_old_and_a_forged_one_does_not(void **state) {
        char path[128];

        drop_list("city.deny", 1, "p-bad");
        open_gate();
        CodeClaims bad = claims_now("p-bad", 1), later = claims_now("p-later", 2);
        assert_true(present(&later).granted); /* not named by version 1 */
        later = claims_now("p-later", 4);

        drop_list("city.deny", 2, "p-later");
        settle();
        assert_int_equal(version_in_force(), 2);
        assert_int_equal(present(&later).reason, REASON_REVOKED);

        /* Version 3, damaged on its way: refused, version 2 stays and still revokes. */
        drop_list("next.deny", 3, "p-other");
        snprintf(path, sizeof(path), "%s/deny/next.deny", dir);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        assert_true(fd >= 0);
        off_t end = lseek(fd, 0, SEEK_END);
        assert_int_equal(pwrite(fd, "\x01", 1, end - 1), 1);
        close(fd); /* IN_CLOSE_WRITE: read again, and refused again */
        settle();
        assert_int_equal(version_in_force(), 2);
        assert_int_equal(present(&later).reason, REASON_REVOKED);
        /* p-bad is no longer named by version 2. */
        assert_true(present(&bad).granted);
}

static void what_is_not_a_list_is_refused_and_never_blocks(void **state) {
        char path[128];

        snprintf(path, sizeof(path), "%s/deny/a-fifo.deny", dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        snprintf(path, sizeof(path), "%s/deny/a-dir.deny", dir);
        assert_int_equal(mkdir(path, 0700), 0);
        snprintf(path, sizeof(path), "%s/deny/b-text.deny", dir);
        write_file(path, "subject city p-bad\n", 19);
        drop_list("c.deny", 3, "p-bad");
        alarm(10); /* an open() that blocked on the FIFO would hang here: fail instead */
        open_gate();
        alarm(0);
        assert_int_equal(version_in_force(), 3);
        CodeClaims c = claims_now("p-bad", 1);
        assert_int_equal(present(&c).reason, REASON_REVOKED);
}

static void a_restart_does_not_roll_the_list_back(void **state) {
        char path[128];

        drop_list("city.deny", 5, "p-bad");
        open_gate();
        assert_int_equal(version_in_force(), 5);
        m = manager_free(m);

        /* Restarted with only version 4 in the folder. */
        snprintf(path, sizeof(path), "%s/deny/city.deny", dir);
        assert_int_equal(unlink(path), 0);
        drop_list("old.deny", 4, "p-other");
        open_gate();
        assert_int_equal(version_in_force(), 0);
        _cleanup_(faults_freep) char **faults = manager_faults(m);
        assert_non_null(faults);
        assert_non_null(faults[0]);
        assert_non_null(strstr(faults[0], "deny-list: no valid list in force"));
        /* Another list under version 5 is no better. */
        drop_list("city.deny", 5, "p-other");
        settle();
        assert_int_equal(version_in_force(), 0);
        /* Version 6 is. */
        drop_list("city.deny", 6, "p-bad");
        settle();
        assert_int_equal(version_in_force(), 6);
        CodeClaims c = claims_now("p-bad", 9);
        assert_int_equal(present(&c).reason, REASON_REVOKED);
}

static int set_up(void **state) {
        char deny[96];

        strcpy(dir, "/tmp/qrgate-denygate-XXXXXX");
        assert_non_null(mkdtemp(dir));
        snprintf(deny, sizeof(deny), "%s/deny", dir);
        assert_int_equal(mkdir(deny, 0755), 0);
        return 0;
}

static int tear_down(void **state) {
        char cmd[128];

        m = manager_free(m);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(revoked_codes_are_refused_and_use_nothing_up),
                cmocka_unit_test(a_dropped_list_replaces_the_old_and_a_forged_one_does_not),
                cmocka_unit_test(what_is_not_a_list_is_refused_and_never_blocks),
                cmocka_unit_test(a_restart_does_not_roll_the_list_back),
        };
        key = th_key("es256");
        int r = th_run_tests_with_fixture(tests, set_up, tear_down);
        EVP_PKEY_free(key);
        return r;
}
