/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What config.c (loading) and config-build.c (what is built from a loaded configuration) share.
 * Not for use outside config/. */

#include <libconfig.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "core/rate-table.h"

/* Problems are collected, not returned one at a time: an operator fixing a file wants them all. */
typedef struct Errors {
        const char *file;
        FILE *f;
        char *buf;
        size_t size;
        unsigned count;
} Errors;


/* Reports one problem at s (NULL: no line) as "file:line: message", and counts it. */
_printf_(3, 4) void config_error(Errors *e, const config_setting_t *s, const char *fmt, ...);

/* The schema of a group: its keys, their types, which are required (config-schema.c). */
typedef enum KeyType { K_STRING, K_INT, K_BOOL, K_GROUP, K_LIST, K_STRING_ARRAY, K_INT_ARRAY } KeyType;

typedef struct Key {
        const char *name;
        KeyType type;
        bool required;
} Key;

/* Checks group g, called what in messages ("a door"), against its n keys: unknown names (with
 * "did you mean" when one key is close), wrong types, missing required keys. Returns false if
 * anything was wrong, so callers skip reading a broken group. */
bool schema_check_group(Errors *e, const config_setting_t *g, const char *what, const Key *keys, size_t n);
/* The string member name of g, or def when there is none (the type was checked). */
const char *schema_get_string(const config_setting_t *g, const char *name, const char *def);
/* The integer member name of g, or def; false (and reported) when outside min..max. */
bool schema_get_int(Errors *e, const config_setting_t *g, const char *name, int64_t def, int64_t min, int64_t max,
                    int64_t *ret);
/* The top-level list name in *ret; false when it is absent or has more than CONFIG_MAX_ITEMS
 * entries (reported). */
bool schema_check_list(Errors *e, const config_setting_t *root, const char *name, const config_setting_t **ret);
/* The group name at the top level; NULL when it is absent or not a group (the top level's
 * schema check reports that). */
const config_setting_t *schema_get_group(const config_setting_t *root, const char *name);

/* A name used to refer to an item: 1-32 letters, digits or '_' (usable in a D-Bus object path). */
bool config_id_is_valid(const char *s);

/* Reports path, the value of key at s, when it is relative (paths must be absolute). */
void config_check_path(Errors *e, const config_setting_t *s, const char *key, const char *path);
/* The top-level list "sources" (config-sources.c); after the doors, which they name. */
void config_parse_sources(Errors *e, Config *c, const config_setting_t *root);

/* The top-level list "schedules" (config-schedule.c); before the doors, which name them. */
void config_parse_schedules(Errors *e, Config *c, const config_setting_t *root);
/* The group "ils" (config-ils.c): the lending station's SIP2 connection. */
void config_parse_ils(Errors *e, Config *c, const config_setting_t *root);
/* The group "station" (config-station.c); after the doors and "ils". */
void config_parse_station(Errors *e, Config *c, const config_setting_t *root);
/* The schedule called id, or NULL. */
const Schedule *config_find_schedule(const Config *c, const char *id);

/* The top-level group "policy" (config-policy.c). */
void config_parse_policy(Errors *e, Config *c, const config_setting_t *root);
/* The top-level list "areas" (config-area.c); before the doors, which name them. */
void config_parse_areas(Errors *e, Config *c, const config_setting_t *root);
/* A door's "area" and "side" keys (g is the door's group). */
void config_parse_door_area(Errors *e, const Config *c, DoorConf *d, const config_setting_t *g);
/* Reports path at s when it is not absolute (config.c says why paths must be). */
void config_check_path(Errors *e, const config_setting_t *s, const char *key, const char *path);
/* The door's inputs and their timings in door group g (config-door-io.c). */
void config_parse_door_io(Errors *e, DoorConf *d, const config_setting_t *g);
/* The door's lights, buzzer and patterns in door group g (config-door-feedback.c). */
void config_parse_door_feedback(Errors *e, DoorConf *d, const config_setting_t *g);

/* config_load(), except that a file whose text could be parsed is handed back in *ret even when
 * it has problems (-EINVAL, with *ret_errors), with everything that could be read: the check
 * command builds the keys and trust list it names from that, so that no problem hides another.
 * Never for running a gate. On -EINVAL *ret may be NULL (the text could not be parsed). */
int config_load_for_check(const char *path, Config **ret, char **ret_errors);
