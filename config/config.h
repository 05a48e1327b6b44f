/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The appliance configuration (libconfig syntax; etc/qrgate.conf documents every key).
 * Loading validates everything an operator can get wrong — syntax, unknown keys, types, ranges,
 * references between sections — and reports each problem as "file:line: message", so a typo
 * is an error and never silently ignored. Nothing here logs. */

#include <errno.h>
#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "audit/audit-conf.h"
#include "core/barcode-allow.h"
#include "core/area.h"
#include "core/feedback-pattern.h"
#include "core/keystore.h"
#include "core/schedule.h"
#include "core/trustlist.h"
#include "hal/input.h"
#include "hal/lock.h"
#include "hal/scanner.h"

#define CONFIG_DEFAULT_PATH "/etc/qrgate/qrgate.conf"
#define CONFIG_MAX_ITEMS 64 /* issuers, keys per issuer, locks, doors, sources, scopes */
#define CONFIG_ID_MAX 32    /* lock, door and source ids */
/* The shipped example is under 10 KiB; a file a hundred times that size is not a configuration. */
#define CONFIG_FILE_MAX (1024 * 1024)

typedef struct IssuerKeyConf {
        const char *kid;
        const char *file; /* exactly one of file and pem */
        const char *pem;
        int line;
} IssuerKeyConf;

typedef struct IssuerConf {
        const char *id;
        IssuerKeyConf keys[CONFIG_MAX_ITEMS];
        size_t n_keys;
} IssuerConf;

typedef struct LockConf {
        LockConfig hal; /* strings borrowed from the Config */
} LockConf;

/* An area behind doors (docs/areas.md): a pool or a reading room, counted and watched for
 * anti-passback; its doors name it and their side. */
typedef struct AreaConf {
        const char *id;
        uint32_t capacity;        /* 0: not limited */
        AreaPassback passback;
        int64_t presence_timeout; /* seconds after an entry its presence is forgotten */
        int64_t capacity_reset;   /* seconds since local midnight of the daily reset to 0; -1: none */
} AreaConf;

typedef enum AreaSide {
        AREA_SIDE_NONE,  /* the door belongs to no area */
        AREA_SIDE_ENTRY,
        AREA_SIDE_EXIT,
} AreaSide;

typedef struct DoorConf {
        const char *id;
        const char *lock;
        size_t lock_index;
        uint32_t unlock_ms;
        const char *scopes[CONFIG_MAX_ITEMS];
        size_t n_scopes;
        unsigned status_mask; /* bit (1 << CodeStatus) for each accepted colour */
        unsigned dcc_types;   /* DccType bits of EU DCC certificates accepted; 0 = none */
        const Schedule *schedule; /* its opening hours (in the Config's schedules); NULL: always open */
        unsigned barcodes;    /* bit (1 << CodeFormat) for each printed-barcode format honoured; 0 = none */
        bool cards;           /* static card codes are accepted (docs/code-format.md §8); default false */
        /* The file of barcodes this door honours, each mapped to a subject (core/barcode-allow.h);
         * NULL: any valid barcode of a listed format. */
        const char *barcode_allow;
        int barcode_allow_line; /* where it is named, for reports */
        const AreaConf *area; /* the area it leads into or out of (in the Config's areas); NULL: none */
        size_t area_index;
        AreaSide side;
        /* The door's inputs (config/config-door-io.c), each optional: its contact (active: open),
         * its request-to-exit button (active: pressed), its lock's feedback (active: unlocked). */
        InputConfig contact, rex, lock_feedback;
        bool has_contact, has_rex, has_lock_feedback;
        /* The contact's normally-closed twin on a second line (active: closed), only with a
         * contact: both lines at one level is a cut or shorted cable, the tamper alarm. */
        InputConfig contact_nc;
        bool has_contact_nc;
        /* A turnstile's exit pulse (active: one person went out): counts one out of the door's
         * area without opening anything (daemon/door-io.c). */
        InputConfig exit_pulse;
        bool has_exit_pulse;
        uint32_t held_open_s;    /* open longer than this after a valid passage: held-open; 0 = never */
        uint32_t debounce_ms;    /* an input's level counts once it held this long */
        uint32_t lock_feedback_grace_ms; /* the feedback may lag the command this long */
        /* The reader's lights and buzzer (config/config-door-feedback.c): output lines like a
         * lock's (safe_state "locked" = off), each optional, and the pattern of each outcome. */
        LockConfig feedback_out[_FEEDBACK_OUTPUT_MAX];
        bool has_feedback_out[_FEEDBACK_OUTPUT_MAX];
        char feedback_id[_FEEDBACK_OUTPUT_MAX][CONFIG_ID_MAX + 8]; /* "door.green": the outputs' ids */
        FeedbackPattern pattern_granted, pattern_denied, pattern_alarm, pattern_out_of_service;
        /* Its interlock group (an airlock, a ward's two doors): while one door of the group is
         * unlocked or open, no other of it opens. NULL: none. */
        const char *interlock;
} DoorConf;

