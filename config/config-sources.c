/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The top-level list "sources": where codes come from (docs/scanners.md). Every source has an
 * id, a type, a door and its limits; the rest depends on the type, and a key of another type
 * is reported rather than ignored (an operator who writes `layout` on a serial scanner expects
 * it to do something). */
#include <string.h>

#include "config/config-internal.h"

#define T(x) (1U << (x))
#define ANY (T(SCANNER_FIFO) | T(SCANNER_EVDEV) | T(SCANNER_HIDPOS) | T(SCANNER_SERIAL))
#define USB (T(SCANNER_EVDEV) | T(SCANNER_HIDPOS))

/* The keys, and the types each applies to and requires. */
static const struct {
        Key key;
        unsigned applies, requires;
} source_keys[] = {
        { { "id", K_STRING, true }, ANY, ANY },
        { { "type", K_STRING, true }, ANY, ANY },
        { { "door", K_STRING, true }, ANY, ANY },
        { { "max_rate", K_INT }, ANY, 0 },
        { { "line_timeout_ms", K_INT }, ANY, 0 },
        { { "path", K_STRING }, T(SCANNER_FIFO) | T(SCANNER_SERIAL), T(SCANNER_FIFO) | T(SCANNER_SERIAL) },
        { { "usb", K_STRING }, USB, USB },
        { { "serial_number", K_STRING }, USB, 0 },
        { { "port", K_STRING }, USB, 0 },
        { { "layout", K_STRING }, T(SCANNER_EVDEV), 0 },
        { { "min_rate", K_INT }, T(SCANNER_EVDEV), 0 },
        { { "terminator", K_STRING }, T(SCANNER_EVDEV) | T(SCANNER_SERIAL), 0 },
        { { "speed", K_INT }, T(SCANNER_SERIAL), 0 },
        { { "prefix", K_STRING }, T(SCANNER_EVDEV) | T(SCANNER_SERIAL), 0 },
};

static const char *types_of(unsigned mask, char *buf, size_t size) {
        size_t n = 0;

        buf[0] = '\0';
        for (ScannerType t = 0; t < _SCANNER_TYPE_MAX; t++)
                if (mask & T(t))
                        n += (size_t) snprintf(buf + n, n < size ? size - n : 0, "%s\"%s\"", n ? ", " : "",
                                               scanner_type_to_string(t));
        return buf;
}

/* The keys that do not apply to type t, and the ones it requires that are missing. */
static void check_keys_of_type(Errors *e, const config_setting_t *g, ScannerType t) {
        char types[64];

        for (size_t i = 0; i < ELEMENTSOF(source_keys); i++) {
                const config_setting_t *s = config_setting_get_member(g, source_keys[i].key.name);
                if (s && !(source_keys[i].applies & T(t)))
                        config_error(e, s, "'%s' does not apply to a source of type \"%s\" (only to %s)",
                                     source_keys[i].key.name, scanner_type_to_string(t),
                                     types_of(source_keys[i].applies, types, sizeof(types)));
                if (!s && (source_keys[i].requires & T(t)))
                        config_error(e, g, "a source of type \"%s\" is missing required key '%s'",
                                     scanner_type_to_string(t), source_keys[i].key.name);
        }
}

/* The character that ends a line besides '\n', from its name; -1 for an unknown name. */
static int terminator_from_string(const char *s) {
        static const struct { const char *name; char c; } names[] = {
                { "enter", '\r' }, { "cr", '\r' }, { "lf", '\n' }, { "crlf", '\n' }, { "tab", '\t' }, { "none", 0 },
        };
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (strcmp(s, names[i].name) == 0)
                        return names[i].c;
        return -1;
}

static void parse_usb(Errors *e, const config_setting_t *g, SourceConf *s) {
        const char *usb = schema_get_string(g, "usb", NULL);
        const config_setting_t *port = config_setting_get_member(g, "port");

        if (usb && usb_identity_parse(usb, &s->scanner.usb.vendor, &s->scanner.usb.product) < 0)
                config_error(e, config_setting_get_member(g, "usb"),
                             "'usb' is \"%s\", must be the vendor:product id as lsusb prints it (e.g. \"05e0:1200\")", usb);
        s->scanner.usb.serial = schema_get_string(g, "serial_number", NULL);
        s->scanner.usb.port = schema_get_string(g, "port", NULL);
        /* A port path as sysfs names the device: bus-port[.port...] ("1-1.2"). */
        if (port && s->scanner.usb.port &&
            (strspn(s->scanner.usb.port, "0123456789-.") != strlen(s->scanner.usb.port) || !strchr(s->scanner.usb.port, '-')))
                config_error(e, port, "'port' is \"%s\", must be a USB port path like \"1-1.2\" (udevadm info: ID_PATH's usb-0:1.2 on bus 1)",
                             s->scanner.usb.port);
}

