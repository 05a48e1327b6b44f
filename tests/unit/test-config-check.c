/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `qrgatectl check-config` (config_check_file()): every problem of a file, at once, each as
 * file:line: message — none hiding another — and unknown keys with a suggestion when one key is
 * close. */

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
#include "tests/unit/helper-cmocka.h"
#include "tests/unit/helper-dir.h"

typedef struct Fixture {
        char dir[TH_DIR_MAX], conf[128], out[8192], err[8192];
        int status;
} Fixture;

static int set_up(void **state) {
        Fixture *f = calloc(1, sizeof(Fixture));

        assert_non_null(f);
        th_dir_new(f->dir, "/tmp/qrgate-check-XXXXXX");
        snprintf(f->conf, sizeof(f->conf), "%s/qrgate.conf", f->dir);
        *state = f;
        return 0;
}

static int tear_down(void **state) {
        Fixture *f = *state;

        th_dir_remove(f->dir);
        free(f);
        return 0;
}

/* Writes the configuration (every "@" in text becomes the scratch directory) and checks it. */
static void check(Fixture *f, const char *text) {
        FILE *conf = fopen(f->conf, "we"), *out, *err;
        char *o = NULL, *e = NULL;
        size_t on = 0, en = 0;

        assert_non_null(conf);
        for (const char *p = text; *p; p++)
                if (*p == '@')
                        fputs(f->dir, conf);
                else
                        fputc(*p, conf);
        assert_int_equal(fclose(conf), 0);
        out = open_memstream(&o, &on);
        err = open_memstream(&e, &en);
        assert_true(out && err);
        f->status = config_check_file(f->conf, out, err);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(err), 0);
        snprintf(f->out, sizeof(f->out), "%s", o);
        snprintf(f->err, sizeof(f->err), "%s", e);
        free(o);
        free(e);
}

/* The report holds "<conf>:<line_and_message>". */
static void assert_reported(const Fixture *f, const char *line_and_message) {
        char want[512];

        snprintf(want, sizeof(want), "%s:%s", f->conf, line_and_message);
        if (!strstr(f->err, want))
                fail_msg("want \"%s\" in:\n%s", want, f->err);
}

static size_t count_lines(const char *s) {
        size_t n = 0;
        for (; *s; s++)
                n += *s == '\n';
        return n;
}

static void write_file(const Fixture *f, const char *name, const char *text) {
        char path[192];
        FILE *out;

        snprintf(path, sizeof(path), "%s/%s", f->dir, name);
        out = fopen(path, "we");
        assert_non_null(out);
        fputs(text, out);
        assert_int_equal(fclose(out), 0);
}

#define DOOR \
        "locks = ( { id = \"main\"; backend = \"sim\"; } );\n" \
        "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n"

/* A missing key file used to end the check: the trust list behind it went unchecked. */
static void a_missing_key_file_does_not_hide_a_missing_trust_list(void **state) {
        Fixture *f = *state;

        check(f, DOOR
                 "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"@/city.pub\"; } ); } );\n"
                 "dcc: { trust_list = [ \"@/dcc\" ]; };\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: issuer 'city' key 'k1' in ");
        assert_reported(f, "4: dcc trust list ");
        assert_non_null(strstr(f->err, "/dcc: No such file or directory"));
        assert_int_equal(count_lines(f->err), 2);
        assert_string_equal(f->out, "");
}

