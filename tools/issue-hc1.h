/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* qrgate-issue's EU DCC test issuance: a signer certificate (DSC) of our own and HC1 codes
 * signed with it, so a gate's DCC configuration can be tried without a national test key.
 * Exit statuses as the other subcommands: 0 done, 1 failed, 2 usage. */

int issue_dcc_signer(int argc, char *argv[]);
int issue_mint_hc1(int argc, char *argv[]);
