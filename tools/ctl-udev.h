/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* `qrgatectl udev-rules`: the udev rules that give the daemon's group access to the device nodes
 * of the configured scanners, and to nothing else (docs/scanners.md: installing the rule). */

#include <stdio.h>

#include "config/config.h"

#define UDEV_RULES_NAME "70-qrgate-scanners.rules"

/* Writes the rules for c's evdev, hidpos and serial sources to f, each device's node given to
 * group (read-only for input and hidraw, read-write for a tty). Returns the number of sources
 * that got a rule, or -errno. */
int udev_rules_write(const Config *c, const char *group, FILE *f);

int ctl_udev_rules(int argc, char *argv[]);
extern const char ctl_udev_rules_usage[];
