/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The MESSAGE_IDs of the events an operator searches the journal for, defined once here
 * (systemd's sd-messages.h is the model). Each was made once with `systemd-id128 new` and never
 * changes: appliances in the field are searched with `journalctl MESSAGE_ID=...`. Each has an
 * entry in systemd/qrgate.catalog (what happened, what to do), shown by `journalctl -x`;
 * docs/journal.md lists them. A new event gets a new ID, a catalog entry and a line there. */

/* Life cycle. */
#define QRGATE_MESSAGE_STARTED "150243da937148848fd4b6da43eb5ce0"  /* running, READY=1 sent */
#define QRGATE_MESSAGE_STARTED_DEGRADED "064462abdae0402593f4610e4d17a6a4" /* running without what it could not open */
#define QRGATE_MESSAGE_STOPPING "e76bee35b06a47448dbfce4890b470d2" /* SIGTERM/SIGINT received */
#define QRGATE_MESSAGE_STOPPED "ca6d5704897f4c57b0bbe33d05973bb5"  /* clean exit, every lock safe */

/* Decisions: every one carries QRGATE_DOOR, QRGATE_REASON, QRGATE_FORMAT and QRGATE_SOURCE. */
#define QRGATE_MESSAGE_GRANTED "c6d2150f61f64e6fa69576f440328222"
#define QRGATE_MESSAGE_DENIED "4a26e89d32ec4519b491fa924339c696"

/* Locks. */
#define QRGATE_MESSAGE_LOCK_FAULT "c1efcf5bd0e84eb3b44eeb650ef8d191"    /* cannot unlock: the door stays shut */
#define QRGATE_MESSAGE_LOCK_NOT_SAFE "048d38550ad341a1839828a746625743" /* cannot relock: it may be open */

/* The token (pkcs11/token.h). */
#define QRGATE_MESSAGE_TOKEN_ABSENT "ade11d9d579747638296c04585395452"
#define QRGATE_MESSAGE_TOKEN_PRESENT "509b6f5f28b64dcebba1e0999f9335d2"
#define QRGATE_MESSAGE_TOKEN_PIN "f64bd65d041d44a095cade16e3876c88" /* PIN rejected, final try, locked */

/* The audit log (docs/audit.md). */
#define QRGATE_MESSAGE_AUDIT_FAILING "68dbb8901de54a41be138b9ea2709752"
#define QRGATE_MESSAGE_AUDIT_RECOVERED "cd4854803e9148ed9f6889ed1bcaab82"

/* Configuration. */
#define QRGATE_MESSAGE_CONFIG_RELOADED "55d65c988e224cd895c4555f43b3d8d9"
#define QRGATE_MESSAGE_CONFIG_REFUSED "a2b89920e58e4bfabc3d2863e7850e46"
#define QRGATE_MESSAGE_DCC_TRUST_OUTDATED "bd495134bc3a4d39ab44e4473c01a383" /* docs/dcc.md, "Age" */

/* The signed deny-list (docs/denylist.md). */
#define QRGATE_MESSAGE_DENYLIST_LOADED "d95f0191693840b9b7fb49dc73bb720e"   /* a list put in force */
#define QRGATE_MESSAGE_DENYLIST_REFUSED "3f8ad4fdf3484f899d36a61719d5f21a"  /* a list refused; the old one stays */
#define QRGATE_MESSAGE_DENYLIST_OUTDATED "7b7375fdb6914d4ca9abf033be88757b" /* older than denylist.max_age */

/* The system clock (daemon/clock.h). */
#define QRGATE_MESSAGE_CLOCK_UNSYNCHRONIZED "f8ff1a41234c4b5884d86e5125a5df9f" /* not synchronized (at start) */
#define QRGATE_MESSAGE_CLOCK_SYNCHRONIZED "08994bbf8d8f4d7cbb3ec04d32eb5660"   /* synchronized since */

/* Areas (daemon/area.h, docs/areas.md). */
#define QRGATE_MESSAGE_AREA_STATE_REFUSED "7ec6825624a44d4e9fc8cf71eef8f5c6" /* a state file not used */
#define QRGATE_MESSAGE_AREA_OCCUPANCY_SET "b0ec713088704a7da108c914b9136aea" /* an operator set the count */
/* Doors as doors (daemon/door-io.c): every one carries QRGATE_DOOR; alarms QRGATE_REASON too. */
#define QRGATE_MESSAGE_DOOR_ALARM "e20abb2155de469ebc645a4444d7a8c2"         /* forced-open, held-open, lock-fault, tamper raised */
#define QRGATE_MESSAGE_DOOR_ALARM_CLEARED "3c7501bf88814db69a3dbc91e906de48" /* and cleared */
#define QRGATE_MESSAGE_DOOR_EXIT_REQUEST "271f5eece815454280ca92df1e990e12"  /* the exit button opened the door (or could not) */
#define QRGATE_MESSAGE_DOOR_INPUT_FAULT "d688047eace64949a7d1107ee0a40fca"   /* an input line cannot be opened or read */
/* A lending station (daemon/station.h, docs/lending.md): the lending service did not take a call
 * (said once per kind of failure). */
#define QRGATE_MESSAGE_LENDING_FAILED "f83b94c932f24955883e20ef88e0baf5"
