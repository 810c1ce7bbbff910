# nnft: neural-network field theory: kernels, correlators, ensembles (layer 4)
pkginclude_HEADERS += include/feynn/nnft.h
noinst_HEADERS += src/nnft/nnft_internal.h
libfeynn_la_SOURCES += src/nnft/spec.c src/nnft/kernel.c src/nnft/exact.c src/nnft/mc.c
libfeynn_la_SOURCES += src/nnft/eft.c
libfeynn_la_SOURCES += src/nnft/quad2.c
EXTRA_DIST += doc/nnft-spec.md doc/schema/nnft-spec.schema.json doc/schema/nnft-kernel.schema.json \
	doc/schema/nnft-correlators.schema.json doc/schema/nnft-sample.schema.json
EXTRA_DIST += doc/schema/nnft-couplings.schema.json doc/schema/nnft-predict.schema.json
EXTRA_DIST += doc/schema/demo-nnft.schema.json
libfeynn_la_SOURCES += src/nnft/demo.c
libfeynn_la_SOURCES += src/nnft/euclid.c src/nnft/euclid_mc.c src/nnft/euclid_dual.c
# qft-checks (issue 14): reflection positivity, symmetries, Osterwalder-Schrader, independence
noinst_HEADERS += src/nnft/checks_internal.h
libfeynn_la_SOURCES += src/nnft/rp.c src/nnft/symmetry.c src/nnft/os.c src/nnft/ib.c
EXTRA_DIST += doc/schema/nnft-spectrum.schema.json doc/schema/nnft-duality.schema.json
EXTRA_DIST += examples/nnqft_free1.spec examples/nnqft_free2.spec examples/nnqft_duality.spec
libfeynn_la_SOURCES += src/nnft/euclid_kl.c
# qft2 (issue 14): the second part of feynn demo nnft
noinst_HEADERS += src/nnft/demo_qft.h
libfeynn_la_SOURCES += src/nnft/demo_qft.c
# nnft-speed (issue 13): the vectorised erf of the Monte Carlo sampler
libfeynn_la_SOURCES += src/nnft/erf_fast.c
# rank3 (issue 13): moments over a rank-3 pre-activation Gaussian
libfeynn_la_SOURCES += src/nnft/quad3.c
# qft3 (issue 14): user-given P(|b|) and F (piecewise polynomials), the deeper g
libfeynn_la_SOURCES += src/nnft/euclid_user.c
EXTRA_DIST += examples/nnqft_user.spec examples/nnqft_deep.spec
