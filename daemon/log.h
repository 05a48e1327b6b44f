/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for the daemon (and only the daemon: library code returns errors). Where a line goes
 * is decided once, from what stderr is (docs/journal.md):
 *   - the journal (under systemd, $JOURNAL_STREAM names stderr's device and inode,
 *     systemd.exec(5)): each line is sent natively with sd_journal_sendv(), so MESSAGE_ID and the
 *     QRGATE_* fields are real journal fields that journalctl can match (PRIORITY, CODE_FILE,
 *     CODE_LINE, CODE_FUNC, ERRNO and SYSLOG_IDENTIFIER as systemd's own daemons send them);
 *   - a terminal: the message alone, as a person reads it;
 *   - anything else (a file, a pipe, another supervisor): "<N>message", the syslog priority
 *     prefix journald and most collectors read, and, when the line has fields, a tab and the
 *     fields as KEY=VALUE (log_fields_write()), so a captured log can be searched for the same
 *     MESSAGE_ID= and QRGATE_REASON= as the journal. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>

#include "core/macro.h"
#include "daemon/log-messages.h"

/* The structured fields of one entry besides MESSAGE and PRIORITY; NULL leaves a field out.
 * Values are stable words operators search for (ids from the configuration, reason strings of
 * docs/reasons.md), never a person's data. Each is documented in docs/journal.md. */
typedef struct LogFields {
        const char *message_id;  /* MESSAGE_ID=: one of QRGATE_MESSAGE_* (daemon/log-messages.h) */
        const char *door;        /* QRGATE_DOOR=: a door's id */
        const char *reason;      /* QRGATE_REASON=: a decision's reason ("ok" for a grant) */
        const char *format;      /* QRGATE_FORMAT=: the code's format ("QG1", "HC1", "unknown") */
        const char *source;      /* QRGATE_SOURCE=: where the code came from: a source's id, "bus" */
        const char *lock;        /* QRGATE_LOCK=: a lock's id */
        const char *token_state; /* QRGATE_TOKEN_STATE=: the token service's state (pkcs11/token.h) */
} LogFields;

/* A LogFields for log_struct(), with named members: LOG_FIELDS(.door = id, .reason = "ok"). */
#define LOG_FIELDS(...) (&(const LogFields) { __VA_ARGS__ })

void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs the message at level with fields (may be NULL) and returns -abs(error) (or 0 when error
 * is 0), so "return log_struct(LOG_ERR, r, ...)" both reports and propagates. %m in fmt prints
 * error's text. Use it through log_struct() and log_*(), which pass the caller's location. */
_printf_(7, 8) int log_struct_internal(int level, int error, const LogFields *fields, const char *file, int line,
                                        const char *func, const char *fmt, ...);

#define log_struct(level, error, fields, ...) \
        log_struct_internal((level), (error), (fields), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_internal(level, error, ...) log_struct((level), (error), NULL, __VA_ARGS__)

#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_oom() log_internal(LOG_ERR, ENOMEM, "Out of memory.")

/* Writes the fields that are set as "KEY=VALUE" separated by single spaces, in the order of
 * LogFields; a value that is empty or holds anything but letters, digits and ._:/@+,- is written
 * in double quotes with C escapes (\" \\ \t \n \xHH), so the text has no tab and no newline, and
 * splits on spaces outside quotes. Writes nothing when fields is NULL or has no field set. This
 * is the fields' form in captured output. */
void log_fields_write(FILE *f, const LogFields *fields);

/* Whether fd is the stream that journal_stream ("DEVICE:INODE", the value of $JOURNAL_STREAM)
 * names, i.e. whether systemd connected it to journald. */
bool log_stream_is_journal(int fd, const char *journal_stream);
