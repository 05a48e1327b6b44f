/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "tools/keyfile.h"

static int write_pem(const char *path, mode_t mode, EVP_PKEY *pkey, bool private) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        FILE *f = fdopen(fd, "w");
        if (!f) {
                int r = -errno;
                close(fd);
                return r;
        }
        int ok = private ? PEM_write_PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) : PEM_write_PUBKEY(f, pkey);
        int r = fclose(f) == 0 && ok == 1 ? 0 : -EIO;
        ERR_clear_error();
        if (r < 0)
                (void) unlink(path);
        return r;
}

int keyfile_generate(const char *alg, const char *prefix) {
        _cleanup_(freep) char *key_path = NULL, *pub_path = NULL;
        EVP_PKEY *pkey;
        int r;

        if (strcmp(alg, "es256") == 0)
                pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        else if (strcmp(alg, "ed25519") == 0)
                pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        else
                return -EINVAL;
        if (!pkey)
                return -ENOMEM;
        if (asprintf(&key_path, "%s.key", prefix) < 0 || asprintf(&pub_path, "%s.pub", prefix) < 0) {
                EVP_PKEY_free(pkey);
                return -ENOMEM;
        }
        r = write_pem(key_path, 0600, pkey, true);
        if (r >= 0) {
                r = write_pem(pub_path, 0644, pkey, false);
                if (r < 0)
                        (void) unlink(key_path);
        }
        EVP_PKEY_free(pkey);
        return r;
}

int keyfile_load_private(const char *path, EVP_PKEY **ret) {
        _cleanup_(freep) char *buf = NULL;
        EVP_PKEY *pkey = NULL;
        size_t n = 0;
        BIO *bio;
        int r;

        r = read_regular_file(AT_FDCWD, path, KEYFILE_MAX, READ_SECRET, &buf, &n);
        if (r < 0)
                return r;
        bio = BIO_new_mem_buf(buf, (int) n);
        if (bio) {
                pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
                BIO_free(bio);
        }
        explicit_bzero(buf, n);
        ERR_clear_error();
        if (!bio)
                return -ENOMEM;
        if (!pkey)
                return -EBADMSG;
        *ret = pkey;
        return 0;
}

int keyfile_load_public(const char *path, EVP_PKEY **ret) {
        _cleanup_(freep) char *buf = NULL;
        EVP_PKEY *key = NULL;
        size_t size = 0;
        int r;

        r = read_regular_file(AT_FDCWD, path, KEYFILE_MAX, 0, &buf, &size);
        if (r < 0)
                return r;
        if (size > 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
                BIO *b = BIO_new_mem_buf(buf, (int) size);
                key = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
                BIO_free(b);
        } else {
                const unsigned char *p = (const unsigned char *) buf;
                key = d2i_PUBKEY(NULL, &p, (long) size);
        }
        ERR_clear_error();
        if (!key)
                return -EBADMSG;
        *ret = key;
        return 0;
}
