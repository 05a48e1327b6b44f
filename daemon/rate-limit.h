/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The rate limits the manager keeps beside the scanner sources' own (daemon/source.c):
 *   - per subject (policy.subject_rate): at most max openings per per seconds for one subject,
 *     at every door together. Keyed by the subject's keyed id (daemon/subject-key.h), never a
 *     raw subject. Only an opening takes from the bucket: a refused code takes nothing, so whoever
 *     holds a copy of someone's code (a screenshot, replayed and refused) cannot use up that
 *     person's openings; the refused copy opens nothing anyway, and a source flooding with it is
 *     the per-source limit's. The check is the policy rule rule_subject_rate (daemon/policy.c);
 *     the take, subject_rate_opened(), after the door opened (daemon/decide.c);
 *   - per bus caller (bus.max_rate): SubmitCode calls a second for one uid, a burst of twice
 *     that, as a scanner source's max_rate. By uid, not by unique bus name: a new connection is
 *     a new name for free, a uid is not.
 * Both are bounded tables of token buckets (core/rate-table.h: 24 bytes a remembered key, O(1),
 * nothing allocated per decision). Neither is kept across a restart: a limit of seconds to
 * minutes loses little, and nothing keyed by a subject is written. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "daemon/manager.h"

/* How many uids the SubmitCode limit remembers at once (a few UIs; more only evicts full buckets). */
#define BUS_RATE_CAPACITY 64
/* A flood of SubmitCode calls is over once they have been within the rate this long. */
#define BUS_RATE_QUIET_USEC (5U * 1000U * 1000U)

/* CLOCK_MONOTONIC in µs: what the rate limits count time by (setting the clock changes no rate). */
uint64_t rate_limit_now_usec(void);

/* Makes the tables c asks for, in place of m's when their parameters changed (a reload keeps the
 * buckets of an unchanged limit). Returns 0, or -ENOMEM with m unchanged. */
int manager_rate_limits_apply(Manager *m, const Config *c);
void manager_rate_limits_free(Manager *m);
/* The subject key's secret changed: keys made under the old one mean nobody now. */
void manager_rate_limits_subject_key_changed(Manager *m);

/* A door opened for subject (a SUBJECT_KEY_SIZE key, or NULL): one taken from its bucket. */
void subject_rate_opened(Manager *m, const uint8_t *subject);

/* Whether uid may submit one more code now (and takes it). When not, fills detail and reports
 * the first refusal of a flood as a decision of its own (journal, audit, Decision signal) for
 * door; the rest of the flood is counted and said when it ends. */
bool bus_rate_take(Manager *m, uid_t uid, const char *door, char *detail, size_t detail_size);
