#!/usr/bin/env python3
"""The PyTorch baseline of issue 12: maximum-likelihood training of the same invertible network
on the same samples as `feynn inn train`, in float64, timed; both models then compared with the
truth by the same route (`feynn inn compare`).

Set-up (as src/inn/train.c): layers affine, then K x (quadratic coupling, affine); affine
W = L diag(exp s) U (L, U unit triangular, so ln|det W| = sum s); the first affine layer starts
as the whitening map of the training data, the others as the identity; couplings
y_B = u_B + G(u_A, u_A) with the splits alternating between (first half, second half) and the
reverse, G starting as N(0, 0.01^2); a validation split of 10%; minibatch Adam (batch 512,
lr 2e-3, gradient-norm clipping at 10) and then full-batch L-BFGS (history 20, strong Wolfe),
keeping the state with the best validation NLL.

Usage (Debian's python3-torch; a `python3` without torch refuses politely):

    FEYNN_PYTHON=/usr/bin/python3
    $FEYNN_PYTHON bench/bench_inn_train_torch.py --feynn _build/feynn [--quick]

samples the unimodal ring theory of the issue (d = 4, m2 = 1, g3 = 1/2, lam = 1) with
`feynn inn sample`, trains with `feynn inn train` and with PyTorch on the same file, and prints
both times, the speed ratio, and `feynn inn compare` of both models (order-2 error, g3, lam, KL,
cumulant z-scores); both trainers run the same schedule (epochs, L-BFGS iterations and
patience).  --plan kakakakacacaca (with --epochs 0 --lbfgs 300 --lbfgs-patience 100, the
demo's schedule) runs the cubic design of issue 12 (cubic layers y = u + gamma u^3, log-det
ln(1 + 3 gamma u^2); no whitening, as in feynn, since the first layer is not affine) in both
trainers.  --data FILE trains PyTorch alone on FILE (safetensors 'samples' or .npy)
and --out MODEL writes the model in feynn's safetensors layout (doc/inn-format.md).

Memory: the data (n x d doubles) and one autograd graph of the full batch: about
n * d * (layers + 2) * 8 bytes times a small factor -- 10^5 x 4 uses well under 1 GB; the
script refuses more than --max-gb (default 3).
"""
import argparse
import json
import math
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import torch
except ImportError as e:  # pragma: no cover
    sys.stderr.write("bench_inn_train_torch.py needs numpy and torch (%s); run it with "
                     "FEYNN_PYTHON=/usr/bin/python3 (Debian python3-torch)\n" % e)
    sys.exit(2)

UNIMODAL = "lattice ring 4\nkinetic 1\nm2 1\ng3 1/2\nlam 1\n"


# ------------------------------------------------------------------ safetensors by hand

def read_samples(path):
    if path.endswith(".npy"):
        x = np.load(path)
    else:
        with open(path, "rb") as f:
            buf = f.read()
        (hlen,) = struct.unpack("<Q", buf[:8])
        head = json.loads(buf[8:8 + hlen])
        name = "samples" if "samples" in head else [k for k in head if k != "__metadata__"][0]
        t = head[name]
        if t["dtype"] != "F64":
            raise SystemExit("%s: tensor %s has dtype %s, expected F64" % (path, name, t["dtype"]))
        a, b = t["data_offsets"]
        x = np.frombuffer(buf[8 + hlen + a:8 + hlen + b], dtype="<f8").reshape(t["shape"])
    return np.ascontiguousarray(x.reshape(-1, x.shape[-1]), dtype=np.float64)


