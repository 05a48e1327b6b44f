# make check-fresh (issue 12): the README's path on a bare Debian bookworm root, every time:
# ./bootstrap, make demo, make check, in a root mmdebstrap makes (tests/fresh/README.md).
# `make check` runs it as one of its suites, except inside that root, which carries the marker
# FRESH_MARKER: there check-fresh is no suite and its packages (kind "fresh" in mk/deps.list)
# are not installed, so the root's own make check does not start another one.

FRESH_MARKER := /etc/qrgate-check-fresh
# The .debs check-fresh installs into a second bare root (tests/fresh/installed-deb.sh): what
# `make deb` built for this machine. In `make check`, check-deb has just built them; alone,
# check-fresh builds them first when there are none of this VERSION.
FRESH_DEBS ?= $(B)/deb/$(DEB_HOST_NATIVE)

.PHONY: check-fresh
ifeq ($(wildcard $(FRESH_MARKER)),)
DEB_KINDS += fresh
CHECK_EXTRA += check-fresh
endif

check-fresh: deps
	@ls $(FRESH_DEBS)/qrgate_$(VERSION)_*.deb >/dev/null 2>&1 || \
		DEB_BUILD_OPTIONS=nocheck scripts/build-deb $(B)/deb $(DEB_HOST_NATIVE)
	@B=$(B) FRESH_DEBS=$(FRESH_DEBS) tests/fresh/check-fresh
