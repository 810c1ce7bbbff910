#!/usr/bin/env python3
"""PyTorch reference for bench/bench_inn.c: the derivatives of ln p at 0 of an invertible
network by nested torch.autograd.functional.jacobian, the way a user would get them today.

    python3 bench/bench_inn_torch.py MODEL.safetensors [ORDER] [--max-seconds S] [--max-gb G]

MODEL is an INN in the safetensors layout of doc/inn-format.md (tensors layers.I.weight,
layers.I.bias, layers.I.G, layers.I.gamma; metadata feynn.inn.dim, feynn.inn.kinds,
feynn.inn.split.I = "A=..;B=.."), e.g. the network written by `bench_inn --save FILE`.
ln p(x) = -|f(x)|^2 / 2 - (d/2) ln(2 pi) + ln|det J_f(x)|, in float64.  The derivative
tensors of orders 1..ORDER (default 4) are computed by nesting jacobian (vectorized,
create_graph) and timed; the script stops before an order whose estimated time exceeds
--max-seconds (default 600).  Prints one JSON object: seconds (all orders up to ORDER, or
null when stopped), seconds per order, and the coefficients A2_00 = H_00 / 2,
A4_0000 = D4_0000 / 24 and A4_0_1_32_33 in the A convention (no 1/k! in S = sum A^(k) x^k)
for comparison with feynn.

Without PyTorch the script prints {"torch": null, "skipped": "..."} and exits 0: it is a
reference, not a requirement (the safetensors file is read with struct and json only)."""
import json
import math
import struct
import sys
import time

DTYPES = {"F64": ("d", 8), "F32": ("f", 4), "F16": ("e", 2)}


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
        if t["dtype"] == "BF16":
            raw = data[a:b]
            vals = [struct.unpack("<f", b"\x00\x00" + raw[i:i + 2])[0]
                    for i in range(0, len(raw), 2)]
        else:
            code, size = DTYPES[t["dtype"]]
            vals = list(struct.unpack("<%d%s" % ((b - a) // size, code), data[a:b]))
        tensors[name] = (t["shape"], vals)
    return meta, tensors


def parse_split(s):
    a, b = s.split(";")
    idx = lambda part: [int(v) for v in part.split("=", 1)[1].split(",") if v.strip()]
    return idx(a), idx(b)


def main(argv):
    args = [a for a in argv[1:]]
    max_seconds = 600.0
    max_gb = 4.0
    if "--max-gb" in args:
        i = args.index("--max-gb")
        max_gb = float(args[i + 1])
        del args[i:i + 2]
    if "--max-seconds" in args:
        i = args.index("--max-seconds")
        max_seconds = float(args[i + 1])
        del args[i:i + 2]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    order = int(args[1]) if len(args) > 1 else 4
    try:
        import torch
        from torch.autograd.functional import jacobian
    except ImportError:
        print(json.dumps({"torch": None, "skipped": "PyTorch is not installed (pip install "
                          "torch to time the autograd reference)"}))
        return 0
    torch.set_default_dtype(torch.float64)
    meta, tensors = read_safetensors(path)
    d = int(meta["feynn.inn.dim"])
    kinds = meta["feynn.inn.kinds"].split(",")

    def tensor(name, shape=None):
        if name not in tensors:
            return None
        shp, vals = tensors[name]
        return torch.tensor(vals, dtype=torch.float64).reshape(shape or shp)

    layers = []
    logdet = 0.0
    for i, kind in enumerate(kinds):
        if kind == "affine":
            W = tensor("layers.%d.weight" % i, (d, d))
            b = tensor("layers.%d.bias" % i, (d,))
            layers.append(("affine", W, b if b is not None else torch.zeros(d)))
            logdet += float(torch.linalg.slogdet(W)[1])
        elif kind == "coupling":
            A, B = parse_split(meta["feynn.inn.split.%d" % i])
            G = tensor("layers.%d.G" % i, (len(B), len(A), len(A)))
            layers.append(("coupling", torch.tensor(A), torch.tensor(B), G))
        elif kind == "elementwise":
            layers.append(("elementwise", tensor("layers.%d.gamma" % i, (d,))))
        else:
            raise SystemExit("unknown layer kind %r" % kind)

    def logp(x):
        u, ld = x, logdet
        for ly in layers:
            if ly[0] == "affine":
                u = ly[1] @ u + ly[2]
            elif ly[0] == "coupling":
                ua = u[ly[1]]
                g = torch.einsum("tab,a,b->t", ly[3], ua, ua)
                u = u.index_add(0, ly[2], g)
            else:
                gam = ly[1]
                ld = ld + torch.log1p(2 * gam * u).sum()
                u = u + gam * u * u
        return -0.5 * (u @ u) - 0.5 * d * math.log(2 * math.pi) + ld

    x0 = torch.zeros(d)

    def nest(vectorize):
        fs = [logp]
        for _ in range(order):
            fs.append((lambda f: lambda x: jacobian(f, x, create_graph=True,
                                                    vectorize=vectorize))(fs[-1]))
        return fs

    # vectorized (vmap) jacobians where this torch nests them, else the plain loop over rows
    vectorize = True
    try:
        nest(True)[min(order, 2)](x0)
    except RuntimeError:
        vectorize = False
    fns = nest(vectorize)
    per_order, total, result, stopped = [], 0.0, None, None
    for k in range(1, order + 1):
        if per_order and per_order[-1] * d > max_seconds:
            stopped = "order %d would take about %.0f s (> --max-seconds %g)" % (
                k, per_order[-1] * d, max_seconds)
            break
        # nested create_graph jacobians keep the graph of every row: measured here, order 3
        # of d = 64 held 12.5 GB after 7 minutes and order 4 grew past 15 GB; stop before an
        # order whose estimate (about 50 kB per tensor entry) passes --max-gb
        if float(d) ** k * 50000 > max_gb * 2.0 ** 30:
            stopped = "order %d would need about %.0f GB for the autograd graph (> --max-gb %g)" % (
                k, float(d) ** k * 50000 / 2.0 ** 30, max_gb)
            break
        t0 = time.perf_counter()
        result = fns[k](x0)
        per_order.append(time.perf_counter() - t0)
        total = per_order[-1]  # each nesting recomputes the lower orders
    out = {"torch": torch.__version__, "dim": d, "order": order,
           "method": "nested torch.autograd.functional.jacobian(vectorize=%s, "
                     "create_graph=True) of ln p at 0, float64" % vectorize,
           "seconds_per_order": per_order,
           "seconds": None if stopped else total}
    if stopped:
        out["stopped"] = stopped
    if not stopped and order >= 4 and d >= 34:
        D4 = result.detach()
        out["A4_0000"] = float(D4[0, 0, 0, 0]) / 24
        out["A4_0_1_32_33"] = float(D4[0, 1, 32, 33]) / 24
    if len(per_order) >= 2:
        H = fns[2](x0).detach()
        out["A2_00"] = float(H[0, 0]) / 2
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
