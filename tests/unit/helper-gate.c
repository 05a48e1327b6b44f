/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <openssl/pem.h>

#include "tests/unit/helper-gate.h"

static int write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");

        if (!f)
                return -errno;
        fputs(text, f);
        return fclose(f) == 0 ? 0 : -EIO;
}

int th_gate_open(const char *dir, EVP_PKEY *key, const char *body, Manager **ret) {
        _cleanup_(freep) char *text = NULL;
        char pub[256], conf[256], run[256];
        Manager *m = NULL;
        FILE *f;
        int r;

        snprintf(pub, sizeof(pub), "%s/city.pub", dir);
        snprintf(conf, sizeof(conf), "%s/qrgate.conf", dir);
        snprintf(run, sizeof(run), "%s/run", dir);
        f = fopen(pub, "we");
        if (!f)
                return -errno;
        r = PEM_write_PUBKEY(f, key) == 1 ? 0 : -EIO;
        if (fclose(f) != 0 || r < 0)
                return -EIO;
        if (asprintf(&text,
                     "state_directory = \"%s/state\";\n"
                     "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; } ); } );\n"
                     "%s\n",
                     dir, pub, body) < 0)
                return -ENOMEM;
        r = write_text(conf, text);
        if (r < 0)
                return r;
        setenv("RUNTIME_DIRECTORY", run, 1);
        r = manager_new(conf, "none", &m);
        if (r < 0)
                return r;
        r = manager_open(m);
        if (r < 0) {
                manager_free(m);
                return r;
        }
        *ret = m;
        return 0;
}
