/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The lending station's store-and-forward queue (lending/lend-queue.h): order, states across
 * reopening, torn and corrupt tails, bounds, compaction, files that are not ours, a full disk,
 * and SIGKILL at random moments (the crash tests at the end). */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "lending/lend-queue.h"
#include "tests/unit/helper-dir.h"

#define NAME "queue"

typedef struct Dir {
        char path[TH_DIR_MAX];
        int fd;
} Dir;

static int dir_setup(void **state) {
        Dir *d = calloc(1, sizeof(Dir));

        assert_non_null(d);
        th_dir_new(d->path, "/tmp/qrgate-lendq-XXXXXX");
        d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(d->fd >= 0);
        *state = d;
        return 0;
}

static int dir_teardown(void **state) {
        Dir *d = *state;

        close(d->fd);
        th_dir_remove(d->path);
        free(d);
        return 0;
}

static LendQueue *open_q(Dir *d, const LendQueueLimits *limits, LendQueueRecovery *rec) {
        LendQueue *q = NULL;

        assert_int_equal(lend_queue_open(d->fd, NAME, limits, &q, rec), 0);
        return q;
}

static uint64_t add(LendQueue *q, LendKind kind, const char *item, int64_t time) {
        LendTx tx = { .kind = kind, .patron = "P0001", .item = item, .station = "desk-1", .time = time };
        uint64_t id = 0;

        assert_int_equal(lend_queue_append(q, &tx, &id), 0);
        return id;
}

static off_t file_size(Dir *d) {
        struct stat st;

        assert_int_equal(fstatat(d->fd, NAME, &st, 0), 0);
        return st.st_size;
}

static void truncate_to(Dir *d, off_t size) {
        int fd = openat(d->fd, NAME, O_WRONLY | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(ftruncate(fd, size), 0);
        close(fd);
}

/* Asserts the pending items, in order, by taking each off with mark_done (in a copy of the
 * file, so the caller's file stays as it is). */
static void assert_items(LendQueue *q, const char *const *items, size_t n) {
        LendTx tx;
        uint64_t last = 0;

        assert_int_equal(lend_queue_length(q), n);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(lend_queue_next(q, &tx), 1);
                assert_string_equal(tx.item, items[i]);
                assert_true(tx.id > last);
                last = tx.id;
                assert_int_equal(lend_queue_mark_done(q, tx.id, LEND_OUTCOME_OK, NULL), 0);
        }
        assert_int_equal(lend_queue_next(q, &tx), 0);
}

static void order_and_fields_survive_reopen(void **state) {
        Dir *d = *state;
        LendQueueRecovery rec;
        LendQueue *q = open_q(d, NULL, &rec);
        LendTx tx;
        int64_t t;

        assert_int_equal(rec.records, 0);
        assert_int_equal(lend_queue_oldest(q, &t), 0);
        assert_int_equal(add(q, LEND_CHECKOUT, "B1", 1000), 1);
        assert_int_equal(add(q, LEND_RENEW, "B2", 1001), 2);
        assert_int_equal(add(q, LEND_CHECKIN, "B3", 1002), 3);
        lend_queue_free(q);

        q = open_q(d, NULL, &rec);
        assert_int_equal(rec.records, 3);
        assert_int_equal(rec.dropped_bytes, 0);
        assert_int_equal(lend_queue_length(q), 3);
        assert_int_equal(lend_queue_oldest(q, &t), 1);
        assert_int_equal(t, 1000);
        assert_int_equal(lend_queue_next(q, &tx), 1);
        assert_int_equal(tx.id, 1);
        assert_int_equal(tx.kind, LEND_CHECKOUT);
        assert_int_equal(tx.state, LEND_QUEUED);
        assert_string_equal(tx.patron, "P0001");
        assert_string_equal(tx.station, "desk-1");
        assert_string_equal(lend_kind_to_string(tx.kind), "checkout");
        assert_int_equal(lend_kind_from_string("renew"), LEND_RENEW);
        assert_items(q, (const char *[]) { "B1", "B2", "B3" }, 3);
        lend_queue_free(q);
}

