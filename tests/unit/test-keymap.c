/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key codes of a wedge scanner to characters (hal/keymap.c), independent of the system's layout:
 * the us, de and fr tables with Shift and AltGr, Enter and Tab, keys that type nothing a code
 * holds; and the typing-speed rule (daemon/source.c) at its boundary. Synthetic events, no
 * device. */

#include <linux/input-event-codes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "daemon/source.h"
#include "hal/keymap.h"

typedef struct Stroke {
        uint16_t code;
        bool shift, altgr;
} Stroke;

/* Presses and releases each stroke (with its modifiers, as a scanner does) and returns what was
 * typed. */
static const char *type_strokes(KeyLayout l, const Stroke *k, size_t n) {
        static char out[256];
        KeyState st = {};
        size_t len = 0;

        for (size_t i = 0; i < n; i++) {
                char c;
                if (k[i].shift)
                        assert_int_equal(keymap_feed(&st, l, KEY_LEFTSHIFT, 1), 0);
                if (k[i].altgr)
                        assert_int_equal(keymap_feed(&st, l, KEY_RIGHTALT, 1), 0);
                c = keymap_feed(&st, l, k[i].code, 1);
                if (c)
                        out[len++] = c;
                assert_int_equal(keymap_feed(&st, l, k[i].code, 0), 0);
                if (k[i].altgr)
                        assert_int_equal(keymap_feed(&st, l, KEY_RIGHTALT, 0), 0);
                if (k[i].shift)
                        assert_int_equal(keymap_feed(&st, l, KEY_LEFTSHIFT, 0), 0);
        }
        out[len] = '\0';
        return out;
}

#define S(c) { c, true, false }
#define P(c) { c, false, false }
#define G(c) { c, false, true }

/* "QG1:" and "]F0" as a scanner set to each layout types them. */
static void a_code_prefix_in_each_layout(void **state) {
        const Stroke us[] = { S(KEY_Q), S(KEY_G), P(KEY_1), S(KEY_SEMICOLON), P(KEY_RIGHTBRACE), S(KEY_F), P(KEY_0), P(KEY_ENTER) };
        const Stroke de[] = { S(KEY_Q), S(KEY_G), P(KEY_1), S(KEY_DOT), G(KEY_9), S(KEY_F), P(KEY_0), P(KEY_ENTER) };
        const Stroke fr[] = { S(KEY_A), S(KEY_G), S(KEY_1), P(KEY_DOT), G(KEY_MINUS), S(KEY_F), S(KEY_0), P(KEY_ENTER) };

        assert_string_equal(type_strokes(KEY_LAYOUT_US, us, ELEMENTSOF(us)), "QG1:]F0\r");
        assert_string_equal(type_strokes(KEY_LAYOUT_DE, de, ELEMENTSOF(de)), "QG1:]F0\r");
        assert_string_equal(type_strokes(KEY_LAYOUT_FR, fr, ELEMENTSOF(fr)), "QG1:]F0\r");
}

/* The keys that move between layouts: the same key code, another character. */
static void the_same_key_types_what_its_layout_says(void **state) {
        assert_int_equal(keymap_char(KEY_LAYOUT_US, KEY_Y, false, false), 'y');
        assert_int_equal(keymap_char(KEY_LAYOUT_DE, KEY_Y, false, false), 'z');
        assert_int_equal(keymap_char(KEY_LAYOUT_DE, KEY_Z, true, false), 'Y');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_Q, true, false), 'A');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_W, false, false), 'z');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_SEMICOLON, true, false), 'M');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_1, false, false), '&');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_1, true, false), '1');
        assert_int_equal(keymap_char(KEY_LAYOUT_DE, KEY_7, true, false), '/');
        assert_int_equal(keymap_char(KEY_LAYOUT_US, KEY_SLASH, false, false), '/');
        assert_int_equal(keymap_char(KEY_LAYOUT_DE, KEY_SLASH, false, false), '-');
        assert_int_equal(keymap_char(KEY_LAYOUT_DE, KEY_Q, false, true), '@');
        assert_int_equal(keymap_char(KEY_LAYOUT_FR, KEY_0, false, true), '@');
        assert_int_equal(keymap_char(KEY_LAYOUT_US, KEY_2, true, false), '@');
}

/* Every character of a QG1/HC1 code (Base45: digits, upper case, space and $%*+-./:), of a
 * barcode's AIM identifier (]) and lower case is typeable in every layout, by exactly one key
 * combination in each: a table that typed one character from two keys would be a typo. */
