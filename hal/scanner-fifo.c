/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A named pipe the daemon creates: a scanner bridge, or a test, writes lines to it. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hal/scanner.h"

static int fifo_open(Scanner *s, const ScannerConfig *c) {
        struct stat st;

        /* Owner reads, the daemon's group (a scanner bridge) writes. The service's UMask=0077
         * would strip the group bit, so a FIFO we create gets its mode set explicitly; one an
         * operator made keeps theirs. */
        if (mkfifo(c->path, 0620) >= 0)
                (void) chmod(c->path, 0620);
        else if (errno != EEXIST)
                return -errno;
        /* O_RDWR keeps a writer open ourselves, so a scanner bridge closing its end does not
         * turn the pipe into an endless stream of EOFs. */
        s->fd = open(c->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (s->fd < 0)
                return -errno;
        if (fstat(s->fd, &st) < 0 || !S_ISFIFO(st.st_mode))
                return -ENOTTY;
        return 0;
}

int scanner_read_bytes(Scanner *s, uint64_t now_usec, ScanChars *out) {
        ssize_t k = read(s->fd, out->c, sizeof(out->c));

        if (k < 0)
                return errno == EINTR ? -EAGAIN : -errno;
        if (k == 0)
                return -ENODEV; /* a pipe we hold a writer of never ends; a tty hung up */
        out->n = (size_t) k;
        for (size_t i = 0; i < out->n; i++)
                out->usec[i] = now_usec;
        return 0;
}

const ScannerOps scanner_ops_fifo = {
        .type = SCANNER_FIFO,
        .open = fifo_open,
        .read = scanner_read_bytes,
};