static void sending_found_after_reopen_is_flagged_for_reconciliation(void **state) {
        Dir *d = *state;
        LendQueue *q = open_q(d, NULL, NULL);
        uint64_t a = add(q, LEND_CHECKOUT, "B1", 1), b = add(q, LEND_CHECKOUT, "B2", 2);
        LendTx tx;

        assert_int_equal(lend_queue_mark_sending(q, a), 0);
        assert_int_equal(lend_queue_mark_sending(q, a), 0); /* again: nothing new to say */
        assert_int_equal(lend_queue_mark_sending(q, 99), -ENOENT);
        lend_queue_free(q);

        q = open_q(d, NULL, NULL);
        assert_int_equal(lend_queue_next(q, &tx), 1);
        assert_int_equal(tx.id, a);
        assert_int_equal(tx.state, LEND_SENDING);
        assert_int_equal(lend_queue_mark_done(q, a, LEND_OUTCOME_REFUSED, "Item already on loan to you"), 0);
        assert_int_equal(lend_queue_next(q, &tx), 1);
        assert_int_equal(tx.id, b);
        assert_int_equal(tx.state, LEND_QUEUED);
        lend_queue_free(q);
}

static void done_is_never_returned_again(void **state) {
        Dir *d = *state;
        LendQueue *q = open_q(d, NULL, NULL);
        uint64_t a = add(q, LEND_CHECKOUT, "B1", 1), b = add(q, LEND_CHECKOUT, "B2", 2);
        char longtext[600];
        LendTx tx;

        /* ILS words longer than the bound are cut, not refused: the answer must be recorded. */
        memset(longtext, 'x', sizeof(longtext) - 1);
        longtext[sizeof(longtext) - 1] = '\0';
        assert_int_equal(lend_queue_mark_sending(q, b), 0);
        assert_int_equal(lend_queue_mark_done(q, b, LEND_OUTCOME_OK, longtext), 0);
        assert_int_equal(lend_queue_mark_done(q, b, LEND_OUTCOME_OK, NULL), -ENOENT);
        assert_int_equal(lend_queue_mark_sending(q, b), -ENOENT);
        assert_int_equal(lend_queue_mark_done(q, a, 7, NULL), -EINVAL);
        lend_queue_free(q);

        q = open_q(d, NULL, NULL);
        assert_int_equal(lend_queue_length(q), 1);
        assert_int_equal(lend_queue_next(q, &tx), 1);
        assert_int_equal(tx.id, a);
        assert_int_equal(lend_queue_mark_done(q, a, LEND_OUTCOME_OK, NULL), 0);
        assert_int_equal(lend_queue_next(q, &tx), 0);
        /* Drained: the file is compacted to its header, and ids are never reused. */
        assert_int_equal(lend_queue_file_size(q), (uint64_t) file_size(d));
        assert_true(file_size(d) < 64);
        assert_int_equal(add(q, LEND_CHECKIN, "B3", 3), 3);
        lend_queue_free(q);
        q = open_q(d, NULL, NULL);
        assert_int_equal(add(q, LEND_CHECKIN, "B4", 4), 4);
        lend_queue_free(q);
}

/* Three transactions, the second SENDING, then the last record's size. */
static off_t write_three(Dir *d, off_t *ret_before_last) {
        LendQueue *q = open_q(d, NULL, NULL);

        add(q, LEND_CHECKOUT, "B1", 1);
        add(q, LEND_CHECKOUT, "B2", 2);
        assert_int_equal(lend_queue_mark_sending(q, 2), 0);
        *ret_before_last = file_size(d);
        add(q, LEND_CHECKOUT, "B3", 3);
        lend_queue_free(q);
        return file_size(d);
}

