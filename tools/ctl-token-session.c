/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tools/ctl-token-session.h"

void token_ctx_done(TokenCtx *c) {
        if (c->module) {
                if (c->logged_in)
                        (void) c->module->f->C_Logout(c->session);
                token_close_session(c->module, &c->session);
        }
        c->module = token_module_free(c->module);
        p11_kit_uri_free(c->token_uri);
        p11_kit_uri_free(c->key_uri);
        p11_kit_uri_free(c->hmac_uri);
}
