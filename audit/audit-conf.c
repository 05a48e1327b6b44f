/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "audit/audit-conf.h"
#include "core/string-table.h"

static const char *const audit_durability_table[_AUDIT_DURABILITY_MAX] = {
        [AUDIT_DURABILITY_SYNC] = "sync",
        [AUDIT_DURABILITY_GROUPED] = "grouped",
};

DEFINE_STRING_TABLE_LOOKUP(audit_durability, AuditDurability);

bool audit_conf_equal(const AuditConf *a, const AuditConf *b) {
        return a->checkpoint_records == b->checkpoint_records && a->checkpoint_seconds == b->checkpoint_seconds &&
               a->durability == b->durability && a->group_ms == b->group_ms && a->max_file_size == b->max_file_size &&
               a->max_file_age == b->max_file_age && a->max_files == b->max_files && a->max_age == b->max_age && a->min_age == b->min_age &&
               a->grant_when_unwritable == b->grant_when_unwritable && a->pseudonym_timeout_ms == b->pseudonym_timeout_ms;
}
