/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the gate found wrong, as one list: what it started without (an issuer key or trust list
 * it could not read, a token whose service could not start, a lock it could not open and the
 * doors on it, a source it could not open) and what failed since (a lock output, the token, the
 * audit log). The list makes State "degraded", is the STATUS= line systemd shows, the Faults
 * property on the bus and `qrgatectl status`; each entry is a sentence an operator can act on. */

#include "daemon/manager.h"

/* The faults now, NULL-terminated, each malloc()ed; free with faults_free(). NULL when out of
 * memory. An empty list (only the NULL) means nothing is wrong. */
char **manager_faults(Manager *m);
void faults_free(char **faults);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, faults_free);

/* Works State and the STATUS= line out from the faults and, when either changed, tells systemd and
 * the bus (PropertiesChanged State, Faults). Nothing while starting or stopping. */
void manager_update_state(Manager *m);

/* After READY=1: when the daemon starts without something (a fault already), says so once more in
 * one searchable entry listing everything (QRGATE_MESSAGE_STARTED_DEGRADED). */
void manager_log_degraded_start(Manager *m);

/* The faults joined by "; " into one line (the STATUS= line and the log's summary); "" when
 * there are none. malloc()ed, NULL when out of memory. */
char *faults_join(char *const *faults);
