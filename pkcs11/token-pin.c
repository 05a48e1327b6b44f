/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "pkcs11/token-blocking.h"

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
                return token_fail(why, -ENXIO, "PIN credential \"%s\": the service was given no credentials "
                                  "(LoadCredentialEncrypted= in qrgated.service; docs/token.md)", name);
        if ((size_t) snprintf(ret, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
                return token_fail(why, -ENAMETOOLONG, "PIN credential path too long");
        return 0;
}

int token_pin_read(const char *credential, const char *file, TokenPin *ret, TokenReason *why) {
        _cleanup_(closep) int fd = -EBADF;
        ReadFileFlags flags = READ_SECRET;
        char path[PATH_MAX], *buf = NULL;
        const char *what;
        struct stat st;
        size_t size = 0, n;
        int r;

        if (credential) {
                r = credential_path(credential, path, why);
                if (r < 0)
                        return r;
                what = "PIN credential";
                /* systemd writes credentials as files of their own; a link there is not one. */
                flags |= READ_NOFOLLOW;
        } else if (file) {
                if ((size_t) snprintf(path, sizeof(path), "%s", file) >= sizeof(path))
                        return token_fail(why, -ENAMETOOLONG, "PIN file path too long");
                what = "PIN file";
        } else
                return token_fail(why, -EINVAL, "no PIN source configured (pin credential or pin file)");

        /* Non-blocking and regular files only: a FIFO in its place must not hang the daemon. */
        fd = open_regular_file(AT_FDCWD, path, flags, &st);
        if (fd < 0)
                return token_fail(why, fd, "%s \"%s\": %s", what, path, read_file_strerror(fd, flags));
        /* "A file only the daemon can read": no group or other bits, owned by us (or root, for a
         * daemon that reads it before dropping privileges). A credential is exempt: systemd keeps
         * it in a directory only this unit can enter, and grants a non-root service user access
         * with an ACL, which shows as group bits (systemd.exec(5), "Credentials"). Checked before
         * the PIN is read. */
        if (!credential) {
                if ((st.st_mode & 0077) != 0)
                        return token_fail(why, -EPERM, "%s \"%s\" is accessible by group or others (chmod 0600)",
                                          what, path);
                if (st.st_uid != geteuid() && st.st_uid != 0)
                        return token_fail(why, -EPERM, "%s \"%s\" belongs to another user", what, path);
        }

        token_pin_erase(ret);
        /* Room for the longest PIN and a CR LF the editor added. */
        r = read_regular_fd(fd, TOKEN_PIN_MAX + 2, flags, &buf, &size);
        if (r == -EFBIG)
                return token_fail(why, -E2BIG, "%s \"%s\" is longer than %d bytes", what, path, TOKEN_PIN_MAX);
        if (r < 0)
                return token_fail(why, r, "%s \"%s\": read failed: %s", what, path, read_file_strerror(r, flags));
        /* Trailing line ends are the editor's, not the PIN's. */
        n = size;
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                n--;
        if (n <= TOKEN_PIN_MAX)
                memcpy(ret->value, buf, n);
        explicit_bzero(buf, size);
        free(buf);
        if (n > TOKEN_PIN_MAX)
                return token_fail(why, -E2BIG, "%s \"%s\" is longer than %d bytes", what, path, TOKEN_PIN_MAX);
        if (n == 0)
                return token_fail(why, -EINVAL, "%s \"%s\" is empty", what, path);

        ret->size = n;
        return 0;
}
