/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Audit log files: names, listing, reading, and walking a file's records with the damage
 * between them located. The log is a directory of files named after the sequence number of
 * their first record (audit-00000000000000000001.log, …), so name order is chain order.
 * No logging here: the daemon and `qrgatectl audit` report what these functions find. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit-record.h"

#define AUDIT_DIRECTORY "audit"
#define AUDIT_FILE_PREFIX "audit-"
#define AUDIT_FILE_SUFFIX ".log"
#define AUDIT_FILE_NAME_MAX (sizeof(AUDIT_FILE_PREFIX) + 20 + sizeof(AUDIT_FILE_SUFFIX))
/* Largest file read into memory at once (the configuration caps max_file_size below it). */
#define AUDIT_FILE_READ_MAX (256U * 1024U * 1024U)

void audit_file_name(uint64_t first_seq, char buf[static AUDIT_FILE_NAME_MAX]);
bool audit_file_name_parse(const char *name, uint64_t *ret_first_seq);

typedef struct AuditFileEntry {
        char name[AUDIT_FILE_NAME_MAX];
        uint64_t first_seq;
} AuditFileEntry;

/* The audit files in the directory dir_fd, in chain order. *ret is malloc()ed (NULL when there
 * are none). Returns 0 or -errno. */
int audit_dir_list(int dir_fd, AuditFileEntry **ret, size_t *ret_n);

/* Reads all of fd (from offset 0) into a malloc()ed buffer. -EFBIG beyond AUDIT_FILE_READ_MAX. */
int audit_file_read(int fd, uint8_t **ret, size_t *ret_size);
/* The same for the file at path, opened without blocking, so that a FIFO in its place is refused
 * (-EBADFD) instead of hanging the reader. */
int audit_file_read_path(const char *path, uint8_t **ret, size_t *ret_size);

typedef struct AuditScanOps {
        /* A record that parsed, at byte offset off. Returning < 0 stops the walk with that value. */
        int (*record)(void *userdata, const AuditRecord *r, uint64_t off);
        /* Bytes [off, off+size) are not records: why says what was wrong at off. at_end: nothing
         * after them parses (a tail); torn: a tail that looks like an interrupted append (at most
         * one record long, or anything longer is zeros) rather than damage. */
        int (*damage)(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn);
} AuditScanOps;

/* Walks the records in buf, resynchronizing after damage on the next offset where a whole
 * record parses. Returns 0 or what a callback returned. */
int audit_scan(const uint8_t *buf, size_t size, const AuditScanOps *ops, void *userdata);

/* What the writer needs to know about the last file to continue the chain. */
typedef struct AuditTail {
        uint64_t n_records;
        uint64_t first_seq, last_seq;
        uint8_t last_hash[AUDIT_HASH_SIZE];
        int64_t first_time_usec;
        uint64_t end;          /* offset after the last record that parsed */
        uint64_t valid_end;    /* offset after the last record before any damage */
        uint64_t size;
        bool torn;             /* the file ends in a torn tail at valid_end (safe to cut) */
        uint64_t damage_off;   /* first damage that is not a torn tail, or UINT64_MAX */
        AuditParse damage_why;
        uint64_t checkpoint_seq; /* last checkpoint in the file: the seq it covers, 0 if none */
        uint8_t checkpoint_hash[AUDIT_HASH_SIZE];
        uint8_t torn_hash[AUDIT_HASH_SIZE]; /* SHA-256 of the torn bytes */
} AuditTail;

/* Scans buf as the writer's recovery does. */
void audit_tail_scan(const uint8_t *buf, size_t size, AuditTail *ret);
