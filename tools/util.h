/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Parses a whole decimal integer (optional sign). -EINVAL for anything else, -ERANGE. */
int parse_int64(const char *s, int64_t *ret);

/* Parses an even-length hex string into at most max bytes. -EINVAL, -ENOBUFS. */
int parse_hex(const char *s, uint8_t *out, size_t max, size_t *ret_len);

/* Prints n bytes as lower-case hex. */
void print_hex(FILE *f, const uint8_t *p, size_t n);

/* Formats a unix time as ISO 8601 UTC into buf (at least 32 bytes). */
const char *format_utc(int64_t t, char *buf, size_t size);
