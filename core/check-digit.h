/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The check digits of printed identifiers, as their issuers define them. Each function takes
 * the data digits (ASCII '0'–'9', without the check digit) and returns the check digit that
 * completes them, or -EINVAL when a character is not a digit (or the count is not the one the
 * scheme is defined for). Pure arithmetic: no allocation, no state, nothing logged. */

#include <stddef.h>

/* Luhn, the "modulus 10, type 1" of library barcodes (14-digit Codabar: digits 1–13 are the
 * data, digit 14 the check): counted from the check digit leftwards, every second digit is
 * doubled and a two-digit product replaced by the sum of its digits; the check digit brings the
 * total to a multiple of 10. For 13 data digits that doubles positions 1, 3, …, 13 from the
 * left, as library systems describe it: New Jersey State Library's JerseyCat, "Understanding
 * the Bar Code Structure" (www.jerseycat.org/faq/bar_codes.php, "modulus-10, type-1", worked
 * example 3023400051786 -> 1), and the Dynix ILS "Barcode Format" note (studyres.com/doc/5462227,
 * example 3 3191 00010586 4). It catches every single-digit error and every swap of adjacent
 * digits except 09 <-> 90. n may be 1 to 64. */
int check_digit_luhn(const char *digits, size_t n);

/* GS1 modulo 10, the EAN-13/GTIN check digit (GS1 General Specifications, "Standard check digit
 * calculations for GS1 data structures"; worked example on GS1 Hong Kong's check digit page,
 * www.gs1hk.org/CheckDigitCalculator_en.htm): counted from
 * the check digit leftwards, the data digits are weighted 3, 1, 3, …; the check digit brings the
 * total to a multiple of 10. For EAN-13's 12 data digits: weights 1, 3, 1, … from the left. It
 * catches every single-digit error and every adjacent swap except of digits 5 apart (e.g. 27 <->
 * 72). n may be 1 to 64. */
int check_digit_gs1(const char *digits, size_t n);

/* ISBN-10 modulo 11 (ISBN Users' Manual, International ISBN Agency, "check digit"; ISO 2108 up
 * to its 2005 edition): the 9 data digits weighted 10 down to 2; the check digit brings the
 * total to a multiple of 11. Returns 0–10; 10 is written 'X'. n must be 9. It catches every
 * single-digit error and every swap of two digits, adjacent or not. */
int check_digit_isbn10(const char *digits, size_t n);

/* The character of a check digit (0–10): '0'–'9', or 'X' for ISBN-10's 10. */
static inline char check_digit_isbn10_char(int d) {
        return d == 10 ? 'X' : (char) ('0' + d);
}
