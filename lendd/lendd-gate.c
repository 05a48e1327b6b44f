/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the lending service asks of qrgated (docs/lending.md, "Lending service → qrgated"): a
 * receipt signed by the device key, a loan recorded in the audit log. qrgated may be restarting
 * (a crash, an upgrade) or its token coming up; such a call is asked again every second for a
 * minute, so that a session that ends meanwhile still gets its receipt and its loans their
 * records. What still fails is said in the journal, naming what is missing. */

#include <stdlib.h>
#include <string.h>

#include "api/bus-locator.h"
#include "core/utf8.h"
#include "daemon/log.h"
#include "lendd/lendd.h"

#define GATE_CALL_ATTEMPTS 60
#define GATE_CALL_RETRY_USEC 1000000ULL

typedef enum GateCallKind {
        GATE_CALL_RECORD,
        GATE_CALL_SIGN,
} GateCallKind;

struct GateCall {
        Lendd *l;
        GateCallKind kind;
        unsigned attempts;
        Receipt receipt; /* SIGN */
        char what[16], item[LEND_ID_MAX + 1], outcome[48], detail[RECEIPT_WORDS_MAX + 1]; /* RECORD */
        uint8_t pseudonym[RECEIPT_PATRON_MAX];
        size_t pseudonym_len;
};

static int send_call(const GateCall *c);

/* Whether qrgated's token will come back by itself ("connecting" after a start, "absent" while
 * it retries), rather than wait for someone ("none", "unavailable", a PIN alarm: docs/token.md). */
static bool token_recovers(sd_bus *bus) {
        _cleanup_(freep) char *state = NULL;
        sd_bus_error e = SD_BUS_ERROR_NULL;

        if (bus_get_property_string(bus, bus_gate_manager, "TokenState", &e, &state) < 0) {
                sd_bus_error_free(&e);
                return true; /* qrgated itself is going away or coming back */
        }
        return strcmp(state, "connecting") == 0 || strcmp(state, "absent") == 0;
}

/* Worth asking again: qrgated is away, or its token or audit log not ready yet. */
static bool retryable(sd_bus *bus, const sd_bus_error *e) {
        static const char *const names[] = {
                SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_NO_REPLY,
                SD_BUS_ERROR_DISCONNECTED, BUS_ERROR_AUDIT_UNAVAILABLE,
        };

        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (sd_bus_error_has_name(e, names[i]))
                        return true;
        return sd_bus_error_has_name(e, BUS_ERROR_TOKEN_UNAVAILABLE) && token_recovers(bus);
}

/* Calls that wait to be asked again (at most GATE_CALL_WAITING_MAX), all at the next tick of one
 * timer. */
static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        Lendd *l = userdata;
        size_t n = l->n_gate_waiting;

        l->n_gate_waiting = 0;
        for (size_t i = 0; i < n; i++) {
                GateCall *c = l->gate_waiting[i];
                if (send_call(c) < 0)
                        log_error("Cannot ask qrgated again; the %s of item %s is not done.", c->what, c->item);
                free(c);
        }
        return 0;
}

/* Keeps a copy of c to ask again in a second; false when its attempts are used up or too many
 * calls wait already. */
static bool retry_later(const GateCall *c) {
        Lendd *l = c->l;
        GateCall *copy;
        uint64_t now;

        if (c->attempts >= GATE_CALL_ATTEMPTS || l->n_gate_waiting >= GATE_CALL_WAITING_MAX ||
            !(copy = malloc(sizeof(GateCall))))
                return false;
        *copy = *c;
        copy->attempts++;
        l->gate_waiting[l->n_gate_waiting++] = copy;
        (void) sd_event_now(l->event, CLOCK_MONOTONIC, &now);
        if (!l->gate_retry) {
                if (sd_event_add_time(l->event, &l->gate_retry, CLOCK_MONOTONIC, now + GATE_CALL_RETRY_USEC, 100000,
                                      on_retry, l) < 0)
                        log_warning("Cannot arm the timer to ask qrgated again.");
                return true;
        }
        if (sd_event_source_get_enabled(l->gate_retry, NULL) == 0) {
                (void) sd_event_source_set_time(l->gate_retry, now + GATE_CALL_RETRY_USEC);
                (void) sd_event_source_set_enabled(l->gate_retry, SD_EVENT_ONESHOT);
        }
        return true;
}

void lendd_gate_free_waiting(Lendd *l) {
        for (size_t i = 0; i < l->n_gate_waiting; i++)
                free(l->gate_waiting[i]);
        l->n_gate_waiting = 0;
        l->gate_retry = sd_event_source_disable_unref(l->gate_retry);
}

