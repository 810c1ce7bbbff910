#!/usr/bin/env python3
"""NumPy reference for bench/bench_nnft.c: the Monte Carlo ensemble of `feynn nnft sample`
written as a user would vectorise it in NumPy (float64), timed in networks per second.

    python3 bench/bench_nnft_numpy.py [--widths 2,3,5,10,20,100,1000] [--seconds S]
                                      [--repeats R] [--act erf|relu] [--seed K]
                                      [--erf auto|scipy|nr]

The ensemble of MATH.md 4.1 at the six inputs "hms-d1" of doc/nnft-spec.md (d = 1,
sigma_W = sigma_b = sigma_a = 1): f(x) = b1 + sum_i a_i phi(W0_i x + b0_i), W0, b0, b1 ~
N(0, 1), a ~ N(0, 1/N); for every sorted 2-, 4- and 6-tuple of the inputs (21 + 126 + 462)
the sum of the products f(x_i1)..f(x_in) and of their squares over the networks (mean and
variance per tuple), in chunks of networks so that memory stays bounded; the products are
built from the pair products (a 4-tuple as two pairs, a 6-tuple as a 4-tuple times a pair),
one multiplication per tuple as in feynn.  The same work
as fy_nnft_sample (which also keeps 10 chunk means, a negligible extra).

NumPy has no erf: the script takes SciPy's (scipy.special.erf, float64, about four times
faster than the fit below on this machine) when SciPy is installed, as a NumPy user would,
and otherwise the Numerical Recipes erfc Chebyshev fit (fractional error below 1.2e-7,
checked against math.erf at start); --erf scipy|nr forces one ("erf" in the output names
the one used).  Parameters come from NumPy's default generator (PCG64, ziggurat normals),
not from feynn's Philox: the figures compare speed; the tuple means of both routes are
printed for a statistical sanity check.

Each width runs --repeats times (default 3) for about --seconds (default 1) of CPU time each,
after a pilot (growing runs) and one untimed run of the final size (the first run of a size
pays for mapping its arrays: up to a third slower); networks_per_s is the median of the repeats' networks per CPU
second of the process (run it with OPENBLAS_NUM_THREADS=1, as bench_nnft does, for one core,
and, as bench_nnft does too, with GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:
glibc.malloc.trim_threshold=4294967296 so that the temporaries of every chunk are not mapped
and faulted in afresh: on a virtual machine those page faults can take a third of the time;
networks_per_s_runs lists every repeat), networks_per_wall_s per wall second (median);
draws_fraction and activation_fraction: the parts of the timed runs' CPU time spent drawing
the parameters (with the pre-activations) and in erf (or the ReLU).
Prints one JSON object: {"numpy": version, "widths": [...], "networks_per_s": [...],
"networks": [...], "G2_00": [...], "G4_0000": [...], "G6_000000": [...]} or {"numpy": null,
"skipped": why} without NumPy (exit 0: a reference, not a requirement)."""
import itertools
import json
import math
import sys
import time

HMS_D1 = [-0.01, -0.006, -0.002, 0.002, 0.006, 0.01]  # the set "hms-d1" of doc/nnft-spec.md


