/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names of an enum's values, as one table indexed by the value ([FOO_BAR] = "bar"), read
 * both ways by the same two lookups everywhere, in the manner of systemd's string-table.h. A
 * value with no entry in the table (NULL) has no name. */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "core/macro.h"

/* The name of value i, or NULL when i is outside the table or has no name. */
static inline const char *string_table_lookup_to_string(const char *const *table, size_t n, ssize_t i) {
        return i >= 0 && (size_t) i < n ? table[i] : NULL;
}

/* The value named s, or -EINVAL when there is none (or s is NULL). */
static inline ssize_t string_table_lookup_from_string(const char *const *table, size_t n, const char *s) {
        for (size_t i = 0; s && i < n; i++)
                if (table[i] && strcmp(table[i], s) == 0)
                        return (ssize_t) i;
        return -EINVAL;
}

/* Define name_to_string(type) and name_from_string(const char *) over name_table, the
 * functions the module's header declares. from_string() returns -EINVAL, each enum's
 * _FOO_INVALID, for a name it does not know. */
#define DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)                                          \
        const char *name##_to_string(type i) {                                                    \
                return string_table_lookup_to_string(name##_table, ELEMENTSOF(name##_table), i);  \
        }

#define DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)                                                \
        type name##_from_string(const char *s) {                                                          \
                return (type) string_table_lookup_from_string(name##_table, ELEMENTSOF(name##_table), s); \
        }

#define DEFINE_STRING_TABLE_LOOKUP(name, type)              \
        DEFINE_STRING_TABLE_LOOKUP_TO_STRING(name, type)    \
        DEFINE_STRING_TABLE_LOOKUP_FROM_STRING(name, type)
