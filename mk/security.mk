# Regression tests for the holes a security review found (issue 10; tests/security/README.md
# names the test that pins each one). Scripts drive the real qrgated like the integration tests;
# tests/security/*.c are small helper programs the scripts call.

SECURITY_TESTS := $(wildcard tests/security/test-*.sh)
SECURITY_HELPERS := $(patsubst tests/security/%.c,$(B)/tests/security/%,$(wildcard tests/security/*.c))

CHECK_EXTRA += check-security
.PHONY: check-security

$(B)/tests/security/%: tests/security/%.c $(LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS) $(PKG_LIBS)

check-security: $(PROGS) $(SECURITY_HELPERS)
	@B=$(B) scripts/run-tests security $(SECURITY_TESTS)
