/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Item information (17/18) as the station's reconciliation needs it: the circulation status as a
 * number, checked, rather than a fixed field to be read by every caller. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lending/sip2-client.h"

bool sip2_circulation_charged(int status) {
        return status == SIP2_CIRC_CHARGED || status == SIP2_CIRC_CHARGED_NO_RECALL || status == SIP2_CIRC_RECALLED;
}

static int protocol_error(Sip2ClientError *e, const char *what) {
        *e = (Sip2ClientError) { .failure = SIP2_FAIL_PROTOCOL, .protocol = SIP2_E_UNEXPECTED };
        snprintf(e->detail, sizeof(e->detail), "item information response %s", what);
        return -EBADMSG;
}

int sip2_client_item_info(Sip2Client *c, const char *item, int64_t now, Sip2ItemInfo *ret, Sip2ClientError *e) {
        _cleanup_(freep) Sip2Msg *m = malloc(sizeof(*m));
        const char *status, *ab;
        int r;

        *ret = (Sip2ItemInfo) {};
        if (!m)
                return -ENOMEM;
        r = sip2_client_request(c, SIP2_ITEM_INFO, &(Sip2Request) { .item = item, .now = now, .no_block_due = -1 }, m, e);
        if (r < 0)
                return r;
        /* The codec checked the fixed field's length, not its meaning: a status the spec does not
         * list would be read as "not charged" by a caller deciding whether to lend again. */
        status = sip2_msg_fixed(m, "circulation status");
        if (!status || strlen(status) != 2 || status[0] < '0' || status[0] > '1' || status[1] < '0' || status[1] > '9')
                return protocol_error(e, "with a circulation status that is not two digits");
        ret->circulation = (status[0] - '0') * 10 + (status[1] - '0');
        if (ret->circulation < 1 || ret->circulation > 13)
                return protocol_error(e, "with a circulation status outside 01-13");
        ab = sip2_msg_get(m, "AB");
        if (!ab || strcmp(ab, item) != 0)
                return protocol_error(e, "names another item than asked");
        snprintf(ret->due, sizeof(ret->due), "%s", sip2_msg_get(m, "AH") ?: "");
        snprintf(ret->title, sizeof(ret->title), "%s", sip2_msg_get(m, "AJ") ?: "");
        snprintf(ret->message, sizeof(ret->message), "%s", sip2_msg_get(m, "AF") ?: "");
        return 0;
}
