/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A library lending station's door (docs/lending.md): a door without a lock whose grants
 * identify patrons and whose scanners also read items. qrgated hands both to the lending
 * service (api/lend1.h) and never waits for it: the calls are asynchronous, and their failure is
 * logged once per kind of failure and shown to the person as the door's denied pattern. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/barcode-allow.h"
#include "core/verifier.h"

typedef struct Manager Manager;

/* Whether a line of n bytes read at the station's door is an item rather than a person's code:
 * it starts with the AIM identifier of a format in item_formats (bits 1 << CodeFormat) and is not
 * a patron's card — with an allow-list (the door's barcode_allow, may be NULL), a valid barcode
 * listed on it is one, so it is verified with v. Without a list, the configuration has made sure
 * the door honours no barcode of an item format. Pure: no I/O. */
bool station_line_is_item(const Verifier *v, unsigned item_formats, const BarcodeAllow *allow, const char *text,
                          size_t n);

/* Whether door is the configured station's door. */
bool station_is_door(const Manager *m, const char *door);

/* A line read by a source of door: when it is the station's door and the line an item, hands the
 * text (as scanned, its AIM identifier included) to the lending service's ItemScanned and returns
 * true — the line is no decision, and no person is recorded. false: decide on it as on any code. */
bool station_take_line(Manager *m, const char *door, const char *text, size_t n);

/* A code was granted at the station's door: hands the patron (the code's subject, or what the
 * door's allow-list maps a card to) and the token's pseudonym of the subject (TOKEN_HMAC_SIZE
 * bytes; NULL when there is none: an empty array) to the lending service's PatronVerified. */
void station_hand_patron(Manager *m, const char *patron, const uint8_t *pseudonym);
/* The ILS patron id of a code granted at the station's door: its subject (sub), or with
 * station.patron_id = "claim" a QG1 code's library patron claim (-65541). A code without that
 * claim is no patron here: NULL, said in the log, and the door's denied pattern plays. A barcode
 * card has no claims: its subject is what the door's barcode_allow list maps it to. */
const char *station_patron_id(Manager *m, const VerifyResult *res, const char *sub);