/* The trust list's problems name the line of the path, in a multi-line list too. */
static void trust_list_problems_have_the_line_of_their_path(void **state) {
        Fixture *f = *state;

        write_file(f, "not-a-cert.pem", "hello\n");
        check(f, DOOR "dcc: {\n trust_list = [\n  \"@/missing\",\n  \"@/not-a-cert.pem\" ];\n};\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "5: dcc trust list ");
        assert_non_null(strstr(f->err, "/missing: No such file or directory"));
        assert_reported(f, "6: dcc trust list ");
        assert_non_null(strstr(f->err, "/not-a-cert.pem: holds no X.509 certificate (PEM or DER)"));
}

/* A folder where a file belongs says so, in words, never "Success" or a bare errno text. */
static void a_folder_where_a_file_belongs_says_so(void **state) {
        Fixture *f = *state;
        char sub[128];

        snprintf(sub, sizeof(sub), "%s/keys", f->dir);
        assert_int_equal(mkdir(sub, 0700), 0);
        check(f, DOOR "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"@/keys\"; } ); } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: issuer 'city' key 'k1' in ");
        assert_non_null(strstr(f->err, "/keys: a directory, not a regular file"));
        assert_null(strstr(f->err, "Success"));

        /* The configuration itself. */
        char *o = NULL, *e = NULL;
        size_t on = 0, en = 0;
        FILE *out = open_memstream(&o, &on), *err = open_memstream(&e, &en);
        assert_int_equal(config_check_file(f->dir, out, err), 1);
        assert_int_equal(fclose(out), 0);
        assert_int_equal(fclose(err), 0);
        assert_non_null(strstr(e, ": cannot read the file: a directory, not a regular file"));
        assert_null(strstr(e, "Success"));
        free(o);
        free(e);
}

/* Without scopes the door is broken, and that is the one problem: the source naming it must not
 * be told that no such door is defined. */
static void a_door_without_scopes_is_one_problem(void **state) {
        Fixture *f = *state;

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; } );\n"
                 "sources = ( { id = \"s\"; type = \"fifo\"; path = \"/run/x\"; door = \"main\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "2: a door is missing required key 'scopes'");
        assert_null(strstr(f->err, "not defined"));
        assert_int_equal(count_lines(f->err), 1);

        /* The same for a lock that a door names. */
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; colour = \"red\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n");
        assert_reported(f, "1: unknown key 'colour' in a lock");
        assert_null(strstr(f->err, "not defined"));
        assert_int_equal(count_lines(f->err), 1);
}

static void an_unknown_key_gets_the_close_one_suggested(void **state) {
        Fixture *f = *state;

        check(f, DOOR "verifer: { };\n");
        assert_reported(f, "3: unknown key 'verifer' in the top level; did you mean 'verifier'?");
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; Safe_State = \"locked\"; } );\n"
                 "doorz = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n");
        assert_reported(f, "1: unknown key 'Safe_State' in a lock; did you mean 'safe_state'?");
        assert_reported(f, "2: unknown key 'doorz' in the top level; did you mean 'doors'?");
        check(f, DOOR "token: { uri = \"pkcs11:token=x\"; pin_fil = \"/x\"; };\n");
        assert_reported(f, "3: unknown key 'pin_fil' in token; did you mean 'pin_file'?");
        /* Nothing close: no guess. */
        check(f, DOOR "colour = \"red\";\n");
        assert_reported(f, "3: unknown key 'colour' in the top level\n");
}

/* An unknown key at the top level makes no other section wrong: they are all checked. */
static void every_section_is_checked_despite_a_top_level_typo(void **state) {
        Fixture *f = *state;

        check(f, DOOR "verifer: { };\nverifier: { max_lifetime = 5; };\n"
                      "sources = ( { id = \"s\"; type = \"fifo\"; path = \"/run/x\"; door = \"side\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: unknown key 'verifer'");
        assert_reported(f, "4: 'max_lifetime' is 5, must be between 10 and 3600");
        assert_reported(f, "5: source 's' names door 'side', which is not defined in 'doors'");
        assert_int_equal(count_lines(f->err), 3);

        /* A section of the wrong type is said once, by the top level. */
        check(f, DOOR "verifier = 5;\n");
        assert_reported(f, "3: 'verifier' in the top level must be a group { ... }");
        assert_int_equal(count_lines(f->err), 1);
}

/* Relative paths are refused wherever a path goes, with the path in the configuration's folder
 * offered: resolved against the current directory, check-config in one directory would pass a
 * file that the daemon, running in /, cannot open. */
