/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "daemon/line-buffer.h"

LineStatus line_buffer_put(LineBuffer *b, char c, uint64_t now_usec) {
        if (c == '\n') {
                size_t n = b->len;
                while (n > 0 && b->buf[n - 1] == '\r')
                        n--;
                if (n == 0 && !b->overflow) {
                        /* A bare terminator: nothing was scanned. */
                        line_buffer_reset(b);
                        return LINE_PARTIAL;
                }
                b->len = n;
                return LINE_COMPLETE;
        }
        if (b->len == 0 && !b->overflow)
                b->first_usec = now_usec;
        b->last_usec = now_usec;
        if (b->len < sizeof(b->buf))
                b->buf[b->len++] = c;
        else
                b->overflow = true;
        return LINE_PARTIAL;
}

bool line_buffer_pending(const LineBuffer *b) {
        return b->len > 0 || b->overflow;
}

bool line_buffer_stale(const LineBuffer *b, uint64_t now_usec, uint64_t timeout_usec) {
        return line_buffer_pending(b) && now_usec >= b->last_usec && now_usec - b->last_usec >= timeout_usec;
}

const char *line_buffer_text(const LineBuffer *b, size_t *ret_len) {
        size_t n = b->len;

        /* A stale line may end in the CR its writer sent before it stopped. */
        while (!b->overflow && n > 0 && b->buf[n - 1] == '\r')
                n--;
        *ret_len = b->overflow ? CODE_MAX_TEXT + 1 : n;
        return b->buf;
}

uint64_t line_buffer_duration_usec(const LineBuffer *b) {
        return b->last_usec >= b->first_usec ? b->last_usec - b->first_usec : 0;
}

void line_buffer_reset(LineBuffer *b) {
        b->len = 0;
        b->overflow = false;
        b->first_usec = b->last_usec = 0;
}
