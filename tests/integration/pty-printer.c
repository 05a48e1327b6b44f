/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A receipt printer for the integration tests: a pseudo-terminal whose terminal end (/dev/pts/N,
 * a character device as /dev/usb/lp0 is) the lending service opens and writes ESC/POS to. The
 * pair is made raw, so that the bytes arrive as written (no line discipline turning LF into
 * CR LF). The terminal's path is written to the file named by the first argument; everything
 * the service prints is appended to the second. Runs until killed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

int main(int argc, char **argv) {
        struct termios t;
        char buf[4096];
        ssize_t k;
        FILE *f;
        int m, s, out;

        if (argc != 3) {
                fprintf(stderr, "usage: pty-printer PATH-FILE OUTPUT\n");
                return 2;
        }
        m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
                return perror("pty"), 1;
        /* Held open, so that reading the master does not fail (EIO) between two receipts, when
         * the service has closed its end. */
        s = open(ptsname(m), O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (s < 0 || tcgetattr(s, &t) < 0)
                return perror("pts"), 1;
        cfmakeraw(&t);
        if (tcsetattr(s, TCSANOW, &t) < 0)
                return perror("tcsetattr"), 1;
        out = open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (out < 0)
                return perror(argv[2]), 1;
        f = fopen(argv[1], "we");
        if (!f || fprintf(f, "%s\n", ptsname(m)) < 0 || fclose(f) != 0)
                return perror(argv[1]), 1;
        for (;;) {
                k = read(m, buf, sizeof(buf));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? perror("read"), 1 : 0;
                if (write(out, buf, (size_t) k) != k)
                        return perror("write"), 1;
        }
}
