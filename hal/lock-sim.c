/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated lock: no hardware, the state lives in Lock.unlocked, which the daemon shows on
 * D-Bus and in its log. Optionally its "output line" is a file or FIFO that receives '1' or '0'
 * at each change, so a test or benchmark can watch the output as it would watch a GPIO line. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/lock.h"

typedef struct SimLock {
        int fd;
} SimLock;

static int sim_write(Lock *l, bool unlocked) {
        SimLock *s = l->priv;

        if (s->fd < 0)
                return 0;
        /* A full FIFO nobody reads must not stall the daemon; the level is still recorded. */
        if (write(s->fd, unlocked ? "1" : "0", 1) < 0 && errno != EAGAIN)
                return -errno;
        return 0;
}

static int sim_open(Lock *l, const LockConfig *c, bool initial_unlocked) {
        SimLock *s = l->priv;

        s->fd = -EBADF;
        if (c->sim_output) {
                s->fd = open(c->sim_output, O_WRONLY | O_NONBLOCK | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
                if (s->fd < 0)
                        return -errno;
        }
        return sim_write(l, initial_unlocked);
}

static int sim_set(Lock *l, bool unlocked) {
        return sim_write(l, unlocked);
}

static void sim_close(Lock *l) {
        SimLock *s = l->priv;
        closep(&s->fd);
}

const LockOps lock_ops_sim = {
        .name = "sim",
        .priv_size = sizeof(SimLock),
        .open = sim_open,
        .set = sim_set,
        .close = sim_close,
};
