#!/usr/bin/env python3
"""Export a small PyTorch MLP for feynn.

Builds nn.Sequential(Linear(3, 8), Tanh(), Linear(8, 8), Tanh(), Linear(8, 1)) with a fixed
seed and writes, next to this script:

  tiny_mlp.safetensors   the state_dict (F32) with __metadata__ activation=tanh; written with
                         the `safetensors` package when installed, else by the minimal writer
                         below (8-byte little-endian header length, JSON header, raw data)
  tiny_mlp_weights.txt   every weight as repr() of its value, for an independent check
  tiny_mlp.feynn         the same network in feynn's text format, exact (p/2^k fractions)
  tiny_mlp_npy/          the same tensors as NAME.npy files (numpy.save) + metadata.json
  tiny_mlp_derivs.json   torch.autograd value, gradient, Hessian and third derivatives of the
                         output at x = 0, computed in float64 from the float32 weights

Run with a Python that has torch and numpy (Debian: /usr/bin/python3 with python3-torch):
    /usr/bin/python3 examples/export_pytorch.py
"""
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
METADATA = {"format": "pt", "activation": "tanh", "feynn.widths": "3-8-8-1"}


def build():
    torch.manual_seed(SEED)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 1))


def write_safetensors_minimal(tensors, path, metadata):
    """The safetensors layout: u64 LE header size, JSON header padded with spaces to a
    multiple of 8, then the tensors' little-endian bytes back to back."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = tensors[name].numpy().astype("<f4")
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
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


def main():
    model = build()
    sd = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    path = os.path.join(HERE, "tiny_mlp.safetensors")
    try:
        from safetensors.torch import save_file
        save_file(sd, path, metadata=METADATA)
        how = "safetensors package"
    except ImportError:
        write_safetensors_minimal(sd, path, METADATA)
        how = "minimal writer"

    # Every value as repr() of the float32 value widened to a Python float (exact).
    with open(os.path.join(HERE, "tiny_mlp_weights.txt"), "w") as f:
        f.write("# tensor NAME DIMS..., then the values row by row as repr(float)\n")
        for name, t in sd.items():
            f.write("tensor %s %s\n" % (name, " ".join(str(d) for d in t.shape)))
            rows = t.reshape(t.shape[0], -1) if t.dim() == 2 else t.reshape(1, -1)
            for row in rows.tolist():
                f.write(" ".join(repr(float(v)) for v in row) + "\n")

    # feynn text format with exact dyadic fractions.
    def exact(v):
        p, q = float(v).as_integer_ratio()
        return str(p) if q == 1 else "%d/%d" % (p, q)
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    with open(os.path.join(HERE, "tiny_mlp.feynn"), "w") as f:
        f.write("# tiny_mlp exported by export_pytorch.py (exact values of the float32 weights)\n")
        f.write("feynn-model 1\ninput %d\nactivation tanh\n" % linears[0].in_features)
        for i, lin in enumerate(linears):
            f.write("layer %d name %d\n" % (lin.out_features, 2 * i))
            for row in lin.weight.detach().tolist():
                f.write(" ".join(exact(v) for v in row) + "\n")
            f.write("bias " + " ".join(exact(v) for v in lin.bias.detach().tolist()) + "\n")

    # The same tensors as .npy files written by numpy itself.
    npy_dir = os.path.join(HERE, "tiny_mlp_npy")
    os.makedirs(npy_dir, exist_ok=True)
    for name, t in sd.items():
        np.save(os.path.join(npy_dir, name + ".npy"), t.numpy())
    with open(os.path.join(npy_dir, "metadata.json"), "w") as f:
        json.dump({"activation": "tanh"}, f)
        f.write("\n")

    # Reference derivatives at 0 in float64 from the float32 weights.
    m64 = build()
    m64.load_state_dict(sd)
    m64 = m64.double()

    def f(x):
        return m64(x).squeeze(-1)

    x0 = torch.zeros(3, dtype=torch.float64)
    value = f(x0).item()
    grad = torch.autograd.functional.jacobian(f, x0)
    hess = torch.autograd.functional.hessian(f, x0)
    third = torch.autograd.functional.jacobian(
        lambda x: torch.autograd.functional.hessian(f, x, create_graph=True), x0)
    out = {
        "description": "derivatives of the output of tiny_mlp at x = 0, torch.autograd in "
                       "float64 from the float32 weights",
        "torch_version": torch.__version__,
        "seed": SEED,
        "point": [0.0, 0.0, 0.0],
        "value": value,
        "gradient": grad.tolist(),
        "hessian": hess.tolist(),
        "third": third.tolist(),
    }
    with open(os.path.join(HERE, "tiny_mlp_derivs.json"), "w") as fp:
        json.dump(out, fp, indent=1)
        fp.write("\n")
    print("wrote %s (%s), tiny_mlp_weights.txt, tiny_mlp.feynn, tiny_mlp_npy/, "
          "tiny_mlp_derivs.json" % (path, how), file=sys.stderr)


if __name__ == "__main__":
    main()