/* The PKCS#11 token holding the device key and the pseudonym secret (docs/token.md). */
typedef struct TokenConf {
        bool enabled;
        const char *module, *uri, *sign_key, *hmac_key, *pin_credential, *pin_file;
} TokenConf;

/* EU DCC signer certificates (docs/dcc.md). */
typedef struct DccConf {
        const char *trust_list[CONFIG_MAX_ITEMS]; /* files or folders of DSCs */
        int trust_list_line[CONFIG_MAX_ITEMS];    /* where each is named, for reports */
        size_t n_trust_list;
        int64_t trust_max_age; /* seconds; 0 = no limit */
        TrustListAgePolicy trust_age_policy;
} DccConf;

/* What to do with time-bound codes (every code: QG1 carries iat/exp, an EU DCC its expiry and
 * its signer's validity) while the system clock has not been synchronized (daemon/clock.h). */
typedef enum ClockUntrusted {
        CLOCK_UNTRUSTED_REFUSE, /* refuse them: clock-untrusted (the default) */
        CLOCK_UNTRUSTED_NARROW, /* accept a QG1 code only when its iat is within narrow_window of now */
        CLOCK_UNTRUSTED_ACCEPT, /* judge them by the clock as it is */
        _CLOCK_UNTRUSTED_MAX,
        _CLOCK_UNTRUSTED_INVALID = -EINVAL,
} ClockUntrusted;

typedef struct ClockConf {
        ClockUntrusted untrusted;
        int64_t narrow_window; /* seconds */
} ClockConf;

const char *clock_untrusted_to_string(ClockUntrusted u);
ClockUntrusted clock_untrusted_from_string(const char *s);

/* The per-subject rate limit (config/config-policy.c): at most max openings per per seconds for
 * one subject, at all doors together; capacity subjects remembered at once. */
typedef struct SubjectRateConf {
        bool enabled; /* policy.subject_rate is set */
        uint32_t max, per, capacity;
} SubjectRateConf;

/* The "policy" group: rules of the appliance rather than of one door. */
typedef struct PolicyConf {
        SubjectRateConf subject_rate;
} PolicyConf;

#define SOURCE_PREFIX_MAX 16

typedef struct SourceConf {
        const char *id;
        const char *type; /* "fifo", "evdev", "hidpos", "serial" (scanner.type) */
        const char *path;
        const char *door;
        size_t door_index;
        uint32_t max_rate; /* codes per second this source may deliver (burst: twice that) */
        uint32_t line_timeout_ms; /* a line without its end is one after this long idle */
        ScannerConfig scanner; /* strings borrowed from the Config */
        char terminator;   /* the character that ends a line besides '\n' ('\r', '\t'), or 0 */
        uint32_t min_rate; /* evdev: characters a second a line must arrive at, or 0 */
        const char *prefix; /* evdev, serial: the text the scanner sends before every code, or NULL */
} SourceConf;

/* The signed deny-list (docs/denylist.md): the folder an updater drops signed lists into. */
typedef struct DenyListConf {
        const char *directory; /* NULL: no deny-list */
        int line;              /* where it is named, for reports */
        int64_t max_age;       /* seconds since the list in force was issued; 0 = no limit */
} DenyListConf;
/* The library's system (ILS) the lending station talks SIP2 to (docs/sip2.md). */
typedef struct IlsConf {
        bool enabled; /* the section is there */
        const char *host, *institution, *location, *credential;
        bool tls;
        const char *tls_ca, *tls_server_name; /* NULL: the system's trust store; the host */
        uint16_t port;
        uint32_t connect_timeout_ms, reply_timeout_ms, resend_max, reconnect_max;
} IlsConf;

/* A library lending station (docs/lending.md): its door (one without a lock) identifies patrons,
 * its scanners read items, and the lending service runs its sessions. */
#define STATION_ID_MAX 64
typedef enum StationOffline {
        STATION_CONF_OFFLINE_REFUSE,     /* no lending while the ILS cannot be reached */
        STATION_CONF_OFFLINE_LEND_UP_TO, /* up to offline_items per session, to recently confirmed patrons */
} StationOffline;

typedef struct StationConf {
        bool enabled; /* the section is there */
        const char *id, *door_id;
        const DoorConf *door; /* in the Config's doors */
        unsigned item_formats; /* bit (1 << CodeFormat) for each item barcode format */
        unsigned local_cap, offline_items;
        StationOffline offline;
        int64_t offline_recent_s, offline_loan_s, idle_timeout_s;
        const char *queue_directory; /* the lending service's: its store-and-forward queue */
        const char *printer;         /* the receipt printer's node; NULL: none */
        unsigned printer_columns;
        const char *library_name;    /* printed at the top of a receipt; NULL: none */
        bool patron_from_claim;      /* patron_id = "claim": a QG1 code's claim -65541, not its subject */
} StationConf;

