/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The USB sources (evdev, hidpos, serial): their device found by its USB identity (evdev, hidpos)
 * or its configured node (serial: /dev/ttyACM0 or its /dev/serial/by-id/ name) when the daemon
 * starts and whenever a device of their kind appears (hot-plug), opened then, and closed when it
 * goes.
 *
 * Appearing devices are learnt from the kernel's uevents, and from udev's monitor too where udev
 * runs: udev's event comes after the rules that give the daemon's group access to the node
 * (docs/scanners.md), but it does not reach a service with PrivateNetwork= (udev multicasts in
 * the host's network namespace only), while the kernel's do (to every network namespace of the
 * initial user namespace). So the kernel's event may come before udev has set the node's group:
 * an open refused for permission is tried again every RETRY_USEC for RETRIES times. Either way
 * an event only makes the source look again in sysfs for its device (usb_device_find()), so
 * that what is opened is always what the identity names. */
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/audit.h"
#include "daemon/log.h"
#include "daemon/source.h"
#include "daemon/event-util.h"
#include "hal/usb-device.h"

#define RETRY_USEC (100U * 1000U)
#define RETRIES 20

static const char *subsystem_of(const Source *s) {
        return s->conf.type == SCANNER_HIDPOS ? "hidraw" : s->conf.type == SCANNER_SERIAL ? "tty" : "input";
}

static const char *glob_of(const Source *s) {
        return s->conf.type == SCANNER_HIDPOS ? "hidraw*" : "event*";
}

static void describe(const Source *s, char *buf, size_t size) {
        if (s->conf.type == SCANNER_SERIAL) {
                snprintf(buf, size, "%s", s->conf.path);
                return;
        }
        snprintf(buf, size, "%04x:%04x%s%s%s%s", s->conf.usb.vendor, s->conf.usb.product,
                 s->conf.usb.serial ? " serial " : "", s->conf.usb.serial ?: "", s->conf.usb.port ? " port " : "",
                 s->conf.usb.port ?: "");
}

static void announce(Source *s, bool present, const char *why) {
        char id[96], text[192];

        describe(s, id, sizeof(id));
        snprintf(text, sizeof(text), "source %s: scanner %s %s%s%s", s->id, id, present ? "present" : "absent",
                 why ? ": " : "", why ?: "");
        if (present)
                log_notice("Source %s: scanner %s is present; reading codes for door %s from it.", s->id, id, s->door);
        else
                log_warning("Source %s: scanner %s is absent%s%s; waiting for it.", s->id, id, why ? ": " : "", why ?: "");
        /* An alarm while it is away: the gate reads nothing from this door's scanner. */
        if (s->manager->audit && s->absent_alarm != !present)
                (void) audit_log_alarm(s->manager->audit, "scanner", s->door, !present, text);
        s->absent_alarm = !present;
        source_present_changed(s);
}

/* A serial scanner is its node: the configured path names it (a /dev/serial/by-id/ name holds its
 * USB identity and serial number), so what is opened is again only what the configuration names. */
static int open_serial(Source *s) {
        int r = scanner_open(&s->conf, &s->scanner);

        /* Not there (yet): as absent as a USB device not found. */
        return r == -ENOENT || r == -ENXIO || r == -ENODEV || r == -EIO ? -ENODEV : r;
}

int source_attach(Source *s) {
        char *nodes[USB_CANDIDATES_MAX];
        size_t n = 0;
        int r, last = -ENODEV;

        if (s->present)
                return 0;
        if (s->conf.type == SCANNER_SERIAL) {
                r = open_serial(s);
                if (r < 0) {
                        s->scanner = scanner_free(s->scanner);
                        return r;
                }
                goto watch;
        }
        r = usb_device_find(&s->conf.usb, subsystem_of(s), glob_of(s), nodes, &n);
        if (r < 0)
                return r;
        log_debug("Source %s: %zu %s node(s) of the configured device.", s->id, n, subsystem_of(s));
        for (size_t i = 0; i < n; i++) {
                ScannerConfig c = s->conf;
                c.devnode = nodes[i];
                if (!s->scanner) {
                        r = scanner_open(&c, &s->scanner);
                        /* -ENOTTY: another interface of the same device (a consumer-control or
                         * mouse node of a wedge scanner); the next may be the one. */
                        if (r < 0 && r != -ENOTTY)
                                last = r;
                        if (r >= 0)
                                log_debug("Source %s: opened %s.", s->id, nodes[i]);
                }
                free(nodes[i]);
        }
        if (!s->scanner)
                return last;
watch:
        r = source_watch(s);
        if (r < 0) {
                s->scanner = scanner_free(s->scanner);
                return r;
        }
        s->present = true;
        announce(s, true, NULL);
        return 0;
}

void source_detach(Source *s, int error) {
        char why[96];

        if (!s->present)
                return;
        s->io = sd_event_source_disable_unref(s->io);
        s->scanner = scanner_free(s->scanner);
        s->present = false;
        /* What the scanner was typing is not a code. */
        line_buffer_reset(&s->line);
        snprintf(why, sizeof(why), "%s", error == -ENODEV ? "unplugged" : strerror(-error));
        announce(s, false, why);
}

static int on_retry(sd_event_source *es, uint64_t usec, void *userdata);

/* A device of our kind came or went: look again. */
static void rescan(Source *s) {
        int r;

        if (s->present)
                return; /* a departure shows as -ENODEV on the open device */
        r = source_attach(s);
        if ((r == -EACCES || r == -EPERM || (r == -ENODEV && s->conf.type == SCANNER_SERIAL)) &&
            s->retries < RETRIES) {
                /* udev may not have given us the node yet (nor made a serial scanner's
                 * /dev/serial/by-id/ link, when the configuration names that). */
                s->retries++;
                if (event_arm_timer_relative(s->manager->event, &s->retry, RETRY_USEC, 1000, on_retry, s) >= 0)
                        return;
        }
        if (r < 0 && r != -ENODEV && r != -ENOENT && r != s->attach_error)
                log_warning_errno(r, "Source %s: its scanner is there but cannot be opened: %m", s->id);
        s->attach_error = r < 0 ? r : 0;
}

static int on_retry(sd_event_source *es, uint64_t usec, void *userdata) {
        rescan(userdata);
        return 0;
}

static void rescan_on_event(Source *s) {
        s->retries = 0;
        rescan(s);
}

static int on_udev(sd_device_monitor *mon, sd_device *d, void *userdata) {
        rescan_on_event(userdata);
        return 0;
}

/* A kernel uevent ("ACTION@DEVPATH\0KEY=VALUE\0...") of the source's subsystem: the socket gets
 * every subsystem's (a laptop's battery reports every few seconds), and only ours make us look. */
static bool uevent_is_ours(const Source *s, const char *msg, size_t n) {
        char key[32];
        int k = snprintf(key, sizeof(key), "SUBSYSTEM=%s", subsystem_of(s));

        for (size_t i = 0; i < n; i += strnlen(msg + i, n - i) + 1)
                if (n - i > (size_t) k && memcmp(msg + i, key, (size_t) k + 1) == 0)
                        return true;
        return false;
}

static int on_uevent(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Source *s = userdata;
        char buf[8192];
        bool ours = false;
        ssize_t k;

        /* Drain: every message of ours means the same thing, look again, once. */
        while ((k = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
                ours = ours || uevent_is_ours(s, buf, (size_t) k);
        if (ours)
                rescan_on_event(s);
        return 0;
}

static int start_kernel_monitor(Source *s) {
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 /* the kernel's uevents */ };
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
        int r;

        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        r = sd_event_add_io(s->manager->event, &s->uevent, fd, EPOLLIN, on_uevent, s);
        if (r < 0) {
                close(fd);
                return r;
        }
        (void) sd_event_source_set_io_fd_own(s->uevent, true);
        return 0;
}

static int start_udev_monitor(Source *s) {
        int r = sd_device_monitor_new(&s->monitor);

        if (r >= 0)
                r = sd_device_monitor_filter_add_match_subsystem_devtype(s->monitor, subsystem_of(s), NULL);
        if (r >= 0)
                r = sd_device_monitor_attach_event(s->monitor, s->manager->event);
        if (r >= 0)
                r = sd_device_monitor_start(s->monitor, on_udev, s);
        if (r < 0)
                s->monitor = sd_device_monitor_unref(s->monitor);
        return r;
}

int source_usb_start(Source *s) {
        int r;

        /* The monitor first, then the look in sysfs: a scanner plugged in between is not missed. */
        r = start_kernel_monitor(s);
        if (r < 0)
                return r;
        if (access("/run/udev/control", F_OK) >= 0) {
                r = start_udev_monitor(s);
                if (r < 0)
                        log_debug_errno(r, "Source %s: no udev monitor, the kernel's events serve: %m", s->id);
        }
        r = source_attach(s);
        if (r == -ENOMEM)
                return r;
        /* A serial path that is there and is no terminal will not become one by plugging. */
        if (s->conf.type == SCANNER_SERIAL && (r == -ENOTTY || r == -EOPNOTSUPP || r == -EINVAL))
                return r;
        if (r < 0) {
                char id[96];
                describe(s, id, sizeof(id));
                s->attach_error = r;
                if (r == -ENODEV || r == -ENOENT)
                        log_warning("Source %s: scanner %s is absent; waiting for it to be plugged in.", s->id, id);
                else
                        log_warning_errno(r, "Source %s: scanner %s is there but cannot be opened: %m", s->id, id);
                if (s->manager->audit) {
                        char text[160];
                        snprintf(text, sizeof(text), "source %s: scanner %s absent at start", s->id, id);
                        (void) audit_log_alarm(s->manager->audit, "scanner", s->door, true, text);
                }
                s->absent_alarm = true;
        }
        return 0;
}

void source_usb_stop(Source *s) {
        s->monitor = sd_device_monitor_unref(s->monitor);
        s->uevent = sd_event_source_disable_unref(s->uevent);
        s->retry = sd_event_source_disable_unref(s->retry);
}
