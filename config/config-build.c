/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What is built from a loaded configuration — the issuer keystore and the EU DCC trust list, both
 * read from the files it names — and the check command, which loads and builds it all as the
 * daemon would. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/config-internal.h"
#include "core/fileio.h"

int config_build_keystore(const Config *c, Keystore **ret, char **ret_errors) {
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        Errors e = { .file = c->path };
        int r;

        *ret_errors = NULL;
        r = keystore_new(&ks);
        if (r < 0)
                return r;
        e.f = open_memstream(&e.buf, &e.size);
        if (!e.f)
                return -ENOMEM;

        for (size_t i = 0; i < c->n_issuers; i++)
                for (size_t k = 0; k < c->issuers[i].n_keys; k++) {
                        const IssuerConf *is = &c->issuers[i];
                        const IssuerKeyConf *kc = &is->keys[k];
                        const uint8_t *kid = (const uint8_t *) kc->kid;

                        r = kc->file ? keystore_add_pem_file(ks, is->id, kid, strlen(kc->kid), kc->file)
                                     : keystore_add_pem(ks, is->id, kid, strlen(kc->kid), kc->pem, strlen(kc->pem));
                        if (r < 0) {
                                fprintf(e.f, "%s:%d: issuer '%s' key '%s'%s%s: ", c->path, kc->line, is->id, kc->kid,
                                        kc->file ? " in " : "", kc->file ?: "");
                                if (r == -EFBIG)
                                        fprintf(e.f, "larger than %d KiB, not a public key file\n",
                                                KEYSTORE_PEM_FILE_MAX / 1024);
                                else
                                        fprintf(e.f, "%s\n", r == -EBADMSG ? "not a PEM public key" :
                                                r == -EKEYREJECTED ? "key type not supported (P-256, Ed25519, RSA >= 2048)" :
                                                r == -EEXIST ? "this kid is defined twice for the issuer" :
                                                read_file_strerror(r, 0));
                                e.count++;
                        }
                }

        r = config_errors_finish(&e, ret_errors);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(ks);
        return 0;
}

int config_check_file(const char *path, FILE *out, FILE *err) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_(keystore_freep) Keystore *ks = NULL;
        _cleanup_(freep) char *errors = NULL;
        int r;

        _cleanup_(trustlist_freep) TrustList *tl = NULL;

        r = config_load(path, &c, &errors);
        if (r >= 0)
                r = config_build_keystore(c, &ks, &errors);
        if (r >= 0 && c->dcc.n_trust_list > 0) {
                r = config_build_trustlist(c, 0, &tl, &errors);
                if (r >= 0 && errors)
                        fputs(errors, err); /* skipped certificates: reported, not fatal */
        }
        if (r < 0) {
                fputs(errors ?: "out of memory\n", err);
                return 1;
        }
        fprintf(out, "%s: ok (%zu issuers, %zu keys, %zu locks, %zu doors, %zu sources", path, c->n_issuers,
                keystore_size(ks), c->n_locks, c->n_doors, c->n_sources);
        if (tl)
                fprintf(out, ", %zu EU DCC signers", trustlist_count(tl));
        fputs(")\n", out);
        return 0;
}

typedef struct SkipReport {
        Errors *e;
        const char *config_path;
} SkipReport;

static void on_skipped_certificate(const char *path, size_t index, int error, void *userdata) {
        SkipReport *sr = userdata;
        fprintf(sr->e->f, "%s: dcc trust list: %s certificate #%zu skipped: %s\n", sr->config_path, path, index,
                read_file_strerror(error, 0));
        /* Not counted as an error: one bad certificate in a national list must not stop the gate. */
}

int config_build_trustlist(const Config *c, int64_t now, TrustList **ret, char **ret_errors) {
        _cleanup_(trustlist_freep) TrustList *tl = NULL;
        Errors e = { .file = c->path };
        SkipReport sr = { .e = &e, .config_path = c->path };
        int r;

        *ret_errors = NULL;
        r = trustlist_new(&tl);
        if (r < 0)
                return r;
        e.f = open_memstream(&e.buf, &e.size);
        if (!e.f)
                return -ENOMEM;
        for (size_t i = 0; i < c->dcc.n_trust_list; i++) {
                r = trustlist_load_path(tl, c->dcc.trust_list[i], on_skipped_certificate, &sr);
                if (r < 0) {
                        if (r == -EFBIG)
                                fprintf(e.f, "%s: dcc trust list %s: larger than %d MiB\n", c->path,
                                        c->dcc.trust_list[i], TRUSTLIST_MAX_FILE / (1024 * 1024));
                        else
                                fprintf(e.f, "%s: dcc trust list %s: %s\n", c->path, c->dcc.trust_list[i],
                                        read_file_strerror(r, 0));
                        e.count++;
                }
        }
        trustlist_set_loaded_at(tl, now);
        /* Unlike config_load(), the report is handed back on success too: skipped certificates
         * do not stop the gate, but the operator must hear of them. */
        if (fclose(e.f) != 0 || !e.buf)
                return -ENOMEM;
        if (e.size > 0)
                *ret_errors = e.buf;
        else
                free(e.buf);
        if (e.count > 0)
                return -EINVAL;
        *ret = TAKE_PTR(tl);
        return 0;
}
