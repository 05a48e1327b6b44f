# Signed deny-lists (issue 16; docs/denylist.md): the benchmark of a 1,000,000-entry list in
# `make bench` — lookup beside a verification, load, memory, and decisions with and without it.

BENCH_EXTRA += bench-denylist
.PHONY: bench-denylist

bench-denylist: $(B)/bench/bench-denylist
	@$<
