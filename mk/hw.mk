# Hardware tests: a Debian kernel booted in qemu (TCG) with gpio-sim, run by `make check`.
# How the bench works and how to add a test: tests/hw/README.md.

# Its packages (qemu, the guest's userland, what builds gpio-sim, and the kernel packages that
# tests/hw/prepare downloads into its cache rather than installs) are named in mk/deps.list.
CHECK_EXTRA += check-hw

.PHONY: check-hw hw-progs hw-force

# The gpiod lock backend is built once per libgpiod API, outside libqrgate.a (which holds the
# installed library's one): v1 against the system's libgpiod 1.x, v2 against Debian trixie's
# libgpiod 2.x that tests/hw/prepare unpacks into QRGATE_HW_GPIOD2 (check-hw passes it).
HW_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -I.
HW_LOCK_SRCS := tests/hw/lock-drive.c hal/lock.c hal/lock-sim.c hal/lock-gpiod.c
HW_LOCK_HDRS := hal/lock.h hal/lock-gpiod.h core/macro.h core/string-table.h
QRGATE_HW_GPIOD2 ?=
# Recursive (=): only the recipe that links against the prefix asks the compiler (see MULTIARCH).
HW_GPIOD2_LIBDIR = $(QRGATE_HW_GPIOD2)/usr/lib/$(MULTIARCH)

hw-progs: $(B)/hw/v1/lock-drive $(B)/hw/v2/lock-drive $(B)/hw/line-hold $(B)/hw/clock-sync $(B)/hw/v1/input-watch \
	$(B)/hw/v2/input-watch $(B)/hw/v2/qrgated

$(B)/hw/v1/lock-drive: $(HW_LOCK_SRCS) hal/lock-gpiod-v1.c hal/chip-gpiod-v1.c $(HW_LOCK_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c,$^) $$(pkg-config --libs libgpiod)

# The program's rpath names the private prefix, so another prefix (a new cache key) must
# rebuild it: the stamp changes only when the prefix does.
$(B)/hw/v2/gpiod2-prefix: hw-force
	@test -n "$(QRGATE_HW_GPIOD2)" || { echo "$@: set QRGATE_HW_GPIOD2 (tests/hw/check-hw does)"; exit 1; }
	@mkdir -p $(dir $@)
	@echo "$(QRGATE_HW_GPIOD2)" | cmp -s - $@ || echo "$(QRGATE_HW_GPIOD2)" >$@

$(B)/hw/v2/lock-drive: $(HW_LOCK_SRCS) hal/lock-gpiod-v2.c hal/chip-gpiod-v2.c $(HW_LOCK_HDRS) $(B)/hw/v2/gpiod2-prefix
	$(CC) $(HW_CFLAGS) -I$(QRGATE_HW_GPIOD2)/usr/include $(ALL_LDFLAGS) -o $@ $(filter %.c,$^) \
		-L$(HW_GPIOD2_LIBDIR) -Wl,-rpath,$(HW_GPIOD2_LIBDIR) -lgpiod

# The gpiod input backend, the same way (tests/hw/input-watch.c).
HW_INPUT_SRCS := tests/hw/input-watch.c hal/input.c hal/input-sim.c hal/debounce.c hal/lock-gpiod.c
HW_INPUT_HDRS := hal/input.h hal/debounce.h hal/lock.h hal/lock-gpiod.h core/macro.h

$(B)/hw/v1/input-watch: $(HW_INPUT_SRCS) hal/input-gpiod-v1.c hal/chip-gpiod-v1.c $(HW_INPUT_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $(filter %.c,$^) $$(pkg-config --libs libgpiod)

$(B)/hw/v2/input-watch: $(HW_INPUT_SRCS) hal/input-gpiod-v2.c hal/chip-gpiod-v2.c $(HW_INPUT_HDRS) $(B)/hw/v2/gpiod2-prefix
	$(CC) $(HW_CFLAGS) -I$(QRGATE_HW_GPIOD2)/usr/include $(ALL_LDFLAGS) -o $@ $(filter %.c,$^) \
		-L$(HW_GPIOD2_LIBDIR) -Wl,-rpath,$(HW_GPIOD2_LIBDIR) -lgpiod

# The daemon against libgpiod 2.x, for the door group's v2 variant (its door inputs and lock on
# the 2.x backends): the whole library built again in its own tree, against the 2.x prefix.
$(B)/hw/v2/qrgated: $(B)/hw/v2/gpiod2-prefix hw-force
	@$(MAKE) --no-print-directory B=$(B)/hw/v2/build GPIOD_MAJOR=2 \
		CFLAGS="$(CFLAGS) -I$(QRGATE_HW_GPIOD2)/usr/include" \
		LDFLAGS="$(LDFLAGS) -L$(HW_GPIOD2_LIBDIR) -Wl,-rpath,$(HW_GPIOD2_LIBDIR)" $(B)/hw/v2/build/qrgated
	@cp $(B)/hw/v2/build/qrgated $@

$(B)/hw/line-hold: tests/hw/line-hold.c core/macro.h
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

# Sets the kernel's synchronization state as an NTP client would (the systemd guest's clock test).
$(B)/hw/clock-sync: tests/hw/clock-sync.c
	@mkdir -p $(dir $@)
	$(CC) $(HW_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

check-hw: deps
	@B=$(B) MAKE="$(MAKE)" tests/hw/check-hw
