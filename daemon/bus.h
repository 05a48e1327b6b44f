/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <systemd/sd-bus.h>

#include "api/gate1.h"
#include "daemon/manager.h"

/* Connects to the configured bus, publishes the objects and takes the bus name. */
int bus_setup(Manager *m);

void bus_emit_decision(Manager *m, const Decision *d);

/* The permission table: every method is listed with who may call it (fprintd's lesson: an
 * unclassified method is a programming error, caught by bus_check_caller()). The caller is the
 * uid the bus recorded for its connection (bus_caller_uid()); its groups are that uid's in the
 * user and group databases, never those of the process that has the caller's pid at call time. */
typedef enum BusPermission {
        BUS_PERMISSION_ANYONE,   /* whoever the bus policy lets through */
        BUS_PERMISSION_UI,       /* a local UI: ui_uids, members of ui_groups; and every operator */
        BUS_PERMISSION_OPERATOR, /* root, operator_uids, members of operator_groups */
        /* The lending service (docs/lending.md): the connection that owns its bus name
         * (api/lend1.h) now, and root; no uid or group of the configuration. */
        BUS_PERMISSION_LENDING,
        _BUS_PERMISSION_MAX,
        _BUS_PERMISSION_INVALID = -EINVAL,
} BusPermission;

/* Checks the caller of m against the method's permission (Reload also admits the daemon's own
 * uid, which the unit's ExecReload= runs as). Returns 1 when allowed; otherwise a
 * negative errno with error set (NotAuthorized, or why the caller's uid or groups could not be
 * read), which a method handler returns as it is. Logs refusals with the method and the uid. */
int bus_check_caller(Manager *mgr, sd_bus_message *m, sd_bus_error *error);

/* The uid of the connection that sent m, as the bus vouches for it (the kernel's SO_PEERCRED at
 * connect time), never read from /proc. Returns 0, or a negative errno when the bus did not say;
 * does not log. For anything that records or judges who called (the audit record of Unlock). */
int bus_caller_uid(sd_bus_message *m, uid_t *ret_uid);

/* Resolves the group names of the configuration (operators, UI) to gids, at start and reload. */
void bus_auth_resolve_groups(Manager *m);

/* The id in path below prefix ("PREFIX/ID"), or NULL when path is not one of prefix's objects. */
const char *bus_object_id(const char *path, const char *prefix);
/* For an enumerator: a NULL-terminated list of copies of the n object paths path(m, i).
 * Returns 0, or -ENOMEM. */
int bus_object_paths(const Manager *m, size_t n, const char *(*path)(const Manager *m, size_t i), char ***ret);

extern const sd_bus_vtable bus_manager_vtable[];
extern const sd_bus_vtable bus_door_vtable[];
int bus_door_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error);
int bus_door_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);
extern const sd_bus_vtable bus_area_vtable[];
/* The Manager's Areas property: the configured areas' ids. */
int bus_property_get_areas(sd_bus *bus, const char *path, const char *interface, const char *property,
                           sd_bus_message *reply, void *userdata, sd_bus_error *error);
int bus_area_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error);
int bus_area_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);
extern const sd_bus_vtable bus_source_vtable[];
/* io.qrgate.Gate1.Lending on BUS_PATH (daemon/bus-lending.c): published only with a station. */
extern const sd_bus_vtable bus_lending_vtable[];
/* Drops the receipts still waiting for the token (at shutdown, after the token service is gone:
 * their callers get no answer, as from a daemon that stopped). */
void bus_lending_drop_pending(Manager *m);
int bus_source_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error);
int bus_source_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);
