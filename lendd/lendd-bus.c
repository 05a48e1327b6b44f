/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lending service on D-Bus (docs/io.qrgate.Lend1.xml): the kiosk's view of the session, the
 * calls qrgated makes to hand over a patron or an item, and the calls this service makes to
 * qrgated to sign a receipt and to record a loan in the audit log. */

#include <grp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "api/bus-connect.h"
#include "daemon/log.h"
#include "lendd/lendd.h"

const char *lendd_state(const Lendd *l) {
        return l->stuck[0] || l->ils_fault[0] || l->receipt_fault[0] || l->printer_fault[0] || l->queue_length > 0 ?
                       "degraded" : "running";
}

/* Whether the caller is the current owner of name: the only process the bus policy lets own it. */
static bool caller_owns(sd_bus_message *m, const char *name) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        const char *owner = NULL, *sender = sd_bus_message_get_sender(m);

        if (!sender || sd_bus_get_name_creds(sd_bus_message_get_bus(m), name, SD_BUS_CREDS_UNIQUE_NAME, &c) < 0 ||
            sd_bus_creds_get_unique_name(c, &owner) < 0)
                return false;
        return strcmp(owner, sender) == 0;
}

static bool gid_in_groups(gid_t gid, const char *const *groups, size_t n) {
        for (size_t i = 0; i < n; i++) {
                struct group *g = getgrnam(groups[i]);
                if (g && g->gr_gid == gid)
                        return true;
        }
        return false;
}

/* Root, an operator (the configuration's bus.operator_* settings), or for the kiosk's own
 * buttons also the kiosk (bus.ui_groups): what the bus policy allows, checked again here so that
 * a looser policy elsewhere does not open the queue to anyone. */
static int check_caller(Lendd *l, sd_bus_message *m, bool operator_only, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        const Config *cfg = l->config;
        const gid_t *gids = NULL;
        uid_t uid;
        int n;

        if (sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_EGID, &c) < 0 ||
            sd_bus_creds_get_euid(c, &uid) < 0)
                return sd_bus_error_set(error, BUS_LEND_ERROR_NOT_AUTHORIZED, "Cannot tell who the caller is.");
        if (uid == 0)
                return 0;
        for (size_t i = 0; i < cfg->n_operator_uids; i++)
                if (cfg->operator_uids[i] == uid)
                        return 0;
        n = sd_bus_creds_get_supplementary_gids(c, &gids);
        for (int i = 0; i < n; i++)
                if (gid_in_groups(gids[i], cfg->operator_groups, cfg->n_operator_groups) ||
                    (!operator_only && gid_in_groups(gids[i], cfg->ui_groups, cfg->n_ui_groups)))
                        return 0;
        return sd_bus_error_setf(error, BUS_LEND_ERROR_NOT_AUTHORIZED, "%s is for %s.", sd_bus_message_get_member(m),
                                 operator_only ? "operators" : "the kiosk and operators");
}

static int method_patron_verified(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        Lendd *l = userdata;
        const char *patron;
        const void *p;
        size_t n;
        int r;

        if (!caller_owns(m, BUS_NAME))
                return sd_bus_error_set(error, BUS_LEND_ERROR_NOT_AUTHORIZED, "Only qrgated hands over patrons.");
        r = sd_bus_message_read(m, "s", &patron);
        if (r >= 0)
                r = sd_bus_message_read_array(m, 'y', &p, &n);
        if (r < 0)
                return r;
        if (n > RECEIPT_PATRON_MAX)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "A pseudonym is at most %d bytes.",
                                         RECEIPT_PATRON_MAX);
        lendd_patron_verified(l, patron, p, n);
        return sd_bus_reply_method_return(m, NULL);
}

static int method_item_scanned(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        const char *text;
        int r;

        if (!caller_owns(m, BUS_NAME))
                return sd_bus_error_set(error, BUS_LEND_ERROR_NOT_AUTHORIZED, "Only qrgated hands over scans.");
        r = sd_bus_message_read(m, "s", &text);
        if (r < 0)
                return r;
        lendd_item_scanned(userdata, text);
        return sd_bus_reply_method_return(m, NULL);
}

