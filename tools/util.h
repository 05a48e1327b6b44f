/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A command of a tool that has several (qrgatectl's, `qrgatectl audit`'s, qrgate-issue's): run
 * with the arguments from its own name on, it returns the tool's exit status. */
typedef struct Verb {
        const char *name;
        int (*run)(int argc, char *argv[]);
        /* Its usage, what `TOOL VERB --help` prints after "usage: ": the synopsis, then what it
         * does. Every verb has one. */
        const char *usage;
        const char *help; /* its lines in the tool's usage, or NULL when the tool's usage says it all */
} Verb;

/* Runs the verb of the n in verbs that argv[1] names, with argc - 1 and argv + 1, and returns
 * its exit status (>= 0); -ENOENT when there is no argv[1] or no verb of that name, for the
 * caller to answer with its usage. When the verb's first argument is -h or --help, prints the
 * verb's usage instead (exit status 0); when it is --version, the version. Only the first: none
 * of our verbs takes either as an operand there, and a later one may be an option's value. */
int verb_dispatch(const Verb *verbs, size_t n, int argc, char *argv[]);

/* Whether an argument asks for usage: "-h" or "--help". */
bool arg_is_help(const char *arg);
/* Whether a tool's first argument asks for its usage: arg_is_help(), or the word "help". */
bool arg_is_help_command(const char *arg);
/* Whether an argument asks for the version: "--version". */
bool arg_is_version(const char *arg);

/* Prints "PROGRAM VERSION" to stdout: QRGATE_VERSION, from the file VERSION (the Makefile). */
void print_version(void);

/* Parses a whole decimal integer (optional sign). -EINVAL for anything else, -ERANGE. */
int parse_int64(const char *s, int64_t *ret);

/* Parses an even-length hex string into at most max bytes. -EINVAL, -ENOBUFS. */
int parse_hex(const char *s, uint8_t *out, size_t max, size_t *ret_len);

/* Prints n bytes as lower-case hex. */
void print_hex(FILE *f, const uint8_t *p, size_t n);

/* Formats a unix time as ISO 8601 UTC into buf (at least 32 bytes). */
const char *format_utc(int64_t t, char *buf, size_t size);