static void relative_paths_are_refused_with_the_full_path_offered(void **state) {
        Fixture *f = *state;
        char want[256];

        write_file(f, "city.pub", "");
        assert_int_equal(chdir(f->dir), 0); /* where a relative path would have been found */
        check(f, "state_directory = \"state\";\n"
                 "issuers = ( { id = \"city\"; keys = ( { kid = \"k1\"; file = \"./city.pub\"; } ); } );\n"
                 "locks = ( { id = \"main\"; backend = \"sim\"; output = \"lock.out\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; } );\n"
                 "sources = ( { id = \"s\"; type = \"fifo\"; path = \"scan0\"; door = \"main\"; } );\n"
                 "token: { module = \"lib/softhsm2.so\"; uri = \"pkcs11:token=x\"; pin_file = \"pin\"; };\n"
                 "dcc: { trust_list = [ \"@/dcc\",\n \"dcc\" ]; };\n");
        assert_int_equal(chdir("/"), 0);
        assert_int_equal(f->status, 1);
        snprintf(want, sizeof(want), "1: 'state_directory' is a relative path (\"state\"): paths must be absolute, or "
                 "they would depend on the directory a program runs in; did you mean \"%s/state\"?", f->dir);
        assert_reported(f, want);
        snprintf(want, sizeof(want), "(\"./city.pub\"): paths must be absolute, or they would depend on the directory a "
                 "program runs in; did you mean \"%s/city.pub\"?", f->dir);
        assert_non_null(strstr(f->err, want));
        assert_reported(f, "2: 'file' is a relative path");
        assert_reported(f, "3: 'output' is a relative path");
        assert_reported(f, "5: 'path' is a relative path");
        assert_reported(f, "6: 'module' is a relative path");
        assert_reported(f, "6: 'pin_file' is a relative path");
        assert_reported(f, "8: 'trust_list' is a relative path");
        /* Nothing else: the relative key file is not read, a module name is not a path. */
        assert_int_equal(count_lines(f->err), 8);
        check(f, DOOR "token: { module = \"softhsm2\"; uri = \"pkcs11:token=x\"; pin_file = \"@/pin\"; };\n");
        assert_int_equal(f->status, 0);
}

/* A door's inputs (config/config-door-io.c): each problem at its line, a key of the other
 * backend refused rather than ignored, two inputs on one line, the timings' ranges. */
static void door_input_problems_are_reported_at_their_line(void **state) {
        Fixture *f = *state;

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  contact = { backend = \"gpiod\"; line_name = \"c\"; line = 3; chip = \"gpiochip0\"; };\n"
                 "  rex = { backend = \"sim\"; input = \"/run/rex\"; active_low = true; };\n"
                 "  lock_feedback = { backend = \"relay\"; };\n"
                 "  held_open_s = 3601; debounce_ms = -1; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main' contact: a gpiod input needs exactly one of 'line' (offset on 'chip') and 'line_name'");
        assert_reported(f, "4: door 'main' rex: 'chip', 'line', 'line_name' and 'active_low' are for the gpiod backend");
        assert_reported(f, "5: door 'main' lock_feedback: backend must be \"sim\" or \"gpiod\"");
        assert_reported(f, "6: 'held_open_s' is 3601, must be between 0 and 3600");
        assert_reported(f, "6: 'debounce_ms' is -1, must be between 0 and 1000");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  contact = { backend = \"gpiod\"; line_name = \"door\"; input = \"/run/x\"; };\n"
                 "  rex = { backend = \"gpiod\"; line_name = \"door\"; };\n"
                 "  lock_feedback = { backend = \"sim\"; input = \"run/fb\"; };\n"
                 "  lock_feedback_grace_ms = 5; } );\n");
        assert_reported(f, "3: door 'main' contact: 'input' is for the sim backend only");
        assert_reported(f, "4: door 'main': rex is on the same line as its contact");
        assert_reported(f, "5: 'input' is a relative path");
        assert_reported(f, "6: 'lock_feedback_grace_ms' is 5, must be between 10 and 60000");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; contakt = { }; } );\n");
        assert_reported(f, "2: unknown key 'contakt' in a door; did you mean 'contact'?");

        /* A turnstile's exit pulse counts people out of an area: without one it means nothing. */
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  exit_pulse = { backend = \"sim\"; input = \"/run/turnstile\"; }; } );\n");
        assert_reported(f, "3: door 'main': exit_pulse counts people out of the door's area; it needs area");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; lock_feedback_grace_ms = 500; } );\n");
        assert_reported(f, "2: door 'main': lock_feedback_grace_ms without lock_feedback");

        /* contact_nc is the contact's second line: without the contact, or on its line, wrong. */
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  contact_nc = { backend = \"gpiod\"; line_name = \"nc\"; }; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main': contact_nc is the contact's second line; it needs contact");
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  contact = { backend = \"gpiod\"; line_name = \"door\"; };\n"
                 "  contact_nc = { backend = \"gpiod\"; line_name = \"door\"; }; } );\n");
        assert_reported(f, "4: door 'main': contact_nc is on the same line as its contact");
        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  contact = { backend = \"gpiod\"; line_name = \"door\"; };\n"
                 "  contact_nc = { backend = \"gpiod\"; line_name = \"door-nc\"; active_low = true; }; } );\n");
        if (f->status != 0)
                fail_msg("want valid, got:\n%s", f->err);

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  interlock = \"air lock\"; } );\n");
        assert_reported(f, "3: door 'main' interlock group 'air lock' must be 1-32 letters, digits or '_'");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; held_open_s = 0; debounce_ms = 1000;\n"
                 "  contact = { backend = \"gpiod\"; chip = \"gpiochip1\"; line = 0; active_low = true; };\n"
                 "  rex = { backend = \"gpiod\"; chip = \"gpiochip1\"; line = 1; };\n"
                 "  lock_feedback = { backend = \"sim\"; input = \"@/fb\"; }; lock_feedback_grace_ms = 10; } );\n");
        if (f->status != 0)
                fail_msg("want valid, got:\n%s", f->err);
}

