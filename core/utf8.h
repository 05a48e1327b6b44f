/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The length of s (NUL-terminated) cut to at most max bytes, and never inside a UTF-8 sequence:
 * for texts from elsewhere (an ILS's words) kept in a bounded field. */
size_t utf8_cut(const char *s, size_t max);
