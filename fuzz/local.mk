# Fuzzing.  Each parser has a target fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput and a
# corpus in fuzz/corpus/NAME/.  `make check` replays the corpus through every target with the
# ordinary compiler (tests/run-fuzz-smoke.sh, driver fuzz/replay.c); `make fuzz` builds the
# targets with clang -fsanitize=fuzzer,address,undefined and runs each for FUZZ_SECONDS.
#
# A target is added by a fragment like:
#   FUZZ_TARGETS += model_text
#   check_PROGRAMS += fuzz/replay_model_text
#   fuzz_replay_model_text_SOURCES = fuzz/fuzz_model_text.c fuzz/replay.c
#   fuzz_replay_model_text_CPPFLAGS = $(AM_CPPFLAGS)
#   fuzz_replay_model_text_LDADD = libfeynn.la $(FY_DEPLIBS)
#   EXTRA_DIST += fuzz/corpus/model_text
# and a non-empty corpus in fuzz/corpus/model_text/.

FUZZ_SECONDS = 60
EXTRA_DIST += fuzz/replay.c

# make fuzz: a separate clang build of the library with coverage instrumentation, then each
# target for FUZZ_SECONDS over a scratch copy of its corpus.  Findings land in fuzz-build/.
fuzz: $(srcdir)/configure
	@test -n "$(FUZZ_CC)" || { echo "make fuzz needs clang (apt-get install clang libclang-rt-14-dev)"; exit 2; }
	@mkdir -p fuzz-build
	@test -f fuzz-build/Makefile || (cd fuzz-build && $(abs_top_srcdir)/configure -q \
	    CC="$(FUZZ_CC)" CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined" \
	    --disable-shared --without-openmp --without-mpi --without-plplot)
	@$(MAKE) -C fuzz-build libfeynn.la >/dev/null
	@set -e; for t in $(FUZZ_TARGETS); do \
	    echo "fuzz: $$t ($(FUZZ_SECONDS) s)"; \
	    $(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -I$(top_srcdir)/include \
	      -I$(top_srcdir)/src -Ifuzz-build $(CGRAPH_CFLAGS) $(JANSSON_CFLAGS) \
	      $(top_srcdir)/fuzz/fuzz_$$t.c fuzz-build/.libs/libfeynn.a $(FY_DEPLIBS) $(LIBS) -lm \
	      -o fuzz-build/fuzz_$$t; \
	    rm -rf fuzz-build/corpus_$$t; mkdir -p fuzz-build/corpus_$$t; \
	    cp $(top_srcdir)/fuzz/corpus/$$t/* fuzz-build/corpus_$$t/; \
	    (cd fuzz-build && ./fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	      -artifact_prefix=finding_$$t- corpus_$$t 2>fuzz_$$t.log) \
	      || { tail -40 fuzz-build/fuzz_$$t.log; exit 1; }; \
	    grep -E '^(#[0-9]+.*DONE|Done)' fuzz-build/fuzz_$$t.log | tail -1; \
	done
.PHONY: fuzz
