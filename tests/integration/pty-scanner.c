/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A serial scanner for the integration tests: a pseudo-terminal whose terminal end
 * (/dev/pts/N) a "serial" source opens, as it opens a CDC-ACM /dev/ttyACM0. The terminal's path is
 * written to the file named by the first argument once it can be opened; then everything read
 * from the second (a FIFO the test opens when it is ready to type) is sent as the scanner's
 * bytes. At its EOF the scanner is "unplugged" (the master end closes) after the third
 * argument's milliseconds (default 0). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
        char buf[4096];
        ssize_t k;
        FILE *f;
        int m;

        int in;

        if (argc < 3) {
                fprintf(stderr, "usage: pty-scanner PATH-FILE INPUT [LINGER-MS]\n");
                return 2;
        }
        m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0)
                return perror("pty"), 1;
        f = fopen(argv[1], "we");
        if (!f || fprintf(f, "%s\n", ptsname(m)) < 0 || fclose(f) != 0)
                return perror(argv[1]), 1;
        in = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return perror(argv[2]), 1;
        while ((k = read(in, buf, sizeof(buf))) > 0)
                if (write(m, buf, (size_t) k) != k)
                        return perror("write"), 1;
        if (argc > 3)
                usleep((useconds_t) atoi(argv[3]) * 1000U);
        return 0;
}
