/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/lend1.h"
#include "daemon/bus.h"
#include "daemon/log.h"

static const struct {
        const char *interface, *member;
        BusPermission permission;
        /* The daemon's own uid may call it too: the unit's ExecReload= runs `qrgatectl reload` as
         * the service's user, so that `systemctl reload` reports a refused configuration. That
         * uid is no one new: it owns the state directory and drives the locks already. */
        bool self;
} permissions[] = {
        { BUS_MANAGER_IFACE, "SubmitCode", BUS_PERMISSION_UI },
        { BUS_MANAGER_IFACE, "Reload", BUS_PERMISSION_OPERATOR, .self = true },
        { BUS_MANAGER_IFACE, "RetryTokenLogin", BUS_PERMISSION_OPERATOR },
        { BUS_DOOR_IFACE, "Unlock", BUS_PERMISSION_OPERATOR },
        { BUS_AREA_IFACE, "SetOccupancy", BUS_PERMISSION_OPERATOR },
        { BUS_LENDING_IFACE, "SignReceipt", BUS_PERMISSION_LENDING },
        { BUS_LENDING_IFACE, "RecordLending", BUS_PERMISSION_LENDING },
};

/* Only what the bus itself vouches for: the uid the kernel gave dbus-daemon when the connection
 * was made (SO_PEERCRED), which dbus-daemon reports in GetConnectionCredentials and sd-bus files
 * under the effective uid. Everything else sd-bus offers on a dbus-daemon bus — gids,
 * supplementary groups, and any field asked for with SD_BUS_CREDS_AUGMENT — it reads from
 * /proc/<pid> at call time, which belongs to whatever process has that pid now: after the caller
 * exits, a reused pid; or the caller itself after it changed its credentials. */
int bus_caller_uid(sd_bus_message *m, uid_t *ret_uid) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        uint64_t augmented;
        uid_t uid;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID, &creds);
        if (r < 0)
                return r;
        /* Without SD_BUS_CREDS_AUGMENT nothing should come from /proc; should a future sd-bus
         * fill the field that way all the same, refuse rather than trust it. */
        augmented = sd_bus_creds_get_augmented_mask(creds);
        if (augmented & SD_BUS_CREDS_EUID)
                return -EPERM;
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return r;
        *ret_uid = uid;
        return 0;
}

/* The groups of uid by the user and group databases: its primary group and those that list it
 * as a member. The groups the calling process holds are not asked: sd-bus would read them from
 * /proc at call time (see bus_caller_uid()). (dbus-daemon judges the group="" rules of its policy
 * by the groups the process held when it connected, SO_PEERGROUPS, which it does not pass on; so
 * under the shipped policy a member needs both: membership here and the group in its process,
 * which a login or a unit's User= gives.) Returns the number of groups in *ret_groups
 * (malloc()ed, the caller frees it), 0 for a uid without a passwd entry. */
static int uid_get_groups(uid_t uid, gid_t **ret_groups) {
        _cleanup_(freep) char *buf = NULL;
        _cleanup_(freep) gid_t *groups = NULL;
        struct passwd pw, *found = NULL;
        long size = sysconf(_SC_GETPW_R_SIZE_MAX);
        int n = 16, r;

        for (size_t len = size > 0 ? (size_t) size : 1024;; len *= 2) {
                free(buf);
                buf = malloc(len);
                if (!buf)
                        return -ENOMEM;
                r = getpwuid_r(uid, &pw, buf, len, &found);
                if (r != ERANGE || len >= 1024 * 1024)
                        break;
        }
        if (r != 0)
                return -r;
        if (!found) {
                *ret_groups = NULL;
                return 0;
        }
        for (;;) {
                int want = n;
                gid_t *g = realloc(groups, sizeof(gid_t) * (size_t) n);
                if (!g)
                        return -ENOMEM;
                groups = g;
                /* Returns -1 and sets n to the number needed when the array is too small. */
                if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &n) >= 0)
                        break;
                if (n <= want)
                        n = want * 2;
        }
        *ret_groups = TAKE_PTR(groups);
        return n;
}

static bool uid_listed(uid_t uid, const uid_t *uids, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (uids[i] == uid)
                        return true;
        return false;
}

static bool groups_meet(const gid_t *groups, int n_groups, const gid_t *gids, size_t n_gids) {
        for (int j = 0; j < n_groups; j++)
                for (size_t i = 0; i < n_gids; i++)
                        if (gids[i] == groups[j])
                                return true;
        return false;
}

/* Returns 1 when uid has the permission, 0 when not, or a negative errno when its groups cannot
 * be looked up. Operators may do whatever a UI may. */