static void every_code_character_has_exactly_one_key(void **state) {
        const char *need = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz $%*+-./:]";

        for (KeyLayout l = 0; l < _KEY_LAYOUT_MAX; l++)
                for (const char *p = need; *p; p++) {
                        unsigned found = 0;
                        /* The keypad (from KEY_KP7, and its '*') is the same in every layout. */
                        for (uint16_t code = 0; code < KEY_KP7; code++)
                                for (int mod = 0; code != KEY_KPASTERISK && mod < 3; mod++)
                                        found += keymap_char(l, code, mod == 1, mod == 2) == *p;
                        if (*p == ' ') /* Space with and without Shift */
                                found = found == 2 ? 1 : found;
                        if (found != 1)
                                fail_msg("layout %s: '%c' typed by %u keys", key_layout_to_string(l), *p, found);
                }
}

static void enter_tab_and_keypad_are_the_same_everywhere(void **state) {
        for (KeyLayout l = 0; l < _KEY_LAYOUT_MAX; l++) {
                assert_int_equal(keymap_char(l, KEY_ENTER, false, false), '\r');
                assert_int_equal(keymap_char(l, KEY_KPENTER, false, false), '\r');
                assert_int_equal(keymap_char(l, KEY_TAB, true, false), '\t');
                assert_int_equal(keymap_char(l, KEY_KP7, false, false), '7');
                assert_int_equal(keymap_char(l, KEY_KPDOT, false, false), '.');
        }
}

static void keys_without_a_code_character_poison_the_line(void **state) {
        KeyState st = {};

        /* German ß and ö, French é: no code holds them. */
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_DE, KEY_MINUS, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_DE, KEY_SEMICOLON, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_FR, KEY_2, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_F1, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_CAPSLOCK, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, 0xffff, 1), KEYMAP_UNMAPPED);
        /* AltGr on a US scanner types nothing a code holds. */
        st = (KeyState) { .altgr = true };
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_Q, 1), KEYMAP_UNMAPPED);
        /* Ctrl combinations (a person's shortcuts) neither. */
        st = (KeyState) {};
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_LEFTCTRL, 1), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_V, 1), KEYMAP_UNMAPPED);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_LEFTCTRL, 0), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_V, 1), 'v');
}

static void releases_repeats_and_modifiers_type_nothing(void **state) {
        KeyState st = {};

        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_A, 0), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_A, 2), 0); /* auto-repeat: a held key */
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_RIGHTSHIFT, 1), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_A, 1), 'A');
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_RIGHTSHIFT, 0), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_A, 1), 'a');
        /* Both shifts: up only when both are. */
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_LEFTSHIFT, 1), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_RIGHTSHIFT, 1), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_LEFTSHIFT, 0), 0);
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_B, 1), 'B');
        assert_int_equal(keymap_feed(&st, KEY_LAYOUT_US, KEY_NUMLOCK, 1), 0);
}

static void layout_names(void **state) {
        assert_int_equal(key_layout_from_string("us"), KEY_LAYOUT_US);
        assert_int_equal(key_layout_from_string("de"), KEY_LAYOUT_DE);
        assert_int_equal(key_layout_from_string("fr"), KEY_LAYOUT_FR);
        assert_int_equal(key_layout_from_string("uk"), -EINVAL);
        assert_int_equal(key_layout_from_string("US"), -EINVAL);
}

/* 40 characters a second: 11 characters (10 intervals) in 250 ms is exactly the rate. */
static void typing_speed_at_the_boundary(void **state) {
        assert_false(source_typed_too_slowly(11, 249999, 40));
        assert_false(source_typed_too_slowly(11, 250000, 40));
        assert_true(source_typed_too_slowly(11, 250001, 40));
        /* A scanner: a 300-character code at 2 ms a character. */
        assert_false(source_typed_too_slowly(300, 299 * 2000, 40));
        /* A person: 10 characters a second. */
        assert_true(source_typed_too_slowly(20, 19 * 100000, 40));
        /* One character cannot be measured; 0 turns the rule off. */
        assert_false(source_typed_too_slowly(1, 10000000, 40));
        assert_false(source_typed_too_slowly(0, 10000000, 40));
        assert_false(source_typed_too_slowly(20, 19 * 100000, 0));
        /* No overflow at the limits of the configuration. */
        assert_true(source_typed_too_slowly(4297, UINT64_MAX / 10001, 10000));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(a_code_prefix_in_each_layout),
                cmocka_unit_test(the_same_key_types_what_its_layout_says),
                cmocka_unit_test(every_code_character_has_exactly_one_key),
                cmocka_unit_test(enter_tab_and_keypad_are_the_same_everywhere),
                cmocka_unit_test(keys_without_a_code_character_poison_the_line),
                cmocka_unit_test(releases_repeats_and_modifiers_type_nothing),
                cmocka_unit_test(layout_names),
                cmocka_unit_test(typing_speed_at_the_boundary),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
