# Policy for real sites (issue 15): what the rules cost a decision, in `make bench`
# (tests/bench/bench-decide.c: decide() with no rule and with every rule configured, same run).

BENCH_EXTRA += bench-decide
.PHONY: bench-decide

bench-decide: $(B)/bench/bench-decide
	@echo "# the policy rules' cost per decision (tests/bench/bench-decide.c)"
	@$<
