/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/cose.h"
#include "core/replay.h"

#define FILE_MAGIC "QGRPLY1\n"
#define MAGIC_LEN 8
#define RECORD_LEN 24
#define QUEUE_MAX 64

/* A slot: the first 16 bytes of SHA-256(len(iss) || iss || cti) and the last second the entry
 * is live in (inclusive). 128 bits keep accidental collisions (which would refuse a fresh code)
 * out of reach, and a fixed size keeps memory and the file format simple. until == 0 marks a
 * never-used slot. (Files written before "until" was inclusive hold exp + skew, the code's last
 * acceptable second: the same meaning.) */
typedef struct Entry {
        uint8_t key[16];
        int64_t until;
} Entry;

static bool entry_live(const Entry *e, int64_t now) {
        return e->until != 0 && now <= e->until;
}

struct ReplayCache {
        Entry *slots;
        size_t n_slots; /* a power of two, at least twice the capacity */
        size_t capacity;
        size_t used;    /* slots with until != 0, live or expired */
        int dir_fd;     /* the directory the file is in (a duplicate), or -EBADF */
        int fd;
        char *name;
        size_t file_records;
        uint8_t queue[QUEUE_MAX][RECORD_LEN]; /* records added but not yet written */
        size_t n_queued;
};

static void make_key(const char *iss, const uint8_t *cti, size_t cti_len, uint8_t out[static 16]) {
        uint8_t digest[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        uint8_t len = (uint8_t) strlen(iss);

        /* The length prefix keeps ("ab", "c…") and ("a", "bc…") apart. */
        if (!ctx || EVP_DigestInit_ex(ctx, md_sha256(), NULL) != 1 || EVP_DigestUpdate(ctx, &len, 1) != 1 ||
            EVP_DigestUpdate(ctx, iss, len) != 1 || EVP_DigestUpdate(ctx, cti, cti_len) != 1 ||
            EVP_DigestFinal_ex(ctx, digest, &n) != 1 || n < 16)
                abort(); /* SHA-256 cannot fail short of memory exhaustion in libcrypto */
        EVP_MD_CTX_free(ctx);
        memcpy(out, digest, 16);
}

static size_t slot_of(const ReplayCache *c, const uint8_t key[static 16]) {
        uint64_t h;
        memcpy(&h, key, sizeof(h));
        return (size_t) h & (c->n_slots - 1);
}

/* Linear probing; returns the slot holding key, or the first free one where it would go. */
static Entry *probe(const ReplayCache *c, const uint8_t key[static 16], Entry **ret_reusable, int64_t now) {
        *ret_reusable = NULL;
        for (size_t i = slot_of(c, key), k = 0; k < c->n_slots; i = (i + 1) & (c->n_slots - 1), k++) {
                Entry *e = &c->slots[i];
                if (e->until == 0)
                        return (*ret_reusable = *ret_reusable ?: e), NULL;
                if (memcmp(e->key, key, 16) == 0)
                        return e;
                if (!entry_live(e, now) && !*ret_reusable)
                        *ret_reusable = e;
        }
        return NULL;
}

int replay_cache_new(size_t capacity, ReplayCache **ret) {
        ReplayCache *c;
        size_t n = 16;

        if (capacity == 0 || capacity > (SIZE_MAX / sizeof(Entry)) / 4)
                return -EINVAL;
        while (n < capacity * 2)
                n *= 2;
        c = calloc(1, sizeof(ReplayCache));
        if (!c)
                return -ENOMEM;
        c->slots = calloc(n, sizeof(Entry));
        if (!c->slots) {
                free(c);
                return -ENOMEM;
        }
        c->n_slots = n;
        c->capacity = capacity;
        c->dir_fd = -EBADF;
        c->fd = -EBADF;
        *ret = c;
        return 0;
}

ReplayCache *replay_cache_free(ReplayCache *c) {
        if (!c)
                return NULL;
        (void) replay_cache_sync(c, 0);
        closep(&c->fd);
        closep(&c->dir_fd);
        free(c->name);
        free(c->slots);
        free(c);
        return NULL;
}

size_t replay_cache_count(const ReplayCache *c, int64_t now) {
        size_t n = 0;
        for (size_t i = 0; i < c->n_slots; i++)
                n += entry_live(&c->slots[i], now);
        return n;
}

/* Rebuilds the table without expired entries: probe chains must not keep dead slots forever. */
static void sweep(ReplayCache *c, int64_t now) {
        Entry *old = c->slots;
        size_t n = c->n_slots;
        Entry *fresh = calloc(n, sizeof(Entry));

        if (!fresh)
                return; /* keep the old table; expired slots are still reused in place */
        c->slots = fresh;
        c->used = 0;
        for (size_t i = 0; i < n; i++)
                if (entry_live(&old[i], now)) {
                        Entry *reuse, *e = probe(c, old[i].key, &reuse, now);
                        if (!e) {
                                *reuse = old[i];
                                c->used++;
                        }
                }
        free(old);
}

bool replay_cache_has_room(ReplayCache *c, int64_t now) {
        if (c->used < c->capacity)
                return true;
        sweep(c, now);
        return c->used < c->capacity;
}

bool replay_cache_contains(const ReplayCache *c, const char *iss, const uint8_t *cti, size_t cti_len, int64_t now) {
        uint8_t key[16];
        Entry *reuse;

        make_key(iss, cti, cti_len, key);
        Entry *e = probe(c, key, &reuse, now);
        return e && entry_live(e, now);
}

static int insert(ReplayCache *c, const uint8_t key[static 16], int64_t until, int64_t now) {
        Entry *reuse, *e = probe(c, key, &reuse, now);

        /* Live or not: an entry is kept at least as long as its code could be accepted, so a
         * second add of the same code means a caller got that wrong. Refusing is the safe way
         * to be wrong; re-arming would have let the code open a door again. */
        if (e)
                return -EEXIST;
        /* The table has twice the capacity in slots, so probe chains stay short; only when the
         * capacity is used up do we pay for a sweep, and if every entry is still live the code
         * is refused instead of evicting one that could then be replayed. */
        if (c->used >= c->capacity) {
                sweep(c, now);
                if (c->used >= c->capacity)
                        return -ENOSPC;
                (void) probe(c, key, &reuse, now);
        }
        if (reuse->until == 0)
                c->used++;
        memcpy(reuse->key, key, 16);
        reuse->until = until;
        return 0;
}

static void record_encode(const Entry *e, uint8_t out[static 24]) {
        memcpy(out, e->key, 16);
        for (int i = 0; i < 8; i++)
                out[16 + i] = (uint8_t) ((uint64_t) e->until >> (8 * i));
}

static void record_decode(const uint8_t in[static 24], Entry *e) {
        uint64_t v = 0;
        memcpy(e->key, in, 16);
        for (int i = 7; i >= 0; i--)
                v = v << 8 | in[16 + i];
        e->until = (int64_t) v;
}

static int write_all(int fd, const void *buf, size_t n) {
        const uint8_t *p = buf;
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Opens name in the cache's directory, never through a symlink, and only as a regular file. */
static int open_in_dir(ReplayCache *c, const char *name, int flags) {
        struct stat st;
        int fd, r;

        fd = openat(c->dir_fd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                r = S_ISDIR(st.st_mode) ? -EISDIR : -EBADFD;
                close(fd);
                return r;
        }
        return fd;
}

/* Writes the live entries to name.tmp, syncs it and renames it over name, so a crash leaves
 * either the old file or the new one; then reopens it for appending. */
static int compact(ReplayCache *c, int64_t now) {
        _cleanup_(freep) char *tmp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        size_t n = 0;
        int r;

        if (asprintf(&tmp, "%s.tmp", c->name) < 0)
                return -ENOMEM;
        /* A leftover of a crash during the last compaction, or something planted: either way not
         * ours to write through. O_EXCL after the unlink creates a fresh file or fails. */
        if (unlinkat(c->dir_fd, tmp, 0) < 0 && errno != ENOENT)
                return -errno;
        fd = open_in_dir(c, tmp, O_WRONLY | O_CREAT | O_EXCL);
        if (fd < 0)
                return fd;
        r = write_all(fd, FILE_MAGIC, MAGIC_LEN);
        for (size_t i = 0; r >= 0 && i < c->n_slots; i++)
                if (entry_live(&c->slots[i], now)) {
                        uint8_t rec[24];
                        record_encode(&c->slots[i], rec);
                        r = write_all(fd, rec, sizeof(rec));
                        n++;
                }
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(c->dir_fd, tmp, c->dir_fd, c->name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(c->dir_fd, tmp, 0);
                return r;
        }
        if (c->dir_fd >= 0)
                (void) fsync(c->dir_fd); /* the rename itself, for a power cut */
        closep(&c->fd);
        c->fd = open_in_dir(c, c->name, O_WRONLY | O_APPEND);
        if (c->fd < 0)
                return c->fd;
        c->file_records = n;
        return 0;
}

int replay_cache_attach_file(ReplayCache *c, int dir_fd, const char *name, int64_t now) {
        _cleanup_(closep) int fd = -EBADF;
        uint8_t magic[MAGIC_LEN], rec[24];
        ssize_t k;

        if (c->name)
                return -EBUSY;
        /* AT_FDCWD (tests, tools) stays as it is; a real directory is ours to keep open. */
        c->dir_fd = dir_fd < 0 ? dir_fd : fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (c->dir_fd < 0 && c->dir_fd != AT_FDCWD)
                return -errno;
        fd = open_in_dir(c, name, O_RDONLY | O_CREAT);
        if (fd < 0) {
                closep(&c->dir_fd);
                return fd;
        }
        k = read(fd, magic, MAGIC_LEN);
        if (k < 0)
                return -errno;
        /* An empty file is a new cache; anything else must be ours. A file we do not recognise
         * is left for the caller to deal with: silently starting empty would re-open the door
         * to every code it held. */
        if (k > 0 && (k != MAGIC_LEN || memcmp(magic, FILE_MAGIC, MAGIC_LEN) != 0)) {
                closep(&c->dir_fd);
                return -EBADMSG;
        }
        if (k > 0)
                for (;;) {
                        size_t got = 0;
                        while (got < sizeof(rec)) {
                                k = read(fd, rec + got, sizeof(rec) - got);
                                if (k < 0 && errno == EINTR)
                                        continue;
                                if (k < 0)
                                        return -errno;
                                if (k == 0)
                                        break;
                                got += (size_t) k;
                        }
                        if (got < sizeof(rec))
                                break; /* end of file, or a torn last record */
                        Entry e;
                        record_decode(rec, &e);
                        if (entry_live(&e, now))
                                (void) insert(c, e.key, e.until, now);
                }

        c->name = strdup(name);
        if (!c->name)
                return -ENOMEM;
        return compact(c, now);
}

int replay_cache_sync(ReplayCache *c, int64_t now) {
        int r;

        if (c->fd < 0 || c->n_queued == 0)
                return 0;
        r = write_all(c->fd, c->queue, c->n_queued * RECORD_LEN);
        if (r < 0) {
                /* A partial record would shift every later one; cut the file back to whole ones.
                 * If that fails too, the write's error is still the one to report. (An if, not a
                 * (void): glibc's fortified ftruncate() is warn_unused_result, which a cast does
                 * not silence.) */
                if (ftruncate(c->fd, (off_t) (MAGIC_LEN + c->file_records * RECORD_LEN)) < 0) {
                }
                return r;
        }
        c->file_records += c->n_queued;
        c->n_queued = 0;
        if (c->file_records > c->capacity * 4 && now > 0)
                return compact(c, now);
        return 0;
}

int replay_cache_add(ReplayCache *c, const char *iss, const uint8_t *cti, size_t cti_len, int64_t until, int64_t now) {
        uint8_t key[16];
        int r;

        if (until == 0)
                return -EINVAL; /* 0 marks a free slot */
        make_key(iss, cti, cti_len, key);
        r = insert(c, key, until, now);
        if (r < 0 || c->fd < 0)
                return r;
        if (c->n_queued == QUEUE_MAX) {
                r = replay_cache_sync(c, now);
                if (r < 0)
                        return r;
        }
        Entry e = { .until = until };
        memcpy(e.key, key, sizeof(key));
        record_encode(&e, c->queue[c->n_queued++]);
        return 0;
}
