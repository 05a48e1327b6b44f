/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/config-internal.h"
#include "config/config-text.h"
#include "core/claims.h"
#include "core/fileio.h"
#include "core/hc1-claims.h"
#include "core/verifier.h"

_printf_(3, 4) static void err(Errors *e, const config_setting_t *s, const char *fmt, ...) {
        va_list ap;
        const char *file = s ? config_setting_source_file(s) : NULL;

        fprintf(e->f, "%s:%u: ", file ?: e->file, s ? config_setting_source_line(s) : 0);
        va_start(ap, fmt);
        vfprintf(e->f, fmt, ap);
        va_end(ap);
        fputc('\n', e->f);
        e->count++;
}

typedef enum KeyType { K_STRING, K_INT, K_BOOL, K_GROUP, K_LIST, K_STRING_ARRAY, K_INT_ARRAY } KeyType;

typedef struct Key {
        const char *name;
        KeyType type;
        bool required;
} Key;

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

/* Checks a group against its schema: unknown names, wrong types, missing required keys.
 * Returns false if anything was wrong, so callers skip reading a broken group. */
static bool check_group(Errors *e, const config_setting_t *g, const char *what, const Key *keys, size_t n) {
        unsigned before = e->count;

        for (int i = 0; i < config_setting_length(g); i++) {
                const config_setting_t *s = config_setting_get_elem(g, (unsigned) i);
                const char *name = config_setting_name(s);
                const Key *k = NULL;

                for (size_t j = 0; j < n; j++)
                        if (name && strcmp(name, keys[j].name) == 0)
                                k = &keys[j];
                if (!k)
                        err(e, s, "unknown key '%s' in %s", name ?: "?", what);
                else if (!type_matches(s, k->type))
                        err(e, s, "'%s' in %s must be %s", name, what, type_name(k->type));
        }
        for (size_t j = 0; j < n; j++)
                if (keys[j].required && !config_setting_get_member(g, keys[j].name))
                        err(e, g, "%s is missing required key '%s'", what, keys[j].name);
        return e->count == before;
}

static const char *get_string(const config_setting_t *g, const char *name, const char *def) {
        const config_setting_t *s = config_setting_get_member(g, name);
        return s ? config_setting_get_string(s) : def;
}

static bool get_int(Errors *e, const config_setting_t *g, const char *name, int64_t def,
                    int64_t min, int64_t max, int64_t *ret) {
        const config_setting_t *s = config_setting_get_member(g, name);
        int64_t v = s ? config_setting_get_int64(s) : def;

        if (v < min || v > max) {
                err(e, s, "'%s' is %lld, must be between %lld and %lld", name, (long long) v,
                    (long long) min, (long long) max);
                return false;
        }
        *ret = v;
        return true;
}

/* A name used to refer to an item: short, printable, usable in a D-Bus object path. */
static bool id_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

static bool check_list(Errors *e, const config_setting_t *root, const char *name, const config_setting_t **ret) {
        const config_setting_t *l = config_lookup(( config_t *) root->config, name);

        *ret = l;
        if (!l)
                return false;
        if (config_setting_length(l) > CONFIG_MAX_ITEMS) {
                err(e, l, "'%s' has more than %d entries", name, CONFIG_MAX_ITEMS);
                return false;
        }
        return true;
}

static void parse_verifier(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "max_lifetime", K_INT }, { "clock_skew", K_INT }, { "replay_capacity", K_INT },
        };
        const config_setting_t *g = config_setting_get_member(root, "verifier");
        int64_t v;

        c->max_lifetime = QG1_DEFAULT_MAX_LIFETIME;
        c->clock_skew = QG1_DEFAULT_CLOCK_SKEW;
        c->replay_capacity = 65536;
        if (!g || !check_group(e, g, "verifier", keys, ELEMENTSOF(keys)))
                return;
        /* The upper bounds keep a configuration from undoing what makes codes dynamic. */
        (void) get_int(e, g, "max_lifetime", c->max_lifetime, 10, 3600, &c->max_lifetime);
        (void) get_int(e, g, "clock_skew", c->clock_skew, 0, 300, &c->clock_skew);
        if (get_int(e, g, "replay_capacity", c->replay_capacity, 16, 16 * 1024 * 1024, &v))
                c->replay_capacity = (uint32_t) v;
}

