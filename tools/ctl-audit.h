/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl audit verify|export|head`: the operator's side of the audit log (docs/audit.md).
 *   verify [--pubkey FILE] [--open] [--head SEQ:HASH] FILE|DIR…   check the chain and checkpoints
 *   export [--output FILE] FILE|DIR…                               JSON lines, one per record
 *   head                                                           the running daemon's head
 *   pseudonym [--config FILE] [--pin-file FILE] ISS SUB            a subject's pseudonym, from the token
 * argv[0] is "audit", as qrgatectl's main() passes it on. Returns the exit status: 0 intact /
 * done, 1 not intact / failed, 2 usage error. */
int ctl_audit(int argc, char *argv[]);
/* Its usage: every subcommand (what `qrgatectl audit --help` prints). */
extern const char ctl_audit_usage[];
