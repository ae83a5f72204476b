"""The one-time check with PyTorch (not run in CI: PyTorch is too large).

    python torch_check.py MODEL.safetensors CASES.safetensors
        builds the nn.Sequential that MODEL's metadata describes,
        load_state_dict's MODEL into it (strict: every name and shape must
        fit) and compares its predictions on CASES' inputs with xiaolan's
        (CASES as for check_interop.py).

    python torch_check.py --write-fixture DIR
        writes a state dict of PyTorch's own making, without any xiaolan
        metadata, for Sequential(Linear(2, 6), ReLU(), Linear(6, 3), Tanh(),
        Linear(3, 1)) (DIR/torch_state_dict.safetensors), and its inputs and
        predictions (DIR/torch_predictions.safetensors: `x`, `y`), which
        xiaolan's tests load and reproduce.

Prints one JSON line of the measured differences; exits 1 if a check fails.
"""

import json
import re
import sys

import torch
from safetensors.numpy import load_file as load_numpy
from safetensors.torch import load_file, save_file
from safetensors import safe_open


class Step(torch.nn.Module):
    """The perceptron's step, which torch.nn has no module for."""

    def forward(self, z):
        return (z > 0).to(z.dtype)


def module(name):
    """The torch.nn module of an activation as xiaolan names it."""
    m = re.fullmatch(r"([a-z_]+)(?:\((.*)\))?", name.strip())
    base, p = m.group(1), (float(m.group(2)) if m.group(2) else None)
    nn = torch.nn
    return {
        "identity": lambda: nn.Identity(),
        "step": lambda: Step(),
        "sigmoid": lambda: nn.Sigmoid(),
        "tanh": lambda: nn.Tanh(),
        "relu": lambda: nn.ReLU(),
        "leaky_relu": lambda: nn.LeakyReLU(0.01 if p is None else p),
        "softplus": lambda: nn.Softplus(),
        "gelu": lambda: nn.GELU(approximate="tanh"),
        "silu": lambda: nn.SiLU(),
        "elu": lambda: nn.ELU(1.0 if p is None else p),
        "softmax": lambda: nn.Softmax(dim=-1),
    }[base]()


def sequential(sizes, activations):
    """Linear, activation, Linear, activation, …: layer i is module 2i."""
    mods = []
    for (i, o), a in zip(zip(sizes, sizes[1:]), activations, strict=True):
        mods += [torch.nn.Linear(i, o), module(a)]
    return torch.nn.Sequential(*mods)


def check(model_path, cases_path):
    with safe_open(model_path, framework="pt") as f:
        meta = f.metadata()
    sizes = [int(s) for s in meta["sizes"].split(",")]
    acts = meta["activations"].split(",")
    state = load_file(model_path)
    dtype = next(iter(state.values())).dtype
    net = sequential(sizes, acts).to(dtype)
    net.load_state_dict(state, strict=True)
    cases = load_numpy(cases_path)
    x = torch.from_numpy(cases["inputs"]).to(dtype)
    want = torch.from_numpy(cases["predictions"]).to(torch.float64)
    with torch.no_grad():
        got = net(x).to(torch.float64)
    diff = float((got - want).abs().max())
    tol = 1e-9 if dtype == torch.float64 else 1e-5
    print(json.dumps({"model": model_path, "torch": torch.__version__, "dtype": str(dtype),
                      "sequential": str(net).replace("\n", " "), "cases": len(want),
                      "max_abs_diff": diff, "tolerance": tol}))
    return diff <= tol


def write_fixture(out):
    torch.manual_seed(13)
    net = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3),
                              torch.nn.Tanh(), torch.nn.Linear(3, 1))
    x = torch.linspace(-3, 3, 32).reshape(16, 2)
    with torch.no_grad():
        y = net(x)
    save_file(net.state_dict(), f"{out}/torch_state_dict.safetensors")
    save_file({"x": x.contiguous(), "y": y.contiguous()}, f"{out}/torch_predictions.safetensors")
    print(json.dumps({"torch": torch.__version__, "keys": list(net.state_dict()), "cases": len(y)}))
    return True


if __name__ == "__main__":
    if sys.argv[1] == "--write-fixture":
        ok = write_fixture(sys.argv[2])
    else:
        ok = check(sys.argv[1], sys.argv[2])
    sys.exit(0 if ok else 1)
