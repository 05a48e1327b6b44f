/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The configuration's text, checked before libconfig parses it: what libconfig would get wrong
 * silently (integers it truncates, a NUL that ends the text early) or do behind our back
 * (@include opens another file, and a FIFO there would block the daemon). No logging. */

#include <stddef.h>
#include <stdio.h>

/* Writes each problem in text (size bytes, from file) to f as "file:line: message\n" and returns
 * how many there were; 0 means libconfig may parse it. */
unsigned config_text_check(const char *file, const char *text, size_t size, FILE *f);