/* A door's lights, buzzer and patterns (config/config-door-feedback.c): each problem at its
 * line, a pattern's problem said in words, and a valid one accepted. */
static void door_feedback_problems_are_reported_at_their_line(void **state) {
        Fixture *f = *state;

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; feedback = {\n"
                 "  green = { backend = \"gpiod\"; };\n"
                 "  red = { backend = \"sim\"; output = \"/run/red\"; line = 2; };\n"
                 "  buzzer = { backend = \"pwm\"; };\n"
                 "  denied = \"r:100 x:5\";\n"
                 "  alarm = \"rb:60001\"; }; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main' feedback green: a gpiod output needs exactly one of 'line' (offset on 'chip') and 'line_name'");
        assert_reported(f, "4: door 'main' feedback red: 'chip', 'line', 'line_name' and 'active_low' are for the gpiod backend");
        assert_reported(f, "5: door 'main' feedback buzzer: backend must be \"sim\" or \"gpiod\"");
        assert_reported(f, "6: door 'main' feedback denied \"r:100 x:5\": outputs are g (green), r (red), b (buzzer), or - for none");
        assert_reported(f, "7: door 'main' feedback alarm \"rb:60001\": a step lasts at most 60000 ms");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; feedback = { gren = { }; }; } );\n");
        assert_reported(f, "2: unknown key 'gren' in a door's feedback; did you mean 'green'?");

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; feedback = {\n"
                 "  green = { backend = \"gpiod\"; chip = \"gpiochip1\"; line = 2; };\n"
                 "  red = { backend = \"gpiod\"; line_name = \"led-red\"; active_low = true; };\n"
                 "  buzzer = { backend = \"sim\"; output = \"@/buzzer\"; };\n"
                 "  granted = \"\"; out_of_service = \"r:60000 -:1\"; }; } );\n");
        if (f->status != 0)
                fail_msg("want valid, got:\n%s", f->err);
}

static void a_valid_file_is_summed_up(void **state) {
        Fixture *f = *state;

        check(f, DOOR);
        assert_int_equal(f->status, 0);
        assert_string_equal(f->err, "");
        assert_non_null(strstr(f->out, ": ok (0 issuers, 0 keys, 1 locks, 1 doors, 0 sources)"));
}

/* Schedules and the per-subject rate limit are counted when there are some. */
static void schedules_and_the_subject_rate_are_summed_up(void **state) {
        Fixture *f = *state;

        check(f, "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"
                 "schedules = ( { id = \"office\"; windows = [ \"mon-fri 07:00-19:00\" ]; },\n"
                 "              { id = \"late\"; windows = [ \"daily 18:00-22:00\" ]; } );\n"
                 "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; schedule = \"office\"; } );\n"
                 "policy: { subject_rate = { max = 5; per = 60; }; };\n");
        assert_int_equal(f->status, 0);
        assert_string_equal(f->err, "");
        assert_non_null(strstr(f->out, ": ok (0 issuers, 0 keys, 1 locks, 1 doors, 0 sources, 2 schedules, "
                                        "at most 5 openings per subject in 60 s)"));
}

#define LOCK "locks = ( { id = \"main\"; backend = \"sim\"; } );\n"

