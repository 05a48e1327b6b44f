/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* io.qrgate.Gate1.Lending: what the lending service asks of the gate (docs/lending.md, "Lending
 * service → qrgated") — a receipt signed by the device key, and a record in the audit log. The
 * service has the network and the ILS; the keys and the log stay here, and so does the judgement
 * of what may be signed: only a Receipt built and checked here, of this station, now. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/receipt.h"
#include "daemon/audit.h"
#include "daemon/bus.h"
#include "daemon/log.h"

/* A receipt's time is when its session finished: the service asks for it at once, so minutes of
 * difference mean a wrong clock on one side, or an old receipt being signed again. */
#define RECEIPT_TIME_SLACK 300
/* How long a signature waits for an absent token before the caller is told it is unavailable;
 * well within a D-Bus client's default 25 s. */
#define RECEIPT_SIGN_WAIT_USEC (5U * 1000000U)
/* RecordLending's bounds: an outcome is a word, a detail a sentence. */
#define LEND_OUTCOME_MAX 32
#define LEND_DETAIL_MAX 128

/* A receipt waiting for the token: the call is answered when the signature comes. */
struct ReceiptSigning {
        ReceiptSigning *next;
        Manager *manager;
        sd_bus_message *call;
        Receipt receipt;
        uint8_t kid[RECEIPT_KID_SIZE];
};

static void signing_free(ReceiptSigning *s) {
        for (ReceiptSigning **p = &s->manager->receipt_signings; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        break;
                }
        sd_bus_message_unref(s->call);
        free(s);
}

void bus_lending_drop_pending(Manager *m) {
        while (m->receipt_signings)
                signing_free(m->receipt_signings);
}

static int invalid(sd_bus_error *error, const char *fmt, ...) _printf_(2, 3);
static int invalid(sd_bus_error *error, const char *fmt, ...) {
        char why[256];
        va_list ap;

        va_start(ap, fmt);
        (void) vsnprintf(why, sizeof(why), fmt, ap);
        va_end(ap);
        return sd_bus_error_set(error, BUS_ERROR_INVALID_ARGS, why);
}

/* Copies a string argument into a fixed field, refusing rather than cutting one that is longer. */
static bool copy_text(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);

        if (n >= size)
                return false;
        memcpy(dst, src, n + 1);
        return true;
}

static int read_items(sd_bus_message *msg, Receipt *rc, sd_bus_error *error) {
        uint32_t kind, outcome;
        const char *id, *words;
        int64_t due;
        int r;

        r = sd_bus_message_enter_container(msg, 'a', "(usuxs)");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read(msg, "(usuxs)", &kind, &id, &outcome, &due, &words)) > 0) {
                ReceiptItem *it;

                if (rc->n_items == RECEIPT_ITEMS_MAX)
                        return invalid(error, "a receipt has 1-%d items, not more", RECEIPT_ITEMS_MAX);
                it = &rc->items[rc->n_items++];
                if (kind < RECEIPT_CHECKOUT || kind >= _RECEIPT_KIND_MAX)
                        return invalid(error, "item %zu: kind %u is not 1 (checkout), 2 (checkin) or 3 (renew)", rc->n_items,
                                       kind);
                if (outcome >= _RECEIPT_OUTCOME_MAX)
                        return invalid(error, "item %zu: outcome %u is not 0 (ok) or 1 (refused)", rc->n_items, outcome);
                it->kind = (ReceiptKind) kind;
                it->outcome = (ReceiptOutcome) outcome;
                it->due = due;
                if (!copy_text(it->id, sizeof(it->id), id))
                        return invalid(error, "item %zu: its id is longer than %d bytes", rc->n_items, RECEIPT_ITEM_ID_MAX);
                if (!copy_text(it->words, sizeof(it->words), words))
                        return invalid(error, "item %zu: the ILS's words are longer than %d bytes", rc->n_items,
                                       RECEIPT_WORDS_MAX);
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(msg);
}

