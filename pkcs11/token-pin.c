/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkcs11/token-internal.h"

void token_pin_erase(TokenPin *pin) {
        explicit_bzero(pin, sizeof(*pin));
}

/* systemd.exec(5) "Credentials": a service reads credential <name> from
 * $CREDENTIALS_DIRECTORY/<name>; names are plain file names. */
static int credential_path(const char *name, char ret[static PATH_MAX], TokenReason *why) {
        const char *dir = getenv("CREDENTIALS_DIRECTORY");

        if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return token_fail(why, -EINVAL, "bad credential name \"%s\"", name);
        if (!dir || !*dir)
                return token_fail(why, -ENXIO, "PIN credential \"%s\": $CREDENTIALS_DIRECTORY is not set "
                                  "(LoadCredential= missing in the unit?)", name);
        if ((size_t) snprintf(ret, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
                return token_fail(why, -ENAMETOOLONG, "PIN credential path too long");
        return 0;
}

int token_pin_read(const char *credential, const char *file, TokenPin *ret, TokenReason *why) {
        _cleanup_(closep) int fd = -EBADF;
        char path[PATH_MAX];
        const char *what;
        struct stat st;
        ssize_t n;
        int r;

        if (credential) {
                r = credential_path(credential, path, why);
                if (r < 0)
                        return r;
                what = "PIN credential";
        } else if (file) {
                if ((size_t) snprintf(path, sizeof(path), "%s", file) >= sizeof(path))
                        return token_fail(why, -ENAMETOOLONG, "PIN file path too long");
                what = "PIN file";
        } else
                return token_fail(why, -EINVAL, "no PIN source configured (pin credential or pin file)");

        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0) {
                r = -errno;
                return token_fail(why, r, "%s \"%s\": %s", what, path, strerror(-r));
        }
        if (fstat(fd, &st) < 0)
                return token_fail(why, -errno, "%s \"%s\": cannot stat", what, path);
        if (!S_ISREG(st.st_mode))
                return token_fail(why, -EINVAL, "%s \"%s\" is not a regular file", what, path);
        /* "A file only the daemon can read": no group or other bits, owned by us (or root, for a
         * daemon that reads it before dropping privileges). A credential is exempt: systemd keeps
         * it in a directory only this unit can enter, and grants a non-root service user access
         * with an ACL, which shows as group bits (systemd.exec(5), "Credentials"). */
        if (!credential) {
                if ((st.st_mode & 0077) != 0)
                        return token_fail(why, -EPERM, "%s \"%s\" is accessible by group or others (chmod 0600)",
                                          what, path);
                if (st.st_uid != geteuid() && st.st_uid != 0)
                        return token_fail(why, -EPERM, "%s \"%s\" belongs to another user", what, path);
        }

        token_pin_erase(ret);
        n = read(fd, ret->value, sizeof(ret->value));
        if (n < 0) {
                r = -errno;
                token_pin_erase(ret);
                return token_fail(why, r, "%s \"%s\": read failed", what, path);
        }
        if ((size_t) n > TOKEN_PIN_MAX) {
                token_pin_erase(ret);
                return token_fail(why, -E2BIG, "%s \"%s\" is longer than %d bytes", what, path, TOKEN_PIN_MAX);
        }
        /* Trailing line ends are the editor's, not the PIN's. */
        while (n > 0 && (ret->value[n - 1] == '\n' || ret->value[n - 1] == '\r'))
                ret->value[--n] = 0;
        if (n == 0)
                return token_fail(why, -EINVAL, "%s \"%s\" is empty", what, path);

        ret->size = (size_t) n;
        return 0;
}
