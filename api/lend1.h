/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The names of the lending service's D-Bus API as qrgated calls it (docs/lending.md, "qrgated →
 * lending service"): the one place they are spelled, for the daemon and the tests. The service,
 * qrgate-lendd, owns the name and serves the object; qrgated only calls. */

#define BUS_LEND_NAME "io.qrgate.Lend1"
#define BUS_LEND_PATH "/io/qrgate/Lend1"
/* The interface qrgated calls: PatronVerified(s patron, ay pseudonym), ItemScanned(s text). */
#define BUS_LEND_GATE_IFACE "io.qrgate.Lend1.Gate"
/* The kiosk's (docs/io.qrgate.Lend1.xml). */
#define BUS_LEND_STATION_IFACE "io.qrgate.Lend1.Station"
#define BUS_LEND_ERROR_NOT_AUTHORIZED "io.qrgate.Lend1.Error.NotAuthorized"
#define BUS_LEND_ERROR_NO_SESSION "io.qrgate.Lend1.Error.NoSession"
