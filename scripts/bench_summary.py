#!/usr/bin/env python3
"""Summarises the result lines of scripts/bench.sh (read from the files given,
or stdin) into the tables of docs/performance.md: for every workload and
implementation the median over the rounds with its range, and the ratios to
xiaolan taken round by round (the median of the per-round ratios, so that a
slow round slows both sides of its ratio alike).

Usage:  scripts/bench.sh --peers 5 > results.jsonl
        python3 scripts/bench_summary.py results.jsonl
Only the standard library is used.
"""
import json
import statistics
import sys
from collections import defaultdict


def parse(lines):
    """Yields (round, record) for every result line; the round is counted
    from the scalar_mlp tanh line that opens each round of bench.sh."""
    rnd = 0
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if line.startswith("{"):
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                # a run cut short leaves half a line: say so and go on
                print(f"skipped line {n}: expected one JSON object, found {line[:60]!r} ({e.msg})",
                      file=sys.stderr)
                continue
            if rec.get("bench") == "scalar_mlp" and rec.get("act") == "tanh":
                rnd += 1
            yield rnd, rec
        elif "peer=" in line:
            rec = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            rec["bench"] = "rust_peer"
            yield int(rec.get("round", rnd)), rec


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x, digits=3):
    if x != x:
        return "—"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}" if abs(x) < 1 else f"{x:.{digits}f}".rstrip("0").rstrip(".")


def cell(xs, digits=3):
    """median (min–max) of a list of figures."""
    if not xs:
        return "—"
    if len(xs) == 1:
        return fmt(xs[0], digits)
    return f"{fmt(med(xs), digits)} ({fmt(min(xs), digits)}–{fmt(max(xs), digits)})"


def main():
    lines = []
    if len(sys.argv) > 1:
        for path in sys.argv[1:]:
            with open(path) as f:
                lines += f.readlines()
    else:
        lines = sys.stdin.readlines()
    # rows[workload][implementation][round] = seconds per epoch (or ns per node)
    rows = defaultdict(lambda: defaultdict(dict))
    extra = defaultdict(list)
    gemm_rows = []
    for rnd, r in parse(lines):
        b = r.get("bench", "cpu_peak" if "model_name" in r else "")
        if b in ("cpu_peak", "fma_peak"):
            print(f"machine ({b}):", json.dumps(r))
        elif b == "gemm_crates":
            gemm_rows.append(r)
        elif b == "gemm_engine_step":
            print(f"engine products of one {r['net']} step: {r['ms_1_thread']:.3f} ms on 1 thread, "
                  f"{r['ms_all_cores']:.3f} ms on {r['cores']} cores (speedup {r['speedup']:.2f}); "
                  f"{r.get('ms_1_thread_beside_copies', float('nan')):.3f} ms on 1 thread beside a copy per other core")
        elif b == "scalar_mlp":
            rows["scalar"][f"xiaolan Var, {r['act']}, reused tape"][rnd] = r["reused_tape"]["ns_per_op"]
            rows["scalar"][f"xiaolan Var, {r['act']}, fresh tape"][rnd] = r["fresh_tape"]["ns_per_op"]
        elif b == "micrograd_scalar":
            rows["scalar"][f"micrograd {r['micrograd']}, GC {r.get('gc', '?')}"][rnd] = r["usec_per_node"] * 1000
        elif b == "nielsen_step":
            rows["nielsen step (µs)"][f"xiaolan taped step ({r['data'].split()[0]})"][rnd] = r["taped_us_per_step"]
            rows["nielsen step (µs)"][f"hand-written step ({r['data'].split()[0]})"][rnd] = r["hand_us_per_step"]
        elif b in ("nielsen_epoch", "wide_epoch"):
            w = "784-30-10" if b == "nielsen_epoch" else "784-512-512-10"
            data = "MNIST" if r["data"].startswith("MNIST") else "random"
            t = int(r["threads"])
            tag = f"{data}, {t} thread{'s' if t > 1 else ''}"
            if r["only"] == "both":
                rows[w][f"xiaolan nn ({tag})"][rnd] = r["nn_s_per_epoch"]
                rows[w][f"hand-written, same GEMM ({tag})"][rnd] = r["hand_s_per_epoch"]
                extra[(w, tag, "ratio")].append(r["ratio"])
                extra[(w, tag, "nn GFLOP/s")].append(r["nn_gflops"])
                extra[(w, tag, "hand GFLOP/s")].append(r["hand_gflops"])
                extra[(w, tag, "allocations per step (nn, hand)")].append(
                    (r["nn_allocs_per_step"], r["hand_allocs_per_step"]))
            else:
                extra[(w, tag, f"peak RSS MiB, {r['only']} alone (data {r['data_mib']:.0f} MiB, {r['params']:.0f} params)")].append(r["peak_rss_mib"])
        elif b == "mlp_nielsen_torch":
            rows["784-30-10"][f"PyTorch {r['torch']} ({r['threads']} threads)"][rnd] = r["sec_per_epoch_median"]
        elif b == "mlp_nielsen_numpy_batch":
            rows["784-30-10"][f"NumPy {r['numpy']}"][rnd] = r["sec_per_epoch_median"]
        elif b == "mlp_large_torch":
            rows["784-512-512-10"][f"PyTorch {r['torch']} ({r['threads']} threads)"][rnd] = r["sec_per_epoch_median"]
        elif b == "mlp_large_numpy":
            rows["784-512-512-10"][f"NumPy {r['numpy']}"][rnd] = r["sec_per_epoch_median"]
        elif b == "rust_peer":
            w = "784-30-10" if r["workload"] == "a" else "784-512-512-10"
            rows[w][f"{r['variant']} (peer)"][rnd] = float(r["epoch_secs"])
    for w, impls in rows.items():
        ref_name = next((k for k in impls if k.startswith("xiaolan")), None)
        ref = impls.get(ref_name, {})
        print(f"\n### {w}\n")
        print(f"| implementation | median (range) | relative to {ref_name} |")
        print("|---|---|---|")
        for name, by_round in sorted(impls.items(), key=lambda kv: med(list(kv[1].values()))):
            vals = list(by_round.values())
            ratios = [v / ref[k] for k, v in by_round.items() if k in ref and ref[k]]
            print(f"| {name} | {cell(vals)} | {cell(ratios) + '×' if ratios else '—'} |")
    if gemm_rows:
        print("\n### GEMM crates, one core\n")
        print("| product | m×k×n | gemm µs (GFLOP/s) | matrixmultiply µs (GFLOP/s) | matrixmultiply / gemm | engine uses |")
        print("|---|---|---|---|---|---|")
        for g in gemm_rows:
            print(f"| {g['product']} | {g['m']}×{g['k']}×{g['n']} | {fmt(g['gemm_us'])} ({g['gemm_gflops']:.0f}) "
                  f"| {fmt(g['matrixmultiply_us'])} ({g['matrixmultiply_gflops']:.0f}) "
                  f"| {g['matrixmultiply_over_gemm']:.2f} | {g['engine_uses']} |")
    if extra:
        print("\n### other figures\n")
        print("| workload | data, threads | figure | median (range) |")
        print("|---|---|---|---|")
        for (w, tag, what), vals in extra.items():
            if vals and isinstance(vals[0], tuple):
                v = f"{cell([a for a, _ in vals])} / {cell([b for _, b in vals])}"
            else:
                v = cell(vals)
            print(f"| {w} | {tag} | {what} | {v} |")


if __name__ == "__main__":
    main()
