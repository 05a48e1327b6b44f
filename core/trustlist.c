/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "core/fileio.h"
#include "core/hc1-claims.h"
#include "core/string-table.h"
#include "core/trustlist.h"

/* Sorted by (kid, sha256): a lookup is a binary search, and DSCs that share a key id sit side
 * by side so trustlist_find() can hand them all out at once. */
struct TrustList {
        Dsc **items;
        size_t n, allocated;
        int64_t updated_at, loaded_at;
};

static const char *const trust_list_age_policy_table[_TRUST_LIST_AGE_MAX] = {
        [TRUST_LIST_AGE_DENY] = "deny",
        [TRUST_LIST_AGE_WARN] = "warn",
};

DEFINE_STRING_TABLE_LOOKUP(trust_list_age_policy, TrustListAgePolicy);

int trustlist_new(TrustList **ret) {
        TrustList *tl = calloc(1, sizeof(TrustList));
        if (!tl)
                return -ENOMEM;
        *ret = tl;
        return 0;
}

static void dsc_free(Dsc *d) {
        if (!d)
                return;
        cose_key_done(&d->key);
        X509_free(d->x509);
        free(d);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Dsc *, dsc_free);

TrustList *trustlist_free(TrustList *tl) {
        if (!tl)
                return NULL;
        for (size_t i = 0; i < tl->n; i++)
                dsc_free(tl->items[i]);
        free(tl->items);
        free(tl);
        return NULL;
}

size_t trustlist_count(const TrustList *tl) {
        return tl->n;
}

const Dsc *trustlist_get(const TrustList *tl, size_t i) {
        return i < tl->n ? tl->items[i] : NULL;
}

int64_t trustlist_updated_at(const TrustList *tl) {
        return tl->updated_at;
}

void trustlist_set_updated_at(TrustList *tl, int64_t t) {
        tl->updated_at = t;
}

int64_t trustlist_age(const TrustList *tl, int64_t now) {
        if (tl->updated_at <= 0)
                return -1;
        /* A file from the future (the appliance's clock is behind the updater's) is fresh. */
        return MAX(now - tl->updated_at, (int64_t) 0);
}

int64_t trustlist_loaded_at(const TrustList *tl) {
        return tl->loaded_at;
}

void trustlist_set_loaded_at(TrustList *tl, int64_t t) {
        tl->loaded_at = t;
}

static int dsc_cmp(const uint8_t *kid, const uint8_t *sha, const Dsc *d) {
        int c = memcmp(kid, d->info.kid, DSC_KID_LEN);
        return c != 0 || !sha ? c : memcmp(sha, d->sha256, sizeof(d->sha256));
}

