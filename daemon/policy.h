/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Door policy: whether a *valid* code opens a given door. It is a list of independent rules,
 * each of which may refuse with a reason; the first refusal wins. Schedules (opening hours),
 * capacity, anti-passback and deny-lists are further rules in that list, each reading what it
 * needs from PolicyInput. */

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/verifier.h"

typedef struct PolicyInput {
        const DoorConf *door;
        const VerifyResult *code; /* reason == REASON_OK */
        int64_t now;              /* unix seconds */
} PolicyInput;

/* Returns REASON_OK, or the first refusing rule's reason with a human detail in detail[]. */
Reason policy_decide(const PolicyInput *in, char *detail, size_t detail_size);
