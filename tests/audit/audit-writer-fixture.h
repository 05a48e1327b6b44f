/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The writer's tests without a token (test-audit-log.c, test-audit-rotation.c): a cmocka setup
 * and teardown holding an AuditFx, the log opened on it, events counted in its files. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tests/audit/audit-fixture.h"

_unused_ static int afx_test_setup(void **state) {
        AuditFx *f = calloc(1, sizeof(AuditFx));
        assert_non_null(f);
        afx_setup(f);
        *state = f;
        return 0;
}

_unused_ static int afx_test_teardown(void **state) {
        AuditFx *f = *state;
        afx_teardown(f);
        free(f);
        return 0;
}

/* A log without a token has no checkpoints: verified as "open", it must show no problem. */
_unused_ static const AuditVerifyOptions afx_open_ok = { .open_ok = true };

_unused_ static Audit *afx_open_log(AuditFx *f, const AuditConf *c) {
        Audit *a = NULL;
        assert_int_equal(audit_open(f->event, f->state, c, &a), 0);
        return a;
}

_unused_ static unsigned afx_count_events(const AuditFx *f, AuditEvent event) {
        char **paths;
        size_t n = afx_list(f, &paths);
        unsigned count = 0;
        AfxRecords *rs = calloc(1, sizeof(AfxRecords));

        assert_non_null(rs);
        for (size_t i = 0; i < n; i++) {
                size_t size;
                _cleanup_(freep) uint8_t *buf = afx_read(paths[i], &size);
                afx_records(buf, size, rs);
                for (size_t k = 0; k < rs->n; k++)
                        count += rs->event[k] == event;
        }
        free(rs);
        afx_free_paths(paths);
        return count;
}

_unused_ static void afx_write_some(AuditFx *f, const AuditConf *c, unsigned n) {
        Audit *a = afx_open_log(f, c);
        for (unsigned i = 0; i < n; i++)
                assert_int_equal(afx_decision(a, i), 0);
        audit_free(a);
}