def write_safetensors(path, tensors, meta):
    head, blobs, off = {"__metadata__": meta}, [], 0
    for name, arr in tensors:
        raw = np.ascontiguousarray(arr, dtype="<f8").tobytes()
        head[name] = {"dtype": "F64", "shape": list(arr.shape),
                      "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    h = json.dumps(head).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ------------------------------------------------------------------ the flow

class Flow(torch.nn.Module):
    def __init__(self, d, couplings, X, seed, plan=None):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.d = d
        # the layer plan of feynn inn train --plan: a affine, c coupling (halves, alternating),
        # k cubic y = u + gamma u^3 (inn-diag, issue 12: the cubic design); i coupling with
        # interleaved splits (even, odd), then (odd, even), counted with c as in feynn
        self.kinds = list(plan) if plan else ["a"] + ["c", "a"] * couplings
        if any(k not in "acik" for k in self.kinds):
            raise SystemExit("--plan: letters a, c, i and k only, not %r" % plan)
        self.aff = torch.nn.ParameterList()
        self.cpl = torch.nn.ParameterList()
        self.cub = torch.nn.ParameterList()
        self.splits = []
        h = d // 2
        for i, k in enumerate(self.kinds):
            if k == "a":
                # L strict lower, s, U strict upper, b
                self.aff.append(torch.nn.Parameter(torch.zeros(d * d + d, dtype=torch.float64)))
            elif k == "k":
                # as src/inn/train.c: |N(0, 0.01^2)|, monotone on all of R at the start
                gam = (0.01 * torch.randn(d, generator=g, dtype=torch.float64)).abs()
                self.cub.append(torch.nn.Parameter(gam))
            else:
                j = len(self.splits)
                if k == "i":
                    A = [t for t in range(d) if t % 2 == j % 2]
                    B = [t for t in range(d) if t % 2 != j % 2]
                else:
                    A, B = (list(range(h)), list(range(h, d))) if j % 2 == 0 else \
                           (list(range(h, d)), list(range(h)))
                self.splits.append((A, B))
                G = 0.01 * torch.randn(len(B), len(A), len(A), generator=g, dtype=torch.float64)
                self.cpl.append(torch.nn.Parameter(G))
        self.sign0 = 1.0
        if self.kinds[0] != "a":
            return  # as feynn: whitening only when the first layer is affine
        # whitening: W = R^-1 with C = R R^T, b = -W mean, written as L diag(exp s) U
        mu = X.mean(0)
        C = np.cov(X.T).reshape(d, d)
        R = np.linalg.cholesky(C)
        W = np.linalg.inv(R)  # lower triangular: L diag(exp s) with U = 1
        p = np.zeros(d * d + d)
        diag = np.diag(W)
        Lm = W / diag[None, :]
        P = p[:d * d].reshape(d, d)
        for i in range(d):
            for j in range(d):
                if i > j:
                    P[i, j] = Lm[i, j]
                elif i == j:
                    P[i, j] = math.log(abs(diag[i]))
        p[:d * d] = P.reshape(-1)
        p[d * d:] = -W @ mu
        with torch.no_grad():
            self.aff[0].copy_(torch.from_numpy(p))
        self.sign0 = np.sign(diag)  # whitening W has a positive diagonal

    def weight(self, p):
        d = self.d
        P = p[:d * d].reshape(d, d)
        L = torch.tril(P, -1) + torch.eye(d, dtype=torch.float64)
        U = torch.triu(P, 1) + torch.eye(d, dtype=torch.float64)
        s = torch.diagonal(P)
        return L @ torch.diag(torch.exp(s)) @ U, s.sum(), p[d * d:]

    def log_prob(self, x):
        u, ld, ia, ic, ik = x, 0.0, 0, 0, 0
        for k in self.kinds:
            if k == "a":
                W, lds, b = self.weight(self.aff[ia])
                ia += 1
                u = u @ W.T + b
                ld = ld + lds
            elif k == "k":
                gam = self.cub[ik]
                ik += 1
                u2 = u * u
                ld = ld + torch.log(1.0 + 3.0 * gam * u2).sum(1)
                u = u + gam * u2 * u
            else:
                A, B = self.splits[ic]
                G = self.cpl[ic]
                G = 0.5 * (G + G.transpose(1, 2))
                ic += 1
                uA = u[:, A]
                shift = torch.einsum("nr,brs,ns->nb", uA, G, uA)
                u = u.clone()
                u[:, B] = u[:, B] + shift
        return -0.5 * (u * u).sum(1) - 0.5 * self.d * math.log(2 * math.pi) + ld

    def export(self, path):
        tensors, meta, ia, ic, ik = [], {}, 0, 0, 0
        for i, k in enumerate(self.kinds):
            if k == "a":
                W, _, b = self.weight(self.aff[ia].detach())
                ia += 1
                tensors += [("layers.%d.weight" % i, W.numpy()), ("layers.%d.bias" % i, b.numpy())]
            elif k == "k":
                tensors.append(("layers.%d.gamma" % i, self.cub[ik].detach().numpy()))
                ik += 1
            else:
                A, B = self.splits[ic]
                G = self.cpl[ic].detach()
                G = 0.5 * (G + G.transpose(1, 2))
                ic += 1
                tensors.append(("layers.%d.G" % i, G.numpy()))
                meta["feynn.inn.split.%d" % i] = "A=%s;B=%s" % (",".join(map(str, A)),
                                                               ",".join(map(str, B)))
        meta["feynn.inn.kinds"] = ",".join({"a": "affine", "c": "coupling", "i": "coupling",
                                            "k": "cubic"}[k]
                                           for k in self.kinds)
        meta["feynn.inn.dim"] = str(self.d)
        meta["format"] = "pt"
        write_safetensors(path, tensors, meta)


def train(X, couplings, epochs, lbfgs_iters, seed, patience=20, batch=512, lr=2e-3, clip=10.0,
          plan=None, lbfgs_patience=None):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(X))
    nval = int(0.1 * len(X))
    Xv, Xt = X[perm[:nval]], X[perm[nval:]]
    net = Flow(X.shape[1], couplings, Xt, seed, plan)
    lpat = patience if lbfgs_patience is None else lbfgs_patience
    xt, xv = torch.from_numpy(Xt), torch.from_numpy(Xv)

    def val():
        with torch.no_grad():
            return -net.log_prob(xv).mean().item()

    best, best_state, bad = val(), [p.detach().clone() for p in net.parameters()], 0
    t0, c0 = time.perf_counter(), time.process_time()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for ep in range(epochs):
        order = torch.from_numpy(rng.permutation(len(Xt)))
        for i in range(0, len(Xt), batch):
            loss = -net.log_prob(xt[order[i:i + batch]]).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), clip)
            opt.step()
        v = val()
        if v < best:
            best, best_state, bad = v, [p.detach().clone() for p in net.parameters()], 0
        else:
            bad += 1
            if patience and bad >= patience:
                break
    t_adam = time.perf_counter() - t0
    c_adam = time.process_time() - c0
    with torch.no_grad():
        for p, q in zip(net.parameters(), best_state):
            p.copy_(q)
    t0, c0 = time.perf_counter(), time.process_time()
    if lbfgs_iters > 0:
        opt = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=1, history_size=20,
                                line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = -net.log_prob(xt).mean()
            loss.backward()
            return loss

        bad = 0
        for it in range(lbfgs_iters):
            opt.step(closure)
            v = val()
            if v < best:
                best, best_state, bad = v, [p.detach().clone() for p in net.parameters()], 0
            else:
                bad += 1
                if lpat and bad >= lpat:
                    break
    t_lbfgs = time.perf_counter() - t0
    c_lbfgs = time.process_time() - c0
    with torch.no_grad():
        for p, q in zip(net.parameters(), best_state):
            p.copy_(q)
        nll = -net.log_prob(xt).mean().item()
    return net, {"adam_s": t_adam, "lbfgs_s": t_lbfgs, "time_s": t_adam + t_lbfgs,
                 "cpu_s": c_adam + c_lbfgs,
                 "train_nll": nll, "val_nll": best}


