/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Calls a qrgated method on a bus connection that belongs to someone else than the process
 * that makes the call — the situation the daemon's caller check must judge by the connection
 * (tests/security/test-bus-auth-by-uid.sh).
 *
 * Started as root, it takes the CONNECT identity (real, effective and filesystem ids, no
 * supplementary groups; the saved uid stays 0), connects to the bus and makes one round trip,
 * so the bus has authenticated it and records that uid for the connection. Then it becomes root
 * again through the saved uid and takes the CALL identity for good, and calls the method on the
 * same connection. That is what a reused PID looks like to a daemon that reads /proc/<pid> at
 * call time: the process there is CALL, the connection is CONNECT's. (A process that changes
 * its own credentials after connecting — setgid programs, su-like helpers — looks the same.)
 *
 * usage: bus-call-as ADDRESS CONNECT CALL METHOD
 *   ADDRESS  a D-Bus address (unix:path=...)
 *   CONNECT, CALL  USER[:GROUP[,GROUP...]]: a user name or uid; then the supplementary groups
 *            (names or gids), none when left out. The primary gid is the user's from the passwd
 *            database, or the uid's number for a uid without an entry.
 *   METHOD   unlock (Unlock on door main), reload, or submit (SubmitCode of a non-code for door
 *            main, which is answered with a decision)
 *
 * Prints "ok" for a method return or the D-Bus error's name, and exits 0 when the call could be
 * made; exits 1 with a message on stderr when the setup failed. On stderr it also says which uid
 * the bus recorded for the connection (GetConnectionUnixUser), so a run shows its premise. */

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "api/bus-connect.h"
#include "api/bus-locator.h"
#include "core/macro.h"

#define MAX_GROUPS 32

typedef struct Identity {
        uid_t uid;
        gid_t gid;
        gid_t groups[MAX_GROUPS];
        size_t n_groups;
} Identity;

static int parse_id(const char *s, unsigned long *ret) {
        char *end;
        unsigned long v;

        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || v >= (unsigned long) (uid_t) -1)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_identity(const char *spec, Identity *ret) {
        _cleanup_(freep) char *copy = strdup(spec);
        const struct passwd *pw;
        unsigned long v;
        char *groups, *name;
        Identity id = {};

        if (!copy)
                return -ENOMEM;
        groups = strchr(copy, ':');
        if (groups)
                *groups++ = '\0';

        pw = parse_id(copy, &v) >= 0 ? getpwuid((uid_t) v) : getpwnam(copy);
        if (pw) {
                id.uid = pw->pw_uid;
                id.gid = pw->pw_gid;
        } else if (parse_id(copy, &v) >= 0) {
                id.uid = (uid_t) v;
                id.gid = (gid_t) v;
        } else
                return -ESRCH;

        for (name = groups ? strtok(groups, ",") : NULL; name; name = strtok(NULL, ",")) {
                const struct group *g = parse_id(name, &v) >= 0 ? getgrgid((gid_t) v) : getgrnam(name);
                if (id.n_groups >= MAX_GROUPS)
                        return -E2BIG;
                if (g)
                        id.groups[id.n_groups++] = g->gr_gid;
                else if (parse_id(name, &v) >= 0)
                        id.groups[id.n_groups++] = (gid_t) v;
                else
                        return -ESRCH;
        }
        *ret = id;
        return 0;
}

/* Group ids first: they need root's privilege, which the uid change may take away. */
static int become(const Identity *id, uid_t saved_uid) {
        if (setgroups(id->n_groups, id->groups) < 0)
                return -errno;
        if (setresgid(id->gid, id->gid, id->gid) < 0)
                return -errno;
        if (setresuid(id->uid, id->uid, saved_uid) < 0)
                return -errno;
        return 0;
}

static int call(sd_bus *bus, const char *method, sd_bus_error *error) {
        const BusLocator door = bus_gate_door(BUS_DOOR_PREFIX "/main");

        if (strcmp(method, "unlock") == 0)
                return bus_call_method(bus, &door, "Unlock", error, NULL, "u", 300);
        if (strcmp(method, "reload") == 0)
                return bus_call_method(bus, bus_gate_manager, "Reload", error, NULL, NULL);
        if (strcmp(method, "submit") == 0)
                return bus_call_method(bus, bus_gate_manager, "SubmitCode", error, NULL, "ss", "main", "not-a-code");
        return -EINVAL;
}

static int fail(const char *what, int r) {
        fprintf(stderr, "bus-call-as: %s: %s\n", what, strerror(-r));
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *unique;
        Identity connect_as, call_as;
        uint32_t bus_uid;
        int r;

        if (argc != 5) {
                fprintf(stderr, "usage: bus-call-as ADDRESS CONNECT CALL unlock|reload|submit\n");
                return 1;
        }
        if (geteuid() != 0)
                return fail("must be started as root", -EPERM);
        r = parse_identity(argv[2], &connect_as);
        if (r < 0)
                return fail(argv[2], r);
        r = parse_identity(argv[3], &call_as);
        if (r < 0)
                return fail(argv[3], r);

        r = become(&connect_as, 0);
        if (r < 0)
                return fail("cannot take the connecting identity", r);
        r = bus_connect(argv[1], &bus);
        if (r < 0)
                return fail("cannot connect", r);
        /* A round trip while still the connecting identity: only then is the connection
         * authenticated (SASL EXTERNAL) and named, whatever sd-bus defers. */
        r = sd_bus_get_unique_name(bus, &unique);
        if (r < 0)
                return fail("no unique name", r);
        r = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionUnixUser", &error, &reply, "s", unique);
        if (r < 0)
                return fail(error.message ?: "GetConnectionUnixUser", r);
        r = sd_bus_message_read(reply, "u", &bus_uid);
        if (r < 0)
                return fail("GetConnectionUnixUser reply", r);
        if (bus_uid != connect_as.uid) {
                fprintf(stderr, "bus-call-as: the bus records uid %u, not %u\n", bus_uid, (unsigned) connect_as.uid);
                return 1;
        }

        /* The saved uid 0 allows this, and root's capabilities come back with it. */
        if (setresuid((uid_t) -1, 0, (uid_t) -1) < 0)
                return fail("cannot become root again", -errno);
        r = become(&call_as, call_as.uid);
        if (r < 0)
                return fail("cannot take the calling identity", r);
        fprintf(stderr, "bus-call-as: connection of uid %u, call from uid %u gid %u with %zu groups\n", bus_uid,
                (unsigned) getuid(), (unsigned) getgid(), call_as.n_groups);

        r = call(bus, argv[4], &error);
        if (r == -EINVAL && !sd_bus_error_is_set(&error))
                return fail(argv[4], r);
        if (r < 0 && !sd_bus_error_is_set(&error))
                return fail("call failed", r);
        printf("%s\n", r < 0 ? error.name : "ok");
        return 0;
}
