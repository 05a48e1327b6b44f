/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A scratch directory for one test, for the tests that put FIFOs, directories and oversized
 * files where qrgate expects a regular file. What they guard against is an open() that blocks
 * on a FIFO, so making the directory also arms a 10 s alarm: SIGALRM then fails such a
 * regression instead of hanging the suite. */

#include <stddef.h>

#define TH_DIR_MAX 64

/* Makes a fresh directory from template (a path ending in "XXXXXX", as for mkdtemp()) into
 * path, and arms the alarm; aborts on failure. */
void th_dir_new(char path[static TH_DIR_MAX], const char *template);

/* Disarms the alarm and removes the directory with everything in it; aborts on failure. */
void th_dir_remove(const char *path);
