/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* qrgatectl: the operator's tool. Each command lives in its own file; this only dispatches. */

#include <stdio.h>
#include <string.h>

#include "tools/ctl-decode.h"

typedef struct Command {
        const char *name;
        int (*run)(int argc, char *argv[]);
        const char *help;
} Command;

static const Command commands[] = {
        { "decode", ctl_decode, "decode [--config FILE | --issuer-key ISS:KID:PUBFILE ...] CODE|-   explain a code offline" },
};

static int usage(FILE *f) {
        fputs("usage: qrgatectl COMMAND [ARGS]\n", f);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(f, "  %s\n", commands[i].help);
        return f == stderr ? 2 : 0;
}

int main(int argc, char *argv[]) {
        if (argc < 2)
                return usage(stderr);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
                return usage(stdout);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (strcmp(argv[1], commands[i].name) == 0)
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "qrgatectl: unknown command '%s'\n", argv[1]);
        return usage(stderr);
}
