/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "audit/audit-rotate.h"

bool audit_rotate_due(const AuditConf *c, uint64_t file_size, size_t record_size, int64_t file_started_usec,
                      int64_t now_usec) {
        /* An empty file takes its first record whatever its size: a record always fits somewhere. */
        if (file_size == 0)
                return false;
        if (file_size + record_size > c->max_file_size)
                return true;
        return c->max_file_age > 0 && now_usec - file_started_usec >= (int64_t) c->max_file_age * 1000000;
}

int audit_retention_plan(int dir_fd, const AuditFileEntry *list, size_t n, const AuditConf *c, int64_t now_usec,
                         AuditRetire **ret, size_t *ret_n, bool *ret_held_back) {
        _cleanup_(freep) AuditRetire *plan = NULL;
        size_t k = 0;

        *ret = NULL;
        *ret_n = 0;
        *ret_held_back = false;
        if (n < 2)
                return 0;
        plan = calloc(n, sizeof(AuditRetire));
        if (!plan)
                return -ENOMEM;
        for (size_t i = 0; i + 1 < n; i++) {
                const char *why = NULL;
                struct stat st;

                if (fstatat(dir_fd, list[i].name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                int64_t age = now_usec - ((int64_t) st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000);
                if (c->max_age > 0 && age > (int64_t) c->max_age * 1000000)
                        why = "max_age";
                else if (c->max_files > 0 && n - i > c->max_files) {
                        /* The count is a bound on the disk, not a reason to lose last week: a
                         * flood of records must not push recent evidence out. */
                        if (age > (int64_t) c->min_age * 1000000)
                                why = "max_files";
                        else
                                *ret_held_back = true;
                }
                /* Oldest first and without holes: the first file kept ends the plan. */
                if (!why)
                        break;
                snprintf(plan[k].name, sizeof(plan[k].name), "%s", list[i].name);
                plan[k].first_seq = list[i].first_seq;
                plan[k].n_records = list[i + 1].first_seq - list[i].first_seq;
                plan[k].why = why;
                k++;
        }
        if (k == 0)
                return 0;
        *ret = TAKE_PTR(plan);
        *ret_n = k;
        return 0;
}
