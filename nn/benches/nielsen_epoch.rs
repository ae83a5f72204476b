//! Nielsen's network trained with `nn` against the same network written by
//! hand: 784-30-10, sigmoid, quadratic cost, SGD η = 3.0, mini-batch 10, f32,
//! one epoch = 50,000 images. Prints one JSON line (see `common::run`).
//!
//! nn's `Loss::SquaredError` is Σ(a − y)² over the batch, whose gradient is
//! 2m times that of Nielsen's C = ½·mean‖a − y‖²; so learning rate
//! 3.0 / (2·10) = 0.15 gives exactly Nielsen's update w ← w − 3.0·∂C/∂w.
//!
//! ```text
//! cargo bench -p xiaolan-nn --bench nielsen_epoch                  # 21 rounds of 250 steps
//! cargo bench -p xiaolan-nn --bench nielsen_epoch -- --rounds 3 --steps 5000   # whole epochs
//! MNIST_DIR=$PWD/../shared/data/mnist cargo bench -p xiaolan-nn --bench nielsen_epoch
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{Act, HandLoss, Workload};

fn main() {
    common::run(&Workload {
        name: "nielsen_epoch",
        sizes: &[784, 30, 10],
        acts: &[Act::Sigmoid, Act::Sigmoid],
        loss: HandLoss::SquaredError,
        lr: 3.0 / 20.0,
        batch: 10,
        init: nn::Init::NielsenScaled,
        // many short rounds: on a shared machine a round of a whole epoch
        // is often slowed on one side only (docs/performance.md, section 13)
        rounds: 21,
        steps: 250,
        target_ratio: Some(1.05),
    });
}
