#!/usr/bin/env python3
"""PyTorch modules for the invertible networks feynn reads (doc/inn-format.md, MATH.md 3), a
log-likelihood, and an exporter to feynn's safetensors layout.

Layers (u the input of a layer, y its output; the network maps data x to a standard normal
latent z):

  Affine(d)                 y = W u + b                    log-det ln|det W|
  QuadraticCoupling(A, B)   y_A = u_A,
                            y_b = u_b + sum_{a,a'} G[b, a, a'] u_a u_a'   (b in B)
                                                           log-det 0
  Elementwise(d)            y_i = u_i + gamma_i u_i^2      log-det sum_i ln|1 + 2 gamma_i u_i|

INN.log_prob(x) = ln N(f(x); 0, 1) + ln|det df/dx|, the data log-density that training
maximises (feynn's action S = ln p).  INN.export(path) writes layers.I.weight / .bias / .G /
.gamma in float64 with the metadata feynn.inn.kinds, feynn.inn.dim and feynn.inn.split.I; then
`fy_inn_load` (or the `feynn inn` commands) read the network exactly.

Requires torch and safetensors (pip install torch safetensors).  Nothing in feynn's build or
tests needs this file.  Example:

    net = INN(4, [Affine(4), QuadraticCoupling([0, 1], [2, 3]), Affine(4),
                  QuadraticCoupling([2, 3], [0, 1]), Affine(4)])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    for x in batches:
        loss = -net.log_prob(x).mean()
        opt.zero_grad(); loss.backward(); opt.step()
    net.export("my_inn.safetensors")
"""
import math

import torch
from torch import nn


class Affine(nn.Module):
    """y = W u + b (W starts as the identity plus a little noise, so it is invertible)."""

    def __init__(self, d, bias=True, scale=0.1):
        super().__init__()
        self.weight = nn.Parameter(torch.eye(d, dtype=torch.float64)
                                   + scale * torch.randn(d, d, dtype=torch.float64) / d ** 0.5)
        self.bias = nn.Parameter(torch.zeros(d, dtype=torch.float64)) if bias else None

    def forward(self, u):
        y = u @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y, torch.linalg.slogdet(self.weight)[1].expand(u.shape[0])


class QuadraticCoupling(nn.Module):
    """y_A = u_A, y_B = u_B + G(u_A, u_A); volume preserving, invertible for every G.

    G is kept as a free (nB, nA, nA) tensor and symmetrised in its last two indices when used
    and exported (only the symmetric part acts)."""

    def __init__(self, A, B, scale=0.01):
        super().__init__()
        self.A = sorted(int(a) for a in A)
        self.B = sorted(int(b) for b in B)
        assert not set(self.A) & set(self.B), "A and B must be disjoint"
        self.G = nn.Parameter(scale * torch.randn(len(self.B), len(self.A), len(self.A),
                                                  dtype=torch.float64))

    def symmetric_G(self):
        return 0.5 * (self.G + self.G.transpose(1, 2))

    def forward(self, u):
        uA = u[:, self.A]
        g = torch.einsum("tab,na,nb->nt", self.symmetric_G(), uA, uA)
        y = u.clone()
        y[:, self.B] = u[:, self.B] + g
        return y, torch.zeros(u.shape[0], dtype=u.dtype, device=u.device)

    def inverse(self, y):
        u = y.clone()
        yA = y[:, self.A]
        u[:, self.B] = y[:, self.B] - torch.einsum("tab,na,nb->nt", self.symmetric_G(), yA, yA)
        return u


class Elementwise(nn.Module):
    """y_i = u_i + gamma_i u_i^2 (invertible where 1 + 2 gamma_i u_i > 0)."""

    def __init__(self, d):
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(d, dtype=torch.float64))

    def forward(self, u):
        y = u + self.gamma * u * u
        return y, torch.log(torch.abs(1 + 2 * self.gamma * u)).sum(dim=1)


KINDS = {Affine: "affine", QuadraticCoupling: "coupling", Elementwise: "elementwise"}