/* The first position whose entry is not less than (kid, sha); sha NULL compares by kid only. */
static size_t lower_bound(const TrustList *tl, const uint8_t *kid, const uint8_t *sha) {
        size_t lo = 0, hi = tl->n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (dsc_cmp(kid, sha, tl->items[mid]) > 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

size_t trustlist_find(const TrustList *tl, const uint8_t *kid, size_t kid_len, const Dsc *const **ret) {
        size_t first, i;

        if (!tl || tl->n == 0 || kid_len != DSC_KID_LEN)
                return 0;
        first = lower_bound(tl, kid, NULL);
        for (i = first; i < tl->n && memcmp(tl->items[i]->info.kid, kid, DSC_KID_LEN) == 0; i++)
                ;
        *ret = (const Dsc *const *) tl->items + first;
        return i - first;
}

int dsc_kid(const uint8_t *der, size_t len, uint8_t ret[static DSC_KID_LEN]) {
        uint8_t md[EVP_MAX_MD_SIZE];
        unsigned n = 0;

        if (EVP_Digest(der, len, md, &n, EVP_sha256(), NULL) != 1 || n < DSC_KID_LEN) {
                ERR_clear_error();
                return -EIO;
        }
        memcpy(ret, md, DSC_KID_LEN);
        return 0;
}

static int asn1_time_to_unix(const ASN1_TIME *t, int64_t *ret) {
        struct tm tm = {};

        if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
                return -EBADMSG;
        time_t s = timegm(&tm);
        if (s == (time_t) -1)
                return -EBADMSG;
        *ret = (int64_t) s;
        return 0;
}

/* extendedKeyUsage → the DCC types the DSC may sign. The DCC gateway's "DSC limitation" OIDs
 * 1.3.6.1.4.1.1847.2021.1.{1,2,3} (test, vaccination, recovery), and the misspelt
 * 1.3.6.1.4.1.0.1847.2021.1.* that early DSCs carry, limit a DSC to the types they name. A DSC
 * naming none of them may sign every type, whatever other purposes its extendedKeyUsage lists:
 * that is the gateway's rule and what deployed verifiers do, and real DSCs carry unrelated
 * purposes (TLS client, e-mail protection) from the CA that issued them. docs/dcc.md explains
 * the one test vector that reads RFC 5280 §4.2.1.12 more strictly. */
static int read_eku(X509 *x, DscInfo *info) {
        static const struct {
                const char *oid;
                unsigned types;
        } map[] = {
                { "1.3.6.1.4.1.1847.2021.1.1", DCC_TYPE_TEST },
                { "1.3.6.1.4.1.1847.2021.1.2", DCC_TYPE_VACCINATION },
                { "1.3.6.1.4.1.1847.2021.1.3", DCC_TYPE_RECOVERY },
                { "1.3.6.1.4.1.0.1847.2021.1.1", DCC_TYPE_TEST },
                { "1.3.6.1.4.1.0.1847.2021.1.2", DCC_TYPE_VACCINATION },
                { "1.3.6.1.4.1.0.1847.2021.1.3", DCC_TYPE_RECOVERY },
        };
        int crit = 0;
        EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);

        if (!eku) {
                /* -1: absent; -2: present more than once; otherwise present but unreadable. */
                if (crit != -1)
                        return -EBADMSG;
                info->dcc_types = DCC_TYPES_ALL;
                return 0;
        }
        info->has_eku = true;
        info->dcc_types = 0;
        for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
                char oid[80];
                int n = OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i), 1);
                if (n <= 0 || (size_t) n >= sizeof(oid))
                        continue;
                for (size_t j = 0; j < ELEMENTSOF(map); j++)
                        if (strcmp(oid, map[j].oid) == 0)
                                info->dcc_types |= map[j].types;
        }
        EXTENDED_KEY_USAGE_free(eku);
        info->dcc_limited = info->dcc_types != 0;
        if (!info->dcc_limited)
                info->dcc_types = DCC_TYPES_ALL;
        return 0;
}

static void read_subject(X509 *x, char out[static DSC_SUBJECT_MAX + 1]) {
        BIO *bio = BIO_new(BIO_s_mem());
        char *p = NULL;
        long n = 0;
        size_t o = 0;

        out[0] = '\0';
        if (!bio)
                return;
        if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0)
                n = BIO_get_mem_data(bio, &p);
        for (long i = 0; p && i < n && o < DSC_SUBJECT_MAX; i++)
                out[o++] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
        out[o] = '\0';
        BIO_free(bio);
}

