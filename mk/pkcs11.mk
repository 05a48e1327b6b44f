# Token service (pkcs11/, issue 4): the fault-injection PKCS#11 module its tests and benchmark
# load, and the benchmark. Docs: docs/token.md; the module's interface: tests/pkcs11/fault-control.h.

# The module wraps SoftHSM2. Test programs find it next to themselves (<dir>/pkcs11/), so the
# plain tests get a plain copy and the ASan tests an instrumented one.
TOKEN_FAULT_SO := $(B)/tests/pkcs11/libqrgate-fault.so
TOKEN_FAULT_ASAN_SO := $(B)/asan/tests/pkcs11/libqrgate-fault.so
TOKEN_FAULT_DEPS := tests/pkcs11/fault-module.c tests/pkcs11/fault-control.h

$(TOKEN_FAULT_SO): $(TOKEN_FAULT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $< -lpthread

$(TOKEN_FAULT_ASAN_SO): $(TOKEN_FAULT_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -fPIC -shared $(ALL_LDFLAGS) -o $@ $< -lpthread

# Extra prerequisites of the pattern-built unit tests and of the test targets (the recipes are
# the top-level Makefile's; these lines only add what the token tests load at run time).
TOKEN_TEST_NAMES := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test-token*.c))
$(TOKEN_TEST_NAMES:%=$(B)/tests/%): $(TOKEN_FAULT_SO) tests/pkcs11/token-fixture.h
$(TOKEN_TEST_NAMES:%=$(B)/asan/tests/%): $(TOKEN_FAULT_ASAN_SO) tests/pkcs11/token-fixture.h
check-unit: $(TOKEN_FAULT_SO)
check-asan: $(TOKEN_FAULT_ASAN_SO)

# `make bench` runs this after the verifier benchmark: service vs raw module throughput, and
# how long a door decision waits while the token is slow.
BENCH_EXTRA += bench-token
.PHONY: bench-token
$(B)/bench/bench-token: tests/pkcs11/token-fixture.h
bench-token: $(B)/bench/bench-token $(TOKEN_FAULT_SO)
	@QRGATE_FAULT_MODULE=$(CURDIR)/$(TOKEN_FAULT_SO) $(B)/bench/bench-token

# The daemon-level token tests (tests/integration/test-token.sh) load the plain copy too.
check-integration: $(TOKEN_FAULT_SO)