static void torn_tail_at_every_byte_keeps_earlier_records(void **state) {
        Dir *d = *state;
        off_t before, full = write_three(d, &before);
        _cleanup_(freep) uint8_t *copy = malloc((size_t) full);
        int fd = openat(d->fd, NAME, O_RDWR | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(pread(fd, copy, (size_t) full, 0), full);
        for (off_t cut = before; cut < full; cut++) {
                LendQueueRecovery rec;
                LendQueue *q;
                LendTx tx;

                assert_int_equal(pwrite(fd, copy, (size_t) full, 0), full);
                assert_int_equal(ftruncate(fd, cut), 0);
                q = open_q(d, NULL, &rec);
                assert_int_equal(rec.dropped_bytes, (uint64_t) (cut - before));
                assert_int_equal(rec.records, 3);
                assert_int_equal(lend_queue_length(q), 2);
                assert_int_equal(file_size(d), before);
                assert_int_equal(lend_queue_next(q, &tx), 1);
                assert_string_equal(tx.item, "B1");
                assert_int_equal(lend_queue_mark_done(q, 1, LEND_OUTCOME_OK, NULL), 0);
                assert_int_equal(lend_queue_next(q, &tx), 1);
                assert_string_equal(tx.item, "B2");
                assert_int_equal(tx.state, LEND_SENDING);
                /* The next append follows the last whole record. */
                assert_int_equal(add(q, LEND_CHECKOUT, "B9", 9), 3);
                lend_queue_free(q);
        }
        close(fd);
}

static void flipped_byte_drops_the_rest_as_torn(void **state) {
        Dir *d = *state;
        off_t before, full = write_three(d, &before);
        LendQueueRecovery rec;
        LendQueue *q;
        uint8_t b;
        int fd = openat(d->fd, NAME, O_RDWR | O_CLOEXEC);

        /* A byte inside the second record (the ADD of B2): after the header (20 bytes) and B1's
         * ADD (8 bytes of frame, 18 of type, id, kind and time, 6 + 3 + 7 of ids). */
        assert_true(fd >= 0);
        assert_int_equal(pread(fd, &b, 1, 20 + 42 + 10), 1);
        b ^= 0x20;
        assert_int_equal(pwrite(fd, &b, 1, 20 + 42 + 10), 1);
        close(fd);
        q = open_q(d, NULL, &rec);
        assert_int_equal(rec.records, 1);
        assert_true(rec.dropped_bytes > 0);
        assert_int_equal(rec.dropped_bytes + (uint64_t) file_size(d), (uint64_t) full);
        assert_items(q, (const char *[]) { "B1" }, 1);
        lend_queue_free(q);
}

static void header_not_ours_is_refused_and_left_alone(void **state) {
        Dir *d = *state;
        LendQueue *q = NULL;
        int fd = openat(d->fd, NAME, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "hello, not a queue\n", 19), 19);
        close(fd);
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q, NULL), -EBADMSG);
        assert_null(q);
        assert_int_equal(file_size(d), 19);
        truncate_to(d, 0);
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q, NULL), -EBADMSG);
}

static void bad_ids_are_refused(void **state) {
        Dir *d = *state;
        LendQueue *q = open_q(d, NULL, NULL);
        char id64[65], id65[66];
        LendTx tx = { .kind = LEND_CHECKOUT, .patron = "P", .item = "B", .station = "S" };

        memset(id64, 'a', 64);
        id64[64] = '\0';
        memset(id65, 'a', 65);
        id65[65] = '\0';
        tx.item = id65;
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        tx.item = "B", tx.patron = id65;
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        tx.patron = "P", tx.station = id65;
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        tx.station = "S", tx.item = "";
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        tx.item = NULL;
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        tx.item = "B", tx.kind = _LEND_KIND_MAX;
        assert_int_equal(lend_queue_append(q, &tx, NULL), -EINVAL);
        assert_int_equal(lend_queue_length(q), 0);
        /* The bound itself is fine, and a checkin may have no patron. */
        tx = (LendTx) { .kind = LEND_CHECKIN, .patron = "", .item = id64, .station = id64 };
        assert_int_equal(lend_queue_append(q, &tx, NULL), 0);
        lend_queue_free(q);
        q = open_q(d, NULL, NULL);
        assert_int_equal(lend_queue_next(q, &tx), 1);
        assert_string_equal(tx.item, id64);
        assert_string_equal(tx.patron, "");
        lend_queue_free(q);
}

