//! [`Trainer`]: the settings of a training run, and [`Trainer::fit`] and
//! [`Trainer::start`], which run it.

use super::stop::Stopping;
use super::{check_set, DataSet, EpochStats, History, Order, Run, StepStats};
use crate::error::{Error, Result};
use crate::layers::Model;
use crate::loss::{Objective, Targets};
use crate::metrics::Accuracy;
use crate::optim::{Optimizer, Schedule};
use autograd::{Real, Tensor};
use std::fmt;
use std::ops::ControlFlow;

/// A function called after each epoch.
pub(crate) type EpochCallback<'a, M> = Box<dyn FnMut(&EpochStats, &M) -> ControlFlow<()> + 'a>;
/// A function called after each optimizer step.
pub(crate) type StepCallback<'a, E, M> =
    Box<dyn FnMut(&StepStats<'_, E>, &M) -> ControlFlow<()> + 'a>;

/// Settings for a training run of a model of type `M`; [`Trainer::fit`]
/// runs it to the end, [`Trainer::start`] returns it as a [`Run`] to drive
/// step by step.
///
/// Defaults: 1 epoch, batches of 10 (the Playground's and Nielsen's),
/// [`Order::Shuffled`] with seed 0, no test set, no accuracy, no early
/// stopping, the training loss evaluated on the whole set after each epoch
/// (not before the first), a progress bar only when stderr is a terminal,
/// subnormal numbers flushed to zero in `f32` steps
/// ([`Trainer::flush_subnormals`]).
pub struct Trainer<'a, E: Real, L, M: ?Sized> {
    pub(crate) loss: L,
    pub(crate) batch_size: usize,
    pub(crate) seed: u64,
    pub(crate) order: Order,
    pub(crate) test: Option<DataSet<E>>,
    pub(crate) accuracy: Option<Accuracy>,
    pub(crate) stopping: Stopping,
    pub(crate) quiet: bool,
    pub(crate) evaluate_train: bool,
    pub(crate) evaluate_before: bool,
    pub(crate) flush_subnormals: bool,
    pub(crate) schedule: Option<Box<dyn Schedule + 'a>>,
    pub(crate) on_epoch: Option<EpochCallback<'a, M>>,
    pub(crate) on_step: Option<StepCallback<'a, E, M>>,
}

impl<E: Real, L, M: ?Sized> fmt::Debug for Trainer<'_, E, L, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trainer")
            .field("epochs", &self.stopping.epochs)
            .field("batch_size", &self.batch_size)
            .field("seed", &self.seed)
            .field("order", &self.order)
            .field("test", &self.test.is_some())
            .field("accuracy", &self.accuracy)
            .field("patience", &self.stopping.patience)
            .field("target_loss", &self.stopping.target_loss)
            .field("target_accuracy", &self.stopping.target_accuracy)
            .finish_non_exhaustive()
    }
}

impl<'a, E: Real, L: Objective<E>, M: Model<E>> Trainer<'a, E, L, M> {
    /// A run minimising `loss` (a [`crate::loss::Loss`] or a
    /// [`crate::loss::custom`] closure).
    pub fn new(loss: L) -> Self {
        Trainer {
            loss,
            batch_size: 10,
            seed: 0,
            order: Order::Shuffled,
            test: None,
            accuracy: None,
            stopping: Stopping {
                epochs: 1,
                target_loss: None,
                target_accuracy: None,
                patience: None,
            },
            quiet: false,
            evaluate_train: true,
            evaluate_before: false,
            flush_subnormals: autograd::flush_subnormals_by_default(),
            schedule: None,
            on_epoch: None,
            on_step: None,
        }
    }

