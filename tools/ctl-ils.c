/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl ils check` (issue 17, "For the operator setting up a station"): connects to the
 * configured ILS, logs in, asks its status, and optionally a patron's status and a checkout
 * followed by a checkin of a test item — printing every message sent and received (passwords
 * masked) and ending with "ils: ok" or "ils: failed WHAT". */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "lending/sip2-client.h"
#include "tools/ctl-ils.h"
#include "tools/util.h"

const char ctl_ils_usage[] =
        "qrgatectl ils check [--config FILE] [--patron ID] [--item ID [--checkout]]\n"
        "Connects to the ILS of FILE's 'ils' section (default " CONFIG_DEFAULT_PATH "), logs in and asks\n"
        "its status; with --patron, the patron's status; with --item, the item's information, or with\n"
        "--checkout (and --patron) lends the item and returns it again. Prints every SIP2 message (the\n"
        "password masked) and ends with 'ils: ok' (exit 0) or 'ils: failed WHAT' (exit 1).\n";

static void on_trace(void *userdata, Sip2Trace kind, const char *text) {
        printf("%s %s\n", kind == SIP2_TRACE_SENT ? ">" : kind == SIP2_TRACE_RECEIVED ? "<" : "#", text);
        fflush(stdout);
}

_printf_(1, 2) static int failed(const char *fmt, ...) {
        va_list ap;

        fputs("ils: failed ", stdout);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        return 1;
}

static const char *yes_no(const char *v) {
        return v && v[0] == 'Y' ? "yes" : "no";
}

static int check_status(Sip2Client *c, const Config *cfg, Sip2Msg *m) {
        Sip2ClientError e;
        const char *ao;

        if (sip2_client_request(c, SIP2_SC_STATUS, &(Sip2Request) { .now = time(NULL) }, m, &e) < 0)
                return failed("sc-status: %s: %s", sip2_failure_to_string(e.failure), e.detail);
        printf("ils: on-line %s, checkout %s, checkin %s, renewal policy %s, protocol %s\n",
               yes_no(sip2_msg_fixed(m, "on-line status")), yes_no(sip2_msg_fixed(m, "checkout ok")),
               yes_no(sip2_msg_fixed(m, "checkin ok")), yes_no(sip2_msg_fixed(m, "ACS renewal policy")),
               sip2_msg_fixed(m, "protocol version"));
        ao = sip2_msg_get(m, "AO");
        if (ao && strcmp(ao, cfg->ils.institution) != 0)
                printf("ils: note: the ILS names its institution '%s', the configuration '%s'\n", ao, cfg->ils.institution);
        if (strcmp(sip2_msg_fixed(m, "on-line status"), "Y") != 0)
                return failed("sc-status: the ILS says it is off-line");
        return 0;
}

static int check_patron(Sip2Client *c, const char *patron, Sip2Msg *m) {
        Sip2ClientError e;
        const char *st, *bl, *af;
        bool any = false;

        if (sip2_client_request(c, SIP2_PATRON_STATUS, &(Sip2Request) { .patron = patron, .now = time(NULL) }, m, &e) < 0)
                return failed("patron-status: %s: %s", sip2_failure_to_string(e.failure), e.detail);
        st = sip2_msg_fixed(m, "patron status");
        bl = sip2_msg_get(m, "BL");
        af = sip2_msg_get(m, "AF");
        if (bl && strcmp(bl, "Y") != 0)
                return failed("patron %s: the ILS does not know the patron (BL %s)%s%s", patron, bl, af ? ": " : "", af ?: "");
        for (int i = 0; i < _SIP2_PS_MAX; i++)
                if (st[i] == 'Y') {
                        printf("ils: patron %s: %s\n", patron, sip2_patron_status_name(i));
                        any = true;
                }
        if (!any)
                printf("ils: patron %s: no blocks\n", patron);
        if (sip2_msg_get(m, "BV"))
                printf("ils: patron %s: fees %s\n", patron, sip2_msg_get(m, "BV"));
        if (st[SIP2_PS_CHARGE_DENIED] == 'Y')
                return failed("patron %s: charge privileges denied%s%s", patron, af ? ": " : "", af ?: "");
        return 0;
}

static int check_item(Sip2Client *c, const char *item, Sip2Msg *m) {
        Sip2ClientError e;
        const char *af;

        if (sip2_client_request(c, SIP2_ITEM_INFO, &(Sip2Request) { .item = item, .now = time(NULL) }, m, &e) < 0)
                return failed("item-information: %s: %s", sip2_failure_to_string(e.failure), e.detail);
        af = sip2_msg_get(m, "AF");
        printf("ils: item %s: circulation status %s, title '%s'%s%s\n", item, sip2_msg_fixed(m, "circulation status"),
               sip2_msg_get(m, "AJ"), af ? ", " : "", af ?: "");
        return 0;
}

static int check_loan(Sip2Client *c, const char *patron, const char *item) {
        Sip2ClientError e;
        Sip2Result res;
        int r;

        r = sip2_client_checkout(c, patron, item, time(NULL), &res, &e);
        if (r < 0)
                return failed("checkout of %s: %s: %s%s", item, sip2_failure_to_string(e.failure), e.detail,
                              e.outcome_unknown ? " (outcome unknown: ask the ILS whether the item is on loan)" : "");
        printf("ils: checkout of %s to %s: ok, due %s\n", item, patron, res.due);
        r = sip2_client_checkin(c, item, time(NULL), &res, &e);
        if (r < 0)
                return failed("checkin of %s: %s: %s (the item %s on loan to %s)", item, sip2_failure_to_string(e.failure),
                              e.detail, e.outcome_unknown ? "may still be" : "is still", patron);
        printf("ils: checkin of %s: ok\n", item);
        return 0;
}

static int ils_check(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' }, { "patron", required_argument, NULL, 'p' },
                { "item", required_argument, NULL, 'i' },   { "checkout", no_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },         {}
        };
        const char *path = CONFIG_DEFAULT_PATH, *patron = NULL, *item = NULL, *why = NULL;
        _cleanup_(config_freep) Config *cfg = NULL;
        _cleanup_(sip2_client_freep) Sip2Client *c = NULL;
        _cleanup_(freep) char *errors = NULL;
        bool checkout = false;
        Sip2ClientError e;
        Sip2Msg *m;
        int opt, r;

        optind = 1;
        while ((opt = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (opt) {
                case 'c':
                        path = optarg;
                        break;
                case 'p':
                        patron = optarg;
                        break;
                case 'i':
                        item = optarg;
                        break;
                case 'o':
                        checkout = true;
                        break;
                default:
                        fprintf(stderr, "usage: %s", ctl_ils_usage);
                        return 2;
                }
        if (optind < argc || (checkout && (!item || !patron))) {
                fprintf(stderr, "usage: %s", ctl_ils_usage);
                return 2;
        }
        r = config_load(path, &cfg, &errors);
        if (r < 0) {
                fputs(errors ?: "", stderr);
                return failed("configuration: %s is not valid (qrgatectl check-config %s)", path, path);
        }
        if (!cfg->ils.enabled)
                return failed("configuration: %s has no 'ils' section", path);
        r = sip2_client_new_from_config(&cfg->ils, &c, &why);
        if (r < 0)
                return failed("credential: '%s' %s", cfg->ils.credential, why);
        sip2_client_set_trace(c, on_trace, NULL);
        if (sip2_client_connect(c, &e) < 0)
                return failed("%s: %s", e.failure == SIP2_FAIL_LOGIN ? "login" : sip2_failure_to_string(e.failure), e.detail);
        m = malloc(sizeof(*m));
        if (!m)
                return failed("out of memory");
        r = check_status(c, cfg, m);
        if (r == 0 && patron)
                r = check_patron(c, patron, m);
        if (r == 0 && item)
                r = checkout ? check_loan(c, patron, item) : check_item(c, item, m);
        free(m);
        if (r != 0)
                return r;
        printf("ils: ok\n");
        return 0;
}

static const Verb verbs[] = {
        { "check", ils_check, ctl_ils_usage, NULL },
};

int ctl_ils(int argc, char *argv[]) {
        int r = verb_dispatch(verbs, ELEMENTSOF(verbs), argc, argv);
        if (r >= 0)
                return r;
        fprintf(stderr, "usage: %s", ctl_ils_usage);
        return 2;
}