def erf_nr(np, x):
    """erf(x) = 1 - erfc(x), erfc by Numerical Recipes' erfcc (|error| < 1.2e-7)."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    p = 0.17087277
    for c in (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806, 0.09678418,
              0.37409196, 1.00002368, -1.26551223):
        p = c + t * p
    r = t * np.exp(-z * z + p)
    return np.where(x >= 0, 1.0 - r, r - 1.0)


def tuples(P, n):
    return [t for t in itertools.combinations_with_replacement(range(P), n)]


def plan(np, P):
    """Index arrays: the pairs (i, j); each sorted 4-tuple as a product of two pairs; each
    sorted 6-tuple as its 4-tuple prefix times a pair (the same route as feynn's sampler)."""
    pairs = tuples(P, 2)
    pid = {t: k for k, t in enumerate(pairs)}
    t4 = tuples(P, 4)
    qid = {t: k for k, t in enumerate(t4)}
    t6 = tuples(P, 6)
    return (np.array([t[0] for t in pairs]), np.array([t[1] for t in pairs]),
            np.array([pid[t[:2]] for t in t4]), np.array([pid[t[2:]] for t in t4]),
            np.array([qid[t[:4]] for t in t6]), np.array([pid[t[4:]] for t in t6]))


def erf_function(np, which):
    """(name, function): SciPy's erf where asked or, for auto, importable; else erf_nr."""
    if which in ("auto", "scipy"):
        try:
            import scipy.special
            return "scipy.special.erf " + scipy.__version__, scipy.special.erf
        except ImportError:
            if which == "scipy":
                raise
    return "nr", lambda z: erf_nr(np, z)


def run(np, rng, N, M, x, act, idx, erf, split=None):
    """Sums of products and squares over M networks of width N (n = 2, 4, 6); split, a list
    of two, gets the CPU seconds of the draws and of the activation added."""
    P = len(x)
    i2, j2, a4, b4, c6, p6 = idx
    sums = [np.zeros(len(i)) for i in (i2, a4, c6)]
    sqs = [np.zeros(len(i)) for i in (i2, a4, c6)]
    chunk = max(1, min(M, 2000000 // (N * P + 500)))
    done = 0
    while done < M:
        m = min(chunk, M - done)
        t0 = time.process_time()
        W = rng.standard_normal((m, N))
        b0 = rng.standard_normal((m, N))
        a = rng.standard_normal((m, N)) / math.sqrt(N)
        b1 = rng.standard_normal(m)
        z = b0[:, :, None] + W[:, :, None] * x[None, None, :]          # (m, N, P)
        t1 = time.process_time()
        phi = erf(z) if act == "erf" else np.maximum(z, 0.0)
        if split is not None:
            split[0] += t1 - t0
            split[1] += time.process_time() - t1
        f = b1[:, None] + np.einsum("mn,mnp->mp", a, phi)              # (m, P)
        pp = f[:, i2] * f[:, j2]                                        # (m, 21)
        q4 = pp[:, a4] * pp[:, b4]                                      # (m, 126)
        q6 = q4[:, c6] * pp[:, p6]                                      # (m, 462)
        for k, prod in enumerate((pp, q4, q6)):
            sums[k] += prod.sum(axis=0)
            sqs[k] += (prod * prod).sum(axis=0)
        done += m
    return sums, sqs


def main(argv):
    widths = [2, 3, 5, 10, 20, 100, 1000]
    seconds = 1.0
    act = "erf"
    seed = 1
    repeats = 3
    which = "auto"
    i = 1
    while i < len(argv):
        if argv[i] == "--widths" and i + 1 < len(argv):
            widths = [int(v) for v in argv[i + 1].split(",")]
            i += 2
        elif argv[i] == "--seconds" and i + 1 < len(argv):
            seconds = float(argv[i + 1])
            i += 2
        elif argv[i] == "--repeats" and i + 1 < len(argv):
            repeats = max(1, int(argv[i + 1]))
            i += 2
        elif argv[i] == "--erf" and i + 1 < len(argv) and argv[i + 1] in ("auto", "scipy", "nr"):
            which = argv[i + 1]
            i += 2
        elif argv[i] == "--act" and i + 1 < len(argv):
            act = argv[i + 1]
            i += 2
        elif argv[i] == "--seed" and i + 1 < len(argv):
            seed = int(argv[i + 1])
            i += 2
        else:
            sys.stderr.write(__doc__)
            return 2
    try:
        import numpy as np
    except ImportError as e:
        print(json.dumps({"numpy": None, "skipped": "NumPy not installed for %s (%s); set "
                          "FEYNN_PYTHON to an interpreter that has it" % (sys.executable, e)}))
        return 0
    try:
        erf_name, erf = erf_function(np, which)
    except ImportError as e:
        print(json.dumps({"numpy": np.__version__, "skipped": "--erf scipy: %s" % e}))
        return 0
    xs = np.linspace(-3, 3, 6001)
    worst = max(abs(float(v) - math.erf(float(u))) for u, v in zip(xs, erf(xs)))
    assert worst < 1.5e-7, worst
    x = np.array(HMS_D1)
    idx = plan(np, len(x))
    rng = np.random.default_rng(seed)
    out = {"numpy": np.__version__, "act": act, "inputs": "hms-d1", "erf": erf_name,
           "erf_max_error": worst,
           "widths": widths, "repeats": repeats, "networks_per_s": [],
           "networks_per_s_runs": [], "networks_per_wall_s": [], "networks": [],
           "seconds": [], "cpu_seconds": [], "draws_fraction": [], "activation_fraction": [],
           "G2_00": [], "G4_0000": [], "G6_000000": []}
    for N in widths:
        M = 100
        while True:  # pilot: grow until a run takes a tenth of the budget
            t0 = time.process_time()
            run(np, rng, N, M, x, act, idx, erf)
            pilot = time.process_time() - t0
            if pilot > 0.1 * seconds or M >= 10 ** 8:
                break
            M *= 4
        M = max(1000, int(M * seconds / max(pilot, 1e-6)))
        run(np, rng, N, M, x, act, idx, erf)  # untimed: memory of the final size mapped once
        rates, wall_rates, walls, cpus = [], [], [], []
        split = [0.0, 0.0]
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            sums, _ = run(np, rng, N, M, x, act, idx, erf, split)
            dt, dc = time.perf_counter() - t0, time.process_time() - c0
            rates.append(M / dc)
            wall_rates.append(M / dt)
            walls.append(dt)
            cpus.append(dc)
        out["networks_per_s"].append(sorted(rates)[len(rates) // 2])
        out["networks_per_s_runs"].append(rates)
        out["networks_per_wall_s"].append(sorted(wall_rates)[len(wall_rates) // 2])
        out["networks"].append(M)
        out["seconds"].append(sum(walls))
        out["cpu_seconds"].append(sum(cpus))
        out["draws_fraction"].append(split[0] / sum(cpus))
        out["activation_fraction"].append(split[1] / sum(cpus))
        out["G2_00"].append(sums[0][0] / M)
        out["G4_0000"].append(sums[1][0] / M)
        out["G6_000000"].append(sums[2][0] / M)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
