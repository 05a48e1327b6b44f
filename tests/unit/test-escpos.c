/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Receipts on an ESC/POS printer (lending/escpos.h). Every byte stream is read back by a small
 * ESC/POS decoder that knows only the commands escpos_receipt() may send, with their lengths:
 * a byte outside them — an ESC or GS that came from an ILS's words — fails the test. Then the
 * printed text, the QR code's data, the wrapping, the QR data limit, and the way to the printer:
 * partial writes, a printer that takes nothing, one that went away, and nodes that are not one. */

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "lending/escpos.h"
#include "tests/unit/helper-dir.h"

#define T_SESSION INT64_C(1800000000) /* 2027-01-15T08:00:00Z */
#define T_DUE INT64_C(1801267140)     /* 2027-01-29T23:59:00Z */
#define QR_TEXT "QGR1:6BF5*SV.2-AB0Z9"

/* What the decoder read: the text as printed (LF as '\n'), and the commands. */
typedef struct Decoded {
        char text[64 * 1024];
        size_t text_len;
        size_t longest_line;
        unsigned n_init, n_cut, n_qr_functions;
        int qr_model, qr_module_size, qr_ec;
        uint8_t qr[8192];
        size_t qr_len;
        bool qr_printed;
} Decoded;

static Decoded d; /* large: not on the stack */
static Receipt rc;

static void decode(const uint8_t *b, size_t n) {
        size_t line = 0;

        memset(&d, 0, sizeof(d));
        d.qr_model = d.qr_module_size = d.qr_ec = -1;
        for (size_t i = 0; i < n;) {
                uint8_t c = b[i];

                if (d.n_cut > 0)
                        fail_msg("byte 0x%02x at %zu after the cut", c, i);
                if (c >= 0x20 && c <= 0x7e) {
                        assert_true(d.text_len < sizeof(d.text) - 1);
                        d.text[d.text_len++] = (char) c;
                        line++;
                        i++;
                        continue;
                }
                if (c == 0x0a) {
                        d.text[d.text_len++] = '\n';
                        d.longest_line = MAX(d.longest_line, line);
                        line = 0;
                        i++;
                        continue;
                }
                assert_true(i + 1 < n);
                if (c == 0x1b && b[i + 1] == '@') { /* ESC @: initialise */
                        d.n_init++;
                        i += 2;
                } else if (c == 0x1b && b[i + 1] == 'a') { /* ESC a n: justification */
                        assert_true(i + 2 < n);
                        assert_in_range(b[i + 2], 0, 2);
                        i += 3;
                } else if (c == 0x1b && b[i + 1] == 'E') { /* ESC E n: bold */
                        assert_true(i + 2 < n);
                        assert_in_range(b[i + 2], 0, 1);
                        i += 3;
                } else if (c == 0x1d && b[i + 1] == '!') { /* GS ! n: size; never wider */
                        assert_true(i + 2 < n);
                        assert_int_equal(b[i + 2] & 0xf0, 0);
                        i += 3;
                } else if (c == 0x1d && b[i + 1] == 'V') { /* GS V 66 n: feed and partial cut */
                        assert_true(i + 3 < n);
                        assert_int_equal(b[i + 2], 66);
                        d.n_cut++;
                        i += 4;
                } else if (c == 0x1d && b[i + 1] == '(') { /* GS ( k pL pH cn fn ... */
                        assert_true(i + 6 < n);
                        assert_int_equal(b[i + 2], 'k');
                        size_t p = b[i + 3] | (size_t) b[i + 4] << 8;
                        const uint8_t *a = b + i + 5; /* cn fn parameters: p bytes */
                        assert_true(p >= 3 && i + 5 + p <= n);
                        assert_int_equal(a[0], 49); /* QR Code */
                        d.n_qr_functions++;
                        switch (a[1]) {
                        case 65: /* model: 49 model 1, 50 model 2 */
                                assert_int_equal(p, 4);
                                assert_int_equal(a[3], 0);
                                d.qr_model = a[2];
                                break;
                        case 67:
                                assert_int_equal(p, 3);
                                d.qr_module_size = a[2];
                                break;
                        case 69:
                                assert_int_equal(p, 3);
                                assert_in_range(a[2], 48, 51);
                                d.qr_ec = a[2];
                                break;
                        case 80: /* store: m 48, then p - 3 bytes of data */
                                assert_int_equal(a[2], 48);
                                assert_true(p - 3 <= sizeof(d.qr));
                                memcpy(d.qr, a + 3, p - 3);
                                d.qr_len = p - 3;
                                break;
                        case 81: /* print what was stored */
                                assert_int_equal(p, 3);
                                assert_int_equal(a[2], 48);
                                assert_true(d.qr_len > 0);
                                d.qr_printed = true;
                                break;
                        default:
                                fail_msg("QR function %u", a[1]);
                        }
                        i += 5 + p;
                } else
                        fail_msg("byte 0x%02x 0x%02x at %zu: not a command of ours", c, b[i + 1], i);
        }
        d.longest_line = MAX(d.longest_line, line);
        assert_int_equal(line, 0); /* every line ended */
        assert_int_equal(d.n_init, 1);
        assert_int_equal(d.n_cut, 1);
        assert_int_equal(d.n_qr_functions, 5);
        assert_true(d.qr_printed);
        assert_int_equal(d.qr_model, 50);
        assert_int_equal(d.qr_ec, 49); /* M */
        /* Printable ASCII and line ends only, whatever the receipt held. */
        for (size_t i = 0; i < d.text_len; i++)
                assert_true(d.text[i] == '\n' || (d.text[i] >= 0x20 && d.text[i] <= 0x7e));
}

