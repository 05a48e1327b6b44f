# USB and serial scanners (issue 13, docs/scanners.md): the test double of a serial scanner that
# the integration tests feed (tests/integration/test-source-serial.sh).

PTY_SCANNER := $(B)/tests/pty-scanner

$(PTY_SCANNER): tests/integration/pty-scanner.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

check-integration: $(PTY_SCANNER)