static void signed_ok(Lendd *l, const GateCall *c, const char *text) {
        char *copy = strdup(text);

        if (!copy) {
                log_error("Out of memory for the receipt's text.");
                return;
        }
        free(l->last_receipt);
        l->last_receipt = copy;
        l->receipt_fault[0] = '\0';
        log_info("Receipt signed for the session that ended (%s).", l->last_end);
        lendd_bus_emit_finished(l, l->last_end, l->last_receipt);
        lendd_bus_changed(l, "LastReceipt", "ServiceState", "Faults", NULL);
        lendd_print_receipt(l, &c->receipt, l->last_receipt);
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        static char last_record_error[128];
        const GateCall *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        Lendd *l = c->l;
        const char *text = NULL;

        if (e && retryable(l->bus, e) && retry_later(c))
                return 0;
        if (c->kind == GATE_CALL_RECORD) {
                if (!e) {
                        last_record_error[0] = '\0';
                        return 0;
                }
                /* Once per kind of failure: a qrgated that refuses them all would flood the journal. */
                if (strcmp(last_record_error, e->name) != 0)
                        log_error("qrgated did not record the %s of item %s (%s) in the audit log: %s: %s", c->what,
                                  c->item, c->outcome, e->name, e->message ?: "");
                snprintf(last_record_error, sizeof(last_record_error), "%s", e->name);
                return 0;
        }
        if (!e && sd_bus_message_read(m, "s", &text) >= 0) {
                signed_ok(l, c, text);
                return 0;
        }
        snprintf(l->receipt_fault, sizeof(l->receipt_fault), "no receipt: qrgated did not sign it: %s: %s",
                 e ? e->name : "a malformed answer", e && e->message ? e->message : "");
        log_error("%s", l->receipt_fault);
        lendd_bus_emit_finished(l, l->last_end, "");
        lendd_bus_changed(l, "ServiceState", "Faults", NULL);
        return 0;
}

static int append_receipt(sd_bus_message *m, const Receipt *rc) {
        int r;

        r = sd_bus_message_append(m, "sx", rc->station, rc->time);
        if (r >= 0)
                r = sd_bus_message_append_array(m, 'y', rc->patron, rc->patron_len);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(usuxs)");
        for (size_t i = 0; r >= 0 && i < rc->n_items; i++) {
                const ReceiptItem *it = &rc->items[i];
                r = sd_bus_message_append(m, "(usuxs)", (uint32_t) it->kind, it->id, (uint32_t) it->outcome, it->due,
                                          it->words);
        }
        return r < 0 ? r : sd_bus_message_close_container(m);
}

/* Sends a copy of c; the copy lives until its answer (or the bus's end). */
static int send_call(const GateCall *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        _cleanup_(freep) GateCall *copy = NULL;
        sd_bus *bus = c->l->bus;
        int r;

        if (!bus)
                return -ENOTCONN;
        copy = malloc(sizeof(GateCall));
        if (!copy)
                return -ENOMEM;
        *copy = *c;
        r = sd_bus_message_new_method_call(bus, &m, BUS_NAME, BUS_PATH, BUS_LENDING_IFACE,
                                           c->kind == GATE_CALL_SIGN ? "SignReceipt" : "RecordLending");
        if (r < 0)
                return r;
        if (c->kind == GATE_CALL_SIGN)
                r = append_receipt(m, &c->receipt);
        else {
                r = sd_bus_message_append(m, "ssss", c->what, c->item, c->outcome, c->detail);
                if (r >= 0)
                        r = sd_bus_message_append_array(m, 'y', c->pseudonym, c->pseudonym_len);
        }
        if (r < 0)
                return r;
        /* A token may take a second or more per signature; nothing here waits for it. */
        r = sd_bus_call_async(bus, &slot, m, on_reply, copy, 30 * 1000000ULL);
        if (r < 0)
                return r;
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        (void) sd_bus_slot_set_floating(slot, 1);
        TAKE_PTR(copy);
        return 0;
}

void lendd_bus_record(Lendd *l, const char *kind, const char *item, const char *outcome, const char *detail,
                      const uint8_t *pseudonym, size_t pseudonym_len) {
        _cleanup_(freep) GateCall *c = calloc(1, sizeof(GateCall));
        int r;

        if (!c) {
                log_error("Out of memory: the %s of item %s has no audit record.", kind, item ?: "");
                return;
        }
        c->l = l;
        c->kind = GATE_CALL_RECORD;
        snprintf(c->what, sizeof(c->what), "%s", kind);
        snprintf(c->item, sizeof(c->item), "%s", item ?: "");
        snprintf(c->outcome, sizeof(c->outcome), "%s", outcome);
        /* The audit record's detail is at most RECEIPT_WORDS_MAX bytes; an ILS's longer words are
         * cut at a character's boundary. */
        detail = detail ?: "";
        memcpy(c->detail, detail, utf8_cut(detail, RECEIPT_WORDS_MAX));
        if (pseudonym && pseudonym_len <= sizeof(c->pseudonym)) {
                memcpy(c->pseudonym, pseudonym, pseudonym_len);
                c->pseudonym_len = pseudonym_len;
        }
        r = send_call(c);
        if (r < 0)
                log_error_errno(r, "Cannot ask qrgated to record the %s of item %s: %m", kind, item ?: "");
}

int lendd_bus_sign_receipt(Lendd *l, const Receipt *rc) {
        _cleanup_(freep) GateCall *c = calloc(1, sizeof(GateCall));

        if (!c)
                return -ENOMEM;
        c->l = l;
        c->kind = GATE_CALL_SIGN;
        c->receipt = *rc;
        return send_call(c);
}
