#!/usr/bin/env python3
"""PyTorch peer of bench/bench_taylor.c: the full derivative tensors d^n F at 0 of an MLP by
functorch compositions of jacrev and jacfwd, the way a user would get them today.

    python3 bench/bench_taylor_torch.py MODEL.safetensors [--orders 2,3,4] [--rounds R]
            [--threads T] [--max-seconds S] [--all-routes] [--feynn BENCH.json] [--npy DIR]

MODEL is the network written by `bench_taylor --save FILE` (tensors 0.weight, 0.bias,
2.weight, ... in float64 or float32; metadata "activation", default tanh): the same weights
as bench_taylor's reference network (tanh 64-64-64-64-1).  For each order every composition
of jacrev/jacfwd that ends in jacrev (reverse mode for the scalar output, then forward or
reverse for the rest) is timed in CPU time of the process (time.process_time: one thread,
so the load of a shared machine does not count; wall times beside), the best route's minimum
over the rounds reported (order 4
and above: forward over reverse only, the best route at order 3, unless --all-routes: one
order-4 route takes tens of seconds); a route whose round exceeds --max-seconds (default
120) is timed once.  The ratios to feynn use bench_taylor's CPU times ("cpu").  --threads sets
torch.set_num_threads (default 1, the bench's setting).  --feynn names the JSON that
bench_taylor printed: the ratios torch_best / feynn (diagram route and fused recursion) are
added for each order.  --npy DIR: the files DIR/order{n}.npy (feynn taylor --format npy, the
same network) are compared with torch's tensors (max_abs_diff).

Prints one JSON object.  Without PyTorch (or functorch) it prints {"torch": null, "skipped":
"..."} and exits 0: a reference, not a requirement."""
import itertools
import json
import struct
import sys
import time

DTYPES = {"F64": ("d", 8), "F32": ("f", 4)}


def read_safetensors(path):
    """The metadata and the tensors (shape, flat list of floats) of a safetensors file."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, t in header.items():
        a, b = t["data_offsets"]
        code, size = DTYPES[t["dtype"]]
        tensors[name] = (t["shape"], list(struct.unpack("<%d%s" % ((b - a) // size, code),
                                                        data[a:b])))
    return meta, tensors


def opt(args, name, default, conv=str):
    if name in args:
        i = args.index(name)
        return conv(args[i + 1])
    return default


def main(argv):
    args = argv[1:]
    if not args or args[0].startswith("-"):
        sys.stderr.write(__doc__)
        return 2
    model = args[0]
    orders = [int(o) for o in opt(args, "--orders", "2,3,4").split(",")]
    rounds = opt(args, "--rounds", 5, int)
    threads = opt(args, "--threads", 1, int)
    max_s = opt(args, "--max-seconds", 120.0, float)
    feynn_json = opt(args, "--feynn", None)
    npy_dir = opt(args, "--npy", None)
    try:
        import torch
        try:
            from torch.func import jacfwd, jacrev
            lib = "torch.func"
        except ImportError:
            from functorch import jacfwd, jacrev
            lib = "functorch"
    except ImportError as e:
        print(json.dumps({"torch": None, "skipped": "no PyTorch/functorch: %s" % e}))
        return 0
    torch.set_num_threads(threads)
    meta, ts = read_safetensors(model)
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "erf": torch.erf,
           "softplus": torch.nn.functional.softplus}[meta.get("activation", "tanh")]
    layers = []
    k = 0
    while "%d.weight" % k in ts:
        shape, w = ts["%d.weight" % k]
        bshape, b = ts["%d.bias" % k]
        layers.append((torch.tensor(w, dtype=torch.float64).reshape(shape),
                       torch.tensor(b, dtype=torch.float64)))
        k += 2
    d = layers[0][0].shape[1]

    def f(x):
        h = x
        for i, (W, b) in enumerate(layers):
            h = W @ h + b
            if i < len(layers) - 1:
                h = act(h)
        return h[0]

    x0 = torch.zeros(d, dtype=torch.float64)
    out = {"bench": "taylor_torch", "library": lib, "torch_version": torch.__version__,
           "threads": threads, "network": "%s %s" % (meta.get("activation", "tanh"),
                                                      "-".join([str(d)] + [str(W.shape[0])
                                                                          for W, _ in layers])),
           "orders": {}}
    feynn = None
    if feynn_json:
        with open(feynn_json) as fp:
            feynn = json.load(fp)
    for n in orders:
        routes = {}
        wall = {}
        tensors = {}
        combos = list(itertools.product(["jacfwd", "jacrev"], repeat=n - 1))
        if n >= 4 and "--all-routes" not in args:
            combos = [("jacfwd",) * (n - 1)]  # forward over reverse: the best route at 3
        for combo in combos:
            name = "(".join(combo) + ("(" if combo else "") + "jacrev" + ")" * (n - 1)
            g = jacrev(f)
            for c in reversed(combo):
                g = (jacfwd if c == "jacfwd" else jacrev)(g)
            best = bestw = None
            for r in range(rounds):
                t0 = time.perf_counter()
                c0 = time.process_time()
                T = g(x0)
                t = time.process_time() - c0
                w = time.perf_counter() - t0
                best = t if best is None else min(best, t)
                bestw = w if bestw is None else min(bestw, w)
                if t > max_s:
                    break
            routes[name] = best
            wall[name] = bestw
            tensors[name] = T
        bestname = min(routes, key=routes.get)
        row = {"routes_cpu_s": routes, "routes_wall_s": wall, "best_route": bestname,
               "best_s": routes[bestname]}
        ref = tensors[bestname]
        row["routes_max_abs_diff"] = max(float((t - ref).abs().max()) for t in tensors.values())
        if npy_dir:
            import numpy as np
            try:
                A = np.load("%s/order%d.npy" % (npy_dir, n))
                row["max_abs_diff_to_feynn"] = float(abs(A - ref.numpy()).max())
            except OSError as e:
                row["max_abs_diff_to_feynn"] = None
                row["npy"] = str(e)
        if feynn is not None:
            dr = (feynn.get("diagram_route") or {}).get("order%d" % n)
            if dr:
                cd, cf = dr["cpu"]
                row["feynn_diagrams_cpu_s"] = cd
                row["feynn_fused_cpu_s"] = cf
                row["speedup_diagrams"] = routes[bestname] / cd
                row["speedup_fused"] = routes[bestname] / cf
        out["orders"]["order%d" % n] = row
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