/* An array of uids, each range-checked in 64 bits before it is narrowed to uid_t. */
static void parse_uids(Errors *e, const config_setting_t *s, uid_t *uids, size_t *n) {
        for (int i = 0; i < config_setting_length(s) && *n < CONFIG_MAX_ITEMS; i++) {
                long long u = config_setting_get_int64_elem(s, i);
                if (u < 0 || u > 0x7fffffff)
                        err(e, s, "uid %lld out of range", u);
                else
                        uids[(*n)++] = (uid_t) u;
        }
}

static void parse_groups(const config_setting_t *s, const char **groups, size_t *n) {
        for (int i = 0; i < config_setting_length(s) && *n < CONFIG_MAX_ITEMS; i++)
                groups[(*n)++] = config_setting_get_string_elem(s, i);
}

static void parse_bus(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "operator_groups", K_STRING_ARRAY }, { "operator_uids", K_INT_ARRAY },
                { "ui_groups", K_STRING_ARRAY }, { "ui_uids", K_INT_ARRAY },
        };
        const config_setting_t *g = config_setting_get_member(root, "bus"), *s;

        /* The group the shipped bus policy lets present codes (systemd/io.qrgate.Gate1.dbus.conf). */
        c->ui_groups[c->n_ui_groups++] = "qrgate-ui";
        if (!g || !check_group(e, g, "bus", keys, ELEMENTSOF(keys)))
                return;
        if ((s = config_setting_get_member(g, "operator_groups")))
                parse_groups(s, c->operator_groups, &c->n_operator_groups);
        if ((s = config_setting_get_member(g, "operator_uids")))
                parse_uids(e, s, c->operator_uids, &c->n_operator_uids);
        if ((s = config_setting_get_member(g, "ui_groups"))) {
                c->n_ui_groups = 0;
                parse_groups(s, c->ui_groups, &c->n_ui_groups);
        }
        if ((s = config_setting_get_member(g, "ui_uids")))
                parse_uids(e, s, c->ui_uids, &c->n_ui_uids);
}

