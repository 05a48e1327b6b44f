/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The station's door hands patrons and items to the lending service (docs/lending.md, "qrgated →
 * lending service"). The door path never waits for it: each call is sent and forgotten, and
 * only its answer is looked at, on the loop, when it comes. */
#include <string.h>

#include "api/bus-locator.h"
#include "core/barcode-format.h"
#include "daemon/door-feedback.h"
#include "daemon/door.h"
#include "daemon/log.h"
#include "daemon/station.h"
#include "pkcs11/token.h"

bool station_is_door(const Manager *m, const char *door) {
        const StationConf *st = &m->config->station;

        return st->enabled && door && strcmp(st->door_id, door) == 0;
}

static void station_door_denied(Manager *m) {
        Door *d = manager_find_door(m, m->config->station.door_id);

        if (d)
                door_feedback_outcome(d, false);
}

/* A call the service did not take. Said once for each kind of failure (a service that is not
 * running would otherwise fill the journal with one line per scan), and again when it changes;
 * the person at the desk sees the denied pattern every time. kind names the failure: the D-Bus
 * error's name, or the errno's. */
static void call_failed(Manager *m, const char *member, const char *kind, const char *message) {
        station_door_denied(m);
        if (m->lend_failure && strcmp(m->lend_failure, kind) == 0)
                return;
        free(m->lend_failure);
        m->lend_failure = strdup(kind); /* NULL on OOM: the next failure is said again, no harm */
        log_struct(LOG_WARNING, 0, LOG_FIELDS(.message_id = QRGATE_MESSAGE_LENDING_FAILED, .door = m->config->station.door_id),
                   "Station %s: the lending service did not take %s: %s: %s. Its scans are refused until it does; "
                   "this is said again only when the failure changes.", m->config->station.id, member, kind,
                   message ?: "no message");
}

static void reply(Manager *m, const char *member, sd_bus_message *reply) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        if (e) {
                /* The bus's own errors say what happened in words of its own; the service's
                 * words may name the patron it was given, which no log line of ours may. */
                bool from_bus = e->name && strncmp(e->name, "org.freedesktop.DBus.Error.", 27) == 0;
                call_failed(m, member, e->name ?: "an unnamed error",
                            from_bus ? e->message : "(the lending service's words are not logged)");
                return;
        }
        if (m->lend_failure) {
                log_info("Station %s: the lending service takes calls again.", m->config->station.id);
                free(m->lend_failure);
                m->lend_failure = NULL;
        }
}

static int on_item_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        reply(userdata, "ItemScanned", m);
        return 0;
}

static int on_patron_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        reply(userdata, "PatronVerified", m);
        return 0;
}

/* A call that could not even be sent (no bus, out of memory, a full queue): a failure too. */
static void sent(Manager *m, const char *member, int r) {
        if (r < 0)
                call_failed(m, member, strerror(-r), "the call could not be sent");
}

/* What an item's text may be: printable ASCII, as every barcode is; anything else is no item of
 * ours, and a decision refuses it like any other junk line. */
static bool printable(const char *text, size_t n) {
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) text[i] < 0x20 || (unsigned char) text[i] > 0x7e)
                        return false;
        return true;
}

bool station_take_line(Manager *m, const char *door, const char *text, size_t n) {
        const StationConf *st = &m->config->station;
        Door *d;
        char buf[BARCODE_MAX_TEXT + 1];
        int r = -ENOTCONN;

        if (!station_is_door(m, door))
                return false;
        d = manager_find_door(m, door);
        if (!d || !station_line_is_item(&m->verifier, st->item_formats, d->barcode_allow, text, n))
                return false;
        /* Item barcodes are short (core/barcode-format.h): a longer line is refused as too long. */
        if (n > BARCODE_MAX_TEXT || !printable(text, n))
                return false;
        memcpy(buf, text, n);
        buf[n] = '\0';
        if (m->bus)
                r = sd_bus_call_method_async(m->bus, NULL, bus_lend_gate->destination, bus_lend_gate->path,
                                             bus_lend_gate->interface, "ItemScanned", on_item_reply, m, "s", buf);
        sent(m, "ItemScanned", r);
        return true;
}

const char *station_patron_id(Manager *m, const VerifyResult *res, const char *sub) {
        if (!m->config->station.patron_from_claim || !res->have_claims)
                return sub;
        if (res->claims.patron[0])
                return res->claims.patron;
        station_door_denied(m);
        log_struct(LOG_NOTICE, 0, LOG_FIELDS(.door = m->config->station.door_id),
                   "Station %s: a granted code carries no library patron id (claim -65541), which station.patron_id "
                   "= \"claim\" asks for; nobody was handed to the lending service.", m->config->station.id);
        return NULL;
}

void station_hand_patron(Manager *m, const char *patron, const uint8_t *pseudonym) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *msg = NULL;
        int r = -ENOTCONN;

        if (m->bus) {
                r = sd_bus_message_new_method_call(m->bus, &msg, bus_lend_gate->destination, bus_lend_gate->path,
                                                   bus_lend_gate->interface, "PatronVerified");
                if (r >= 0)
                        r = sd_bus_message_append(msg, "s", patron);
                if (r >= 0)
                        r = sd_bus_message_append_array(msg, 'y', pseudonym, pseudonym ? TOKEN_HMAC_SIZE : 0);
                if (r >= 0)
                        r = sd_bus_call_async(m->bus, NULL, msg, on_patron_reply, m, 0);
        }
        sent(m, "PatronVerified", r);
}