class INN(nn.Module):
    """z = f_L(...f_1(x)); layers[0] acts on the data."""

    def __init__(self, d, layers):
        super().__init__()
        self.d = d
        self.layers = nn.ModuleList(layers)
        for layer in layers:
            if isinstance(layer, QuadraticCoupling):
                assert sorted(layer.A + layer.B) == list(range(d)), \
                    "a coupling's A and B must together be 0..d-1"

    def forward(self, x):
        """Returns z = f(x) and ln|det df/dx| per sample."""
        logdet = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
        u = x
        for layer in self.layers:
            u, ld = layer(u)
            logdet = logdet + ld
        return u, logdet

    def log_prob(self, x):
        """ln p(x) = ln N(f(x); 0, 1) + ln|det df/dx| (standard normal latent)."""
        z, logdet = self(x)
        return -0.5 * (z * z).sum(dim=1) - 0.5 * self.d * math.log(2 * math.pi) + logdet

    def state_for_feynn(self):
        """The tensors and metadata of feynn's safetensors layout (doc/inn-format.md)."""
        tensors, meta = {}, {"format": "pt", "feynn.inn.dim": str(self.d)}
        kinds = []
        for i, layer in enumerate(self.layers):
            kinds.append(KINDS[type(layer)])
            p = "layers.%d." % i
            if isinstance(layer, Affine):
                tensors[p + "weight"] = layer.weight.detach().to(torch.float64).contiguous()
                if layer.bias is not None:
                    tensors[p + "bias"] = layer.bias.detach().to(torch.float64).contiguous()
            elif isinstance(layer, QuadraticCoupling):
                meta["feynn.inn.split.%d" % i] = "A=%s;B=%s" % (
                    ",".join(map(str, layer.A)), ",".join(map(str, layer.B)))
                if layer.A and layer.B:
                    # (G + G^T)/2 is exactly symmetric in floating point: the sum commutes
                    G = layer.symmetric_G().detach().to(torch.float64)
                    tensors[p + "G"] = G.contiguous()
            else:
                tensors[p + "gamma"] = layer.gamma.detach().to(torch.float64).contiguous()
        meta["feynn.inn.kinds"] = ",".join(kinds)
        return tensors, meta

    def export(self, path):
        """Writes the network for feynn (float64, exact)."""
        from safetensors.torch import save_file
        tensors, meta = self.state_for_feynn()
        save_file({k: v.cpu() for k, v in tensors.items()}, path, metadata=meta)


def load_feynn(path):
    """Reads a file written by export() (or by feynn) back into an INN."""
    from safetensors import safe_open
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
        names = set(f.keys())
        get = {k: f.get_tensor(k) for k in names}
    d = int(meta["feynn.inn.dim"])
    layers = []
    for i, kind in enumerate(meta["feynn.inn.kinds"].split(",")):
        p = "layers.%d." % i
        if kind == "affine":
            layer = Affine(d, bias=(p + "bias") in names)
            layer.weight.data.copy_(get[p + "weight"])
            if layer.bias is not None:
                layer.bias.data.copy_(get[p + "bias"])
        elif kind == "coupling":
            a, b = meta["feynn.inn.split.%d" % i].split(";")
            A = [int(t) for t in a[2:].split(",") if t]
            B = [int(t) for t in b[2:].split(",") if t]
            layer = QuadraticCoupling(A, B)
            layer.G.data.zero_()
            if (p + "G") in names:
                layer.G.data.copy_(get[p + "G"])
        else:
            layer = Elementwise(d)
            layer.gamma.data.copy_(get[p + "gamma"])
        layers.append(layer)
    return INN(d, layers)


if __name__ == "__main__":
    import sys
    torch.manual_seed(0)
    net = INN(4, [Affine(4), QuadraticCoupling([0, 1], [2, 3]), Affine(4),
                  QuadraticCoupling([2, 3], [0, 1]), Affine(4)])
    x = torch.randn(8, 4, dtype=torch.float64)
    print("log p(x):", net.log_prob(x).detach().numpy())
    out = sys.argv[1] if len(sys.argv) > 1 else "inn_pytorch.safetensors"
    net.export(out)
    back = load_feynn(out)
    assert torch.equal(back.log_prob(x), net.log_prob(x))
    print("wrote", out)
