# `make bench-hw` (issue 14): the door's alarm, relock and end-to-end latencies measured in the
# hardware guest through gpio-sim (tests/hw/bench-hw, tests/hw/perf/). Deliberately not in
# CHECK_EXTRA or BENCH_EXTRA: it boots qemu under TCG and prints figures, it passes or fails
# nothing the lead relies on.
.PHONY: bench-hw

# Runs in the guest; needs no libgpiod (the lines are read from the kernel's trace), so one
# build serves both variants.
$(B)/hw/door-bench: tests/hw/door-bench.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS)

bench-hw: deps
	@B=$(B) MAKE="$(MAKE)" tests/hw/bench-hw
