/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/safe-state.h"

static int help(FILE *f) {
        fputs("usage: qrgated [--config FILE] [--bus system|user|ADDRESS] [--debug]\n"
              "       qrgated --check-config [FILE]\n"
              "       qrgated --config FILE --safe-state\n"
              "       qrgated --version | -h | --help\n"
              "The qrgate access gate daemon (qrgated.service runs it). --check-config validates a\n"
              "configuration and every file it names, as `qrgatectl check-config` does; --safe-state drives\n"
              "the lock lines a killed daemon held to their safe state (the unit's ExecStopPost=).\n"
              "Configuration: " CONFIG_DEFAULT_PATH " by default.\n",
              f);
        return f == stderr ? 2 : 0;
}

int main(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "bus", required_argument, NULL, 'b' },
                { "check-config", no_argument, NULL, 'C' },
                { "debug", no_argument, NULL, 'd' },
                { "safe-state", no_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {}
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        const char *config = CONFIG_DEFAULT_PATH, *bus = "system";
        bool check = false, safe = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'b': bus = optarg; break;
                case 'C': check = true; break;
                case 'd': log_set_max_level(LOG_DEBUG); break;
                case 'S': safe = true; break;
                case 'h': return help(stdout);
                case 'V': return printf("qrgated %s\n", QRGATE_VERSION) < 0;
                default: return help(stderr);
                }
        if (check) {
                if (optind < argc)
                        config = argv[optind++];
                if (optind != argc)
                        return help(stderr);
                return config_check_file(config, stdout, stderr);
        }
        if (optind != argc)
                return help(stderr);
        /* ExecStopPost: after a crash or SIGKILL nothing has driven the locks. The record of the
         * lines the daemon held says which, whatever the configuration file says now. */
        if (safe)
                return safe_state_main(config);

        r = manager_new(config, bus, &m);
        if (r < 0)
                return 1;
        r = manager_start(m);
        if (r < 0)
                return 1;
        r = manager_run(m);
        if (r < 0) {
                log_error_errno(r, "Event loop failed: %m");
                return 1;
        }
        m = manager_free(m); /* drives every lock to its safe state */
        log_struct(LOG_INFO, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_STOPPED), "qrgated stopped; every lock is in its safe state.");
        return 0;
}