static void full_queue_refuses_with_enospc(void **state) {
        Dir *d = *state;
        LendQueueLimits small = { .max_pending = 5, .max_file_size = 1 << 20 };
        LendQueue *q = open_q(d, &small, NULL);
        LendTx tx = { .kind = LEND_CHECKOUT, .patron = "P", .item = "B", .station = "S" };
        off_t size;

        for (int i = 0; i < 5; i++)
                add(q, LEND_CHECKOUT, "B", i);
        size = file_size(d);
        assert_int_equal(lend_queue_append(q, &tx, NULL), -ENOSPC);
        assert_int_equal(file_size(d), size);
        assert_int_equal(lend_queue_mark_done(q, 1, LEND_OUTCOME_OK, NULL), 0);
        assert_int_equal(lend_queue_append(q, &tx, NULL), 0);
        lend_queue_free(q);

        /* By size: everything pending, nothing to compact away. */
        small = (LendQueueLimits) { .max_pending = 1000, .max_file_size = 1024 };
        q = open_q(d, &small, NULL);
        for (;;) {
                int r = lend_queue_append(q, &tx, NULL);
                if (r == -ENOSPC)
                        break;
                assert_int_equal(r, 0);
        }
        assert_true(file_size(d) <= 1024);
        assert_true(lend_queue_length(q) > 5);
        lend_queue_free(q);
}

static void compaction_keeps_exactly_the_pending_in_order(void **state) {
        Dir *d = *state;
        LendQueueLimits small = { .max_pending = 100, .max_file_size = 2048 };
        LendQueue *q = open_q(d, &small, NULL);
        char item[16];
        LendTx tx;
        uint64_t expect = 1;

        /* Every third stays pending (every sixth SENDING); the rest go DONE. The file hits its
         * limit many times over: each time it is compacted, never refused. */
        for (int i = 1; i <= 300; i++) {
                uint64_t id;
                snprintf(item, sizeof(item), "B%d", i);
                id = add(q, LEND_CHECKOUT, item, i);
                if (i % 6 == 0)
                        assert_int_equal(lend_queue_mark_sending(q, id), 0);
                if (i % 3 != 0)
                        assert_int_equal(lend_queue_mark_done(q, id, LEND_OUTCOME_OK, "ok"), 0);
                if (lend_queue_length(q) == 30)
                        break;
        }
        assert_true(file_size(d) <= 2048 + 2 * 300);
        assert_int_equal(lend_queue_compact(q), 0);
        lend_queue_free(q);

        q = open_q(d, &small, NULL);
        assert_int_equal(lend_queue_length(q), 30);
        for (int k = 1; k <= 30; k++) {
                expect = (uint64_t) (3 * k);
                assert_int_equal(lend_queue_next(q, &tx), 1);
                assert_int_equal(tx.id, expect);
                snprintf(item, sizeof(item), "B%d", 3 * k);
                assert_string_equal(tx.item, item);
                assert_int_equal(tx.state, k % 2 == 0 ? LEND_SENDING : LEND_QUEUED);
                assert_int_equal(lend_queue_mark_done(q, tx.id, LEND_OUTCOME_OK, NULL), 0);
        }
        assert_int_equal(add(q, LEND_CHECKOUT, "next", 1), expect + 1);
        lend_queue_free(q);
}

