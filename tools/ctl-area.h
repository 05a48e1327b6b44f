/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* qrgatectl's view of the areas (docs/areas.md): their lines in `status`, and an operator's
 * correction of a count. */

#include <systemd/sd-bus.h>

/* `qrgatectl area set-occupancy AREA N`. Returns the exit status. */
int ctl_area(int argc, char *argv[]);
extern const char ctl_area_usage[];
/* One line per area ("area pool: 12 of 120 in, passback hard, 9 present"), for `status`. */
void ctl_status_areas(sd_bus *bus);