static void on_signed(TokenService *t, const TokenResult *res, void *userdata) {
        ReceiptSigning *s = userdata;
        _cleanup_(freep) uint8_t *cose = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t n = 0;
        int r;

        if (res->error < 0 || res->size != RECEIPT_SIGNATURE_SIZE) {
                log_warning("Station: a receipt could not be signed: %s.", res->reason ?: "the token gave no signature");
                (void) sd_bus_reply_method_errorf(s->call, BUS_ERROR_TOKEN_UNAVAILABLE, "the token did not sign: %s",
                                                  res->reason ?: "no signature");
                signing_free(s);
                return;
        }
        r = receipt_assemble(&s->receipt, s->kid, res->data, &cose, &n);
        if (r >= 0)
                r = receipt_text(cose, n, &text);
        if (r < 0) {
                log_error_errno(r, "Station: cannot assemble a signed receipt: %m");
                (void) sd_bus_reply_method_errno(s->call, r, NULL);
        } else
                (void) sd_bus_reply_method_return(s->call, "s", text);
        signing_free(s);
}

/* SignReceipt(s station, x time, ay patron, a(usuxs) items) → s text. */
static int method_sign_receipt(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const StationConf *st = &m->config->station;
        _cleanup_(freep) ReceiptSigning *s = calloc(1, sizeof(ReceiptSigning));
        _cleanup_(freep) uint8_t *sig_structure = NULL;
        _cleanup_(freep) void *spki = NULL;
        size_t spki_size = 0, sig_size = 0, patron_size = 0;
        const char *station, *why = NULL;
        const void *patron;
        int64_t now = (int64_t) time(NULL);
        int r;

        if (!s)
                return -ENOMEM;
        Receipt *rc = &s->receipt;
        r = sd_bus_message_read(msg, "sx", &station, &rc->time);
        if (r >= 0)
                r = sd_bus_message_read_array(msg, 'y', &patron, &patron_size);
        if (r < 0)
                return r;
        /* Authorised before anything is judged: others learn nothing of the station from the
         * errors. */
        r = bus_check_caller(m, msg, error);
        if (r < 0)
                return r;
        if (strcmp(station, st->id) != 0)
                return invalid(error, "station '%.64s' is not this station ('%s')", station, st->id);
        if (rc->time < now - RECEIPT_TIME_SLACK || rc->time > now + RECEIPT_TIME_SLACK)
                return invalid(error, "time %lld is %lld s from qrgated's clock (%lld): at most %d s apart",
                               (long long) rc->time, (long long) (rc->time > now ? rc->time - now : now - rc->time),
                               (long long) now, RECEIPT_TIME_SLACK);
        if (patron_size < 1 || patron_size > RECEIPT_PATRON_MAX)
                return invalid(error, "the patron pseudonym is %zu bytes, not 1-%d", patron_size, RECEIPT_PATRON_MAX);
        memcpy(rc->patron, patron, patron_size);
        rc->patron_len = patron_size;
        (void) copy_text(rc->station, sizeof(rc->station), st->id); /* 1-64 bytes, config-station.c */
        r = read_items(msg, rc, error);
        if (r < 0)
                return r;
        if (receipt_check(rc, &why) < 0)
                return invalid(error, "%s", why);

        if (!m->token)
                return sd_bus_error_set(error, BUS_ERROR_TOKEN_UNAVAILABLE, "no token is configured: receipts need the device key");
        /* The key id names the key that signs; the public key is what the token had when it was
         * last present (no token call here). */
        r = token_export_pubkey(m->token, TOKEN_KEY_FORMAT_DER, &spki, &spki_size);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_UNAVAILABLE, "the device key is not known: %s",
                                         r == -ENODATA ? "the token has not been present since qrgated started"
                                         : r == -ENOKEY ? "no device key is configured" : strerror(-r));
        r = receipt_key_id(spki, spki_size, s->kid);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_UNAVAILABLE, "the device key is not an EC P-256 key");
        r = receipt_sig_structure(rc, s->kid, &sig_structure, &sig_size);
        if (r < 0)
                return r;

        s->manager = m;
        s->call = sd_bus_message_ref(msg);
        r = token_sign_async(m->token, sig_structure, sig_size, RECEIPT_SIGN_WAIT_USEC, on_signed, s, NULL);
        if (r < 0) {
                sd_bus_message_unref(s->call);
                return sd_bus_error_setf(error, BUS_ERROR_TOKEN_UNAVAILABLE, "the token service took no request: %s",
                                         r == -EAGAIN ? "its queue is full" : strerror(-r));
        }
        s->next = m->receipt_signings;
        m->receipt_signings = TAKE_PTR(s);
        return 1; /* answered in on_signed() */
}

