/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A blocking session with a PKCS#11 token for qrgatectl's commands that use one (`token`,
 * `receipt sign`): the module, the token's slot and session, the key URIs, and whether we
 * logged in. token_ctx_done() logs out, closes and unloads whatever was reached. */

#include <stdbool.h>

#include "pkcs11/token-blocking.h"

typedef struct TokenCtx {
        TokenModule *module;
        P11KitUri *token_uri, *key_uri, *hmac_uri;
        CK_SLOT_ID slot;
        CK_TOKEN_INFO info;
        CK_SESSION_HANDLE session;
        bool logged_in;
} TokenCtx;

void token_ctx_done(TokenCtx *c);
