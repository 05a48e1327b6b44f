/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include <string.h>

#include "hal/input.h"

static const InputOps *const backends[] = {
        &input_ops_sim,
        &input_ops_gpiod,
};

static void input_free_unopened(Input *in) {
        free(in->priv);
        free(in->id);
        free(in);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Input *, input_free_unopened);

int input_new(const InputConfig *c, Input **ret, bool *ret_active) {
        const InputOps *ops = NULL;
        bool active = false;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(backends); i++)
                if (c->backend && strcmp(c->backend, backends[i]->name) == 0)
                        ops = backends[i];
        if (!ops)
                return -ENOENT;

        _cleanup_(input_free_unopenedp) Input *in = calloc(1, sizeof(Input));
        if (!in)
                return -ENOMEM;
        in->ops = ops;
        in->fd = -EBADF;
        in->id = strdup(c->id ? c->id : "");
        in->priv = ops->priv_size > 0 ? calloc(1, ops->priv_size) : NULL;
        if (!in->id || (ops->priv_size > 0 && !in->priv))
                return -ENOMEM;
        r = ops->open(in, c, &active);
        if (r < 0)
                return r;

        *ret_active = active;
        *ret = TAKE_PTR(in);
        return 0;
}

int input_read(Input *in, InputEdge *edges, size_t n) {
        return in->ops->read(in, edges, n);
}

Input *input_free(Input *in) {
        if (!in)
                return NULL;
        in->ops->close(in);
        input_free_unopened(in);
        return NULL;
}
