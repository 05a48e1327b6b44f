# shellcheck shell=bash
# Helpers for the hardware tests, sourced by each tests/hw/GROUP/test-*.sh inside the guest
# (". "$HW_LIB""). A test is a bash script that exits 0 when every check held; each check
# prints what it compared, so a failing test's log reads as a story.
#
# Environment from run-suite: HW_SRC (work tree), HW_BUILD (build dir), HW_GROUP, HW_VARIANT
# ("v1"/"v2" for the gpio group, "-" otherwise), HW_TMP (scratch dir, removed afterwards).
set -euo pipefail

hw_step() { echo "== $*"; }
hw_fail() {
	echo "FAIL: $*"
	exit 1
}
hw_pass() { echo "ok: $*"; }

# expect_eq ACTUAL EXPECTED WHAT
expect_eq() {
	[ "$1" = "$2" ] || hw_fail "$3: got '$1', expected '$2'"
	hw_pass "$3: $1"
}

# Sleeping without a fork: the read builtin with a timeout, on a pipe nobody writes to.
exec {HW_SLEEP_FD}<> <(:)
hw_sleep_ms() { read -r -t "$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))" -u "$HW_SLEEP_FD" || true; }
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# --- gpio-sim ------------------------------------------------------------------------------------
# The bench's simulated appliance: one gpio-sim device, two banks, so two GPIO chips.
#   "qrgate-aux"   8 lines aux0..aux7: an unrelated chip first in chip order, so that finding a
#                  line by name has to look beyond the first chip
#   "qrgate-door"  8 lines: 0 door-contact, 1 exit-button, 2 led-green, 3 led-red,
#                  4 lock-relay, 5-7 unnamed
# Outputs are read from sysfs "value"; inputs are driven by writing "pull" (pull-up = 1).
# Each test creates its own device and removes it on exit: no test sees another's state.
declare -A SIM_BANK SIM_OFFSET SIM_PATH
for i in 0 1 2 3 4 5 6 7; do SIM_BANK[aux$i]=aux SIM_OFFSET[aux$i]=$i; done
i=0
for name in door-contact exit-button led-green led-red lock-relay; do
	SIM_BANK[$name]=door SIM_OFFSET[$name]=$i
	i=$((i + 1))
done
SIM_LINE_NAMES="aux0 aux1 aux2 aux3 aux4 aux5 aux6 aux7 door-contact exit-button led-green led-red lock-relay"
SIM_DOOR_LABEL=qrgate-door
SIM_AUX_LABEL=qrgate-aux
SIM_CONFIG=/sys/kernel/config/gpio-sim/qrgate-hw-$$

sim_modules() {
	modprobe configfs
	mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
	modprobe gpio-sim
}

sim_create() {
	local bank name
	sim_modules
	mkdir "$SIM_CONFIG"
	trap sim_destroy EXIT
	for bank in aux door; do
		mkdir "$SIM_CONFIG/$bank"
		echo 8 >"$SIM_CONFIG/$bank/num_lines"
		echo "qrgate-$bank" >"$SIM_CONFIG/$bank/label"
	done
	for name in $SIM_LINE_NAMES; do
		mkdir "$SIM_CONFIG/${SIM_BANK[$name]}/line${SIM_OFFSET[$name]}"
		echo "$name" >"$SIM_CONFIG/${SIM_BANK[$name]}/line${SIM_OFFSET[$name]}/name"
	done
	echo 1 >"$SIM_CONFIG/live"
	SIM_DEV_NAME=$(cat "$SIM_CONFIG/dev_name")
	SIM_AUX_CHIP=$(cat "$SIM_CONFIG/aux/chip_name")
	SIM_DOOR_CHIP=$(cat "$SIM_CONFIG/door/chip_name")
	[ -c "/dev/$SIM_DOOR_CHIP" ] || hw_fail "gpio-sim made no /dev/$SIM_DOOR_CHIP"
	for name in $SIM_LINE_NAMES; do
		SIM_PATH[$name]=/sys/devices/platform/$SIM_DEV_NAME/$SIM_AUX_CHIP/sim_gpio${SIM_OFFSET[$name]}
		[ "${SIM_BANK[$name]}" = aux ] ||
			SIM_PATH[$name]=/sys/devices/platform/$SIM_DEV_NAME/$SIM_DOOR_CHIP/sim_gpio${SIM_OFFSET[$name]}
	done
	echo "gpio-sim: $SIM_DEV_NAME: $SIM_AUX_LABEL=$SIM_AUX_CHIP $SIM_DOOR_LABEL=$SIM_DOOR_CHIP"
}

