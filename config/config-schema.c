/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The configuration's schema: which keys a group may hold, of which type, which are required, and
 * how each problem is reported (file:line: message). config.c says what the values mean. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config-internal.h"

void config_error(Errors *e, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;
        const char *file = s ? config_setting_source_file(s) : NULL;

        fprintf(e->f, "%s:%u: ", file ?: e->file, s ? config_setting_source_line(s) : 0);
        va_start(ap, fmt);
        vfprintf(e->f, fmt, ap);
        va_end(ap);
        fputc('\n', e->f);
        e->count++;
}

static const char *type_name(KeyType t) {
        static const char *const names[] = {
                [K_STRING] = "a string", [K_INT] = "an integer", [K_BOOL] = "true or false",
                [K_GROUP] = "a group { ... }", [K_LIST] = "a list ( ... )",
                [K_STRING_ARRAY] = "an array of strings [ ... ]", [K_INT_ARRAY] = "an array of integers [ ... ]",
        };
        return names[t];
}

static bool type_matches(const config_setting_t *s, KeyType t) {
        int ct = config_setting_type(s);

        switch (t) {
        case K_STRING:
                return ct == CONFIG_TYPE_STRING;
        case K_INT:
                return ct == CONFIG_TYPE_INT || ct == CONFIG_TYPE_INT64;
        case K_BOOL:
                return ct == CONFIG_TYPE_BOOL;
        case K_GROUP:
                return ct == CONFIG_TYPE_GROUP;
        case K_LIST:
                return ct == CONFIG_TYPE_LIST;
        case K_STRING_ARRAY:
        case K_INT_ARRAY:
                if (ct != CONFIG_TYPE_ARRAY && ct != CONFIG_TYPE_LIST)
                        return false;
                for (int i = 0; i < config_setting_length(s); i++) {
                        int et = config_setting_type(config_setting_get_elem(s, (unsigned) i));
                        if (t == K_STRING_ARRAY ? et != CONFIG_TYPE_STRING : et != CONFIG_TYPE_INT && et != CONFIG_TYPE_INT64)
                                return false;
                }
                return true;
        }
        return false;
}

/* Levenshtein distance, case-insensitive (a "Doors" is a typo of "doors" too). Names are short
 * (libconfig's, and ours are under 32 characters); longer ones are not compared. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b), row[64];

        if (la >= ELEMENTSOF(row) || lb >= ELEMENTSOF(row))
                return SIZE_MAX;
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diagonal = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t above = row[j];
                        bool same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);
                        row[j] = MIN(MIN(above + 1, row[j - 1] + 1), diagonal + (same ? 0 : 1));
                        diagonal = above;
                }
        }
        return row[lb];
}

/* The one key close to name: within a third of its length (at least one edit, at most three),
 * and nearer than every other key. NULL when none is, or when two are equally near: a guess
 * between two would mislead as often as it helps. */
static const char *closest_key(const char *name, const Key *keys, size_t n) {
        size_t best = SIZE_MAX, limit = MIN(MAX(strlen(name) / 3, (size_t) 1), (size_t) 3);
        const char *found = NULL;
        bool tie = false;

        for (size_t j = 0; j < n; j++) {
                size_t d = edit_distance(name, keys[j].name);
                if (d < best) {
                        best = d;
                        found = keys[j].name;
                        tie = false;
                } else if (d == best)
                        tie = true;
        }
        return best <= limit && !tie ? found : NULL;
}

bool schema_check_group(Errors *e, const config_setting_t *g, const char *what, const Key *keys, size_t n) {
        unsigned before = e->count;

        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *s = config_setting_get_elem(g, (unsigned) i);
                const char *name = config_setting_name(s);
                const Key *k = NULL;

                for (size_t j = 0; j < n; j++)
                        if (name && strcmp(name, keys[j].name) == 0)
                                k = &keys[j];
                if (!k) {
                        const char *close = name ? closest_key(name, keys, n) : NULL;
                        config_error(e, s, "unknown key '%s' in %s%s%s%s", name ?: "?", what,
                                     close ? "; did you mean '" : "", close ?: "", close ? "'?" : "");
                } else if (!type_matches(s, k->type))
                        config_error(e, s, "'%s' in %s must be %s", name, what, type_name(k->type));
        }
        for (size_t j = 0; j < n; j++)
                if (keys[j].required && !config_setting_get_member(g, keys[j].name))
                        config_error(e, g, "%s is missing required key '%s'", what, keys[j].name);
        return e->count == before;
}

const char *schema_get_string(const config_setting_t *g, const char *name, const char *def) {
        const config_setting_t *s = config_setting_get_member(g, name);
        return s ? config_setting_get_string(s) : def;
}

bool schema_get_int(Errors *e, const config_setting_t *g, const char *name, int64_t def, int64_t min, int64_t max,
                    int64_t *ret) {
        const config_setting_t *s = config_setting_get_member(g, name);
        int64_t v = s ? config_setting_get_int64(s) : def;

        if (v < min || v > max) {
                config_error(e, s, "'%s' is %lld, must be between %lld and %lld", name, (long long) v, (long long) min,
                             (long long) max);
                return false;
        }
        *ret = v;
        return true;
}

bool schema_check_list(Errors *e, const config_setting_t *root, const char *name, const config_setting_t **ret) {
        const config_setting_t *l = config_lookup((config_t *) root->config, name);

        *ret = l;
        if (!l || config_setting_type(l) != CONFIG_TYPE_LIST) /* a wrong type: the top level said so */
                return false;
        if (config_setting_length(l) > CONFIG_MAX_ITEMS) {
                config_error(e, l, "'%s' has more than %d entries", name, CONFIG_MAX_ITEMS);
                return false;
        }
        return true;
}

const config_setting_t *schema_get_group(const config_setting_t *root, const char *name) {
        const config_setting_t *g = config_setting_get_member(root, name);
        return g && config_setting_type(g) == CONFIG_TYPE_GROUP ? g : NULL;
}
