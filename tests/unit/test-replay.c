/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The replay cache's file: what a crash, a power cut or a foreign file leaves behind. */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/replay.h"
#include "tests/unit/helper-cmocka.h"

#define NOW 1800000000

static char path[64];

static int setup(void **state) {
        strcpy(path, "/tmp/qrgate-replay-test-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        close(fd);
        unlink(path);
        return 0;
}

static int teardown(void **state) {
        unlink(path);
        return 0;
}

static const uint8_t cti[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

static uint8_t *cti_n(int i) {
        static uint8_t b[8];
        memcpy(b, cti, 8);
        b[0] = (uint8_t) i;
        b[1] = (uint8_t) (i >> 8);
        return b;
}

static off_t file_size(void) {
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        return st.st_size;
}

static void entries_expire_with_their_code(void **state) {
        ReplayCache *c;
        assert_int_equal(replay_cache_new(16, &c), 0);
        assert_int_equal(replay_cache_add(c, "city", cti, 8, NOW + 90, NOW), 0);
        assert_int_equal(replay_cache_add(c, "city", cti, 8, NOW + 90, NOW + 1), -EEXIST);
        /* Live through its last second, inclusive (the verifier accepts at now == exp + skew). */
        assert_true(replay_cache_contains(c, "city", cti, 8, NOW + 90));
        assert_false(replay_cache_contains(c, "city", cti, 8, NOW + 91));
        /* (iss, cti) is the key: the same cti from another issuer is another code. */
        assert_false(replay_cache_contains(c, "town", cti, 8, NOW));
        replay_cache_free(c);
}

static void torn_last_record_is_dropped_and_the_rest_kept(void **state) {
        ReplayCache *c;
        assert_int_equal(replay_cache_new(64, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW), 0);
        for (int i = 0; i < 10; i++)
                assert_int_equal(replay_cache_add(c, "city", cti_n(i), 8, NOW + 60, NOW), 0);
        replay_cache_free(c);

        /* A crash in the middle of the 11th append. */
        int fd = open(path, O_WRONLY | O_APPEND);
        assert_int_equal(write(fd, "0123456789", 10), 10);
        close(fd);

        assert_int_equal(replay_cache_new(64, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW + 1), 0);
        for (int i = 0; i < 10; i++)
                assert_true(replay_cache_contains(c, "city", cti_n(i), 8, NOW + 1));
        assert_int_equal(replay_cache_count(c, NOW + 1), 10);
        /* Compacted on open: header + 10 whole records. */
        assert_int_equal(file_size(), 8 + 10 * 24);
        replay_cache_free(c);
}

static void expired_entries_are_compacted_away_on_open(void **state) {
        ReplayCache *c;
        assert_int_equal(replay_cache_new(64, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW), 0);
        assert_int_equal(replay_cache_add(c, "city", cti_n(1), 8, NOW + 10, NOW), 0);
        assert_int_equal(replay_cache_add(c, "city", cti_n(2), 8, NOW + 100, NOW), 0);
        replay_cache_free(c);

        assert_int_equal(replay_cache_new(64, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW + 50), 0);
        assert_int_equal(replay_cache_count(c, NOW + 50), 1);
        assert_int_equal(file_size(), 8 + 24);
        replay_cache_free(c);
}

static void foreign_file_is_refused_not_overwritten(void **state) {
        ReplayCache *c;
        FILE *f = fopen(path, "w");
        fputs("this is somebody else's file\n", f);
        fclose(f);

        assert_int_equal(replay_cache_new(64, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW), -EBADMSG);
        replay_cache_free(c);
        assert_int_equal(file_size(), 29);
}

static void file_growth_is_bounded_by_compaction(void **state) {
        ReplayCache *c;
        assert_int_equal(replay_cache_new(16, &c), 0);
        assert_int_equal(replay_cache_attach_file(c, AT_FDCWD, path, NOW), 0);
        /* 1000 short-lived codes over time: the file never holds more than 4x capacity records. */
        for (int i = 0; i < 1000; i++) {
                assert_int_equal(replay_cache_add(c, "city", cti_n(i), 8, NOW + i + 5, NOW + i), 0);
                assert_true(file_size() <= 8 + 16 * 4 * 24 + 24);
        }
        replay_cache_free(c);
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(entries_expire_with_their_code),
                cmocka_unit_test(torn_last_record_is_dropped_and_the_rest_kept),
                cmocka_unit_test(expired_entries_are_compacted_away_on_open),
                cmocka_unit_test(foreign_file_is_refused_not_overwritten),
                cmocka_unit_test(file_growth_is_bounded_by_compaction),
        };
        return th_run_tests_with_fixture(tests, setup, teardown);
}
