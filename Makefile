# qrgate — one Makefile for the daemon, its tools and its tests.
#
# Conventions that keep this file stable while the tree grows:
#  - every .c under core/ hal/ pkcs11/ api/ audit/ config/ daemon/ goes into one static library
#    (libqrgate.a, what the daemon links), except the files that hold a program's main()
#    (MAIN_SRCS) and backend files that only build against one library version (LIB_EXCLUDE);
#    the tools' own code (tools/*.c) goes into a second one that only the tools and their
#    tests link;
#  - every .c under lending/ (the lending service's SIP2 client, docs/sip2.md) goes into a third
#    one, libqrgate-lending.a, which qrgatectl, the lending tests and the test ILS link and
#    qrgated never does: the daemon keeps PrivateNetwork=yes and never handles the ILS's data;
#  - build, test and demo scripts live in scripts/;
#  - tests/unit/test-*.c are cmocka programs, run plain and under ASan+UBSan;
#  - tests/integration/test-*.sh are run by `make check` against the built programs;
#  - tests/fuzz/fuzz-*.c are libFuzzer targets, run briefly on their seed corpus.
# B=DIR builds somewhere else than build/ (parallel work trees, sanitizer experiments).

B ?= build
CC ?= cc
PREFIX ?= /usr/local
DESTDIR ?=
FUZZ_RUNS ?= 20000

PKGS := libcbor libcrypto zlib libsystemd libconfig libgpiod p11-kit-1 libevdev
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes -Wstrict-prototypes \
	-Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
# The one version of qrgate: every program's --version, the D-Bus Version property, the audit
# log's START record, and the Debian package (debian/changelog must agree; a test checks).
VERSION := $(shell cat VERSION)
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -I. $(PKG_CFLAGS) -MMD -MP -DQRGATE_VERSION='"$(VERSION)"'
LDFLAGS ?=
ALL_LDFLAGS := -Wl,--as-needed $(LDFLAGS)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# Every Debian package the project needs is named in mk/deps.list, one a line with its kind;
# `make deps` installs the kinds in DEB_KINDS (a fragment may add one), tests/hw/prepare and
# check-libcbor download the others. deps_of prints the packages of the kinds given.
DEPS_LIST := mk/deps.list
DEB_KINDS := bootstrap install
deps_of = $(shell awk -v kinds=' $(strip $(1)) ' 'index(kinds, " " $$1 " ") { print $$2 }' $(DEPS_LIST))

