/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The key-code tables of the layouts a wedge scanner may be set to. Each row: the character
 * without Shift, with Shift, with AltGr (0: none a code holds — accented letters, dead keys).
 * Sources: the kernel's key codes (linux/input-event-codes.h) and the keyboard layouts of xkb's
 * "us", "de" and "fr" symbols files. */
#include <linux/input-event-codes.h>
#include <stddef.h>

#include "core/string-table.h"
#include "hal/keymap.h"

static const char *const key_layout_table[_KEY_LAYOUT_MAX] = {
        [KEY_LAYOUT_US] = "us",
        [KEY_LAYOUT_DE] = "de",
        [KEY_LAYOUT_FR] = "fr",
};

DEFINE_STRING_TABLE_LOOKUP(key_layout, KeyLayout);

typedef char KeyRow[3];

#define LETTER(k, c) [k] = { c, (char) ((c) - 'a' + 'A'), 0 }

static const KeyRow us[KEY_MICMUTE] = {
        [KEY_1] = { '1', '!' }, [KEY_2] = { '2', '@' }, [KEY_3] = { '3', '#' }, [KEY_4] = { '4', '$' },
        [KEY_5] = { '5', '%' }, [KEY_6] = { '6', '^' }, [KEY_7] = { '7', '&' }, [KEY_8] = { '8', '*' },
        [KEY_9] = { '9', '(' }, [KEY_0] = { '0', ')' }, [KEY_MINUS] = { '-', '_' }, [KEY_EQUAL] = { '=', '+' },
        LETTER(KEY_Q, 'q'), LETTER(KEY_W, 'w'), LETTER(KEY_E, 'e'), LETTER(KEY_R, 'r'), LETTER(KEY_T, 't'),
        LETTER(KEY_Y, 'y'), LETTER(KEY_U, 'u'), LETTER(KEY_I, 'i'), LETTER(KEY_O, 'o'), LETTER(KEY_P, 'p'),
        [KEY_LEFTBRACE] = { '[', '{' }, [KEY_RIGHTBRACE] = { ']', '}' },
        LETTER(KEY_A, 'a'), LETTER(KEY_S, 's'), LETTER(KEY_D, 'd'), LETTER(KEY_F, 'f'), LETTER(KEY_G, 'g'),
        LETTER(KEY_H, 'h'), LETTER(KEY_J, 'j'), LETTER(KEY_K, 'k'), LETTER(KEY_L, 'l'),
        [KEY_SEMICOLON] = { ';', ':' }, [KEY_APOSTROPHE] = { '\'', '"' }, [KEY_GRAVE] = { '`', '~' },
        [KEY_BACKSLASH] = { '\\', '|' },
        LETTER(KEY_Z, 'z'), LETTER(KEY_X, 'x'), LETTER(KEY_C, 'c'), LETTER(KEY_V, 'v'), LETTER(KEY_B, 'b'),
        LETTER(KEY_N, 'n'), LETTER(KEY_M, 'm'),
        [KEY_COMMA] = { ',', '<' }, [KEY_DOT] = { '.', '>' }, [KEY_SLASH] = { '/', '?' }, [KEY_SPACE] = { ' ', ' ' },
        [KEY_102ND] = { '\\', '|' },
};

/* German QWERTZ: Y and Z swapped, symbols moved; ß, umlauts, §, ´ and ^ are not in codes. */
static const KeyRow de[KEY_MICMUTE] = {
        [KEY_1] = { '1', '!' }, [KEY_2] = { '2', '"' }, [KEY_3] = { '3', 0 }, [KEY_4] = { '4', '$' },
        [KEY_5] = { '5', '%' }, [KEY_6] = { '6', '&' }, [KEY_7] = { '7', '/', '{' }, [KEY_8] = { '8', '(', '[' },
        [KEY_9] = { '9', ')', ']' }, [KEY_0] = { '0', '=', '}' }, [KEY_MINUS] = { 0, '?', '\\' },
        [KEY_Q] = { 'q', 'Q', '@' }, LETTER(KEY_W, 'w'), LETTER(KEY_E, 'e'), LETTER(KEY_R, 'r'), LETTER(KEY_T, 't'),
        LETTER(KEY_Y, 'z'), LETTER(KEY_U, 'u'), LETTER(KEY_I, 'i'), LETTER(KEY_O, 'o'), LETTER(KEY_P, 'p'),
        [KEY_RIGHTBRACE] = { '+', '*', '~' },
        LETTER(KEY_A, 'a'), LETTER(KEY_S, 's'), LETTER(KEY_D, 'd'), LETTER(KEY_F, 'f'), LETTER(KEY_G, 'g'),
        LETTER(KEY_H, 'h'), LETTER(KEY_J, 'j'), LETTER(KEY_K, 'k'), LETTER(KEY_L, 'l'),
        [KEY_BACKSLASH] = { '#', '\'' },
        LETTER(KEY_Z, 'y'), LETTER(KEY_X, 'x'), LETTER(KEY_C, 'c'), LETTER(KEY_V, 'v'), LETTER(KEY_B, 'b'),
        LETTER(KEY_N, 'n'), [KEY_M] = { 'm', 'M' },
        [KEY_COMMA] = { ',', ';' }, [KEY_DOT] = { '.', ':' }, [KEY_SLASH] = { '-', '_' }, [KEY_SPACE] = { ' ', ' ' },
        [KEY_102ND] = { '<', '>', '|' },
};

