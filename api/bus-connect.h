/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

/* Connects to "system", "user", or a D-Bus address (a private bus in tests and the demo), as the
 * daemon's and qrgatectl's --bus option take it. Returns 0 and a started connection, or -errno. */
int bus_connect(const char *address, sd_bus **ret);
