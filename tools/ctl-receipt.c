/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "core/receipt.h"
#include "tools/ctl-receipt.h"
#include "tools/keyfile.h"
#include "tools/util.h"

#define SYNOPSIS_VERIFY "qrgatectl receipt verify --key FILE [TEXT | --file FILE | -]\n"

const char ctl_receipt_usage[] = SYNOPSIS_VERIFY "       " CTL_RECEIPT_SIGN_SYNOPSIS;

static void evp_pkey_freep(EVP_PKEY **k) {
        EVP_PKEY_free(*k);
}

/* The station's public key: PEM ("PUBLIC KEY", as `qrgatectl token pubkey` writes it) or DER. */
static int load_key(const char *path, EVP_PKEY **ret) {
        EVP_PKEY *key = NULL;
        int r;

        r = keyfile_load_public(path, &key);
        if (r == -EBADMSG) {
                fprintf(stderr, "qrgatectl receipt: --key %s: not a public key (PEM or DER)\n", path);
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "qrgatectl receipt: --key %s: %s\n", path, read_file_strerror(r, 0));
                return r;
        }
        /* Receipts are ES256 only: any other key is the wrong file, not an invalid receipt. */
        if (receipt_key_id_pkey(key, (uint8_t[RECEIPT_KID_SIZE]) {}) < 0) {
                fprintf(stderr, "qrgatectl receipt: --key %s: not an EC P-256 public key\n", path);
                EVP_PKEY_free(key);
                return -EINVAL;
        }
        *ret = key;
        return 0;
}

/* A receipt from a file or standard input: one line, its line ending and surrounding blanks
 * (what a scanner or a copy adds) taken off. */
static int read_text(const char *path, char **ret, size_t *ret_len) {
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0, start = 0;
        int r;

        if (strcmp(path, "-") == 0) {
                size_t cap = RECEIPT_TEXT_MAX + 64;
                buf = malloc(cap + 1);
                if (!buf)
                        return -ENOMEM;
                size = fread(buf, 1, cap + 1, stdin);
                if (ferror(stdin))
                        return -EIO;
                if (size > cap)
                        size = cap; /* longer than any receipt: the parser says so */
                buf[size] = 0;
        } else {
                r = read_regular_file(AT_FDCWD, path, RECEIPT_TEXT_MAX + 64, 0, &buf, &size);
                if (r < 0) {
                        fprintf(stderr, "qrgatectl receipt: %s: %s\n", path, read_file_strerror(r, 0));
                        return r;
                }
        }
        while (size > 0 && strchr(" \t\r\n", buf[size - 1]))
                buf[--size] = 0;
        while (start < size && strchr(" \t\r\n", buf[start]))
                start++;
        memmove(buf, buf + start, size - start + 1);
        *ret_len = size - start;
        *ret = TAKE_PTR(buf);
        return 0;
}

static void print_receipt(const Receipt *r) {
        char t[64];

        printf("station: %s\n", r->station);
        printf("time: %s\n", format_utc(r->time, t, sizeof(t)));
        printf("patron: ");
        print_hex(stdout, r->patron, r->patron_len);
        printf(" (pseudonym)\n");
        for (size_t i = 0; i < r->n_items; i++) {
                const ReceiptItem *it = &r->items[i];

                printf("item %zu: %s %s: %s", i + 1, receipt_kind_to_string(it->kind), it->id,
                       receipt_outcome_to_string(it->outcome));
                if (it->outcome == RECEIPT_REFUSED)
                        printf(" \"%s\"", it->words);
                else if (receipt_item_has_due(it))
                        printf(", due %s", format_utc(it->due, t, sizeof(t)));
                printf("\n");
        }
}

static int verify(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "key", required_argument, NULL, 'k' },
                { "file", required_argument, NULL, 'f' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        _cleanup_(evp_pkey_freep) EVP_PKEY *key = NULL;
        _cleanup_(freep) char *owned = NULL;
        const char *key_path = NULL, *file = NULL, *text, *why = NULL;
        Receipt *rc = NULL;
        size_t len = 0;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'k': key_path = optarg; break;
                case 'f': file = optarg; break;
                case 'h': printf("usage: %s", SYNOPSIS_VERIFY); return 0;
                default: fprintf(stderr, "usage: %s", SYNOPSIS_VERIFY); return 2;
                }
        if (!key_path || (file ? optind != argc : optind != argc - 1)) {
                fprintf(stderr, "usage: %s", SYNOPSIS_VERIFY);
                return 2;
        }
        if (!file && strcmp(argv[optind], "-") == 0)
                file = "-";
        if (load_key(key_path, &key) < 0)
                return 2;
        if (file) {
                if (read_text(file, &owned, &len) < 0)
                        return 2;
                text = owned;
        } else {
                text = argv[optind];
                len = strlen(text);
        }

        /* A Receipt is about 13 KiB: on the heap. */
        rc = malloc(sizeof(*rc));
        if (!rc)
                return 1;
        r = receipt_parse_verify(text, len, key, rc, &why);
        if (r >= 0)
                print_receipt(rc);
        free(rc);
        if (r < 0) {
                /* Nothing of an invalid receipt is shown: its contents are not the station's. */
                printf("receipt: invalid %s: %s\n", receipt_error_to_string(r) ?: "error", why ?: strerror(-r));
                return 1;
        }
        printf("receipt: valid\n");
        return 0;
}

static const Verb verbs[] = {
        { "verify", verify,
          SYNOPSIS_VERIFY "Checks a lending receipt with the station's public key (qrgatectl token pubkey), prints it\n"
                          "and ends with \"receipt: valid\" (exit 0) or \"receipt: invalid WHY\" (exit 1).\n" },
        { "sign", ctl_receipt_sign,
          CTL_RECEIPT_SIGN_SYNOPSIS "Makes a receipt signed by the device key in the token and prints its text (for tests\n"
                                    "and demonstrations; the lending service makes the real ones). KIND is checkout, checkin\n"
                                    "or renew; OUTCOME ok or refused; DUE (unix seconds) follows an ok checkout or renewal,\n"
                                    "WORDS (the ILS's) a refusal.\n" },
};

int ctl_receipt(int argc, char *argv[]) {
        int r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        if (argc >= 2 && arg_is_help_command(argv[1])) {
                printf("usage: %s", ctl_receipt_usage);
                return 0;
        }
        fprintf(stderr, "usage: %s", ctl_receipt_usage);
        return 2;
}
