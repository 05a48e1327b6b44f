# Debian packages (issue 12, section 2): `make deb` builds qrgate and qrgate-issuer for this
# machine, `make deb-arm64` cross-builds them for arm64 (Raspberry Pi OS bookworm), and `make
# check` runs the arm64 unit tests under qemu user-mode emulation. debian/ holds the packaging.

# Their packages (building, lintian, the cross compiler, the :arm64 libraries, qemu-user) are in
# mk/deps.list with the others.
DEB_ARCH_FOREIGN := arm64

# `apt-get install PKG:arm64` needs the architecture in dpkg's list first; `make deps` then
# updates the package lists because the :arm64 packages are missing.
.PHONY: deps-foreign-arch
deps: deps-foreign-arch
deps-foreign-arch:
	@for a in $(DEB_ARCH_FOREIGN); do \
		dpkg --print-foreign-architectures | grep -qx "$$a" && continue; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root to add the $$a architecture"; exit 1; fi; \
		echo "deps: dpkg --add-architecture $$a"; dpkg --add-architecture "$$a" || exit 1; \
	done

# The packaging tests: man pages, make install/uninstall, the one version, the units' sandboxes,
# the bus policies (tests/package; bus-answer is the stand-in service the policy test calls).
PACKAGE_TESTS := $(wildcard tests/package/test-*.sh)
BUS_ANSWER := $(B)/tests/bus-answer
CHECK_EXTRA += check-package
.PHONY: check-package
$(BUS_ANSWER): tests/package/bus-answer.c api/bus-connect.c tests/bus-serve.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< api/bus-connect.c $$(pkg-config --libs libsystemd)

check-package: $(PROGS) $(BUS_ANSWER)
	@B=$(B) scripts/run-tests package $(PACKAGE_TESTS)

# `make deb`, `make deb-arm64`: the packages in $(B)/deb/ARCH (scripts/build-deb builds them from
# a copy of the tree and fails on any lintian error), after checking that debian/changelog
# carries VERSION. check-deb, in `make check`, builds both without the tests (check-unit and
# check-arm64 run those) and checks what lands where (tests/package/deb-contents).
DEB_HOST_NATIVE := $(shell dpkg --print-architecture 2>/dev/null)
.PHONY: deb deb-arm64 check-deb check-arm64 arm64-progs
deb:
	@scripts/check-version
	@scripts/build-deb $(B)/deb $(DEB_HOST_NATIVE)
deb-arm64:
	@scripts/check-version
	@scripts/build-deb $(B)/deb arm64

CHECK_EXTRA += check-deb
check-deb:
	@scripts/check-version
	@DEB_BUILD_OPTIONS=nocheck scripts/build-deb $(B)/deb $(DEB_HOST_NATIVE) && \
		B=$(B) tests/package/deb-contents $(B)/deb/$(DEB_HOST_NATIVE) && \
		scripts/build-deb $(B)/deb arm64 && \
		B=$(B) tests/package/deb-contents $(B)/deb/arm64

# The arm64 build of the programs and unit tests, in $(B)/arm64: Debian's cross compiler, the
# :arm64 libraries' .pc files (what aarch64-linux-gnu-pkg-config reads), the same Makefile.
ARM64_B := $(B)/arm64
ARM64_CC := aarch64-linux-gnu-gcc
ARM64_PKG_CONFIG_LIBDIR := /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
# What the arm64 tests load but cannot be installed beside the amd64 packages (not Multi-Arch):
# scripts/foreign-prefix unpacks them, and qemu finds them there first (-L, QEMU_LD_PREFIX).
ARM64_UNPACKED := $(call deps_of,arm64-unpacked)
ARM64_CACHE ?= /var/cache/qrgate-arm64

arm64-progs:
	@PKG_CONFIG_LIBDIR=$(ARM64_PKG_CONFIG_LIBDIR) $(MAKE) --no-print-directory B=$(ARM64_B) CC=$(ARM64_CC) \
		all $(UNIT_SRCS:tests/unit/%.c=$(ARM64_B)/tests/%) $(ARM64_B)/tests/pkcs11/libqrgate-fault.so >/dev/null

# `make check` runs the arm64 unit tests under qemu user-mode emulation and compares them, and
# qrgatectl decode on a set of codes, with the amd64 build (tests/arm64/check-arm64).
CHECK_EXTRA += check-arm64
check-arm64: $(UNIT_BINS) $(PROGS) $(TOKEN_FAULT_SO)
	@$(MAKE) --no-print-directory arm64-progs
	@p=$$(scripts/foreign-prefix $(ARM64_CACHE) $(ARM64_UNPACKED)) && \
		B=$(B) ARM64_B=$(ARM64_B) QEMU_LD_PREFIX=$$p tests/arm64/check-arm64
