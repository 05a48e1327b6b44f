/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/string-table.h"
#include "hal/lock.h"

static const LockOps *const backends[] = {
        &lock_ops_sim,
        &lock_ops_gpiod,
};

static const char *const lock_safe_state_table[_LOCK_SAFE_STATE_MAX] = {
        [LOCK_SAFE_LOCKED] = "locked",
        [LOCK_SAFE_UNLOCKED] = "unlocked",
};

DEFINE_STRING_TABLE_LOOKUP(lock_safe_state, LockSafeState);

static void lock_free_unopened(Lock *l) {
        free(l->priv);
        free(l->id);
        free(l);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Lock *, lock_free_unopened);

int lock_new(const LockConfig *c, Lock **ret) {
        const LockOps *ops = NULL;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (c->backend && strcmp(c->backend, backends[i]->name) == 0)
                        ops = backends[i];
        if (!ops)
                return -ENOENT;

        /* Freed by hand until the backend has opened it: lock_free() would drive and close it. */
        _cleanup_(lock_free_unopenedp) Lock *l = calloc(1, sizeof(Lock));
        if (!l)
                return -ENOMEM;
        l->ops = ops;
        l->safe_state = c->safe_state;
        l->id = strdup(c->id ? c->id : "");
        l->priv = ops->priv_size > 0 ? calloc(1, ops->priv_size) : NULL;
        if (!l->id || (ops->priv_size > 0 && !l->priv))
                return -ENOMEM;

        l->unlocked = c->safe_state == LOCK_SAFE_UNLOCKED;
        r = ops->open(l, c, l->unlocked);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(l);
        return 0;
}

int lock_set(Lock *l, bool unlocked) {
        int r = l->ops->set(l, unlocked);
        if (r < 0)
                return r;
        l->unlocked = unlocked;
        return 0;
}

int lock_close(Lock *l) {
        int r;

        if (!l)
                return 0;
        r = lock_set(l, l->safe_state == LOCK_SAFE_UNLOCKED);
        l->ops->close(l);
        lock_free_unopened(l);
        return r < 0 ? r : 0;
}

Lock *lock_free(Lock *l) {
        (void) lock_close(l);
        return NULL;
}
