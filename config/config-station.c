/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "station" section: a library lending station (docs/lending.md). qrgated reads which door's
 * grants identify a patron and which of its scans are items; the lending service reads the rest
 * (the session's rules, its queue). Both check the same file, so check-config covers both. */
#include <string.h>

#include "config/config-internal.h"
#include "core/barcode-format.h"

static const struct {
        const char *name;
        StationOffline value;
} offline_names[] = {
        { "refuse", STATION_CONF_OFFLINE_REFUSE },
        { "lend-up-to", STATION_CONF_OFFLINE_LEND_UP_TO },
};

static bool station_id_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > STATION_ID_MAX)
                return false;
        /* It goes into SIP2 fields and receipts: printable ASCII, no SIP2 delimiter. */
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7E || *s == '|')
                        return false;
        return true;
}

void config_parse_station(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "door", K_STRING, true }, { "item_formats", K_STRING_ARRAY, true },
                { "local_cap", K_INT }, { "offline", K_STRING }, { "offline_items", K_INT },
                { "offline_recent", K_INT }, { "offline_loan_days", K_INT }, { "idle_timeout", K_INT },
                { "queue_directory", K_STRING }, { "printer", K_STRING }, { "printer_columns", K_INT },
                { "library_name", K_STRING }, { "patron_id", K_STRING },
        };
        const config_setting_t *g = schema_get_group(root, "station"), *s;
        StationConf *st = &c->station;
        const char *offline;
        int64_t v;
        size_t k;

        if (!g || !schema_check_group(e, g, "station", keys, ELEMENTSOF(keys)))
                return;
        st->enabled = true;
        st->id = schema_get_string(g, "id", NULL);
        if (!station_id_valid(st->id))
                config_error(e, config_setting_get_member(g, "id"),
                             "station id must be 1-%d printable ASCII characters without '|' (receipts and the ILS name it)",
                             STATION_ID_MAX);

        st->door_id = schema_get_string(g, "door", NULL);
        st->door = config_find_door(c, st->door_id);
        if (!st->door)
                config_error(e, config_setting_get_member(g, "door"),
                             "station names door '%s', which is not defined in 'doors'", st->door_id);
        else if (st->door->lock)
                config_error(e, config_setting_get_member(g, "door"),
                             "station door '%s' has a lock: a station's door is one without 'lock' (it opens nothing)",
                             st->door_id);
        else if (st->door->has_contact || st->door->has_rex || st->door->has_lock_feedback || st->door->has_exit_pulse ||
                 st->door->area || st->door->interlock)
                /* Each of these is about a door that opens: a contact or an exit button would
                 * raise alarms or open nothing, an area would count patrons in who never passed. */
                config_error(e, config_setting_get_member(g, "door"),
                             "station door '%s' has a contact, rex, lock_feedback, exit_pulse, area or interlock: "
                             "a station's door opens nothing, so it has none of them", st->door_id);

        s = config_setting_get_member(g, "item_formats");
        for (int i = 0; s && i < config_setting_length(s); i++) {
                const char *name = config_setting_get_string_elem(s, i);
                CodeFormat f = barcode_format_from_config_name(name);
                if (f == CODE_FORMAT_UNKNOWN)
                        config_error(e, s, "station item format '%s' is not codabar, ean13 or isbn", name);
                else
                        st->item_formats |= 1u << f;
        }
        if (s && config_setting_length(s) == 0)
                config_error(e, s, "station item_formats is empty: name the barcode formats of the library's items");
        /* A barcode the door takes as a person is never an item, unless an allow-list says which
         * of that format are people's cards (the others are then items). */
        if (st->door && (st->door->barcodes & st->item_formats) && !st->door->barcode_allow)
                config_error(e, s, "station door '%s' honours barcodes of a format listed in item_formats: "
                             "give the door a 'barcode_allow' list of its patrons' cards, or drop the format from one of them",
                             st->door_id);

        if (schema_get_int(e, g, "local_cap", 5, 1, 64, &v))
                st->local_cap = (unsigned) v;
        offline = schema_get_string(g, "offline", "refuse");
        for (k = 0; k < ELEMENTSOF(offline_names); k++)
                if (strcmp(offline, offline_names[k].name) == 0)
                        break;
        if (k == ELEMENTSOF(offline_names))
                config_error(e, config_setting_get_member(g, "offline"),
                             "station offline must be \"refuse\" or \"lend-up-to\", not \"%s\"", offline);
        else
                st->offline = offline_names[k].value;
        if (schema_get_int(e, g, "offline_items", 2, 1, 64, &v))
                st->offline_items = (unsigned) v;
        if (config_setting_get_member(g, "offline_items") && st->offline != STATION_CONF_OFFLINE_LEND_UP_TO)
                config_error(e, config_setting_get_member(g, "offline_items"),
                             "station offline_items has no effect without offline = \"lend-up-to\"");
        if (schema_get_int(e, g, "offline_recent", 7 * 86400, 0, 365 * 86400, &v))
                st->offline_recent_s = v;
        if (schema_get_int(e, g, "offline_loan_days", 21, 1, 365, &v))
                st->offline_loan_s = v * 86400;
        if (schema_get_int(e, g, "idle_timeout", 60, 10, 3600, &v))
                st->idle_timeout_s = v;
        st->queue_directory = schema_get_string(g, "queue_directory", "/var/lib/qrgate-lend");
        config_check_path(e, config_setting_get_member(g, "queue_directory"), "queue_directory", st->queue_directory);

        /* Which id the ILS knows the patron by: the code's subject, or its library patron claim. */
        const char *patron_id = schema_get_string(g, "patron_id", "subject");
        if (strcmp(patron_id, "claim") == 0)
                st->patron_from_claim = true;
        else if (strcmp(patron_id, "subject") != 0)
                config_error(e, config_setting_get_member(g, "patron_id"),
                             "station patron_id must be \"subject\" or \"claim\", not \"%s\"", patron_id);

        /* The receipt printer (docs/receipts.md "Printing"): a USB printer's node, e.g. /dev/usb/lp0. */
        st->printer = schema_get_string(g, "printer", NULL);
        if (st->printer)
                config_check_path(e, config_setting_get_member(g, "printer"), "printer", st->printer);
        if (schema_get_int(e, g, "printer_columns", 42, 16, 80, &v))
                st->printer_columns = (unsigned) v;
        st->library_name = schema_get_string(g, "library_name", NULL);
        if (st->library_name && strlen(st->library_name) > 64)
                config_error(e, config_setting_get_member(g, "library_name"), "station library_name is longer than 64 bytes");

        if (!c->ils.enabled)
                config_error(e, g, "a station needs the 'ils' section: the library's system it lends against");
}
