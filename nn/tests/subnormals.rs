//! f32 training flushes subnormal numbers to zero during its steps and
//! restores the thread's modes afterwards; f64 training never flushes; a
//! saturating network's gradients keep subnormals only when asked to.

use autograd::{subnormals_flushed, Real, Tensor, TensorVar, Var};
use nn::loss::{custom_for, Targets};
use nn::prelude::*;
use nn::train::train_step;
use std::cell::Cell;
use std::ops::ControlFlow;

const FLUSHES_HERE: bool = cfg!(target_arch = "x86_64");

/// Nielsen's 784-30-10 with weights N(0, 1) on `n` seeded inputs in
/// [0, `scale`]: with a scale of 4 its hidden units saturate from the
/// first step.
fn saturating<E: Real>(n: usize, scale: f64) -> (Mlp<E>, Tensor<E>, Tensor<E>) {
    let mut rng = Rng::new(3);
    let x: Vec<f64> = (0..n * 784).map(|_| scale * rng.next_f64()).collect();
    let classes: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
    let mlp = Mlp::new(&[784, 30, 10], &[Activation::Sigmoid; 2], Init::Nielsen, 1).unwrap();
    (
        mlp,
        Tensor::from_f64(&[n, 784], &x).unwrap(),
        Tensor::one_hot(&classes, 10).unwrap(),
    )
}

/// Steps a saturating network with batches of `batch` and returns the
/// subnormal values the steps' gradients held, and the nonzero ones.
fn subnormal_grads(flush: bool, batch: usize, steps: usize) -> (usize, usize) {
    let (mut mlp, x, y) = saturating::<f32>(batch * steps, 4.0);
    let (mut sub, mut nonzero) = (0, 0);
    Trainer::new(Loss::SquaredError)
        .batch_size(batch)
        .evaluate_train(false)
        .flush_subnormals(flush)
        .quiet()
        .on_step(|s, _| {
            for (_, g) in s.grads.iter() {
                sub += g.data().iter().filter(|v: &&f32| v.is_subnormal()).count();
                nonzero += g.data().iter().filter(|v| **v != 0.0).count();
            }
            ControlFlow::Continue(())
        })
        .fit(&mut mlp, &mut Sgd::new(0.15), &x, Targets::Values(&y))
        .unwrap();
    (sub, nonzero)
}

#[test]
fn a_saturating_f32_step_leaves_no_subnormal_gradient_when_flushing() {
    // batches of 10 stay on the calling thread; batches of 2,000 split
    // their products and element-wise passes over the helper threads
    for (batch, steps) in [(10, 40), (2000, 2)] {
        let (kept, kept_nonzero) = subnormal_grads(false, batch, steps);
        assert!(
            kept > 0 && kept_nonzero > kept,
            "the workload makes subnormals when they are kept (batch {batch}): {kept} of {kept_nonzero}"
        );
        let (flushed, flushed_nonzero) = subnormal_grads(true, batch, steps);
        if FLUSHES_HERE {
            assert_eq!(
                flushed, 0,
                "batch {batch}: no subnormal survives a flushed step"
            );
        }
        assert!(flushed_nonzero > 0, "the flushed steps still train");
    }
}

/// A quadratic cost that records whether subnormals were being flushed on
/// the thread that ran it (inside the training step).
fn spying_cost<'a, E: Real>(
    seen: &'a Cell<Option<bool>>,
) -> impl for<'t> Fn(TensorVar<'t, E>, TensorVar<'t, E>) -> Var<'t, E> + Copy + 'a {
    move |a, y| {
        seen.set(Some(subnormals_flushed()));
        (a - y).powi(2).sum()
    }
}

#[test]
fn an_f32_step_runs_flushed_and_restores_the_threads_modes() {
    let (mut mlp, x, y) = saturating::<f32>(20, 1.0);
    let seen = Cell::new(None);
    let mut opt = Sgd::new(0.1);
    let cost = custom_for::<f32, _>(spying_cost(&seen));
    for flush in [true, false] {
        seen.set(None);
        let mut run = Trainer::new(cost)
            .flush_subnormals(flush)
            .evaluate_train(false)
            .quiet()
            .start(&mlp, &x, Targets::Values(&y))
            .unwrap();
        run.step(&mut mlp, &mut opt).unwrap();
        assert_eq!(
            seen.get(),
            Some(flush && FLUSHES_HERE),
            "inside the step, flush {flush}"
        );
        assert!(
            !subnormals_flushed(),
            "the modes are restored after the step"
        );
    }
    // the bare step flushes too (XIAOLAN_SUBNORMALS is not set in tests)
    seen.set(None);
    let mut tape = autograd::Tape::default();
    train_step(
        &mut tape,
        &mut mlp,
        &mut opt,
        &cost,
        &x,
        Targets::Values(&y),
    )
    .unwrap();
    assert_eq!(seen.get(), Some(FLUSHES_HERE));
    assert!(!subnormals_flushed());
}

#[test]
fn f64_training_never_flushes() {
    let (mut mlp, x, y) = saturating::<f64>(20, 1.0);
    let seen = Cell::new(None);
    let cost = custom_for::<f64, _>(spying_cost(&seen));
    let mut run = Trainer::new(cost)
        .flush_subnormals(true)
        .evaluate_train(false)
        .quiet()
        .start(&mlp, &x, Targets::Values(&y))
        .unwrap();
    run.step(&mut mlp, &mut Sgd::new(0.1)).unwrap();
    assert_eq!(seen.get(), Some(false), "f64 keeps IEEE arithmetic");
}
