#!/usr/bin/env bash
# Regenerates the pictures of the tutorial (docs/tutorial/img/) by running the
# examples in release mode and copying the PNGs they write.
#
# Usage (from anywhere):   scripts/tutorial_images.sh
#
# Each `shoot` line runs one example and copies the PNG files named after the
# chapter number to docs/tutorial/img/CHAPTER-FILE, e.g.
#     shoot perceptron 02 perceptron_lines.png   ->  img/02-perceptron_lines.png
# To add a chapter's pictures, append a `shoot EXAMPLE CHAPTER FILE...` line.
set -euo pipefail
cd "$(dirname "$0")/.."
img=docs/tutorial/img
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$img"

shoot() {
    local example=$1 chapter=$2
    shift 2
    cargo run --quiet --release --example "$example" -- --out "$work/$example" >/dev/null
    for file in "$@"; do
        cp "$work/$example/$file" "$img/$chapter-$file"
        echo "$img/$chapter-$file"
    done
}

shoot mcculloch_pitts 01 mp_output.png mp_contributions.png
shoot perceptron 02 perceptron_lines.png
shoot gradient_descent_wx 03 gd_parabola.png gd_loss.png
shoot gradient_descent_wxb 04 wxb_surface.png wxb_contour.png wxb_fit.png
shoot sigmoid_neuron 05 sigmoid_fit.png
