/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A gate for the tests that decide codes on the real manager (decide(), the policy, areas, the
 * deny-list): what manager_open() opens, without a bus or a token. */

#include <openssl/evp.h>

#include "daemon/manager.h"

/* Writes dir/qrgate.conf — the state directory dir/state, issuer "city" whose key "k1" is key's
 * public half (written to dir/city.pub), then body (locks, doors, and whatever else) — points
 * RUNTIME_DIRECTORY at dir/run, and opens a manager on it in *ret. Returns 0, or -errno (a file
 * not written, the configuration refused, manager_open() failing). Without cmocka, because the
 * benchmarks link the helpers too. */
int th_gate_open(const char *dir, EVP_PKEY *key, const char *body, Manager **ret);