/* escpos_receipt() of rc, decoded; returns its result. */
static int print_decoded(const char *qr_text, const EscposOptions *o) {
        _cleanup_(freep) uint8_t *b = NULL;
        size_t n = 0;
        int r = escpos_receipt(&rc, qr_text, o, &b, &n);

        if (r < 0)
                return r;
        assert_non_null(b);
        decode(b, n);
        assert_memory_equal(d.qr, qr_text, strlen(qr_text));
        assert_int_equal(d.qr_len, strlen(qr_text));
        return 0;
}

static void sample(void) {
        memset(&rc, 0, sizeof(rc));
        strcpy(rc.station, "branch-1");
        rc.time = T_SESSION;
        rc.patron_len = 16;
        rc.n_items = 3;
        rc.items[0] = (ReceiptItem) { .kind = RECEIPT_CHECKOUT, .outcome = RECEIPT_OK, .id = "3900012345678", .due = T_DUE };
        rc.items[1] = (ReceiptItem) { .kind = RECEIPT_CHECKIN, .outcome = RECEIPT_OK, .id = "39000999" };
        rc.items[2] = (ReceiptItem) { .kind = RECEIPT_RENEW, .outcome = RECEIPT_REFUSED, .id = "390007",
                                      .words = "Renewal limit reached: 3" };
}

static const EscposOptions utc = { .library = "Stadtbücherei Köln", .time_to_tm = gmtime_r };

static void receipt_prints_items_due_dates_refusals_and_qr_text(void **state) {
        sample();
        assert_int_equal(print_decoded(QR_TEXT, &utc), 0);
        assert_string_equal(d.text,
                            "Stadtbucherei Koln\n"
                            "Station branch-1\n"
                            "2027-01-15 08:00\n"
                            "\n"
                            "Borrowed\n"
                            "  3900012345678\n"
                            "  due 2027-01-29\n"
                            "Returned\n"
                            "  39000999\n"
                            "Renewed\n"
                            "  390007\n"
                            "  NOT DONE: Renewal limit reached: 3\n"
                            "\n"
                            "Verify this receipt:\n"
                            "qrgatectl receipt verify\n"
                            "\n");
        assert_int_equal(d.qr_module_size, ESCPOS_MODULE_SIZE_DEFAULT);
}

