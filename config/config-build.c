/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is built from a loaded configuration — the issuer keystore and the EU DCC trust list, both
 * read from the files it names — and the check command, which loads and builds it all as the
 * daemon would. Each builder goes on past a file it cannot read and reports every one, with the
 * line that names it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config-internal.h"
#include "core/fileio.h"

static int errors_open(Errors *e, const Config *c, char **ret_errors) {
        *ret_errors = NULL;
        *e = (Errors) { .file = c->path };
        e->f = open_memstream(&e->buf, &e->size);
        return e->f ? 0 : -ENOMEM;
}

/* Closes e->f and hands over what was written (NULL when nothing was). */
static int errors_close(Errors *e, char **ret_errors) {
        if (fclose(e->f) != 0 || !e->buf)
                return -ENOMEM;
        if (e->size > 0)
                *ret_errors = e->buf;
        else
                free(e->buf);
        return 0;
}

static const char *key_strerror(int r) {
        return r == -EBADMSG ? "not a PEM public key" :
               r == -EKEYREJECTED ? "key type not supported (P-256, Ed25519, RSA >= 2048)" :
               r == -EEXIST ? "this kid is defined twice for the issuer" :
               read_file_strerror(r, 0);
}

int config_build_keystore(const Config *c, Keystore **ret, char **ret_errors) {
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        Errors e;
        int r;

        r = keystore_new(&ks);
        if (r < 0)
                return r;
        r = errors_open(&e, c, ret_errors);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_issuers; i++)
                for (size_t k = 0; k < c->issuers[i].n_keys; k++) {
                        const IssuerConf *is = &c->issuers[i];
                        const IssuerKeyConf *kc = &is->keys[k];
                        const uint8_t *kid = (const uint8_t *) kc->kid;

                        /* Only in a configuration loaded for checking, with its problem reported. */
                        if (!kc->file == !kc->pem || (kc->file && kc->file[0] != '/'))
                                continue;
                        r = kc->file ? keystore_add_pem_file(ks, is->id, kid, strlen(kc->kid), kc->file)
                                     : keystore_add_pem(ks, is->id, kid, strlen(kc->kid), kc->pem, strlen(kc->pem));
                        if (r == -ENOMEM) {
                                (void) errors_close(&e, ret_errors);
                                return r;
                        }
                        if (r < 0) {
                                fprintf(e.f, "%s:%d: issuer '%s' key '%s'%s%s: ", c->path, kc->line, is->id, kc->kid,
                                        kc->file ? " in " : "", kc->file ?: "");
                                if (r == -EFBIG)
                                        fprintf(e.f, "larger than %d KiB, not a public key file\n",
                                                KEYSTORE_PEM_FILE_MAX / 1024);
                                else
                                        fprintf(e.f, "%s\n", key_strerror(r));
                                e.count++;
                        }
                }

        r = errors_close(&e, ret_errors);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ks);
        return (int) e.count;
}

typedef struct SkipReport {
        Errors *notes;
        int line;
} SkipReport;

static void on_skipped_certificate(const char *path, size_t index, int error, void *userdata) {
        SkipReport *sr = userdata;
        /* A note, not an error: one bad certificate in a national list must not stop the gate. */
        fprintf(sr->notes->f, "%s:%d: dcc trust list: %s certificate #%zu skipped: %s\n", sr->notes->file, sr->line, path,
                index, error == -EBADMSG ? "not an X.509 certificate" : read_file_strerror(error, 0));
}

