/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names of qrgated's D-Bus API, defined once for the daemon that serves it and for qrgatectl
 * and the tests that call it. docs/io.qrgate.Gate1.xml documents the objects, their members and
 * when each error is returned; tests/integration/test-bus-api.sh checks that document against
 * what the running daemon introspects. A Gate2 would get a header of its own beside this one. */

#define BUS_NAME "io.qrgate.Gate1"

/* The appliance as a whole: io.qrgate.Gate1.Manager (and the ObjectManager). */
#define BUS_PATH "/io/qrgate/Gate1"
#define BUS_MANAGER_IFACE "io.qrgate.Gate1.Manager"

/* One object per configured door: BUS_DOOR_PREFIX "/" <door id> (ids are [A-Za-z0-9_], so the id
 * goes into the path unescaped). */
#define BUS_DOOR_PREFIX "/io/qrgate/Gate1/door"
#define BUS_DOOR_IFACE "io.qrgate.Gate1.Door"

/* One object per configured area (docs/areas.md): BUS_AREA_PREFIX "/" <area id>. */
#define BUS_AREA_PREFIX "/io/qrgate/Gate1/area"
#define BUS_AREA_IFACE "io.qrgate.Gate1.Area"
/* One object per configured source (scanner): BUS_SOURCE_PREFIX "/" <source id> (ids are
 * [A-Za-z0-9_], unescaped). */
#define BUS_SOURCE_PREFIX "/io/qrgate/Gate1/source"
#define BUS_SOURCE_IFACE "io.qrgate.Gate1.Source"

/* The lending station's calls into the gate (docs/lending.md, "Lending service → qrgated"), on the
 * Manager's object, published only when a station is configured. */
#define BUS_LENDING_IFACE "io.qrgate.Gate1.Lending"

/* Errors. */
#define BUS_ERROR_NOT_AUTHORIZED "io.qrgate.Gate1.Error.NotAuthorized"
#define BUS_ERROR_UNKNOWN_DOOR "io.qrgate.Gate1.Error.UnknownDoor"
#define BUS_ERROR_INVALID_ARGUMENT "io.qrgate.Gate1.Error.InvalidArgument"
#define BUS_ERROR_INVALID_CONFIGURATION "io.qrgate.Gate1.Error.InvalidConfiguration"
#define BUS_ERROR_LOCK_FAILED "io.qrgate.Gate1.Error.LockFailed"
#define BUS_ERROR_AUDIT_UNAVAILABLE "io.qrgate.Gate1.Error.AuditUnavailable"
#define BUS_ERROR_TOKEN_NOT_WAITING "io.qrgate.Gate1.Error.TokenNotWaiting"
/* Unlock of a door configured without a lock: a lending station's, which opens nothing. */
#define BUS_ERROR_NO_LOCK "io.qrgate.Gate1.Error.NoLock"
/* The Lending interface's (docs/lending.md): a receipt or record the format refuses, said in
 * words; and a receipt asked for while no token can sign it. */
#define BUS_ERROR_INVALID_ARGS "io.qrgate.Gate1.Error.InvalidArgs"
#define BUS_ERROR_TOKEN_UNAVAILABLE "io.qrgate.Gate1.Error.TokenUnavailable"
