/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Coalescing repeated refusals of input that identifies nobody, per source.
 *
 * A scanner left in continuous mode, a stuck key or an attacker typing into a source produces a
 * refusal per line. Each one as its own audit record and journal line buried the real history:
 * a review retired the file holding a genuine grant after 40-50 s of junk. What such a refusal
 * says — this source, this door, this reason, at this time — survives as well in one record
 * with a count. So the first refusal of a run is recorded as it is, and the ones that repeat it
 * (same door, same reason, nothing verified) are counted until the run ends: another kind of
 * decision on the source, or RUN_MAX_USEC after its first record. Then one record (a decision
 * with a count) and one journal line stand for the rest. Refusals of codes whose signature
 * verified name a person (a pseudonym) and are never coalesced; neither are grants. The Decision
 * signal is still sent for every one: a UI shows each to the person at the gate. */

#include <stdbool.h>

#include "daemon/manager.h"

typedef struct Coalescer Coalescer;

/* origin: the source's id (borrowed for the coalescer's life). Returns 0 and a coalescer that
 * must be freed with coalescer_free() (its source does), or -ENOMEM. */
int coalescer_new(Manager *m, const char *origin, Coalescer **ret);
/* Writes what is still counted, then frees c. Returns NULL. */
Coalescer *coalescer_free(Coalescer *c);

/* Called for each decision of the source before it is recorded. Returns true when its audit
 * record and journal line are to be left out (it is counted instead); false when it is to be
 * recorded — after the record of the run it ended, which this call writes. identifies_nobody:
 * no verified subject (unreadable, unknown issuer, bad signature, …). */
bool coalescer_absorb(Coalescer *c, const Decision *d, bool identifies_nobody);

/* Writes the record of the current run now, if anything is counted (at stop). */
void coalescer_flush(Coalescer *c);