static void options_name_footer_module_size_and_time(void **state) {
        EscposOptions o = { .footer = "Keep this slip\n\nThank you", .module_size = 8, .time_to_tm = gmtime_r };

        sample();
        rc.n_items = 1;
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_string_equal(d.text, "Station branch-1\n2027-01-15 08:00\n\nBorrowed\n  3900012345678\n"
                                    "  due 2027-01-29\n\nKeep this slip\n\nThank you\n\n");
        assert_int_equal(d.qr_module_size, 8);

        o = (EscposOptions) { .footer = "", .module_size = 3, .time_to_tm = gmtime_r };
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_null(strstr(d.text, "Verify"));
        assert_int_equal(d.qr_module_size, 3);

        /* No options: local time, the defaults. */
        assert_int_equal(print_decoded(QR_TEXT, NULL), 0);
        assert_non_null(strstr(d.text, "qrgatectl receipt verify"));
        assert_true(d.longest_line <= ESCPOS_COLUMNS_DEFAULT);
}

/* The security property: nothing from a text reaches the printer as a command. decode() fails
 * on any byte outside our own commands, and counts them. */
static void control_bytes_in_texts_never_reach_the_printer(void **state) {
        EscposOptions o = {
                .library = "\x1bp\x01\x19\xfa drawer",    /* ESC p: kick the cash drawer */
                .footer = "\x10\x14\x01\x01\x01 \x1b@", /* DLE DC4: real-time command */
                .time_to_tm = gmtime_r,
        };

        sample();
        strcpy(rc.station, "b\x1b" "a\x02");
        strcpy(rc.items[0].id, "\x1dVB\x01\x1d(k\x03\x01" "1Q0");
        strcpy(rc.items[2].words, "ok\x1b@\x1dV\x42\x7f\r\n\t\xc2\x9b" "2J\xc2\x85" "end");
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_non_null(strstr(d.text, "?p??? drawer\n"));
        assert_non_null(strstr(d.text, "Station b?a?\n"));
        assert_non_null(strstr(d.text, "  ?VB?" "?(k?" "?1Q0\n"));
        assert_non_null(strstr(d.text, "  NOT DONE: ok?@?VB?" "????2J?end\n"));
        assert_non_null(strstr(d.text, "????? ?@\n"));

        /* Fields without their NUL end at their size. */
        memset(rc.station, 'S', sizeof(rc.station));
        memset(rc.items[2].words, 'W', sizeof(rc.items[2].words));
        memset(rc.items[1].id, 'I', sizeof(rc.items[1].id));
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
}

static void utf8_is_transliterated_to_ascii(void **state) {
        EscposOptions o = { .time_to_tm = gmtime_r, .columns = 80 };

        sample();
        rc.n_items = 3;
        strcpy(rc.items[2].words, "\xe2\x80\x9c" "Bücher\xe2\x80\x9d \xe2\x80\x93 Straße "
                                  "\xc3\x86" "r\xc5\x93 5\xe2\x82\xac\xe2\x80\xa6 e\xcc\x81 "
                                  "\xc5\x81\xc3\xb3" "d\xc5\xba \xe6\xbc\xa2 \xf0\x9f\x93\x9a");
        strcpy(rc.items[1].id, "\xff\xc0\xaf\xed\xa0\x80" "x\xc3");
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_non_null(strstr(d.text, "  NOT DONE: \"Bucher\" - Strasse AEroe 5EUR... e Lodz ? ?\n"));
        /* Not UTF-8: each byte that starts no valid sequence is one '?' (overlong, surrogate,
         * a sequence cut at the end). */
        assert_non_null(strstr(d.text, "  ??????x?\n"));
}

