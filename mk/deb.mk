# Debian packages (issue 12, section 2): `make deb` builds qrgate and qrgate-issuer for this
# machine, `make deb-arm64` cross-builds them for arm64 (Raspberry Pi OS bookworm), and `make
# check` runs the arm64 unit tests under qemu user-mode emulation. debian/ holds the packaging.

# Building and checking the packages; cross-building for arm64 (the :arm64 libraries are the
# development packages DEB_PKGS names, for the other architecture) and running the result under
# qemu-user. libsqlite3-0 and libstdc++6 are what the arm64 SoftHSM2 module loads (see below).
DEB_ARCH_FOREIGN := arm64
DEB_PKGS_EXTRA += debhelper lintian man-db groff-base file \
	crossbuild-essential-arm64 qemu-user-static \
	$(addsuffix :arm64,libcbor-dev libssl-dev zlib1g-dev libqrencode-dev libsystemd-dev libconfig-dev \
		libgpiod-dev libusb-1.0-0-dev libp11-kit-dev libcmocka-dev libsqlite3-0 libstdc++6)

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

# The packaging tests: man pages, make install/uninstall, the one version (tests/package).
PACKAGE_TESTS := $(wildcard tests/package/test-*.sh)
CHECK_EXTRA += check-package
.PHONY: check-package
check-package: $(PROGS)
	@B=$(B) scripts/run-tests package $(PACKAGE_TESTS)

# `make deb`, `make deb-arm64`: the packages in $(B)/deb/ARCH (scripts/build-deb builds them from
# a copy of the tree and fails on any lintian error), after checking that debian/changelog
# carries VERSION. check-deb, in `make check`, builds both without the tests (check-unit and
# check-arm64 run those) and checks what lands where (tests/package/deb-contents).
DEB_HOST_NATIVE := $(shell dpkg --print-architecture 2>/dev/null)
.PHONY: deb deb-arm64 check-deb
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
