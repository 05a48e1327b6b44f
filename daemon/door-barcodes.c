/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The doors' barcode allow-lists (core/barcode-allow.h): read at start and at every reload, and
 * how a listed barcode becomes its door's subject. */
#include <stdio.h>
#include <string.h>

#include "core/barcode-format.h"
#include "daemon/door.h"
#include "daemon/log.h"
#include "daemon/reload.h"

int barcode_allow_load_all(const Config *c, BarcodeAllow *ret[], char **ret_errors) {
        _cleanup_(freep) char *all = NULL;
        size_t size = 0;
        FILE *f;
        int failed = 0;

        *ret_errors = NULL;
        f = open_memstream(&all, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_doors; i++) {
                _cleanup_(freep) char *errors = NULL;
                int r = config_build_barcode_allow(c, i, &ret[i], &errors);
                if (r == -ENOMEM) {
                        (void) fclose(f);
                        for (size_t j = 0; j < i; j++)
                                ret[j] = barcode_allow_free(ret[j]);
                        return r;
                }
                if (r < 0) {
                        fputs(errors, f);
                        failed++;
                }
        }
        if (fclose(f) != 0 || !all)
                return -ENOMEM;
        if (size > 0)
                *ret_errors = TAKE_PTR(all);
        return failed;
}

void manager_apply_barcode_allow(Manager *m, BarcodeAllow *lists[]) {
        for (size_t i = 0; i < m->n_doors; i++) {
                Door *d = m->doors[i];
                const DoorConf *dc = door_config(d);

                barcode_allow_free(d->barcode_allow);
                d->barcode_allow = TAKE_PTR(lists[i]);
                if (d->barcode_allow)
                        log_info("Door %s: %zu barcodes on its allow-list %s.", d->id, barcode_allow_size(d->barcode_allow),
                                 dc->barcode_allow);
        }
}

int manager_open_barcode_allow(Manager *m) {
        BarcodeAllow *lists[CONFIG_MAX_ITEMS] = {};
        _cleanup_(freep) char *errors = NULL;
        int r;

        r = barcode_allow_load_all(m->config, lists, &errors);
        if (r < 0)
                return log_oom();
        if (r > 0) {
                /* Like a key file that cannot be read: the gate runs, its door honours no barcode
                 * (barcode-not-listed), and the fault says which file; a reload that reads it
                 * clears it. Only the first line of each report is a fault: the rest, the list's
                 * wrong lines, are in the journal. */
                log_config_errors(errors);
                log_error("%d barcode allow-list%s cannot be used: %s door%s honour%s no barcode until %s fixed and "
                          "qrgated reloaded.", r, r == 1 ? "" : "s", r == 1 ? "its" : "their", r == 1 ? "" : "s",
                          r == 1 ? "s" : "", r == 1 ? "it is" : "they are");
                FILE *f = open_memstream(&m->barcode_faults, &(size_t) { 0 });
                if (!f)
                        return log_oom();
                for (const char *p = errors; *p;) {
                        size_t n = strcspn(p, "\n");
                        if (strncmp(p, m->config->path, strlen(m->config->path)) == 0)
                                fprintf(f, "%.*s\n", (int) n, p);
                        p += n + (p[n] == '\n');
                }
                if (fclose(f) != 0)
                        return log_oom();
        }
        manager_apply_barcode_allow(m, lists);
        return 0;
}

void door_map_barcode(const Door *d, VerifyResult *res) {
        const char *sub;

        if (!d->barcode_allow || !code_format_is_barcode(res->format) || res->reason != REASON_OK)
                return;
        sub = barcode_allow_lookup(d->barcode_allow, res->barcode.id);
        if (sub)
                (void) snprintf(res->claims.sub, sizeof(res->claims.sub), "%s", sub);
}
