//! The training loop: epochs of mini-batches walked in a chosen [`Order`],
//! a loss per epoch on the training and test sets, stop conditions,
//! per-epoch and per-step callbacks, and a progress bar.
//!
//! One step ([`train_step`]) binds the parameters to a tape, runs the
//! forward pass and the loss, calls `backward()`, clears the tape (which is
//! reused, keeping its memory) and lets the optimizer update the
//! parameters. A [`Trainer`] holds the settings of a run; [`Trainer::fit`]
//! runs it to the end and returns its [`History`], and [`Trainer::start`]
//! returns the same run as a [`Run`] to drive from outside, one step or one
//! epoch at a time (`fit` is that run driven to its end).
//!
//! ```
//! use autograd::Tensor;
//! use nn::prelude::*;
//! // XOR with a 2-2-1 sigmoid network
//! let x = Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
//! let y = Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap();
//! let mut mlp = Mlp::new(&[2, 2, 1], &[Activation::Sigmoid; 2], Init::Nielsen, 3).unwrap();
//! let mut opt = Sgd::new(2.0);
//! let history = Trainer::new(Loss::SquaredError)
//!     .epochs(3000)
//!     .batch_size(4)
//!     .accuracy(Accuracy::Threshold(0.5))
//!     .target_loss(0.01)
//!     .quiet()
//!     .fit(&mut mlp, &mut opt, &x, &y)
//!     .unwrap();
//! assert_eq!(history.last().unwrap().train_accuracy, Some(1.0));
//! ```
//!
//! The same kind of run driven from outside, as an interactive front end
//! does (play, pause, one step, reset), under the Playground's rules, with
//! a callback that sees the model after every epoch:
//!
//! ```
//! use nn::data::PlaygroundSet;
//! use nn::prelude::*;
//! use nn::train::{Order, Status};
//! use std::ops::ControlFlow;
//! // the Playground's default: circle, 2-4-2-1 tanh, lr 0.03, batch 10
//! let (train, test) = PlaygroundSet::Circle.generate_split(0.0, 50, 1).unwrap();
//! let mut mlp = Mlp::new(&[2, 4, 2, 1], &[Activation::Tanh; 3], Init::Playground, 1).unwrap();
//! let mut sgd = Sgd::new(0.03);
//! let mut frames = 0;
//! let mut run = Trainer::new(Loss::HalfSquaredError)
//!     .order(Order::Playground)
//!     .batch_size(10)
//!     .epochs(usize::MAX) // until paused for good
//!     .test(test.x(), test.y())
//!     .accuracy(Accuracy::Threshold(0.0))
//!     .evaluate_before(true)
//!     .on_epoch(|_stats, model: &Mlp| {
//!         frames += model.predict(&autograd::Tensor::zeros(&[1, 2])).is_ok() as usize;
//!         ControlFlow::Continue(())
//!     })
//!     .quiet()
//!     .start(&mlp, train.x(), train.y())
//!     .unwrap();
//! // one step
//! assert_eq!(run.step(&mut mlp, &mut sgd).unwrap(), Status::Stepped);
//! // play: the rest of the first epoch, then 19 more
//! assert_eq!(run.epoch(&mut mlp, &mut sgd).unwrap(), Status::EpochEnded);
//! for _ in 0..19 {
//!     run.epoch(&mut mlp, &mut sgd).unwrap();
//! }
//! let h = run.history();
//! assert_eq!((h.len(), h.epochs[0].steps), (20, 25)); // 250 points, batches of 10
//! assert!(h.last().unwrap().train_loss < h.initial.unwrap().train_loss);
//! assert_eq!(run.stopped(), None);
//! drop(run);
//! assert_eq!(frames, 20);
//! ```

mod history;
mod order;
mod run;
mod stop;
mod trainer;

pub use history::{EpochStats, Evaluation, History};
pub use order::Order;
pub use run::{Run, Status, StepStats};
pub use stop::StopReason;
pub use trainer::Trainer;

use crate::error::{Error, Result};
use crate::layers::Model;
use crate::loss::{Objective, TargetVar, Targets};
use crate::metrics::{accuracy, Accuracy};
use crate::optim::Optimizer;
use crate::param::ParamGrads;
use autograd::{Real, Tape, Tensor, TensorVar};

/// The number of samples of a data tensor (its first axis).
fn samples<E: Real>(x: &Tensor<E>) -> usize {
    x.shape().first().copied().unwrap_or(0)
}

