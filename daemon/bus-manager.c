/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <time.h>

#include "api/bus-connect.h"
#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/decide.h"
#include "daemon/door.h"
#include "daemon/faults.h"
#include "daemon/log.h"
#include "daemon/rate-limit.h"
#include "daemon/reload.h"


static int property_get_version(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        return sd_bus_message_append(reply, "s", QRGATE_VERSION);
}

static int property_get_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", manager_state_to_string(m->state));
}

static int property_get_doors(sd_bus *bus, const char *path, const char *interface, const char *property,
                              sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        int r = sd_bus_message_open_container(reply, 'a', "s");
        for (size_t i = 0; r >= 0 && i < m->n_doors; i++)
                r = sd_bus_message_append(reply, "s", m->doors[i]->id);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_token_present(sd_bus *bus, const char *path, const char *interface, const char *property,
                                      sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", m->token && token_service_is_present(m->token));
}

static int property_get_token_state(sd_bus *bus, const char *path, const char *interface, const char *property,
                                    sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *s = m->token ? token_state_to_string(token_service_get_state(m->token, NULL)) :
                        m->token_fault ? "unavailable" : "none";
        return sd_bus_message_append(reply, "s", s);
}

static int property_get_clock_synchronized(sd_bus *bus, const char *path, const char *interface, const char *property,
                                           sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "b", m->clock_synchronized);
}

/* What happens to codes while the clock is not synchronized: clock.untrusted, as configured. */
static int property_get_clock_untrusted(sd_bus *bus, const char *path, const char *interface, const char *property,
                                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "s", clock_untrusted_to_string(m->config->clock.untrusted));
}

static int property_get_faults(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        _cleanup_(faults_freep) char **faults = manager_faults(userdata);
        int r;

        if (!faults)
                return -ENOMEM;
        r = sd_bus_message_open_container(reply, 'a', "s");
        for (char **f = faults; r >= 0 && *f; f++)
                r = sd_bus_message_append(reply, "s", *f);
        return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int property_get_dcc_keys(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "u", (uint32_t) (m->dcc_trust ? trustlist_count(m->dcc_trust) : 0));
}

static int property_get_dcc_age(sd_bus *bus, const char *path, const char *interface, const char *property,
                                sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        return sd_bus_message_append(reply, "x", (int64_t) (m->dcc_trust ? trustlist_age(m->dcc_trust, (int64_t) time(NULL)) : -1));
}

static int property_get_denylist(sd_bus *bus, const char *path, const char *interface, const char *property,
                                 sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const DenyListInfo *info = m->denylist ? denylist_info(m->denylist) : NULL;
        uint64_t v = 0;

        if (info && strcmp(property, "DenyListVersion") == 0)
                v = info->version;
        else if (info && strcmp(property, "DenyListIssued") == 0)
                v = (uint64_t) info->issued * 1000000u;
        else if (info)
                v = info->entries;
        return sd_bus_message_append(reply, "t", v);
}

static int property_get_audit_head(sd_bus *bus, const char *path, const char *interface, const char *property,
                                   sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        char hash[2 * AUDIT_HASH_SIZE + 1] = "", checkpoint[2 * AUDIT_HASH_SIZE + 1] = "";
        AuditHead h = { .state = "off" };

        if (m->audit) {
                audit_get_head(m->audit, &h);
                for (size_t i = 0; i < AUDIT_HASH_SIZE; i++) {
                        snprintf(hash + 2 * i, 3, "%02x", h.hash[i]);
                        snprintf(checkpoint + 2 * i, 3, "%02x", h.checkpoint_hash[i]);
                }
        }
        return sd_bus_message_append(reply, "(tsttss)", h.seq, hash, h.durable_seq, h.checkpoint_seq, checkpoint, h.state);
}

static int method_submit_code(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *door, *code;
        char detail[sizeof(((Decision *) NULL)->detail)];
        uid_t uid;
        Decision d;
        int r;

        r = sd_bus_message_read(msg, "ss", &door, &code);
        if (r < 0)
                return r;
        r = bus_check_caller(m, msg, error);
        if (r < 0)
                return r;
        if (!manager_find_door(m, door))
                return sd_bus_error_setf(error, BUS_ERROR_UNKNOWN_DOOR, "No door '%.32s'", door);
        /* Per caller, as a scanner source's max_rate: a flood is refused before anything is verified,
         * and never delays another caller's code or a scanner's (daemon/rate-limit.h). */
        if (bus_caller_uid(msg, &uid) >= 0 && !bus_rate_take(m, uid, door, detail, sizeof(detail)))
                return sd_bus_reply_method_return(msg, "ss", "denied", reason_to_string(REASON_RATE_LIMITED));
        /* The bus hands us a NUL-terminated string; its length is bounded by the verifier. */
        r = decide(m, &(DecideRequest) { .door = door, .text = code, .len = strlen(code), .origin = "bus" }, &d);
        if (r < 0)
                return r;
        return sd_bus_reply_method_return(msg, "ss", d.granted ? "granted" : "denied", reason_to_string(d.reason));
}

static int method_reload(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        _cleanup_(freep) char *errors = NULL;
        Manager *m = userdata;
        int r;

        r = bus_check_caller(m, msg, error);
        if (r < 0)
                return r;
        r = manager_reload(m, &errors);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_INVALID_CONFIGURATION, "%s", errors ?: "configuration refused");
        return sd_bus_reply_method_return(msg, NULL);
}

/* After a PIN alarm the token service makes no login on its own (it must not burn the token's
 * retry counter): an operator who fixed the PIN, or unblocked it, asks for one more. The answer
 * comes at once; the login's outcome follows as a TokenState change. */
