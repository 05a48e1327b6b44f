/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/manager.h"

/* ExecStopPost: after a crash or SIGKILL nothing has driven the locks; do it from the
 * configuration, without the bus or the keys. Opening a lock drives its safe state. */
static int safe_state(const char *path) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(freep) char *errors = NULL;
        int ret = 0, r;

        r = config_load(path, &c, &errors);
        if (r < 0) {
                fputs(errors ?: "out of memory\n", stderr);
                return 1;
        }
        for (size_t i = 0; i < c->n_locks; i++) {
                Lock *l;
                r = lock_new(&c->locks[i].hal, &l);
                if (r < 0) {
                        log_error_errno(r, "Lock %s: cannot drive the safe state: %m", c->locks[i].hal.id);
                        ret = 1;
                        continue;
                }
                log_info("Lock %s: %s (safe state).", l->id, lock_safe_state_to_string(l->safe_state));
                lock_free(l);
        }
        return ret;
}

static int help(FILE *f) {
        fputs("usage: qrgated [--config FILE] [--bus system|user|ADDRESS] [--debug]\n"
              "       qrgated --check-config [FILE]\n"
              "       qrgated --config FILE --safe-state\n",
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
                {}
        };
        _cleanup_(manager_freep) Manager *m = NULL;
        const char *config = CONFIG_DEFAULT_PATH, *bus = "system";
        bool check = false, safe = false;
        int c, r;

        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'c': config = optarg; break;
                case 'b': bus = optarg; break;
                case 'C': check = true; break;
                case 'd': log_set_max_level(LOG_DEBUG); break;
                case 'S': safe = true; break;
                case 'h': return help(stdout);
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
        if (safe)
                return safe_state(config);

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
        log_info("qrgated stopped; every lock is in its safe state.");
        return 0;
}
