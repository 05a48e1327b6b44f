/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* qrgate-lendd, the lending service (docs/lending.md): the station's session
 * (lending/station.h) driven by what qrgated hands over on D-Bus and by the ILS's answers
 * (lendd/ils-worker.h), shown to the kiosk screen as io.qrgate.Lend1. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "api/gate1.h"
#include "api/lend1.h"
#include "config/config.h"
#include "lendd/ils-worker.h"
#include "lending/station.h"


#define LENDD_AWAITED_MAX RECEIPT_ITEMS_MAX
#define LENDD_FAULT_MAX 256

/* A transaction sent for the open (or just finished) session, until the ILS settles it. */
typedef struct Awaited {
        uint64_t cookie; /* the job's, until the queue names it */
        uint64_t id;     /* the queue's; 0 until ILS_REPLY_QUEUED */
        LendKind kind;
        bool queue_only; /* queued offline: its result is the acceptance, not the ILS's answer */
        int64_t offline_due;
        char item[LEND_ID_MAX + 1];
        uint8_t pseudonym[RECEIPT_PATRON_MAX];
        size_t pseudonym_len;
} Awaited;

typedef struct GateCall GateCall;
#define GATE_CALL_WAITING_MAX 256 /* calls to qrgated waiting to be asked again */

typedef struct Lendd {
        sd_event *event;
        sd_bus *bus;
        char *bus_address;
        Config *config;
        Station *station;
        IlsWorker *worker;
        sd_event_source *worker_source, *tick, *retry;

        bool online;      /* the ILS answered last time it was asked */
        bool renew_mode;  /* items scanned in this session are renewals */
        uint64_t next_cookie;
        Awaited awaited[LENDD_AWAITED_MAX];
        size_t n_awaited;

        /* The open session's patron as the receipt names them, and the finished one's. */
        uint8_t pseudonym[RECEIPT_PATRON_MAX], last_pseudonym[RECEIPT_PATRON_MAX];
        size_t pseudonym_len, last_pseudonym_len;
        bool receipt_wanted; /* the last session finished; its receipt waits for pending items */
        char *last_receipt;  /* QGR1 text, "" until one was made */
        char last_end[16];

        size_t queue_length;
        int64_t queue_oldest;
        char ils_fault[LENDD_FAULT_MAX]; /* why the ILS is not reachable, "" when it is */
        char stuck[LENDD_FAULT_MAX];     /* a fault someone must act on, "" when none */
        char receipt_fault[LENDD_FAULT_MAX];
        char printer_fault[LENDD_FAULT_MAX];
        bool ils_seen;   /* the ILS answered once since the start */
        GateCall *gate_waiting[GATE_CALL_WAITING_MAX]; /* calls to qrgated to ask again (lendd-gate.c) */
        size_t n_gate_waiting;
        sd_event_source *gate_retry;
} Lendd;

int lendd_new(const char *config_path, const char *bus_address, Lendd **ret);
Lendd *lendd_free(Lendd *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(Lendd *, lendd_free);
int lendd_run(Lendd *l);

/* lendd-session.c: the station's events. */
void lendd_patron_verified(Lendd *l, const char *patron, const uint8_t *pseudonym, size_t pseudonym_len);
void lendd_item_scanned(Lendd *l, const char *text);
int lendd_finish(Lendd *l, bool cancel);
int lendd_begin_returns(Lendd *l);
int lendd_begin_renewals(Lendd *l);
void lendd_worker_reply(Lendd *l, const IlsReply *r);
void lendd_tick(Lendd *l);
void lendd_retry_ils(Lendd *l);

/* lendd-print.c: prints the signed receipt when the station has a printer; a failure is a fault. */
void lendd_print_receipt(Lendd *l, const Receipt *rc, const char *text);

/* lendd-bus.c */
int lendd_bus_setup(Lendd *l);
/* The kiosk's properties that changed; NULL-terminated names. */
void lendd_bus_changed(Lendd *l, ...) _sentinel_;
void lendd_bus_emit_item(Lendd *l, const char *kind, const char *item, const char *outcome, int64_t due, const char *words);
void lendd_bus_emit_refused(Lendd *l, const char *reason, const char *detail);
void lendd_bus_emit_finished(Lendd *l, const char *end, const char *receipt);
/* "running" or "degraded", and the faults behind it. */
const char *lendd_state(const Lendd *l);

/* lendd-gate.c: qrgated's io.qrgate.Gate1.Lending, asynchronously, asked again every second for a
 * minute while qrgated is away or not ready; what still fails is logged. */
void lendd_bus_record(Lendd *l, const char *kind, const char *item, const char *outcome, const char *detail,
                      const uint8_t *pseudonym, size_t pseudonym_len);
int lendd_bus_sign_receipt(Lendd *l, const Receipt *r);
void lendd_gate_free_waiting(Lendd *l);
