/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* qrgate-issue denylist: builds a signed deny-list (docs/denylist.md) from a text file
 * (tools/denylist-text.h). Exit statuses as the other subcommands: 0 done, 1 failed, 2 usage. */

#define SYNOPSIS_DENYLIST \
        "qrgate-issue denylist --key FILE --kid KID --iss ISS --version N --out FILE\n" \
        "                         [--issued UNIXTIME] [TEXTFILE|-]\n"

int issue_denylist(int argc, char *argv[]);
