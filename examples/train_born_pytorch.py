#!/usr/bin/env python3
"""Train the Born network F_1 in PyTorch and hand it to `feynn born verify`.

The flagship check of feynn (MATH.md 2.4) accepts networks trained elsewhere.  This script
trains, in float64 PyTorch, an MLP  D -> 32 -> 32 -> 1  (tanh) mapping the D step heights of
a potential on (0, R] to its S-wave scattering length a_0, and exports it as safetensors in
nn.Sequential naming (0.weight, 0.bias, 2.weight, ...) with the metadata feynn reads
(activation=tanh, feynn.born.range, feynn.born.steps).  Then

    feynn born verify examples/born_pytorch.safetensors --order 2

compares its gradient and Hessian at U = 0 with the exact Born tensors (c3 and -2K).

Training data (only (U, a_0) pairs; c3, K and the Born terms are never used for training):

  default       the distribution of `feynn demo` (--data box): U_j ~ Uniform(-A, A)
                independently on D = 16 equal steps of (0, 1], A = 1.5, 4000 samples, seed
                fixed.  `feynn born data` only writes shallow attractive potentials, so the
                box potentials are drawn here and labelled in float64 by the zero-energy
                transfer matrices of MATH.md 2.3 (cos/sin for U_j < 0, cosh/sinh for
                U_j > 0): a_0 = R - u(R)/u'(R).  For A <= 1.6 on (0, 1] every draw has a
                convergent Born series (radius >= (pi/2)^2 / A, MATH.md / feynn demo --help),
                so no draw is rejected.  A few labels are checked against the certified
                `feynn born a0` when feynn is found (expect agreement to ~1e-15).
  --data FILE   a data set written by feynn: `feynn born data -o FILE` (shallow attractive
                potentials) or the box data set DIR/data.safetensors of `feynn demo -o DIR`
                (tensors U (N x D) and a0 (N), F64; range R from the metadata key R).

Run with a Python that has torch and numpy (Debian: /usr/bin/python3 with python3-torch):

    /usr/bin/python3 examples/train_born_pytorch.py [--data FILE] [-o OUT] [--verify]

--verify runs `feynn born verify OUT --order 2` at the end (feynn from $FEYNN, ./feynn or
$PATH).  About a minute of CPU (one thread) with the defaults.
"""
import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240607


