/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Configuration validation: every mistake an operator can make is reported with file:line. */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "core/verifier.h"
#include "tests/unit/helper-dir.h"

static char path[64];

static char *load_errors(const char *text, Config **ret) {
        strcpy(path, "/tmp/qrgate-conf-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
        close(fd);
        char *errors = NULL;
        Config *c = NULL;
        int r = config_load(path, &c, &errors);
        unlink(path);
        if (ret)
                *ret = c;
        else
                config_free(c);
        assert_true(r == 0 ? errors == NULL : errors != NULL);
        return errors;
}

#define MINIMAL \
        "locks = ( { id = \"main\"; backend = \"sim\"; } );\n" \
        "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"library.lend\" ]; } );\n"

static void assert_error(const char *text, const char *line_and_message) {
        char *e = load_errors(text, NULL);
        char want[256];
        snprintf(want, sizeof(want), "%s:%s", path, line_and_message);
        if (!e || !strstr(e, want))
                fail_msg("want \"%s\" in:\n%s", want, e ?: "(no errors)");
        free(e);
}

static void minimal_configuration_has_safe_defaults(void **state) {
        Config *c;
        assert_null(load_errors(MINIMAL, &c));
        assert_int_equal(c->max_lifetime, 120);
        assert_int_equal(c->clock_skew, 30);
        assert_int_equal(c->doors[0].unlock_ms, 3000);
        assert_int_equal(c->doors[0].status_mask, 1u << CODE_STATUS_GREEN);
        assert_int_equal(c->locks[0].hal.safe_state, LOCK_SAFE_LOCKED);
        assert_int_equal(c->doors[0].barcodes, 0); /* no printed barcode opens a door by default */
        config_free(c);
}

/* A door's 'barcodes' list names the printed-barcode formats it honours; a name it does not
 * know is an error (a typo must not leave a lending station refusing every card unexplained). */
static void door_barcodes_list_names_formats(void **state) {
        Config *c;
        assert_null(load_errors("locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                                "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\", \"ean13\", \"isbn\" ]; } );\n",
                                &c));
        assert_int_equal(c->doors[0].barcodes, (1u << CODE_FORMAT_CODABAR) | (1u << CODE_FORMAT_EAN13) | (1u << CODE_FORMAT_ISBN));
        config_free(c);
        assert_null(load_errors("locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                                "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ]; } );\n",
                                &c));
        assert_int_equal(c->doors[0].barcodes, 1u << CODE_FORMAT_CODABAR);
        config_free(c);
        assert_error("locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n barcodes = [ \"issn\" ]; } );\n",
                     "3: barcode format 'issn' is not codabar, ean13 or isbn");
}

/* The deny-list's group (docs/denylist.md): a folder, absolute; an age in range; typos named. */
static void denylist_group_is_checked(void **state) {
        Config *c;
        assert_null(load_errors(MINIMAL "denylist: { directory = \"/srv/deny\"; max_age = 86400; };\n", &c));
        assert_string_equal(c->denylist.directory, "/srv/deny");
        assert_int_equal(c->denylist.line, 3);
        assert_int_equal(c->denylist.max_age, 86400);
        config_free(c);
        assert_null(load_errors(MINIMAL, &c));
        assert_null(c->denylist.directory); /* no group: no deny-list */
        config_free(c);
        assert_error(MINIMAL "denylist: {\n directory = \"deny\"; };\n", "4: 'directory' is a relative path");
        assert_error(MINIMAL "denylist: {\n directory = \"/d\";\n max_age = -1; };\n",
                     "5: 'max_age' is -1, must be between 0 and 315360000");
        assert_error(MINIMAL "denylist: { directory = \"/d\";\n max_ag = 5; };\n",
                     "4: unknown key 'max_ag' in denylist; did you mean 'max_age'?");
        assert_error(MINIMAL "denylist: { max_age = 5; };\n", "3: denylist is missing required key 'directory'");
}

static void shipped_example_is_valid(void **state) {
        Config *c = NULL;
        char *errors = NULL;
        assert_int_equal(config_load("etc/qrgate.conf", &c, &errors), 0);
        assert_int_equal(c->n_doors, 1);
        config_free(c);
}

static void syntax_error_has_its_line(void **state) {
        assert_error(MINIMAL "verifier: {\n clock_skew == 5; };\n", "4: syntax error");
}

