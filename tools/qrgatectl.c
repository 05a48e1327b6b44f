/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qrgatectl: the operator's tool. Each command lives in its own file; this only dispatches. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/macro.h"
#include "tools/ctl-area.h"
#include "tools/ctl-audit.h"
#include "tools/ctl-bus.h"
#include "tools/ctl-decode.h"
#include "tools/ctl-ils.h"
#include "tools/ctl-lend.h"
#include "tools/ctl-receipt.h"
#include "tools/ctl-token.h"
#include "tools/ctl-udev.h"
#include "tools/util.h"

static const Verb commands[] = {
        { "status", ctl_status, "qrgatectl status\n"
                                "The gate's state, each fault (what it runs without, what failed), the token and each door's lock.\n",
          "status                          the gate's state, clock, and each door's lock and schedule" },
        { "watch", ctl_watch, "qrgatectl watch\n"
                              "Follows decisions and lock changes live, until interrupted.\n",
          "watch                           follow decisions and lock changes live" },
        { "unlock", ctl_unlock, "qrgatectl unlock DOOR [SECONDS]\n"
                                "Opens DOOR by hand for SECONDS (1-60; default: the door's unlock_ms). Operators only.\n",
          "unlock DOOR [SECONDS]           open a door by hand (operators only)" },
        { "reload", ctl_reload, "qrgatectl reload\n"
                                "Makes qrgated re-read its configuration; exits 1 when it refuses the file (the running\n"
                                "configuration then stays) and says why. `systemctl reload qrgated` runs this. Operators only.\n",
          "reload                          re-read the configuration (operators only)" },
        { "submit", ctl_submit, "qrgatectl submit [--door DOOR] CODE|-\n"
                                "Presents a code (- reads it from standard input) as a scanner would; prints the decision.\n"
                                "Exits 0 granted, 1 denied. Local UIs and operators only.\n",
          "submit [--door DOOR] CODE|-     present a code as a scanner would" },
        { "check-config", ctl_check_config, "qrgatectl check-config [FILE]\n"
                                            "Validates FILE (default " CONFIG_DEFAULT_PATH ") and every file it names,\n"
                                            "reporting each problem as file:line: message. Exits 0 valid, 1 not.\n",
          "check-config [FILE]             validate a configuration file" },
        { "area", ctl_area, ctl_area_usage,
          "area set-occupancy AREA N       correct an area's count (operators only)" },
        { "token", ctl_token, ctl_token_usage,
          "token init|info|pubkey|retry-login ...\n"
          "                                  provision and inspect the PKCS#11 token, retry its login" },
        { "audit", ctl_audit, ctl_audit_usage,
          "audit verify|export|head|pseudonym ...\n"
          "                                  check, export or follow the audit log" },
        { "udev-rules", ctl_udev_rules, ctl_udev_rules_usage,
          "udev-rules [--group GROUP] [FILE]\n"
          "                                  print the udev rules that give the daemon its scanners" },
        { "decode", ctl_decode, ctl_decode_usage,
          "decode [--config FILE | --issuer-key ISS:KID:PUBFILE ...] [--now T] CODE|-\n"
          "                                  verify a code offline and explain every check" },
        { "ils", ctl_ils, ctl_ils_usage,
          "ils check [--config FILE] [--patron ID] [--item ID [--checkout]]\n"
          "                                  check the lending station's SIP2 connection to its ILS" },
        { "lend", ctl_lend, ctl_lend_usage,
          "lend status | replay              the lending service: its state, faults, queue and session;\n"
          "                                  replay sends its queue to the ILS now (operators)" },
        { "receipt", ctl_receipt, ctl_receipt_usage,
          "receipt verify --key FILE [TEXT | --file FILE | -]\n"
          "                                  check a lending receipt with the station's public key\n"
          "  receipt sign --module M --token URI ... --item KIND:ID:OUTCOME[:DUE|:WORDS]...\n"
          "                                  make a receipt signed by the token's device key (tests, demos)" },
};

static int usage(FILE *f) {
        fputs("usage: qrgatectl [--bus system|user|ADDRESS] COMMAND [ARGS]\n"
              "       qrgatectl --version | -h | --help | COMMAND --help\n", f);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, "  %s\n", commands[i].help);
        return f == stderr ? 2 : 0;
}

int main(int argc, char *argv[]) {
        int r;

        /* --bus system|user|ADDRESS (or QRGATE_BUS) chooses the bus, as for qrgated. */
        ctl_bus_address = getenv("QRGATE_BUS") ?: "system";
        while (argc > 1 && strncmp(argv[1], "--bus", 5) == 0) {
                if (argv[1][5] == '=')
                        ctl_bus_address = argv[1] + 6;
                else if (argv[1][5] == '\0' && argc > 2)
                        ctl_bus_address = argv[2], argc--, argv++;
                else
                        return usage(stderr);
                argc--, argv++;
        }
        if (argc < 2)
                return usage(stderr);
        if (arg_is_help_command(argv[1]))
                return usage(stdout);
        if (arg_is_version(argv[1])) {
                print_version();
                return 0;
        }
        r = verb_dispatch(commands, ELEMENTSOF(commands), argc, argv);
        if (r >= 0)
                return r;
        fprintf(stderr, "qrgatectl: unknown command '%s'\n", argv[1]);
        return usage(stderr);
}
