"""Reads a network xiaolan saved with the real readers and checks that they
give xiaolan's predictions.

    python check_interop.py MODEL.safetensors CASES.safetensors [MODEL.onnx]

MODEL.safetensors is a file of `Mlp::save` (PyTorch's layout, or xiaolan's
older one); CASES.safetensors holds `inputs` (the network's inputs, [n, in]),
`points` (what the ONNX model takes: the raw points [n, 2] of a network of
Playground features, else the inputs) and `predictions` (xiaolan's, [n, out]).

1. safetensors.numpy loads the state dict, and a NumPy forward pass, built
   from the architecture in the file's metadata, reproduces the predictions
   (within 1e-9 for an f64 file, 1e-5 for an f32 one).
2. onnx.checker checks MODEL.onnx (full_check: types and shapes inferred),
   and ONNX Runtime runs it on the float32 points: the predictions again,
   within 1e-5 (|a - b| <= 1e-5 * max(1, |b|)).

Prints one JSON line of the measured differences; exits 1 if a check fails.
"""

import json
import math
import re
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

ONNX_TOLERANCE = 1e-5


def activation(name):
    """The NumPy function of an activation as xiaolan names it."""
    m = re.fullmatch(r"([a-z_]+)(?:\((.*)\))?", name.strip())
    if m is None:
        raise ValueError(f"activation: expected a name such as tanh or elu(0.5), found {name!r}")
    base, param = m.group(1), m.group(2)
    p = float(param) if param is not None else None
    sigmoid = lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))
    table = {
        "identity": lambda z: z,
        "step": lambda z: (z > 0).astype(z.dtype),
        "sigmoid": sigmoid,
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0),
        "leaky_relu": lambda z: np.where(z > 0, z, (0.01 if p is None else p) * z),
        "softplus": lambda z: np.logaddexp(0, z),
        "gelu": lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))),
        "silu": lambda z: z * sigmoid(z),
        "elu": lambda z: np.where(z > 0, z, (1.0 if p is None else p) * np.expm1(np.minimum(z, 0))),
        "softmax": lambda z: np.exp(z - z.max(-1, keepdims=True))
        / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True),
    }
    if base not in table:
        raise ValueError(f"activation: expected one of {', '.join(table)}, found {name!r}")
    return table[base]


def layers(tensors, layout):
    """(W [in, out], b) of each layer, in order, from either layout."""
    if layout == "xiaolan":
        n = len(tensors) // 2
        return [(tensors[f"layer{i}.weight"], tensors[f"layer{i}.bias"]) for i in range(n)]
    indices = sorted(int(k.split(".")[0]) for k in tensors if k.endswith(".weight"))
    return [(tensors[f"{i}.weight"].T, tensors[f"{i}.bias"]) for i in indices]


def numpy_forward(model_path, x):
    with safe_open(model_path, framework="np") as f:
        meta = f.metadata() or {}
    tensors = load_file(model_path)
    acts = [activation(a) for a in meta["activations"].split(",")]
    layout = meta.get("layout", "torch")
    dtype = next(iter(tensors.values())).dtype
    a = x.astype(dtype)
    for (w, b), g in zip(layers(tensors, layout), acts, strict=True):
        a = g(a @ w + b)
    return a, dtype


def main(argv):
    model, cases = argv[1], argv[2]
    onnx_path = argv[3] if len(argv) > 3 else None
    c = load_file(cases)
    want = c["predictions"]
    report = {"cases": int(want.shape[0])}
    ok = True

    got, dtype = numpy_forward(model, c["inputs"])
    tol = 1e-9 if dtype == np.float64 else 1e-5
    diff = float(np.max(np.abs(got.astype(np.float64) - want)))
    report.update(numpy_dtype=str(dtype), numpy_max_abs_diff=diff, numpy_tolerance=tol)
    if got.shape != want.shape or not diff <= tol:
        ok = False
        report["numpy_error"] = f"expected predictions within {tol}, found {diff} (shape {got.shape})"

    if onnx_path is not None:
        import onnx
        import onnxruntime as ort

        m = onnx.load(onnx_path)
        onnx.checker.check_model(m, full_check=True)
        report.update(
            onnx_ir_version=m.ir_version,
            onnx_opset=[o.version for o in m.opset_import],
            onnx_ops=sorted({n.op_type for n in m.graph.node}),
        )
        session = ort.InferenceSession(onnx_path, providers=["CPUExecutionProvider"])
        (y,) = session.run(["y"], {"x": c["points"].astype(np.float32)})
        err = np.abs(y.astype(np.float64) - want) / np.maximum(1.0, np.abs(want))
        diff = float(np.max(err))
        report.update(onnx_max_scaled_diff=diff, onnx_tolerance=ONNX_TOLERANCE)
        if y.shape != want.shape or not diff <= ONNX_TOLERANCE:
            ok = False
            report["onnx_error"] = (
                f"expected predictions within {ONNX_TOLERANCE}, found {diff} (shape {y.shape})"
            )
    print(json.dumps(report))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
