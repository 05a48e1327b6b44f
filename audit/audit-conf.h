/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The audit log's settings: the `audit: { ... }` group of qrgate.conf, which documents each key
 * (defaults and ranges are in config/config.c, the reference for operators in docs/audit.md). */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum AuditDurability {
        AUDIT_DURABILITY_SYNC,    /* "sync": fdatasync as soon as a record is written */
        AUDIT_DURABILITY_GROUPED, /* "grouped": one fdatasync per group_ms window */
        _AUDIT_DURABILITY_MAX,
        _AUDIT_DURABILITY_INVALID = -EINVAL,
} AuditDurability;

typedef struct AuditConf {
        uint32_t checkpoint_records;   /* a checkpoint at least every this many records */
        uint32_t checkpoint_seconds;   /* … and at most this long after the first unsigned record */
        AuditDurability durability;
        uint32_t group_ms;             /* grouped: how long a record may wait for its fdatasync */
        uint64_t max_file_size;        /* rotate before a file would grow beyond this (bytes) */
        uint32_t max_file_age;         /* rotate when the current file's first record is this old (s) */
        uint32_t max_files;            /* retention: keep at most this many files (0: no limit) */
        uint32_t max_age;              /* retention: delete files whose last record is older (s; 0: keep) */
        uint32_t min_age;              /* retention: max_files never deletes a file younger than this (s) */
        bool grant_when_unwritable;    /* on_write_error = "grant": doors still open on valid codes */
        uint32_t pseudonym_timeout_ms; /* how long the token may take for a subject pseudonym */
} AuditConf;

#define AUDIT_CONF_DEFAULTS                                                                           \
        ((AuditConf) {                                                                                \
                .checkpoint_records = 100,                                                            \
                .checkpoint_seconds = 900,                                                            \
                .durability = AUDIT_DURABILITY_SYNC,                                                  \
                .group_ms = 200,                                                                      \
                .max_file_size = 4U * 1024U * 1024U,                                                  \
                .max_file_age = 7U * 86400U,                                                          \
                .max_files = 64,                                                                      \
                .max_age = 90U * 86400U,                                                              \
                .min_age = 7U * 86400U,                                                               \
                .grant_when_unwritable = false,                                                       \
                .pseudonym_timeout_ms = 2000,                                                         \
        })

bool audit_conf_equal(const AuditConf *a, const AuditConf *b);
const char *audit_durability_to_string(AuditDurability d);
AuditDurability audit_durability_from_string(const char *s);
