/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The signed deny-list in force (core/denylist.h, docs/denylist.md): loaded from the folder
 * denylist.directory at start and at every reload, and whenever a file is renamed or written
 * into it (inotify, on the event loop). A list is put in force only when it verifies with a key
 * of the keystore and is newer than every list accepted before — the highest version is kept in
 * the state directory, so not even a restart rolls it back; anything else is refused with a
 * journal entry and the list in force stays.
 *
 * Swapping is atomic for decisions because both happen on the one thread of the event loop: a
 * decision runs from start to end inside one callback (daemon/decide.c reads m->denylist once),
 * and a new list is loaded, verified and swapped in by another callback, which cannot run
 * meanwhile. The old list is freed only after the pointer was swapped, inside that callback. */

#include <stddef.h>

typedef struct Manager Manager;

/* At start, after the state directory and the keystore: reads the record of the highest
 * version, watches the folder and loads the newest list in it. What fails is logged and is a
 * fault (the gate runs without a list); only -ENOMEM is returned. */
int manager_denylist_open(Manager *m);
/* After a reload put a new configuration and keystore in force: follows a changed folder or
 * max_age, and reads the folder again. */
void manager_denylist_reload(Manager *m);
void manager_denylist_close(Manager *m);

/* What is wrong with the deny-list as a fault sentence into buf (daemon/faults.h): its folder
 * cannot be watched, no list is in force, or the list is older than denylist.max_age. Returns
 * whether there was anything to say. */
bool manager_denylist_fault(Manager *m, char *buf, size_t size);