static void unknown_keys_are_errors(void **state) {
        assert_error(MINIMAL "verifer: { };\n", "3: unknown key 'verifer' in the top level");
        assert_error("locks = ( { id = \"main\"; backend = \"sim\"; activ_low = true; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: unknown key 'activ_low' in a lock");
}

static void wrong_types_and_ranges_are_errors(void **state) {
        assert_error(MINIMAL "verifier: { max_lifetime = \"60\"; };\n", "3: 'max_lifetime' in verifier must be an integer");
        assert_error(MINIMAL "verifier: { max_lifetime = 86400; };\n", "3: 'max_lifetime' is 86400, must be between 10 and 3600");
        assert_error("locks = ( { id = \"main\"; backend = \"relay\"; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: backend must be \"sim\" or \"gpiod\"");
}

static void dangling_references_are_errors(void **state) {
        assert_error("locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                     "doors = ( { id = \"front\"; lock = \"back\"; scopes = [ \"a\" ]; } );\n",
                     "2: door 'front' names lock 'back', which is not defined in 'locks'");
        assert_error(MINIMAL "sources = ( { id = \"s\"; type = \"fifo\"; path = \"/run/x\"; door = \"side\"; } );\n",
                     "3: source 's' names door 'side', which is not defined in 'doors'");
}

static void gpiod_lock_needs_a_line(void **state) {
        assert_error("locks = ( { id = \"main\"; backend = \"gpiod\"; } );\n"
                     "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n",
                     "1: a gpiod lock needs exactly one of 'line'");
}

static void missing_file_is_reported(void **state) {
        Config *c = NULL;
        char *errors = NULL;
        assert_int_equal(config_load("/nonexistent/qrgate.conf", &c, &errors), -EINVAL);
        assert_non_null(strstr(errors, "/nonexistent/qrgate.conf: cannot read the file"));
        free(errors);
}

/* libconfig 1.5 keeps the low 32 bits of a literal without L: this one would be uid 1001. */
static void integer_beyond_32_bits_is_refused(void **state) {
        assert_error(MINIMAL "bus: { operator_uids = [ 4294968297 ]; };\n",
                     "3: 4294968297 does not fit in 32 bits (libconfig would read it as 1001); append L if it is meant");
        assert_error(MINIMAL "verifier: { max_lifetime = -2147483649; };\n",
                     "3: -2147483649 does not fit in 32 bits (libconfig would read it as 2147483647)");
        assert_error(MINIMAL "verifier: {\n clock_skew = 99999999999999999999; };\n",
                     "4: 99999999999999999999 does not fit in 64 bits (libconfig would read it as -1)");
        assert_error(MINIMAL "verifier: { max_lifetime = 9223372036854775808L; };\n",
                     "3: 9223372036854775808L does not fit in 64 bits");
        /* Nothing else is reported: the values would be wrong. */
        char *e = load_errors(MINIMAL "bus: { operator_uids = [ 4294968297 ]; };\n", NULL);
        assert_null(strstr(e, "out of range"));
        free(e);
}

/* With L the value is read as written, and the key's own range applies to all 64 bits. */
static void long_literal_meets_the_range_check(void **state) {
        assert_error(MINIMAL "bus: { operator_uids = [ 4294968297L ]; };\n", "3: uid 4294968297 out of range");
        assert_error(MINIMAL "verifier: { max_lifetime = 4294967356L; };\n",
                     "3: 'max_lifetime' is 4294967356, must be between 10 and 3600");
        assert_error(MINIMAL "verifier: { replay_capacity = 4294967312LL; };\n",
                     "3: 'replay_capacity' is 4294967312, must be between 16 and 16777216");

        Config *c;
        assert_null(load_errors(MINIMAL "verifier: { max_lifetime = 60L; clock_skew = -0; };\n"
                                        "dcc: { trust_list = [ \"/x\" ]; trust_max_age = 315360000L; };\n", &c));
        assert_int_equal(c->max_lifetime, 60);
        assert_int_equal(c->dcc.trust_max_age, 315360000);
        config_free(c);
}

static void hex_literals_are_checked_too(void **state) {
        assert_error(MINIMAL "bus: { operator_uids = [ 0x1000003E9 ]; };\n",
                     "3: 0x1000003E9 does not fit in 32 bits (libconfig would read it as 1001); append L if it is meant");
        assert_error(MINIMAL "verifier: { max_lifetime = 0xFFFFFFFF; };\n",
                     "3: 0xFFFFFFFF does not fit in 32 bits (libconfig would read it as -1)");
        assert_error(MINIMAL "verifier: { max_lifetime = 0x8000000000000000L; };\n",
                     "3: 0x8000000000000000L does not fit in 64 bits");
        Config *c;
        assert_null(load_errors(MINIMAL "verifier: { max_lifetime = 0x3c; clock_skew = 0X1e; };\n"
                                        "bus: { operator_uids = [ 0x3E9L, 0x7fffffffL ]; };\n", &c));
        assert_int_equal(c->max_lifetime, 60);
        assert_int_equal(c->clock_skew, 30);
        assert_int_equal(c->operator_uids[0], 1001);
        assert_int_equal(c->operator_uids[1], 0x7fffffff);
        config_free(c);
}

static void digits_outside_values_are_not_literals(void **state) {
        Config *c;
        /* In strings (escaped quotes included), comments, and floats: not integers. */
        assert_null(load_errors(MINIMAL "state_directory = \"/var/lib/4294968297\\\" 4294968297\";\n"
                                        "# 4294968297\n// 4294968297\n/* 4294968297\n 4294968297 */\n"
                                        "verifier: { max_lifetime = 60; };\n", &c));
        assert_string_equal(c->state_directory, "/var/lib/4294968297\" 4294968297");
        config_free(c);
        /* A name with digits is a name; the only problem here is that the key is unknown. */
        char *e = load_errors(MINIMAL "key4294968297 = 1;\n", NULL);
        assert_non_null(strstr(e, "unknown key 'key4294968297'"));
        assert_null(strstr(e, "does not fit"));
        free(e);
        e = load_errors(MINIMAL "verifier: { max_lifetime = 4294968297.0; clock_skew = 1e20; };\n", NULL);
        assert_non_null(strstr(e, "'max_lifetime' in verifier must be an integer"));
        assert_null(strstr(e, "does not fit"));
        free(e);
        /* Lines are still counted inside strings and comments. */
        assert_error(MINIMAL "state_directory = \"a\nb\"; /*\n*/\nverifier: { max_lifetime = 4294968297; };\n",
                     "6: 4294968297 does not fit in 32 bits");
}

static void include_and_nul_bytes_are_refused(void **state) {
        char dir[TH_DIR_MAX], fifo[96], text[256];
        /* libconfig would open the FIFO and block: the refusal comes before it parses. */
        th_dir_new(dir, "/tmp/qrgate-conf-inc-XXXXXX");
        snprintf(fifo, sizeof(fifo), "%s/more.conf", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        snprintf(text, sizeof(text), MINIMAL "@include \"%s\"\n", fifo);
        assert_error(text, "3: @include is not supported");
        th_dir_remove(dir);

        strcpy(path, "/tmp/qrgate-conf-XXXXXX");
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, MINIMAL "#\0\n", sizeof(MINIMAL "#\0\n") - 1), (ssize_t) sizeof(MINIMAL "#\0\n") - 1);
        close(fd);
        char *errors = NULL;
        Config *c = NULL;
        assert_int_equal(config_load(path, &c, &errors), -EINVAL);
        unlink(path);
        assert_non_null(strstr(errors, ":3: the file contains a NUL byte"));
        free(errors);
}

/* A FIFO (or any non-regular file) where a file is expected must be refused at once: open()
 * would otherwise wait for a writer and freeze the daemon at start or reload. */
typedef struct FifoDir {
        char dir[TH_DIR_MAX], fifo[96], conf[96];
} FifoDir;

static int fifo_setup(void **state) {
        FifoDir *f = calloc(1, sizeof(FifoDir));

        assert_non_null(f);
        th_dir_new(f->dir, "/tmp/qrgate-conf-fifo-XXXXXX");
        snprintf(f->fifo, sizeof(f->fifo), "%s/fifo", f->dir);
        snprintf(f->conf, sizeof(f->conf), "%s/qrgate.conf", f->dir);
        assert_int_equal(mkfifo(f->fifo, 0600), 0);
        *state = f;
        return 0;
}

static int fifo_teardown(void **state) {
        FifoDir *f = *state;

        th_dir_remove(f->dir);
        free(f);
        return 0;
}

static void load_fifo_conf(FifoDir *f, const char *extra, Config **ret) {
        char *errors = NULL;
        FILE *out = fopen(f->conf, "we");
        assert_non_null(out);
        fprintf(out, MINIMAL "%s\n", extra);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(config_load(f->conf, ret, &errors), 0);
        assert_null(errors);
}

static void fifo_as_configuration_is_refused_at_once(void **state) {
        FifoDir *f = *state;
        char *errors = NULL, want[256];
        Config *c = NULL;

        assert_int_equal(config_load(f->fifo, &c, &errors), -EINVAL);
        snprintf(want, sizeof(want), "%s: cannot read the file: not a regular file (a FIFO, socket or device)", f->fifo);
        assert_non_null(strstr(errors, want));
        free(errors);
        assert_int_equal(config_load(f->dir, &c, &errors), -EINVAL);
        assert_non_null(strstr(errors, "cannot read the file: a directory, not a regular file"));
        free(errors);
}

static void oversized_configuration_is_refused(void **state) {
        FifoDir *f = *state;
        char *errors = NULL;
        Config *c = NULL;

        FILE *out = fopen(f->conf, "we");
        assert_non_null(out);
        for (int i = 0; i < CONFIG_FILE_MAX / 64 + 1; i++)
                fprintf(out, "# %-61s\n", "64 bytes a line");
        assert_int_equal(fclose(out), 0);
        assert_int_equal(config_load(f->conf, &c, &errors), -EINVAL);
        assert_non_null(strstr(errors, "cannot read the file: it is larger than 1024 KiB"));
        free(errors);
}

static void fifo_as_issuer_key_file_is_refused_at_once(void **state) {
        FifoDir *f = *state;
        char extra[256], *errors = NULL;
        Keystore *ks = NULL;
        Config *c = NULL;

        snprintf(extra, sizeof(extra), "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; } ); } );",
                 f->fifo);
        load_fifo_conf(f, extra, &c);
        assert_int_equal(config_build_keystore(c, &ks, &errors), 1);
        assert_int_equal(keystore_size(ks), 0);
        keystore_free(ks);
        assert_non_null(strstr(errors, "issuer 'city' key 'k1' in "));
        assert_non_null(strstr(errors, "/fifo: not a regular file (a FIFO, socket or device)"));
        free(errors);
        config_free(c);
}

static void oversized_or_directory_key_file_is_refused(void **state) {
        FifoDir *f = *state;
        char extra[512], big[128], *errors = NULL;
        Keystore *ks = NULL;
        Config *c = NULL;

        snprintf(big, sizeof(big), "%s/big.pub", f->dir);
        FILE *out = fopen(big, "we");
        assert_non_null(out);
        for (int i = 0; i < KEYSTORE_PEM_FILE_MAX / 64 + 1; i++)
                fprintf(out, "%-63s\n", "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE");
        assert_int_equal(fclose(out), 0);
        snprintf(extra, sizeof(extra), "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"%s\"; },\n"
                 "{ kid = \"k2\"; file = \"%s\"; } ); } );", big, f->dir);
        load_fifo_conf(f, extra, &c);
        assert_int_equal(config_build_keystore(c, &ks, &errors), 2);
        keystore_free(ks);
        assert_non_null(strstr(errors, "/big.pub: larger than 64 KiB, not a public key file"));
        assert_non_null(strstr(errors, "key 'k2' in "));
        assert_non_null(strstr(errors, ": a directory, not a regular file"));
        free(errors);
        config_free(c);
}

static void fifo_in_trust_list_is_refused_at_once(void **state) {
        FifoDir *f = *state;
        char extra[256], *errors = NULL, *notes = NULL;
        TrustList *tl = NULL;
        Config *c = NULL;

        /* Named as the list: an error. */
        snprintf(extra, sizeof(extra), "dcc: { trust_list = [ \"%s\" ]; };", f->fifo);
        load_fifo_conf(f, extra, &c);
        assert_int_equal(config_build_trustlist(c, 0, &tl, &errors, &notes), 1);
        assert_int_equal(trustlist_count(tl), 0);
        tl = trustlist_free(tl);
        assert_non_null(strstr(errors, "/fifo: not a regular file (a FIFO, socket or device)"));
        free(errors);
        free(notes);
        config_free(c);

        /* In a folder of certificates: reported and skipped, like any file that holds none. */
        char sub[128], entry[160];
        snprintf(sub, sizeof(sub), "%s/dsc", f->dir);
        snprintf(entry, sizeof(entry), "%s/de.pem", sub);
        assert_int_equal(mkdir(sub, 0700), 0);
        assert_int_equal(mkfifo(entry, 0600), 0);
        snprintf(extra, sizeof(extra), "dcc: { trust_list = [ \"%s\" ]; };", sub);
        load_fifo_conf(f, extra, &c);
        assert_int_equal(config_build_trustlist(c, 0, &tl, &errors, &notes), 0);
        assert_null(errors);
        assert_non_null(strstr(notes, "de.pem certificate #0 skipped: not a regular file (a FIFO, socket or device)"));
        assert_int_equal(trustlist_count(tl), 0);
        free(notes);
        trustlist_free(tl);
        config_free(c);
}

#define LOCKS "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"

static void schedules_are_shared_by_doors_that_name_them(void **state) {
        Config *c;
        assert_null(load_errors(LOCKS
                                "schedules = ( { id = \"office\"; windows = [ \"mon-fri 07:00-19:00\", \"sat 09:00-13:00\" ];\n"
                                "                holidays = [ \"2026-12-25\", \"2026-12-24 short_day\" ]; },\n"
                                "              { id = \"short_day\"; windows = [ \"daily 08:00-12:00\" ]; } );\n"
                                "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; schedule = \"office\"; },\n"
                                "          { id = \"b\"; lock = \"main\"; scopes = [ \"x\" ]; schedule = \"office\"; },\n"
                                "          { id = \"c\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                                &c));
        assert_int_equal(c->n_schedules, 2);
        assert_ptr_equal(c->doors[0].schedule, &c->schedules[0]);
        assert_ptr_equal(c->doors[1].schedule, &c->schedules[0]);
        assert_null(c->doors[2].schedule); /* always open, as without schedules */
        assert_int_equal(c->schedules[0].n_windows, 2);
        assert_int_equal(c->schedules[0].n_holidays, 2);
        assert_null(c->schedules[0].holidays[0].instead);
        assert_ptr_equal(c->schedules[0].holidays[1].instead, &c->schedules[1]);
        config_free(c);
}

static void schedule_mistakes_have_their_line(void **state) {
        assert_error(LOCKS "schedules = ( { id = \"office\";\n windows = [\n \"mon-fri 19:00-07:00\" ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "4: window \"mon-fri 19:00-07:00\" of schedule 'office' starts at or after its end; a window "
                     "across midnight is two windows");
        assert_error(LOCKS "schedules = ( { id = \"office\"; windows = [ \"weekdays 07:00-19:00\" ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "2: window \"weekdays 07:00-19:00\" of schedule 'office' must start with days");
        assert_error(LOCKS "schedules = ( { id = \"office\"; windows = [ ];\n holidays = [ \"2026-02-30\" ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "3: holiday \"2026-02-30\" of schedule 'office' is not a date of the calendar");
        assert_error(LOCKS "schedules = ( { id = \"office\"; windows = [ ];\n holidays = [ \"2026-12-24 shrot\" ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "3: holiday 2026-12-24 of schedule 'office' names schedule 'shrot', which is not defined in 'schedules'");
        assert_error(LOCKS "schedules = ( { id = \"office\"; windows = [ ];\n holidays = [ \"2026-12-24 office\" ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "3: holiday 2026-12-24 of schedule 'office' names the schedule itself");
        assert_error(LOCKS "schedules = ( { id = \"o\"; windows = [ ]; },\n { id = \"o\"; windows = [ ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "3: schedule 'o' is defined twice");
        assert_error(LOCKS "schedules = ( { id = \"o\"; window = [ ]; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                     "2: unknown key 'window' in a schedule; did you mean 'windows'?");
        assert_error(LOCKS "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ];\n schedule = \"office\"; } );\n",
                     "3: door 'a' names schedule 'office', which is not defined in 'schedules'");
}

static void areas_are_named_by_doors_with_a_side(void **state) {
        Config *c;
        assert_null(load_errors(LOCKS
                                "areas = ( { id = \"pool\"; capacity = 120; passback = \"hard\"; presence_timeout = 14400;\n"
                                "            capacity_reset = \"03:30\"; },\n"
                                "          { id = \"reading_room\"; } );\n"
                                "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; area = \"pool\"; side = \"entry\"; },\n"
                                "          { id = \"b\"; lock = \"main\"; scopes = [ \"x\" ]; area = \"pool\"; side = \"exit\"; },\n"
                                "          { id = \"c\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n",
                                &c));
        assert_int_equal(c->n_areas, 2);
        assert_int_equal(c->areas[0].capacity, 120);
        assert_int_equal(c->areas[0].passback, AREA_PASSBACK_HARD);
        assert_int_equal(c->areas[0].presence_timeout, 14400);
        assert_int_equal(c->areas[0].capacity_reset, 3 * 3600 + 30 * 60);
        /* The defaults: no limit, no anti-passback, four hours, no reset. */
        assert_int_equal(c->areas[1].capacity, 0);
        assert_int_equal(c->areas[1].passback, AREA_PASSBACK_OFF);
        assert_int_equal(c->areas[1].presence_timeout, 4 * 3600);
        assert_int_equal(c->areas[1].capacity_reset, -1);
        assert_ptr_equal(c->doors[0].area, &c->areas[0]);
        assert_int_equal(c->doors[0].side, AREA_SIDE_ENTRY);
        assert_int_equal(c->doors[1].side, AREA_SIDE_EXIT);
        assert_int_equal(c->doors[1].area_index, 0);
        assert_null(c->doors[2].area);
        assert_int_equal(c->doors[2].side, AREA_SIDE_NONE);
        config_free(c);
}

static void area_mistakes_have_their_line(void **state) {
        const char *door = "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; } );\n";
        char text[1024];

        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n passback = \"strict\"; } );\n%s", door);
        assert_error(text, "3: passback of area 'pool' must be \"off\", \"soft\" or \"hard\"");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n capacity = -1; } );\n%s", door);
        assert_error(text, "3: 'capacity' is -1, must be between 0 and 1000000");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n presence_timeout = 10; } );\n%s", door);
        assert_error(text, "3: 'presence_timeout' is 10, must be between 60 and 604800");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n capacity_reset = \"24:00\"; } );\n%s", door);
        assert_error(text, "3: capacity_reset \"24:00\" of area 'pool' must be a local time HH:MM (00:00 to 23:59)");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n capacity_reset = \"3:00\"; } );\n%s", door);
        assert_error(text, "3: capacity_reset \"3:00\" of area 'pool' must be a local time HH:MM");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\";\n capacity_rest = \"03:00\"; } );\n%s", door);
        assert_error(text, "3: unknown key 'capacity_rest' in an area; did you mean 'capacity_reset'?");
        snprintf(text, sizeof(text), LOCKS "areas = ( { id = \"pool\"; },\n { id = \"pool\"; } );\n%s", door);
        assert_error(text, "3: area 'pool' is defined twice");
        assert_error(LOCKS "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ];\n area = \"pool\"; side = \"entry\"; } );\n",
                     "3: door 'a' names area 'pool', which is not defined in 'areas'");
        assert_error(LOCKS "areas = ( { id = \"pool\"; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; area = \"pool\";\n side = \"in\"; } );\n",
                     "4: side of door 'a' must be \"entry\" or \"exit\"");
        assert_error(LOCKS "areas = ( { id = \"pool\"; } );\n"
                     "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ]; area = \"pool\"; } );\n",
                     "3: door 'a' names area 'pool' but no side");
        assert_error(LOCKS "doors = ( { id = \"a\"; lock = \"main\"; scopes = [ \"x\" ];\n side = \"exit\"; } );\n",
                     "3: door 'a' has a side but no area");
}

