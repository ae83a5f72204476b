//! The training loop: epochs of shuffled mini-batches, a loss per epoch on
//! the training and test sets, early stopping, and a progress bar.
//!
//! One step ([`train_step`]) binds the parameters to a tape, runs the
//! forward pass and the loss, calls `backward()`, clears the tape (which is
//! reused, keeping its memory) and lets the optimizer update the
//! parameters. [`Trainer::fit`] runs steps over epochs and returns a
//! [`History`].
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

pub mod playground;

use crate::error::{Error, Result};
use crate::init::Rng;
use crate::layers::Model;
use crate::loss::{Objective, TargetVar, Targets};
use crate::metrics::{accuracy, Accuracy};
use crate::optim::{Optimizer, Schedule};
use autograd::{Real, Tape, Tensor, TensorVar};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt;
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// What happened in one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// The epoch, counted from 0.
    pub epoch: usize,
    /// The loss on the training set after the epoch (or, with
    /// [`Trainer::evaluate_train`] off, the batch losses' mean weighted by
    /// batch size).
    pub train_loss: f64,
    /// The loss on the test set after the epoch, if there is one.
    pub test_loss: Option<f64>,
    /// The training accuracy after the epoch, if an [`Accuracy`] was chosen
    /// (and the training set was evaluated).
    pub train_accuracy: Option<f64>,
    /// The test accuracy after the epoch, if there is a test set and an
    /// [`Accuracy`].
    pub test_accuracy: Option<f64>,
    /// The learning rate used in the epoch.
    pub learning_rate: f64,
    /// The number of optimizer steps taken.
    pub steps: usize,
    /// Training samples processed per second of the epoch's steps.
    pub samples_per_second: f64,
}

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Every epoch ran.
    Completed,
    /// The training loss reached [`Trainer::target_loss`].
    TargetLoss,
    /// The monitored loss did not improve for [`Trainer::patience`] epochs.
    Patience,
    /// The epoch callback returned `ControlFlow::Break`.
    Callback,
    /// A loss was NaN or infinite: the run diverged (the learning rate is
    /// probably too large). The parameters are those before the bad step.
    NonFinite,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StopReason::Completed => "completed every epoch",
            StopReason::TargetLoss => "reached the target loss",
            StopReason::Patience => "stopped early: no improvement within the patience",
            StopReason::Callback => "stopped by the epoch callback",
            StopReason::NonFinite => "stopped: the loss is not finite (diverged)",
        })
    }
}

/// The record of a training run: one [`EpochStats`] per epoch run.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// Per-epoch statistics, in order.
    pub epochs: Vec<EpochStats>,
    /// Why training stopped.
    pub stop: StopReason,
}

impl History {
    /// The training loss of each epoch (for a loss curve).
    pub fn train_losses(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// The test loss of each epoch (empty without a test set).
    pub fn test_losses(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.test_loss).collect()
    }

    /// The training accuracy of each epoch (empty without an [`Accuracy`]).
    pub fn train_accuracies(&self) -> Vec<f64> {
        self.epochs
            .iter()
            .filter_map(|e| e.train_accuracy)
            .collect()
    }

    /// The test accuracy of each epoch (empty without a test set or an
    /// [`Accuracy`]).
    pub fn test_accuracies(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.test_accuracy).collect()
    }

    /// The last epoch's statistics.
    pub fn last(&self) -> Option<&EpochStats> {
        self.epochs.last()
    }

    /// The number of epochs run.
    pub fn len(&self) -> usize {
        self.epochs.len()
    }

    /// Whether no epoch ran.
    pub fn is_empty(&self) -> bool {
        self.epochs.is_empty()
    }
}

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
/// loss is returned, for the caller to stop.
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
    tape.clear();
    let (value, grads) = {
        let t: &Tape<E> = tape;
        let out = model.forward(t.tensor_constant(x.clone()))?;
        let target = target_var(t, targets, out)?;
        let l = loss.loss(out, &target)?;
        (l.value().to_f64(), l.backward())
    };
    tape.clear();
    if value.is_finite() {
        opt.step(model, &grads)?;
    }
    Ok(value)
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

type EpochCallback<'a> = Box<dyn FnMut(&EpochStats) -> ControlFlow<()> + 'a>;

