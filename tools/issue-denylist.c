/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/cose.h"
#include "core/denylist-build.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "tools/denylist-text.h"
#include "tools/issue-denylist.h"
#include "tools/keyfile.h"
#include "tools/util.h"

static int usage(FILE *f) {
        fputs("usage: " SYNOPSIS_DENYLIST, f);
        return f == stderr ? 2 : 0;
}

/* Writes the list next to out under a hidden name and renames it into place: an appliance that
 * watches the folder out is in sees the whole file or none of it (docs/denylist.md). */
static int write_into_place(const char *out, const uint8_t *buf, size_t len) {
        _cleanup_(freep) char *copy = strdup(out), *tmp = NULL;
        _cleanup_(closep) int fd = -EBADF;
        int r = 0;

        if (!copy)
                return -ENOMEM;
        char *base = strrchr(copy, '/');
        if (base)
                *base++ = '\0';
        if (asprintf(&tmp, "%s%s.%s.tmp", base ? copy : "", base ? "/" : "", base ?: copy) < 0)
                return -ENOMEM;
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0)
                return -errno;
        for (size_t o = 0; o < len && r == 0;) {
                ssize_t k = write(fd, buf + o, len - o);
                if (k < 0)
                        r = -errno;
                else
                        o += (size_t) k;
        }
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && rename(tmp, out) < 0)
                r = -errno;
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

int issue_denylist(int argc, char *argv[]) {
        static const struct option opts[] = {
                { "key", required_argument, NULL, 'K' },
                { "kid", required_argument, NULL, 'k' },
                { "iss", required_argument, NULL, 'i' },
                { "version", required_argument, NULL, 'v' },
                { "issued", required_argument, NULL, 'I' },
                { "out", required_argument, NULL, 'o' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *key_path = NULL, *kid = NULL, *iss = NULL, *out = NULL, *in = "-";
        int64_t version = 0, issued = (int64_t) time(NULL);
        _cleanup_(denylist_builder_freep) DenyListBuilder *b = NULL;
        _cleanup_(freep) uint8_t *file = NULL;
        EVP_PKEY *key = NULL;
        size_t len;
        FILE *f;
        int c, r;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) >= 0)
                switch (c) {
                case 'K': key_path = optarg; break;
                case 'k': kid = optarg; break;
                case 'i': iss = optarg; break;
                case 'v':
                        if (parse_int64(optarg, &version) < 0 || version <= 0)
                                return fprintf(stderr, "qrgate-issue: --version takes a positive integer\n"), 2;
                        break;
                case 'I':
                        if (parse_int64(optarg, &issued) < 0 || issued < 0 || issued > CLAIM_TIME_MAX)
                                return fprintf(stderr, "qrgate-issue: bad --issued\n"), 2;
                        break;
                case 'o': out = optarg; break;
                case 'h': return usage(stdout);
                default: return usage(stderr);
                }
        if (optind < argc)
                in = argv[optind++];
        if (!key_path || !kid || !iss || !out || version == 0 || optind != argc)
                return usage(stderr);
        if (!claim_text_is_valid(iss) || strlen(kid) == 0 || strlen(kid) > COSE_KID_MAX)
                return fprintf(stderr, "qrgate-issue: --iss is 1-64 printable characters, --kid 1-%d bytes\n", COSE_KID_MAX), 2;

        r = denylist_builder_new(&b);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: %s\n", strerror(-r)), 1;
        f = strcmp(in, "-") == 0 ? stdin : fopen(in, "re");
        if (!f)
                return fprintf(stderr, "qrgate-issue: cannot read %s: %m\n", in), 1;
        r = denylist_text_parse(f, strcmp(in, "-") == 0 ? "<stdin>" : in, b, stderr);
        if (f != stdin)
                fclose(f);
        if (r == -EINVAL)
                return fprintf(stderr, "qrgate-issue: %s has errors; no list written\n", in), 1;
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot read %s: %s\n", in, strerror(-r)), 1;

        r = keyfile_load_private(key_path, &key);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot read private key %s: %s\n", key_path,
                               r == -EBADMSG ? "not a PEM private key" : read_file_strerror(r, 0)), 1;
        r = denylist_build(b, key, iss, (const uint8_t *) kid, strlen(kid), (uint64_t) version, issued, &file, &len);
        EVP_PKEY_free(key);
        if (r == -EKEYREJECTED)
                return fprintf(stderr, "qrgate-issue: key type not usable (P-256, Ed25519 or RSA >= 2048)\n"), 1;
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot build the list: %s\n", strerror(-r)), 1;
        r = write_into_place(out, file, len);
        if (r < 0)
                return fprintf(stderr, "qrgate-issue: cannot write %s: %s\n", out, strerror(-r)), 1;
        printf("%s: deny-list version %" PRId64 " of issuer %s, %zu bytes\n", out, version, iss, len);
        return 0;
}