sim_destroy() {
	local d
	ld_kill
	hold_stop
	[ -d "$SIM_CONFIG" ] || return 0
	echo 0 >"$SIM_CONFIG/live" || true
	for d in "$SIM_CONFIG"/*/line*; do [ -d "$d" ] && rmdir "$d"; done
	rmdir "$SIM_CONFIG"/aux "$SIM_CONFIG"/door "$SIM_CONFIG" || true
}

# sim_read LINE VAR: the line's level into VAR, without a fork (tests poll with it).
sim_read() {
	[ -n "${SIM_PATH[$1]:-}" ] || hw_fail "no simulated line '$1'"
	read -r "$2" <"${SIM_PATH[$1]}/value"
}
sim_value() {
	local v
	sim_read "$1" v
	echo "$v"
}
sim_pull() { # LINE up|down
	[ -n "${SIM_PATH[$1]:-}" ] || hw_fail "no simulated line '$1'"
	echo "pull-$2" >"${SIM_PATH[$1]}/pull"
}

# expect_value LINE LEVEL WHAT: the line's physical level as gpio-sim reports it.
expect_value() { expect_eq "$(sim_value "$1")" "$2" "$3 ($1 value)"; }

# Every line but the one named keeps its pull (down = 0): the backend drove nothing else.
expect_others_untouched() {
	local name v
	for name in $SIM_LINE_NAMES; do
		[ "$name" = "$1" ] && continue
		sim_read "$name" v
		[ "$v" = 0 ] || hw_fail "$name is $v, only $1 may be driven"
	done
	hw_pass "no other line driven"
}

# wait_value LINE LEVEL TIMEOUT_MS: polls every 10 ms until the line reads LEVEL.
wait_value() {
	local start=${EPOCHREALTIME/./} v
	while sim_read "$1" v && [ "$v" != "$2" ]; do
		[ $(((${EPOCHREALTIME/./} - start) / 1000)) -lt "$3" ] || hw_fail "$1 did not become $2 within $3 ms"
		hw_sleep_ms 10
	done
}

# --- the kernel's record of line levels ---------------------------------------------------------
# gpio-sim shows a line's level now; the kernel's gpio_value trace event records every level a
# process set, with the process and the time. Tests use it where a level is set and then lost:
# a line released at once (qrgated --safe-state from ExecStopPost) goes back to its pull in
# gpio-sim, but its trace shows which level the releasing process set last, and when.
HW_TRACE=/sys/kernel/tracing

# sim_gpio_number LINE: the line's global GPIO number, which the trace events use.
sim_gpio_number() {
	local c
	for c in /sys/class/gpio/gpiochip*; do
		if [ "$(cat "$c/label")" = "qrgate-${SIM_BANK[$1]}" ]; then
			echo $(($(cat "$c/base") + SIM_OFFSET[$1]))
			return 0
		fi
	done
	hw_fail "no GPIO chip labelled qrgate-${SIM_BANK[$1]}"
}

gpio_trace_start() {
	mountpoint -q $HW_TRACE || mount -t tracefs tracefs $HW_TRACE
	echo 0 >$HW_TRACE/tracing_on
	echo boot >$HW_TRACE/trace_clock # the clock of /proc/uptime, for uptime_s
	: >$HW_TRACE/trace
	echo 1 >$HW_TRACE/events/gpio/gpio_value/enable
	echo 1 >$HW_TRACE/tracing_on
}

# gpio_trace_sets LINE: one "SECONDS TASK-PID LEVEL" line per level set on LINE since
# gpio_trace_start, oldest first (SECONDS on the kernel's clock, as in $(uptime_s)).
gpio_trace_sets() {
	awk -v gpio="$(sim_gpio_number "$1")" \
		'$0 ~ ("gpio_value: " gpio " set ") { sub(":", "", $4); print $4, $1, $NF }' $HW_TRACE/trace
}

# The kernel's clock in seconds, comparable with gpio_trace_sets' timestamps.
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# --- the lock backend, through tests/hw/lock-drive ---------------------------------------------
# The gpio group runs once per libgpiod API (v1, v2); other groups use the v1 build.
HW_LIBGPIOD=${HW_VARIANT:--}
[ "$HW_LIBGPIOD" != - ] || HW_LIBGPIOD=v1
LOCK_DRIVE=${HW_BUILD:-}/hw/$HW_LIBGPIOD/lock-drive
LINE_HOLD=${HW_BUILD:-}/hw/line-hold
DRV_PID=
LD_IN=
LD_OUT=
HOLD_PID=

# ld_start ARGS...: starts lock-drive with ARGS as a coprocess and waits for "ready ..."; the
# reply is left in LD_REPLY.
ld_start() {
	[ -z "$DRV_PID" ] || hw_fail "ld_start: one lock-drive at a time"
	[ -x "$LOCK_DRIVE" ] || hw_fail "no $LOCK_DRIVE"
	echo "lock-drive ($HW_LIBGPIOD): $*"
	coproc LD { exec "$LOCK_DRIVE" "$@" 2>&1; }
	DRV_PID=$LD_PID # bash unsets LD_PID when it reaps the coprocess
	# Our own copies: bash closes the coproc's fds as soon as it reaps it, and the last reply
	# ("exit") may still be unread then.
	exec {LD_OUT}<&"${LD[0]}" {LD_IN}>&"${LD[1]}"
	ld_read
	case $LD_REPLY in
	ready*) ;;
	*) hw_fail "lock-drive did not start: '$LD_REPLY'" ;;
	esac
}

ld_read() {
	LD_REPLY=
	IFS= read -r -t 20 -u "$LD_OUT" LD_REPLY || hw_fail "no reply from lock-drive (got '$LD_REPLY')"
}

# ld_cmd COMMAND EXPECTED-REPLY
ld_cmd() {
	echo "$1" >&"$LD_IN"
	ld_read
	expect_eq "$LD_REPLY" "$2" "reply to '$1'"
}

# ld_stop TERM|INT|EOF: ends lock-drive the way a service manager or its input would, and
# checks it went out through its normal path ("exit", status 0).
ld_stop() {
	local rc=0
	case $1 in
	EOF)
		exec {LD_IN}>&-
		LD_IN=
		[ -z "${LD[1]:-}" ] || eval "exec ${LD[1]}>&-"
		;;
	*) kill -s "$1" "$DRV_PID" ;;
	esac
	ld_read
	while [ "${LD_REPLY%% *}" = ok ]; do ld_read; done # a pulse may end on the way out
	expect_eq "$LD_REPLY" exit "last words after $1"
	wait "$DRV_PID" || rc=$?
	expect_eq "$rc" 0 "lock-drive exit status after $1"
	ld_forget
}

ld_kill() { # for cleanup and for the SIGKILL control case
	[ -n "$DRV_PID" ] || return 0
	kill -KILL "$DRV_PID" 2>/dev/null || true
	wait "$DRV_PID" 2>/dev/null || true
	ld_forget
}

ld_forget() {
	[ -z "$LD_IN" ] || exec {LD_IN}>&- 2>/dev/null || true
	[ -z "$LD_OUT" ] || exec {LD_OUT}<&- 2>/dev/null || true
	DRV_PID= LD_IN= LD_OUT=
}

# ld_run_once ARGS...: runs lock-drive with no input and prints its first line (for the cases
# where opening must fail; a success would print "ready ...").
ld_run_once() { "$LOCK_DRIVE" "$@" </dev/null 2>&1 | head -n1; }

# hold_start [PID]: keeps the line requests of PID (default: the running lock-drive) alive
# past its exit (tests/hw/line-hold.c says why), so the value it drove last stays readable.
hold_start() {
	local out=$HW_TMP/hold.out i pid=${1:-$DRV_PID}
	# Without lock-drive's stdin: an EOF test must not find its input held open by line-hold.
	(
		[ -z "$LD_IN" ] || exec {LD_IN}>&-
		[ -z "${LD[1]:-}" ] || eval "exec ${LD[1]}>&-"
		exec "$LINE_HOLD" "$pid"
	) >"$out" 2>&1 &
	HOLD_PID=$!
	for i in $(seq 1000); do # up to 10 s: TCG on a busy machine
		[ -s "$out" ] && break
		hw_sleep_ms 10
	done
	expect_eq "$(cat "$out")" "held 1" "line-hold took the line request of $pid"
}

hold_stop() {
	[ -n "$HOLD_PID" ] || return 0
	kill -TERM "$HOLD_PID" 2>/dev/null || true
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
}
