# The library lending station (issue 17; docs/sip2.md): the test ILS that the SIP2 client's
# integration test and `make bench` talk to, the integration test's driver, and the client's
# benchmark.

# The client's TLS (lending/sip2-tls.c) needs libssl besides libcrypto. Every program links
# PKG_LIBS, but --as-needed keeps libssl out of those that do not use it: qrgated has none.
SSL_LIBS := $(shell pkg-config --libs libssl libcrypto 2>/dev/null)
PKG_LIBS += $(SSL_LIBS)

SIP2_ILS := $(B)/tests/sip2-ils

$(SIP2_ILS): tests/ils/sip2-ils.c $(B)/libqrgate-lending.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libqrgate-lending.a $(SSL_LIBS)

# Drives the client through renewals and reconciliation for the integration test.
SIP2_DRIVE := $(B)/tests/sip2-drive

$(SIP2_DRIVE): tests/ils/sip2-drive.c $(B)/libqrgate-lending.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libqrgate-lending.a $(SSL_LIBS)

# The store-and-forward queue and its replay, one command at a time, for test-lend-replay.sh.
LEND_REPLAY_DRIVE := $(B)/tests/lend-replay-drive

$(LEND_REPLAY_DRIVE): tests/ils/lend-replay-drive.c $(B)/libqrgate-lending.a $(B)/libqrgate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/libqrgate-lending.a $(B)/libqrgate.a $(PKG_LIBS)

check-integration: $(SIP2_ILS) $(SIP2_DRIVE) $(LEND_REPLAY_DRIVE)

# The systemd guest of check-hw runs it beside the shipped qrgate-lendd.service
# (tests/hw/systemd/test-lendd-unit-sandbox.sh): built on the host, never under TCG.
hw-progs: $(SIP2_ILS)

BENCH_EXTRA += bench-sip2
.PHONY: bench-sip2

bench-sip2: $(B)/bench/bench-sip2 $(SIP2_ILS)
	@echo "# SIP2 checkout through the client vs a bare TCP round trip to the same test ILS (tests/bench/bench-sip2.c)"
	@$< $(SIP2_ILS)

BENCH_EXTRA += bench-lend-replay
.PHONY: bench-lend-replay

bench-lend-replay: $(B)/bench/bench-lend-replay $(SIP2_ILS)
	@echo "# the offline queue replayed to the test ILS vs the same transactions sent directly; queue on the disk, /var/tmp (tests/bench/bench-lend-replay.c)"
	@$< $(SIP2_ILS)