/* Parses der into a new Dsc; the one place where OpenSSL's X.509 errors become ours. */
static int dsc_new(const uint8_t *der, size_t len, Dsc **ret) {
        _cleanup_(dsc_freep) Dsc *d = NULL;
        const unsigned char *p = der;
        int r;

        if (len == 0 || len > LONG_MAX)
                return -EBADMSG;
        d = calloc(1, sizeof(Dsc));
        if (!d)
                return -ENOMEM;
        d->x509 = d2i_X509(NULL, &p, (long) len);
        if (!d->x509 || p != der + len) {
                ERR_clear_error();
                return -EBADMSG;
        }
        if (EVP_Digest(der, len, d->sha256, NULL, EVP_sha256(), NULL) != 1) {
                ERR_clear_error();
                return -EIO;
        }
        memcpy(d->info.kid, d->sha256, DSC_KID_LEN);

        r = asn1_time_to_unix(X509_get0_notBefore(d->x509), &d->info.not_before);
        if (r >= 0)
                r = asn1_time_to_unix(X509_get0_notAfter(d->x509), &d->info.not_after);
        if (r >= 0)
                r = read_eku(d->x509, &d->info);
        if (r < 0) {
                ERR_clear_error();
                return r;
        }
        read_subject(d->x509, d->info.subject);

        EVP_PKEY *pkey = X509_get0_pubkey(d->x509);
        ERR_clear_error();
        if (!pkey)
                return -EKEYREJECTED;
        /* hcert spec §3.3.2: ES256 (P-256) or PS256 (RSA, 2048 bits and up). */
        d->info.key_type = cose_key_type(pkey);
        if (d->info.key_type != COSE_KEY_EC_P256 && d->info.key_type != COSE_KEY_RSA)
                return -EKEYREJECTED;
        r = cose_key_init(&d->key, pkey);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(d);
        return 0;
}

int trustlist_add_der(TrustList *tl, const uint8_t *der, size_t len) {
        _cleanup_(dsc_freep) Dsc *d = NULL;
        size_t pos;
        int r;

        if (tl->n >= TRUSTLIST_MAX_CERTS)
                return -ENOSPC;
        r = dsc_new(der, len, &d);
        if (r < 0)
                return r;

        pos = lower_bound(tl, d->info.kid, d->sha256);
        if (pos < tl->n && dsc_cmp(d->info.kid, d->sha256, tl->items[pos]) == 0)
                return -EEXIST;

        if (tl->n == tl->allocated) {
                size_t a = MAX(tl->allocated * 2, (size_t) 16);
                Dsc **items = reallocarray(tl->items, a, sizeof(Dsc *));
                if (!items)
                        return -ENOMEM;
                tl->items = items;
                tl->allocated = a;
        }
        memmove(tl->items + pos + 1, tl->items + pos, (tl->n - pos) * sizeof(Dsc *));
        tl->items[pos] = TAKE_PTR(d);
        tl->n++;
        return 0;
}

static bool looks_like_pem(const uint8_t *buf, size_t len) {
        static const char marker[] = "-----BEGIN ";
        return memmem(buf, len, marker, strlen(marker)) != NULL;
}

static int load_pem(TrustList *tl, const char *path, const uint8_t *buf, size_t len,
                    TrustListSkipFn skip, void *userdata) {
        BIO *bio = BIO_new_mem_buf(buf, (int) len);
        size_t index = 0;
        int added = 0, seen = 0;

        if (!bio)
                return -ENOMEM;
        for (;;) {
                char *name = NULL, *header = NULL;
                unsigned char *data = NULL;
                long n = 0;

                ERR_clear_error();
                if (PEM_read_bio(bio, &name, &header, &data, &n) != 1) {
                        /* "no start line" is the clean end of the input. Anything else is a
                         * damaged block, after which the file's framing cannot be trusted:
                         * report it and stop. */
                        unsigned long e = ERR_peek_last_error();
                        if (ERR_GET_LIB(e) != ERR_LIB_PEM || ERR_GET_REASON(e) != PEM_R_NO_START_LINE) {
                                seen++;
                                if (skip)
                                        skip(path, index, -EBADMSG, userdata);
                        }
                        break;
                }
                if (strcmp(name, "CERTIFICATE") == 0) {
                        int r = trustlist_add_der(tl, data, (size_t) n);
                        seen++;
                        if (r >= 0)
                                added++;
                        else if (skip)
                                skip(path, index, r, userdata);
                        index++;
                }
                OPENSSL_free(name);
                OPENSSL_free(header);
                OPENSSL_free(data);
        }
        ERR_clear_error();
        BIO_free(bio);
        return seen == 0 ? -EBADMSG : added;
}

