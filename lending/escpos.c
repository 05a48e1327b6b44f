/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Receipts on an ESC/POS printer (lending/escpos.h). The commands are those of Epson's ESC/POS
 * reference for the TM series: ESC @, ESC a, ESC E, GS !, LF, GS V and GS ( k for QR codes. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "lending/escpos.h"

#define ESC 0x1b
#define GS 0x1d
#define LF 0x0a

/* A growing byte buffer; the first allocation failure is remembered and checked once. */
typedef struct Buf {
        uint8_t *p;
        size_t n, cap;
        bool oom;
} Buf;

static void buf_put(Buf *b, const void *p, size_t n) {
        if (b->oom || n == 0)
                return;
        if (b->cap - b->n < n) {
                size_t cap = MAX(b->cap * 2, b->n + n + 256);
                uint8_t *q = realloc(b->p, cap);
                if (!q) {
                        b->oom = true;
                        return;
                }
                b->p = q;
                b->cap = cap;
        }
        memcpy(b->p + b->n, p, n);
        b->n += n;
}

static void buf_done(Buf *b) {
        free(b->p);
}

#define BUF_PUT(b, ...) buf_put(b, (const uint8_t[]) { __VA_ARGS__ }, sizeof((const uint8_t[]) { __VA_ARGS__ }))

static void buf_puts(Buf *b, const char *s) {
        buf_put(b, s, strlen(s));
}

/* Latin-1's letters U+00C0–U+00FF and Latin Extended-A U+0100–U+017F as their base letters;
 * the few that need two letters are in translit_char(). */
static const char latin1_base[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTs"
                                  "aaaaaaaceeeeiiiidnooooo?ouuuuyty";
static const char latin_ext_a_base[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkk"
                                       "LlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUu"
                                       "UuWwYyYZzZzZzs";
_Static_assert(sizeof(latin1_base) == 0x40 + 1, "one letter for each of U+00C0-U+00FF");
_Static_assert(sizeof(latin_ext_a_base) == 0x80 + 1, "one letter for each of U+0100-U+017F");

/* What code point c prints as: printable ASCII only, possibly nothing. tmp holds a letter. */
static const char *translit_char(uint32_t c, char tmp[static 2]) {
        tmp[1] = 0;
        if (c >= 0x20 && c < 0x7f) {
                tmp[0] = (char) c;
                return tmp;
        }
        switch (c) {
        case 0xa0: return " ";   /* no-break space */
        case 0xad: return "";    /* soft hyphen */
        case 0xab: case 0xbb: return "\"";
        case 0xc6: return "AE";
        case 0xde: return "Th";
        case 0xdf: return "ss";
        case 0xe6: return "ae";
        case 0xfe: return "th";
        case 0x152: return "OE";
        case 0x153: return "oe";
        case 0x200b: case 0x200c: case 0x200d: case 0xfeff: return ""; /* zero-width */
        case 0x2010 ... 0x2015: case 0x2212: return "-";
        case 0x2018 ... 0x201b: return "'";
        case 0x201c ... 0x201f: return "\"";
        case 0x2026: return "...";
        case 0x20ac: return "EUR";
        }
        if (c >= 0x300 && c <= 0x36f)
                return ""; /* combining marks (decomposed text): the base letter stays */
        if (c >= 0xc0 && c <= 0xff)
                tmp[0] = latin1_base[c - 0xc0];
        else if (c >= 0x100 && c <= 0x17f)
                tmp[0] = latin_ext_a_base[c - 0x100];
        else
                tmp[0] = '?'; /* C0, DEL, C1 and everything else */
        return tmp;
}

/* Decodes one UTF-8 sequence at s (n > 0 bytes left): its length, and the code point in *ret,
 * or 0 for a byte that does not start a valid sequence (overlong, surrogate, beyond U+10FFFF,
 * truncated), which is then taken alone. */
static size_t utf8_decode(const uint8_t *s, size_t n, uint32_t *ret) {
        uint32_t c = s[0], min;
        size_t len;

        if (c < 0x80) {
                *ret = c;
                return 1;
        }
        if (c >= 0xc2 && c <= 0xdf)
                len = 2, c &= 0x1f, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
                len = 3, c &= 0x0f, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
                len = 4, c &= 0x07, min = 0x10000;
        else
                return 0;
        if (n < len)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return 0;
        *ret = c;
        return len;
}

/* Appends the n bytes of UTF-8 at s as printable ASCII. Whole sequences are decoded before
 * anything is printed, so nothing is ever cut inside one. */
static void translit(Buf *b, const char *s, size_t n) {
        const uint8_t *p = (const uint8_t *) s;

        while (n > 0) {
                char tmp[2];
                uint32_t c;
                size_t k = utf8_decode(p, n, &c);

                if (k == 0) {
                        buf_puts(b, "?");
                        k = 1;
                } else
                        buf_puts(b, translit_char(c, tmp));
                p += k;
                n -= k;
        }
}

typedef struct Layout {
        unsigned columns;
        unsigned module_size;
        struct tm *(*time_to_tm)(const time_t *t, struct tm *ret);
} Layout;

/* Prints text (prefix, ASCII, then the n bytes of UTF-8 at s) in lines of at most
 * l->columns characters, broken at spaces where it can be and inside a word longer than a
 * line where it cannot; the first line indented by indent1 spaces, the others by indent2. */
static void put_text(Buf *out, const Layout *l, unsigned indent1, unsigned indent2, const char *prefix,
                     const char *s, size_t n) {
        _cleanup_(buf_done) Buf t = {};

        buf_puts(&t, prefix);
        translit(&t, s, n);
        if (t.oom) {
                out->oom = true;
                return;
        }
        if (t.n == 0) {
                BUF_PUT(out, LF); /* an empty line, as asked */
                return;
        }

        const char *a = (const char *) t.p;
        size_t pos = 0, len = t.n;
        unsigned indent = indent1;

        for (;;) {
                size_t width = l->columns - indent, end, next;

                while (pos < len && a[pos] == ' ')
                        pos++;
                while (len > pos && a[len - 1] == ' ')
                        len--;
                if (len - pos <= width)
                        end = next = len;
                else {
                        /* The last space at most one past the line's end: the line before it fits. */
                        end = pos + width;
                        while (end > pos && a[end] != ' ')
                                end--;
                        if (end == pos)
                                end = next = pos + width;
                        else
                                next = end + 1;
                        while (end > pos && a[end - 1] == ' ')
                                end--;
                }
                for (unsigned i = 0; i < indent; i++)
                        buf_puts(out, " ");
                buf_put(out, a + pos, end - pos);
                BUF_PUT(out, LF);
                pos = next;
                indent = indent2;
                if (pos >= len)
                        break;
        }
}

static size_t field_len(const char *s, size_t size) {
        return strnlen(s, size); /* a field without its NUL ends at its size */
}

/* Unix time t as "YYYY-MM-DD HH:MM", or with date_only "YYYY-MM-DD", in the layout's time. */
static int format_time(const Layout *l, int64_t t, bool date_only, char ret[static 32]) {
        struct tm tm;
        time_t tt;
        int n;

        if (t < 0 || t > RECEIPT_TIME_MAX)
                return -EINVAL;
        tt = (time_t) t;
        if (!l->time_to_tm(&tt, &tm))
                return -EINVAL;
        if (date_only)
                n = snprintf(ret, 32, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        else
                n = snprintf(ret, 32, "%04d-%02d-%02d %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                             tm.tm_mday, tm.tm_hour, tm.tm_min);
        return n > 0 && n < 32 ? 0 : -EINVAL;
}

static const char *kind_words(ReceiptKind k) {
        switch (k) {
        case RECEIPT_CHECKOUT: return "Borrowed";
        case RECEIPT_CHECKIN: return "Returned";
        case RECEIPT_RENEW: return "Renewed";
        default: return NULL;
        }
}

/* GS ( k pL pH cn fn [parameters]: the 2D code commands, cn 49 for QR Code. */
static void put_qr_function(Buf *b, uint8_t fn, const uint8_t *params, size_t n) {
        size_t p = n + 2; /* cn, fn and the parameters */

        BUF_PUT(b, GS, '(', 'k', (uint8_t) (p & 0xff), (uint8_t) (p >> 8), 49, fn);
        buf_put(b, params, n);
}

static void put_qr(Buf *b, const Layout *l, const char *text, size_t n) {
        /* Function 165: model 2 (n1 50, n2 0). */
        put_qr_function(b, 65, (const uint8_t[]) { 50, 0 }, 2);
        /* Function 167: the module size in dots. */
        put_qr_function(b, 67, (const uint8_t[]) { (uint8_t) l->module_size }, 1);
        /* Function 169: error correction level M (48 L, 49 M, 50 Q, 51 H): 15 % of the symbol
         * may be lost to a crease or a smudge. */
        put_qr_function(b, 69, (const uint8_t[]) { 49 }, 1);
        /* Function 180: store the data (m 48), pL pH = its length + 3. The data is length-
         * prefixed, so its bytes are never taken as commands. */
        size_t p = n + 3;
        BUF_PUT(b, GS, '(', 'k', (uint8_t) (p & 0xff), (uint8_t) (p >> 8), 49, 80, 48);
        buf_put(b, text, n);
        /* Function 181: print the stored symbol (m 48). */
        put_qr_function(b, 81, (const uint8_t[]) { 48 }, 1);
}

static int layout_from_options(const EscposOptions *o, Layout *ret) {
        *ret = (Layout) {
                .columns = o && o->columns ? o->columns : ESCPOS_COLUMNS_DEFAULT,
                .module_size = o && o->module_size ? o->module_size : ESCPOS_MODULE_SIZE_DEFAULT,
                .time_to_tm = o && o->time_to_tm ? o->time_to_tm : localtime_r,
        };
        if (ret->columns < ESCPOS_COLUMNS_MIN || ret->columns > ESCPOS_COLUMNS_MAX)
                return -EINVAL;
        if (ret->module_size < ESCPOS_MODULE_SIZE_MIN || ret->module_size > ESCPOS_MODULE_SIZE_MAX)
                return -EINVAL;
        return 0;
}

int escpos_receipt(const Receipt *r, const char *qr_text, const EscposOptions *o, uint8_t **ret,
                   size_t *ret_len) {
        _cleanup_(buf_done) Buf b = {};
        char when[32];
        size_t qr_len;
        Layout l;
        int k;

        if (!r || !qr_text || !ret || !ret_len)
                return -EINVAL;
        qr_len = strnlen(qr_text, ESCPOS_QR_DATA_MAX + 1);
        if (qr_len == 0)
                return -EINVAL;
        if (qr_len > ESCPOS_QR_DATA_MAX)
                return -E2BIG;
        k = layout_from_options(o, &l);
        if (k < 0)
                return k;
        if (r->n_items > RECEIPT_ITEMS_MAX)
                return -EINVAL;
        k = format_time(&l, r->time, false, when);
        if (k < 0)
                return k;

        BUF_PUT(&b, ESC, '@');    /* initialise: no mode of an earlier job carries over */
        BUF_PUT(&b, ESC, 'a', 1); /* centred */
        if (o && o->library && o->library[0]) {
                /* Double height only: the line keeps its width in characters. */
                BUF_PUT(&b, ESC, 'E', 1, GS, '!', 0x01);
                put_text(&b, &l, 0, 0, "", o->library, strlen(o->library));
                BUF_PUT(&b, GS, '!', 0x00, ESC, 'E', 0);
        }
        put_text(&b, &l, 0, 0, "Station ", r->station, field_len(r->station, sizeof(r->station)));
        put_text(&b, &l, 0, 0, when, "", 0);
        BUF_PUT(&b, ESC, 'a', 0, LF); /* left */

        for (size_t i = 0; i < r->n_items; i++) {
                const ReceiptItem *it = &r->items[i];
                const char *what = kind_words(it->kind);

                if (!what)
                        return -EINVAL;
                BUF_PUT(&b, ESC, 'E', 1);
                buf_puts(&b, what);
                BUF_PUT(&b, ESC, 'E', 0, LF);
                put_text(&b, &l, 2, 2, "", it->id, field_len(it->id, sizeof(it->id)));
                if (it->outcome != RECEIPT_OK) {
                        size_t n = field_len(it->words, sizeof(it->words));
                        BUF_PUT(&b, ESC, 'E', 1);
                        put_text(&b, &l, 2, 4, n > 0 ? "NOT DONE: " : "NOT DONE", it->words, n);
                        BUF_PUT(&b, ESC, 'E', 0);
                } else if (receipt_item_has_due(it)) {
                        char due[32];

                        k = format_time(&l, it->due, true, due);
                        if (k < 0)
                                return k;
                        put_text(&b, &l, 2, 2, "due ", due, strlen(due));
                }
        }

        BUF_PUT(&b, LF, ESC, 'a', 1);
        const char *footer = o && o->footer ? o->footer : ESCPOS_FOOTER_DEFAULT;
        /* The footer is the operator's: its lines are theirs to break. */
        for (const char *f = footer; *f;) {
                size_t n = strcspn(f, "\n");

                put_text(&b, &l, 0, 0, "", f, n);
                f += n;
                if (*f == '\n')
                        f++;
        }
        put_qr(&b, &l, qr_text, qr_len);
        BUF_PUT(&b, LF, ESC, 'a', 0);
        /* GS V 66 n: feed to the cutter (and n more dots), then cut leaving a hinge, so that the
         * receipt hangs until the patron takes it. */
        BUF_PUT(&b, GS, 'V', 66, 0);

        if (b.oom)
                return -ENOMEM;
        *ret = TAKE_PTR(b.p);
        *ret_len = b.n;
        return 0;
}

int escpos_write(int fd, const uint8_t *buf, size_t len, int timeout_ms) {
        if (fd < 0 || (!buf && len > 0))
                return -EINVAL;
        return write_all_timeout(fd, buf, len, timeout_ms);
}

/* Whether path names something under /dev/, without ".." leading out of it. */
static bool path_under_dev(const char *path) {
        if (strncmp(path, "/dev/", 5) != 0)
                return false;
        for (const char *p = path + 4; (p = strstr(p, "/..")); p += 3)
                if (p[3] == '/' || p[3] == 0)
                        return false;
        return true;
}

static int verify_printer(const struct stat *st) {
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (S_ISLNK(st->st_mode))
                return -ELOOP;
        if (!S_ISCHR(st->st_mode))
                return -ENOTTY;
        return 0;
}

int escpos_open(const char *path, int *ret_fd) {
        _cleanup_(closep) int fd = -EBADF;
        bool follow;
        struct stat before, after;
        int r;

        if (!path || !path[0] || !ret_fd)
                return -EINVAL;
        follow = path_under_dev(path);

        /* Checked before open(): opening a FIFO for writing without O_NONBLOCK waits for a
         * reader and with it fails (ENXIO), and neither says what is wrong. */
        if ((follow ? stat(path, &before) : lstat(path, &before)) < 0)
                return -errno;
        r = verify_printer(&before);
        if (r < 0)
                return r;

        /* No O_CREAT, no O_TRUNC: a wrong path never creates or empties a file. */
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
        if (fd < 0)
                return errno == ELOOP ? -ELOOP : -errno;
        if (fstat(fd, &after) < 0)
                return -errno;
        r = verify_printer(&after);
        if (r < 0)
                return r;
        /* The node checked is the node opened (nothing was swapped in between). */
        if (after.st_rdev != before.st_rdev || after.st_ino != before.st_ino || after.st_dev != before.st_dev)
                return -ENOTTY;

        *ret_fd = TAKE_FD(fd);
        return 0;
}