static void not_a_regular_file_is_refused(void **state) {
        Dir *d = *state;
        LendQueue *q = NULL;

        assert_int_equal(mkfifoat(d->fd, NAME, 0600), 0);
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q, NULL), -EBADFD);
        assert_int_equal(unlinkat(d->fd, NAME, 0), 0);

        assert_int_equal(symlinkat("elsewhere", d->fd, NAME), 0);
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q, NULL), -ELOOP);
        assert_int_equal(faccessat(d->fd, "elsewhere", F_OK, 0), -1); /* nothing made through it */
        assert_int_equal(unlinkat(d->fd, NAME, 0), 0);

        assert_int_equal(mkdirat(d->fd, NAME, 0700), 0);
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q, NULL), -EISDIR);
        assert_null(q);
        assert_int_equal(lend_queue_open(d->fd, "a/b", NULL, &q, NULL), -EINVAL);
}

static void second_holder_is_busy(void **state) {
        Dir *d = *state;
        LendQueue *q = open_q(d, NULL, NULL), *q2 = NULL;

        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q2, NULL), -EBUSY);
        assert_int_equal(lend_queue_compact(q), 0); /* the new file is locked too */
        assert_int_equal(lend_queue_open(d->fd, NAME, NULL, &q2, NULL), -EBUSY);
        lend_queue_free(q);
        q2 = open_q(d, NULL, NULL);
        lend_queue_free(q2);
}

/* Runs fn in a child process and returns its exit status (cmocka's asserts must not run there:
 * they would jump back into the parent's copy of the test). */
static int in_child(int (*fn)(Dir *d), Dir *d) {
        int status;
        pid_t pid = fork();

        assert_true(pid >= 0);
        if (pid == 0)
                _exit(fn(d));
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        return WEXITSTATUS(status);
}

#define CHILD_CHECK(x) \
        do {           \
                if (!(x)) { \
                        fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #x); \
                        return 1; \
                } \
        } while (0)

/* The file size limit makes the kernel take part of a record and then refuse the rest, as a
 * disk does when it fills up in the middle of one. */
static int cut_back_child(Dir *d) {
        LendTx tx = { .kind = LEND_CHECKOUT, .patron = "P", .item = "B-partial", .station = "S" };
        LendQueue *q = NULL;
        LendQueueRecovery rec;
        struct rlimit old, rl;
        struct stat st;
        off_t before;

        signal(SIGXFSZ, SIG_IGN);
        CHILD_CHECK(lend_queue_open(d->fd, NAME, NULL, &q, NULL) == 0);
        CHILD_CHECK(lend_queue_append(q, &tx, NULL) == 0);
        CHILD_CHECK(fstatat(d->fd, NAME, &st, 0) == 0);
        before = st.st_size;
        CHILD_CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
        rl = (struct rlimit) { .rlim_cur = (rlim_t) before + 10, .rlim_max = old.rlim_max };
        CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &rl) == 0);
        CHILD_CHECK(lend_queue_append(q, &tx, NULL) == -EFBIG);
        CHILD_CHECK(fstatat(d->fd, NAME, &st, 0) == 0 && st.st_size == before);
        CHILD_CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
        CHILD_CHECK(lend_queue_append(q, &tx, NULL) == 0);
        lend_queue_free(q);
        CHILD_CHECK(lend_queue_open(d->fd, NAME, NULL, &q, &rec) == 0);
        CHILD_CHECK(rec.dropped_bytes == 0 && lend_queue_length(q) == 2);
        lend_queue_free(q);
        return 0;
}

static void partial_write_is_cut_back(void **state) {
        assert_int_equal(in_child(cut_back_child, *state), 0);
}

/* A real full disk: a 64 KiB tmpfs over the scratch directory, in a mount namespace of the
 * child's own. Skipped where namespaces cannot be made (no privilege). */
