# qrgate-lendd, the lending service (docs/lending.md): its own process and unit, so that the code
# that talks to the library's system over the network never runs in qrgated. Its files live in
# lendd/ and link the lending library; nothing of lendd/ goes into qrgated.

LENDD_SRCS := $(wildcard lendd/*.c)
LENDD_OBJS := $(LENDD_SRCS:%.c=$(B)/obj/%.o)

$(LENDD_OBJS): VERSION

$(B)/qrgate-lendd: $(LENDD_OBJS) $(B)/libqrgate-lending.a $(B)/libqrgate.a
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS)

# One of the programs: built by `all`, installed, packaged, started by the integration tests.
PROGS += $(B)/qrgate-lendd

BENCH_EXTRA += bench-lend
.PHONY: bench-lend

bench-lend: $(B)/bench/bench-lend $(B)/qrgated $(B)/qrgate-lendd $(SIP2_ILS)
	@echo "# the lending station: code to patron identified through qrgated, qrgate-lendd and the test ILS, vs a gate decision (scripts/bench-lend)"
	@B=$(B) scripts/bench-lend

# The integration tests' receipt printer: a raw pseudo-terminal that keeps what it is sent.
PTY_PRINTER := $(B)/tests/pty-printer
$(PTY_PRINTER): tests/integration/pty-printer.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<
check-integration: $(PTY_PRINTER)