static void lines_are_wrapped_at_the_columns(void **state) {
        static const char words[] = "The item is on hold for another patron and cannot be renewed; "
                                    "please return it by the due date";
        EscposOptions o = { .time_to_tm = gmtime_r, .columns = 32, .library = "Bibliothèque municipale de Saint-Étienne-du-Rouvray" };

        sample();
        strcpy(rc.items[2].words, words);
        memset(rc.items[1].id, 'X', RECEIPT_ITEM_ID_MAX);
        rc.items[1].id[RECEIPT_ITEM_ID_MAX] = 0;
        strcpy(rc.items[0].id, "");
        for (int i = 0; i < 32; i++)
                strcat(rc.items[0].id, "\xc3\xa9"); /* é: two bytes, one column */
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_true(d.longest_line <= 32);
        assert_non_null(strstr(d.text, "Bibliotheque municipale de\nSaint-Etienne-du-Rouvray\n"));
        /* Broken at spaces, continued with an indent of 4. */
        assert_non_null(strstr(d.text, "  NOT DONE: The item is on hold\n"
                                       "    for another patron and\n"
                                       "    cannot be renewed; please\n"
                                       "    return it by the due date\n"));
        /* A word longer than the line is cut: 30 + 30 + 4. */
        assert_non_null(strstr(d.text, "  XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n  XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n  XXXX\n"));
        /* 32 letters of two bytes each: 30 + 2 columns, never half a letter. */
        assert_non_null(strstr(d.text, "  eeeeeeeeeeeeeeeeeeeeeeeeeeeeee\n  ee\n"));

        o.columns = 48;
        assert_int_equal(print_decoded(QR_TEXT, &o), 0);
        assert_true(d.longest_line <= 48);
        assert_true(d.longest_line > 32);
}

static void qr_data_is_limited_to_7089_bytes(void **state) {
        _cleanup_(freep) char *text = malloc(ESCPOS_QR_DATA_MAX + 2);
        _cleanup_(freep) uint8_t *b = NULL;
        size_t n;

        sample();
        assert_non_null(text);
        memset(text, 'A', ESCPOS_QR_DATA_MAX);
        text[ESCPOS_QR_DATA_MAX] = 0;
        assert_int_equal(print_decoded(text, &utc), 0); /* pL pH = 7092: decode() checks it */
        assert_int_equal(d.qr_len, 7089);

        text[ESCPOS_QR_DATA_MAX] = 'A';
        text[ESCPOS_QR_DATA_MAX + 1] = 0;
        assert_int_equal(escpos_receipt(&rc, text, &utc, &b, &n), -E2BIG);
        assert_null(b);
        assert_int_equal(escpos_receipt(&rc, "", &utc, &b, &n), -EINVAL);
        assert_int_equal(escpos_receipt(&rc, NULL, &utc, &b, &n), -EINVAL);
}

static struct tm *refuse_time(const time_t *t, struct tm *ret) {
        return NULL;
}