/* French AZERTY: digits with Shift, A/Q, Z/W and M moved; accented letters are not in codes. */
static const KeyRow fr[KEY_MICMUTE] = {
        [KEY_1] = { '&', '1' }, [KEY_2] = { 0, '2', '~' }, [KEY_3] = { '"', '3', '#' }, [KEY_4] = { '\'', '4', '{' },
        [KEY_5] = { '(', '5', '[' }, [KEY_6] = { '-', '6', '|' }, [KEY_7] = { 0, '7', '`' }, [KEY_8] = { '_', '8', '\\' },
        [KEY_9] = { 0, '9', '^' }, [KEY_0] = { 0, '0', '@' }, [KEY_MINUS] = { ')', 0, ']' }, [KEY_EQUAL] = { '=', '+', '}' },
        LETTER(KEY_Q, 'a'), LETTER(KEY_W, 'z'), LETTER(KEY_E, 'e'), LETTER(KEY_R, 'r'), LETTER(KEY_T, 't'),
        LETTER(KEY_Y, 'y'), LETTER(KEY_U, 'u'), LETTER(KEY_I, 'i'), LETTER(KEY_O, 'o'), LETTER(KEY_P, 'p'),
        [KEY_RIGHTBRACE] = { '$', 0 },
        LETTER(KEY_A, 'q'), LETTER(KEY_S, 's'), LETTER(KEY_D, 'd'), LETTER(KEY_F, 'f'), LETTER(KEY_G, 'g'),
        LETTER(KEY_H, 'h'), LETTER(KEY_J, 'j'), LETTER(KEY_K, 'k'), LETTER(KEY_L, 'l'), LETTER(KEY_SEMICOLON, 'm'),
        [KEY_APOSTROPHE] = { 0, '%' }, [KEY_BACKSLASH] = { '*', 0 },
        LETTER(KEY_Z, 'w'), LETTER(KEY_X, 'x'), LETTER(KEY_C, 'c'), LETTER(KEY_V, 'v'), LETTER(KEY_B, 'b'),
        LETTER(KEY_N, 'n'), [KEY_M] = { ',', '?' },
        [KEY_COMMA] = { ';', '.' }, [KEY_DOT] = { ':', '/' }, [KEY_SLASH] = { '!', 0 }, [KEY_SPACE] = { ' ', ' ' },
        [KEY_102ND] = { '<', '>' },
};

/* The same in every layout: Enter, Tab, and the keypad with Num Lock on (some scanners type
 * digits there). */
static char common_char(uint16_t code) {
        switch (code) {
        case KEY_ENTER: case KEY_KPENTER: return '\r';
        case KEY_TAB: return '\t';
        case KEY_KP0: return '0';
        case KEY_KP1: return '1';
        case KEY_KP2: return '2';
        case KEY_KP3: return '3';
        case KEY_KP4: return '4';
        case KEY_KP5: return '5';
        case KEY_KP6: return '6';
        case KEY_KP7: return '7';
        case KEY_KP8: return '8';
        case KEY_KP9: return '9';
        case KEY_KPDOT: return '.';
        case KEY_KPPLUS: return '+';
        case KEY_KPMINUS: return '-';
        case KEY_KPASTERISK: return '*';
        case KEY_KPSLASH: return '/';
        default: return 0;
        }
}

char keymap_char(KeyLayout l, uint16_t code, bool shift, bool altgr) {
        static const KeyRow *const tables[_KEY_LAYOUT_MAX] = { [KEY_LAYOUT_US] = us, [KEY_LAYOUT_DE] = de, [KEY_LAYOUT_FR] = fr };
        char c = common_char(code);

        if (c != 0 || l < 0 || l >= _KEY_LAYOUT_MAX || code >= KEY_MICMUTE)
                return c;
        /* AltGr on a US keyboard is the right Alt: nothing a scanner types. */
        return tables[l][code][altgr ? 2 : shift ? 1 : 0];
}

char keymap_feed(KeyState *st, KeyLayout l, uint16_t code, int32_t value) {
        char c;

        switch (code) {
        case KEY_LEFTSHIFT:
                st->left_shift = value != 0;
                return 0;
        case KEY_RIGHTSHIFT:
                st->right_shift = value != 0;
                return 0;
        case KEY_RIGHTALT: /* AltGr */
                st->altgr = value != 0;
                return 0;
        case KEY_LEFTCTRL:
        case KEY_RIGHTCTRL:
                st->ctrl = value != 0;
                return 0;
        case KEY_LEFTALT: case KEY_LEFTMETA: case KEY_RIGHTMETA: case KEY_NUMLOCK:
                return 0;
        }
        if (value != 1)
                return 0;
        if (st->ctrl)
                return KEYMAP_UNMAPPED;
        c = keymap_char(l, code, st->left_shift || st->right_shift, st->altgr);
        return c != 0 ? c : KEYMAP_UNMAPPED;
}
