# EU DCC ("HC1:") support: the conformance runner over the public test vectors, and the HC1
# benchmark. docs/dcc.md explains both.

# The vectors travel with the project (tests/conformance/dcc/README.md: where they come from, at
# which commit, their licence), so a clone alone passes; `make conformance DCC_DIR=DIR` runs any
# folder laid out the same way.
DCC_DIR ?= $(CURDIR)/tests/conformance/dcc
DCC_KNOWN ?= $(CURDIR)/tests/conformance/dcc-known-mismatches.txt

CHECK_EXTRA += conformance
BENCH_EXTRA += bench-hc1

.PHONY: conformance bench-hc1

$(B)/conformance/dcc-conformance: tests/conformance/dcc-conformance.c $(B)/libqrgate.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags json-c) $(ALL_LDFLAGS) -o $@ $< $(B)/libqrgate.a \
		$(PKG_LIBS) $$(pkg-config --libs json-c)

conformance: $(B)/conformance/dcc-conformance
	@$< --known $(DCC_KNOWN) $(DCC_DIR)

bench-hc1: $(B)/bench/bench-hc1
	@$<