/// Settings for a training run; [`Trainer::fit`] runs it.
///
/// Defaults: 1 epoch, batches of 10 (the Playground's and Nielsen's), seed 0,
/// no test set, no accuracy, no early stopping, the training loss evaluated
/// on the whole set after each epoch, a progress bar only when stderr is a
/// terminal.
pub struct Trainer<'a, E: Real, L> {
    loss: L,
    epochs: usize,
    batch_size: usize,
    seed: u64,
    test: Option<(&'a Tensor<E>, Targets<'a, E>)>,
    accuracy: Option<Accuracy>,
    patience: Option<(usize, f64)>,
    target_loss: Option<f64>,
    quiet: bool,
    evaluate_train: bool,
    schedule: Option<Box<dyn Schedule + 'a>>,
    on_epoch: Option<EpochCallback<'a>>,
}

impl<E: Real, L> fmt::Debug for Trainer<'_, E, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trainer")
            .field("epochs", &self.epochs)
            .field("batch_size", &self.batch_size)
            .field("seed", &self.seed)
            .field("test", &self.test.is_some())
            .field("accuracy", &self.accuracy)
            .field("patience", &self.patience)
            .field("target_loss", &self.target_loss)
            .finish_non_exhaustive()
    }
}

impl<'a, E: Real, L: Objective<E>> Trainer<'a, E, L> {
    /// A run minimising `loss` (a [`crate::loss::Loss`] or a
    /// [`crate::loss::custom`] closure).
    pub fn new(loss: L) -> Self {
        Trainer {
            loss,
            epochs: 1,
            batch_size: 10,
            seed: 0,
            test: None,
            accuracy: None,
            patience: None,
            target_loss: None,
            quiet: false,
            evaluate_train: true,
            schedule: None,
            on_epoch: None,
        }
    }

    /// The number of epochs (passes over the training set).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Samples per mini-batch (the last batch of an epoch may be smaller);
    /// a size at least the set's is full-batch gradient descent.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// The seed of the shuffles: epoch k visits the samples in the order
    /// [`Rng::with_stream(seed, k)`](Rng::with_stream)`.permutation(n)`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// A test set, evaluated after each epoch.
    pub fn test(mut self, x: &'a Tensor<E>, targets: impl Into<Targets<'a, E>>) -> Self {
        self.test = Some((x, targets.into()));
        self
    }

    /// Records accuracies, deciding by `mode`.
    pub fn accuracy(mut self, mode: Accuracy) -> Self {
        self.accuracy = Some(mode);
        self
    }

    /// Stops when the test loss (the training loss without a test set) has
    /// not improved for `epochs` epochs.
    pub fn patience(mut self, epochs: usize) -> Self {
        let delta = self.patience.map_or(0.0, |p| p.1);
        self.patience = Some((epochs, delta));
        self
    }

    /// The smallest decrease that counts as an improvement for
    /// [`Trainer::patience`] (default 0).
    pub fn min_delta(mut self, delta: f64) -> Self {
        let epochs = self.patience.map_or(usize::MAX, |p| p.0);
        self.patience = Some((epochs, delta));
        self
    }

    /// Stops as soon as the training loss is at most `loss`.
    pub fn target_loss(mut self, loss: f64) -> Self {
        self.target_loss = Some(loss);
        self
    }

    /// No progress bar, even on a terminal.
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    /// Whether to evaluate the loss on the whole training set after each
    /// epoch (default), or to report the batch losses' mean instead (cheaper
    /// on large sets; no training accuracy then).
    pub fn evaluate_train(mut self, on: bool) -> Self {
        self.evaluate_train = on;
        self
    }

    /// A learning-rate schedule: before epoch k, the optimizer's rate is set
    /// to `schedule.lr(k, base)`, base being its rate when `fit` starts.
    pub fn schedule(mut self, schedule: impl Schedule + 'a) -> Self {
        self.schedule = Some(Box::new(schedule));
        self
    }

    /// A function called after each epoch with its statistics; returning
    /// `ControlFlow::Break(())` stops training.
    pub fn on_epoch(mut self, f: impl FnMut(&EpochStats) -> ControlFlow<()> + 'a) -> Self {
        self.on_epoch = Some(Box::new(f));
        self
    }

