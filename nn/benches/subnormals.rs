//! What subnormal numbers cost this CPU, and what flushing them saves: a
//! saturating network trained with `f32` subnormals flushed to zero
//! (`Trainer::flush_subnormals(true)`, the default) and kept (IEEE
//! arithmetic), from the same weights on the same batches, alternating
//! round by round. Prints one JSON line: the median seconds per 1,000 steps
//! of each, the median of the per-round ratios kept / flushed with their
//! range, and how many of the step's gradient values are subnormal when
//! they are kept (proof that the workload makes them).
//!
//! The network is Nielsen's 784-30-10 (sigmoid, quadratic cost, SGD η = 3,
//! batches of 10, weights N(0, 1)) on inputs scaled by `--scale` (default
//! 4: pixels in [0, 4]), so that its hidden units saturate from the first
//! step, as a long run's do after many epochs: their derivatives σ(1 − σ)
//! fall to 1e-30 and below, and the backward pass's products of them
//! underflow.
//!
//! ```text
//! cargo bench -p xiaolan-nn --bench subnormals -- --rounds 7 --steps 2000
//! MNIST_DIR=$PWD/../shared/data/mnist cargo bench -p xiaolan-nn --bench subnormals
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{median, timed, training_data, Args, Json, EPOCH, N_IN};
use nn::loss::{Loss, Targets};
use std::ops::ControlFlow;

fn main() {
    let args = Args::parse();
    let rounds: usize = args.get("rounds", 5).max(1);
    let steps: usize = args.get::<usize>("steps", 2000).clamp(1, EPOCH / 10);
    let scale: f32 = args.get("scale", 4.0);
    let (x, classes, source) = training_data();
    let xs: Vec<f32> = x.into_iter().map(|p| p * scale).collect();
    let xs = autograd::Tensor::from_vec(&[EPOCH, N_IN], xs).unwrap();
    let ys = autograd::Tensor::<f32>::one_hot(&classes, 10).unwrap();
    let acts = [nn::Activation::Sigmoid; 2];
    let start = nn::Mlp::<f32>::new(&[N_IN, 30, 10], &acts, nn::Init::Nielsen, 1).unwrap();

    // `steps` steps from the starting weights; with `count`, also the
    // subnormal and the nonzero gradient values seen
    let train = |flush: bool, count: bool| -> (f64, usize, usize, f64) {
        let mut mlp = start.clone();
        let mut opt = nn::Sgd::new(3.0 / 20.0);
        let (mut sub, mut nonzero, mut loss) = (0usize, 0usize, f64::NAN);
        let mut run = nn::Trainer::new(Loss::SquaredError)
            .batch_size(10)
            .seed(11)
            .epochs(usize::MAX)
            .evaluate_train(false)
            .flush_subnormals(flush)
            .quiet();
        if count {
            run = run.on_step(|s, _| {
                for (_, g) in s.grads.iter() {
                    sub += g.data().iter().filter(|v: &&f32| v.is_subnormal()).count();
                    nonzero += g.data().iter().filter(|v| **v != 0.0).count();
                }
                loss = s.loss;
                ControlFlow::Continue(())
            });
        }
        let mut run = run.start(&mlp, &xs, Targets::Values(&ys)).unwrap();
        let (secs, ()) = timed(|| {
            for _ in 0..steps {
                run.step(&mut mlp, &mut opt).unwrap();
            }
        });
        drop(run);
        (secs, sub, nonzero, loss)
    };

    // what the workload makes, and that both modes train alike
    let (_, sub_kept, nonzero_kept, loss_kept) = train(false, true);
    let (_, sub_flushed, _, loss_flushed) = train(true, true);
    let (mut kept, mut flushed, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for r in 0..rounds {
        // alternate which goes first, so neither always runs on warm caches
        let (k, f) = if r % 2 == 0 {
            let k = train(false, false).0;
            (k, train(true, false).0)
        } else {
            let f = train(true, false).0;
            (train(false, false).0, f)
        };
        kept.push(k);
        flushed.push(f);
        ratios.push(k / f);
    }
    let per_k = 1000.0 / steps as f64;
    let range = |v: &[f64]| {
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{lo:.3}-{hi:.3}")
    };
    let line = Json::new()
        .str("bench", "subnormals")
        .str("data", &source)
        .num("input_scale", scale as f64)
        .num("steps_per_round", steps as f64)
        .num("rounds", rounds as f64)
        .num("kept_s_per_1000_steps", median(&kept) * per_k)
        .num("flushed_s_per_1000_steps", median(&flushed) * per_k)
        .num("kept_over_flushed_median", median(&ratios))
        .str("kept_over_flushed_range", &range(&ratios))
        .num("subnormal_grad_values_kept", sub_kept as f64)
        .num("nonzero_grad_values_kept", nonzero_kept as f64)
        .num("subnormal_grad_values_flushed", sub_flushed as f64)
        .num("last_loss_kept", loss_kept)
        .num("last_loss_flushed", loss_flushed)
        .line();
    println!("{line}");
}
