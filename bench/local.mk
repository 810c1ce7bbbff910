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
BENCHES += bench/bench_trees
bench_bench_trees_SOURCES = bench/bench_trees.c
bench_bench_trees_LDADD = libfeynn.la $(FY_DEPLIBS)
# Feynman-graph generator against nauty's geng | multig on the same family
BENCHES += bench/bench_feynman
bench_bench_feynman_SOURCES = bench/bench_feynman.c
bench_bench_feynman_LDADD = libfeynn.la $(FY_DEPLIBS)
# MLP Taylor tensors (fused recursion) against the equivalent CBLAS products
BENCHES += bench/bench_taylor
bench_bench_taylor_SOURCES = bench/bench_taylor.c
bench_bench_taylor_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += bench/bench_taylor_torch.py
# Taylor-mode AD: order-30 directional jets of tanh 64-64-64-64-1 (target under 5 ms)
BENCHES += bench/bench_jet
bench_bench_jet_SOURCES = bench/bench_jet.c
bench_bench_jet_LDADD = libfeynn.la $(FY_DEPLIBS)
# MLP training: one Adam epoch of tanh 16-64-64-1 on 100k samples, loops/CBLAS x 1/all threads
BENCHES += bench/bench_train
bench_bench_train_SOURCES = bench/bench_train.c
bench_bench_train_LDADD = libfeynn.la $(FY_DEPLIBS)
# INN action: order 4 on d = 64 (4 affine + 3 couplings) in double, all orders exactly on d = 8;
# bench_inn --torch runs bench/bench_inn_torch.py (nested autograd) on the same weights
BENCHES += bench/bench_inn
bench_bench_inn_SOURCES = bench/bench_inn.c
bench_bench_inn_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += bench/bench_inn_torch.py
# High-order directional coefficients and vertex values (activation Taylor recurrences):
# one tanh neuron to order 1000 and tanh 64-64-64-64-1, double and 256-bit balls, jet beside
BENCHES += bench/bench_vertex
bench_bench_vertex_SOURCES = bench/bench_vertex.c
bench_bench_vertex_LDADD = libfeynn.la $(FY_DEPLIBS)
# nnft Monte Carlo: fy_nnft_sample (1 and 2 threads) against its floor (drawing and erf only)
# and bench/bench_nnft_numpy.py (vectorised NumPy, the same ensemble), networks per second
BENCHES += bench/bench_nnft
bench_bench_nnft_SOURCES = bench/bench_nnft.c
bench_bench_nnft_LDADD = libfeynn.la $(FY_DEPLIBS)
EXTRA_DIST += bench/bench_nnft_numpy.py
# par: strong scaling of the nnft ensemble on 1 and 2 MPI ranks (networks/s per rank, speed-up,
# identical results); starts itself under mpirun, reports "skipped" without MPI
BENCHES += bench/bench_par
bench_bench_par_SOURCES = bench/bench_par.c
bench_bench_par_LDADD = libfeynn.la $(FY_DEPLIBS)
# ADOL-C peer (C++, only when configure finds ADOL-C): tensor_eval orders 2/3 and hos_forward
# order 100 on bench_taylor's network beside feynn's routes (issue 16)
if HAVE_ADOLC
BENCHES += bench/bench_adolc
bench_bench_adolc_SOURCES = bench/bench_adolc.cpp
bench_bench_adolc_LDADD = libfeynn.la $(FY_DEPLIBS) $(ADOLC_LIBS)
endif
EXTRA_DIST += bench/bench_adolc.cpp
# INN trainer (issue 12, inn-diag): the moment trick against the per-sample route, same run
BENCHES += bench/bench_inn_train
bench_bench_inn_train_SOURCES = bench/bench_inn_train.c
bench_bench_inn_train_LDADD = libfeynn.la $(FY_DEPLIBS)
# start-up of the command (issue 16): feynn version and a tiny feynn taylor against /bin/true,
# median of interleaved runs, wall and CPU, and the shared objects loaded
BENCHES += bench/bench_startup
bench_bench_startup_SOURCES = bench/bench_startup.c
bench_bench_startup_CPPFLAGS = $(AM_CPPFLAGS) -DFY_SRCDIR='"$(abs_top_srcdir)"'
# the benchmarks' operands from the one generator (feynn/rng.h, FY_RNG_PURPOSE_BENCH)
EXTRA_DIST += bench/bench_rng.h bench/bench_stats.h
