/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Whether the system clock can be trusted: synchronized since qrgated started. A Raspberry Pi
 * has no real-time clock; after a power cut it boots on a stale time until NTP answers, and
 * every time-bound code is judged against that. Two sources, in this order:
 *   - systemd-timedated's NTPSynchronized (org.freedesktop.timedate1 on the daemon's bus),
 *     when it answers. On an appliance that is the system bus; in the tests, a private bus on
 *     which tests/integration/fake-timedated.c serves a test double of the interface — the one
 *     way the tests drive the clock's state, with no override in the daemon;
 *   - otherwise the kernel's own flag (clock_kernel_synchronized()).
 * While unsynchronized both are polled every CLOCK_POLL_SEC (timedated signals no change of
 * NTPSynchronized). Once synchronized the clock stays trusted for the daemon's life: a network
 * lost later leaves a clock that drifts by seconds a day, not one hours wrong, and an offline
 * gate must keep working. The state is the Manager's ClockSynchronized property, a fault
 * (daemon/faults.c) while false, and the clock-untrusted rule's input (daemon/policy.c). */

#include <stdbool.h>

#include "daemon/manager.h"

#define CLOCK_POLL_SEC 2

/* The kernel's flag: adjtimex(2) with no modes only reads; TIME_ERROR or STA_UNSYNC mean not
 * synchronized. ProtectClock= in qrgated.service filters adjtimex() even for reading; then the
 * flag file systemd-timesyncd touches after each synchronization since boot answers instead. */
bool clock_kernel_synchronized(void);

/* Reads the kernel's flag into m->clock_synchronized: before the bus, so that the first
 * decisions have a state. */
void manager_clock_open(Manager *m);
/* Asks timedated on m's bus and polls until synchronized. Returns 0 or -errno (logged; the
 * kernel's flag is then all there is). */
int manager_clock_start(Manager *m);
void manager_clock_stop(Manager *m);
