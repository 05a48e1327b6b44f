/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SIP2 answers from a hostile ILS (lending/sip2.h): any bytes are parsed without crashing, and
 * what is accepted is exactly what the writer would build again — the same fixed fields and
 * variable fields in the same order, the same sequence number and checksum — so nothing is read
 * that the message did not say. Masking for display never shows a secret field's value. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lending/sip2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Sip2Msg msg, again;
static Sip2Writer w;

static void check_rebuilt(const char *text, size_t size) {
        const char *out;
        int n;

        sip2_writer_begin(&w, msg.command);
        for (size_t i = 0; i < msg.n_fixed; i++)
                sip2_put_fixed(&w, msg.fixed[i], strlen(msg.fixed[i]));
        for (size_t i = 0; i < msg.n_fields; i++)
                sip2_put_field(&w, msg.fields[i].id, msg.fields[i].value);
        n = sip2_writer_end(&w, msg.sequence, &out);
        assert(n > 0);
        /* Equal but for the case of the checksum's hex digits. */
        assert((size_t) n == size);
        assert(strncmp(out, text, size - 5) == 0);
        assert(strncasecmp(out + size - 5, text + size - 5, 5) == 0);
        assert(sip2_parse(out, (size_t) n, msg.sequence, &again, NULL) == 0);
        assert(again.n_fields == msg.n_fields && again.n_fixed == msg.n_fixed);
}

static void check_masked(const char *text, size_t size) {
        char shown[SIP2_MSG_MAX + 32];

        sip2_mask(text, size, shown, sizeof(shown));
        for (size_t i = 0; i < msg.n_fields; i++) {
                const char *id = msg.fields[i].id, *v = msg.fields[i].value;
                char needle[SIP2_MSG_MAX + 8];
                if (strcmp(id, "CO") && strcmp(id, "AC") && strcmp(id, "AD"))
                        continue;
                /* The field as it stood ("COvalue|") is never shown. */
                snprintf(needle, sizeof(needle), "%s%s|", id, v);
                if (strcmp(v, "***") != 0)
                        assert(!strstr(shown, needle));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        Sip2ParseError e;
        char shown[64];

        if (sip2_parse(text, size, -1, &msg, &e) == 0) {
                assert(msg.command >= 0 && msg.command < _SIP2_COMMAND_MAX);
                assert(msg.sequence >= -1 && msg.sequence <= 9);
                assert(sip2_command_response(msg.command) != msg.command);
                check_rebuilt(text, size);
                check_masked(text, size);
                /* The same message taken as an answer to another sequence number: refused. */
                if (msg.sequence >= 0)
                        assert(sip2_parse(text, size, (msg.sequence + 1) % 10, &again, &e) < 0 &&
                               e.code == SIP2_E_WRONG_SEQUENCE);
        } else {
                assert(e.code > SIP2_OK && e.code < _SIP2_ERROR_MAX);
                assert(e.detail[0] != '\0');
        }
        sip2_mask(text, size, shown, sizeof(shown)); /* any bytes, a short buffer */
        assert(strlen(shown) < sizeof(shown));
        return 0;
}