static void clock_untrusted_defaults_to_refuse_and_is_checked(void **state) {
        Config *c;
        assert_null(load_errors(MINIMAL, &c));
        assert_int_equal(c->clock.untrusted, CLOCK_UNTRUSTED_REFUSE);
        assert_int_equal(c->clock.narrow_window, 10);
        config_free(c);
        assert_null(load_errors(MINIMAL "clock: { untrusted = \"narrow\"; narrow_window = 30; };\n", &c));
        assert_int_equal(c->clock.untrusted, CLOCK_UNTRUSTED_NARROW);
        assert_int_equal(c->clock.narrow_window, 30);
        config_free(c);
        assert_error(MINIMAL "clock: {\n untrusted = \"warn\"; };\n",
                     "4: untrusted must be \"refuse\", \"narrow\" or \"accept\"");
        assert_error(MINIMAL "clock: {\n narrow_window = 121; };\n", "4: 'narrow_window' is 121, must be between 1 and 120");
        assert_error(MINIMAL "clock: { untrusted = \"accept\"; narow_window = 5; };\n",
                     "3: unknown key 'narow_window' in clock; did you mean 'narrow_window'?");
}

/* policy.subject_rate: off unless set; every value in range, each problem with its line; and
 * bus.max_rate, the per-caller limit of SubmitCode, 10 a second by default. */
