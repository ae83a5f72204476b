#!/usr/bin/env bash
# Runs xiaolan's benchmark programs (release builds) and, with --peers, the
# same workloads in PyTorch, NumPy, Python micrograd, candle, burn, dfdx and a
# hand-written Rust MLP from ../shared/bench, interleaved round by round so
# that the machine's noise falls on every row alike. Every program prints one
# result line on stdout (JSON, or key=value for the Rust peers); readable
# notes go to stderr. scripts/bench_summary.py turns the lines into the
# tables of docs/performance.md (medians over the rounds, ratios, ranges).
#
# The criterion micro-benchmarks are separate: cargo bench -p xiaolan-autograd --bench ops
#
# Usage (from anywhere):   scripts/bench.sh [--peers] [ROUNDS] > results.jsonl
#   ROUNDS     how many times each program runs (default 3)
#   --peers    also run the peers that are installed (each is skipped with a
#              note when it is not):
#              - Python: PyTorch and NumPy (mlp_nielsen_*.py, mlp_large_*.py)
#                and micrograd (micrograd_scalar.py, GC on and off), with the
#                Python in $PYTHON; make it with ../shared/bench/python/setup.sh
#                (VENV=$SCRATCH/anchors-venv), then PYTHON=$SCRATCH/anchors-venv/bin/python
#              - Rust: the peer binaries built as ../shared/bench/rust-peers/run.sh
#                says, under $PEERS_TARGET/<variant>/release/ (variants handmade,
#                handmade-threading, candle, dfdx, burn, burn-flex)
# Environment:
#   MNIST_DIR     directory with the MNIST IDX files (gzipped or not): the
#                 Nielsen step and both epoch benchmarks then also run on it
#   PYTHON        the Python with torch, numpy and micrograd (default: python3)
#   PEERS_TARGET  where the Rust peers were built (default: ${TMPDIR:-/tmp}/xiaolan-peers-target)
set -euo pipefail
# cargo runs benchmarks from the package directory: make the data path
# absolute, relative to where this script was called from
if [ -n "${MNIST_DIR:-}" ]; then
  MNIST_DIR=$(cd "$MNIST_DIR" && pwd)
  export MNIST_DIR
fi
cd "$(dirname "$0")/.."

peers=0
rounds=3
for a in "$@"; do
  case "$a" in
    --peers) peers=1 ;;
    ''|*[!0-9]*) echo "usage: scripts/bench.sh [--peers] [ROUNDS]; found argument '$a'" >&2; exit 2 ;;
    *) rounds=$a ;;
  esac
done

shared=../shared/bench
python=${PYTHON:-python3}
target=${PEERS_TARGET:-${TMPDIR:-/tmp}/xiaolan-peers-target}

echo "== building the benchmarks (release)" >&2
cargo bench -q -p xiaolan-autograd --bench scalar_mlp --bench nielsen_step --bench gemm_crates --no-run >&2
cargo bench -q -p xiaolan-nn --bench nielsen_epoch --bench wide_epoch --no-run >&2

ag() { cargo bench -q -p xiaolan-autograd --bench "$@"; }
nnb() { cargo bench -q -p xiaolan-nn --bench "$@"; }
random() { (unset MNIST_DIR; "$@"); }

has_py() { [ "$peers" = 1 ] && [ -d "$shared/python" ] && "$python" -c "import $1" 2>/dev/null; }
peer_bin() { echo "$target/$1/release/peer-bench-${1%%-*}"; }

if [ "$peers" = 1 ]; then
  [ -d "$shared" ] || echo "skip peers: $shared not found (the peers live beside the repository)" >&2
  for m in torch numpy micrograd; do
    has_py "$m" || echo "skip the Python peers that need $m: '$python' cannot import it" >&2
  done
  for v in handmade handmade-threading candle dfdx burn burn-flex; do
    [ -x "$(peer_bin "$v")" ] || echo "skip Rust peer $v: $(peer_bin "$v") not built" >&2
  done
  # the machine, once: cores, clock, SIMD and the f32/f64 peak
  if [ -f "$shared/python/cpu_peak.py" ]; then python3 "$shared/python/cpu_peak.py" --boost-ghz 3.5; fi
fi

# the measured FMA peak of one core and of all, and both GEMM crates on every
# product of the two networks, once
ag gemm_crates

for r in $(seq "$rounds"); do
  echo "== round $r of $rounds" >&2
  # 1. scalar autodiff: micrograd's 2-16-16-1 MLP on 100 points
  ag scalar_mlp -- --act tanh
  ag scalar_mlp -- --act relu
  if has_py micrograd; then
    for gc in on off; do "$python" "$shared/python/micrograd_scalar.py" --gc "$gc"; done
  fi
  # 2. Nielsen's 784-30-10, batch 10: one step, then whole epochs through nn
  random ag nielsen_step
  [ -n "${MNIST_DIR:-}" ] && ag nielsen_step
  # (with its default rounds, short ones: performance §13)
  random nnb nielsen_epoch
  random nnb nielsen_epoch -- --only nn --rounds 1 --steps 5000
  [ -n "${MNIST_DIR:-}" ] && nnb nielsen_epoch
  if has_py torch; then "$python" "$shared/python/mlp_nielsen_torch.py" --threads 2 --epochs 3; fi
  if has_py numpy; then "$python" "$shared/python/mlp_nielsen_numpy_batch.py" --threads 2 --epochs 3; fi
  # 3. 784-512-512-10, batch 256, on both cores and on one
  random nnb wide_epoch -- --rounds 3 --steps 195
  random nnb wide_epoch -- --rounds 3 --steps 65 --threads 1
  random nnb wide_epoch -- --only nn --rounds 1 --steps 195
  [ -n "${MNIST_DIR:-}" ] && nnb wide_epoch -- --rounds 3 --steps 195
  if has_py torch; then "$python" "$shared/python/mlp_large_torch.py" --threads 2; fi
  if has_py numpy; then "$python" "$shared/python/mlp_large_numpy.py" --threads 2; fi
  # 4. the Rust peers, both workloads
  if [ "$peers" = 1 ]; then
    for v in handmade handmade-threading candle dfdx burn burn-flex; do
      bin=$(peer_bin "$v")
      [ -x "$bin" ] || continue
      dev=ndarray; [ "$v" = burn-flex ] && dev=flex
      for w in a b; do
        printf 'variant=%s round=%s ' "$v" "$r"
        MATMUL_NUM_THREADS=2 BURN_BENCH_DEVICE=$dev "$bin" "$w"
      done
    done
  fi
done