static void bad_options_and_receipts_are_refused(void **state) {
        _cleanup_(freep) uint8_t *b = NULL;
        size_t n;
        EscposOptions o = utc;

        sample();
        o.module_size = 2;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &o, &b, &n), -EINVAL);
        o.module_size = 9;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &o, &b, &n), -EINVAL);
        o.module_size = 0;
        o.columns = ESCPOS_COLUMNS_MIN - 1;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &o, &b, &n), -EINVAL);
        o.columns = ESCPOS_COLUMNS_MAX + 1;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &o, &b, &n), -EINVAL);
        o.columns = 0;
        o.time_to_tm = refuse_time;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &o, &b, &n), -EINVAL);

        rc.n_items = RECEIPT_ITEMS_MAX + 1;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &utc, &b, &n), -EINVAL);
        sample();
        rc.items[1].kind = _RECEIPT_KIND_MAX;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &utc, &b, &n), -EINVAL);
        sample();
        rc.time = -1;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &utc, &b, &n), -EINVAL);
        sample();
        rc.items[0].due = RECEIPT_TIME_MAX + 1;
        assert_int_equal(escpos_receipt(&rc, QR_TEXT, &utc, &b, &n), -EINVAL);
        assert_null(b);

        /* The largest receipt there is: 64 refused items with the longest ids and words. */
        sample();
        rc.n_items = RECEIPT_ITEMS_MAX;
        for (size_t i = 0; i < RECEIPT_ITEMS_MAX; i++) {
                rc.items[i] = (ReceiptItem) { .kind = RECEIPT_RENEW, .outcome = RECEIPT_REFUSED };
                memset(rc.items[i].id, '7', RECEIPT_ITEM_ID_MAX);
                memset(rc.items[i].words, 'w', RECEIPT_WORDS_MAX);
        }
        assert_int_equal(print_decoded(QR_TEXT, &utc), 0);
        assert_true(d.longest_line <= ESCPOS_COLUMNS_DEFAULT);
}

/* The way to the printer, with a pipe in its place. */

typedef struct Reader {
        int fd;
        useconds_t pause;
        uint8_t *got;
        size_t n, cap;
} Reader;

static void *reader_run(void *p) {
        Reader *rd = p;

        for (;;) {
                ssize_t k = read(rd->fd, rd->got + rd->n, MIN((size_t) 1000, rd->cap - rd->n));
                if (k <= 0)
                        break;
                rd->n += (size_t) k;
                if (rd->pause)
                        usleep(rd->pause);
        }
        return NULL;
}

static void printer_pipe(int fds[2], bool small) {
        assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
        assert_int_equal(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0); /* as escpos_open() opens */
        if (small)
                assert_int_equal(fcntl(fds[1], F_SETPIPE_SZ, 4096), 4096);
}

static void write_through(size_t len, useconds_t pause, int timeout_ms) {
        _cleanup_(freep) uint8_t *buf = malloc(len);
        int fds[2];
        Reader rd = { .pause = pause, .cap = len + 1 };
        pthread_t t;

        assert_non_null(buf);
        for (size_t i = 0; i < len; i++)
                buf[i] = (uint8_t) (i * 7 + i / 251);
        rd.got = malloc(rd.cap);
        assert_non_null(rd.got);
        printer_pipe(fds, true);
        rd.fd = fds[0];
        assert_int_equal(pthread_create(&t, NULL, reader_run, &rd), 0);
        assert_int_equal(escpos_write(fds[1], buf, len, timeout_ms), 0);
        close(fds[1]);
        assert_int_equal(pthread_join(t, NULL), 0);
        close(fds[0]);
        assert_int_equal(rd.n, len);
        assert_memory_equal(rd.got, buf, len);
        free(rd.got);
}

static void write_goes_through_partial_writes(void **state) {
        write_through(256 * 1024, 0, 2000);
}

static void slow_printer_that_keeps_taking_bytes_is_not_timed_out(void **state) {
        /* 64 KiB at 1000 bytes per 5 ms: over 300 ms in all, never 100 ms without progress. */
        write_through(64 * 1024, 5000, 100);
}