static int method_retry_token_login(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uid_t uid = (uid_t) -1;
        int r;

        r = bus_check_caller(m, msg, error);
        if (r < 0)
                return r;
        if (m->token_fault)
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_NOT_WAITING, "the token service did not start (%s): "
                                         "restart qrgated once that is fixed", m->token_fault);
        if (!m->token)
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_NOT_WAITING, "no token is configured");
        r = token_service_retry_login(m->token);
        if (r == -EALREADY)
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_NOT_WAITING,
                                         "the token is %s, not waiting for an operator: there is no login to retry",
                                         token_state_to_string(token_service_get_state(m->token, NULL)));
        if (r < 0)
                return r;
        (void) bus_caller_uid(msg, &uid);
        log_notice("Token: one more login, asked for by uid %u.", (unsigned) uid);
        return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable bus_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("State", "s", property_get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Faults", "as", property_get_faults, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Doors", "as", property_get_doors, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Areas", "as", bus_property_get_areas, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TokenPresent", "b", property_get_token_present, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("TokenState", "s", property_get_token_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ClockSynchronized", "b", property_get_clock_synchronized, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ClockUntrusted", "s", property_get_clock_untrusted, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DccTrustListKeys", "u", property_get_dcc_keys, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DccTrustListAge", "x", property_get_dcc_age, 0, SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION),
        SD_BUS_PROPERTY("DenyListVersion", "t", property_get_denylist, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DenyListIssued", "t", property_get_denylist, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("DenyListEntries", "t", property_get_denylist, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("AuditHead", "(tsttss)", property_get_audit_head, 0, 0),
        SD_BUS_METHOD_WITH_ARGS("SubmitCode", SD_BUS_ARGS("s", door, "s", code),
                                SD_BUS_RESULT("s", decision, "s", reason), method_submit_code, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Reload", NULL, NULL, method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("RetryTokenLogin", NULL, NULL, method_retry_token_login, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_ARGS("Decision",
                                SD_BUS_ARGS("s", decision, "s", reason, "s", format, "s", subject, "s", door,
                                            "t", timestamp_usec, "s", presenter),
                                0),
        SD_BUS_VTABLE_END,
};

void bus_emit_decision(Manager *m, const Decision *d) {
        int r;

        if (!m->bus)
                return;
        r = sd_bus_emit_signal(m->bus, BUS_PATH, BUS_MANAGER_IFACE, "Decision", "sssssts", d->granted ? "granted" : "denied",
                               reason_to_string(d->reason), code_format_to_string(d->format), d->subject, d->door,
                               d->timestamp_usec, d->presenter);
        if (r < 0)
                log_warning_errno(r, "Cannot emit the Decision signal: %m");
}

/* The objects below the manager, one per configured door, area and source. */
typedef struct ObjectKind {
        const char *prefix, *interface, *what;
        const sd_bus_vtable *vtable;
        sd_bus_object_find_t find;
        sd_bus_node_enumerator_t enumerate;
} ObjectKind;

static const ObjectKind object_kinds[] = {
        { BUS_DOOR_PREFIX, BUS_DOOR_IFACE, "doors", bus_door_vtable, bus_door_find, bus_door_enumerate },
        { BUS_AREA_PREFIX, BUS_AREA_IFACE, "areas", bus_area_vtable, bus_area_find, bus_area_enumerate },
        { BUS_SOURCE_PREFIX, BUS_SOURCE_IFACE, "sources", bus_source_vtable, bus_source_find, bus_source_enumerate },
};

int bus_setup(Manager *m) {
        int r;

        r = bus_connect(m->bus_address, &m->bus);
        if (r < 0)
                return log_error_errno(r, "Cannot connect to the %s bus: %m", m->bus_address);

        r = sd_bus_add_object_vtable(m->bus, NULL, BUS_PATH, BUS_MANAGER_IFACE, bus_manager_vtable, m);
        if (r < 0)
                return log_error_errno(r, "Cannot publish %s: %m", BUS_PATH);
        for (size_t i = 0; i < ELEMENTSOF(object_kinds); i++) {
                const ObjectKind *k = &object_kinds[i];

                r = sd_bus_add_fallback_vtable(m->bus, NULL, k->prefix, k->interface, k->vtable, k->find, m);
                if (r >= 0)
                        r = sd_bus_add_node_enumerator(m->bus, NULL, k->prefix, k->enumerate, m);
                if (r < 0)
                        return log_error_errno(r, "Cannot publish the %s: %m", k->what);
        }
        /* The lending service's way in exists only on a lending station: a door's gate offers no
         * signature to anyone. */
        if (m->config->station.enabled) {
                r = sd_bus_add_object_vtable(m->bus, NULL, BUS_PATH, BUS_LENDING_IFACE, bus_lending_vtable, m);
                if (r < 0)
                        return log_error_errno(r, "Cannot publish %s: %m", BUS_LENDING_IFACE);
        }
        r = sd_bus_add_object_manager(m->bus, NULL, BUS_PATH);
        if (r < 0)
                return log_error_errno(r, "Cannot publish the object manager: %m");
        r = sd_bus_attach_event(m->bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Cannot attach the bus to the event loop: %m");
        r = sd_bus_request_name(m->bus, BUS_NAME, 0);
        if (r < 0)
                return log_error_errno(r, "Cannot take the bus name %s (another qrgated running, or the bus policy "
                                          "does not allow it): %m", BUS_NAME);
        return 0;
}
