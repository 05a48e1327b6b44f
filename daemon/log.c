/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Where a log line goes and in which form: see daemon/log.h and docs/journal.md. */
#define SD_JOURNAL_SUPPRESS_LOCATION /* CODE_FILE etc. are the caller's, passed in, not this file's */
#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "daemon/log.h"

typedef enum LogTarget {
        LOG_TARGET_CAPTURED, /* a file or pipe: "<N>message", then a tab and the fields */
        LOG_TARGET_CONSOLE,  /* a terminal: the message alone */
        LOG_TARGET_JOURNAL,  /* journald: native entries with real fields */
} LogTarget;

typedef struct Field {
        const char *name, *value;
} Field;

#define N_FIELDS 7
/* A member added to LogFields without a name below would be dropped without a word. */
static_assert(sizeof(LogFields) == N_FIELDS * sizeof(const char *), "every LogFields member needs a field name");

static int max_level = LOG_INFO;
static LogTarget target;
static pthread_once_t target_once = PTHREAD_ONCE_INIT;

void log_set_max_level(int level) {
        max_level = level;
}

int log_get_max_level(void) {
        return max_level;
}

bool log_stream_is_journal(int fd, const char *journal_stream) {
        unsigned long long dev, ino;
        struct stat st;
        int end = 0;

        if (!journal_stream || sscanf(journal_stream, "%llu:%llu%n", &dev, &ino, &end) != 2 || journal_stream[end] != '\0')
                return false;
        return fstat(fd, &st) >= 0 && st.st_dev == dev && st.st_ino == ino;
}

/* Once, before the first line: stderr does not change under a running daemon. The journal is
 * recognised by $JOURNAL_STREAM naming stderr itself (systemd.exec(5)), not by the variable
 * alone: a child whose stderr was redirected inherits it too. And its native socket must be
 * there: sd_journal_sendv() drops an entry without an error when it is not (ENOENT). */
static void target_detect(void) {
        struct stat st;

        if (log_stream_is_journal(STDERR_FILENO, getenv("JOURNAL_STREAM")) &&
            stat("/run/systemd/journal/socket", &st) >= 0 && S_ISSOCK(st.st_mode))
                target = LOG_TARGET_JOURNAL;
        else if (isatty(STDERR_FILENO))
                target = LOG_TARGET_CONSOLE;
        else
                target = LOG_TARGET_CAPTURED;
}

/* The fields that are set, in LogFields' order; returns how many. */
static size_t fields_list(const LogFields *f, Field ret[static N_FIELDS]) {
        const Field all[N_FIELDS] = {
                { "MESSAGE_ID", f ? f->message_id : NULL },
                { "QRGATE_DOOR", f ? f->door : NULL },
                { "QRGATE_REASON", f ? f->reason : NULL },
                { "QRGATE_FORMAT", f ? f->format : NULL },
                { "QRGATE_SOURCE", f ? f->source : NULL },
                { "QRGATE_LOCK", f ? f->lock : NULL },
                { "QRGATE_TOKEN_STATE", f ? f->token_state : NULL },
        };
        size_t n = 0;

        for (size_t i = 0; i < N_FIELDS; i++)
                if (all[i].value)
                        ret[n++] = all[i];
        return n;
}

static bool is_bare(const char *v) {
        if (!*v)
                return false;
        for (; *v; v++)
                if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
                      strchr("._:/@+,-", *v)))
                        return false;
        return true;
}

static void write_value(FILE *f, const char *v) {
        if (is_bare(v)) {
                fputs(v, f);
                return;
        }
        fputc('"', f);
        for (const unsigned char *p = (const unsigned char *) v; *p; p++)
                if (*p == '"' || *p == '\\')
                        fprintf(f, "\\%c", *p);
                else if (*p == '\t')
                        fputs("\\t", f);
                else if (*p == '\n')
                        fputs("\\n", f);
                else if (*p < 0x20 || *p >= 0x7f)
                        fprintf(f, "\\x%02x", *p);
                else
                        fputc(*p, f);
        fputc('"', f);
}