int config_build_trustlist(const Config *c, int64_t now, TrustList **ret, char **ret_errors, char **ret_notes) {
        _cleanup_(trustlist_freep) TrustList *tl = NULL;
        Errors e, notes;
        int r;

        r = trustlist_new(&tl);
        if (r < 0)
                return r;
        r = errors_open(&e, c, ret_errors);
        if (r < 0)
                return r;
        r = errors_open(&notes, c, ret_notes);
        if (r < 0) {
                (void) errors_close(&e, ret_errors);
                return r;
        }
        for (size_t i = 0; i < c->dcc.n_trust_list; i++) {
                const char *path = c->dcc.trust_list[i];
                int line = c->dcc.trust_list_line[i];
                SkipReport sr = { .notes = &notes, .line = line };

                if (path[0] != '/') /* only in a configuration loaded for checking, reported there */
                        continue;
                r = trustlist_load_path(tl, path, on_skipped_certificate, &sr);
                if (r == -ENOMEM) {
                        (void) errors_close(&e, ret_errors);
                        (void) errors_close(&notes, ret_notes);
                        return r;
                }
                if (r == 0)
                        /* A note: a list may be awaiting its first download. */
                        fprintf(notes.f, "%s:%d: dcc trust list %s: no certificate in it; EU DCC codes are refused until "
                                "there is one\n", c->path, line, path);
                if (r >= 0)
                        continue;
                fprintf(e.f, "%s:%d: dcc trust list %s: ", c->path, line, path);
                if (r == -EFBIG)
                        fprintf(e.f, "larger than %d MiB\n", TRUSTLIST_MAX_FILE / (1024 * 1024));
                else if (r == -EBADMSG)
                        fprintf(e.f, "holds no X.509 certificate (PEM or DER)\n");
                else
                        fprintf(e.f, "%s\n", read_file_strerror(r, 0));
                e.count++;
        }
        trustlist_set_loaded_at(tl, now);
        r = errors_close(&e, ret_errors);
        if (errors_close(&notes, ret_notes) < 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(tl);
        return (int) e.count;
}

int config_build_barcode_allow(const Config *c, size_t door, BarcodeAllow **ret, char **ret_errors) {
        const DoorConf *d = &c->doors[door];
        _cleanup_(freep) char *list_errors = NULL;
        int r;

        *ret = NULL;
        *ret_errors = NULL;
        if (!d->barcode_allow || d->barcode_allow[0] != '/') /* a relative one: reported by the load */
                return 0;
        r = barcode_allow_load(d->barcode_allow, ret, &list_errors);
        if (r == -ENOMEM)
                return r;
        if (r == -EBADMSG && list_errors)
                r = asprintf(ret_errors, "%s:%d: door '%s': barcode_allow %s has wrong lines:\n%s", c->path, d->barcode_allow_line, d->id,
                             d->barcode_allow, list_errors);
        else if (r == -EFBIG)
                r = asprintf(ret_errors, "%s:%d: door '%s': barcode_allow %s: larger than %d MiB\n", c->path,
                             d->barcode_allow_line, d->id, d->barcode_allow, BARCODE_ALLOW_FILE_MAX / (1024 * 1024));
        else if (r < 0)
                r = asprintf(ret_errors, "%s:%d: door '%s': barcode_allow %s: %s\n", c->path, d->barcode_allow_line,
                             d->id, d->barcode_allow, read_file_strerror(r, 0));
        else
                return 0;
        if (r < 0) {
                *ret_errors = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

int config_check_file(const char *path, FILE *out, FILE *err) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        _cleanup_(trustlist_freep) TrustList *tl = NULL;
        _cleanup_(freep) char *errors = NULL, *key_errors = NULL, *trust_errors = NULL, *trust_notes = NULL;
        int r, bad_keys = 0, bad_paths = 0, bad_lists = 0;
        size_t n_barcodes = 0;

        r = config_load_for_check(path, &c, &errors);
        if (r == -ENOMEM)
                goto oom;
        if (errors)
                fputs(errors, err);
        if (!c)
                return 1;
        /* What did load is built even when other parts have problems: a missing key file must
         * not hide a missing trust list folder, nor either of them a typo elsewhere. */
        bad_keys = config_build_keystore(c, &ks, &key_errors);
        if (bad_keys < 0)
                goto oom;
        if (c->dcc.n_trust_list > 0) {
                bad_paths = config_build_trustlist(c, 0, &tl, &trust_errors, &trust_notes);
                if (bad_paths < 0)
                        goto oom;
        }
        /* The deny-list's folder must be there to be watched; the lists in it are the updater's
         * to drop and are judged when the daemon loads them (docs/denylist.md). */
        struct stat st;
        bool bad_denylist = c->denylist.directory && (stat(c->denylist.directory, &st) < 0 || !S_ISDIR(st.st_mode));
        if (bad_denylist)
                fprintf(err, "%s:%d: denylist directory %s: %s\n", c->path, c->denylist.line, c->denylist.directory,
                        access(c->denylist.directory, F_OK) < 0 ? strerror(errno) : "not a directory");
        if (key_errors)
                fputs(key_errors, err);
        if (trust_errors)
                fputs(trust_errors, err);
        if (trust_notes)
                fputs(trust_notes, err); /* skipped certificates are said even when the list loaded */
        for (size_t i = 0; i < c->n_doors; i++) {
                _cleanup_(barcode_allow_freep) BarcodeAllow *a = NULL;
                _cleanup_(freep) char *list_errors = NULL;
                int k = c->doors[i].id ? config_build_barcode_allow(c, i, &a, &list_errors) : 0;

                if (k == -ENOMEM)
                        goto oom;
                if (k < 0) {
                        fputs(list_errors, err);
                        bad_lists++;
                }
                n_barcodes += a ? barcode_allow_size(a) : 0;
        }
        if (r < 0 || bad_keys > 0 || bad_paths > 0 || bad_lists > 0 || bad_denylist)
                return 1;
        fprintf(out, "%s: ok (%zu issuers, %zu keys, %zu locks, %zu doors, %zu sources", path, c->n_issuers,
                keystore_size(ks), c->n_locks, c->n_doors, c->n_sources);
        /* Said only when there are some: a site without opening hours reads as before. */
        if (c->n_schedules > 0)
                fprintf(out, ", %zu schedule%s", c->n_schedules, c->n_schedules == 1 ? "" : "s");
        if (c->policy.subject_rate.enabled)
                fprintf(out, ", at most %u openings per subject in %u s", c->policy.subject_rate.max,
                        c->policy.subject_rate.per);
        if (tl)
                fprintf(out, ", %zu EU DCC signers", trustlist_count(tl));
        if (n_barcodes > 0)
                fprintf(out, ", %zu listed barcodes", n_barcodes);
        if (c->denylist.directory)
                fprintf(out, ", deny-lists from %s", c->denylist.directory);
        fputs(")\n", out);
        return 0;
oom:
        fputs("out of memory\n", err);
        return 1;
}
