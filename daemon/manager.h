/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The Manager owns everything the daemon runs: the event loop, the bus connection, the
 * configuration and what is built from it (keys, verifier, locks, doors, code sources). Children
 * point back to it. */

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "api/gate1.h"
#include "config/config.h"
#include "core/rate-table.h"
#include "core/denylist-record.h"
#include "core/verifier.h"
#include "daemon/decide.h"
#include "hal/lock.h"
#include "pkcs11/token.h"

typedef struct Door Door;
typedef struct Area Area;
typedef struct Source Source;
typedef struct PendingDecision PendingDecision;
typedef struct Audit Audit;
typedef struct SubjectKey SubjectKey;
typedef struct ReceiptSigning ReceiptSigning;

typedef enum ManagerState {
        MANAGER_STARTING,
        MANAGER_RUNNING,
        MANAGER_DEGRADED, /* running, but something needs attention: daemon/faults.h says what */
        MANAGER_STOPPING,
        _MANAGER_STATE_MAX,
} ManagerState;

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        char *bus_address; /* "system", "user" or a D-Bus address */
        char *config_path;
        Config *config;
        Keystore *keys;
        ReplayCache *replay;
        Verifier verifier;
        char *state_directory;
        int state_fd, state_lock_fd;     /* the state directory, and our exclusive hold on it */
        int runtime_fd, runtime_lock_fd; /* the runtime directory (daemon/lock-record.h), our hold */
        bool lock_record_written;        /* the record names our locks: remove it once they are safe */
        gid_t operator_gids[CONFIG_MAX_ITEMS]; /* config.operator_groups, resolved (daemon/bus-auth.c) */
        size_t n_operator_gids;
        gid_t ui_gids[CONFIG_MAX_ITEMS];       /* config.ui_groups, resolved */
        size_t n_ui_gids;
        Lock *locks[CONFIG_MAX_ITEMS]; /* as configured: NULL for one that could not be opened */
        size_t n_locks;
        Door *doors[CONFIG_MAX_ITEMS];
        size_t n_doors;
        Area *areas[CONFIG_MAX_ITEMS]; /* as configured (daemon/area.h) */
        size_t n_areas;
        Source *sources[CONFIG_MAX_ITEMS]; /* as configured: NULL for one that could not be opened */
        size_t n_sources;
        ManagerState state;
        char *status;    /* the STATUS= line last sent (daemon/faults.c) */
        bool lock_fault; /* a lock output failed while running */
        /* What the daemon started without, rather than not start at all (daemon/faults.h): the
         * keys and trust-list paths it could not read ("file:line: ..." lines, cleared by a reload
         * that reads them all), why the configured token's service could not start, and the
         * -errno of each configured lock and source that could not be opened (0: opened). A door
         * whose lock is not open is out of service: no code and no operator opens it. */
        char *key_faults;
        char *trust_faults;
        char *barcode_faults; /* the barcode allow-lists it could not read (daemon/door-barcodes.c) */
        char *token_fault;
        int lock_errors[CONFIG_MAX_ITEMS];
        int source_errors[CONFIG_MAX_ITEMS];
        TokenService *token;   /* NULL when no token is configured */
        TrustList *dcc_trust;  /* NULL when no EU DCC trust list is configured */
        bool dcc_trust_outdated_said; /* its age beyond dcc.trust_max_age was logged (daemon/reload.c) */
        sd_event_source *dcc_trust_timer; /* at the second it becomes outdated */
        /* Decisions waiting for their subject's pseudonym, oldest first (daemon/publish.c). */
        PendingDecision *pending_head, *pending_tail;
        Audit *audit; /* the audit log (daemon/audit.h); freed before the token it uses */
        /* Whether the system clock can be trusted (daemon/clock.h): synchronized since we
         * started; known once a source answered (not a fault before that); the poll while not. */
        bool clock_synchronized;
        bool clock_known;
        bool clock_timedated_absent; /* timedated did not answer: the kernel's flag is used */
        bool clock_unsynchronized_said;
        sd_event_source *clock_timer;
        sd_bus_slot *clock_query;
        /* The signed deny-list (daemon/denylist.h): the list in force (NULL: none), the highest
         * version ever accepted (from the state directory), the folder's watch, the timer at the
         * second the list becomes outdated, and why the folder is not watched (NULL: it is). */
        DenyList *denylist;
        DenyListRecord denylist_highest;
        sd_event_source *denylist_watch;
        sd_event_source *denylist_timer;
        char *denylist_fault;
        bool denylist_outdated_said;
        /* The key of subjects remembered between decisions (daemon/subject-key.h). */
        SubjectKey *subject_key;
        /* The rate limits per subject and per SubmitCode caller (daemon/rate-limit.h); NULL when
         * not configured. A flood of SubmitCode calls: refused since its first was reported. */
        RateTable *subject_rate;
        RateTable *bus_rate;
        bool bus_rate_flooding;
        uint64_t bus_rate_refused;
        sd_event_source *bus_rate_quiet;
        /* The kind of the last call the lending service did not take (daemon/station.h), said
         * once until it changes; NULL while calls go through. */
        char *lend_failure;
        /* Receipts waiting for the token's signature, their SignReceipt calls unanswered
         * (daemon/bus-lending.c). */
        ReceiptSigning *receipt_signings;
} Manager;

/* Reads and validates the configuration (every problem is logged) and creates the event loop. A
 * configuration that does not validate is refused (-EINVAL): it has no meaning to run by. Issuer
 * keys it names that cannot be read are not: the daemon runs without them, degraded (their codes
 * are refused as unknown-issuer). Returns 0 and a manager that must be freed with manager_free()
 * — which drives every lock it opened to its safe state — or -errno. bus_address: "system",
 * "user" or a D-Bus address. */
int manager_new(const char *config_path, const char *bus_address, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Opens what the configuration describes, in the order safety needs: the state directory (ours
 * alone, one daemon at a time), the replay cache, the token, the audit log, the trust list, the
 * record of held lock lines, then the locks and doors. No bus, no sources, no signals: a unit test
 * can decide codes on what this opens. Logs what fails. What the gate cannot be safe without
 * fails it: the state directory and replay cache (a replayed code would open), the audit log (no
 * opening without a record), the record of held lines (the safety net after a crash). What it
 * can run without is a fault instead: a token whose service cannot start, trust-list paths it
 * cannot read, a lock it cannot open (its doors are out of service). */
int manager_open(Manager *m);
/* manager_open(), then signals, the watchdog, the bus and the sources; READY=1. */
int manager_start(Manager *m);
int manager_run(Manager *m);

/* Makes the subject key and asks the token for its secret (daemon/subject-secret.c); when the
 * token's secret replaces the random one, manager_subject_key_changed() tells every holder of
 * subject state. */
int manager_open_subject_key(Manager *m);
void manager_subject_key_changed(Manager *m);

/* Whether a door may not open now, by any path (a code, an operator's Unlock): no opening
 * without a record, when the audit log cannot be written and on_write_error is "deny". */
bool manager_openings_refused(Manager *m);

Door *manager_find_door(Manager *m, const char *id);
const char *manager_state_to_string(ManagerState s);