static int uid_has_permission(Manager *mgr, uid_t uid, BusPermission permission) {
        _cleanup_(freep) gid_t *groups = NULL;
        const Config *c = mgr->config;
        bool ui = permission == BUS_PERMISSION_UI;
        int n;

        if (permission == BUS_PERMISSION_ANYONE || uid == 0)
                return 1;
        if (uid_listed(uid, c->operator_uids, c->n_operator_uids) || (ui && uid_listed(uid, c->ui_uids, c->n_ui_uids)))
                return 1;
        if (mgr->n_operator_gids == 0 && (!ui || mgr->n_ui_gids == 0))
                return 0;
        n = uid_get_groups(uid, &groups);
        if (n < 0)
                return n;
        return groups_meet(groups, n, mgr->operator_gids, mgr->n_operator_gids) ||
               (ui && groups_meet(groups, n, mgr->ui_gids, mgr->n_ui_gids));
}

/* Whether the sender of m is the connection that owns the lending service's name now: 1, 0, or a
 * negative errno when the bus could not say. A name, unlike a uid, is held by one connection at a
 * time, and the bus policy lets only the service's own user take it (docs/lending.md). */
static int sender_owns_lending_name(sd_bus_message *m) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const char *sender = sd_bus_message_get_sender(m), *owner = NULL;
        int r;

        if (!sender)
                return 0;
        r = sd_bus_get_name_creds(sd_bus_message_get_bus(m), BUS_LEND_NAME, SD_BUS_CREDS_UNIQUE_NAME, &creds);
        if (r == -ENXIO || r == -ESRCH) /* nobody owns it: nobody is the lending service */
                return 0;
        if (r < 0)
                return r;
        r = sd_bus_creds_get_unique_name(creds, &owner);
        if (r < 0)
                return r;
        return strcmp(owner, sender) == 0;
}

int bus_check_caller(Manager *mgr, sd_bus_message *m, sd_bus_error *error) {
        const char *iface = sd_bus_message_get_interface(m), *member = sd_bus_message_get_member(m);
        BusPermission permission = _BUS_PERMISSION_INVALID;
        bool self = false;
        uid_t uid;
        int r;

        for (size_t i = 0; i < ELEMENTSOF(permissions); i++)
                if (strcmp(permissions[i].interface, iface ?: "") == 0 && strcmp(permissions[i].member, member ?: "") == 0) {
                        permission = permissions[i].permission;
                        self = permissions[i].self;
                        break;
                }
        if (permission < 0) {
                /* A method missing from the table is a bug; refuse rather than guess. */
                log_error("Method %s.%s has no permission entry; refusing it.", iface ?: "?", member ?: "?");
                return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED, "%s is not classified", member ?: "?");
        }
        if (permission == BUS_PERMISSION_ANYONE)
                return 1;

        r = bus_caller_uid(m, &uid);
        if (r < 0) {
                log_error_errno(r, "Cannot read the uid of the caller of %s from the bus: %m", member);
                return sd_bus_error_set_errnof(error, r, "Cannot read the caller's credentials: %m");
        }
        if (self && uid == geteuid())
                return 1;
        if (permission == BUS_PERMISSION_LENDING) {
                r = uid == 0 ? 1 : sender_owns_lending_name(m);
                if (r < 0) {
                        log_error_errno(r, "Cannot ask the bus who owns %s, for a call of %s: %m", BUS_LEND_NAME, member);
                        return sd_bus_error_set_errnof(error, r, "Cannot ask the bus who owns %s: %m", BUS_LEND_NAME);
                }
                if (r > 0)
                        return 1;
                log_notice("Refused %s from uid %u: not the owner of %s.", member, (unsigned) uid, BUS_LEND_NAME);
                return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED, "%s is for the lending service (%s) only",
                                         member, BUS_LEND_NAME);
        }
        r = uid_has_permission(mgr, uid, permission);
        if (r < 0) {
                log_error_errno(r, "Cannot look up the groups of uid %u, the caller of %s: %m", (unsigned) uid, member);
                return sd_bus_error_set_errnof(error, r, "Cannot look up the caller's groups: %m");
        }
        if (r > 0)
                return 1;

        if (permission == BUS_PERMISSION_UI) {
                log_notice("Refused %s from uid %u: neither a UI nor an operator.", member, (unsigned) uid);
                return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED,
                                         "%s is for local UIs and operators only (uid %u is neither)", member, (unsigned) uid);
        }
        log_notice("Refused %s from uid %u: not an operator.", member, (unsigned) uid);
        return sd_bus_error_setf(error, BUS_ERROR_NOT_AUTHORIZED, "%s is for operators only (uid %u is not one)", member,
                                 (unsigned) uid);
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
