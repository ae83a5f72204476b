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
shoot hill 06 hill_single_neuron.png hill_network.png
shoot two_features 07 two_features_surface.png two_features_boundary.png two_features_curved.png
shoot playground_circle 08 circle_seeds.png circle_three_lines.png
shoot playground_spiral 09 spiral_gradient_norms.png spiral_training_frames.png spiral_training.gif spiral_relu.png spiral_sigmoid.png spiral_neurons.png

# Chapter 10 needs the MNIST files (the four IDX files in $MNIST_DIR).
if [ -n "${MNIST_DIR:-}" ]; then
    shoot mnist_nielsen 10 accuracy.png misclassified.png
    cargo run --quiet --release --example mnist_nielsen -- --config ce-l2 --out "$work/mnist_ce_l2" >/dev/null
    cp "$work/mnist_ce_l2/accuracy_ce_l2.png" "$img/10-accuracy_ce_l2.png"
    echo "$img/10-accuracy_ce_l2.png"
else
    echo "chapter 10 skipped: set MNIST_DIR to the directory of the MNIST IDX files" >&2
fi
shoot custom_cost 11 costs.png fit_asymmetric.png fit_huber.png
shoot chain_rule 13 chain_rule_neuron.png chain_rule_network.png
shoot jacobians 13 jacobians_polar.png

# The README's pictures of the main job (the playground on the spiral).
cargo run --quiet --release -- --out "$work/playground" >/dev/null
for file in decision loss neurons network; do
    cp "$work/playground/$file.png" "docs/img/playground-$file.png"
    echo "docs/img/playground-$file.png"
done
