/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "core/fileio.h"
#include "daemon/lock-record.h"

#define HEADER "qrgate-held-locks 1\n"
#define TMP LOCK_RECORD_FILE ".tmp"
#define RECORD_MAX (64U * 1024U)

struct LockRecord {
        LockConfig locks[CONFIG_MAX_OUTPUTS]; /* the locks, the doors' lights and buzzers */
        size_t n;
        char *strings[CONFIG_MAX_OUTPUTS * 5]; /* what the locks' string fields point to */
        size_t n_strings;
};

static bool plain(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("._/:-", c);
}

static void put(FILE *f, const char *key, const char *value) {
        if (!value)
                return;
        fprintf(f, " %s=", key);
        for (const char *p = value; *p; p++)
                if (plain(*p))
                        fputc(*p, f);
                else
                        fprintf(f, "%%%02x", (unsigned char) *p);
}

int lock_record_write(int dir_fd, const LockConfig *locks, size_t n) {
        _cleanup_(freep) char *text = NULL;
        _cleanup_(closep) int fd = -EBADF;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fputs(HEADER, f);
        for (size_t i = 0; i < n; i++) {
                const LockConfig *l = &locks[i];
                put(f, "id", l->id);
                put(f, "backend", l->backend);
                put(f, "chip", l->chip);
                if (l->line_offset >= 0)
                        fprintf(f, " line=%d", l->line_offset);
                put(f, "line_name", l->line_name);
                put(f, "output", l->sim_output);
                fprintf(f, " active_low=%d safe_state=%s\n", l->active_low, lock_safe_state_to_string(l->safe_state));
        }
        if (fclose(f) != 0 || !text)
                return -ENOMEM;

        /* A leftover temporary file (a crash while writing) or a planted one is not written
         * through: unlinked, then created afresh. */
        if (unlinkat(dir_fd, TMP, 0) < 0 && errno != ENOENT)
                return -errno;
        fd = openat(dir_fd, TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        for (size_t off = 0; off < size && r >= 0;) {
                ssize_t k = write(fd, text + off, size - off);
                if (k < 0 && errno != EINTR)
                        r = -errno;
                else if (k > 0)
                        off += (size_t) k;
        }
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, TMP, dir_fd, LOCK_RECORD_FILE) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, TMP, 0);
                return r;
        }
        (void) fsync(dir_fd);
        return 0;
}

int lock_record_remove(int dir_fd) {
        if (unlinkat(dir_fd, LOCK_RECORD_FILE, 0) < 0 && errno != ENOENT)
                return -errno;
        (void) fsync(dir_fd);
        return 0;
}

LockRecord *lock_record_free(LockRecord *r) {
        if (!r)
                return NULL;
        for (size_t i = 0; i < r->n_strings; i++)
                free(r->strings[i]);
        free(r);
        return NULL;
}

size_t lock_record_count(const LockRecord *r) {
        return r->n;
}

const LockConfig *lock_record_get(const LockRecord *r, size_t i) {
        return i < r->n ? &r->locks[i] : NULL;
}

static int hexval(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int unescape(const char *s, size_t n, char **ret) {
        char *out = malloc(n + 1), *o = out;

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (s[i] != '%') {
                        *o++ = s[i];
                        continue;
                }
                int hi = i + 2 < n ? hexval(s[i + 1]) : -1, lo = i + 2 < n ? hexval(s[i + 2]) : -1;
                if (hi < 0 || lo < 0 || (hi | lo) == 0) {
                        free(out);
                        return -EBADMSG;
                }
                *o++ = (char) (hi << 4 | lo);
                i += 2;
        }
        *o = 0;
        *ret = out;
        return 0;
}

static int parse_int(const char *s, size_t n, int min, int max, int *ret) {
        int v = 0;

        if (n == 0 || n > 4)
                return -EBADMSG;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EBADMSG;
                v = v * 10 + (s[i] - '0');
        }
        if (v < min || v > max)
                return -EBADMSG;
        *ret = v;
        return 0;
}

