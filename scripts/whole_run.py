#!/usr/bin/env python3
"""Nielsen's whole run (784-30-10, eta = 3, batches of 10, 30 epochs, seed 7,
MNIST) end to end, interleaved round by round: xiaolan's
examples/mnist_nielsen.rs with f32 subnormals flushed (the default) and kept
(XIAOLAN_SUBNORMALS=keep), and NumPy and PyTorch running
nn/benches/python/nielsen_30_epochs.py. Prints a Markdown table of the
first-epoch, last-epoch and whole-run training times (medians over the
rounds, ranges in brackets), the last/first ratio, and each program's best
test accuracy; with --jsonl FILE, also every run's per-epoch times.

Usage, from the repository root (build the example first:
cargo build --release --example mnist_nielsen):
  python3 scripts/whole_run.py --data ../shared/data/mnist --python "$SCRATCH/anchors-venv/bin/python" \
      --rounds 3 --threads 1 --out "$SCRATCH/whole_run"
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys

EPOCH_LINE = re.compile(r"epoch\s+(\d+): test accuracy\s+(\d+)/(\d+) = [\d.]+%\s+\(([\d.]+) s training")


def output(cmd, env=None):
    """The standard output of cmd; exits with the command and its own error
    message when it cannot be started or fails."""
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    except OSError as e:
        sys.exit(f"{cmd[0]}: cannot run it ({e.strerror}); expected a built program "
                 "(see --binary and --python)")
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)}\nfailed with exit status {done.returncode}:\n"
                 f"{done.stderr.strip()}")
    return done.stdout


def xiaolan(args, mode):
    env = dict(os.environ, XIAOLAN_SUBNORMALS=mode)
    cmd = [args.binary, "--data", args.data, "--seed", str(args.seed),
           "--epochs", str(args.epochs), "--out", args.out]
    out = output(cmd, env)
    secs, accs = [], []
    for m in EPOCH_LINE.finditer(out):
        secs.append(float(m.group(4)))
        accs.append(int(m.group(2)) / int(m.group(3)))
    if len(secs) != args.epochs:
        sys.exit(f"{cmd[0]}: expected {args.epochs} epoch lines, found {len(secs)}")
    return secs, accs


def peer(args, lib):
    script = os.path.join(os.path.dirname(__file__), "..", "nn", "benches", "python",
                          "nielsen_30_epochs.py")
    cmd = [args.python, script, "--lib", lib, "--data", args.data, "--seed", str(args.seed),
           "--epochs", str(args.epochs), "--threads", str(args.threads)]
    lines = output(cmd).strip().splitlines()
    try:
        r = json.loads(lines[-1])
    except (IndexError, ValueError):
        sys.exit(f"{' '.join(cmd)}: expected a JSON line last, found {lines[-1:]!r}")
    return r["epoch_s"], r["test_accuracy"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="the MNIST folder")
    p.add_argument("--python", default="python3", help="a Python with numpy, threadpoolctl, torch")
    p.add_argument("--binary", default="target/release/examples/mnist_nielsen")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=1, help="the Python peers' threads")
    p.add_argument("--out", default="out/whole_run", help="where xiaolan's pictures go")
    p.add_argument("--only", default="flush,keep,numpy,torch")
    p.add_argument("--jsonl", help="also write every run's epochs here")
    args = p.parse_args()
    if args.rounds < 1 or args.epochs < 1:
        sys.exit(f"expected at least 1 round and 1 epoch, found {args.rounds} and {args.epochs}")
    progs = {
        "flush": ("xiaolan, subnormals flushed (default)", lambda: xiaolan(args, "flush")),
        "keep": ("xiaolan, subnormals kept (`XIAOLAN_SUBNORMALS=keep`)", lambda: xiaolan(args, "keep")),
        "numpy": ("NumPy", lambda: peer(args, "numpy")),
        "torch": ("PyTorch", lambda: peer(args, "torch")),
    }
    names = args.only.split(",")
    for n in names:
        if n not in progs:
            sys.exit(f"--only: expected some of {','.join(progs)}, found {n!r}")
    runs = {n: [] for n in names}
    log = open(args.jsonl, "w") if args.jsonl else None
    for r in range(args.rounds):
        # each round in another order, so no program always follows the same one
        order = names[r % len(names):] + names[:r % len(names)]
        for n in order:
            secs, accs = progs[n][1]()
            runs[n].append((secs, accs))
            print(f"round {r + 1} {n}: first {secs[0]:.3f} s, last {secs[-1]:.3f} s, "
                  f"total {sum(secs):.2f} s", file=sys.stderr)
            if log:
                log.write(json.dumps({"round": r + 1, "program": n, "epoch_s": secs,
                                      "test_accuracy": accs}) + "\n")
                log.flush()

    def cell(xs, digits=3):
        med = statistics.median(xs)
        return f"{med:.{digits}f} ({min(xs):.{digits}f}–{max(xs):.{digits}f})"

    print("| program | first epoch, s | last epoch, s | last / first "
          f"| {args.epochs} epochs, s | best test accuracy |")
    print("|---|---|---|---|---|---|")
    for n in names:
        firsts = [s[0] for s, _ in runs[n]]
        lasts = [s[-1] for s, _ in runs[n]]
        totals = [sum(s) for s, _ in runs[n]]
        ratios = [s[-1] / s[0] for s, _ in runs[n]]
        best = sorted({f"{100 * max(a):.2f} %" for _, a in runs[n]})
        print(f"| {progs[n][0]} | {cell(firsts)} | {cell(lasts)} | {cell(ratios, 2)} "
              f"| {cell(totals, 2)} | {', '.join(best)} |")
    if "flush" in runs:
        print()
        for n in names:
            if n == "flush":
                continue
            for what, pick in (("first epoch", lambda s: s[0]), ("last epoch", lambda s: s[-1]),
                               (f"{args.epochs} epochs", sum)):
                ratio = [pick(o) / pick(f) for (o, _), (f, _) in zip(runs[n], runs["flush"])]
                print(f"- {n} / xiaolan flushed, {what}, per round: {cell(ratio, 2)}")


if __name__ == "__main__":
    main()
