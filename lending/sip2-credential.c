/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SIP2 login (CN/CO) from a systemd credential (issue 17) or a file of the same form. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lending/sip2-client.h"

#define CREDENTIAL_MAX 1024

void sip2_secret_free(char *s) {
        if (!s)
                return;
        explicit_bzero(s, strlen(s));
        free(s);
}

static bool line_valid(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7F || *s == '|')
                        return false;
        return true;
}

int sip2_credential_load(const char *name, char **ret_user, char **ret_password, const char **ret_error) {
        char path[4096], buf[CREDENTIAL_MAX + 2];
        char *nl, *user = NULL, *password = NULL;
        struct stat st;
        ssize_t n;
        int fd;

        if (!name || !name[0])
                return *ret_error = "no credential named", -EINVAL;
        if (!strchr(name, '/')) {
                const char *dir = getenv("CREDENTIALS_DIRECTORY");
                if (!dir)
                        return *ret_error = "a credential name, but $CREDENTIALS_DIRECTORY is not set "
                                            "(LoadCredential= in the unit, or give a file's path)", -ENOENT;
                snprintf(path, sizeof(path), "%s/%s", dir, name);
        } else
                snprintf(path, sizeof(path), "%s", name);
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
        if (fd < 0)
                return *ret_error = errno == ELOOP ? "is a symbolic link" : "cannot be opened", -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return *ret_error = "is not a regular file", -EINVAL;
        }
        /* A password readable by everyone on the machine is not a secret any more. */
        if (st.st_mode & S_IROTH) {
                close(fd);
                return *ret_error = "is readable by others (chmod o-r)", -EPERM;
        }
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return *ret_error = "cannot be read", -EIO;
        if (n > CREDENTIAL_MAX) {
                explicit_bzero(buf, sizeof(buf));
                return *ret_error = "is larger than 1 KiB", -EFBIG;
        }
        buf[n] = '\0';
        nl = strchr(buf, '\n');
        if (!nl) {
                explicit_bzero(buf, sizeof(buf));
                return *ret_error = "must hold the user on its first line and the password on its second", -EINVAL;
        }
        *nl = '\0';
        char *pw = nl + 1;
        char *end = strchr(pw, '\n');
        if (end) {
                if (end[1] != '\0') {
                        explicit_bzero(buf, sizeof(buf));
                        return *ret_error = "has more than two lines", -EINVAL;
                }
                *end = '\0';
        }
        if (!buf[0] || !pw[0] || !line_valid(buf) || !line_valid(pw)) {
                explicit_bzero(buf, sizeof(buf));
                return *ret_error = "user or password empty, or a '|' or control character in one", -EINVAL;
        }
        user = strdup(buf);
        password = strdup(pw);
        explicit_bzero(buf, sizeof(buf));
        if (!user || !password) {
                free(user);
                sip2_secret_free(password);
                return *ret_error = "out of memory", -ENOMEM;
        }
        *ret_user = user;
        *ret_password = password;
        return 0;
}
