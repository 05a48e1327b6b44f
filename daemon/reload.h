/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The configuration, read at start and applied again at every reload (daemon/reload.c). */

#include "config/config.h"
#include "core/keystore.h"
#include "core/trustlist.h"

typedef struct Manager Manager;

/* Loads and validates path and builds its issuer keys. On failure *ret_errors lists every
 * problem as "file:line: message" lines (freed by the caller). */
int manager_load_config(const char *path, Config **ret_config, Keystore **ret_keys, char **ret_errors);
/* Logs each line of errors (NULL is fine). */
void log_config_errors(const char *errors);

/* The EU DCC trust list c names, from the paths that can be read, or *ret NULL when it names
 * none; logs what it loads or skips. The paths that cannot be read are in *ret_faults ("file:line:
 * message" lines, NULL when none; the caller frees it): at start the daemon runs without them. */
int manager_load_dcc_trust(Manager *m, const Config *c, TrustList **ret, char **ret_faults);
/* Puts tl (taken over; NULL: none) in force, with the trust settings of m->config. */
void manager_apply_dcc_trust(Manager *m, TrustList *tl);
/* Logs, once per list put in force, that the list in force is older than dcc.trust_max_age (or of
 * unknown age). Cheap when there is nothing to say: called with every HC1 decision. */
void manager_check_dcc_trust_age(Manager *m);

/* Re-reads the configuration file. A file that does not validate (or changes what needs a
 * restart) is refused: returns -EINVAL with *ret_errors, and the running configuration stays. */
int manager_reload(Manager *m, char **ret_errors);
