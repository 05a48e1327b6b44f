/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sim input backend (hal/input-sim.c) through hal/input.h: it creates its FIFO, starts
 * inactive, reports each '1'/'0' written as one edge in order with a rising time, skips other
 * bytes, never blocks when nothing is pending, keeps working after a writer closes its end, and
 * refuses a path that is not a FIFO. An unknown backend is -ENOENT. */

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hal/input.h"
#include "tests/unit/helper-dir.h"

static void write_to(const char *path, const char *text) {
        int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
}

static void edges_arrive_in_order(void **state) {
        char dir[TH_DIR_MAX], path[TH_DIR_MAX + 16];
        _cleanup_(input_freep) Input *in = NULL;
        InputEdge e[8];
        bool active = true;

        th_dir_new(dir, "/tmp/qrgate-input-XXXXXX");
        snprintf(path, sizeof(path), "%s/contact", dir);
        assert_int_equal(input_new(&(InputConfig) { .id = "d.contact", .backend = "sim", .sim_input = path }, &in, &active), 0);
        assert_false(active);
        assert_true(input_fd(in) >= 0);
        assert_int_equal(input_read(in, e, ELEMENTSOF(e)), 0); /* nothing pending: no wait */

        write_to(path, "1\n0\n1");
        assert_int_equal(input_read(in, e, ELEMENTSOF(e)), 3);
        assert_true(e[0].active);
        assert_false(e[1].active);
        assert_true(e[2].active);
        assert_true(e[0].usec > 0 && e[0].usec <= e[1].usec && e[1].usec <= e[2].usec);
        assert_int_equal(input_read(in, e, ELEMENTSOF(e)), 0); /* the writer closed: no end of file */

        write_to(path, "0101");
        assert_int_equal(input_read(in, e, 2), 2); /* the rest stays for the next read */
        assert_int_equal(input_read(in, e, 8), 2);
        assert_true(e[1].active);

        in = input_free(in);
        th_dir_remove(dir);
}

static void path_not_a_fifo_is_refused(void **state) {
        char dir[TH_DIR_MAX], path[TH_DIR_MAX + 16];
        Input *in = NULL;
        bool active;

        th_dir_new(dir, "/tmp/qrgate-input-XXXXXX");
        snprintf(path, sizeof(path), "%s/file", dir);
        close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
        assert_int_equal(input_new(&(InputConfig) { .id = "x", .backend = "sim", .sim_input = path }, &in, &active), -ENOTTY);
        assert_null(in);
        assert_int_equal(input_new(&(InputConfig) { .id = "x", .backend = "relay" }, &in, &active), -ENOENT);
        th_dir_remove(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(edges_arrive_in_order),
                cmocka_unit_test(path_not_a_fifo_is_refused),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