static void parse_issuers(Errors *e, Config *c, const config_setting_t *root) {
        static const Key issuer_keys[] = { { "id", K_STRING, true }, { "keys", K_LIST, true } };
        static const Key key_keys[] = { { "kid", K_STRING, true }, { "file", K_STRING }, { "pem", K_STRING } };
        const config_setting_t *list;

        if (!check_list(e, root, "issuers", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *keys;
                if (!check_group(e, g, "an issuer", issuer_keys, ELEMENTSOF(issuer_keys)))
                        continue;
                IssuerConf *is = &c->issuers[c->n_issuers++];
                is->id = get_string(g, "id", NULL);
                if (strlen(is->id) == 0 || strlen(is->id) > CLAIM_TEXT_MAX)
                        err(e, g, "issuer id must be 1-%d characters (it is the codes' iss claim)", CLAIM_TEXT_MAX);
                for (size_t j = 0; j + 1 < c->n_issuers; j++)
                        if (strcmp(c->issuers[j].id, is->id) == 0)
                                err(e, g, "issuer '%s' is defined twice", is->id);
                keys = config_setting_get_member(g, "keys");
                for (int k = 0; k < config_setting_length(keys) && is->n_keys < CONFIG_MAX_ITEMS; k++) {
                        const config_setting_t *kg = config_setting_get_elem(keys, (unsigned) k);
                        if (!check_group(e, kg, "an issuer key", key_keys, ELEMENTSOF(key_keys)))
                                continue;
                        IssuerKeyConf *kc = &is->keys[is->n_keys++];
                        kc->kid = get_string(kg, "kid", NULL);
                        kc->file = get_string(kg, "file", NULL);
                        kc->pem = get_string(kg, "pem", NULL);
                        kc->line = config_setting_source_line(kg);
                        if (!!kc->file == !!kc->pem)
                                err(e, kg, "an issuer key needs exactly one of 'file' and 'pem'");
                        if (strlen(kc->kid) == 0 || strlen(kc->kid) > COSE_KID_MAX)
                                err(e, kg, "kid must be 1-%d characters", COSE_KID_MAX);
                }
        }
}

static void parse_locks(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "backend", K_STRING, true }, { "chip", K_STRING },
                { "line", K_INT }, { "line_name", K_STRING }, { "active_low", K_BOOL }, { "safe_state", K_STRING },
                { "output", K_STRING },
        };
        const config_setting_t *list;

        if (!check_list(e, root, "locks", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *s;
                int64_t line = -1;

                if (!check_group(e, g, "a lock", keys, ELEMENTSOF(keys)))
                        continue;
                LockConfig *l = &c->locks[c->n_locks++].hal;
                l->id = get_string(g, "id", NULL);
                l->backend = get_string(g, "backend", NULL);
                l->chip = get_string(g, "chip", NULL);
                l->line_name = get_string(g, "line_name", NULL);
                l->sim_output = get_string(g, "output", NULL);
                l->active_low = (s = config_setting_get_member(g, "active_low")) && config_setting_get_bool(s);
                l->safe_state = lock_safe_state_from_string(get_string(g, "safe_state", "locked"));
                if (!id_is_valid(l->id))
                        err(e, g, "lock id '%s' must be 1-32 letters, digits or '_'", l->id);
                if (l->safe_state < 0)
                        err(e, config_setting_get_member(g, "safe_state"), "safe_state must be \"locked\" or \"unlocked\"");
                if (get_int(e, g, "line", -1, -1, 1023, &line))
                        l->line_offset = (int) line;
                if (strcmp(l->backend, "sim") != 0 && strcmp(l->backend, "gpiod") != 0)
                        err(e, config_setting_get_member(g, "backend"), "backend must be \"sim\" or \"gpiod\"");
                else if (strcmp(l->backend, "gpiod") == 0 && (l->line_offset < 0) == !l->line_name)
                        err(e, g, "a gpiod lock needs exactly one of 'line' (offset on 'chip') and 'line_name'");
                else if (strcmp(l->backend, "gpiod") == 0 && l->line_offset >= 0 && !l->chip)
                        err(e, g, "a gpiod lock given by 'line' offset needs 'chip'");
                if (l->sim_output && strcmp(l->backend, "sim") != 0)
                        err(e, config_setting_get_member(g, "output"), "'output' is for the sim backend only");
                for (size_t j = 0; j + 1 < c->n_locks; j++)
                        if (l->id && strcmp(c->locks[j].hal.id, l->id) == 0)
                                err(e, g, "lock '%s' is defined twice", l->id);
        }
}

static void parse_doors(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "lock", K_STRING, true }, { "unlock_ms", K_INT },
                { "scopes", K_STRING_ARRAY, true }, { "statuses", K_STRING_ARRAY }, { "dcc_types", K_STRING_ARRAY },
        };
        const config_setting_t *list;

        if (!check_list(e, root, "doors", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *s;
                int64_t ms;

                if (!check_group(e, g, "a door", keys, ELEMENTSOF(keys)))
                        continue;
                DoorConf *d = &c->doors[c->n_doors++];
                d->id = get_string(g, "id", NULL);
                d->lock = get_string(g, "lock", NULL);
                if (!id_is_valid(d->id))
                        err(e, g, "door id '%s' must be 1-32 letters, digits or '_' (it names a D-Bus object)", d->id);
                for (size_t j = 0; j + 1 < c->n_doors; j++)
                        if (strcmp(c->doors[j].id, d->id) == 0)
                                err(e, g, "door '%s' is defined twice", d->id);
                /* A pulse long enough to walk through, short enough that a door is not left open. */
                if (get_int(e, g, "unlock_ms", 3000, 100, 60000, &ms))
                        d->unlock_ms = (uint32_t) ms;

                d->lock_index = SIZE_MAX;
                for (size_t j = 0; j < c->n_locks; j++)
                        if (strcmp(c->locks[j].hal.id, d->lock) == 0)
                                d->lock_index = j;
                if (d->lock_index == SIZE_MAX)
                        err(e, config_setting_get_member(g, "lock"), "door '%s' names lock '%s', which is not defined in 'locks'", d->id, d->lock);

                s = config_setting_get_member(g, "scopes");
                for (int k = 0; k < config_setting_length(s) && d->n_scopes < CONFIG_MAX_ITEMS; k++) {
                        const char *sc = config_setting_get_string_elem(s, k);
                        if (!scope_is_valid(sc))
                                err(e, s, "scope '%s' is not 1-64 characters [A-Za-z0-9._-]", sc);
                        d->scopes[d->n_scopes++] = sc;
                }
                if (d->n_scopes == 0)
                        err(e, s, "door '%s' accepts no scope, so it could never open", d->id);

                s = config_setting_get_member(g, "dcc_types");
                for (int k = 0; s && k < config_setting_length(s); k++) {
                        unsigned mask;
                        const char *t = config_setting_get_string_elem(s, k);
                        if (dcc_types_from_string(t, &mask) < 0)
                                err(e, s, "EU DCC type '%s' is not vaccination, test, recovery or all", t);
                        else
                                d->dcc_types |= mask;
                }

                s = config_setting_get_member(g, "statuses");
                if (!s)
                        d->status_mask = 1u << CODE_STATUS_GREEN;
                for (int k = 0; s && k < config_setting_length(s); k++) {
                        CodeStatus st = code_status_from_string(config_setting_get_string_elem(s, k));
                        if (st < 0)
                                err(e, s, "status '%s' is not green, yellow or red", config_setting_get_string_elem(s, k));
                        else
                                d->status_mask |= 1u << st;
                }
        }
}

