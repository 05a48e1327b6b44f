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

bool schema_check_group(Errors *e, const config_setting_t *g, const char *what, const Key *keys, size_t n) {
        unsigned before = e->count;

        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *s = config_setting_get_elem(g, (unsigned) i);
                const char *name = config_setting_name(s);
                const Key *k = NULL;

                for (size_t j = 0; j < n; j++)
                        if (name && strcmp(name, keys[j].name) == 0)
                                k = &keys[j];
                if (!k)
                        config_error(e, s, "unknown key '%s' in %s", name ?: "?", what);
                else if (!type_matches(s, k->type))
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
        if (!l)
                return false;
        if (config_setting_length(l) > CONFIG_MAX_ITEMS) {
                config_error(e, l, "'%s' has more than %d entries", name, CONFIG_MAX_ITEMS);
                return false;
        }
        return true;
}