def run(args):
    """Runs a feynn command; its message on failure."""
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("%s failed (exit %d): %s" % (" ".join(args), r.returncode, r.stderr))
    return r


def compare(feynn, model, theory, data):
    out = run([feynn, "inn", "compare", model, theory, "--samples", data, "--format", "json"])
    c = json.loads(out.stdout)
    t = {e["order"]: e["rel_err"] for e in c["tensors"]}
    cp = c["couplings"]
    return {"rel_err2": t.get(2), "g3": cp["g3"]["learned"], "lam": cp["lam"]["learned"],
            "kl": c["likelihood"]["kl"], "kl_se": c["likelihood"]["kl_se"],
            "cumulant_z": c["cumulant_z"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feynn", help="the feynn binary: run the whole side-by-side bench")
    ap.add_argument("--data", help="train PyTorch on this samples file")
    ap.add_argument("--out", help="write the PyTorch model here (feynn safetensors layout)")
    ap.add_argument("--quick", action="store_true", help="10^4 draws, 5 epochs, 50 L-BFGS")
    ap.add_argument("--samples", type=int, default=100000)
    ap.add_argument("--couplings", type=int, default=3)
    ap.add_argument("--plan", help="layer plan (letters a, c, i, k) instead of --couplings, for "
                    "both trainers: the cubic design of the demo is kakakakacacaca")
    ap.add_argument("--lbfgs-patience", type=int, default=20,
                    help="L-BFGS iterations without a better validation NLL before stopping, "
                    "the same for both trainers (default 20, the Adam patience; feynn's own "
                    "default is 100)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--lbfgs", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-gb", type=float, default=3.0)
    a = ap.parse_args()
    if a.quick:
        a.samples, a.epochs, a.lbfgs = 10000, 5, 50
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    est = a.samples * 4 * (2 * a.couplings + 3) * 8 * 20 / 1e9
    if est > a.max_gb:
        raise SystemExit("the autograd graph would need about %.1f GB (> --max-gb %g)"
                         % (est, a.max_gb))
    if a.feynn is None and a.data is None:
        raise SystemExit("give --feynn BINARY (the side-by-side bench) or --data FILE")
    tmp = tempfile.mkdtemp(prefix="bench_inn_train_")
    data = a.data
    theory = os.path.join(tmp, "unimodal.theory")
    with open(theory, "w") as f:
        f.write(UNIMODAL)
    res = {"samples": a.samples, "couplings": a.couplings, "plan": a.plan, "epochs": a.epochs,
           "lbfgs": a.lbfgs, "threads": a.threads}
    if a.feynn:
        data = os.path.join(tmp, "data.safetensors")
        run([a.feynn, "inn", "sample", theory, "--samples", str(a.samples // 8),
             "--chains", "8", "--seed", str(a.seed), "-o", data])
        fmodel = os.path.join(tmp, "feynn.safetensors")
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        design = ["--plan", a.plan] if a.plan else ["--couplings", str(a.couplings)]
        if a.lbfgs_patience is not None:
            design += ["--lbfgs-patience", str(a.lbfgs_patience)]
        run([a.feynn, "inn", "train", data, "-o", fmodel] + design +
            ["--epochs", str(a.epochs), "--lbfgs", str(a.lbfgs), "--seed", str(a.seed),
             "--threads", str(a.threads), "--quiet"])
        res["feynn_s"] = time.perf_counter() - t0
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        res["feynn_cpu_s"] = (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
    X = read_samples(data)
    net, info = train(X, a.couplings, a.epochs, a.lbfgs, a.seed, plan=a.plan,
                      lbfgs_patience=a.lbfgs_patience)
    res["torch"] = info
    res["torch_s"] = info["time_s"]
    res["torch_cpu_s"] = info["cpu_s"]
    tmodel = a.out or os.path.join(tmp, "torch.safetensors")
    net.export(tmodel)
    if a.feynn:
        res["speedup"] = res["torch_s"] / res["feynn_s"]
        # CPU seconds (one thread each by default here: --threads 1) do not move with the
        # machine's load as wall seconds do
        res["speedup_cpu"] = res["torch_cpu_s"] / res["feynn_cpu_s"]
        res["feynn_vs_truth"] = compare(a.feynn, fmodel, theory, data)
        res["torch_vs_truth"] = compare(a.feynn, tmodel, theory, data)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
