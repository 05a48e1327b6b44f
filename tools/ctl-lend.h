/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl lend status|replay`: the lending service's state for an operator, and its queue
 * sent to the ILS now (docs/lending.md). argv[0] is "lend". Exit status 0, 1 when the service
 * cannot be asked or refuses, 2 for a usage error. */
int ctl_lend(int argc, char *argv[]);
extern const char ctl_lend_usage[];
