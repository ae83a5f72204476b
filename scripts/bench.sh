#!/usr/bin/env bash
# Runs the autograd benchmarks (release builds) and, with --peers, the
# comparison peers from ../shared/bench that need no heavy install.
# The autograd benchmarks and micrograd print one JSON line each on stdout (the
# hand-written peer one key=value line), and readable notes on stderr.
#
# The criterion micro-benchmarks are separate: cargo bench -p xiaolan-autograd --bench ops
#
# Usage (from anywhere):   scripts/bench.sh [--peers] [REPS]
#   REPS       how many times each program runs (default 3; the machine is
#              shared and noisy, so compare medians of one sitting)
#   --peers    also run Python micrograd (../shared/bench/python/micrograd_scalar.py,
#              with GC on and off) and the hand-written Rust MLP
#              (../shared/bench/rust-peers/handmade, workload a)
# Environment:
#   MNIST_DIR     directory with the MNIST IDX files (gzipped or not): nielsen_step
#                 then also runs on the first 1,000 real training images
#   PYTHON        a Python with the `micrograd` package (default: python3);
#                 e.g. with SCRATCH any directory outside the repo:
#                 python3 -m venv "$SCRATCH/micrograd-venv" && "$SCRATCH/micrograd-venv/bin/pip" install micrograd==0.1.0
#   PEERS_TARGET  cargo target dir for the peers, outside the repo
#                 (default: ${TMPDIR:-/tmp}/xiaolan-peers-target)
set -euo pipefail
# cargo runs benchmarks from the package directory: make the data path
# absolute, relative to where this script was called from
if [ -n "${MNIST_DIR:-}" ]; then
  MNIST_DIR=$(cd "$MNIST_DIR" && pwd)
  export MNIST_DIR
fi
cd "$(dirname "$0")/.."

peers=0
reps=3
for a in "$@"; do
  case "$a" in
    --peers) peers=1 ;;
    ''|*[!0-9]*) echo "usage: scripts/bench.sh [--peers] [REPS]; found argument '$a'" >&2; exit 2 ;;
    *) reps=$a ;;
  esac
done

bench() { cargo bench -q -p xiaolan-autograd --bench "$@"; }
nnbench() { cargo bench -q -p xiaolan-nn --bench "$@"; }

echo "== building the benchmarks (release)" >&2
cargo bench -q -p xiaolan-autograd --bench scalar_mlp --bench nielsen_step --no-run >&2
cargo bench -q -p xiaolan-nn --bench nielsen_epoch --bench wide_epoch --no-run >&2

for r in $(seq "$reps"); do
  echo "== round $r of $reps" >&2
  bench scalar_mlp -- --act tanh
  bench scalar_mlp -- --act relu
  env -u MNIST_DIR cargo bench -q -p xiaolan-autograd --bench nielsen_step
  if [ -n "${MNIST_DIR:-}" ]; then
    bench nielsen_step
  fi
  # end-to-end epochs through nn (MNIST when MNIST_DIR is set, else random data)
  nnbench nielsen_epoch
  nnbench wide_epoch
done

[ "$peers" = 1 ] || exit 0

shared=../shared/bench
if [ ! -d "$shared" ]; then
  echo "skip peers: $shared not found (the peers live beside the repo)" >&2
  exit 0
fi

python=${PYTHON:-python3}
if "$python" -c 'import micrograd' 2>/dev/null; then
  for r in $(seq "$reps"); do
    for gc in on off; do
      "$python" "$shared/python/micrograd_scalar.py" --gc "$gc"
    done
  done
else
  echo "skip Python micrograd: '$python' cannot import micrograd (set PYTHON to a Python with micrograd==0.1.0)" >&2
fi

target=${PEERS_TARGET:-${TMPDIR:-/tmp}/xiaolan-peers-target}
echo "== building the hand-written Rust peer in $target/handmade" >&2
(cd "$shared/rust-peers/handmade" && CARGO_TARGET_DIR="$target/handmade" cargo build -q --release)
for r in $(seq "$reps"); do
  # one epoch = 50,000 samples = 5,000 steps of batch 10
  "$target/handmade/release/peer-bench-handmade" a
done
