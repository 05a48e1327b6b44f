/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The simulated input: a FIFO that a test, a benchmark or the demo writes '1' (active) and '0'
 * (inactive) to, each byte one edge, timed when it is read. Anything else in the FIFO (a newline
 * after echo) is skipped. Without a path the line stays inactive for ever. The level starts
 * inactive. */

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "hal/input.h"

typedef struct SimInput {
        bool active;
} SimInput;

static int sim_open(Input *in, const InputConfig *c, bool *ret_active) {
        struct stat st;

        *ret_active = false;
        if (!c->sim_input)
                return 0;
        if (mkfifo(c->sim_input, 0600) < 0 && errno != EEXIST)
                return -errno;
        /* O_RDWR holds a writer ourselves: a test closing its end is no end of file. */
        in->fd = open(c->sim_input, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (in->fd < 0)
                return -errno;
        if (fstat(in->fd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
                closep(&in->fd);
                return -ENOTTY;
        }
        return 0;
}

static int sim_read(Input *in, InputEdge *edges, size_t n) {
        SimInput *s = in->priv;
        struct timespec ts;
        size_t count = 0;
        char c;

        if (in->fd < 0)
                return 0;
        /* One byte at a time: whatever is not read now stays in the FIFO for the next call. */
        while (count < n) {
                ssize_t k = read(in->fd, &c, 1);
                if (k < 0 && errno == EAGAIN)
                        break;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        break;
                if (c != '0' && c != '1')
                        continue;
                (void) clock_gettime(CLOCK_MONOTONIC, &ts);
                s->active = c == '1';
                edges[count++] = (InputEdge) {
                        .active = s->active,
                        .usec = (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u,
                };
        }
        return (int) count;
}

static void sim_close(Input *in) {
        closep(&in->fd);
}

const InputOps input_ops_sim = {
        .name = "sim",
        .priv_size = sizeof(SimInput),
        .open = sim_open,
        .read = sim_read,
        .close = sim_close,
};
