/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A lending receipt (core/receipt.h) on paper: the bytes for an ESC/POS receipt printer (the
 * Epson TM command set, which most USB receipt printers speak) and their way to the printer,
 * a character device such as /dev/usb/lp0 of the kernel's usblp driver (docs/receipts.md,
 * "Printing").
 *
 * The receipt's texts come from the ILS and the operator. A printer takes any byte below 0x20
 * (ESC, GS, ...) as the start of a command — a cut, a cash drawer kick, a mode that garbles what
 * follows — so every text is transliterated to printable ASCII (0x20–0x7E) before it is
 * written: no byte of a text can ever reach the printer as a command, whatever receipt_check()
 * would say of the receipt. Nothing here logs. */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/receipt.h"

#define ESCPOS_COLUMNS_DEFAULT 42   /* font A on 80 mm paper; 48 on some printers, 32 on 58 mm */
#define ESCPOS_COLUMNS_MIN 16
#define ESCPOS_COLUMNS_MAX 80
#define ESCPOS_MODULE_SIZE_DEFAULT 4 /* dots per QR module */
#define ESCPOS_MODULE_SIZE_MIN 3
#define ESCPOS_MODULE_SIZE_MAX 8
/* GS ( k function 180 stores at most 7089 bytes of QR data (Epson's limit for model 2). A
 * symbol at error correction M holds fewer: 3391 alphanumeric characters (version 40-M), so a
 * receipt text longer than that is accepted here and left unprinted by the printer. */
#define ESCPOS_QR_DATA_MAX 7089
#define ESCPOS_FOOTER_DEFAULT "Verify this receipt:\nqrgatectl receipt verify"

typedef struct EscposOptions {
        const char *library;  /* the first line, in large type; NULL or "" for none */
        /* The lines above the QR code, separated by '\n'; NULL: ESCPOS_FOOTER_DEFAULT, "": none. */
        const char *footer;
        unsigned columns;     /* characters per line, 16–80; 0: ESCPOS_COLUMNS_DEFAULT */
        unsigned module_size; /* QR module size in dots, 3–8; 0: ESCPOS_MODULE_SIZE_DEFAULT */
        /* Converts the receipt's unix times to the wall-clock time printed ("YYYY-MM-DD HH:MM",
         * due dates "YYYY-MM-DD"). NULL: localtime_r(), the process's TZ. gmtime_r() or a
         * function of the caller's fits, so that output does not depend on the environment. */
        struct tm *(*time_to_tm)(const time_t *t, struct tm *ret);
} EscposOptions;

/* The printer's bytes for receipt r with the QR code of qr_text (receipt_text()'s, printed as
 * is): initialise; centred, the library's name, the station id and the time; one block per item
 * — what was done ("Borrowed", "Returned", "Renewed") and the item id, then "due YYYY-MM-DD" or,
 * for a refused item, "NOT DONE: " and the ILS's words; the footer; the QR code (model 2, error
 * correction M); feed and partial cut. Texts are transliterated to printable ASCII (common
 * Latin letters to their base letter, combining marks dropped, anything else '?') and wrapped
 * at o->columns. o may be NULL for the defaults. A pure function: *ret is a malloc()ed buffer of
 * *ret_len bytes which the caller frees. Returns 0, or:
 *   -E2BIG   qr_text is longer than ESCPOS_QR_DATA_MAX bytes
 *   -EINVAL  qr_text NULL or empty, an option out of range, more than RECEIPT_ITEMS_MAX items,
 *            an unknown kind, a time out of 0..RECEIPT_TIME_MAX or that time_to_tm() refuses
 *   -ENOMEM */
int escpos_receipt(const Receipt *r, const char *qr_text, const EscposOptions *o, uint8_t **ret,
                   size_t *ret_len);

/* Writes the len bytes at buf to a printer's fd (as escpos_open() gives: non-blocking), through
 * short writes, EINTR and EAGAIN: when the printer takes nothing for timeout_ms (out of paper,
 * cover open; negative: wait for ever) it is -ETIMEDOUT. Returns 0, -ETIMEDOUT, or -errno of
 * the failed write: -EIO or -ENODEV when the printer was unplugged, -EPIPE for a pipe without a
 * reader (the caller ignores SIGPIPE). After an error part of the receipt may have been printed. */
int escpos_write(int fd, const uint8_t *buf, size_t len, int timeout_ms);

/* Opens the printer node path for writing, O_NONBLOCK (escpos_write() waits in poll(), so a
 * stuck printer never blocks the caller), O_CLOEXEC and O_NOCTTY. Only a character device is a
 * printer: anything else where one was expected — a regular file (a printer unplugged while
 * something wrote to its path), a FIFO, a socket — is refused before it is opened, and checked
 * again after. Symbolic links are followed only for paths under /dev/ (a udev rule's
 * SYMLINK+="receipt-printer"), where only root and udev make them; elsewhere a link as the last
 * component is -ELOOP, so that whoever can write a directory cannot point the station at
 * another device. *ret_fd is the fd, which the caller closes. Returns 0, or:
 *   -ENOTTY  not a character device (a regular file, FIFO, socket)
 *   -EISDIR  a directory
 *   -ELOOP   a symbolic link outside /dev/
 *   -EINVAL  path NULL or empty
 *   -errno   of stat() or open(): -ENOENT (not plugged in), -EACCES, -EBUSY, ... */
int escpos_open(const char *path, int *ret_fd);