void log_fields_write(FILE *f, const LogFields *fields) {
        Field list[N_FIELDS];
        size_t n = fields_list(fields, list);

        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s%s=", i > 0 ? " " : "", list[i].name);
                write_value(f, list[i].value);
        }
}

/* One line for stderr, written at once: line-buffered writes would interleave with other
 * writers. A terminal gets the message alone; a captured stream the priority prefix and, after a
 * tab, the fields, whose values escape any tab of their own: the fields are what follows the
 * line's last tab. */
static void write_stderr(int level, const char *msg, const LogFields *fields) {
        _cleanup_(freep) char *line = NULL;
        Field list[N_FIELDS];
        size_t size = 0;
        FILE *f;

        f = open_memstream(&line, &size);
        if (!f)
                return;
        if (target == LOG_TARGET_CONSOLE)
                fputs(msg, f);
        else {
                fprintf(f, "<%d>%s", level, msg);
                if (fields_list(fields, list) > 0) {
                        fputc('\t', f);
                        log_fields_write(f, fields);
                }
        }
        fputc('\n', f);
        if (fclose(f) == 0)
                (void) fwrite(line, 1, size, stderr);
}

_printf_(3, 4) static bool add_field(char **s, size_t *n, const char *fmt, ...) {
        va_list ap;
        int k;

        va_start(ap, fmt);
        k = vasprintf(&s[*n], fmt, ap);
        va_end(ap);
        if (k < 0)
                return false;
        (*n)++;
        return true;
}

/* A native journal entry with the fields systemd's own daemons send (src/basic/log.c). */
static int send_journal(int level, int error, const char *msg, const LogFields *fields, const char *file, int line,
                        const char *func) {
        char *s[7 + N_FIELDS];
        struct iovec iov[ELEMENTSOF(s)];
        Field list[N_FIELDS];
        size_t n = 0, k = fields_list(fields, list);
        bool ok;
        int r = -ENOMEM;

        ok = add_field(s, &n, "MESSAGE=%s", msg) && add_field(s, &n, "PRIORITY=%d", level) &&
             add_field(s, &n, "SYSLOG_IDENTIFIER=%s", program_invocation_short_name) &&
             add_field(s, &n, "CODE_FILE=%s", file) && add_field(s, &n, "CODE_LINE=%d", line) &&
             add_field(s, &n, "CODE_FUNC=%s", func) && (error == 0 || add_field(s, &n, "ERRNO=%d", error));
        for (size_t i = 0; ok && i < k; i++)
                ok = add_field(s, &n, "%s=%s", list[i].name, list[i].value);
        if (ok) {
                for (size_t i = 0; i < n; i++)
                        iov[i] = (struct iovec) { .iov_base = s[i], .iov_len = strlen(s[i]) };
                r = sd_journal_sendv(iov, (int) n);
        }
        for (size_t i = 0; i < n; i++)
                free(s[i]);
        return r;
}

int log_struct_internal(int level, int error, const LogFields *fields, const char *file, int line, const char *func,
                        const char *fmt, ...) {
        _cleanup_(freep) char *msg = NULL;
        int saved = errno;
        va_list ap;

        if (error < 0)
                error = -error;
        if (level <= max_level) {
                errno = error; /* for %m */
                va_start(ap, fmt);
                int n = vasprintf(&msg, fmt, ap);
                va_end(ap);
                if (n < 0)
                        msg = NULL; /* undefined after a failed vasprintf() */
                else {
                        (void) pthread_once(&target_once, target_detect);
                        /* Should journald refuse the entry, the line still goes out on stderr,
                         * which journald reads too: nothing is lost but the fields' form. */
                        if (target != LOG_TARGET_JOURNAL || send_journal(level, error, msg, fields, file, line, func) < 0)
                                write_stderr(level, msg, fields);
                }
        }
        errno = saved;
        return -error;
}
