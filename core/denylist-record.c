/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/denylist-record.h"
#include "core/fileio.h"

/* "QGDENYV1 VERSION ID\n", ID 64 hex digits: a line an operator can read with cat. */
#define RECORD_MAGIC "QGDENYV1 "
#define RECORD_MAX 128

int denylist_succession(const DenyListRecord *highest, const DenyListInfo *candidate) {
        if (candidate->version > highest->version)
                return 0;
        if (candidate->version == highest->version && memcmp(candidate->id, highest->id, sizeof(highest->id)) == 0)
                return -EALREADY;
        return -ESTALE;
}

int denylist_record_read(int dir_fd, const char *name, DenyListRecord *ret) {
        _cleanup_(freep) char *text = NULL;
        DenyListRecord rec = {};
        char hex[65], nl;
        size_t len = 0;
        int r, n = 0;

        *ret = (DenyListRecord) {};
        r = read_regular_file(dir_fd, name, RECORD_MAX, READ_NOFOLLOW, &text, &len);
        if (r == -EFBIG)
                return -EBADMSG;
        if (r < 0)
                return r;
        if (strlen(text) != len || strncmp(text, RECORD_MAGIC, strlen(RECORD_MAGIC)) != 0)
                return -EBADMSG;
        if (sscanf(text + strlen(RECORD_MAGIC), "%" SCNu64 " %64[0-9a-f]%c%n", &rec.version, hex, &nl, &n) != 3 ||
            nl != '\n' || strlen(hex) != 64 || (size_t) n + strlen(RECORD_MAGIC) != len || rec.version == 0)
                return -EBADMSG;
        for (size_t i = 0; i < 32; i++) {
                unsigned v;
                if (sscanf(hex + 2 * i, "%2x", &v) != 1)
                        return -EBADMSG;
                rec.id[i] = (uint8_t) v;
        }
        *ret = rec;
        return 0;
}

int denylist_record_write(int dir_fd, const char *name, const DenyListRecord *rec) {
        char tmp[256], text[RECORD_MAX];
        _cleanup_(closep) int fd = -EBADF;
        int n, r = 0;

        if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int) sizeof(tmp))
                return -ENAMETOOLONG;
        n = snprintf(text, sizeof(text), RECORD_MAGIC "%" PRIu64 " ", rec->version);
        for (size_t i = 0; i < 32; i++)
                n += snprintf(text + n, sizeof(text) - (size_t) n, "%02x", rec->id[i]);
        n += snprintf(text + n, sizeof(text) - (size_t) n, "\n");

        /* O_EXCL after an unlink: never through a link someone planted under the temporary name. */
        (void) unlinkat(dir_fd, tmp, 0);
        fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return -errno;
        if (write(fd, text, (size_t) n) != n)
                r = errno_or(-EIO);
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        if (r >= 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
                r = -errno;
        if (r < 0) {
                (void) unlinkat(dir_fd, tmp, 0);
                return r;
        }
        if (fsync(dir_fd) < 0) /* the rename itself, for a power cut */
                return -errno;
        return 0;
}
