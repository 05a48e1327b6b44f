/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl ils check`: shows that a lending station can talk to its library's system (ILS)
 * over SIP2, message by message (docs/sip2.md). Exit status 0 ok, 1 failed, 2 usage error. */
int ctl_ils(int argc, char *argv[]);
extern const char ctl_ils_usage[];
