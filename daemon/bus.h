/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <systemd/sd-bus.h>

#include "daemon/manager.h"

/* D-Bus errors (docs/io.qrgate.Gate1.xml documents when each is returned). */
#define BUS_ERROR_NOT_AUTHORIZED "io.qrgate.Gate1.Error.NotAuthorized"
#define BUS_ERROR_UNKNOWN_DOOR "io.qrgate.Gate1.Error.UnknownDoor"
#define BUS_ERROR_INVALID_ARGUMENT "io.qrgate.Gate1.Error.InvalidArgument"
#define BUS_ERROR_INVALID_CONFIGURATION "io.qrgate.Gate1.Error.InvalidConfiguration"
#define BUS_ERROR_LOCK_FAILED "io.qrgate.Gate1.Error.LockFailed"

/* Connects to the configured bus, publishes the objects and takes the bus name. */
int bus_setup(Manager *m);

void bus_emit_decision(Manager *m, const Decision *d);

/* The permission table: every method is listed with who may call it (fprintd's lesson: an
 * unclassified method is a programming error, caught by bus_check_caller()). */
typedef enum BusPermission {
        BUS_PERMISSION_ANYONE,   /* whoever the bus policy lets through */
        BUS_PERMISSION_OPERATOR, /* root, operator_uids, members of operator_groups */
} BusPermission;

/* Checks the caller of m against the method's permission. Returns 1 when allowed; otherwise a
 * negative errno with error set (NotAuthorized, or why the credentials could not be read), which
 * a method handler returns as it is. */
int bus_check_caller(Manager *mgr, sd_bus_message *m, sd_bus_error *error);

/* Resolves the group names of the configuration (operators, UI) to gids, at start and reload. */
void bus_auth_resolve_groups(Manager *m);

extern const sd_bus_vtable bus_manager_vtable[];
extern const sd_bus_vtable bus_door_vtable[];
int bus_door_find(sd_bus *bus, const char *path, const char *interface, void *userdata, void **found, sd_bus_error *error);
int bus_door_enumerate(sd_bus *bus, const char *path, void *userdata, char ***nodes, sd_bus_error *error);