static int full_disk_child(Dir *d) {
        LendTx tx = { .kind = LEND_CHECKOUT, .patron = "P0001", .item = "B-0000000001", .station = "desk-1" };
        LendQueue *q = NULL;
        LendQueueRecovery rec;
        size_t n = 0;
        uint64_t id;
        int r, dfd;

        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount("tmpfs", d->path, "tmpfs", 0, "size=64k") < 0)
                return 77;
        dfd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHILD_CHECK(dfd >= 0);
        CHILD_CHECK(lend_queue_open(dfd, NAME, NULL, &q, NULL) == 0);
        while ((r = lend_queue_append(q, &tx, &id)) == 0)
                n++;
        CHILD_CHECK(r == -ENOSPC);
        CHILD_CHECK(n > 100);
        /* Nothing can be written, not even the compacted copy: the old file stays. */
        CHILD_CHECK(lend_queue_compact(q) == -ENOSPC);
        CHILD_CHECK(faccessat(dfd, ".queue.tmp", F_OK, 0) < 0);
        lend_queue_free(q);
        CHILD_CHECK(lend_queue_open(dfd, NAME, NULL, &q, &rec) == 0);
        CHILD_CHECK(rec.dropped_bytes == 0 && lend_queue_length(q) == n);
        lend_queue_free(q);
        return 0;
}

static void full_disk_is_enospc_and_file_stays_valid(void **state) {
        int r = in_child(full_disk_child, *state);

        if (r == 77)
                skip();
        assert_int_equal(r, 0);
}

/* The crash tests: a child works on the queue and says on a pipe what each call returned; the
 * parent kills it at a random moment, then checks the file against what was said. Each ack is
 * one write(2) of less than PIPE_BUF, so it arrives whole or not at all. */
typedef struct Ack {
        uint8_t op;
        uint64_t id;
} __attribute__((packed)) Ack;

enum {
        ACKED_ADD = 1 << 0,   /* append returned: must be there until DONE */
        ACKED_SEND = 1 << 1,  /* mark_sending returned: never QUEUED again */
        TRYING_DONE = 1 << 2, /* mark_done called: may be gone */
        ACKED_DONE = 1 << 3,  /* mark_done returned: never seen again */
        FINISHED = 1 << 4,    /* the child ran out of steps before the kill (id 0) */
};

#define CRASH_IDS (1u << 20)
#define CRASH_DIR_TEMPLATE "/dev/shm/qrgate-lendq-XXXXXX"

static int ack(int fd, uint8_t op, uint64_t id) {
        Ack a = { .op = op, .id = id };
        return write(fd, &a, sizeof(a)) == (ssize_t) sizeof(a) ? 0 : -EIO;
}

static int work_child(int dir_fd, int ack_fd, unsigned seed) {
        LendQueueLimits limits = { .max_pending = 40, .max_file_size = 4096 };
        LendQueue *q = NULL;
        char item[32];

        if (lend_queue_open(dir_fd, NAME, &limits, &q, NULL) < 0)
                return 2;
        srand(seed);
        /* A bounded number of steps, so the pipe never fills; then wait for the kill. */
        for (unsigned i = 0; i < 1500; i++) {
                int what = rand() % 4;
                LendTx tx = { .kind = LEND_CHECKOUT, .patron = "P", .item = item, .station = "S" };
                uint64_t id;
                int r;

                snprintf(item, sizeof(item), "I%u-%u", seed, i);
                if (what < 2) {
                        r = lend_queue_append(q, &tx, &id);
                        if (r == 0 && ack(ack_fd, ACKED_ADD, id) < 0)
                                return 3;
                        if (r < 0 && r != -ENOSPC)
                                return 4;
                        if (r == -ENOSPC)
                                what = 3;
                }
                if (what >= 2 && lend_queue_next(q, &tx) > 0) {
                        if (what == 2) {
                                if (lend_queue_mark_sending(q, tx.id) < 0 || ack(ack_fd, ACKED_SEND, tx.id) < 0)
                                        return 5;
                        } else {
                                if (ack(ack_fd, TRYING_DONE, tx.id) < 0 ||
                                    lend_queue_mark_done(q, tx.id, LEND_OUTCOME_OK, "fine") < 0 ||
                                    ack(ack_fd, ACKED_DONE, tx.id) < 0)
                                        return 6;
                        }
                }
        }
        if (ack(ack_fd, FINISHED, 0) < 0)
                return 7;
        for (;;)
                pause();
}

