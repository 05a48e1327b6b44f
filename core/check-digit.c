/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>

#include "core/check-digit.h"

#define CHECK_DIGIT_MAX_DATA 64 /* no printed identifier has more; bounds the loops' input */

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

int check_digit_luhn(const char *digits, size_t n) {
        unsigned sum = 0;

        if (n == 0 || n > CHECK_DIGIT_MAX_DATA || !all_digits(digits, n))
                return -EINVAL;
        /* i counts from the digit next to the check digit: that one and every second after it are
         * doubled. */
        for (size_t i = 0; i < n; i++) {
                unsigned d = (unsigned) (digits[n - 1 - i] - '0');
                if (i % 2 == 0) {
                        d *= 2;
                        if (d > 9)
                                d -= 9; /* the sum of the digits of 10–18 */
                }
                sum += d;
        }
        return (int) ((10 - sum % 10) % 10);
}

int check_digit_gs1(const char *digits, size_t n) {
        unsigned sum = 0;

        if (n == 0 || n > CHECK_DIGIT_MAX_DATA || !all_digits(digits, n))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                sum += (unsigned) (digits[n - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
        return (int) ((10 - sum % 10) % 10);
}

int check_digit_isbn10(const char *digits, size_t n) {
        unsigned sum = 0;

        if (n != 9 || !all_digits(digits, n))
                return -EINVAL;
        for (size_t i = 0; i < 9; i++)
                sum += (unsigned) (digits[i] - '0') * (unsigned) (10 - i);
        return (int) ((11 - sum % 11) % 11);
}
