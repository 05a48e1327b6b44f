/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Key codes of a keyboard-wedge scanner turned into characters, independently of the system's
 * keyboard layout.
 *
 * A wedge scanner "types" each character of a code by sending the USB usage (Linux key code) of
 * the key that produces it on a keyboard of the layout the scanner is set to: a scanner set to
 * German sends KEY_Y for 'z'. So the source's configuration names the scanner's layout, and the
 * table of that layout turns key codes back into the characters the scanner meant. Only what
 * codes need is mapped: printable ASCII, Enter, Tab; dead keys and AltGr combinations that no
 * code uses give no character. */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum KeyLayout {
        KEY_LAYOUT_US,
        KEY_LAYOUT_DE,
        KEY_LAYOUT_FR,
        _KEY_LAYOUT_MAX,
        _KEY_LAYOUT_INVALID = -EINVAL,
} KeyLayout;

const char *key_layout_to_string(KeyLayout l);
KeyLayout key_layout_from_string(const char *s);

/* The character that key code (linux/input-event-codes.h) types in layout l, with Shift held
 * or not, or 0 when it types none that a code holds. Enter is '\r', Tab '\t'. */
char keymap_char(KeyLayout l, uint16_t code, bool shift, bool altgr);

/* What a wedge scanner's key events type, one event at a time: Shift and AltGr held or not. */
typedef struct KeyState {
        bool left_shift, right_shift, altgr, ctrl;
} KeyState;

/* Stands for a key pressed inside a code that types nothing a code holds (an accented letter,
 * Caps Lock, a function key, a Ctrl combination): the line it is in is then refused as garbage
 * rather than read with a character missing. ASCII SUB, "substitute". */
#define KEYMAP_UNMAPPED '\x1a'

/* The character typed by the key event code/value (EV_KEY: 1 pressed, 0 released, 2 repeated)
 * in layout l, updating st; 0 when it types none (a release, a modifier, a repeat: scanners do
 * not repeat keys, and a held key is a person). */
char keymap_feed(KeyState *st, KeyLayout l, uint16_t code, int32_t value);