    /// The number of epochs (passes over the training set); `usize::MAX`
    /// runs until another condition stops it (or, for a [`Run`], until its
    /// driver stops calling it). No memory is reserved from this count: the
    /// history grows with the epochs that run.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.stopping.epochs = epochs;
        self
    }

    /// Samples per mini-batch; a size at least the set's is full-batch
    /// gradient descent. What happens to the samples left over when it does
    /// not divide the set is the [`Order`]'s choice.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// The seed of the shuffles ([`Order::Shuffled`] and
    /// [`Order::PlaygroundShuffled`]): epoch k visits the samples in the
    /// order [`Rng::with_stream(seed, k)`](crate::Rng::with_stream)`.permutation(n)`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How to walk the training set (default [`Order::Shuffled`]).
    pub fn order(mut self, order: Order) -> Self {
        self.order = order;
        self
    }

    /// A test set, evaluated after each epoch (the run keeps its own handle
    /// on the tensors, which share their storage: no sample is copied).
    pub fn test<'t>(mut self, x: &Tensor<E>, targets: impl Into<Targets<'t, E>>) -> Self
    where
        E: 't,
    {
        self.test = Some(DataSet::new(x, targets.into()));
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
        let delta = self.stopping.patience.map_or(0.0, |p| p.1);
        self.stopping.patience = Some((epochs, delta));
        self
    }

    /// The smallest decrease that counts as an improvement for
    /// [`Trainer::patience`] (default 0).
    pub fn min_delta(mut self, delta: f64) -> Self {
        let epochs = self.stopping.patience.map_or(usize::MAX, |p| p.0);
        self.stopping.patience = Some((epochs, delta));
        self
    }

    /// Stops as soon as the training loss is at most `loss`.
    pub fn target_loss(mut self, loss: f64) -> Self {
        self.stopping.target_loss = Some(loss);
        self
    }

    /// Stops as soon as the training accuracy is at least `accuracy` (a
    /// fraction, 1.0 for every sample right). Needs an [`Accuracy`] and the
    /// training set evaluated ([`Trainer::evaluate_train`]).
    pub fn target_accuracy(mut self, accuracy: f64) -> Self {
        self.stopping.target_accuracy = Some(accuracy);
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

    /// Whether to evaluate the model on the training (and test) set before
    /// the first step, recorded as [`History::initial`] (default: no).
    pub fn evaluate_before(mut self, on: bool) -> Self {
        self.evaluate_before = on;
        self
    }

    /// Whether the run's `f32` steps and evaluations flush subnormal
    /// numbers to zero (the CPU's flush-to-zero and denormals-are-zero
    /// modes, on every thread that does the step's arithmetic, restored
    /// after each step: see [`autograd::subnormal`]). Default: on, unless
    /// the environment variable `XIAOLAN_SUBNORMALS` is `keep`. Saturating
    /// sigmoid units make gradients underflow, and a CPU that handles each
    /// subnormal in microcode slows down epoch after epoch; flushed, the
    /// accuracies stay those of IEEE arithmetic to the printed digit in
    /// Nielsen's runs. `f64` runs never flush: their numbers are exact.
    ///
    /// ```
    /// use autograd::Tensor;
    /// use nn::prelude::*;
    /// let mut mlp = Mlp::<f32>::new(&[1, 1], &[Activation::Sigmoid], Init::Nielsen, 1).unwrap();
    /// let x = Tensor::from_vec(&[2, 1], vec![0.0f32, 1.0]).unwrap();
    /// let y = Tensor::from_vec(&[2, 1], vec![0.0f32, 1.0]).unwrap();
    /// let history = Trainer::new(Loss::SquaredError)
    ///     .flush_subnormals(false) // IEEE arithmetic, subnormals and all
    ///     .quiet()
    ///     .fit(&mut mlp, &mut Sgd::new(1.0), &x, Targets::Values(&y))
    ///     .unwrap();
    /// assert_eq!(history.epochs.len(), 1);
    /// ```
    pub fn flush_subnormals(mut self, on: bool) -> Self {
        self.flush_subnormals = on;
        self
    }

    /// A learning-rate schedule: before epoch k, the optimizer's rate is set
    /// to `schedule.lr(k, base)`, base being its rate when the first step
    /// starts.
    pub fn schedule(mut self, schedule: impl Schedule + 'a) -> Self {
        self.schedule = Some(Box::new(schedule));
        self
    }

    /// A function called after each epoch with its statistics and the model;
    /// returning `ControlFlow::Break(())` stops training.
    pub fn on_epoch(mut self, f: impl FnMut(&EpochStats, &M) -> ControlFlow<()> + 'a) -> Self {
        self.on_epoch = Some(Box::new(f));
        self
    }

    /// A function called after each optimizer step with what the step did
    /// (its loss, the gradients it applied) and the updated model; returning
    /// `ControlFlow::Break(())` stops training there (the epoch is recorded
    /// as not [completed](EpochStats::completed)).
    pub fn on_step(mut self, f: impl FnMut(&StepStats<'_, E>, &M) -> ControlFlow<()> + 'a) -> Self {
        self.on_step = Some(Box::new(f));
        self
    }

    /// Checks the settings and the data and returns the run, before its
    /// first step, on inputs `x` ([n, …], one row per sample) and `targets`
    /// (one per sample). With [`Trainer::evaluate_before`], `model` is
    /// evaluated now. The run keeps its own handle on the data tensors
    /// (no sample is copied).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty training or test set, a batch size of
    /// 0, or a target accuracy without an [`Accuracy`] or without the
    /// training set evaluated; [`Error::Mismatch`] if the targets do not
    /// have one entry per sample (or, when evaluated now, do not fit the
    /// model's outputs).
    pub fn start<'d>(
        self,
        model: &M,
        x: &Tensor<E>,
        targets: impl Into<Targets<'d, E>>,
    ) -> Result<Run<'a, E, L, M>>
    where
        E: 'd,
    {
        let targets = targets.into();
        let n = check_set("training set", x, &targets)?;
        if let Some(test) = &self.test {
            check_set("test set", &test.x, &test.targets())?;
        }
        if self.batch_size == 0 {
            return Err(Error::invalid("batch size", "at least 1", 0));
        }
        if let Some(t) = self.stopping.target_accuracy {
            if self.accuracy.is_none() || !self.evaluate_train {
                return Err(Error::invalid(
                    "target accuracy",
                    "an accuracy mode (Trainer::accuracy) and the training set evaluated",
                    format!(
                        "a target of {t} with {} and the training set {}",
                        if self.accuracy.is_some() {
                            "an accuracy mode"
                        } else {
                            "no accuracy mode"
                        },
                        if self.evaluate_train {
                            "evaluated"
                        } else {
                            "not evaluated"
                        }
                    ),
                ));
            }
        }
        Run::new(self, model, DataSet::new(x, targets), n)
    }

    /// Trains `model` on inputs `x` ([n, …], one row per sample) and
    /// `targets` (one per sample), updating it with `opt`, and returns what
    /// happened per epoch: [`Trainer::start`] driven to its end.
    ///
    /// # Errors
    /// As [`Trainer::start`]; [`Error::Invalid`] for a rate from the
    /// schedule that is negative or not finite; [`Error::Mismatch`] if the
    /// targets do not fit the model's outputs; an optimizer error.
    pub fn fit<'d, O>(
        self,
        model: &mut M,
        opt: &mut O,
        x: &Tensor<E>,
        targets: impl Into<Targets<'d, E>>,
    ) -> Result<History>
    where
        E: 'd,
        O: Optimizer<E> + ?Sized,
    {
        let mut run = self.start(model, x, targets)?;
        run.finish(model, opt)?;
        Ok(run.into_history())
    }
}
