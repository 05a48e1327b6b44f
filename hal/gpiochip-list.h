/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The GPIO character devices, for the gpiod backends' own chip searches (both libgpiod APIs
 * share this: it needs no libgpiod). */

/* Lists /dev/gpiochip* in number order (gpiochip2 before gpiochip10, as libgpiod 1.x does).
 * Returns the count and, in *ret, a NULL-terminated array of paths that gpiochip_list_free()
 * releases; -errno when /dev cannot be read. */
int gpiochip_list(char ***ret);
void gpiochip_list_free(char **list);