/// Checks that `x` has samples and `targets` one per sample.
fn check_set<E: Real>(what: &str, x: &Tensor<E>, targets: &Targets<'_, E>) -> Result<usize> {
    let n = samples(x);
    if x.ndim() == 0 || n == 0 {
        return Err(Error::invalid(
            what,
            "at least one sample",
            format!("0 samples (inputs of shape {:?})", x.shape()),
        ));
    }
    if targets.len() != n {
        return Err(Error::mismatch(
            format!("{what} targets"),
            format!("{n} (one per sample of inputs {:?})", x.shape()),
            targets.len(),
        ));
    }
    Ok(n)
}

/// The rows `idx` of a tensor (its first axis), copied into a new tensor.
fn take_rows<E: Real>(t: &Tensor<E>, idx: &[usize]) -> Tensor<E> {
    t.select_rows(idx)
        .expect("batch indices come from a permutation of the samples")
}

/// A data set held by a run: the inputs and the targets (tensors share
/// their storage, so holding them copies no sample values).
#[derive(Clone, Debug)]
pub(crate) struct DataSet<E: Real> {
    pub(crate) x: Tensor<E>,
    pub(crate) y: OwnedTargets<E>,
}

/// [`Targets`] owned.
#[derive(Clone, Debug)]
pub(crate) enum OwnedTargets<E: Real> {
    Values(Tensor<E>),
    Classes(Vec<usize>),
}

impl<E: Real> DataSet<E> {
    pub(crate) fn new(x: &Tensor<E>, targets: Targets<'_, E>) -> DataSet<E> {
        DataSet {
            x: x.clone(),
            y: match targets {
                Targets::Values(t) => OwnedTargets::Values(t.clone()),
                Targets::Classes(c) => OwnedTargets::Classes(c.to_vec()),
            },
        }
    }

    pub(crate) fn targets(&self) -> Targets<'_, E> {
        match &self.y {
            OwnedTargets::Values(t) => Targets::Values(t),
            OwnedTargets::Classes(c) => Targets::Classes(c),
        }
    }
}

/// The targets of a batch on the tape, shaped for `output` ([n] value
/// targets are read as [n, 1] for a one-column output).
fn target_var<'t, E: Real>(
    tape: &'t Tape<E>,
    targets: Targets<'t, E>,
    output: TensorVar<'t, E>,
) -> Result<TargetVar<'t, E>> {
    Ok(match targets {
        Targets::Classes(c) => TargetVar::Classes(c),
        Targets::Values(t) => {
            let out = output.shape();
            let t = if t.ndim() == 1 && out.len() == 2 && out[1] == 1 && out[0] == t.len() {
                t.reshape(&[t.len(), 1])?
            } else {
                t.clone()
            };
            TargetVar::Values(tape.tensor_constant(t))
        }
    })
}

/// One training step on one batch: forward, loss, backward, optimizer
/// update. Returns the batch loss.
///
/// The tape is cleared before and after (so the optimizer updates the
/// parameters in place: the tape no longer shares their storage). If the
/// loss is NaN or infinite the parameters are left as they were and the
/// loss is returned, for the caller to stop. An `f32` step flushes
/// subnormal numbers to zero unless `XIAOLAN_SUBNORMALS` is `keep` (see
/// [`Trainer::flush_subnormals`]).
///
/// ```
/// use autograd::{Tape, Tensor};
/// use nn::loss::Targets;
/// use nn::prelude::*;
/// use nn::train::train_step;
/// // Nielsen's network: 784-30-10 sigmoid, f32, SGD with η = 3, batches of 10
/// let mut mlp = Mlp::<f32>::new(&[784, 30, 10], &[Activation::Sigmoid; 2], Init::NielsenScaled, 1).unwrap();
/// let mut opt = Sgd::new(3.0);
/// let x = Tensor::full(&[10, 784], 0.5f32);
/// let y = Tensor::one_hot(&[3, 1, 4, 1, 5, 9, 2, 6, 5, 3], 10).unwrap();
/// let mut tape = Tape::<f32>::default(); // reused by every step
/// let first = train_step(&mut tape, &mut mlp, &mut opt, &Loss::SquaredError, &x, Targets::Values(&y)).unwrap();
/// let second = train_step(&mut tape, &mut mlp, &mut opt, &Loss::SquaredError, &x, Targets::Values(&y)).unwrap();
/// assert!(second < first);
/// ```
///
/// # Errors
/// A shape mismatch between the batch, the model and the targets; an
/// optimizer error.
pub fn train_step<E, M, O, L>(
    tape: &mut Tape<E>,
    model: &mut M,
    opt: &mut O,
    loss: &L,
    x: &Tensor<E>,
    targets: Targets<'_, E>,
) -> Result<f64>
where
    E: Real,
    M: Model<E>,
    O: Optimizer<E> + ?Sized,
    L: Objective<E> + ?Sized,
{
    let flush = autograd::flush_subnormals_by_default();
    step_with_grads(tape, model, opt, loss, (x, targets), flush, false, None).map(|(loss, _)| loss)
}