static void parse_token(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "module", K_STRING }, { "uri", K_STRING, true }, { "sign_key", K_STRING }, { "hmac_key", K_STRING },
                { "pin_credential", K_STRING }, { "pin_file", K_STRING },
        };
        const config_setting_t *g = config_setting_get_member(root, "token");
        TokenConf *t = &c->token;

        if (!g || !check_group(e, g, "token", keys, ELEMENTSOF(keys)))
                return;
        t->enabled = true;
        t->module = get_string(g, "module", NULL);
        t->uri = get_string(g, "uri", NULL);
        t->sign_key = get_string(g, "sign_key", "device-key");
        t->hmac_key = get_string(g, "hmac_key", "hmac-key");
        t->pin_credential = get_string(g, "pin_credential", NULL);
        t->pin_file = get_string(g, "pin_file", NULL);
        if (strncmp(t->uri, "pkcs11:", 7) != 0)
                err(e, config_setting_get_member(g, "uri"), "token uri must be a PKCS#11 URI (pkcs11:token=...)");
        if (t->pin_credential && t->pin_file)
                err(e, g, "token takes one of 'pin_credential' and 'pin_file', not both");
        /* An empty name switches an operation off (most smartcards cannot hold an HMAC secret). */
        if (t->sign_key[0] == '\0')
                t->sign_key = NULL;
        if (t->hmac_key[0] == '\0')
                t->hmac_key = NULL;
}

static void parse_dcc(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "trust_list", K_STRING_ARRAY, true }, { "trust_max_age", K_INT }, { "trust_age_policy", K_STRING },
        };
        const config_setting_t *g = config_setting_get_member(root, "dcc"), *s;
        DccConf *d = &c->dcc;

        d->trust_age_policy = trust_list_age_policy_from_string("deny");
        if (!g || !check_group(e, g, "dcc", keys, ELEMENTSOF(keys)))
                return;
        s = config_setting_get_member(g, "trust_list");
        for (int i = 0; i < config_setting_length(s) && d->n_trust_list < CONFIG_MAX_ITEMS; i++) {
                d->trust_list[d->n_trust_list] = config_setting_get_string_elem(s, i);
                if (d->trust_list[d->n_trust_list][0] != '/')
                        err(e, s, "trust list path '%s' must be absolute", d->trust_list[d->n_trust_list]);
                d->n_trust_list++;
        }
        (void) get_int(e, g, "trust_max_age", 0, 0, INT64_C(10) * 365 * 86400, &d->trust_max_age);
        if ((s = config_setting_get_member(g, "trust_age_policy"))) {
                d->trust_age_policy = trust_list_age_policy_from_string(config_setting_get_string(s));
                if (d->trust_age_policy < 0)
                        err(e, s, "trust_age_policy must be \"deny\" or \"warn\"");
        }
}

