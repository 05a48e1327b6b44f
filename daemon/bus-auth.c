/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <grp.h>
#include <string.h>

#include "daemon/bus.h"
#include "daemon/log.h"

static const struct {
        const char *interface, *member;
        BusPermission permission;
} permissions[] = {
        { BUS_MANAGER_IFACE, "SubmitCode", BUS_PERMISSION_ANYONE },
        { BUS_MANAGER_IFACE, "Reload", BUS_PERMISSION_OPERATOR },
        { BUS_DOOR_IFACE, "Unlock", BUS_PERMISSION_OPERATOR },
};

static bool caller_is_operator(Manager *mgr, sd_bus_creds *creds) {
        const gid_t *gids = NULL;
        uid_t uid;
        gid_t gid;
        int n;

        /* The effective uid is what the kernel vouches for at connect time; it is what we judge. */
        if (sd_bus_creds_get_euid(creds, &uid) < 0)
                return false;
        if (uid == 0)
                return true;
        for (size_t i = 0; i < mgr->config->n_operator_uids; i++)
                if (mgr->config->operator_uids[i] == uid)
                        return true;
        if (sd_bus_creds_get_egid(creds, &gid) >= 0)
                for (size_t i = 0; i < mgr->n_operator_gids; i++)
                        if (mgr->operator_gids[i] == gid)
                                return true;
        n = sd_bus_creds_get_supplementary_gids(creds, &gids);
        for (int j = 0; j < n; j++)
                for (size_t i = 0; i < mgr->n_operator_gids; i++)
                        if (mgr->operator_gids[i] == gids[j])
                                return true;
        return false;
}

int bus_check_caller(Manager *mgr, sd_bus_message *m, sd_bus_error *error) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *iface = sd_bus_message_get_interface(m), *member = sd_bus_message_get_member(m);
        uid_t uid = (uid_t) -1;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(permissions); i++) {
                if (strcmp(permissions[i].interface, iface ?: "") != 0 || strcmp(permissions[i].member, member ?: "") != 0)
                        continue;
                if (permissions[i].permission == BUS_PERMISSION_ANYONE)
                        return 1;
                r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS |
                                                         SD_BUS_CREDS_AUGMENT, &creds);
                if (r < 0) {
                        log_error_errno(r, "Cannot read the credentials of the caller of %s: %m", member);
                        return sd_bus_error_set_errnof(error, r, "Cannot read the caller's credentials: %m");
                }
                if (caller_is_operator(mgr, creds))
                        return 1;
                (void) sd_bus_creds_get_euid(creds, &uid);
                log_notice("Refused %s from uid %d: not an operator.", member, (int) uid);
                return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED, "%s is for operators only (uid %d is not one)",
                                         member, (int) uid);
        }
        /* A method missing from the table is a bug; refuse rather than guess. */
        log_error("Method %s.%s has no permission entry; refusing it.", iface ?: "?", member ?: "?");
        return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED, "%s is not classified", member ?: "?");
}

static void resolve(const char *const *names, size_t n, gid_t *gids, size_t *n_gids, const char *what) {
        *n_gids = 0;
        for (size_t i = 0; i < n; i++) {
                const struct group *g = getgrnam(names[i]);
                if (!g) {
                        log_warning("%s group '%s' does not exist; nobody gets %s rights through it.", what, names[i], what);
                        continue;
                }
                gids[(*n_gids)++] = g->gr_gid;
        }
}

/* Groups are named in the configuration and checked by gid at call time. */
void bus_auth_resolve_groups(Manager *m) {
        resolve(m->config->operator_groups, m->config->n_operator_groups, m->operator_gids, &m->n_operator_gids, "Operator");
        resolve(m->config->ui_groups, m->config->n_ui_groups, m->ui_gids, &m->n_ui_gids, "UI");
}
