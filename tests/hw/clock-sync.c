/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sets the kernel's clock-synchronization state as an NTP client would, without a network, for
 * the systemd guest's clock test (tests/hw/systemd/test-clock-follows-timedated.sh):
 *   clock-sync synced    maxerror 0 and STA_UNSYNC cleared: what systemd-timesyncd sets after
 *                        an NTP answer (src/timesync/timesyncd-manager.c, manager_adjust_clock);
 *   clock-sync unsynced  maxerror at the kernel's limit (16 s) and STA_UNSYNC set: a clock nobody
 *                        has synchronized since boot;
 *   clock-sync show      prints "maxerror=N status=0xS state=N".
 * systemd-timedated's NTPSynchronized is true exactly when maxerror is below 16 s
 * (src/basic/time-util.c, ntp_synced()); the kernel grows maxerror by 500 µs a second, so a
 * "synced" state lasts hours in a test. Needs CAP_SYS_TIME (the guest's root). */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#define MAXERROR_LIMIT 16000000L /* µs: NTP_PHASE_LIMIT, where the kernel gives up */

int main(int argc, char *argv[]) {
        struct timex tx = {};
        int r;

        if (argc != 2)
                return fprintf(stderr, "usage: clock-sync synced|unsynced|show\n"), 2;
        if (strcmp(argv[1], "synced") == 0) {
                tx.modes = ADJ_MAXERROR | ADJ_ESTERROR | ADJ_STATUS;
                tx.maxerror = 0;
                tx.esterror = 0;
                tx.status = 0; /* STA_UNSYNC cleared; no PLL: the clock is left as it is */
        } else if (strcmp(argv[1], "unsynced") == 0) {
                tx.modes = ADJ_MAXERROR | ADJ_STATUS;
                tx.maxerror = MAXERROR_LIMIT;
                tx.status = STA_UNSYNC;
        } else if (strcmp(argv[1], "show") != 0)
                return fprintf(stderr, "usage: clock-sync synced|unsynced|show\n"), 2;
        r = adjtimex(&tx);
        if (r < 0)
                return perror("adjtimex"), 1;
        printf("maxerror=%ld status=0x%x state=%d\n", tx.maxerror, (unsigned) tx.status, r);
        return 0;
}
