# The clock the gate can trust (daemon/clock.h, issue 15): the test double of systemd-timedated
# that the integration and security tests serve on their private bus (tests/integration/lib.sh).

FAKE_TIMEDATED := $(B)/tests/fake-timedated

$(FAKE_TIMEDATED): tests/integration/fake-timedated.c api/bus-connect.c tests/bus-serve.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< api/bus-connect.c $$(pkg-config --libs libsystemd)

check-integration: $(FAKE_TIMEDATED)
check-security: $(FAKE_TIMEDATED)
# bench-e2e serves it too, so that the idle figure is the daemon's, not this machine's clock's.
bench: $(FAKE_TIMEDATED)
check-audit-crash: $(FAKE_TIMEDATED)