static int reply_or_no_session(sd_bus_message *m, int r, sd_bus_error *error) {
        if (r == -ENOENT)
                return sd_bus_error_set(error, BUS_LEND_ERROR_NO_SESSION, "No session is open.");
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(m, NULL);
}

static int method_finish(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = check_caller(userdata, m, false, error);
        if (r < 0)
                return r;
        return reply_or_no_session(m, lendd_finish(userdata, strcmp(sd_bus_message_get_member(m), "Cancel") == 0), error);
}

static int method_begin_returns(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = check_caller(userdata, m, false, error);
        if (r < 0)
                return r;
        return reply_or_no_session(m, lendd_begin_returns(userdata), error);
}

static int method_begin_renewals(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = check_caller(userdata, m, false, error);
        if (r < 0)
                return r;
        return reply_or_no_session(m, lendd_begin_renewals(userdata), error);
}

static int method_replay_queue(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = check_caller(userdata, m, true, error);
        if (r < 0)
                return r;
        lendd_retry_ils(userdata);
        return sd_bus_reply_method_return(m, NULL);
}

static int get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Lendd *l = userdata;
        StationView v;
        const char *s = "";

        station_view(l->station, &v);
        if (strcmp(property, "Station") == 0)
                s = l->config->station.id;
        else if (strcmp(property, "State") == 0)
                s = station_state_to_string(v.state);
        else if (strcmp(property, "Mode") == 0)
                s = v.state == STATION_RETURNS ? "returns" : v.state != STATION_READY ? "" : l->renew_mode ? "renew" : "borrow";
        else if (strcmp(property, "PatronName") == 0)
                s = v.screen_name ?: "";
        else if (strcmp(property, "Fines") == 0)
                s = v.fines ?: "";
        else if (strcmp(property, "ServiceState") == 0)
                s = lendd_state(l);
        else if (strcmp(property, "LastReceipt") == 0)
                s = l->last_receipt;
        return sd_bus_message_append(reply, "s", s);
}

static int get_uint(sd_bus *bus, const char *path, const char *interface, const char *property,
                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Lendd *l = userdata;
        StationView v;
        uint32_t u = 0;

        station_view(l->station, &v);
        if (strcmp(property, "Charged") == 0)
                u = v.charged;
        else if (strcmp(property, "Limit") == 0)
                u = v.limit;
        else if (strcmp(property, "MayBorrow") == 0)
                u = v.may_borrow;
        else if (strcmp(property, "QueueLength") == 0)
                u = (uint32_t) l->queue_length;
        return sd_bus_message_append(reply, "u", u);
}

static int get_items(sd_bus *bus, const char *path, const char *interface, const char *property,
                     sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Lendd *l = userdata;
        StationItemView it;
        int r;

        r = sd_bus_message_open_container(reply, 'a', "(sssxs)");
        for (size_t i = 0; r >= 0 && station_item_view(l->station, i, &it) >= 0; i++)
                r = sd_bus_message_append(reply, "(sssxs)", receipt_kind_to_string(it.kind), it.id, it.outcome, it.due,
                                          it.words);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int get_faults(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Lendd *l = userdata;
        char queued[128] = "";
        int r;

        if (l->queue_length > 0)
                snprintf(queued, sizeof(queued), "queue: %zu transaction%s wait%s for the ILS, the oldest made at %" PRId64,
                         l->queue_length, l->queue_length == 1 ? "" : "s", l->queue_length == 1 ? "s" : "",
                         l->queue_oldest);
        r = sd_bus_message_open_container(reply, 'a', "s");
        const char *faults[] = { l->stuck, l->ils_fault[0] && !l->stuck[0] ? l->ils_fault : "", queued, l->receipt_fault,
                                 l->printer_fault };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(faults); i++)
                if (faults[i][0])
                        r = sd_bus_message_append(reply, "s", faults[i]);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int get_online(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "b", ((Lendd *) userdata)->online);
}

