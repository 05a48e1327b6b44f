/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* qrgatectl's commands that talk to a running qrgated over D-Bus. Each returns the process
 * exit status: 0 success (or "granted"), 1 refused/failed (or "denied"), 2 usage error. */

/* "system" (default), "user", or a D-Bus address; set from --bus before a command runs. */
extern const char *ctl_bus_address;

int ctl_status(int argc, char *argv[]);
int ctl_watch(int argc, char *argv[]);
int ctl_unlock(int argc, char *argv[]);
int ctl_reload(int argc, char *argv[]);
/* `qrgatectl token retry-login`: one more login after a PIN alarm (RetryTokenLogin). */
int ctl_token_retry_login(int argc, char *argv[]);
int ctl_submit(int argc, char *argv[]);
int ctl_check_config(int argc, char *argv[]);
