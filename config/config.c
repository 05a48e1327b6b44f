/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config-internal.h"
#include "config/config-text.h"
#include "core/barcode-format.h"
#include "core/claims.h"
#include "core/fileio.h"
#include "core/hc1-claims.h"
#include "core/string-table.h"
#include "core/verifier.h"

/* A name used to refer to an item: short, printable, usable in a D-Bus object path. */
bool config_id_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;
        return n > 0 && n <= 32 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* The id of an item whose group failed its schema check, when it has one: the item is still
 * named, so that a door or source that refers to it is not reported as naming something
 * undefined as well — a misleading second message for one mistake. (The load fails anyway.) */
static const char *broken_item_id(const config_setting_t *g) {
        const config_setting_t *s = config_setting_get_member(g, "id");
        return s && config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
}

/* Paths in the configuration must be absolute. A relative one would be resolved against the
 * directory of whichever program opens it — check-config in an operator's shell, the daemon in
 * / — so the same file would pass the check and fail the gate. Resolving against the
 * configuration's own folder instead would make a copy checked elsewhere (check-config
 * /tmp/new.conf) name other files than the one installed. An absolute path means one file
 * wherever the configuration is read; the message offers the path in the configuration's
 * folder, which is what a relative path is most often meant as. A path that may also be a
 * name (a p11-kit module) is a path when it has a '/'. */
static void check_path(Errors *e, const config_setting_t *s, const char *key, const char *path) {
        char dir[PATH_MAX];
        const char *p = path;

        if (!path || path[0] == '/' || (strcmp(key, "module") == 0 && !strchr(path, '/')))
                return;
        if (realpath(e->file, dir))
                *strrchr(dir, '/') = '\0';
        else
                snprintf(dir, sizeof(dir), "<the configuration's folder>");
        while (p[0] == '.' && p[1] == '/')
                p += 2;
        config_error(e, s, "'%s' is a relative path (\"%s\"): paths must be absolute, or they would depend on "
                     "the directory a program runs in; did you mean \"%s/%s\"?", key, path, dir[0] ? dir : "", p);
}

void config_check_path(Errors *e, const config_setting_t *s, const char *key, const char *path) {
        check_path(e, s, key, path);
}

static void parse_verifier(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "max_lifetime", K_INT }, { "clock_skew", K_INT }, { "replay_capacity", K_INT },
                { "card_max_lifetime", K_INT },
        };
        const config_setting_t *g = schema_get_group(root, "verifier");
        int64_t v;

        c->max_lifetime = QG1_DEFAULT_MAX_LIFETIME;
        c->clock_skew = QG1_DEFAULT_CLOCK_SKEW;
        c->replay_capacity = 65536;
        c->card_max_lifetime = CARD_DEFAULT_MAX_LIFETIME;
        if (!g || !schema_check_group(e, g, "verifier", keys, ELEMENTSOF(keys)))
                return;
        /* The upper bounds keep a configuration from undoing what makes codes dynamic. */
        (void) schema_get_int(e, g, "max_lifetime", c->max_lifetime, 10, 3600, &c->max_lifetime);
        (void) schema_get_int(e, g, "clock_skew", c->clock_skew, 0, 300, &c->clock_skew);
        if (schema_get_int(e, g, "replay_capacity", c->replay_capacity, 16, 16 * 1024 * 1024, &v))
                c->replay_capacity = (uint32_t) v;
        /* A card lives for months or years; its own bound keeps it from being forever. */
        (void) schema_get_int(e, g, "card_max_lifetime", c->card_max_lifetime, CARD_MIN_MAX_LIFETIME,
                              CARD_MAX_MAX_LIFETIME, &c->card_max_lifetime);
}