static void parse_one(Errors *e, Config *c, const config_setting_t *g) {
        SourceConf *s = &c->sources[c->n_sources++];
        const config_setting_t *ts;
        int64_t v;
        int t;

        s->id = schema_get_string(g, "id", NULL);
        s->type = schema_get_string(g, "type", NULL);
        s->path = schema_get_string(g, "path", NULL);
        s->door = schema_get_string(g, "door", NULL);
        if (!config_id_is_valid(s->id))
                config_error(e, g, "source id '%s' must be 1-32 letters, digits or '_'", s->id);
        s->scanner.type = scanner_type_from_string(s->type);
        if (s->scanner.type < 0) {
                config_error(e, config_setting_get_member(g, "type"),
                             "source type is \"%s\", must be \"fifo\", \"evdev\", \"hidpos\" or \"serial\"", s->type);
                s->scanner.type = SCANNER_FIFO; /* the keys are not checked against a type then */
        } else
                check_keys_of_type(e, g, s->scanner.type);
        s->scanner.path = s->path;
        config_check_path(e, config_setting_get_member(g, "path"), "path", s->path);

        /* A person scans a code every few seconds; a scanner rereading one in presentation mode
         * a few times a second. More is a flood (docs/reasons.md). */
        if (schema_get_int(e, g, "max_rate", 10, 1, 1000, &v))
                s->max_rate = (uint32_t) v;
        /* Scanners send a whole code within tens of milliseconds; a person pausing in the middle
         * of a line is not a scanner (docs/scanners.md). */
        if (schema_get_int(e, g, "line_timeout_ms", 150, 10, 10000, &v))
                s->line_timeout_ms = (uint32_t) v;

        parse_usb(e, g, s);
        s->scanner.layout = key_layout_from_string(schema_get_string(g, "layout", "us"));
        if (s->scanner.layout < 0)
                config_error(e, config_setting_get_member(g, "layout"), "'layout' is \"%s\", must be \"us\", \"de\" or \"fr\"",
                             schema_get_string(g, "layout", ""));
        /* A wedge scanner types a code in tens of milliseconds (hundreds of characters a
         * second); a person types fewer than 15. 0 turns the rule off (docs/scanners.md). */
        if (schema_get_int(e, g, "min_rate", s->scanner.type == SCANNER_EVDEV ? 40 : 0, 0, 10000, &v))
                s->min_rate = (uint32_t) v;
        if (schema_get_int(e, g, "speed", 9600, 1200, 230400, &v)) {
                s->scanner.speed = (uint32_t) v;
                if (!scanner_serial_speed_is_valid(s->scanner.speed))
                        config_error(e, config_setting_get_member(g, "speed"),
                                     "'speed' is %u, must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400",
                                     s->scanner.speed);
        }
        ts = config_setting_get_member(g, "terminator");
        t = terminator_from_string(schema_get_string(g, "terminator", s->scanner.type == SCANNER_SERIAL ? "cr"
                                                                     : s->scanner.type == SCANNER_EVDEV ? "enter" : "lf"));
        if (t < 0)
                config_error(e, ts, "'terminator' is \"%s\", must be \"enter\", \"cr\", \"lf\", \"crlf\", \"tab\" or \"none\"",
                             schema_get_string(g, "terminator", ""));
        s->terminator = (char) MAX(t, 0);
        /* What the scanner is set to send before each code (its "prefix" setting): printable, so
         * that a wedge scanner types it in any layout, and short. */
        s->prefix = schema_get_string(g, "prefix", NULL);
        if (s->prefix) {
                size_t n = strlen(s->prefix);
                bool printable = n > 0 && n <= SOURCE_PREFIX_MAX;
                for (size_t j = 0; j < n; j++)
                        printable = printable && s->prefix[j] > ' ' && s->prefix[j] < 0x7f;
                if (!printable)
                        config_error(e, config_setting_get_member(g, "prefix"),
                                     "'prefix' is \"%s\", must be 1-%d printable ASCII characters without spaces",
                                     s->prefix, SOURCE_PREFIX_MAX);
        }

        s->door_index = SIZE_MAX;
        for (size_t j = 0; j < c->n_doors; j++)
                if (strcmp(c->doors[j].id, s->door) == 0)
                        s->door_index = j;
        if (s->door_index == SIZE_MAX)
                config_error(e, config_setting_get_member(g, "door"), "source '%s' names door '%s', which is not defined in 'doors'",
                             s->id, s->door);
        for (size_t j = 0; j + 1 < c->n_sources; j++)
                if (strcmp(c->sources[j].id, s->id) == 0)
                        config_error(e, g, "source id '%s' is used twice", s->id);
}

void config_parse_sources(Errors *e, Config *c, const config_setting_t *root) {
        Key keys[ELEMENTSOF(source_keys)];
        const config_setting_t *list;

        /* Required per type, not for every source: check_keys_of_type() says which. */
        for (size_t i = 0; i < ELEMENTSOF(source_keys); i++) {
                keys[i] = source_keys[i].key;
                keys[i].required = source_keys[i].requires == ANY;
        }
        if (!schema_check_list(e, root, "sources", &list))
                return;
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                if (schema_check_group(e, g, "a source", keys, ELEMENTSOF(keys)))
                        parse_one(e, c, g);
        }
}
