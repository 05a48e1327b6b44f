/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl token init|info|pubkey|retry-login`: provisioning and inspection of the appliance's PKCS#11
 * token (docs/token.md). argv[0] is "token" and argv[1] the subcommand, as qrgatectl's main()
 * passes them on. Prints to stdout and stderr itself. Exit status: 0 done, 1 failed (the reason
 * is on stderr), 2 usage error. */
int ctl_token(int argc, char *argv[]);
/* Its usage: every subcommand and the options (what `qrgatectl token --help` prints). */
extern const char ctl_token_usage[];
