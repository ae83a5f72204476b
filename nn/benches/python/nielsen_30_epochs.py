#!/usr/bin/env python3
"""Nielsen's whole run in NumPy or PyTorch: 784-30-10, sigmoid, quadratic cost
C = 1/2 ||a - y||^2 averaged over the mini-batch, SGD eta = 3.0, mini-batches
of 10, weights and biases N(0, 1) (his network.py), float32, 30 epochs on the
first 50,000 MNIST training images, reshuffled every epoch; test accuracy on
the official 10,000 after every epoch (not timed).

The same workload as `examples/mnist_nielsen.rs` (xiaolan), so that a whole
run can be compared, first epoch and last: as sigmoid units saturate, f32
gradients underflow to subnormal numbers, which some CPUs handle slowly.
The batch loop is that of ../shared/bench/python/mlp_nielsen_*.py, on MNIST
instead of random pixels and with Nielsen's initialisation.

Run from the repository root, with the venv of ../shared/bench/python/setup.sh:
  python nn/benches/python/nielsen_30_epochs.py --lib numpy --data ../shared/data/mnist
  python nn/benches/python/nielsen_30_epochs.py --lib torch --data ../shared/data/mnist
--threads caps the BLAS (NumPy, through threadpoolctl) or intra-op (PyTorch)
threads. Prints one JSON line with every epoch's training seconds and test
accuracy.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np


def idx(path):
    """An IDX file (gzipped or not) as a NumPy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(folder):
    def find(stem):
        for name in (stem + ".gz", stem):
            p = os.path.join(folder, name)
            if os.path.exists(p):
                return p
        raise SystemExit(f"{folder}: expected {stem}[.gz], found none")

    xs = idx(find("train-images-idx3-ubyte")).reshape(-1, 784)[:50_000]
    ys = idx(find("train-labels-idx1-ubyte"))[:50_000]
    xt = idx(find("t10k-images-idx3-ubyte")).reshape(-1, 784)
    yt = idx(find("t10k-labels-idx1-ubyte"))
    return (xs.astype(np.float32) / 255.0, ys.astype(np.int64),
            xt.astype(np.float32) / 255.0, yt.astype(np.int64))


def numpy_run(args, data, rng):
    from threadpoolctl import threadpool_limits

    X, labels, Xt, yt = data
    Y = np.eye(10, dtype=np.float32)[labels]
    n, m, eta = X.shape[0], args.batch, args.eta
    W1 = rng.standard_normal((784, 30)).astype(np.float32)
    b1 = rng.standard_normal(30).astype(np.float32)
    W2 = rng.standard_normal((30, 10)).astype(np.float32)
    b2 = rng.standard_normal(10).astype(np.float32)

    def sigmoid(z):
        return 1.0 / (1.0 + np.exp(-z))

    def epoch():
        nonlocal W1, b1, W2, b2
        perm = rng.permutation(n)
        Xs, Ys = X[perm], Y[perm]
        for i in range(0, n, m):
            x, y = Xs[i:i + m], Ys[i:i + m]
            a1 = sigmoid(x @ W1 + b1)
            a2 = sigmoid(a1 @ W2 + b2)
            d2 = (a2 - y) * a2 * (1 - a2)
            d1 = (d2 @ W2.T) * a1 * (1 - a1)
            k = eta / x.shape[0]
            W2 -= k * (a1.T @ d2)
            b2 -= k * d2.sum(axis=0)
            W1 -= k * (x.T @ d1)
            b1 -= k * d1.sum(axis=0)

    def accuracy():
        out = sigmoid(sigmoid(Xt @ W1 + b1) @ W2 + b2)
        return float((out.argmax(axis=1) == yt).mean())

    with threadpool_limits(limits=args.threads):
        return timed(args.epochs, epoch, accuracy), {"numpy": np.__version__}


def torch_run(args, data, rng):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    X, labels, Xt, yt = (torch.from_numpy(a) for a in data)
    Y = torch.nn.functional.one_hot(labels, 10).float()
    n, m = X.shape[0], args.batch
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 30), torch.nn.Sigmoid(),
        torch.nn.Linear(30, 10), torch.nn.Sigmoid(),
    )
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 1.0)  # Nielsen's N(0, 1), not PyTorch's default
    opt = torch.optim.SGD(model.parameters(), lr=args.eta)

    def epoch():
        perm = torch.randperm(n)
        Xs, Ys = X[perm], Y[perm]
        for i in range(0, n, m):
            xb, yb = Xs[i:i + m], Ys[i:i + m]
            loss = 0.5 * ((model(xb) - yb) ** 2).sum() / xb.shape[0]
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    def accuracy():
        with torch.no_grad():
            return float((model(Xt).argmax(dim=1) == yt).float().mean())

    return timed(args.epochs, epoch, accuracy), {
        "torch": torch.__version__, "threads": torch.get_num_threads()}


def timed(epochs, epoch, accuracy):
    secs, accs = [], []
    for _ in range(epochs):
        t0 = time.perf_counter()
        epoch()
        secs.append(time.perf_counter() - t0)
        accs.append(accuracy())
    return secs, accs


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", choices=["numpy", "torch"], required=True)
    p.add_argument("--data", default=os.environ.get("MNIST_DIR", ""),
                   help="the folder of the four MNIST IDX files (default: $MNIST_DIR)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--eta", type=float, default=3.0)
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    if not args.data:
        raise SystemExit("expected the MNIST folder in --data or MNIST_DIR, found neither")
    if args.epochs < 1:
        raise SystemExit(f"--epochs: expected at least 1, found {args.epochs}")
    data = mnist(args.data)
    rng = np.random.default_rng(args.seed)
    run = numpy_run if args.lib == "numpy" else torch_run
    (secs, accs), versions = run(args, data, rng)
    print(json.dumps({
        "bench": f"nielsen_30_epochs_{args.lib}", **versions,
        "epochs": args.epochs, "batch": args.batch, "eta": args.eta, "seed": args.seed,
        "first_epoch_s": round(secs[0], 4), "last_epoch_s": round(secs[-1], 4),
        "total_s": round(sum(secs), 3),
        "best_test_accuracy": max(accs), "last_test_accuracy": accs[-1],
        "epoch_s": [round(t, 4) for t in secs],
        "test_accuracy": accs,
    }))


if __name__ == "__main__":
    main()