/* Text the lending service gives for the log: without control characters, at most max bytes (min
 * 1 when required). sd-bus has checked that it is UTF-8. */
static bool lend_text_ok(const char *s, size_t min, size_t max) {
        size_t n = strlen(s);

        if (n < min || n > max)
                return false;
        for (const char *p = s; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static bool outcome_ok(const char *s) {
        size_t n = strlen(s);

        if (n < 1 || n > LEND_OUTCOME_MAX)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
                        return false;
        return true;
}

/* RecordLending(s kind, s item, s outcome, s detail, ay pseudonym). */
static int method_record_lending(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        static const char *const kinds[] = { "checkout", "checkin", "renew", "refusal" };
        Manager *m = userdata;
        const char *kind, *item, *outcome, *detail;
        const void *pseudonym;
        size_t pseudonym_size = 0, k;
        int r;

        r = sd_bus_message_read(msg, "ssss", &kind, &item, &outcome, &detail);
        if (r >= 0)
                r = sd_bus_message_read_array(msg, 'y', &pseudonym, &pseudonym_size);
        if (r < 0)
                return r;
        r = bus_check_caller(m, msg, error);
        if (r < 0)
                return r;
        for (k = 0; k < ELEMENTSOF(kinds); k++)
                if (strcmp(kind, kinds[k]) == 0)
                        break;
        if (k == ELEMENTSOF(kinds))
                return invalid(error, "kind '%.32s' is not checkout, checkin, renew or refusal", kind);
        /* A refusal may be of the patron (blocked, over the cap) and name no item. */
        if (!lend_text_ok(item, strcmp(kind, "refusal") == 0 ? 0 : 1, RECEIPT_ITEM_ID_MAX))
                return invalid(error, "the item id must be 1-%d bytes of UTF-8 without control characters%s",
                               RECEIPT_ITEM_ID_MAX, strcmp(kind, "refusal") == 0 ? " (or empty for a refusal)" : "");
        if (!outcome_ok(outcome))
                return invalid(error, "the outcome must be a word of 1-%d lower-case letters, digits or '-' "
                               "(ok, refused, queued or a refusal reason)", LEND_OUTCOME_MAX);
        if (!lend_text_ok(detail, 0, LEND_DETAIL_MAX))
                return invalid(error, "the detail must be at most %d bytes of UTF-8 without control characters",
                               LEND_DETAIL_MAX);
        if (pseudonym_size != 0 && pseudonym_size != AUDIT_HASH_SIZE)
                return invalid(error, "the pseudonym is %zu bytes: it is the %d of PatronVerified, or empty",
                               pseudonym_size, AUDIT_HASH_SIZE);

        if (!m->audit)
                return sd_bus_error_set(error, BUS_ERROR_AUDIT_UNAVAILABLE, "there is no audit log");
        r = audit_log_lend(m->audit, m->config->station.door_id, kind, item, outcome, detail,
                           pseudonym_size > 0 ? pseudonym : NULL);
        if (r < 0)
                return sd_bus_error_setf(error, BUS_ERROR_AUDIT_UNAVAILABLE, "the record could not be kept: %s", strerror(-r));
        return sd_bus_reply_method_return(msg, NULL);
}

const sd_bus_vtable bus_lending_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD_WITH_ARGS("SignReceipt",
                                SD_BUS_ARGS("s", station, "x", time, "ay", patron, "a(usuxs)", items),
                                SD_BUS_RESULT("s", text), method_sign_receipt, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("RecordLending",
                                SD_BUS_ARGS("s", kind, "s", item, "s", outcome, "s", detail, "ay", pseudonym),
                                SD_BUS_NO_RESULT, method_record_lending, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
