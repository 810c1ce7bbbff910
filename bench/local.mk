# Benchmarks: `make bench` builds and runs them; each writes JSON to bench/results/.
# A benchmark is added by a fragment like:
#   BENCHES += bench/bench_trees
#   bench_bench_trees_SOURCES = bench/bench_trees.c
#   bench_bench_trees_LDADD = libfeynn.la $(FY_DEPLIBS)
# Each program prints one JSON object on stdout (timings as ratios against a baseline run in the
# same process, plus the absolute figures) and exits 0; `make bench` collects them.
EXTRA_PROGRAMS = $(BENCHES)
CLEANFILES += $(BENCHES)

bench: $(BENCHES)
	@mkdir -p bench/results
	@set -e; for b in $(BENCHES); do \
	    n=$${b##*/}; echo "bench: $$n"; \
	    ./$$b > bench/results/$$n.json.tmp && mv bench/results/$$n.json.tmp bench/results/$$n.json; \
	    cat bench/results/$$n.json; \
	done
.PHONY: bench
