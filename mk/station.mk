# The lending station's gate side (daemon/station.h, docs/lending.md): the test double of the
# lending service that tests/integration/test-station-gate.sh serves on its private bus.

FAKE_LENDD := $(B)/tests/fake-lendd

$(FAKE_LENDD): tests/integration/fake-lendd.c api/gate1.h api/lend1.h
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $$(pkg-config --libs libsystemd)

check-integration: $(FAKE_LENDD)
