/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A SIP2 client for the configuration's "ils" section: what `qrgatectl ils check` and the
 * lending service both connect with, so that the check tests what the service will do. */

#include <stdlib.h>

#include "lending/sip2-client.h"

int sip2_client_new_from_config(const IlsConf *ils, Sip2Client **ret, const char **ret_why) {
        _cleanup_(freep) char *user = NULL;
        char *password = NULL;
        int r;

        r = sip2_credential_load(ils->credential, &user, &password, ret_why);
        if (r < 0)
                return r;
        Sip2ClientConfig cc = {
                .host = ils->host, .port = ils->port, .institution = ils->institution,
                .location = ils->location, .user = user, .password = password,
                .connect_timeout_ms = ils->connect_timeout_ms, .reply_timeout_ms = ils->reply_timeout_ms,
                .resend_max = ils->resend_max, .reconnect_max = ils->reconnect_max,
                .tls = ils->tls, .tls_ca_file = ils->tls_ca, .tls_server_name = ils->tls_server_name,
        };
        r = sip2_client_new(&cc, ret);
        sip2_secret_free(password); /* the client holds its own copy */
        if (r < 0)
                *ret_why = "cannot make the client";
        return r;
}