static void subject_rate_and_bus_rate_are_read_and_checked(void **state) {
        Config *c;

        assert_null(load_errors(MINIMAL, &c));
        assert_false(c->policy.subject_rate.enabled);
        assert_int_equal(c->bus_max_rate, 10);
        config_free(c);
        assert_null(load_errors(MINIMAL "policy: { subject_rate = { max = 5; per = 60; }; };\n"
                                "bus: { max_rate = 3; };\n", &c));
        assert_true(c->policy.subject_rate.enabled);
        assert_int_equal(c->policy.subject_rate.max, 5);
        assert_int_equal(c->policy.subject_rate.per, 60);
        assert_int_equal(c->policy.subject_rate.capacity, 4096);
        assert_int_equal(c->bus_max_rate, 3);
        config_free(c);
        assert_null(load_errors(MINIMAL "policy: { subject_rate = { max = 1; per = 86400; capacity = 8; }; };\n", &c));
        assert_int_equal(c->policy.subject_rate.capacity, 8);
        config_free(c);
        assert_error(MINIMAL "policy: { subject_rate = {\n max = 0; per = 60; }; };\n",
                     "4: 'max' is 0, must be between 1 and 1000");
        assert_error(MINIMAL "policy: { subject_rate = { max = 5;\n per = 86401; }; };\n",
                     "4: 'per' is 86401, must be between 1 and 86400");
        assert_error(MINIMAL "policy: { subject_rate = { max = 5; per = 60;\n capacity = 7; }; };\n",
                     "4: 'capacity' is 7, must be between 8 and 1000000");
        assert_error(MINIMAL "policy: {\n subject_rate = { max = 5; }; };\n",
                     "4: policy.subject_rate is missing required key 'per'");
        assert_error(MINIMAL "policy: {\n subject_rates = { max = 5; per = 60; }; };\n",
                     "4: unknown key 'subject_rates' in policy; did you mean 'subject_rate'?");
        assert_error(MINIMAL "bus: {\n max_rate = 0; };\n", "4: 'max_rate' is 0, must be between 1 and 1000");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(subject_rate_and_bus_rate_are_read_and_checked),
                cmocka_unit_test(minimal_configuration_has_safe_defaults),
                cmocka_unit_test(door_barcodes_list_names_formats),
                cmocka_unit_test(shipped_example_is_valid),
                cmocka_unit_test(denylist_group_is_checked),
                cmocka_unit_test(syntax_error_has_its_line),
                cmocka_unit_test(unknown_keys_are_errors),
                cmocka_unit_test(wrong_types_and_ranges_are_errors),
                cmocka_unit_test(dangling_references_are_errors),
                cmocka_unit_test(gpiod_lock_needs_a_line),
                cmocka_unit_test(schedules_are_shared_by_doors_that_name_them),
                cmocka_unit_test(schedule_mistakes_have_their_line),
                cmocka_unit_test(areas_are_named_by_doors_with_a_side),
                cmocka_unit_test(area_mistakes_have_their_line),
                cmocka_unit_test(clock_untrusted_defaults_to_refuse_and_is_checked),
                cmocka_unit_test(missing_file_is_reported),
                cmocka_unit_test(integer_beyond_32_bits_is_refused),
                cmocka_unit_test(long_literal_meets_the_range_check),
                cmocka_unit_test(hex_literals_are_checked_too),
                cmocka_unit_test(digits_outside_values_are_not_literals),
                cmocka_unit_test(include_and_nul_bytes_are_refused),
                cmocka_unit_test_setup_teardown(fifo_as_configuration_is_refused_at_once, fifo_setup, fifo_teardown),
                cmocka_unit_test_setup_teardown(oversized_configuration_is_refused, fifo_setup, fifo_teardown),
                cmocka_unit_test_setup_teardown(fifo_as_issuer_key_file_is_refused_at_once, fifo_setup, fifo_teardown),
                cmocka_unit_test_setup_teardown(oversized_or_directory_key_file_is_refused, fifo_setup, fifo_teardown),
                cmocka_unit_test_setup_teardown(fifo_in_trust_list_is_refused_at_once, fifo_setup, fifo_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
