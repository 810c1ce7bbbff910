#!/usr/bin/env python3
"""Records the torch.autograd derivatives of ln p(x) for examples/tiny_inn.safetensors at a
point, as examples/tiny_inn_derivs.json: the reference that `make check` compares feynn's INN
action with where torch is absent (tests/test_inn.c).

ln p is built from the PyTorch modules of examples/inn_pytorch.py (torch only; the file is
read with a small pure-Python safetensors reader, so the safetensors package is not needed);
the derivative tensors of orders 1..4 come from nested torch.autograd.functional.jacobian in
float64.  Run: python3 examples/record_inn_reference.py [MODEL] [OUT]."""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from inn_pytorch import INN, Affine, Elementwise, QuadraticCoupling  # noqa: E402

FMT = {"F64": ("<d", 8), "F32": ("<f", 4), "F16": ("<e", 2)}
POINT = [0.25, -0.5, 0.125, 0.0]


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, t in header.items():
        fmt, size = FMT[t["dtype"]]
        a, b = t["data_offsets"]
        count = (b - a) // size
        vals = struct.unpack("<" + fmt[1] * count, data[base + a:base + b])
        tensors[name] = torch.tensor(vals, dtype=torch.float64).reshape(t["shape"])
    return tensors, meta


def build(path):
    tensors, meta = read_safetensors(path)
    d = int(meta.get("feynn.inn.dim", 0)) or tensors["layers.0.weight"].shape[0]
    layers = []
    for i, kind in enumerate(meta["feynn.inn.kinds"].split(",")):
        p = "layers.%d." % i
        if kind == "affine":
            layer = Affine(d, bias=(p + "bias") in tensors)
            layer.weight.data.copy_(tensors[p + "weight"])
            if layer.bias is not None:
                layer.bias.data.copy_(tensors[p + "bias"])
        elif kind == "coupling":
            a, b = meta["feynn.inn.split.%d" % i].split(";")
            layer = QuadraticCoupling([int(t) for t in a[2:].split(",") if t],
                                      [int(t) for t in b[2:].split(",") if t])
            layer.G.data.zero_()
            if (p + "G") in tensors:
                layer.G.data.copy_(tensors[p + "G"])
        else:
            layer = Elementwise(d)
            layer.gamma.data.copy_(tensors[p + "gamma"])
        layers.append(layer)
    return INN(d, layers)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    model = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "tiny_inn.safetensors")
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "tiny_inn_derivs.json")
    net = build(model)
    for p in net.parameters():
        p.requires_grad_(False)

    def logp(x):
        return net.log_prob(x.unsqueeze(0))[0]

    jac = torch.autograd.functional.jacobian
    x0 = torch.tensor(POINT, dtype=torch.float64)
    f1 = lambda x: jac(logp, x, create_graph=True)  # noqa: E731
    f2 = lambda x: jac(f1, x, create_graph=True)  # noqa: E731
    f3 = lambda x: jac(f2, x, create_graph=True)  # noqa: E731
    f4 = lambda x: jac(f3, x)  # noqa: E731
    ref = {
        "description": "derivatives of ln p(x) of %s at the point, torch.autograd (nested "
                       "jacobians) in float64" % os.path.basename(model),
        "torch_version": torch.__version__,
        "model": os.path.basename(model),
        "point": POINT,
        "value": logp(x0).item(),
        "gradient": f1(x0).tolist(),
        "hessian": f2(x0).tolist(),
        "third": f3(x0).tolist(),
        "fourth": f4(x0).tolist(),
    }
    with open(out, "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    print("wrote", out)


if __name__ == "__main__":
    main()
