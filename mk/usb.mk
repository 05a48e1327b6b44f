# USB and serial scanners (issue 13, docs/scanners.md): the test double of a serial scanner that
# the integration tests feed (tests/integration/test-source-serial.sh).

PTY_SCANNER := $(B)/tests/pty-scanner

$(PTY_SCANNER): tests/integration/pty-scanner.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

check-integration: $(PTY_SCANNER)

# The scanner side of the hardware tests' USB gadgets (tests/hw/usb/): built on the host before
# the guest boots, like the other bench programs.
hw-progs: $(B)/hw/hid-feed

$(B)/hw/hid-feed: tests/hw/usb/hid-feed.c hal/keymap.c hal/keymap.h hal/hidpos-report.h core/string-table.h
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c,$^)

# `make bench-hw`: a code from each scanner gadget to the lock line (tests/hw/perf/test-scan-latencies.sh).
hw-progs: $(B)/hw/scan-bench

$(B)/hw/scan-bench: tests/hw/usb/scan-bench.c hal/keymap.c hal/keymap.h hal/hidpos-report.h core/string-table.h
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c,$^)
