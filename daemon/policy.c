/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "daemon/policy.h"

typedef Reason (*PolicyRule)(const PolicyInput *in, char *detail, size_t n);

/* Which formats a door takes. Other formats (EU DCC) need per-door rules of their own before a
 * door may honour them; until a door is configured for them it refuses. */
static Reason rule_format(const PolicyInput *in, char *detail, size_t n) {
        if (in->code->format == CODE_FORMAT_QG1)
                return REASON_OK;
        snprintf(detail, n, "door %s does not accept %s codes", in->door->id, code_format_to_string(in->code->format));
        return REASON_SCOPE;
}

static Reason rule_scope(const PolicyInput *in, char *detail, size_t n) {
        const CodeClaims *c = &in->code->claims;

        for (size_t i = 0; i < c->n_scopes; i++)
                for (size_t j = 0; j < in->door->n_scopes; j++)
                        if (strcmp(c->scopes[i], in->door->scopes[j]) == 0)
                                return REASON_OK;
        snprintf(detail, n, "code grants none of the scopes door %s accepts (%s%s)", in->door->id,
                 in->door->scopes[0], in->door->n_scopes > 1 ? ", ..." : "");
        return REASON_SCOPE;
}

static Reason rule_status(const PolicyInput *in, char *detail, size_t n) {
        int s = in->code->claims.status;

        if (s > 0 && s < _CODE_STATUS_MAX && (in->door->status_mask & (1u << s)))
                return REASON_OK;
        snprintf(detail, n, "status %s is not accepted at door %s", code_status_to_string(s) ?: "?", in->door->id);
        return REASON_STATUS;
}

static const PolicyRule rules[] = {
        rule_format,
        rule_scope,
        rule_status,
};

Reason policy_decide(const PolicyInput *in, char *detail, size_t detail_size) {
        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                Reason r = rules[i](in, detail, detail_size);
                if (r != REASON_OK)
                        return r;
        }
        return REASON_OK;
}
