# make check-fresh (issue 12): the README's path on a bare Debian bookworm root, every time:
# ./bootstrap, make demo, make check, in a root mmdebstrap makes (tests/fresh/README.md).
# `make check` runs it as one of its suites, except inside that root, which carries the marker
# FRESH_MARKER: there check-fresh is no suite and its packages (kind "fresh" in mk/deps.list)
# are not installed, so the root's own make check does not start another one.

FRESH_MARKER := /etc/qrgate-check-fresh
# HOOK: where check-fresh looks for the .debs `make deb` builds (installs them into a second bare
# root and runs tests/fresh/installed-deb.sh there); the lead points this at make deb's output.
FRESH_DEBS ?= $(B)/deb

.PHONY: check-fresh
ifeq ($(wildcard $(FRESH_MARKER)),)
DEB_KINDS += fresh
CHECK_EXTRA += check-fresh
endif

check-fresh: deps
	@B=$(B) FRESH_DEBS=$(FRESH_DEBS) tests/fresh/check-fresh
