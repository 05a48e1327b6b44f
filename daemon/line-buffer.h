/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Assembling a source's bytes into lines, one code each, whatever device they come from.
 *
 * A line ends at a newline; or, when nothing more arrives for the source's idle timeout, where
 * it stands. Without the second rule a writer that leaves a line without its newline (a bridge
 * killed mid-write, a scanner configured without a suffix) has it glued to the next writer's
 * line, and both codes are lost. Scanners deliver a whole code in tens of milliseconds, so a
 * pause of a few hundred milliseconds is the end of one.
 *
 * No I/O and no clock of its own: the caller passes the time of each byte, and asks whether the
 * line in progress has gone stale. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verifier.h"

typedef struct LineBuffer {
        /* Longer than any code means garbage: skipped to the end of the line, reported once. */
        char buf[CODE_MAX_TEXT + 1];
        size_t len;
        bool overflow;
        uint64_t first_usec;  /* when the line's first byte arrived */
        uint64_t last_usec;   /* when its last byte arrived */
} LineBuffer;

/* What line_buffer_put() made of a byte. */
typedef enum LineStatus {
        LINE_PARTIAL,  /* the byte was taken; the line goes on */
        LINE_COMPLETE, /* the byte ended a line: read it with line_buffer_text(), then line_buffer_reset() */
} LineStatus;

/* Takes byte c, arrived at now_usec. A newline ends the line (a carriage return before it is
 * dropped at the end: scanners send CR, LF or both); an empty line is not a line. */
LineStatus line_buffer_put(LineBuffer *b, char c, uint64_t now_usec);
/* Something is waiting for its end. */
bool line_buffer_pending(const LineBuffer *b);
/* The line in progress has waited timeout_usec or longer since its last byte: it is to be
 * handled on its own (line_buffer_text(), then line_buffer_reset()). */
bool line_buffer_stale(const LineBuffer *b, uint64_t now_usec, uint64_t timeout_usec);
/* The line without its terminator. *ret_len is CODE_MAX_TEXT + 1 for an over-long line, which
 * the verifier refuses as too long; the text then holds its first CODE_MAX_TEXT + 1 bytes. */
const char *line_buffer_text(const LineBuffer *b, size_t *ret_len);
/* The time from the line's first byte to its last. */
uint64_t line_buffer_duration_usec(const LineBuffer *b);
void line_buffer_reset(LineBuffer *b);