static void parse_audit(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "checkpoint_records", K_INT }, { "checkpoint_seconds", K_INT }, { "durability", K_STRING },
                { "group_ms", K_INT }, { "max_file_size", K_INT }, { "max_file_age", K_INT }, { "max_files", K_INT },
                { "max_age", K_INT }, { "on_write_error", K_STRING }, { "pseudonym_timeout_ms", K_INT },
                { "min_age", K_INT },
        };
        const config_setting_t *g = config_setting_get_member(root, "audit");
        AuditConf *a = &c->audit;
        const char *s;
        int64_t v;

        *a = AUDIT_CONF_DEFAULTS;
        if (!g || !check_group(e, g, "audit", keys, ELEMENTSOF(keys)))
                return;
        if (get_int(e, g, "checkpoint_records", a->checkpoint_records, 1, 100000, &v))
                a->checkpoint_records = (uint32_t) v;
        if (get_int(e, g, "checkpoint_seconds", a->checkpoint_seconds, 1, 86400, &v))
                a->checkpoint_seconds = (uint32_t) v;
        s = get_string(g, "durability", "sync");
        a->durability = audit_durability_from_string(s);
        if (a->durability < 0)
                err(e, config_setting_get_member(g, "durability"), "durability must be \"sync\" or \"grouped\"");
        if (get_int(e, g, "group_ms", a->group_ms, 1, 10000, &v))
                a->group_ms = (uint32_t) v;
        /* Recovery reads the last file into memory at start: keep that small on a small board. */
        if (get_int(e, g, "max_file_size", (int64_t) a->max_file_size, 4096, 64 * 1024 * 1024, &v))
                a->max_file_size = (uint64_t) v;
        if (get_int(e, g, "max_file_age", a->max_file_age, 0, 366 * 86400, &v))
                a->max_file_age = (uint32_t) v;
        if (get_int(e, g, "max_files", a->max_files, 0, 1000000, &v)) {
                a->max_files = (uint32_t) v;
                if (v == 1)
                        err(e, config_setting_get_member(g, "max_files"), "max_files must be 0 (no limit) or at least 2");
        }
        if (get_int(e, g, "max_age", a->max_age, 0, 20 * 366 * 86400, &v))
                a->max_age = (uint32_t) v;
        if (get_int(e, g, "min_age", a->min_age, 0, 366 * 86400, &v))
                a->min_age = (uint32_t) v;
        if (a->max_age > 0 && a->min_age > a->max_age)
                err(e, config_setting_get_member(g, "min_age"), "min_age must not be longer than max_age");
        s = get_string(g, "on_write_error", "deny");
        if (strcmp(s, "deny") != 0 && strcmp(s, "grant") != 0)
                err(e, config_setting_get_member(g, "on_write_error"), "on_write_error must be \"deny\" or \"grant\"");
        a->grant_when_unwritable = strcmp(s, "grant") == 0;
        if (get_int(e, g, "pseudonym_timeout_ms", a->pseudonym_timeout_ms, 10, 60000, &v))
                a->pseudonym_timeout_ms = (uint32_t) v;
}

static void parse_sources(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "type", K_STRING, true }, { "path", K_STRING, true }, { "door", K_STRING, true },
                { "max_rate", K_INT },
        };
        const config_setting_t *list;

        if (!check_list(e, root, "sources", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                if (!check_group(e, g, "a source", keys, ELEMENTSOF(keys)))
                        continue;
                SourceConf *s = &c->sources[c->n_sources++];
                int64_t rate;
                s->id = get_string(g, "id", NULL);
                s->type = get_string(g, "type", NULL);
                s->path = get_string(g, "path", NULL);
                s->door = get_string(g, "door", NULL);
                if (!id_is_valid(s->id))
                        err(e, g, "source id '%s' must be 1-32 letters, digits or '_'", s->id);
                if (strcmp(s->type, "fifo") != 0)
                        err(e, config_setting_get_member(g, "type"), "source type must be \"fifo\" (USB scanners come later)");
                if (s->path[0] != '/')
                        err(e, config_setting_get_member(g, "path"), "source path must be absolute");
                /* A person scans a code every few seconds; a scanner rereading one in
                 * presentation mode a few times a second. More is a flood (docs/reasons.md). */
                if (get_int(e, g, "max_rate", 10, 1, 1000, &rate))
                        s->max_rate = (uint32_t) rate;
                s->door_index = SIZE_MAX;
                for (size_t j = 0; j < c->n_doors; j++)
                        if (strcmp(c->doors[j].id, s->door) == 0)
                                s->door_index = j;
                if (s->door_index == SIZE_MAX)
                        err(e, config_setting_get_member(g, "door"), "source '%s' names door '%s', which is not defined in 'doors'", s->id, s->door);
        }
}

