/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated lock: no hardware, the state lives in Lock.unlocked, which the daemon shows on
 * D-Bus and in its log. It cannot fail, which is what the demo and the bus tests want. */

#include "hal/lock.h"

static int sim_open(Lock *l, const LockConfig *c, bool initial_unlocked) {
        return 0;
}

static int sim_set(Lock *l, bool unlocked) {
        return 0;
}

static void sim_close(Lock *l) {
}

const LockOps lock_ops_sim = {
        .name = "sim",
        .open = sim_open,
        .set = sim_set,
        .close = sim_close,
};
