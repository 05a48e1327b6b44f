/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "policy" group: rules that are the appliance's rather than one door's. Today the
 * per-subject rate limit (daemon/policy.c, rule_subject_rate; docs/reasons.md, rate-limited). */
#include "config/config-internal.h"

/* subject_rate = { max = 5; per = 60; capacity = 4096; }: at most max openings within per seconds
 * for one subject, at every door of the appliance together (one person at several doors is still
 * one person; and one count per person is what an operator can predict). A burst of max, then
 * one every per / max seconds. capacity: how many subjects are remembered at once, 24 bytes each
 * (core/rate-table.h) — a subject is remembered only for per seconds after its last opening. */
static void parse_subject_rate(Errors *e, Config *c, const config_setting_t *g) {
        static const Key keys[] = { { "max", K_INT, true }, { "per", K_INT, true }, { "capacity", K_INT } };
        SubjectRateConf *r = &c->policy.subject_rate;
        int64_t max, per, capacity;
        bool ok;

        if (!schema_check_group(e, g, "policy.subject_rate", keys, ELEMENTSOF(keys)))
                return;
        /* Each checked, so that one bad value does not hide another. */
        ok = schema_get_int(e, g, "max", 5, 1, 1000, &max);
        ok = schema_get_int(e, g, "per", 60, 1, 86400, &per) && ok;
        ok = schema_get_int(e, g, "capacity", r->capacity, RATE_TABLE_WAYS, 1000000, &capacity) && ok;
        if (!ok)
                return;
        *r = (SubjectRateConf) { .enabled = true, .max = (uint32_t) max, .per = (uint32_t) per,
                                 .capacity = (uint32_t) capacity };
}

void config_parse_policy(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = { { "subject_rate", K_GROUP } };
        const config_setting_t *g = schema_get_group(root, "policy"), *s;

        c->policy.subject_rate = (SubjectRateConf) { .capacity = 4096 };
        if (!g || !schema_check_group(e, g, "policy", keys, ELEMENTSOF(keys)))
                return;
        if ((s = config_setting_get_member(g, "subject_rate")))
                parse_subject_rate(e, c, s);
}