typedef struct Config {
        config_t cfg; /* owns every string below */
        char *path;
        const char *state_directory;
        int64_t max_lifetime, clock_skew;
        int64_t card_max_lifetime; /* verifier.card_max_lifetime: the longest a card may live */
        uint32_t replay_capacity;
        const char *operator_groups[CONFIG_MAX_ITEMS];
        size_t n_operator_groups;
        uid_t operator_uids[CONFIG_MAX_ITEMS];
        size_t n_operator_uids;
        /* Who may present codes over the bus (SubmitCode): a local UI that decodes camera
         * images. Root and operators may too. */
        const char *ui_groups[CONFIG_MAX_ITEMS];
        size_t n_ui_groups;
        uid_t ui_uids[CONFIG_MAX_ITEMS];
        size_t n_ui_uids;
        /* SubmitCode calls a second one caller (a uid) may make (burst: twice that). */
        uint32_t bus_max_rate;
        IssuerConf issuers[CONFIG_MAX_ITEMS];
        size_t n_issuers;
        LockConf locks[CONFIG_MAX_ITEMS];
        size_t n_locks;
        Schedule schedules[CONFIG_MAX_ITEMS]; /* opening hours, shared by the doors that name them */
        size_t n_schedules;
        AreaConf areas[CONFIG_MAX_ITEMS]; /* before the doors, which name them */
        size_t n_areas;
        DoorConf doors[CONFIG_MAX_ITEMS];
        size_t n_doors;
        SourceConf sources[CONFIG_MAX_ITEMS];
        size_t n_sources;
        TokenConf token;
        DccConf dcc;
        ClockConf clock;
        AuditConf audit; /* docs/audit.md */
        PolicyConf policy;
        DenyListConf denylist;
        IlsConf ils;     /* docs/sip2.md */
        StationConf station; /* docs/lending.md */
} Config;

/* Loads and validates path, which must be a regular file (a symbolic link to one is followed) of
 * at most CONFIG_FILE_MAX bytes; @include is refused, and so is an integer literal that libconfig
 * would not read as written (one beyond 32 bits needs the L suffix). On success returns 0 and
 * *ret (free with config_free()). On failure returns -EINVAL (or -ENOMEM) and *ret_errors holds
 * one "file:line: message" line per problem (a malloc()ed string the caller frees). */
int config_load(const char *path, Config **ret, char **ret_errors);
Config *config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/* Builds the issuer keystore from every key that can be read (key files are regular files of at
 * most KEYSTORE_PEM_FILE_MAX bytes). Returns how many keys could not be read, each reported in
 * *ret_errors as "file:line: message" (NULL when there is none; the caller frees it), or -ENOMEM;
 * *ret holds the keys that were read whenever the return is >= 0. What a failure means is the
 * caller's to decide: check-config and a reload refuse, a daemon starting runs without the key. */
int config_build_keystore(const Config *c, Keystore **ret, char **ret_errors);

/* Loads the configured DSC trust list from every path that can be read. Returns how many paths
 * could not be, or -ENOMEM; *ret holds what was loaded whenever the return is >= 0. The paths
 * that could not be read are reported in *ret_errors, and what is worth saying but no error —
 * certificates skipped in a path that was read (one bad certificate in a national list must not
 * stop a gate), a path without any — in *ret_notes, each as "file:line: message", the line
 * naming the path; NULL when there is nothing to say. The caller frees both. */
int config_build_trustlist(const Config *c, int64_t now, TrustList **ret, char **ret_errors, char **ret_notes);

/* Reads the barcode allow-list door names (DoorConf.barcode_allow). Returns 0 with *ret (NULL when
 * the door names none; freed with barcode_allow_free()), -ENOMEM, or -EINVAL when the file cannot
 * be read or has wrong lines: *ret_errors then says so as "file:line: message" lines, the first
 * naming the configuration's line, the others the list's (malloc()ed; the caller frees it). A
 * daemon starting runs without the list — its door honours no barcode — and says so as a fault;
 * check-config and a reload refuse. */
int config_build_barcode_allow(const Config *c, size_t door, BarcodeAllow **ret, char **ret_errors);

/* Loads path, builds its keys and trust list, and writes a one-line summary to out, or every
 * problem to err (all of them: one does not hide another). Returns the exit status of a check
 * command: 0 valid, 1 not. */
int config_check_file(const char *path, FILE *out, FILE *err);

const DoorConf *config_find_door(const Config *c, const char *id);
/* Whether two doors have the same inputs and input timings (config/config-door-io.c): these are
 * opened at start, so a reload that changes them needs a restart. */
bool config_door_io_equal(const DoorConf *a, const DoorConf *b);
/* The same for the lights and buzzer lines (the patterns may change in place). */
bool config_door_feedback_equal(const DoorConf *a, const DoorConf *b);

/* Every output line the configuration holds — the locks, then each door's lights and buzzer —
 * in *ret (at most CONFIG_MAX_OUTPUTS; strings borrowed from c), for the record of held lines
 * and the safety net after a crash (daemon/lock-record.h). Returns how many. */
#define CONFIG_MAX_OUTPUTS (CONFIG_MAX_ITEMS * (1 + _FEEDBACK_OUTPUT_MAX))
size_t config_output_lines(const Config *c, LockConfig *ret);