static int get_oldest(sd_bus *bus, const char *path, const char *interface, const char *property,
                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "x", ((Lendd *) userdata)->queue_oldest);
}

static const sd_bus_vtable station_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Station", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Mode", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Online", "b", get_online, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PatronName", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Fines", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Charged", "u", get_uint, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Limit", "u", get_uint, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("MayBorrow", "u", get_uint, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Items", "a(sssxs)", get_items, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("QueueLength", "u", get_uint, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("QueueOldest", "x", get_oldest, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ServiceState", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Faults", "as", get_faults, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastReceipt", "s", get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_SIGNAL_WITH_NAMES("ItemResult", "sssxs", SD_BUS_PARAM(kind) SD_BUS_PARAM(item) SD_BUS_PARAM(outcome)
                                 SD_BUS_PARAM(due) SD_BUS_PARAM(words), 0),
        SD_BUS_SIGNAL_WITH_NAMES("Refused", "ss", SD_BUS_PARAM(reason) SD_BUS_PARAM(detail), 0),
        SD_BUS_SIGNAL_WITH_NAMES("SessionFinished", "ss", SD_BUS_PARAM(end) SD_BUS_PARAM(receipt), 0),
        SD_BUS_METHOD("Finish", "", "", method_finish, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Cancel", "", "", method_finish, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("BeginReturns", "", "", method_begin_returns, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("BeginRenewals", "", "", method_begin_renewals, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("ReplayQueue", "", "", method_replay_queue, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

static const sd_bus_vtable gate_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_NAMES("PatronVerified", "say", SD_BUS_PARAM(patron) SD_BUS_PARAM(pseudonym), "",,
                                 method_patron_verified, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ItemScanned", "s", SD_BUS_PARAM(text), "",, method_item_scanned,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};

int lendd_bus_setup(Lendd *l) {
        int r;

        r = bus_connect(l->bus_address, &l->bus);
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the %s bus: %m", l->bus_address);
        r = sd_bus_add_object_vtable(l->bus, NULL, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, station_vtable, l);
        if (r >= 0)
                r = sd_bus_add_object_vtable(l->bus, NULL, BUS_LEND_PATH, BUS_LEND_GATE_IFACE, gate_vtable, l);
        if (r < 0)
                return log_error_errno(r, "Cannot publish %s: %m", BUS_LEND_PATH);
        r = sd_bus_attach_event(l->bus, l->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the bus to the event loop: %m");
        r = sd_bus_request_name(l->bus, BUS_LEND_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Cannot take the bus name %s (another qrgate-lendd running, or the bus "
                                          "policy does not allow it): %m", BUS_LEND_NAME);
        return 0;
}

void lendd_bus_changed(Lendd *l, ...) {
        char *names[24];
        size_t n = 0;
        va_list ap;

        if (!l->bus)
                return;
        va_start(ap, l);
        for (char *s; n + 1 < ELEMENTSOF(names) && (s = va_arg(ap, char *));)
                names[n++] = s;
        va_end(ap);
        names[n] = NULL;
        (void) sd_bus_emit_properties_changed_strv(l->bus, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, names);
}

void lendd_bus_emit_item(Lendd *l, const char *kind, const char *item, const char *outcome, int64_t due, const char *words) {
        if (l->bus)
                (void) sd_bus_emit_signal(l->bus, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, "ItemResult", "sssxs", kind, item,
                                          outcome, due, words);
}

void lendd_bus_emit_refused(Lendd *l, const char *reason, const char *detail) {
        if (l->bus)
                (void) sd_bus_emit_signal(l->bus, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, "Refused", "ss", reason, detail);
}

void lendd_bus_emit_finished(Lendd *l, const char *end, const char *receipt) {
        if (l->bus)
                (void) sd_bus_emit_signal(l->bus, BUS_LEND_PATH, BUS_LEND_STATION_IFACE, "SessionFinished", "ss", end, receipt);
}
