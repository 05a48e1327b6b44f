/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The scanner side of the USB gadgets the hardware tests build (tests/hw/usb/): what a scanner
 * sends, written to the gadget's /dev/hidgN, for the text on stdin.
 *
 *   hid-feed kbd DEV LAYOUT DELAY_MS   a keyboard wedge set to LAYOUT (us, de, fr): each
 *                                      character as a key press and release report (8 bytes,
 *                                      boot keyboard), Shift or AltGr as the layout needs, a
 *                                      newline as Enter, DELAY_MS between characters (0: as
 *                                      fast as the host polls)
 *   hid-feed pos DEV AIM               a HID POS scanner: 64-byte scanned-data reports (id 2,
 *                                      length, AIM id, up to 56 bytes, "more" flag), one symbol
 *                                      per line of stdin
 *
 * The key of each character is found through hal/keymap.c's table for LAYOUT and the kernel's
 * HID usage to key code table (drivers/hid/hid-input.c, hid_keyboard[]), so the gadget sends
 * the usages a real scanner of that layout sends. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hal/hidpos-report.h"
#include "hal/keymap.h"

/* HID keyboard usages 0x00-0x67 to Linux key codes (drivers/hid/hid-input.c). */
static const unsigned char hid_keyboard[0x68] = {
          0,  0,  0,  0, 30, 48, 46, 32, 18, 33, 34, 35, 23, 36, 37, 38,
         50, 49, 24, 25, 16, 19, 31, 20, 22, 47, 17, 45, 21, 44,  2,  3,
          4,  5,  6,  7,  8,  9, 10, 11, 28,  1, 14, 15, 57, 12, 13, 26,
         27, 43, 43, 39, 40, 41, 51, 52, 53, 58, 59, 60, 61, 62, 63, 64,
         65, 66, 67, 68, 87, 88, 99, 70,119,110,102,104,111,107,109,106,
        105,108,103, 69, 98, 55, 74, 78, 96, 79, 80, 81, 75, 76, 77, 71,
         72, 73, 82, 83, 86,127,116,117,
};

#define MOD_LSHIFT 0x02
#define MOD_RALT 0x40

static int write_all(int fd, const void *p, size_t n) {
        ssize_t k = write(fd, p, n);
        return k == (ssize_t) n ? 0 : -1;
}

static int find_key(KeyLayout l, char c, uint8_t *usage, uint8_t *mod) {
        if (c == '\n')
                c = '\r';
        /* The main block first (0x04-0x38), so that digits come from the number row, not the
         * keypad, as a scanner types them; then the rest. */
        for (int pass = 0; pass < 2; pass++)
                for (unsigned u = pass ? 0x39 : 0x04; u < (pass ? sizeof(hid_keyboard) : 0x39u); u++)
                        for (int m = 0; m < 3; m++)
                                if (hid_keyboard[u] && keymap_char(l, hid_keyboard[u], m == 1, m == 2) == c) {
                                        *usage = (uint8_t) u;
                                        *mod = m == 1 ? MOD_LSHIFT : m == 2 ? MOD_RALT : 0;
                                        return 0;
                                }
        return -1;
}

static int kbd(const char *dev, const char *layout, int delay_ms) {
        KeyLayout l = key_layout_from_string(layout);
        int fd = open(dev, O_WRONLY | O_CLOEXEC), c;

        if (l < 0 || fd < 0)
                return perror(dev), 1;
        while ((c = getchar()) != EOF) {
                uint8_t down[8] = {}, up[8] = {};
                if (find_key(l, (char) c, &down[2], &down[0]) < 0) {
                        fprintf(stderr, "hid-feed: '%c' has no key in layout %s\n", c, layout);
                        return 1;
                }
                if (write_all(fd, down, 8) < 0 || write_all(fd, up, 8) < 0)
                        return perror("write"), 1;
                if (delay_ms > 0)
                        usleep((useconds_t) delay_ms * 1000U);
        }
        return 0;
}

static int pos(const char *dev, const char *aim) {
        char line[8192];
        int fd = open(dev, O_WRONLY | O_CLOEXEC);

        if (fd < 0)
                return perror(dev), 1;
        while (fgets(line, sizeof(line), stdin)) {
                size_t n = strcspn(line, "\n"), off = 0;
                do {
                        uint8_t r[HIDPOS_REPORT_SIZE] = { HIDPOS_REPORT_ID };
                        size_t k = n - off > HIDPOS_DATA_MAX ? HIDPOS_DATA_MAX : n - off;
                        r[1] = (uint8_t) k;
                        memcpy(r + 2, aim, strlen(aim) < 3 ? strlen(aim) : 3);
                        memcpy(r + 5, line + off, k);
                        off += k;
                        r[63] = off < n;
                        if (write_all(fd, r, sizeof(r)) < 0)
                                return perror("write"), 1;
                } while (off < n);
        }
        return 0;
}

int main(int argc, char **argv) {
        if (argc == 5 && strcmp(argv[1], "kbd") == 0)
                return kbd(argv[2], argv[3], atoi(argv[4]));
        if (argc == 4 && strcmp(argv[1], "pos") == 0)
                return pos(argv[2], argv[3]);
        fprintf(stderr, "usage: hid-feed kbd DEV LAYOUT DELAY_MS < text | hid-feed pos DEV AIM < lines\n");
        return 2;
}
