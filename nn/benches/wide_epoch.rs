//! A wider MLP trained with `nn` against the same network written by hand:
//! 784-512-512-10, ReLU, softmax cross-entropy, SGD (learning rate 0.05),
//! mini-batch 256, f32; an epoch is 195 steps (50,000 images). Rounds time
//! `--steps` steps (default 40) and the epoch time is scaled from the
//! median; `--steps 195` times whole epochs. Prints one JSON line with the
//! achieved GFLOP/s (see `common::run`).
//!
//! ```text
//! cargo bench -p xiaolan-nn --bench wide_epoch
//! cargo bench -p xiaolan-nn --bench wide_epoch -- --rounds 5 --steps 195
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{Act, HandLoss, Workload};

fn main() {
    common::run(&Workload {
        name: "wide_epoch",
        sizes: &[784, 512, 512, 10],
        acts: &[Act::Relu, Act::Relu, Act::Identity],
        loss: HandLoss::SoftmaxCe,
        lr: 0.05,
        batch: 256,
        init: nn::Init::He,
        rounds: 3,
        steps: 40,
        target_ratio: None,
    });
}
