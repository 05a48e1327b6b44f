/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Logging for the daemon (and only the daemon: library code returns errors). Lines go to stderr
 * with a "<N>" syslog priority prefix, which journald reads when the service runs under systemd
 * (SyslogLevelPrefix=yes is the default); on a terminal the prefix is left out. */

#include <errno.h>
#include <syslog.h>

#include "core/macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs and returns -abs(error) (or error itself when it is 0), so "return log_..._errno(r, ...)"
 * both reports and propagates. %m in fmt prints error's text. */
_printf_(3, 4) int log_internal(int level, int error, const char *fmt, ...);

#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_ERR, (e), __VA_ARGS__)
#define log_oom() log_internal(LOG_ERR, ENOMEM, "Out of memory.")
