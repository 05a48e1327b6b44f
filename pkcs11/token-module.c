/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "pkcs11/token-blocking.h"

static bool looks_like_path(const char *s) {
        size_t n = strlen(s);

        return strchr(s, '/') || (n > 3 && strcmp(s + n - 3, ".so") == 0);
}

static const char *p11_kit_text(void) {
        const char *m = p11_kit_message();

        return m ? m : "no details";
}

/* Modules are loaded "managed" (flags 0): p11-kit then initializes each module once per process
 * with OS locking, tracks our sessions, and lets several users in one process (the daemon's
 * service, a test's raw benchmark) share a module without finalizing it under each other. */
static int load_by_path(const char *path, TokenModule *m, TokenReason *why) {
        /* dlopen() of a FIFO would block the daemon's start for good: a regular file only. */
        if (strchr(path, '/')) {
                int fd = open_regular_file(AT_FDCWD, path, 0, NULL);
                if (fd < 0)
                        return token_fail(why, fd, "PKCS#11 module %s: %s", path, read_file_strerror(fd, 0));
                close(fd);
        }

        m->f = p11_kit_module_load(path, 0);
        if (!m->f)
                return token_fail(why, -ELIBBAD, "PKCS#11 module %s did not load: %s", path, p11_kit_text());
        return 0;
}

static int load_by_name(const char *name, TokenModule *m, TokenReason *why) {
        m->list = p11_kit_modules_load(NULL, 0);
        if (!m->list)
                return token_fail(why, -ELIBBAD, "p11-kit could not load its configured modules: %s", p11_kit_text());

        m->f = p11_kit_module_for_name(m->list, name);
        if (!m->f)
                return token_fail(why, -ENOENT, "no PKCS#11 module \"%s\" in p11-kit's configuration", name);
        return 0;
}

int token_module_load(const char *module, P11KitUri *uri, TokenModule **ret, TokenReason *why) {
        _cleanup_(token_module_freep) TokenModule *m = NULL;
        bool by_path;
        int r;

        /* RFC 7512 §2.3: module-path names a file, module-name a module the consumer knows. */
        if (!module && uri) {
                module = p11_kit_uri_get_module_path(uri);
                by_path = module != NULL;
                if (!module)
                        module = p11_kit_uri_get_module_name(uri);
        } else
                by_path = module && looks_like_path(module);
        if (!module || !*module)
                return token_fail(why, -EINVAL, "no PKCS#11 module configured (module, or module-path/module-name in the token URI)");

        m = calloc(1, sizeof(TokenModule));
        if (!m)
                return -ENOMEM;
        m->name = strdup(module);
        if (!m->name)
                return -ENOMEM;

        r = by_path ? load_by_path(module, m, why) : load_by_name(module, m, why);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(m);
        return 0;
}

int token_module_initialize(TokenModule *m, TokenReason *why) {
        CK_RV rv;

        if (m->initialized)
                return 0;
        rv = p11_kit_module_initialize(m->f);
        if (rv != CKR_OK)
                return token_fail_rv(why, "C_Initialize", rv);
        m->initialized = true;
        return 0;
}

TokenModule *token_module_free(TokenModule *m) {
        if (!m)
                return NULL;

        if (m->f && m->initialized)
                (void) p11_kit_module_finalize(m->f);
        if (m->list)
                p11_kit_modules_release(m->list);
        else if (m->f)
                p11_kit_module_release(m->f);
        free(m->name);
        free(m);
        return NULL;
}
