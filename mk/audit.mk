# Audit log (issue 5; docs/audit.md): the token-backed unit test's extra prerequisites, the crash
# test that `make check` runs (AUDIT_CRASH_KILLS SIGKILLs of the real daemon, 200 by default),
# and the writer's benchmark in `make bench`.

AUDIT_CRASH_KILLS ?= 200

# test-audit-token signs with SoftHSM2 through the fault-injection module (slow and absent
# token); the module is built by mk/pkcs11.mk next to the test programs.
$(B)/tests/test-audit-token: $(B)/tests/pkcs11/libqrgate-fault.so tests/pkcs11/token-fixture.h
$(B)/asan/tests/test-audit-token: $(B)/asan/tests/pkcs11/libqrgate-fault.so tests/pkcs11/token-fixture.h

CHECK_EXTRA += check-audit-crash
BENCH_EXTRA += bench-audit
.PHONY: check-audit-crash bench-audit

$(B)/tests/audit/crash-driver: tests/audit/crash-driver.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS)

check-audit-crash: $(PROGS) $(B)/tests/audit/crash-driver
	@B=$(B) tests/audit/crash-test.sh $(AUDIT_CRASH_KILLS)

bench-audit: $(B)/bench/bench-audit
	@$<
