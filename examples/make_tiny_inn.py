#!/usr/bin/env python3
"""Writes examples/tiny_inn.safetensors: a d = 4 invertible network in the layout of
doc/inn-format.md (affine, coupling A={0,1} B={2,3}, affine, coupling A={2,3} B={0,1},
affine), with dyadic weights so that every value is exact in its dtype.  Weights are F32,
biases F16 and the coupling tensors G F64, to exercise the exact reading of each dtype.

Pure Python (struct and json only): run it as `python3 examples/make_tiny_inn.py [OUT]`."""
import json
import struct
import sys

D = 4

# (kind, tensors); tensors: name suffix -> (dtype, shape, flat values)
LAYERS = [
    ("affine", {
        "weight": ("F32", [4, 4], [1, 0.5, 0, 0,
                                   0, 1, 0.25, 0,
                                   0, 0, 1, -0.5,
                                   0.125, 0, 0, 1]),
        "bias": ("F16", [4], [0.5, -0.25, 0, 1]),
    }),
    ("coupling", {
        # G[t][r][s] = G_{B[t], A[r], A[s]}, symmetric in r, s
        "G": ("F64", [2, 2, 2], [0.5, 0.25, 0.25, 0,
                                 0, -0.125, -0.125, 1]),
    }),
    ("affine", {
        "weight": ("F32", [4, 4], [2, 0, 0, 0.75,
                                   0, 0.5, 0, 0,
                                   0, 0, 1, 0,
                                   0, 0, 0, 1]),
    }),
    ("coupling", {
        "G": ("F64", [2, 2, 2], [0.0625, 0, 0, 0,
                                 0, 0.5, 0.5, -0.25]),
    }),
    ("affine", {
        "weight": ("F32", [4, 4], [1, 0, 0, 0,
                                   0.5, 1, 0, 0,
                                   0, 0.5, 1, 0,
                                   0, 0, 0.5, 1]),
        "bias": ("F16", [4], [0, 0, 0, 0.375]),
    }),
]
SPLITS = {1: "A=0,1;B=2,3", 3: "A=2,3;B=0,1"}
FMT = {"F64": "<d", "F32": "<f", "F16": "<e"}


def encode(dtype, values):
    out = b"".join(struct.pack(FMT[dtype], v) for v in values)
    for v, b in zip(values, (out[i:i + struct.calcsize(FMT[dtype])]
                             for i in range(0, len(out), struct.calcsize(FMT[dtype])))):
        assert struct.unpack(FMT[dtype], b)[0] == v, (dtype, v)  # exact in its dtype
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "examples/tiny_inn.safetensors"
    header = {}
    data = b""
    for i, (kind, tensors) in enumerate(LAYERS):
        for suffix, (dtype, shape, values) in tensors.items():
            raw = encode(dtype, values)
            header["layers.%d.%s" % (i, suffix)] = {
                "dtype": dtype, "shape": shape,
                "data_offsets": [len(data), len(data) + len(raw)]}
            data += raw
    meta = {"format": "pt", "feynn.inn.dim": str(D),
            "feynn.inn.kinds": ",".join(kind for kind, _ in LAYERS)}
    for i, split in SPLITS.items():
        meta["feynn.inn.split.%d" % i] = split
    header["__metadata__"] = meta
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


if __name__ == "__main__":
    main()
