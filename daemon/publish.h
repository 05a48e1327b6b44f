/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Publishing decisions. A Decision signal names the subject only by a pseudonym that the token
 * computes (HMAC-SHA256 with a secret that never leaves it), so the same person is recognisable
 * on this appliance and nowhere else, and no raw identifier crosses the bus. The door has
 * already opened when this runs: only the signal waits for the token, in order, for at most
 * PUBLISH_TOKEN_TIMEOUT_USEC while the token is absent, after which it goes out without a
 * subject. */

#include "core/verifier.h"
#include "daemon/manager.h"

#define PUBLISH_TOKEN_TIMEOUT_USEC (2 * 1000 * 1000)

/* Queues d (copied) for the bus; res supplies the subject to pseudonymize (never stored). */
void publish_decision(Manager *m, const Decision *d, const VerifyResult *res);

/* Drops what is still waiting (at shutdown, after the token service is gone). */
void publish_drop_pending(Manager *m);