    /// Trains `model` on inputs `x` ([n, …], one row per sample) and
    /// `targets` (one per sample), updating it with `opt`, and returns what
    /// happened per epoch.
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty training or test set or a batch size
    /// of 0, or for a rate from the schedule that is negative or not finite;
    /// [`Error::Mismatch`] if the targets do not have one entry per sample,
    /// or do not fit the model's outputs.
    pub fn fit<'d, M, O>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        x: &Tensor<E>,
        targets: impl Into<Targets<'d, E>>,
    ) -> Result<History>
    where
        M: Model<E>,
        O: Optimizer<E> + ?Sized,
    {
        let targets = targets.into();
        let n = check_set("training set", x, &targets)?;
        if let Some((tx, ty)) = &self.test {
            check_set("test set", tx, ty)?;
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch size", "at least 1", 0));
        }
        let batch = self.batch_size.min(n);
        let batches = n.div_ceil(batch);
        let base_lr = opt.learning_rate();
        let bar = self.progress_bar((self.epochs * batches) as u64);
        let mut tape = Tape::<E>::default();
        let mut history = History {
            epochs: Vec::with_capacity(self.epochs),
            stop: StopReason::Completed,
        };
        let mut best = f64::INFINITY;
        let mut since_best = 0usize;
        let mut batch_classes: Vec<usize> = Vec::with_capacity(batch);

        for epoch in 0..self.epochs {
            if let Some(s) = &self.schedule {
                opt.set_learning_rate(s.lr(epoch, base_lr))?;
            }
            let order = Rng::with_stream(self.seed, epoch as u64).permutation(n);
            let start = Instant::now();
            let (mut sum, mut seen, mut steps) = (0.0, 0usize, 0usize);
            let mut diverged = false;
            let mut last_draw = Instant::now();
            for idx in order.chunks(batch) {
                let xb = take_rows(x, idx);
                let yb_values;
                let yb = match targets {
                    Targets::Values(t) => {
                        yb_values = take_rows(t, idx);
                        Targets::Values(&yb_values)
                    }
                    Targets::Classes(c) => {
                        // one buffer for every batch's classes
                        batch_classes.clear();
                        batch_classes.extend(idx.iter().map(|&i| c[i]));
                        Targets::Classes(&batch_classes)
                    }
                };
                let l = train_step(&mut tape, model, opt, &self.loss, &xb, yb)?;
                if !l.is_finite() {
                    diverged = true;
                    break;
                }
                steps += 1;
                sum += l * idx.len() as f64;
                seen += idx.len();
                if let Some(bar) = &bar {
                    bar.inc(1);
                    if last_draw.elapsed() > Duration::from_millis(100) {
                        last_draw = Instant::now();
                        let rate = seen as f64 / start.elapsed().as_secs_f64().max(1e-9);
                        bar.set_message(format!(
                            "epoch {}/{} loss {:.4} {:.0} samples/s",
                            epoch + 1,
                            self.epochs,
                            sum / seen as f64,
                            rate
                        ));
                    }
                }
            }
            let seconds = start.elapsed().as_secs_f64();
            let (train_loss, train_accuracy) = if diverged {
                (f64::NAN, None)
            } else if self.evaluate_train {
                evaluate(model, &self.loss, x, targets, self.accuracy)?
            } else {
                (sum / seen.max(1) as f64, None)
            };
            let (test_loss, test_accuracy) = match (&self.test, diverged) {
                (Some((tx, ty)), false) => {
                    let (l, a) = evaluate(model, &self.loss, tx, *ty, self.accuracy)?;
                    (Some(l), a)
                }
                _ => (None, None),
            };
            let stats = EpochStats {
                epoch,
                train_loss,
                test_loss,
                train_accuracy,
                test_accuracy,
                learning_rate: opt.learning_rate(),
                steps,
                samples_per_second: seen as f64 / seconds.max(1e-9),
            };
            if let Some(bar) = &bar {
                bar.set_message(format!(
                    "epoch {}/{} loss {:.4} {:.0} samples/s",
                    epoch + 1,
                    self.epochs,
                    train_loss,
                    stats.samples_per_second
                ));
            }
            let flow = match &mut self.on_epoch {
                Some(f) => f(&stats),
                None => ControlFlow::Continue(()),
            };
            history.epochs.push(stats);
            if diverged || !train_loss.is_finite() {
                history.stop = StopReason::NonFinite;
                break;
            }
            if flow.is_break() {
                history.stop = StopReason::Callback;
                break;
            }
            if self.target_loss.is_some_and(|t| train_loss <= t) {
                history.stop = StopReason::TargetLoss;
                break;
            }
            if let Some((patience, delta)) = self.patience {
                let monitored = test_loss.unwrap_or(train_loss);
                if monitored < best - delta {
                    best = monitored;
                    since_best = 0;
                } else {
                    since_best += 1;
                    if since_best >= patience {
                        history.stop = StopReason::Patience;
                        break;
                    }
                }
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        Ok(history)
    }

    fn progress_bar(&self, len: u64) -> Option<ProgressBar> {
        if self.quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let style =
            ProgressStyle::with_template("{bar:30} {pos}/{len} steps {msg} [{elapsed}<{eta}]")
                .expect("a valid template");
        Some(
            ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr())
                .with_style(style),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::init::Init;
    use crate::layers::Mlp;
    use crate::loss::Loss;
    use crate::optim::Sgd;

    #[test]
    fn take_rows_copies_the_chosen_rows() {
        let t = Tensor::from_vec(&[3, 2], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!(take_rows(&t, &[2, 0]).data(), &[5.0, 6.0, 1.0, 2.0]);
        let v = Tensor::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        assert_eq!(take_rows(&v, &[1]).shape(), &[1]);
    }

    #[test]
    fn one_dimensional_targets_fit_a_one_column_output() {
        let x = Tensor::from_vec(&[3, 1], vec![0.0, 1.0, 2.0]).unwrap();
        let y = Tensor::from_vec(&[3], vec![1.0, 3.0, 5.0]).unwrap();
        let mut mlp = Mlp::new(&[1, 1], &[Activation::Identity], Init::Zero, 0).unwrap();
        let mut opt = Sgd::new(0.1);
        let h = Trainer::new(Loss::Mse)
            .epochs(300)
            .batch_size(3)
            .quiet()
            .fit(&mut mlp, &mut opt, &x, &y)
            .unwrap();
        assert!(h.last().unwrap().train_loss < 1e-6, "{:?}", h.last());
        // y = 2x + 1
        let w = mlp.params().by_name("layer0.weight").unwrap().item();
        let b = mlp.params().by_name("layer0.bias").unwrap().item();
        assert!((w - 2.0).abs() < 1e-3 && (b - 1.0).abs() < 1e-3, "{w} {b}");
    }

    #[test]
    fn schedule_callback_and_patience_stop_and_record() {
        let x = Tensor::from_vec(&[2, 1], vec![0.0, 1.0]).unwrap();
        let y = Tensor::from_vec(&[2, 1], vec![0.0, 1.0]).unwrap();
        let mut mlp = Mlp::new(&[1, 1], &[Activation::Identity], Init::Zero, 0).unwrap();
        let mut opt = Sgd::new(0.1);
        let mut seen = Vec::new();
        let h = Trainer::new(Loss::Mse)
            .epochs(10)
            .schedule(|k: usize, base: f64| base / (k + 1) as f64)
            .on_epoch(|s| {
                seen.push(s.epoch);
                if s.epoch == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .quiet()
            .fit(&mut mlp, &mut opt, &x, &y)
            .unwrap();
        assert_eq!(seen, vec![0, 1, 2, 3]);
        assert_eq!(h.stop, StopReason::Callback);
        assert_eq!(h.len(), 4);
        assert!((h.epochs[3].learning_rate - 0.025).abs() < 1e-15);
        assert_eq!(h.epochs[0].steps, 1);

        // a zero learning rate never improves: patience stops after 3 + 1 epochs
        let mut still = Sgd::new(0.0);
        let h = Trainer::new(Loss::Mse)
            .epochs(50)
            .patience(3)
            .quiet()
            .fit(&mut mlp, &mut still, &x, &y)
            .unwrap();
        assert_eq!((h.stop, h.len()), (StopReason::Patience, 4));
    }

    #[test]
    fn a_diverging_run_stops_with_non_finite() {
        let x = Tensor::from_vec(&[2, 1], vec![10.0, -10.0]).unwrap();
        let y = Tensor::from_vec(&[2, 1], vec![1.0, -1.0]).unwrap();
        let mut mlp = Mlp::new(&[1, 1], &[Activation::Identity], Init::Playground, 0).unwrap();
        let mut opt = Sgd::new(100.0);
        let h = Trainer::new(Loss::SquaredError)
            .epochs(1000)
            .batch_size(2)
            .quiet()
            .fit(&mut mlp, &mut opt, &x, &y)
            .unwrap();
        assert_eq!(h.stop, StopReason::NonFinite);
        assert!(h.len() < 1000);
        assert!(mlp
            .params()
            .iter()
            .all(|(_, _, t)| t.data().iter().all(|v| v.is_finite())));
    }
}
