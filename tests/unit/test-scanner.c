/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scanner backends' device I/O (hal/scanner*.c) without the daemon: USB identities as the
 * configuration names them, the FIFO and serial backends on a real pipe and a pseudo-terminal
 * (a CDC-ACM scanner is a tty like it), and what each says when the device is not the right
 * kind or goes away. */

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
#include <termios.h>
#include <unistd.h>

#include "hal/scanner.h"
#include "tests/unit/helper-dir.h"

static void usb_ids_are_four_hex_digits_each(void **state) {
        uint16_t v = 0, p = 0;

        assert_int_equal(usb_identity_parse("05e0:1200", &v, &p), 0);
        assert_int_equal(v, 0x05e0);
        assert_int_equal(p, 0x1200);
        assert_int_equal(usb_identity_parse("ABCD:ef01", &v, &p), 0);
        assert_int_equal(v, 0xabcd);
        assert_int_equal(p, 0xef01);
        static const char *const bad[] = { "", "5e0:1200", "05e0:12000", "05e0-1200", "05e0:12g0", "0x5e:1200",
                                           "05e0:", ":1200", "05e0:1200 ", NULL };
        for (size_t i = 0; i < 9; i++)
                assert_int_equal(usb_identity_parse(bad[i], &v, &p), -EINVAL);
        assert_int_equal(usb_identity_parse(NULL, &v, &p), -EINVAL);
}

static void identity_matches_only_what_it_pins(void **state) {
        UsbIdentity any = { .vendor = 0x05e0, .product = 0x1200 };
        UsbIdentity pinned = { .vendor = 0x05e0, .product = 0x1200, .serial = "S123", .port = "1-1.2" };

        assert_true(usb_identity_matches(&any, 0x05e0, 0x1200, NULL, NULL));
        assert_true(usb_identity_matches(&any, 0x05e0, 0x1200, "X", "3-4"));
        assert_false(usb_identity_matches(&any, 0x05e0, 0x1201, NULL, NULL));
        assert_false(usb_identity_matches(&any, 0x05e1, 0x1200, NULL, NULL));
        assert_true(usb_identity_matches(&pinned, 0x05e0, 0x1200, "S123", "1-1.2"));
        /* The right identity on another port, another serial, or none at all: not it. */
        assert_false(usb_identity_matches(&pinned, 0x05e0, 0x1200, "S123", "1-1.3"));
        assert_false(usb_identity_matches(&pinned, 0x05e0, 0x1200, "S124", "1-1.2"));
        assert_false(usb_identity_matches(&pinned, 0x05e0, 0x1200, NULL, "1-1.2"));
        assert_false(usb_identity_matches(&pinned, 0x05e0, 0x1200, "S123", NULL));
        assert_false(usb_identity_matches(&pinned, 0x05e0, 0x1200, "S123", "1-1.2.1"));
}

static void fifo_is_created_and_read_with_times(void **state) {
        char dir[TH_DIR_MAX], path[128];
        ScannerConfig c = { .type = SCANNER_FIFO, .path = path };
        Scanner *s = NULL;
        ScanChars *out = calloc(1, sizeof(ScanChars));
        struct stat st;
        int w;

        th_dir_new(dir, "/tmp/qrgate-scanner-XXXXXX");
        snprintf(path, sizeof(path), "%s/scan", dir);
        assert_int_equal(scanner_open(&c, &s), 0);
        assert_int_equal(stat(path, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        assert_int_equal(st.st_mode & 0777, 0620);
        assert_int_equal(scanner_read(s, 5, out), -EAGAIN);
        w = open(path, O_WRONLY | O_CLOEXEC);
        assert_true(w >= 0);
        assert_int_equal(write(w, "ab\n", 3), 3);
        /* The writer going away is no end: we hold a writer ourselves. */
        close(w);
        assert_int_equal(scanner_read(s, 42, out), 0);
        assert_int_equal(out->n, 3);
        assert_memory_equal(out->c, "ab\n", 3);
        assert_int_equal(out->usec[2], 42);
        assert_int_equal(scanner_read(s, 43, out), -EAGAIN);
        assert_int_equal(out->n, 0);
        s = scanner_free(s);

        /* A regular file where the FIFO belongs is refused. */
        unlink(path);
        w = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        close(w);
        assert_int_equal(scanner_open(&c, &s), -ENOTTY);
        th_dir_remove(dir);
        free(out);
}

static void serial_reads_raw_bytes_from_a_tty(void **state) {
        int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        ScannerConfig c = { .type = SCANNER_SERIAL, .speed = 115200 };
        ScanChars *out = calloc(1, sizeof(ScanChars));
        struct termios t;
        Scanner *s = NULL;

        assert_true(master >= 0);
        assert_int_equal(grantpt(master), 0);
        assert_int_equal(unlockpt(master), 0);
        c.path = ptsname(master);
        assert_int_equal(scanner_open(&c, &s), 0);
        assert_int_equal(tcgetattr(s->fd, &t), 0);
        assert_int_equal(cfgetispeed(&t), B115200);
        assert_false(t.c_lflag & (ICANON | ECHO)); /* raw: nothing echoed back to the scanner */
        /* CR stays CR (no ICRNL): the terminator is the daemon's to interpret. */
        assert_int_equal(write(master, "QG1:AB\r", 7), 7);
        usleep(20000);
        assert_int_equal(scanner_read(s, 7, out), 0);
        assert_int_equal(out->n, 7);
        assert_memory_equal(out->c, "QG1:AB\r", 7);
        /* Binary bytes come through as they are, for the daemon to refuse. */
        assert_int_equal(write(master, "\x00\xff\x03", 3), 3);
        usleep(20000);
        assert_int_equal(scanner_read(s, 8, out), 0);
        assert_int_equal(out->n, 3);
        assert_memory_equal(out->c, "\x00\xff\x03", 3);
        /* Unplugged: the other end gone reads as a vanished device. */
        close(master);
        assert_int_equal(scanner_read(s, 9, out), -ENODEV);
        scanner_free(s);
        free(out);
}

static void serial_refuses_what_is_not_a_tty_and_unknown_speeds(void **state) {
        ScannerConfig c = { .type = SCANNER_SERIAL, .path = "/dev/null", .speed = 9600 };
        Scanner *s = NULL;

        assert_int_equal(scanner_open(&c, &s), -ENOTTY);
        c.speed = 9601;
        assert_int_equal(scanner_open(&c, &s), -EINVAL);
        c.path = "/nonexistent/ttyACM0";
        c.speed = 9600;
        assert_int_equal(scanner_open(&c, &s), -ENOENT);
        assert_true(scanner_serial_speed_is_valid(230400));
        assert_false(scanner_serial_speed_is_valid(460800));
        assert_false(scanner_serial_speed_is_valid(0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(usb_ids_are_four_hex_digits_each),
                cmocka_unit_test(identity_matches_only_what_it_pins),
                cmocka_unit_test(fifo_is_created_and_read_with_times),
                cmocka_unit_test(serial_reads_raw_bytes_from_a_tty),
                cmocka_unit_test(serial_refuses_what_is_not_a_tty_and_unknown_speeds),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