/* Forks fn, kills it after a random delay below max_us, and collects its acks into flags.
 * Returns whether it had finished its steps (then the kill hit nothing). */
static bool run_and_kill(Dir *d, int (*fn)(int, int, unsigned), unsigned seed, unsigned max_us, uint8_t *flags) {
        bool finished = false;
        int p[2], status;
        Ack a;
        ssize_t k;
        pid_t pid;

        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                _exit(fn(d->fd, p[1], seed));
        }
        close(p[1]);
        usleep((useconds_t) (rand() % max_us));
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        /* Killed (or done and waiting for the kill): never a failure of its own. */
        if (WIFEXITED(status))
                fail_msg("child exited with %d", WEXITSTATUS(status));
        while ((k = read(p[0], &a, sizeof(a))) == (ssize_t) sizeof(a)) {
                assert_true(a.id < CRASH_IDS);
                if (a.op == FINISHED)
                        finished = true;
                else
                        flags[a.id] |= a.op;
        }
        assert_int_equal(k, 0);
        close(p[0]);
        return finished;
}

/* Reopens the queue (recovery) and checks it against the acks. Returns the number pending. */
static size_t check_against_acks(Dir *d, const uint8_t *flags, uint64_t *max_acked) {
        LendQueueLimits limits = { .max_pending = 40, .max_file_size = 4096 };
        LendQueue *q = open_q(d, &limits, NULL);
        uint8_t *seen = calloc(CRASH_IDS, 1);
        uint64_t last = 0;
        size_t n = 0;
        LendTx tx;

        assert_non_null(seen);
        for (size_t i = 0; lend_queue_peek(q, i, &tx) > 0; i++, n++) {
                assert_true(tx.id > last); /* in order, none twice */
                last = tx.id;
                assert_true(tx.id < CRASH_IDS);
                seen[tx.id] = 1;
                if (flags[tx.id] & ACKED_DONE)
                        fail_msg("transaction %" PRIu64 " was DONE and is back", tx.id);
                if ((flags[tx.id] & ACKED_SEND) && tx.state != LEND_SENDING)
                        fail_msg("transaction %" PRIu64 " was SENDING and is QUEUED again", tx.id);
        }
        for (uint64_t id = 1; id < CRASH_IDS; id++) {
                if ((flags[id] & ACKED_ADD) && !(flags[id] & TRYING_DONE) && !seen[id])
                        fail_msg("transaction %" PRIu64 " was acknowledged and is lost", id);
                if (flags[id] & ACKED_ADD)
                        *max_acked = MAX(*max_acked, id);
        }
        free(seen);
        lend_queue_free(q);
        assert_int_equal(faccessat(d->fd, ".queue.tmp", F_OK, 0), -1);
        return n;
}

static int crash_setup(void **state) {
        Dir *d = calloc(1, sizeof(Dir));

        assert_non_null(d);
        /* SIGKILL leaves the page cache as it was, so a disk adds nothing but fdatasync's time. */
        th_dir_new(d->path, access("/dev/shm", W_OK) == 0 ? CRASH_DIR_TEMPLATE : "/tmp/qrgate-lendq-XXXXXX");
        alarm(120);
        d->fd = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(d->fd >= 0);
        *state = d;
        return 0;
}