/* A door's barcode allow-list is read by the check as by the daemon: missing, a FIFO, a folder,
 * or wrong lines each fail the check with the configuration's line and the list's. */
static void a_barcode_allow_list_is_checked_with_its_lines(void **state) {
        Fixture *f = *state;
        char path[192];

        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ];\n"
                 "  barcode_allow = \"@/patrons.list\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main': barcode_allow ");
        assert_non_null(strstr(f->err, "patrons.list: No such file or directory"));

        snprintf(path, sizeof(path), "%s/patrons.list", f->dir);
        assert_int_equal(mkfifo(path, 0600), 0);
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ];\n"
                 "  barcode_allow = \"@/patrons.list\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_non_null(strstr(f->err, "not a regular file"));
        assert_int_equal(unlink(path), 0);

        write_file(f, "patrons.list", "20234000000019 p-1\n20234000000019 p-2\n123\n");
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ];\n"
                 "  barcode_allow = \"@/patrons.list\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main': barcode_allow ");
        assert_non_null(strstr(f->err, "/patrons.list:3: barcode \"123\""));
        assert_non_null(strstr(f->err, "/patrons.list:2: barcode 20234000000019 is listed again (first on line 1)"));

        write_file(f, "patrons.list", "# patrons\r\n20234000000019 p-1\r\n20234000000027\r\n");
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ];\n"
                 "  barcode_allow = \"@/patrons.list\"; cards = true; } );\n");
        assert_int_equal(f->status, 0);
        assert_non_null(strstr(f->out, ", 2 listed barcodes)"));

        /* A list without a barcode format to honour would never be used. */
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ];\n"
                 "  barcode_allow = \"@/patrons.list\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: door 'main' has a 'barcode_allow' list but honours no barcode format");
        /* And a relative path is refused like any other. */
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; barcodes = [ \"codabar\" ];\n"
                 "  barcode_allow = \"patrons.list\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: 'barcode_allow' is a relative path");
}

/* cards is true or false; card_max_lifetime has its bounds (a day to ten years); an issuer may
 * not take a barcode's issuer name. */
static void card_settings_and_reserved_issuers_are_checked(void **state) {
        Fixture *f = *state;

        check(f, DOOR "verifier: { card_max_lifetime = 86399; };\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: 'card_max_lifetime' is 86399, must be between 86400 and 316224000");
        check(f, DOOR "verifier: { card_max_lifetime = 316224001; };\n");
        assert_int_equal(f->status, 1);
        check(f, DOOR "verifier: { card_max_lifetime = 316224000; };\n");
        assert_int_equal(f->status, 0);
        check(f, LOCK "doors = ( { id = \"main\"; lock = \"main\"; scopes = [ \"a\" ]; cards = \"yes\"; } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "2: 'cards' in a door must be true or false");
        check(f, DOOR "issuers = ( { id = \"barcode:codabar\"; keys = ( ); } );\n");
        assert_int_equal(f->status, 1);
        assert_reported(f, "3: issuer id 'barcode:codabar': ids beginning \"barcode:\" are reserved");
}

int main(void) {
        struct CMUnitTest tests[] = {
                cmocka_unit_test(a_missing_key_file_does_not_hide_a_missing_trust_list),
                cmocka_unit_test(trust_list_problems_have_the_line_of_their_path),
                cmocka_unit_test(a_folder_where_a_file_belongs_says_so),
                cmocka_unit_test(a_door_without_scopes_is_one_problem),
                cmocka_unit_test(an_unknown_key_gets_the_close_one_suggested),
                cmocka_unit_test(every_section_is_checked_despite_a_top_level_typo),
                cmocka_unit_test(relative_paths_are_refused_with_the_full_path_offered),
                cmocka_unit_test(a_valid_file_is_summed_up),
                cmocka_unit_test(schedules_and_the_subject_rate_are_summed_up),
                cmocka_unit_test(a_barcode_allow_list_is_checked_with_its_lines),
                cmocka_unit_test(card_settings_and_reserved_issuers_are_checked),
                cmocka_unit_test(door_input_problems_are_reported_at_their_line),
                cmocka_unit_test(door_feedback_problems_are_reported_at_their_line),
        };
        return th_run_tests_with_fixture(tests, set_up, tear_down);
}
