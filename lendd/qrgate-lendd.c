/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>

#include "config/config.h"
#include "daemon/log.h"
#include "lendd/lendd.h"

static int help(FILE *f) {
        fputs("usage: qrgate-lendd [--config FILE] [--bus system|user|ADDRESS] [--debug]\n"
              "       qrgate-lendd --version | -h | --help\n"
              "The lending service of a qrgate library station (qrgate-lendd.service runs it): it talks SIP2\n"
              "to the library's system, runs the station's sessions for the patrons qrgated verifies, and\n"
              "shows them to the kiosk on D-Bus as io.qrgate.Lend1 (docs/lending.md).\n"
              "Configuration: " CONFIG_DEFAULT_PATH " by default (its 'station' and 'ils' sections).\n",
              f);
        return f == stderr ? 2 : 0;
}

int main(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "bus", required_argument, NULL, 'b' },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        _cleanup_(lendd_freep) Lendd *l = NULL;
        const char *config = CONFIG_DEFAULT_PATH, *bus = "system";
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'b': bus = optarg; break;
                case 'd': log_set_max_level(LOG_DEBUG); break;
                case 'h': return help(stdout);
                case 'V': return printf("qrgate-lendd %s\n", QRGATE_VERSION) < 0;
                default: return help(stderr);
                }
        if (optind != argc)
                return help(stderr);
        r = lendd_new(config, bus, &l);
        if (r < 0)
                return 1;
        r = lendd_run(l);
        if (r < 0) {
                log_error_errno(r, "qrgate-lendd stopped on an error: %m");
                return 1;
        }
        log_info("qrgate-lendd stopped.");
        return 0;
}