static int64_t now_ms(void) {
        struct timespec ts;

        assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void printer_that_takes_nothing_times_out(void **state) {
        static uint8_t buf[64 * 1024];
        int fds[2];

        printer_pipe(fds, true);
        int64_t start = now_ms();
        assert_int_equal(escpos_write(fds[1], buf, sizeof(buf), 100), -ETIMEDOUT);
        int64_t took = now_ms() - start;
        assert_true(took >= 99);
        assert_true(took < 2000);
        close(fds[0]);
        close(fds[1]);
}

/* Reads a little, once the writer waits, then closes: a printer unplugged mid-receipt. */
static void *quitter_run(void *p) {
        int fd = *(int *) p;
        uint8_t b[1000];

        usleep(20000);
        assert_true(read(fd, b, sizeof(b)) > 0);
        close(fd);
        return NULL;
}

static void printer_gone_is_an_error(void **state) {
        static uint8_t buf[64 * 1024];
        int fds[2];

        printer_pipe(fds, false);
        close(fds[0]);
        assert_int_equal(escpos_write(fds[1], buf, sizeof(buf), 100), -EPIPE);
        close(fds[1]);

        /* A reader that goes away while we wait in poll(). */
        printer_pipe(fds, true);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, quitter_run, &fds[0]), 0);
        assert_int_equal(escpos_write(fds[1], buf, sizeof(buf), 2000), -EPIPE);
        assert_int_equal(pthread_join(t, NULL), 0);
        close(fds[1]);

        assert_int_equal(escpos_write(-1, buf, 1, 100), -EINVAL);
}

static void open_refuses_what_is_not_a_printer(void **state) {
        char dir[TH_DIR_MAX], p[128];
        int fd = -1, flags;

        th_dir_new(dir, "/tmp/test-escpos-XXXXXX");

        /* A FIFO: without a reader open() would fail with ENXIO, with one it would be a pipe. */
        snprintf(p, sizeof(p), "%s/fifo", dir);
        assert_int_equal(mkfifo(p, 0600), 0);
        assert_int_equal(escpos_open(p, &fd), -ENOTTY);

        snprintf(p, sizeof(p), "%s/file", dir);
        int f = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        assert_true(f >= 0);
        close(f);
        assert_int_equal(escpos_open(p, &fd), -ENOTTY);

        assert_int_equal(escpos_open(dir, &fd), -EISDIR);

        /* A link outside /dev/, even to a character device. */
        snprintf(p, sizeof(p), "%s/lp0", dir);
        assert_int_equal(symlink("/dev/null", p), 0);
        assert_int_equal(escpos_open(p, &fd), -ELOOP);
        snprintf(p, sizeof(p), "/dev/..%s/lp0", dir);
        assert_int_equal(escpos_open(p, &fd), -ELOOP);

        snprintf(p, sizeof(p), "%s/nothing", dir);
        assert_int_equal(escpos_open(p, &fd), -ENOENT);
        assert_int_equal(escpos_open("", &fd), -EINVAL);
        assert_int_equal(fd, -1);

        /* A character device is taken, opened as the header says. */
        assert_int_equal(escpos_open("/dev/null", &fd), 0);
        flags = fcntl(fd, F_GETFL);
        assert_int_equal(flags & O_ACCMODE, O_WRONLY);
        assert_true(flags & O_NONBLOCK);
        assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
        assert_int_equal(escpos_write(fd, (const uint8_t *) "x", 1, 100), 0);
        close(fd);

        th_dir_remove(dir);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(receipt_prints_items_due_dates_refusals_and_qr_text),
                cmocka_unit_test(options_name_footer_module_size_and_time),
                cmocka_unit_test(control_bytes_in_texts_never_reach_the_printer),
                cmocka_unit_test(utf8_is_transliterated_to_ascii),
                cmocka_unit_test(lines_are_wrapped_at_the_columns),
                cmocka_unit_test(qr_data_is_limited_to_7089_bytes),
                cmocka_unit_test(bad_options_and_receipts_are_refused),
                cmocka_unit_test(write_goes_through_partial_writes),
                cmocka_unit_test(slow_printer_that_keeps_taking_bytes_is_not_timed_out),
                cmocka_unit_test(printer_that_takes_nothing_times_out),
                cmocka_unit_test(printer_gone_is_an_error),
                cmocka_unit_test(open_refuses_what_is_not_a_printer),
        };

        /* A printer gone is an error to return, not a signal to die of: as the daemons do. */
        signal(SIGPIPE, SIG_IGN);
        return cmocka_run_group_tests(tests, NULL, NULL);
}