MAIN_SRCS := daemon/qrgated.c tools/qrgatectl.c tools/qrgate-issue.c
# The gpiod lock and input backends exist once per libgpiod API; build the ones the installed library has.
GPIOD_MAJOR := $(shell pkg-config --modversion libgpiod 2>/dev/null | cut -d. -f1)
LIB_EXCLUDE := $(wildcard hal/*-gpiod-v$(if $(filter 1,$(GPIOD_MAJOR)),2,1).c)
LIB_SRCS := $(filter-out $(MAIN_SRCS) $(LIB_EXCLUDE), \
	$(wildcard core/*.c hal/*.c pkcs11/*.c api/*.c audit/*.c config/*.c daemon/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(B)/obj/%.o)
ASAN_OBJS := $(LIB_SRCS:%.c=$(B)/asan/%.o)
TOOLS_LIB_SRCS := $(filter-out $(MAIN_SRCS), $(wildcard tools/*.c))
LENDING_LIB_SRCS := $(wildcard lending/*.c)
# What a tool or a test links: the tools' library first, it uses the other.
LIBS := $(B)/libqrgate-tools.a $(B)/libqrgate-lending.a $(B)/libqrgate.a
ASAN_LIBS := $(B)/asan/libqrgate-tools.a $(B)/asan/libqrgate-lending.a $(B)/asan/libqrgate.a
PROGS := $(patsubst %.c,$(B)/%,$(notdir $(wildcard $(MAIN_SRCS))))

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/%)
UNIT_ASAN_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/asan/tests/%)
TEST_HELPER_SRCS := $(wildcard tests/unit/helper-*.c)
INTEGRATION_TESTS := $(wildcard tests/integration/test-*.sh)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)

# Each capability may bring its own fragment (rules, CHECK_EXTRA/BENCH_EXTRA targets, packages).
CHECK_EXTRA :=
BENCH_EXTRA :=
-include $(sort $(wildcard mk/*.mk))
# After the fragments, which may add kinds.
DEB_PKGS := $(call deps_of,$(DEB_KINDS))

.PHONY: all deps check check-libcbor check-unit check-asan check-integration check-fuzz demo bench install uninstall clean
.DEFAULT_GOAL := all

all: $(PROGS)

deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "missing packages (run as root to install):" $$missing; exit 1; fi; \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -c -o $@ $<

# A new version is compiled into the objects (QRGATE_VERSION), so they depend on it.
$(LIB_OBJS) $(ASAN_OBJS) $(MAIN_SRCS:%.c=$(B)/obj/%.o) $(TOOLS_LIB_SRCS:%.c=$(B)/obj/%.o): VERSION

$(B)/libqrgate.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/libqrgate.a: $(ASAN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/libqrgate-tools.a: $(TOOLS_LIB_SRCS:%.c=$(B)/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/libqrgate-tools.a: $(TOOLS_LIB_SRCS:%.c=$(B)/asan/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/libqrgate-lending.a: $(LENDING_LIB_SRCS:%.c=$(B)/obj/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/asan/libqrgate-lending.a: $(LENDING_LIB_SRCS:%.c=$(B)/asan/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/qrgated: $(B)/obj/daemon/qrgated.o $(B)/libqrgate.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# qrgatectl links libqrencode for `receipt sign --png` (tools/qr-png.c), as qrgate-issue does.
$(B)/qrgatectl: $(B)/obj/tools/qrgatectl.o $(LIBS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $$(pkg-config --libs libqrencode)

$(B)/qrgate-issue: $(B)/obj/tools/qrgate-issue.o $(LIBS)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) $$(pkg-config --libs libqrencode)

$(B)/tests/%: tests/unit/%.c $(TEST_HELPER_SRCS) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_SRCS) $(LIBS) $(PKG_LIBS) -lcmocka

$(B)/asan/tests/%: tests/unit/%.c $(TEST_HELPER_SRCS) $(ASAN_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_SRCS) $(ASAN_LIBS) $(PKG_LIBS) -lcmocka

# libFuzzer targets: the library is compiled again by clang with the fuzzer's coverage hooks.
FUZZ_CFLAGS := -std=gnu11 $(WARN) -O1 -g -D_GNU_SOURCE -I. $(PKG_CFLAGS) -MMD -MP -DQRGATE_VERSION='"$(VERSION)"' \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
$(B)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -Wno-unused-command-line-argument -c -o $@ $<
$(B)/fuzzobj/libqrgate.a: $(LIB_SRCS:%.c=$(B)/fuzzobj/%.o)
	@rm -f $@
	ar rcs $@ $^
$(B)/fuzzobj/libqrgate-tools.a: $(TOOLS_LIB_SRCS:%.c=$(B)/fuzzobj/%.o)
	@rm -f $@
	ar rcs $@ $^
$(B)/fuzzobj/libqrgate-lending.a: $(LENDING_LIB_SRCS:%.c=$(B)/fuzzobj/%.o)
	@rm -f $@
	ar rcs $@ $^
# Only the source and the libraries: once -MMD has written the target's .d, $^ holds the
# headers it includes too, and clang given a header among its inputs refuses -o.
$(B)/fuzz/%: tests/fuzz/%.c $(B)/fuzzobj/libqrgate-tools.a $(B)/fuzzobj/libqrgate-lending.a $(B)/fuzzobj/libqrgate.a
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $(filter %.c %.a,$^) $(PKG_LIBS)

# Every suite runs even after one fails, so that one CI run shows everything that is wrong. Each
# suite's output is kept in $(B)/check-logs, and a failed suite's failing lines, with what led to
# them, are shown again at the very end: CI shows the end of a long output.
CHECK_SUITES = check-unit check-asan check-fuzz check-libcbor check-integration $(CHECK_EXTRA)
CHECK_LOGS := $(B)/check-logs
check: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(CHECK_LOGS); failed=; for t in $(CHECK_SUITES); do \
		{ $(MAKE) --no-print-directory $$t 2>&1; echo $$? > $(CHECK_LOGS)/$$t.rc; } | tee $(CHECK_LOGS)/$$t.log; \
		[ "$$(cat $(CHECK_LOGS)/$$t.rc)" = 0 ] || failed="$$failed $$t"; done; \
	if [ -n "$$failed" ]; then for t in $$failed; do echo "== what failed in $$t ($(CHECK_LOGS)/$$t.log):"; \
		grep -E -B8 '(^|[|] )(FAIL|not ok)|crash-driver:|[*][*][*] ' $(CHECK_LOGS)/$$t.log | tail -n 40; done; \
		echo "make check: FAILED:$$failed"; exit 1; fi; \
	echo "make check: all suites passed ($(CHECK_SUITES))"

# Debian bookworm ships libcbor 0.8, trixie 0.10; the verifier's tests run against both. (Both
# still refuse the one-byte tags 6-20, COSE's 18 among them, which core/cbor-util.c handles.) The prefix comes from scripts/next-debian-prefix,
# the packages from mk/deps.list (trixie-libcbor-next).
CBOR_TESTS := tests/unit/test-base45.c tests/unit/test-verifier.c tests/unit/test-bad-input.c tests/unit/test-replay.c \
	tests/unit/test-cbor-read.c
NEXT_DEBIAN_CACHE ?= /var/cache/qrgate-next
# Recursive (=), so the compiler is asked only when a recipe needs it: on a bare machine make
# reads this file before `deps` has installed any compiler ("make: cc: No such file or directory").
MULTIARCH = $(shell $(CC) -print-multiarch)
check-libcbor:
	@p=$$(scripts/next-debian-prefix $(NEXT_DEBIAN_CACHE) $(call deps_of,trixie-libcbor-next)) && \
	$(MAKE) --no-print-directory B=$(B)/libcbor-next UNIT_SRCS="$(CBOR_TESTS)" \
		CFLAGS="$(CFLAGS) -I$$p/usr/include" \
		LDFLAGS="$(LDFLAGS) -L$$p/usr/lib/$(MULTIARCH) -Wl,-rpath,$$p/usr/lib/$(MULTIARCH)" \
		$(CBOR_TESTS:tests/unit/%.c=$(B)/libcbor-next/tests/%) >/dev/null && \
	v=$$(ldd $(B)/libcbor-next/tests/test-verifier | awk '/libcbor/ { print $$3 }') && \
	case "$$v" in "$$p"/*) ;; *) echo "check-libcbor: tests linked $$v, not the libcbor in $$p"; exit 1 ;; esac && \
	echo "libcbor from $$p: $$(basename $$(readlink -f $$v))" && \
	scripts/run-tests libcbor-next $(CBOR_TESTS:tests/unit/%.c=$(B)/libcbor-next/tests/%)

check-unit: $(UNIT_BINS)
	@scripts/run-tests unit $(UNIT_BINS)

check-asan: $(UNIT_ASAN_BINS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		scripts/run-tests asan $(UNIT_ASAN_BINS)

check-fuzz:
	@if command -v clang >/dev/null; then \
		$(MAKE) --no-print-directory $(FUZZ_BINS) && scripts/run-fuzz $(FUZZ_RUNS) $(FUZZ_BINS); \
	else echo "fuzz: clang not installed, skipped"; fi

check-integration: $(PROGS)
	@B=$(B) scripts/run-tests integration $(INTEGRATION_TESTS)

demo: deps
	@$(MAKE) --no-print-directory all $(SIP2_ILS)
	@B=$(B) scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all $(B)/bench/bench-verify $(B)/bench/bench-e2e $(B)/bench/bench-ready $(B)/bench/bench-door
	@B=$(B) scripts/run-bench
	@for t in $(BENCH_EXTRA); do $(MAKE) --no-print-directory $$t || exit 1; done

$(B)/bench/%: tests/bench/%.c $(TEST_HELPER_SRCS) $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(TEST_HELPER_SRCS) $(LIBS) $(PKG_LIBS)

# Each bus policy (systemd/NAME.dbus.conf, installed as NAME.conf) goes to /etc/dbus-1/system.d
# whatever the prefix: the system bus reads only that and /usr/share/dbus-1/system.d. The udev
# rule goes next to it, to /etc/udev/rules.d: udev reads /etc, /run, /usr/lib and
# /usr/local/lib, so $(PREFIX)/lib would miss any other PREFIX. A distribution's package passes its own folders for both (debian/rules does). The
# unit names the binaries under $(PREFIX). journalctl reads the journal catalog from
# /usr/lib and /usr/local/lib only (catalog_file_dirs in systemd's catalog.c), and from an index
# that `journalctl --update-catalog` builds: install rebuilds it on this machine, not for a
# DESTDIR (a package's trigger does that where it is unpacked; Debian's systemd has one).
DBUS_POLICY_DIR ?= /etc/dbus-1/system.d
UDEV_RULES_DIR ?= /etc/udev/rules.d
# The man pages (man/) name the documentation under /usr/local, as the unit does: rewritten too.
MAN_PAGES := $(wildcard man/*.[158])
# The lending service's binary comes from its own fragment (mk/lendd.mk); every station package
# carries it, whether or not the site runs it (its unit is not enabled by install).
install: all $(B)/qrgate-lendd
	install -Dm0755 $(B)/qrgated $(DESTDIR)$(PREFIX)/sbin/qrgated
	install -Dm0755 $(B)/qrgate-lendd $(DESTDIR)$(PREFIX)/sbin/qrgate-lendd
	install -Dm0755 $(B)/qrgatectl $(DESTDIR)$(PREFIX)/bin/qrgatectl
	install -Dm0755 $(B)/qrgate-issue $(DESTDIR)$(PREFIX)/bin/qrgate-issue
	install -Dm0644 etc/qrgate.conf $(DESTDIR)/etc/qrgate/qrgate.conf.example
	@# The shipped configuration as it is, so that the installed unit starts (degraded until the
	@# site fills it in) — but never over a site's own.
	@if [ -e $(DESTDIR)/etc/qrgate/qrgate.conf ]; then \
		echo "install: keeping $(DESTDIR)/etc/qrgate/qrgate.conf (the shipped one is qrgate.conf.example)"; \
	else install -m0644 etc/qrgate.conf $(DESTDIR)/etc/qrgate/qrgate.conf; fi
	install -Dm0644 -t $(DESTDIR)$(PREFIX)/share/doc/qrgate README.md docs/*.md docs/io.qrgate.Gate1.xml
	install -Dm0644 docs/io.qrgate.Gate1.xml $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces/io.qrgate.Gate1.xml
	@for m in $(MAN_PAGES); do \
		sed 's|/usr/local|$(PREFIX)|g' $$m | install -Dm0644 /dev/stdin $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$$(basename $$m); \
	done
	@for f in systemd/*; do [ -e "$$f" ] || continue; case $$f in \
		*.service) sed 's|/usr/local|$(PREFIX)|g' $$f | install -Dm0644 /dev/stdin $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$f) ;; \
		*.sysusers) install -Dm0644 $$f $(DESTDIR)$(PREFIX)/lib/sysusers.d/qrgate.conf ;; \
		*.dbus.conf) install -Dm0644 $$f $(DESTDIR)$(DBUS_POLICY_DIR)/$$(basename $$f .dbus.conf).conf ;; \
		*.rules) install -Dm0644 $$f $(DESTDIR)$(UDEV_RULES_DIR)/$$(basename $$f) ;; \
		*.catalog) sed 's|/usr/local|$(PREFIX)|g' $$f | install -Dm0644 /dev/stdin $(DESTDIR)$(PREFIX)/lib/systemd/catalog/$$(basename $$f) ;; \
	esac; done
	@if [ -z "$(DESTDIR)" ]; then \
		case "$(PREFIX)" in /usr|/usr/local) ;; *) echo "install: journalctl does not read catalogs in $(PREFIX)/lib/systemd/catalog" ;; esac; \
		journalctl --update-catalog || echo "install: journalctl --update-catalog failed; run it as root for journalctl -x"; \
	fi

# Removes what install put there, given the same DESTDIR, PREFIX and folders; then the folders
# that are qrgate's own, if empty. An /etc/qrgate/qrgate.conf written by hand stays: install never
# wrote it. tests/package/test-install.sh checks that nothing install wrote is left behind.
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/sbin/qrgated $(DESTDIR)$(PREFIX)/sbin/qrgate-lendd $(DESTDIR)$(PREFIX)/bin/qrgatectl $(DESTDIR)$(PREFIX)/bin/qrgate-issue
	rm -f $(DESTDIR)/etc/qrgate/qrgate.conf.example
	@# The configuration install wrote, if it is still as shipped; a site's own stays.
	@if cmp -s etc/qrgate.conf $(DESTDIR)/etc/qrgate/qrgate.conf; then rm -f $(DESTDIR)/etc/qrgate/qrgate.conf; \
	elif [ -e $(DESTDIR)/etc/qrgate/qrgate.conf ]; then echo "uninstall: keeping $(DESTDIR)/etc/qrgate/qrgate.conf (changed)"; fi
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/share/doc/qrgate/,README.md $(notdir $(wildcard docs/*.md)) io.qrgate.Gate1.xml)
	rm -f $(DESTDIR)$(PREFIX)/share/dbus-1/interfaces/io.qrgate.Gate1.xml
	@for m in $(MAN_PAGES); do rm -f $(DESTDIR)$(PREFIX)/share/man/man$${m##*.}/$$(basename $$m); done
	@for f in systemd/*; do [ -e "$$f" ] || continue; case $$f in \
		*.service) rm -f $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$f) ;; \
		*.sysusers) rm -f $(DESTDIR)$(PREFIX)/lib/sysusers.d/qrgate.conf ;; \
		*.dbus.conf) rm -f $(DESTDIR)$(DBUS_POLICY_DIR)/$$(basename $$f .dbus.conf).conf ;; \
		*.rules) rm -f $(DESTDIR)$(UDEV_RULES_DIR)/$$(basename $$f) ;; \
		*.catalog) rm -f $(DESTDIR)$(PREFIX)/lib/systemd/catalog/$$(basename $$f) ;; \
	esac; done
	@rmdir $(DESTDIR)$(PREFIX)/share/doc/qrgate $(DESTDIR)/etc/qrgate 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ]; then journalctl --update-catalog || true; fi

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
