/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Drives the SIP2 client (lending/sip2-client.h) through a list of transactions on one
 * connection, for the integration test of what `qrgatectl ils check` does not do: renewals up
 * to the ILS's limit, and asking about an item after a checkout whose answer was lost (what
 * the station's reconciliation will do). One line of result per transaction.
 *
 * usage: sip2-drive PORT CREDENTIAL-FILE OP... with OP one of
 *   checkout PATRON ITEM | checkin ITEM | renew PATRON ITEM | item ITEM
 * Exits 0 when every transaction got a valid answer (a refusal included), 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lending/sip2-client.h"

static void result(const char *op, const char *item, int r, const Sip2Result *res, const Sip2ClientError *e, int *status) {
        if (r == 0)
                printf("%s %s: ok, due %s\n", op, item, res->due);
        else if (e->failure == SIP2_FAIL_REFUSED)
                printf("%s %s: refused: %s\n", op, item, res->message);
        else {
                printf("%s %s: failed %s%s\n", op, item, sip2_failure_to_string(e->failure),
                       e->outcome_unknown ? " (outcome unknown)" : "");
                *status = 1;
        }
}

int main(int argc, char *argv[]) {
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        char *user = NULL, *password = NULL;
        const char *why;
        Sip2ClientError e;
        Sip2Result res;
        static Sip2Msg m;
        int status = 0, r;

        if (argc < 3 || sip2_credential_load(argv[2], &user, &password, &why) < 0) {
                fprintf(stderr, "usage: sip2-drive PORT CREDENTIAL-FILE OP...\n");
                return 2;
        }
        Sip2ClientConfig cfg = { .host = "127.0.0.1", .port = (uint16_t) atoi(argv[1]), .institution = "CITY",
                                 .location = "Drive", .user = user, .password = password,
                                 .reply_timeout_ms = 1000, .resend_max = 2, .reconnect_max = 2 };
        if (sip2_client_new(&cfg, &c) < 0)
                return 2;
        free(user);
        sip2_secret_free(password);
        for (int i = 3; i < argc; i++) {
                const char *op = argv[i];
                if (strcmp(op, "checkout") == 0 && i + 2 < argc) {
                        r = sip2_client_checkout(c, argv[i + 1], argv[i + 2], time(NULL), &res, &e);
                        result(op, argv[i + 2], r, &res, &e, &status);
                        i += 2;
                } else if (strcmp(op, "renew") == 0 && i + 2 < argc) {
                        r = sip2_client_renew(c, argv[i + 1], argv[i + 2], time(NULL), &res, &e);
                        result(op, argv[i + 2], r, &res, &e, &status);
                        i += 2;
                } else if (strcmp(op, "checkin") == 0 && i + 1 < argc) {
                        r = sip2_client_checkin(c, argv[i + 1], time(NULL), &res, &e);
                        result(op, argv[i + 1], r, &res, &e, &status);
                        i += 1;
                } else if (strcmp(op, "item") == 0 && i + 1 < argc) {
                        r = sip2_client_request(c, SIP2_ITEM_INFO, &(Sip2Request) { .item = argv[i + 1], .now = time(NULL) },
                                                &m, &e);
                        if (r < 0) {
                                printf("item %s: failed %s\n", argv[i + 1], sip2_failure_to_string(e.failure));
                                status = 1;
                        } else
                                printf("item %s: circulation status %s\n", argv[i + 1], sip2_msg_fixed(&m, "circulation status"));
                        i += 1;
                } else {
                        fprintf(stderr, "sip2-drive: unknown or incomplete operation '%s'\n", op);
                        return 2;
                }
        }
        return status;
}