/* An array of uids, each range-checked in 64 bits before it is narrowed to uid_t. */
static void parse_uids(Errors *e, const config_setting_t *s, uid_t *uids, size_t *n) {
        for (int i = 0; i < config_setting_length(s) && *n < CONFIG_MAX_ITEMS; i++) {
                long long u = config_setting_get_int64_elem(s, i);
                if (u < 0 || u > 0x7fffffff)
                        config_error(e, s, "uid %lld out of range", u);
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
                { "max_rate", K_INT },
        };
        const config_setting_t *g = schema_get_group(root, "bus"), *s;
        int64_t rate;

        /* The group the shipped bus policy lets present codes (systemd/io.qrgate.Gate1.dbus.conf). */
        c->ui_groups[c->n_ui_groups++] = "qrgate-ui";
        /* As a scanner source's max_rate: a UI decoding camera frames submits a code a few times
         * a second at most; more is a flood, and refused per caller (daemon/bus-rate.c). */
        c->bus_max_rate = 10;
        if (!g || !schema_check_group(e, g, "bus", keys, ELEMENTSOF(keys)))
                return;
        if (schema_get_int(e, g, "max_rate", c->bus_max_rate, 1, 1000, &rate))
                c->bus_max_rate = (uint32_t) rate;
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

        if (!schema_check_list(e, root, "issuers", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *keys;
                if (!schema_check_group(e, g, "an issuer", issuer_keys, ELEMENTSOF(issuer_keys)))
                        continue;
                IssuerConf *is = &c->issuers[c->n_issuers++];
                is->id = schema_get_string(g, "id", NULL);
                if (strlen(is->id) == 0 || strlen(is->id) > CLAIM_TEXT_MAX)
                        config_error(e, g, "issuer id must be 1-%d characters (it is the codes' iss claim)", CLAIM_TEXT_MAX);
                /* Per-subject state is keyed by (iss, sub): a QG1 issuer named like a barcode's
                 * would share its subjects with printed barcodes, which anyone can print. */
                if (strncmp(is->id, BARCODE_ISS_PREFIX, strlen(BARCODE_ISS_PREFIX)) == 0)
                        config_error(e, g, "issuer id '%s': ids beginning \"" BARCODE_ISS_PREFIX "\" are reserved for "
                                     "the subjects of printed barcodes", is->id);
                for (size_t j = 0; j + 1 < c->n_issuers; j++)
                        if (strcmp(c->issuers[j].id, is->id) == 0)
                                config_error(e, g, "issuer '%s' is defined twice", is->id);
                keys = config_setting_get_member(g, "keys");
                for (int k = 0; k < config_setting_length(keys) && is->n_keys < CONFIG_MAX_ITEMS; k++) {
                        const config_setting_t *kg = config_setting_get_elem(keys, (unsigned) k);
                        if (!schema_check_group(e, kg, "an issuer key", key_keys, ELEMENTSOF(key_keys)))
                                continue;
                        IssuerKeyConf *kc = &is->keys[is->n_keys++];
                        kc->kid = schema_get_string(kg, "kid", NULL);
                        kc->file = schema_get_string(kg, "file", NULL);
                        check_path(e, config_setting_get_member(kg, "file"), "file", kc->file);
                        kc->pem = schema_get_string(kg, "pem", NULL);
                        kc->line = config_setting_source_line(kg);
                        if (!!kc->file == !!kc->pem)
                                config_error(e, kg, "an issuer key needs exactly one of 'file' and 'pem'");
                        if (strlen(kc->kid) == 0 || strlen(kc->kid) > COSE_KID_MAX)
                                config_error(e, kg, "kid must be 1-%d characters", COSE_KID_MAX);
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

        if (!schema_check_list(e, root, "locks", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *s;
                int64_t line = -1;

                if (!schema_check_group(e, g, "a lock", keys, ELEMENTSOF(keys))) {
                        if (broken_item_id(g))
                                c->locks[c->n_locks++].hal.id = broken_item_id(g);
                        continue;
                }
                LockConfig *l = &c->locks[c->n_locks++].hal;
                l->id = schema_get_string(g, "id", NULL);
                l->backend = schema_get_string(g, "backend", NULL);
                l->chip = schema_get_string(g, "chip", NULL);
                l->line_name = schema_get_string(g, "line_name", NULL);
                l->sim_output = schema_get_string(g, "output", NULL);
                check_path(e, config_setting_get_member(g, "output"), "output", l->sim_output);
                l->active_low = (s = config_setting_get_member(g, "active_low")) && config_setting_get_bool(s);
                l->safe_state = lock_safe_state_from_string(schema_get_string(g, "safe_state", "locked"));
                if (!config_id_is_valid(l->id))
                        config_error(e, g, "lock id '%s' must be 1-32 letters, digits or '_'", l->id);
                if (l->safe_state < 0)
                        config_error(e, config_setting_get_member(g, "safe_state"), "safe_state must be \"locked\" or \"unlocked\"");
                if (schema_get_int(e, g, "line", -1, -1, 1023, &line))
                        l->line_offset = (int) line;
                if (strcmp(l->backend, "sim") != 0 && strcmp(l->backend, "gpiod") != 0)
                        config_error(e, config_setting_get_member(g, "backend"), "backend must be \"sim\" or \"gpiod\"");
                else if (strcmp(l->backend, "gpiod") == 0 && (l->line_offset < 0) == !l->line_name)
                        config_error(e, g, "a gpiod lock needs exactly one of 'line' (offset on 'chip') and 'line_name'");
                else if (strcmp(l->backend, "gpiod") == 0 && l->line_offset >= 0 && !l->chip)
                        config_error(e, g, "a gpiod lock given by 'line' offset needs 'chip'");
                if (l->sim_output && strcmp(l->backend, "sim") != 0)
                        config_error(e, config_setting_get_member(g, "output"), "'output' is for the sim backend only");
                for (size_t j = 0; j + 1 < c->n_locks; j++)
                        if (l->id && strcmp(c->locks[j].hal.id, l->id) == 0)
                                config_error(e, g, "lock '%s' is defined twice", l->id);
        }
}

static void parse_doors(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "lock", K_STRING }, { "unlock_ms", K_INT },
                { "scopes", K_STRING_ARRAY, true }, { "statuses", K_STRING_ARRAY }, { "dcc_types", K_STRING_ARRAY },
                { "schedule", K_STRING },
                { "barcodes", K_STRING_ARRAY },
                { "cards", K_BOOL }, { "barcode_allow", K_STRING },
                { "area", K_STRING }, { "side", K_STRING },
                { "contact", K_GROUP }, { "rex", K_GROUP }, { "lock_feedback", K_GROUP }, { "held_open_s", K_INT },
                { "debounce_ms", K_INT }, { "lock_feedback_grace_ms", K_INT },
                { "feedback", K_GROUP }, { "interlock", K_STRING },
                { "contact_nc", K_GROUP }, { "exit_pulse", K_GROUP },
        };
        const config_setting_t *list;

        if (!schema_check_list(e, root, "doors", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i), *s;
                int64_t ms;

                if (!schema_check_group(e, g, "a door", keys, ELEMENTSOF(keys))) {
                        if (broken_item_id(g)) {
                                /* Its lock too, when it names one: a door whose group is wrong
                                 * is one problem, not also one "without a lock". */
                                c->doors[c->n_doors].lock = config_setting_get_string(config_setting_get_member(g, "lock"));
                                c->doors[c->n_doors++].id = broken_item_id(g);
                        }
                        continue;
                }
                DoorConf *d = &c->doors[c->n_doors++];
                d->id = schema_get_string(g, "id", NULL);
                d->lock = schema_get_string(g, "lock", NULL);
                if (!config_id_is_valid(d->id))
                        config_error(e, g, "door id '%s' must be 1-32 letters, digits or '_' (it names a D-Bus object)", d->id);
                for (size_t j = 0; j + 1 < c->n_doors; j++)
                        if (strcmp(c->doors[j].id, d->id) == 0)
                                config_error(e, g, "door '%s' is defined twice", d->id);
                config_parse_door_io(e, d, g);
                config_parse_door_feedback(e, d, g);
                d->interlock = schema_get_string(g, "interlock", NULL);
                if (d->interlock && !config_id_is_valid(d->interlock))
                        config_error(e, config_setting_get_member(g, "interlock"),
                                     "door '%s' interlock group '%s' must be 1-32 letters, digits or '_'", d->id, d->interlock);
                /* A pulse long enough to walk through, short enough that a door is not left open. */
                if (schema_get_int(e, g, "unlock_ms", 3000, 100, 60000, &ms))
                        d->unlock_ms = (uint32_t) ms;

                d->lock_index = SIZE_MAX;
                for (size_t j = 0; d->lock && j < c->n_locks; j++)
                        if (strcmp(c->locks[j].hal.id, d->lock) == 0)
                                d->lock_index = j;
                /* No lock: only a lending station's door (check_doors_without_lock()). */
                if (d->lock && d->lock_index == SIZE_MAX)
                        config_error(e, config_setting_get_member(g, "lock"), "door '%s' names lock '%s', which is not defined in 'locks'", d->id, d->lock);

                s = config_setting_get_member(g, "scopes");
                for (int k = 0; k < config_setting_length(s) && d->n_scopes < CONFIG_MAX_ITEMS; k++) {
                        const char *sc = config_setting_get_string_elem(s, k);
                        if (!scope_is_valid(sc))
                                config_error(e, s, "scope '%s' is not 1-64 characters [A-Za-z0-9._-]", sc);
                        d->scopes[d->n_scopes++] = sc;
                }
                if (d->n_scopes == 0)
                        config_error(e, s, "door '%s' accepts no scope, so it could never open", d->id);

                if ((s = config_setting_get_member(g, "schedule"))) {
                        d->schedule = config_find_schedule(c, config_setting_get_string(s));
                        if (!d->schedule)
                                config_error(e, s, "door '%s' names schedule '%s', which is not defined in 'schedules'",
                                             d->id, config_setting_get_string(s));
                }

                s = config_setting_get_member(g, "dcc_types");
                for (int k = 0; s && k < config_setting_length(s); k++) {
                        unsigned mask;
                        const char *t = config_setting_get_string_elem(s, k);
                        if (dcc_types_from_string(t, &mask) < 0)
                                config_error(e, s, "EU DCC type '%s' is not vaccination, test, recovery or all", t);
                        else
                                d->dcc_types |= mask;
                }

                /* A printed barcode proves nothing about who holds it (docs/code-format.md §7): a
                 * door honours one only when it says so, format by format. */
                s = config_setting_get_member(g, "barcodes");
                for (int k = 0; s && k < config_setting_length(s); k++) {
                        const char *b = config_setting_get_string_elem(s, k);
                        CodeFormat f = barcode_format_from_config_name(b);
                        if (f == CODE_FORMAT_UNKNOWN)
                                config_error(e, s, "barcode format '%s' is not codabar, ean13 or isbn", b);
                        else
                                d->barcodes |= 1u << f;
                }

                /* A card is shown again and again (docs/code-format.md §8): only a door that
                 * says so takes one. */
                s = config_setting_get_member(g, "cards");
                d->cards = s && config_setting_get_bool(s);

                /* Which barcodes, as people: the file is read by config_build_barcode_allow(). */
                if ((s = config_setting_get_member(g, "barcode_allow"))) {
                        d->barcode_allow = config_setting_get_string(s);
                        d->barcode_allow_line = (int) config_setting_source_line(s);
                        check_path(e, s, "barcode_allow", d->barcode_allow);
                        if (d->barcodes == 0)
                                config_error(e, s, "door '%s' has a 'barcode_allow' list but honours no barcode format "
                                             "(add 'barcodes', e.g. [ \"codabar\" ])", d->id);
                }
                config_parse_door_area(e, c, d, g);

                s = config_setting_get_member(g, "statuses");
                if (!s)
                        d->status_mask = 1u << CODE_STATUS_GREEN;
                for (int k = 0; s && k < config_setting_length(s); k++) {
                        CodeStatus st = code_status_from_string(config_setting_get_string_elem(s, k));
                        if (st < 0)
                                config_error(e, s, "status '%s' is not green, yellow or red", config_setting_get_string_elem(s, k));
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
        const config_setting_t *g = schema_get_group(root, "token");
        TokenConf *t = &c->token;

        if (!g || !schema_check_group(e, g, "token", keys, ELEMENTSOF(keys)))
                return;
        t->enabled = true;
        t->module = schema_get_string(g, "module", NULL);
        t->uri = schema_get_string(g, "uri", NULL);
        t->sign_key = schema_get_string(g, "sign_key", "device-key");
        t->hmac_key = schema_get_string(g, "hmac_key", "hmac-key");
        t->pin_credential = schema_get_string(g, "pin_credential", NULL);
        t->pin_file = schema_get_string(g, "pin_file", NULL);
        check_path(e, config_setting_get_member(g, "module"), "module", t->module);
        check_path(e, config_setting_get_member(g, "pin_file"), "pin_file", t->pin_file);
        if (strncmp(t->uri, "pkcs11:", 7) != 0)
                config_error(e, config_setting_get_member(g, "uri"), "token uri must be a PKCS#11 URI (pkcs11:token=...)");
        if (t->pin_credential && t->pin_file)
                config_error(e, g, "token takes one of 'pin_credential' and 'pin_file', not both");
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
        const config_setting_t *g = schema_get_group(root, "dcc"), *s;
        DccConf *d = &c->dcc;

        d->trust_age_policy = trust_list_age_policy_from_string("deny");
        if (!g || !schema_check_group(e, g, "dcc", keys, ELEMENTSOF(keys)))
                return;
        s = config_setting_get_member(g, "trust_list");
        for (int i = 0; i < config_setting_length(s) && d->n_trust_list < CONFIG_MAX_ITEMS; i++) {
                d->trust_list[d->n_trust_list] = config_setting_get_string_elem(s, i);
                d->trust_list_line[d->n_trust_list] = (int) config_setting_source_line(config_setting_get_elem(s, (unsigned) i));
                check_path(e, config_setting_get_elem(s, (unsigned) i), "trust_list", d->trust_list[d->n_trust_list]);
                d->n_trust_list++;
        }
        (void) schema_get_int(e, g, "trust_max_age", 0, 0, INT64_C(10) * 365 * 86400, &d->trust_max_age);
        if ((s = config_setting_get_member(g, "trust_age_policy"))) {
                d->trust_age_policy = trust_list_age_policy_from_string(config_setting_get_string(s));
                if (d->trust_age_policy < 0)
                        config_error(e, s, "trust_age_policy must be \"deny\" or \"warn\"");
        }
}

static const char *const clock_untrusted_table[_CLOCK_UNTRUSTED_MAX] = {
        [CLOCK_UNTRUSTED_REFUSE] = "refuse",
        [CLOCK_UNTRUSTED_NARROW] = "narrow",
        [CLOCK_UNTRUSTED_ACCEPT] = "accept",
};

DEFINE_STRING_TABLE_LOOKUP(clock_untrusted, ClockUntrusted);

static void parse_clock(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = { { "untrusted", K_STRING }, { "narrow_window", K_INT } };
        const config_setting_t *g = schema_get_group(root, "clock"), *s;

        /* A Raspberry Pi has no real-time clock: after a power cut it runs on a stale time until
         * NTP answers, and a screenshot from then is valid by that clock. Refuse by default. */
        c->clock = (ClockConf) { .untrusted = CLOCK_UNTRUSTED_REFUSE, .narrow_window = 10 };
        if (!g || !schema_check_group(e, g, "clock", keys, ELEMENTSOF(keys)))
                return;
        if ((s = config_setting_get_member(g, "untrusted"))) {
                c->clock.untrusted = clock_untrusted_from_string(config_setting_get_string(s));
                if (c->clock.untrusted < 0) {
                        config_error(e, s, "untrusted must be \"refuse\", \"narrow\" or \"accept\"");
                        c->clock.untrusted = CLOCK_UNTRUSTED_REFUSE;
                }
        }
        /* No wider than the longest lifetime a QG1 code may have: narrow must be narrower. */
        (void) schema_get_int(e, g, "narrow_window", c->clock.narrow_window, 1, 120, &c->clock.narrow_window);
}

static void parse_denylist(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = { { "directory", K_STRING, true }, { "max_age", K_INT } };
        const config_setting_t *g = schema_get_group(root, "denylist"), *s;
        DenyListConf *d = &c->denylist;

        if (!g || !schema_check_group(e, g, "denylist", keys, ELEMENTSOF(keys)))
                return;
        s = config_setting_get_member(g, "directory");
        d->directory = config_setting_get_string(s);
        d->line = (int) config_setting_source_line(s);
        check_path(e, s, "directory", d->directory);
        /* Up to ten years, as dcc.trust_max_age: 0 is no limit. */
        (void) schema_get_int(e, g, "max_age", 0, 0, INT64_C(10) * 365 * 86400, &d->max_age);
}

static void parse_audit(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "checkpoint_records", K_INT }, { "checkpoint_seconds", K_INT }, { "durability", K_STRING },
                { "group_ms", K_INT }, { "max_file_size", K_INT }, { "max_file_age", K_INT }, { "max_files", K_INT },
                { "max_age", K_INT }, { "on_write_error", K_STRING }, { "pseudonym_timeout_ms", K_INT },
                { "min_age", K_INT },
        };
        const config_setting_t *g = schema_get_group(root, "audit");
        AuditConf *a = &c->audit;
        const char *s;
        int64_t v;

        *a = AUDIT_CONF_DEFAULTS;
        if (!g || !schema_check_group(e, g, "audit", keys, ELEMENTSOF(keys)))
                return;
        if (schema_get_int(e, g, "checkpoint_records", a->checkpoint_records, 1, 100000, &v))
                a->checkpoint_records = (uint32_t) v;
        if (schema_get_int(e, g, "checkpoint_seconds", a->checkpoint_seconds, 1, 86400, &v))
                a->checkpoint_seconds = (uint32_t) v;
        s = schema_get_string(g, "durability", "sync");
        a->durability = audit_durability_from_string(s);
        if (a->durability < 0)
                config_error(e, config_setting_get_member(g, "durability"), "durability must be \"sync\" or \"grouped\"");
        if (schema_get_int(e, g, "group_ms", a->group_ms, 1, 10000, &v))
                a->group_ms = (uint32_t) v;
        /* Recovery reads the last file into memory at start: keep that small on a small board. */
        if (schema_get_int(e, g, "max_file_size", (int64_t) a->max_file_size, 4096, 64 * 1024 * 1024, &v))
                a->max_file_size = (uint64_t) v;
        if (schema_get_int(e, g, "max_file_age", a->max_file_age, 0, 366 * 86400, &v))
                a->max_file_age = (uint32_t) v;
        if (schema_get_int(e, g, "max_files", a->max_files, 0, 1000000, &v)) {
                a->max_files = (uint32_t) v;
                if (v == 1)
                        config_error(e, config_setting_get_member(g, "max_files"), "max_files must be 0 (no limit) or at least 2");
        }
        if (schema_get_int(e, g, "max_age", a->max_age, 0, 20 * 366 * 86400, &v))
                a->max_age = (uint32_t) v;
        if (schema_get_int(e, g, "min_age", a->min_age, 0, 366 * 86400, &v))
                a->min_age = (uint32_t) v;
        if (a->max_age > 0 && a->min_age > a->max_age)
                config_error(e, config_setting_get_member(g, "min_age"), "min_age must not be longer than max_age");
        s = schema_get_string(g, "on_write_error", "deny");
        if (strcmp(s, "deny") != 0 && strcmp(s, "grant") != 0)
                config_error(e, config_setting_get_member(g, "on_write_error"), "on_write_error must be \"deny\" or \"grant\"");
        a->grant_when_unwritable = strcmp(s, "grant") == 0;
        if (schema_get_int(e, g, "pseudonym_timeout_ms", a->pseudonym_timeout_ms, 10, 60000, &v))
                a->pseudonym_timeout_ms = (uint32_t) v;
}

/* Closes e->f. Returns 0 when nothing was reported (the text is freed), -EINVAL with the report
 * in *ret_errors (the caller frees it), or -ENOMEM. */
static int config_errors_finish(Errors *e, char **ret_errors) {
        if (fclose(e->f) != 0 || !e->buf)
                return -ENOMEM;
        if (e->count == 0) {
                free(e->buf);
                return 0;
        }
        *ret_errors = e->buf;
        return -EINVAL;
}

/* A door opens a lock; the one exception is a lending station's door, which identifies patrons
 * and opens nothing (config-station.c). */
static void check_doors_without_lock(Errors *e, const Config *c, const config_setting_t *root) {
        for (size_t i = 0; i < c->n_doors; i++) {
                const DoorConf *d = &c->doors[i];
                if (!d->id || d->lock || (c->station.enabled && c->station.door == d))
                        continue;
                config_error(e, NULL, "door '%s' has no 'lock': only the door a 'station' names may be without one", d->id);
        }
}

int config_load_for_check(const char *path, Config **ret, char **ret_errors) {
        static const Key root_keys[] = {
                { "state_directory", K_STRING }, { "verifier", K_GROUP }, { "bus", K_GROUP },
                { "issuers", K_LIST }, { "locks", K_LIST, true }, { "schedules", K_LIST }, { "doors", K_LIST, true },
                { "areas", K_LIST },
                { "sources", K_LIST },
                { "token", K_GROUP }, { "dcc", K_GROUP }, { "clock", K_GROUP }, { "audit", K_GROUP },
                { "policy", K_GROUP },
                { "denylist", K_GROUP },
                { "ils", K_GROUP }, { "station", K_GROUP },
        };
        _cleanup_(config_freep) Config *c = calloc(1, sizeof(Config));
        _cleanup_(freep) char *text = NULL;
        Errors e = { .file = path };
        size_t size = 0;
        int r;

        *ret = NULL;
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

        /* Every section is read even when the top level has problems (an unknown key there makes
         * no other section wrong), each only when it has the right type: one mistake must not
         * hide the others. */
        const config_setting_t *root = config_root_setting(&c->cfg);
        (void) schema_check_group(&e, root, "the top level", root_keys, ELEMENTSOF(root_keys));
        c->state_directory = schema_get_string(root, "state_directory", NULL);
        check_path(&e, config_setting_get_member(root, "state_directory"), "state_directory", c->state_directory);
        parse_verifier(&e, c, root);
        parse_bus(&e, c, root);
        parse_issuers(&e, c, root);
        parse_locks(&e, c, root);
        config_parse_schedules(&e, c, root);
        config_parse_areas(&e, c, root);
        parse_doors(&e, c, root);
        config_parse_sources(&e, c, root);
        parse_token(&e, c, root);
        parse_dcc(&e, c, root);
        parse_clock(&e, c, root);
        parse_audit(&e, c, root);
        config_parse_policy(&e, c, root);
        parse_denylist(&e, c, root);
        config_parse_ils(&e, c, root);
        config_parse_station(&e, c, root);
        check_doors_without_lock(&e, c, root);

        r = config_errors_finish(&e, ret_errors);
        if (r != -ENOMEM)
                *ret = TAKE_PTR(c);
        return r;
}

int config_load(const char *path, Config **ret, char **ret_errors) {
        _cleanup_(config_freep) Config *c = NULL;
        int r;

        r = config_load_for_check(path, &c, ret_errors);
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
