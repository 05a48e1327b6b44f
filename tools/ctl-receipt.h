/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl receipt verify|sign`: checks a lending receipt off the box with the station's
 * public key, and makes one with the device key in the token (docs/receipts.md). argv[0] is
 * "receipt" and argv[1] the subcommand. Exit status: verify 0 valid, 1 invalid; sign 0 made,
 * 1 failed; 2 usage error for both. */
int ctl_receipt(int argc, char *argv[]);
extern const char ctl_receipt_usage[];

/* `qrgatectl receipt sign` (tools/ctl-receipt-sign.c), argv[0] being "sign". */
int ctl_receipt_sign(int argc, char *argv[]);
#define CTL_RECEIPT_SIGN_SYNOPSIS                                                                      \
        "qrgatectl receipt sign --module M --token URI [--key K] (--pin-file F | --pin-credential N)\n" \
        "                              --station S [--time T] --patron-hex H --item KIND:ID:OUTCOME[:DUE|:WORDS]...\n" \
        "                              [--png FILE]\n"
