/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Publishing decisions: the Decision signal on the bus and the DECISION record in the audit log.
 * Both name the subject only by its pseudonym, which the token computes (daemon/pseudonym.h) —
 * once per decision, the signal taking the first 16 bytes and the log all 32 — so the same
 * person is recognisable on this appliance and nowhere else, and no raw identifier crosses the
 * bus or reaches the disk. The door has already opened when this runs: the audit record is
 * written at once (its pseudonym follows in a record of its own), and only the signal waits for
 * the token, in order, for at most audit.pseudonym_timeout_ms while the token is absent, after
 * which it goes out without a subject. */

#include "core/verifier.h"
#include "daemon/manager.h"

/* Records and queues d (copied); res supplies the subject to pseudonymize (never stored), origin
 * the source id or "bus". counted: a refusal the source's coalescer counts instead of recording
 * (daemon/coalesce.h): the signal only, no audit record. */
void publish_decision(Manager *m, const Decision *d, const VerifyResult *res, const char *origin, bool counted);

/* Drops what is still waiting (at shutdown, after the token service is gone). */
void publish_drop_pending(Manager *m);
