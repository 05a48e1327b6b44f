/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading operator-named files: only regular files, never blocking, never past the cap. */

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "tests/unit/helper-dir.h"

typedef struct Dir {
        char path[TH_DIR_MAX];
} Dir;

static char *in(Dir *d, const char *name) {
        static char buf[4][128];
        static unsigned next;
        char *p = buf[next++ % ELEMENTSOF(buf)];
        snprintf(p, sizeof(buf[0]), "%s/%s", d->path, name);
        return p;
}

static void write_file(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
}

static int dir_setup(void **state) {
        Dir *d = calloc(1, sizeof(Dir));

        assert_non_null(d);
        th_dir_new(d->path, "/tmp/qrgate-fileio-XXXXXX");
        *state = d;
        return 0;
}

static int dir_teardown(void **state) {
        Dir *d = *state;

        th_dir_remove(d->path);
        free(d);
        return 0;
}

/* Writes text to the file name, reads it back whole and NUL-terminated, with its length. */
static void assert_read_back(Dir *d, const char *name, const char *text) {
        char *buf = NULL;
        size_t n = 99;

        write_file(in(d, name), text);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, name), 1024, 0, &buf, &n), 0);
        assert_int_equal(n, strlen(text));
        assert_non_null(buf);
        assert_string_equal(buf, text);
        free(buf);
}

static void regular_file_is_read_whole_and_terminated(void **state) {
        assert_read_back(*state, "key.pem", "-----BEGIN PUBLIC KEY-----\n");
}

static void empty_file_is_an_empty_string(void **state) {
        assert_read_back(*state, "empty", "");
}

static void file_over_the_cap_is_efbig(void **state) {
        Dir *d = *state;
        char *buf = NULL;
        size_t n = 0;

        write_file(in(d, "big"), "0123456789");
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "big"), 9, 0, &buf, &n), -EFBIG);
        assert_null(buf);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "big"), 9, READ_SECRET, &buf, &n), -EFBIG);
        assert_null(buf);
        /* Exactly at the cap is fine, for secrets (one allocation) too. */
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "big"), 10, 0, &buf, &n), 0);
        assert_int_equal(n, 10);
        free(buf);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "big"), 10, READ_SECRET, &buf, &n), 0);
        assert_string_equal(buf, "0123456789");
        free(buf);
}

/* /proc files say st_size 0: the size is found by reading, and the cap still holds. */
static void file_without_a_size_is_read_to_the_end(void **state) {
        char *buf = NULL;
        size_t n = 0;

        assert_int_equal(read_regular_file(AT_FDCWD, "/proc/self/status", 1024 * 1024, 0, &buf, &n), 0);
        assert_true(n > 100);
        assert_int_equal(strlen(buf), n);
        assert_non_null(strstr(buf, "Pid:"));
        free(buf);
        assert_int_equal(read_regular_file(AT_FDCWD, "/proc/self/status", 16, 0, &buf, &n), -EFBIG);
}

static void fifo_without_a_writer_is_refused_at_once(void **state) {
        Dir *d = *state;
        char *buf = NULL;

        assert_int_equal(mkfifo(in(d, "fifo"), 0600), 0);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "fifo"), 1024, 0, &buf, NULL), -EBADFD);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "fifo"), 1024, READ_NOFOLLOW, &buf, NULL), -EBADFD);
        assert_int_equal(open_regular_file(AT_FDCWD, in(d, "fifo"), 0, NULL), -EBADFD);
        assert_null(buf);
        assert_string_equal(read_file_strerror(-EBADFD, 0), "not a regular file (a FIFO, socket or device)");
}

static void directory_is_eisdir(void **state) {
        Dir *d = *state;
        char *buf = NULL;

        assert_int_equal(read_regular_file(AT_FDCWD, d->path, 1024, 0, &buf, NULL), -EISDIR);
        assert_string_equal(read_file_strerror(-EISDIR, 0), "a directory, not a regular file");
}

static void symlink_is_followed_unless_nofollow(void **state) {
        Dir *d = *state;
        char *buf = NULL;

        write_file(in(d, "target"), "abc");
        assert_int_equal(symlink(in(d, "target"), in(d, "link")), 0);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "link"), 1024, 0, &buf, NULL), 0);
        assert_string_equal(buf, "abc");
        free(buf);
        buf = NULL;
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "link"), 1024, READ_NOFOLLOW, &buf, NULL), -ELOOP);
        assert_null(buf);
        assert_string_equal(read_file_strerror(-ELOOP, READ_NOFOLLOW), "a symbolic link, which is not followed here");
        /* Followed, a link must still lead to a regular file. */
        assert_int_equal(mkfifo(in(d, "fifo"), 0600), 0);
        assert_int_equal(symlink(in(d, "fifo"), in(d, "fifolink")), 0);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "fifolink"), 1024, 0, &buf, NULL), -EBADFD);
}

static void devices_and_sockets_are_ebadfd(void **state) {
        Dir *d = *state;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char *buf = NULL;
        int s;

        assert_int_equal(read_regular_file(AT_FDCWD, "/dev/null", 1024, 0, &buf, NULL), -EBADFD);
        assert_int_equal(read_regular_file(AT_FDCWD, "/dev/zero", 1024, 0, &buf, NULL), -EBADFD);
        /* open(2) says ENXIO for a socket; it is reported as what it is. */
        s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        assert_true(s >= 0);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", in(d, "sock"));
        assert_int_equal(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(read_regular_file(AT_FDCWD, in(d, "sock"), 1024, 0, &buf, NULL), -EBADFD);
        close(s);
        assert_null(buf);
}

static void names_are_relative_to_dir_fd(void **state) {
        Dir *d = *state;
        _cleanup_(closep) int dfd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        char *buf = NULL;
        int fd;

        write_file(in(d, "one.pem"), "one");
        assert_true(dfd >= 0);
        assert_int_equal(read_regular_file(dfd, "one.pem", 1024, 0, &buf, NULL), 0);
        assert_string_equal(buf, "one");
        free(buf);
        fd = open_regular_file(dfd, "one.pem", READ_NOFOLLOW, &st);
        assert_true(fd >= 0);
        assert_int_equal(st.st_size, 3);
        assert_int_equal(read_regular_fd(fd, 1024, 0, &buf, NULL), 0);
        assert_string_equal(buf, "one");
        free(buf);
        close(fd);
        assert_int_equal(read_regular_file(dfd, "missing.pem", 1024, 0, &buf, NULL), -ENOENT);
        assert_string_equal(read_file_strerror(-ENOENT, 0), strerror(ENOENT));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(regular_file_is_read_whole_and_terminated, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(empty_file_is_an_empty_string, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(file_over_the_cap_is_efbig, dir_setup, dir_teardown),
                cmocka_unit_test(file_without_a_size_is_read_to_the_end),
                cmocka_unit_test_setup_teardown(fifo_without_a_writer_is_refused_at_once, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(directory_is_eisdir, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(symlink_is_followed_unless_nofollow, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(devices_and_sockets_are_ebadfd, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(names_are_relative_to_dir_fd, dir_setup, dir_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
