#!/usr/bin/env python3
"""Compare feynn's order-3 Taylor tensor with PyTorch autograd.

Loads examples/tiny_mlp.safetensors (the network of export_pytorch.py: Linear(3, 8), Tanh,
Linear(8, 8), Tanh, Linear(8, 1), float32 weights) into torch in float64, computes the third
derivative tensor of the output at x = 0 by nested torch.autograd.functional.jacobian of the
Hessian, runs

    feynn taylor examples/tiny_mlp.safetensors --order 3 --format npy -o OUT.npy

and prints the largest absolute difference (and the largest entry, for scale).  feynn is found
as $FEYNN, else ./feynn, else on $PATH.  Needs torch and numpy (Debian: /usr/bin/python3 with
python3-torch).  Exit status 1 when the difference exceeds 1e-12.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL = os.path.join(HERE, "tiny_mlp.safetensors")


def load_safetensors(path):
    """Minimal reader (the format: u64 header length, JSON header, raw little-endian data)."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    dtypes = {"F32": np.float32, "F64": np.float64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[a:b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float64))
    return out


def build(state):
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 1)).double()
    net.load_state_dict(state)
    return net


def third_derivatives(net, x):
    f = lambda y: net(y)[0]
    hess = lambda y: torch.autograd.functional.hessian(f, y, create_graph=True)
    return torch.autograd.functional.jacobian(hess, x)  # shape (3, 3, 3)


def find_feynn():
    for c in (os.environ.get("FEYNN"), "./feynn", shutil.which("feynn")):
        if c and os.path.exists(c):
            return c
    sys.exit("compare_pytorch: feynn not found (set FEYNN=/path/to/feynn)")


def main():
    net = build(load_safetensors(MODEL))
    x = torch.zeros(3, dtype=torch.float64)
    T_torch = third_derivatives(net, x).detach().numpy()
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "d3.npy")
        subprocess.run([find_feynn(), "taylor", MODEL, "--order", "3", "--format", "npy",
                        "-o", out], check=True)
        T_feynn = np.load(out)
    assert T_feynn.shape == (3, 3, 3), T_feynn.shape
    diff = float(np.max(np.abs(T_feynn - T_torch)))
    print(f"order-3 tensor at x = 0, shape {T_feynn.shape}")
    print(f"largest |entry|            {float(np.max(np.abs(T_torch))):.6g}")
    print(f"max |feynn - torch|        {diff:.3g}")
    return 0 if diff <= 1e-12 else 1


if __name__ == "__main__":
    sys.exit(main())
