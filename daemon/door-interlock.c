/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "daemon/door-interlock.h"
#include "daemon/door.h"

static bool busy(const Door *d) {
        return (d->lock && lock_is_unlocked(d->lock)) || strcmp(door_io_state(d), "open") == 0;
}

const char *door_interlock_busy(const Door *d) {
        const DoorConf *dc = door_config(d);
        Manager *m = d->manager;

        if (!dc || !dc->interlock)
                return NULL;
        for (size_t i = 0; i < m->n_doors; i++) {
                const Door *o = m->doors[i];
                const DoorConf *oc = o == d ? NULL : door_config(o);
                if (oc && oc->interlock && strcmp(oc->interlock, dc->interlock) == 0 && busy(o))
                        return o->id;
        }
        return NULL;
}
