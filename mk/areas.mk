# Areas (daemon/area.h, issue 15): what anti-passback's presence store costs in memory with
# 100,000 subjects present (tests/bench/bench-areas.c), run by `make bench`.

.PHONY: bench-areas
bench-areas: $(B)/bench/bench-areas
	@echo "# anti-passback presence store with 100,000 subjects (tests/bench/bench-areas.c)"
	@$(B)/bench/bench-areas 100000

BENCH_EXTRA += bench-areas