int config_errors_finish(Errors *e, char **ret_errors) {
        if (fclose(e->f) != 0 || !e->buf)
                return -ENOMEM;
        if (e->count == 0) {
                free(e->buf);
                return 0;
        }
        *ret_errors = e->buf;
        return -EINVAL;
}

int config_load(const char *path, Config **ret, char **ret_errors) {
        static const Key root_keys[] = {
                { "state_directory", K_STRING }, { "verifier", K_GROUP }, { "bus", K_GROUP },
                { "issuers", K_LIST }, { "locks", K_LIST, true }, { "doors", K_LIST, true }, { "sources", K_LIST },
                { "token", K_GROUP }, { "dcc", K_GROUP }, { "audit", K_GROUP },
        };
        _cleanup_(config_freep) Config *c = calloc(1, sizeof(Config));
        _cleanup_(freep) char *text = NULL;
        Errors e = { .file = path };
        size_t size = 0;
        int r;

        *ret_errors = NULL;
        if (!c)
                return -ENOMEM;
        config_init(&c->cfg);
        c->path = strdup(path);
        e.f = open_memstream(&e.buf, &e.size);
        if (!c->path || !e.f)
                return -ENOMEM;

        /* Read by us, not by config_read_file(): non-blocking and regular files only (a FIFO
         * named as the configuration would block the daemon's start or reload), with a cap. */
        r = read_regular_file(AT_FDCWD, path, CONFIG_FILE_MAX, 0, &text, &size);
        if (r < 0) {
                if (r == -EFBIG)
                        fprintf(e.f, "%s: cannot read the file: it is larger than %d KiB\n", path, CONFIG_FILE_MAX / 1024);
                else
                        fprintf(e.f, "%s: cannot read the file: %s\n", path, read_file_strerror(r, 0));
                e.count++;
                return config_errors_finish(&e, ret_errors);
        }
        /* Not parsed after a problem in the text: the values would be wrong, or libconfig would
         * open an @include'd file. */
        e.count += config_text_check(path, text, size, e.f);
        if (e.count > 0)
                return config_errors_finish(&e, ret_errors);
        if (config_read_string(&c->cfg, text) != CONFIG_TRUE) {
                fprintf(e.f, "%s:%d: %s\n", config_error_file(&c->cfg) ?: path, config_error_line(&c->cfg),
                        config_error_text(&c->cfg));
                e.count++;
                return config_errors_finish(&e, ret_errors);
        }

        const config_setting_t *root = config_root_setting(&c->cfg);
        if (check_group(&e, root, "the top level", root_keys, ELEMENTSOF(root_keys))) {
                c->state_directory = get_string(root, "state_directory", NULL);
                parse_verifier(&e, c, root);
                parse_bus(&e, c, root);
                parse_issuers(&e, c, root);
                parse_locks(&e, c, root);
                parse_doors(&e, c, root);
                parse_sources(&e, c, root);
                parse_token(&e, c, root);
                parse_dcc(&e, c, root);
                parse_audit(&e, c, root);
        }

        r = config_errors_finish(&e, ret_errors);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

Config *config_free(Config *c) {
        if (!c)
                return NULL;
        config_destroy(&c->cfg);
        free(c->path);
        free(c);
        return NULL;
}

const DoorConf *config_find_door(const Config *c, const char *id) {
        for (size_t i = 0; i < c->n_doors; i++)
                if (strcmp(c->doors[i].id, id) == 0)
                        return &c->doors[i];
        return NULL;
}
