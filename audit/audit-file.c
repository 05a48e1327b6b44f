/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit-file.h"

void audit_file_name(uint64_t first_seq, char buf[static AUDIT_FILE_NAME_MAX]) {
        snprintf(buf, AUDIT_FILE_NAME_MAX, AUDIT_FILE_PREFIX "%020" PRIu64 AUDIT_FILE_SUFFIX, first_seq);
}

bool audit_file_name_parse(const char *name, uint64_t *ret_first_seq) {
        size_t np = strlen(AUDIT_FILE_PREFIX), ns = strlen(AUDIT_FILE_SUFFIX), n = strlen(name);
        uint64_t v = 0;

        if (n != np + 20 + ns || strncmp(name, AUDIT_FILE_PREFIX, np) != 0 || strcmp(name + np + 20, AUDIT_FILE_SUFFIX) != 0)
                return false;
        for (size_t i = np; i < np + 20; i++) {
                unsigned d = (unsigned) (name[i] - '0');
                if (name[i] < '0' || name[i] > '9')
                        return false;
                if (v > UINT64_MAX / 10 || (v == UINT64_MAX / 10 && d > UINT64_MAX % 10))
                        return false;
                v = v * 10 + d;
        }
        *ret_first_seq = v;
        return true;
}

static int entry_cmp(const void *a, const void *b) {
        const AuditFileEntry *x = a, *y = b;
        return (x->first_seq > y->first_seq) - (x->first_seq < y->first_seq);
}

int audit_dir_list(int dir_fd, AuditFileEntry **ret, size_t *ret_n) {
        _cleanup_(freep) AuditFileEntry *list = NULL;
        size_t n = 0, allocated = 0;
        struct dirent *de;
        DIR *d;
        int fd;

        fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        rewinddir(d);
        while ((errno = 0, de = readdir(d))) {
                uint64_t seq;
                if (!audit_file_name_parse(de->d_name, &seq))
                        continue;
                if (n == allocated) {
                        AuditFileEntry *l = reallocarray(list, allocated ? allocated * 2 : 16, sizeof(AuditFileEntry));
                        if (!l) {
                                closedir(d);
                                return -ENOMEM;
                        }
                        list = l;
                        allocated = allocated ? allocated * 2 : 16;
                }
                /* A name that parsed has exactly the length of ours. */
                memcpy(list[n].name, de->d_name, sizeof(list[n].name) - 1);
                list[n].name[sizeof(list[n].name) - 1] = 0;
                list[n++].first_seq = seq;
        }
        int r = errno > 0 ? -errno : 0;
        closedir(d);
        if (r < 0)
                return r;
        if (n > 0)
                qsort(list, n, sizeof(AuditFileEntry), entry_cmp);
        *ret = TAKE_PTR(list);
        *ret_n = n;
        return 0;
}

int audit_file_read(int fd, uint8_t **ret, size_t *ret_size) {
        _cleanup_(freep) uint8_t *buf = NULL;
        struct stat st;
        size_t size = 0, allocated;

        if (fstat(fd, &st) < 0)
                return -errno;
        /* Callers open with O_NONBLOCK; reading a FIFO or a device would still never end. */
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
        if ((uint64_t) st.st_size > AUDIT_FILE_READ_MAX)
                return -EFBIG;
        /* The file may grow while we read (the daemon appending): read what is there. */
        allocated = (size_t) st.st_size + 1;
        buf = malloc(allocated);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = pread(fd, buf + size, allocated - size, (off_t) size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                size += (size_t) n;
                if (size == allocated) {
                        if (allocated > AUDIT_FILE_READ_MAX)
                                return -EFBIG;
                        uint8_t *b = realloc(buf, allocated * 2);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        allocated *= 2;
                }
        }
        *ret = TAKE_PTR(buf);
        *ret_size = size;
        return 0;
}

int audit_file_read_path(const char *path, uint8_t **ret, size_t *ret_size) {
        _cleanup_(closep) int fd = -EBADF;

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        return audit_file_read(fd, ret, ret_size);
}

/* The next offset after off where a whole record parses, or size. */
static size_t resync(const uint8_t *buf, size_t size, size_t off) {
        for (size_t o = off + 1; o + AUDIT_RECORD_MIN <= size; o++) {
                const uint8_t *m = memmem(buf + o, size - o, AUDIT_MAGIC, 4);
                AuditRecord r;
                if (!m)
                        break;
                o = (size_t) (m - buf);
                if (audit_record_parse(buf + o, size - o, &r) == AUDIT_PARSE_OK)
                        return o;
        }
        return size;
}

int audit_scan(const uint8_t *buf, size_t size, const AuditScanOps *ops, void *userdata) {
        size_t off = 0;
        int r;

        while (off < size) {
                AuditRecord rec;
                AuditParse p = audit_record_parse(buf + off, size - off, &rec);

                if (p == AUDIT_PARSE_OK) {
                        if (ops->record) {
                                r = ops->record(userdata, &rec, off);
                                if (r < 0)
                                        return r;
                        }
                        off += rec.size;
                        continue;
                }
                size_t next = resync(buf, size, off);
                bool at_end = next == size;
                /* What a crash (or power loss) leaves: the beginning of the one record being
                 * appended, possibly followed by zeros where the file system had allocated
                 * blocks. Anything longer is damage. */
                bool torn = at_end && (size - off <= AUDIT_RECORD_MAX ||
                                       memeqzero(buf + off + AUDIT_RECORD_MAX, size - off - AUDIT_RECORD_MAX));
                if (ops->damage) {
                        r = ops->damage(userdata, off, next - off, p, at_end, torn);
                        if (r < 0)
                                return r;
                }
                off = next;
        }
        return 0;
}

typedef struct TailState {
        AuditTail *t;
        const uint8_t *buf;
        bool damaged;
} TailState;

static int tail_record(void *userdata, const AuditRecord *r, uint64_t off) {
        TailState *s = userdata;
        AuditTail *t = s->t;
        uint64_t ref;
        const uint8_t *h;

        if (t->n_records++ == 0) {
                t->first_seq = r->seq;
                t->first_time_usec = r->time_usec;
        }
        t->last_seq = r->seq;
        audit_record_hash(r, t->last_hash);
        t->end = off + r->size;
        if (!s->damaged)
                t->valid_end = t->end;
        if (r->event == AUDIT_EVENT_CHECKPOINT && audit_record_get_u64(r, AUDIT_TAG_REF, &ref) &&
            (h = audit_record_get_bytes(r, AUDIT_TAG_HASH, AUDIT_HASH_SIZE))) {
                t->checkpoint_seq = ref;
                memcpy(t->checkpoint_hash, h, AUDIT_HASH_SIZE);
        }
        return 0;
}

static int tail_damage(void *userdata, uint64_t off, uint64_t size, AuditParse why, bool at_end, bool torn) {
        TailState *s = userdata;
        AuditTail *t = s->t;

        if (at_end && torn && !s->damaged) {
                t->torn = true;
                audit_hash(s->buf + off, size, t->torn_hash);
                return 0;
        }
        if (t->damage_off == UINT64_MAX) {
                t->damage_off = off;
                t->damage_why = why;
        }
        s->damaged = true;
        return 0;
}

void audit_tail_scan(const uint8_t *buf, size_t size, AuditTail *ret) {
        static const AuditScanOps ops = { .record = tail_record, .damage = tail_damage };
        TailState s = { .t = ret, .buf = buf };

        *ret = (AuditTail) { .size = size, .damage_off = UINT64_MAX };
        (void) audit_scan(buf, size, &ops, &s);
}