static void sigkill_at_random_moments_loses_and_doubles_nothing(void **state) {
        Dir *d = *state;
        uint8_t *flags = calloc(CRASH_IDS, 1);
        uint64_t max_acked = 0;
        size_t most = 0;
        unsigned finished = 0;

        assert_non_null(flags);
        srand(17);
        for (unsigned round = 0; round < 250; round++) {
                finished += run_and_kill(d, work_child, round, 1500, flags);
                most = MAX(most, check_against_acks(d, flags, &max_acked));
        }
        fprintf(stderr, "250 kills, %u after the child's last step, %" PRIu64 " transactions acknowledged\n",
                finished, max_acked);
        /* Most kills must hit the child at work, or the test proves little. */
        assert_true(finished < 125);
        /* The test tested something: work got done, and the queue was busy at times. */
        assert_true(max_acked > 1000);
        assert_true(most > 5);
        free(flags);
}

/* The compaction crash: a file of 150 transactions (a third SENDING, a third DONE in between),
 * compacted over and over until the kill. Whatever moment it hits, the file under the name is
 * the old one or the new one, and both hold exactly the same transactions. */
static int compact_child(int dir_fd, int ack_fd, unsigned seed) {
        LendQueue *q = NULL;

        if (lend_queue_open(dir_fd, NAME, NULL, &q, NULL) < 0)
                return 2;
        for (;;)
                if (lend_queue_compact(q) < 0)
                        return 3;
}

static void sigkill_during_compaction_loses_nothing(void **state) {
        Dir *d = *state;
        uint8_t *flags = calloc(CRASH_IDS, 1);
        LendQueue *q = open_q(d, NULL, NULL);
        char item[16];

        assert_non_null(flags);
        for (int i = 1; i <= 150; i++) {
                snprintf(item, sizeof(item), "C%d", i);
                assert_int_equal(add(q, LEND_RENEW, item, i), (uint64_t) i);
                if (i % 3 == 1)
                        assert_int_equal(lend_queue_mark_sending(q, (uint64_t) i), 0);
                if (i % 3 == 2)
                        assert_int_equal(lend_queue_mark_done(q, (uint64_t) i, LEND_OUTCOME_REFUSED, "no"), 0);
        }
        lend_queue_free(q);
        srand(18);
        for (unsigned round = 0; round < 100; round++) {
                LendTx tx;
                size_t n = 0;

                assert_false(run_and_kill(d, compact_child, round, 3000, flags));
                q = open_q(d, NULL, NULL);
                for (int i = 1; i <= 150; i++) {
                        if (i % 3 == 2)
                                continue;
                        assert_int_equal(lend_queue_peek(q, n++, &tx), 1);
                        assert_int_equal(tx.id, (uint64_t) i);
                        snprintf(item, sizeof(item), "C%d", i);
                        assert_string_equal(tx.item, item);
                        assert_int_equal(tx.state, i % 3 == 1 ? LEND_SENDING : LEND_QUEUED);
                        assert_int_equal(tx.kind, LEND_RENEW);
                }
                assert_int_equal(lend_queue_peek(q, n, &tx), 0);
                lend_queue_free(q);
        }
        /* And the ids go on after the last one, whichever file survived. */
        q = open_q(d, NULL, NULL);
        assert_int_equal(add(q, LEND_CHECKOUT, "after", 0), 151);
        lend_queue_free(q);
        free(flags);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(order_and_fields_survive_reopen, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(sending_found_after_reopen_is_flagged_for_reconciliation, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(done_is_never_returned_again, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(torn_tail_at_every_byte_keeps_earlier_records, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(flipped_byte_drops_the_rest_as_torn, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(header_not_ours_is_refused_and_left_alone, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(bad_ids_are_refused, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(full_queue_refuses_with_enospc, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(compaction_keeps_exactly_the_pending_in_order, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(not_a_regular_file_is_refused, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(second_holder_is_busy, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(partial_write_is_cut_back, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(full_disk_is_enospc_and_file_stays_valid, dir_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(sigkill_at_random_moments_loses_and_doubles_nothing, crash_setup, dir_teardown),
                cmocka_unit_test_setup_teardown(sigkill_during_compaction_loses_nothing, crash_setup, dir_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