# ---------------------------------------------------------------- safetensors, minimal
def read_safetensors(path):
    """u64 LE header length, JSON header (dtype, shape, data_offsets), raw LE data."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    dtypes = {"F64": "<f8", "F32": "<f4", "I64": "<i8", "I32": "<i4"}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out, header.get("__metadata__", {}) or {}


def write_safetensors(tensors, path, metadata):
    """F64 tensors in name order; header padded with spaces to a multiple of 8."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f8")
        data = arr.tobytes()
        header[name] = {"dtype": "F64", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# ---------------------------------------------------------------- data
def a0_transfer(U, R):
    """a_0 of step potentials U (N x D) on D equal steps of (0, R], float64 (MATH.md 2.3)."""
    N, D = U.shape
    h = R / D
    u = np.zeros(N)
    up = np.ones(N)
    for j in range(D):
        x = U[:, j]
        k = np.sqrt(np.abs(x))
        kh = k * h
        safe = np.where(k > 0, k, 1.0)
        c = np.where(x < 0, np.cos(kh), np.cosh(kh))
        s = np.where(k > 0, np.where(x < 0, np.sin(kh), np.sinh(kh)) / safe, h)
        us = np.where(x < 0, -k * np.sin(kh), k * np.sinh(kh))   # U_j * s
        u, up = c * u + s * up, us * u + c * up
    return R - u / up


def box_data(n, d, R, A, seed):
    rng = np.random.default_rng(seed)
    U = rng.uniform(-A, A, size=(n, d))
    return U, a0_transfer(U, R)


def find_feynn():
    for c in (os.environ.get("FEYNN"), "./feynn", shutil.which("feynn")):
        if c and os.path.exists(c):
            return c
    return None


def check_labels(feynn, U, a0, R, k=3):
    """Compare k float64 labels with the certified `feynn born a0` (exact input: the
    potential file gives every height as the exact fraction of its double)."""
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(k):
            p = os.path.join(tmp, "u%d.txt" % i)
            with open(p, "w") as f:
                f.write("range %s\n" % frac(R))
                f.write(" ".join(frac(v) for v in U[i]) + "\n")
            out = subprocess.run([feynn, "born", "a0", "--potential", p, "--format", "json"],
                                 check=True, capture_output=True, text=True).stdout
            ref = float(json.loads(out)["a0"])
            worst = max(worst, abs(ref - a0[i]) / max(abs(ref), 1e-300))
    return worst


def frac(v):
    p, q = float(v).as_integer_ratio()
    return str(p) if q == 1 else "%d/%d" % (p, q)


# ---------------------------------------------------------------- training
def train(U, y, hidden, adam_steps, lbfgs_steps, seed):
    torch.manual_seed(seed)
    d = U.shape[1]
    layers, w = [], d
    for h in hidden:
        layers += [torch.nn.Linear(w, h), torch.nn.Tanh()]
        w = h
    layers.append(torch.nn.Linear(w, 1))
    net = torch.nn.Sequential(*layers).double()
    X = torch.from_numpy(U)
    Y = torch.from_numpy(y).unsqueeze(1)
    loss_fn = torch.nn.MSELoss()

    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, adam_steps)
    gen = torch.Generator().manual_seed(seed)
    batch = 256
    steps = 0
    while steps < adam_steps:
        perm = torch.randperm(X.shape[0], generator=gen)
        for i in range(0, X.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(net(X[idx]), Y[idx])
            loss.backward()
            opt.step()
            sched.step()
            steps += 1
            if steps >= adam_steps:
                break
    with torch.no_grad():
        mse_adam = loss_fn(net(X), Y).item()

    lb = torch.optim.LBFGS(net.parameters(), lr=1.0, max_iter=lbfgs_steps,
                           history_size=50, tolerance_grad=1e-14, tolerance_change=1e-16,
                           line_search_fn="strong_wolfe")

    def closure():
        lb.zero_grad()
        loss = loss_fn(net(X), Y)
        loss.backward()
        return loss
    if lbfgs_steps > 0:
        lb.step(closure)
    with torch.no_grad():
        mse = loss_fn(net(X), Y).item()
    return net, mse_adam, mse


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="feynn data set (feynn born data / feynn demo data.safetensors)")
    ap.add_argument("-o", "--output", default=os.path.join(HERE, "born_pytorch.safetensors"))
    ap.add_argument("--steps", type=int, default=16, help="steps D of generated data")
    ap.add_argument("--samples", type=int, default=4000)
    ap.add_argument("--box", type=float, default=1.5, help="half width A (at most 1.6)")
    ap.add_argument("--hidden", default="32,32")
    ap.add_argument("--adam", type=int, default=15000, help="Adam steps (minibatch 256)")
    ap.add_argument("--lbfgs", type=int, default=500, help="L-BFGS iterations (full batch)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--verify", action="store_true", help="run feynn born verify --order 2")
    a = ap.parse_args()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest
    t0 = time.time()
    feynn = find_feynn()

    if a.data:
        t, meta = read_safetensors(a.data)
        U = np.array(t["U"], dtype=np.float64)
        y = np.array(t["a0"], dtype=np.float64).reshape(-1)
        R = float(meta.get("R", 1.0))
        what = "%s (%s)" % (a.data, meta.get("description", "feynn data set"))
    else:
        if not 0 < a.box <= 1.6:
            sys.exit("--box must be in (0, 1.6]")
        R = 1.0
        U, y = box_data(a.samples, a.steps, R, a.box, a.seed)
        what = ("symmetric box U_j ~ U(-%g, %g) on %d steps of (0, %g], %d samples, seed %d, "
                "a_0 by float64 transfer matrices" % (a.box, a.box, a.steps, R, a.samples, a.seed))
        if feynn:
            print("label check: max rel. |a0_float64 - feynn born a0| over 3 samples = %.2e"
                  % check_labels(feynn, U, y, R), file=sys.stderr)
    N, D = U.shape
    print("data: %s" % what, file=sys.stderr)

    hidden = [int(h) for h in a.hidden.split(",") if h]
    net, mse_adam, mse = train(U, y, hidden, a.adam, a.lbfgs, a.seed)
    print("trained %s: mse after Adam %.3e, after L-BFGS %.3e (rms %.2e; rms a0 %.3f), %.1f s"
          % ("-".join(str(w) for w in [D] + hidden + [1]), mse_adam, mse, mse ** 0.5,
             float(np.sqrt(np.mean(y ** 2))), time.time() - t0), file=sys.stderr)

    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    meta = {"format": "pt", "activation": "tanh",
            "feynn.born.range": repr(R), "feynn.born.steps": str(D),
            "feynn.born.note": "trained in PyTorch by examples/train_born_pytorch.py on " + what}
    write_safetensors(sd, a.output, meta)
    print("wrote %s" % a.output, file=sys.stderr)

    if a.verify:
        if feynn is None:
            sys.exit("train_born_pytorch: feynn not found (set FEYNN=/path/to/feynn)")
        r = subprocess.run([feynn, "born", "verify", a.output, "--order", "2"])
        sys.exit(r.returncode)


if __name__ == "__main__":
    main()
