/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "schedules" list: named opening hours that doors refer to (core/schedule.h says what a
 * window and a holiday mean). Every string is checked here, with its file:line, so that a
 * schedule the gate runs by is one the operator wrote. */
#include <string.h>

#include "config/config-internal.h"

const Schedule *config_find_schedule(const Config *c, const char *id) {
        for (size_t i = 0; i < c->n_schedules; i++)
                if (c->schedules[i].id && strcmp(c->schedules[i].id, id) == 0)
                        return &c->schedules[i];
        return NULL;
}

static void parse_windows(Errors *e, Schedule *s, const config_setting_t *l) {
        for (int i = 0; l && i < config_setting_length(l); i++) {
                const config_setting_t *elem = config_setting_get_elem(l, (unsigned) i);
                const char *text = config_setting_get_string(elem), *why;
                if (s->n_windows >= SCHEDULE_WINDOWS_MAX) {
                        config_error(e, l, "schedule '%s' has more than %d windows", s->id, SCHEDULE_WINDOWS_MAX);
                        return;
                }
                if (schedule_window_from_string(text, &s->windows[s->n_windows], &why) < 0)
                        config_error(e, elem, "window \"%s\" of schedule '%s' %s", text, s->id, why);
                else
                        s->n_windows++;
        }
}

static void parse_holidays(Errors *e, const Config *c, Schedule *s, const config_setting_t *l) {
        for (int i = 0; l && i < config_setting_length(l); i++) {
                const config_setting_t *elem = config_setting_get_elem(l, (unsigned) i);
                const char *text = config_setting_get_string(elem), *why, *instead;
                ScheduleHoliday h;

                if (s->n_holidays >= SCHEDULE_HOLIDAYS_MAX) {
                        config_error(e, l, "schedule '%s' has more than %d holidays", s->id, SCHEDULE_HOLIDAYS_MAX);
                        return;
                }
                if (schedule_holiday_from_string(text, &h, &instead, &why) < 0) {
                        config_error(e, elem, "holiday \"%s\" of schedule '%s' %s", text, s->id, why);
                        continue;
                }
                for (size_t j = 0; j < s->n_holidays; j++)
                        if (s->holidays[j].year == h.year && s->holidays[j].month == h.month && s->holidays[j].day == h.day)
                                config_error(e, elem, "holiday %.10s is listed twice in schedule '%s'", text, s->id);
                if (instead) {
                        /* One level only: the other schedule's windows, not its holidays, so that
                         * no chain of references needs following (or could loop). */
                        h.instead = config_find_schedule(c, instead);
                        if (!h.instead)
                                config_error(e, elem, "holiday %.10s of schedule '%s' names schedule '%s', which is not "
                                             "defined in 'schedules'", text, s->id, instead);
                        else if (h.instead == s)
                                config_error(e, elem, "holiday %.10s of schedule '%s' names the schedule itself; "
                                             "leave the id out to close that day", text, s->id);
                }
                s->holidays[s->n_holidays++] = h;
        }
}

void config_parse_schedules(Errors *e, Config *c, const config_setting_t *root) {
        static const Key keys[] = {
                { "id", K_STRING, true }, { "windows", K_STRING_ARRAY, true }, { "holidays", K_STRING_ARRAY },
        };
        const config_setting_t *list;
        bool ok[CONFIG_MAX_ITEMS] = {};

        if (!schema_check_list(e, root, "schedules", &list))
                return;
        /* The ids first: a holiday may name a schedule defined after its own. */
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                Schedule *s = &c->schedules[c->n_schedules++];

                ok[i] = schema_check_group(e, g, "a schedule", keys, ELEMENTSOF(keys));
                s->id = ok[i] ? schema_get_string(g, "id", NULL) : NULL;
                if (!ok[i]) {
                        const config_setting_t *id = config_setting_get_member(g, "id");
                        /* Still named, so that a door naming it is not reported a second time. */
                        if (id && config_setting_type(id) == CONFIG_TYPE_STRING)
                                s->id = config_setting_get_string(id);
                        continue;
                }
                if (!config_id_is_valid(s->id))
                        config_error(e, g, "schedule id '%s' must be 1-32 letters, digits or '_'", s->id);
                for (size_t j = 0; j + 1 < c->n_schedules; j++)
                        if (c->schedules[j].id && strcmp(c->schedules[j].id, s->id) == 0)
                                config_error(e, g, "schedule '%s' is defined twice", s->id);
        }
        for (int i = 0; i < config_setting_length(list); i++) {
                const config_setting_t *g = config_setting_get_elem(list, (unsigned) i);
                if (!ok[i])
                        continue;
                parse_windows(e, &c->schedules[i], config_setting_get_member(g, "windows"));
                parse_holidays(e, c, &c->schedules[i], config_setting_get_member(g, "holidays"));
        }
}