/// [`train_step`], also saying whether the update was applied (`None` when
/// the loss was not finite and nothing was applied) and, with `keep`, the
/// gradients it applied as values (for a step callback). The one place a
/// training step calls the optimizer; with `flush`, an `f32` step runs with
/// subnormals flushed to zero ([`autograd::FlushSubnormals::for_training`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn step_with_grads<E, M, O, L>(
    tape: &mut Tape<E>,
    model: &mut M,
    opt: &mut O,
    loss: &L,
    (x, targets): (&Tensor<E>, Targets<'_, E>),
    flush: bool,
    keep: bool,
    unreached: Option<&mut Vec<String>>,
) -> Result<(f64, Option<Option<ParamGrads<E>>>)>
where
    E: Real,
    M: Model<E>,
    O: Optimizer<E> + ?Sized,
    L: Objective<E> + ?Sized,
{
    let _flush = autograd::FlushSubnormals::for_training::<E>(flush);
    tape.clear();
    let (value, grads) = {
        let t: &Tape<E> = tape;
        let out = model.forward(t.tensor_constant(x.clone()))?;
        let target = target_var(t, targets, out)?;
        let l = loss.loss(out, &target)?;
        (l.value().to_f64(), l.backward())
    };
    tape.clear();
    if !value.is_finite() {
        return Ok((value, None));
    }
    // read before the step: an update unbinds the parameters from the tape
    if let Some(names) = unreached {
        *names = unreached_params(&*model, &grads)?;
    }
    let kept = if keep {
        Some(ParamGrads::of(&*model, &grads)?)
    } else {
        None
    };
    opt.step(model, &grads)?;
    Ok((value, Some(kept)))
}

/// The full names of `model`'s parameters that no gradient in `grads`
/// reached (the loss does not depend on them), in visiting order.
///
/// # Errors
/// As [`ParamGrads::of`].
pub(crate) fn unreached_params<E: Real>(
    model: &dyn Model<E>,
    grads: &autograd::Grads<E>,
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    model.visit_params(&crate::layers::ParamPath::ROOT, &mut |path, store| {
        let keys = store.keys()?;
        let missing = grads
            .unreached(&keys)
            .map_err(|_| crate::param::foreign_grads())?;
        let all: Vec<&str> = store.iter().map(|(_, name, _)| name).collect();
        names.extend(missing.into_iter().map(|i| path.join(all[i])));
        Ok(())
    })?;
    Ok(names)
}

/// The one line a run prints when parameters never receive a gradient.
pub(crate) fn unreached_warning(names: &[String]) -> String {
    format!(
        "warning: no gradient reached {} parameter{} ({}): the loss does not depend on {}, so training leaves {} unchanged",
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        names.join(", "),
        if names.len() == 1 { "it" } else { "them" },
        if names.len() == 1 { "it" } else { "them" },
    )
}

/// The loss (and, with `mode`, the accuracy) of a model on a whole data set,
/// computed without recording gradients.
///
/// # Errors
/// [`Error::Invalid`] for an empty set; [`Error::Mismatch`] if the targets
/// do not fit the inputs or the model's outputs.
pub fn evaluate<E, M, L>(
    model: &M,
    loss: &L,
    x: &Tensor<E>,
    targets: Targets<'_, E>,
    mode: Option<Accuracy>,
) -> Result<(f64, Option<f64>)>
where
    E: Real,
    M: Model<E> + ?Sized,
    L: Objective<E> + ?Sized,
{
    check_set("data set", x, &targets)?;
    let tape = Tape::<E>::default();
    tape.no_grad(|| {
        let out = model.forward(tape.tensor_constant(x.clone()))?;
        let target = target_var(&tape, targets, out)?;
        let l = loss.loss(out, &target)?.to_f64();
        let acc = match mode {
            Some(m) => Some(accuracy(&out.value(), targets, m)?),
            None => None,
        };
        Ok((l, acc))
    })
}

#[cfg(test)]
mod tests;
