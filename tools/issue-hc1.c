/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <getopt.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/fileio.h"
#include "core/hc1-claims.h"
#include "core/hc1-mint.h"
#include "core/macro.h"
#include "core/trustlist.h"
#include "tools/issue-hc1.h"
#include "tools/keyfile.h"
#include "tools/util.h"

/* extendedKeyUsage OIDs of the DCC signer types (eHealth Network, DCC technical specs vol. 1). */
static const char *eku_for(unsigned types, char *buf, size_t size) {
        static const struct {
                unsigned type;
                const char *oid;
        } oids[] = {
                { DCC_TYPE_TEST, "1.3.6.1.4.1.1847.2021.1.1" },
                { DCC_TYPE_VACCINATION, "1.3.6.1.4.1.1847.2021.1.2" },
                { DCC_TYPE_RECOVERY, "1.3.6.1.4.1.1847.2021.1.3" },
        };
        size_t o = 0;

        if (types == DCC_TYPES_ALL)
                return NULL; /* no EKU: the signer may sign every type */
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(oids); i++)
                if (types & oids[i].type)
                        o += (size_t) snprintf(buf + o, size - o, "%s%s", o ? "," : "", oids[i].oid);
        return buf;
}

int issue_dcc_signer(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "out", required_argument, NULL, 'o' },
                { "types", required_argument, NULL, 't' },
                { "days", required_argument, NULL, 'd' },
                {}
        };
        const char *out = NULL;
        unsigned types = DCC_TYPES_ALL;
        int64_t days = 365, now = (int64_t) time(NULL);
        _cleanup_(freep) char *key_path = NULL, *crt_path = NULL;
        _cleanup_(freep) uint8_t *der = NULL;
        char eku[128];
        EVP_PKEY *key = NULL;
        size_t der_len;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'o': out = optarg; break;
                case 't':
                        if (dcc_types_from_string(optarg, &types) < 0)
                                return fprintf(stderr, "qrgate-issue: --types: vaccination,test,recovery or all\n"), 2;
                        break;
                case 'd':
                        if (parse_int64(optarg, &days) < 0 || days < 1 || days > 3650)
                                return fprintf(stderr, "qrgate-issue: --days 1-3650\n"), 2;
                        break;
                default: return 2;
                }
        if (!out || optind != argc)
                return fprintf(stderr, "usage: qrgate-issue dcc-signer --out PREFIX [--types T,...|all] [--days N]\n"), 2;

        if (asprintf(&key_path, "%s.key", out) < 0 || asprintf(&crt_path, "%s.crt", out) < 0)
                return 1;
        r = keyfile_generate("es256", out);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot write %s.key: %s\n", out, strerror(-r)), 1;
        r = keyfile_load_private(key_path, &key);
        if (r >= 0)
                r = hc1_dsc_make(key, "qrgate test DSC", now - 3600, now + days * 86400, eku_for(types, eku, sizeof(eku)),
                                 &der, &der_len);
        EVP_PKEY_free(key);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot make the certificate: %s\n", strerror(-r)), 1;

        const unsigned char *p = der;
        X509 *x = d2i_X509(NULL, &p, (long) der_len);
        FILE *f = fopen(crt_path, "we");
        int ok = x && f && PEM_write_X509(f, x) == 1;
        if (f && fclose(f) != 0)
                ok = 0;
        X509_free(x);
        ERR_clear_error();
        if (!ok)
                return fprintf(stderr, "qrgate-issue: cannot write %s\n", crt_path), 1;

        uint8_t kid[DSC_KID_LEN];
        (void) dsc_kid(der, der_len, kid);
        printf("signer key:  %s (keep it on the issuing side)\nsigner cert: %s (kid ", key_path, crt_path);
        print_hex(stdout, kid, sizeof(kid));
        printf(")\nappliance configuration:\n  dcc: { trust_list = [ \"%s\" ]; };\n", crt_path);
        return 0;
}

int issue_mint_hc1(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "key", required_argument, NULL, 'k' },
                { "cert", required_argument, NULL, 'c' },
                { "type", required_argument, NULL, 't' },
                { "iss", required_argument, NULL, 'i' },
                { "iat", required_argument, NULL, 'I' },
                { "ttl", required_argument, NULL, 'T' },
                {}
        };
        const char *key_path = NULL, *cert_path = NULL, *iss = "XX";
        unsigned type = 0;
        int64_t iat = (int64_t) time(NULL), ttl = 30 * 86400;
        _cleanup_(freep) uint8_t *payload = NULL;
        _cleanup_(freep) char *text = NULL;
        size_t payload_len;
        EVP_PKEY *key = NULL;
        X509 *x = NULL;
        int c, r;

        optind = 1;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'k': key_path = optarg; break;
                case 'c': cert_path = optarg; break;
                case 't':
                        if (dcc_types_from_string(optarg, &type) < 0 || __builtin_popcount(type) != 1)
                                return fprintf(stderr, "qrgate-issue: --type vaccination, test or recovery\n"), 2;
                        break;
                case 'i': iss = optarg; break;
                case 'I':
                        if (parse_int64(optarg, &iat) < 0)
                                return fprintf(stderr, "qrgate-issue: bad --iat\n"), 2;
                        break;
                case 'T':
                        if (parse_int64(optarg, &ttl) < 0)
                                return fprintf(stderr, "qrgate-issue: bad --ttl\n"), 2;
                        break;
                default: return 2;
                }
        if (!key_path || !cert_path || !type || optind != argc)
                return fprintf(stderr, "usage: qrgate-issue mint-hc1 --key FILE --cert FILE --type vaccination|test|recovery "
                                       "[--iss CC] [--iat UNIXTIME] [--ttl SECONDS]\n"), 2;

        FILE *f = fopen(cert_path, "re");
        if (f) {
                x = PEM_read_X509(f, NULL, NULL, NULL);
                fclose(f);
        }
        unsigned char *der = NULL;
        int der_len = x ? i2d_X509(x, &der) : -1;
        X509_free(x);
        ERR_clear_error();
        if (der_len <= 0)
                return fprintf(stderr, "qrgate-issue: %s is not a PEM certificate\n", cert_path), 1;
        uint8_t kid[DSC_KID_LEN];
        r = dsc_kid(der, (size_t) der_len, kid);
        OPENSSL_free(der);
        if (r < 0)
                return 1;

        r = keyfile_load_private(key_path, &key);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot read %s: %s\n", key_path, read_file_strerror(r, 0)), 1;
        r = hc1_payload_encode(iss, iat, iat + ttl, (DccType) type, &payload, &payload_len);
        if (r >= 0)
                r = hc1_mint(key, kid, sizeof(kid), payload, payload_len, NULL, &text);
        EVP_PKEY_free(key);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot mint: %s\n", strerror(-r)), 1;
        puts(text);
        return 0;
}
