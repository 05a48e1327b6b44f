/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* line-hold PID: keeps the GPIO line requests of process PID alive after it exits.
 *
 * Why the bench needs it: when a line request is released, gpio-sim sets the line back to its
 * simulated pull (gpio_sim_free() in drivers/gpio/gpio-sim.c), whereas a real GPIO controller
 * keeps driving the last level. Reading gpio-sim's "value" after a process exited would show
 * the pull, not what the process drove on its way out. A request lives as long as one file
 * descriptor refers to it, so this program duplicates PID's request fds (pidfd_getfd(2)), and
 * the line keeps exactly the level PID drove last until this program ends.
 *
 * Prints "held N" (N request fds duplicated) and waits for SIGTERM or SIGINT. */

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <unistd.h>

#include "core/macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(DIR *, closedir);

int main(int argc, char *argv[]) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_(closep) int pidfd = -EBADF;
        char path[64];
        struct dirent *de;
        sigset_t mask;
        int held = 0, sig;
        pid_t pid;

        if (argc != 2 || (pid = (pid_t) atoi(argv[1])) <= 0) {
                fprintf(stderr, "usage: %s PID\n", argv[0]);
                return 2;
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        (void) sigprocmask(SIG_BLOCK, &mask, NULL);

        pidfd = pidfd_open(pid, 0);
        if (pidfd < 0) {
                perror("pidfd_open");
                return 1;
        }

        (void) snprintf(path, sizeof(path), "/proc/%d/fd", (int) pid);
        d = opendir(path);
        if (!d) {
                perror(path);
                return 1;
        }

        while ((de = readdir(d))) {
                char link[320], target[64];
                ssize_t n;

                if (de->d_name[0] == '.')
                        continue;
                (void) snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
                n = readlink(link, target, sizeof(target) - 1);
                if (n < 0)
                        continue;
                target[n] = '\0';
                /* v1 line handles are "anon_inode:gpio-linehandle", v2 requests "anon_inode:gpio-line". */
                if (strncmp(target, "anon_inode:gpio-line", 20) != 0)
                        continue;
                if (pidfd_getfd(pidfd, atoi(de->d_name), 0) < 0) {
                        perror("pidfd_getfd");
                        return 1;
                }
                held++;
        }

        printf("held %d\n", held);
        fflush(stdout);
        (void) sigwait(&mask, &sig);
        return 0;
}