/* Loads name, relative to dir_fd; path names it in reports. */
static int load_file_at(TrustList *tl, int dir_fd, const char *name, const char *path, TrustListSkipFn skip,
                        void *userdata) {
        _cleanup_(closep) int fd = -EBADF;
        _cleanup_(freep) char *buf = NULL;
        struct stat st;
        size_t len = 0;
        int r;

        /* A symbolic link is followed (updaters swap folders and files by renaming links), but
         * what it names must be a regular file: a FIFO would block the daemon's reload. */
        fd = open_regular_file(dir_fd, name, 0, &st);
        if (fd < 0)
                return fd;
        r = read_regular_fd(fd, TRUSTLIST_MAX_FILE, 0, &buf, &len);
        if (r < 0)
                return r;
        if (len > INT32_MAX)
                return -EFBIG;

        if (looks_like_pem((const uint8_t *) buf, len))
                r = load_pem(tl, path, (const uint8_t *) buf, len, skip, userdata);
        else {
                r = trustlist_add_der(tl, (const uint8_t *) buf, len);
                if (r == -EBADMSG)
                        return r; /* neither PEM nor a certificate: the file is wrong, not one entry */
                if (r < 0 && skip)
                        skip(path, 0, r, userdata);
                r = r < 0 ? 0 : 1;
        }
        if (r >= 0)
                tl->updated_at = MAX(tl->updated_at, (int64_t) st.st_mtim.tv_sec);
        return r;
}

int trustlist_load_file(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata) {
        return load_file_at(tl, AT_FDCWD, path, path, skip, userdata);
}

static bool wanted_name(const char *name) {
        static const char *const suffixes[] = { ".pem", ".crt", ".cer", ".der" };
        size_t n = strlen(name);

        if (name[0] == '.')
                return false;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t s = strlen(suffixes[i]);
                if (n > s && strcasecmp(name + n - s, suffixes[i]) == 0)
                        return true;
        }
        return false;
}

static int cmp_names(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

int trustlist_load_dir(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata) {
        _cleanup_(closep) int fd = -EBADF;
        char **names = NULL;
        size_t n = 0, allocated = 0, prefix = strlen(path) + 1;
        struct dirent *de;
        int added = 0, r = 0;
        DIR *dir;

        /* O_DIRECTORY fails at once on anything else, a FIFO included. The entries are opened
         * relative to this fd, so they come from the folder we listed even if it is renamed. */
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        dir = fdopendir(fd);
        if (!dir)
                return -errno;
        fd = -EBADF; /* dir owns it now */
        /* Collect first, then sort: readdir order is arbitrary, and the order of skip reports
         * (and which duplicate wins) should not change between reloads. */
        while ((errno = 0, de = readdir(dir))) {
                if (!wanted_name(de->d_name))
                        continue;
                if (n == allocated) {
                        size_t a = MAX(allocated * 2, (size_t) 16);
                        char **v = reallocarray(names, a, sizeof(char *));
                        if (!v) {
                                r = -ENOMEM;
                                break;
                        }
                        names = v, allocated = a;
                }
                if (asprintf(&names[n], "%s/%s", path, de->d_name) < 0) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r == 0 && errno != 0)
                r = -errno;
        if (r < 0) {
                closedir(dir);
                strv_free(names, n);
                return r;
        }

        if (n > 0)
                qsort(names, n, sizeof(char *), cmp_names);
        /* An entry that is not a regular file (a FIFO, a socket, a device) is reported and
         * skipped like a file without certificates; a subfolder is skipped quietly. */
        for (size_t i = 0; i < n; i++) {
                int k = load_file_at(tl, dirfd(dir), names[i] + prefix, names[i], skip, userdata);
                if (k >= 0)
                        added += k;
                else if (skip && k != -EISDIR)
                        skip(names[i], 0, k, userdata);
        }
        closedir(dir);
        strv_free(names, n);
        return added;
}

int trustlist_load_path(TrustList *tl, const char *path, TrustListSkipFn skip, void *userdata) {
        struct stat st;

        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return trustlist_load_dir(tl, path, skip, userdata);
        return trustlist_load_file(tl, path, skip, userdata);
}