/* One "key=value key=value" line into l; strings are kept in r. */
static int parse_line(LockRecord *r, const char *line, size_t len, LockConfig *l) {
        static const char *const keys[] = { "id", "backend", "chip", "line_name", "output" };
        bool have_safe = false;
        size_t i = 0;
        int r2;

        *l = (LockConfig) { .line_offset = -1 };
        while (i < len) {
                while (i < len && line[i] == ' ')
                        i++;
                if (i == len)
                        break;
                size_t start = i;
                while (i < len && line[i] != ' ')
                        i++;
                const char *tok = line + start, *eq = memchr(tok, '=', i - start);
                if (!eq)
                        return -EBADMSG;
                size_t klen = (size_t) (eq - tok), vlen = i - start - klen - 1;
                const char *val = eq + 1;
                const char **field = NULL;

                for (size_t k = 0; k < ELEMENTSOF(keys); k++)
                        if (klen == strlen(keys[k]) && memcmp(tok, keys[k], klen) == 0)
                                field = k == 0 ? &l->id : k == 1 ? &l->backend : k == 2 ? &l->chip
                                      : k == 3 ? &l->line_name : &l->sim_output;
                if (field) {
                        char *s;
                        if (*field || r->n_strings == ELEMENTSOF(r->strings))
                                return -EBADMSG;
                        r2 = unescape(val, vlen, &s);
                        if (r2 < 0)
                                return r2;
                        r->strings[r->n_strings++] = s;
                        *field = s;
                } else if (klen == 4 && memcmp(tok, "line", 4) == 0) {
                        r2 = parse_int(val, vlen, 0, 1023, &l->line_offset);
                        if (r2 < 0)
                                return r2;
                } else if (klen == 10 && memcmp(tok, "active_low", 10) == 0 && vlen == 1 && (*val == '0' || *val == '1'))
                        l->active_low = *val == '1';
                else if (klen == 10 && memcmp(tok, "safe_state", 10) == 0) {
                        char s[16];
                        if (vlen >= sizeof(s))
                                return -EBADMSG;
                        memcpy(s, val, vlen);
                        s[vlen] = 0;
                        l->safe_state = lock_safe_state_from_string(s);
                        if (l->safe_state < 0)
                                return -EBADMSG;
                        have_safe = true;
                } else
                        return -EBADMSG;
        }
        /* Exactly what a configuration would have to name for lock_new() to find the line. */
        if (!l->id || !l->backend || !have_safe)
                return -EBADMSG;
        return 0;
}

int lock_record_read(int dir_fd, LockRecord **ret, uid_t *ret_owner) {
        _cleanup_(lock_record_freep) LockRecord *rec = NULL;
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        size_t size = 0;
        struct stat st;
        int r;

        fd = open_regular_file(dir_fd, LOCK_RECORD_FILE, READ_NOFOLLOW, &st);
        if (fd < 0)
                return fd;
        /* A second name for the file would let whoever made it choose what it is. */
        if (st.st_nlink != 1)
                return -EBADMSG;
        r = read_regular_fd(fd, RECORD_MAX, 0, &buf, &size);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        if (size < strlen(HEADER) || memcmp(buf, HEADER, strlen(HEADER)) != 0 || memchr(buf, 0, size))
                return -EBADMSG;

        rec = calloc(1, sizeof(LockRecord));
        if (!rec)
                return -ENOMEM;
        for (const char *p = buf + strlen(HEADER); *p;) {
                const char *nl = strchr(p, '\n');
                if (!nl) /* every line ends in a newline: a missing one is a cut file */
                        return -EBADMSG;
                if (rec->n == CONFIG_MAX_OUTPUTS)
                        return -EBADMSG;
                r = parse_line(rec, p, (size_t) (nl - p), &rec->locks[rec->n]);
                if (r < 0)
                        return r;
                rec->n++;
                p = nl + 1;
        }
        *ret = TAKE_PTR(rec);
        if (ret_owner)
                *ret_owner = st.st_uid;
        return 0;
}
