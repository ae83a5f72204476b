//! [`Run`]: a training run under way, driven one step or one epoch at a
//! time; [`Trainer::fit`](super::Trainer::fit) drives one to its end.

use super::order::Walk;
use super::stop::Patience;
use super::trainer::Trainer;
use super::{evaluate, step_with_grads, take_rows, DataSet, EpochStats, Evaluation, History};
use super::{OwnedTargets, StopReason};
use crate::error::Result;
use crate::layers::Model;
use crate::loss::{Objective, Targets};
use crate::optim::Optimizer;
use crate::param::ParamGrads;
use autograd::{Real, Tape};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

/// What one optimizer step did, as a step callback
/// ([`Trainer::on_step`](super::Trainer::on_step)) sees it.
#[derive(Clone, Copy, Debug)]
pub struct StepStats<'s, E: Real> {
    /// The epoch, counted from 0.
    pub epoch: usize,
    /// The batch within the epoch, counted from 0.
    pub batch: usize,
    /// The number of batches in an epoch.
    pub batches: usize,
    /// Optimizer steps taken in the run so far, this one included.
    pub step: usize,
    /// The batch loss.
    pub loss: f64,
    /// The samples in the batch.
    pub samples: usize,
    /// The gradients the step applied.
    pub grads: &'s ParamGrads<E>,
}

/// Where a [`Run`] is after a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A step was taken; the epoch goes on.
    Stepped,
    /// A step ended an epoch, which is now in the [`History`]; the run goes
    /// on.
    EpochEnded,
    /// The run is over (it was already, or this call ended it).
    Stopped(StopReason),
}

impl Status {
    /// Whether the run is over.
    pub fn is_stopped(self) -> bool {
        matches!(self, Status::Stopped(_))
    }
}

/// A training run under way: the [`Trainer`]'s settings, the data, where
/// the walk through it is, the reused tape and the [`History`] so far.
/// [`Trainer::start`] makes one; [`Run::step`] takes one optimizer step,
/// [`Run::epoch`] steps to the end of the epoch, [`Run::finish`] to the end
/// of the run. The model and the optimizer stay with the caller, who may
/// read (or replace) them between calls.
///
/// After an error (a batch that does not fit the model, a bad rate from the
/// schedule) the run should be dropped.
pub struct Run<'a, E: Real, L, M: ?Sized> {
    settings: Trainer<'a, E, L, M>,
    train: DataSet<E>,
    walk: Walk,
    tape: Tape<E>,
    history: History,
    /// The epoch under way (or next), counted from 0.
    epoch: usize,
    /// Steps taken in the run.
    steps: usize,
    /// The latest step's batch loss (NaN before the first).
    last_loss: f64,
    base_lr: Option<f64>,
    patience: Patience,
    stopped: Option<StopReason>,
    /// The current epoch's batch-loss sum (weighted by batch size), samples
    /// seen, steps and time spent in steps.
    sum: f64,
    seen: usize,
    epoch_steps: usize,
    busy: Duration,
    /// The batch's class targets (one buffer for every batch).
    classes: Vec<usize>,
    bar: Option<ProgressBar>,
    last_draw: Instant,
    /// The parameters the first step's gradients did not reach (`None`
    /// before the first step).
    unreached: Option<Vec<String>>,
}

impl<'a, E: Real, L: Objective<E>, M: Model<E>> Run<'a, E, L, M> {
    /// A run before its first step (the data already checked).
    pub(crate) fn new(
        settings: Trainer<'a, E, L, M>,
        model: &M,
        train: DataSet<E>,
        n: usize,
    ) -> Result<Self> {
        let batch = settings.batch_size.min(n);
        let walk = Walk::new(settings.order, settings.seed, n, batch);
        let mut run = Run {
            history: History::new(settings.stopping.epochs),
            walk,
            tape: Tape::default(),
            epoch: 0,
            steps: 0,
            last_loss: f64::NAN,
            base_lr: None,
            patience: Patience::default(),
            stopped: None,
            sum: 0.0,
            seen: 0,
            epoch_steps: 0,
            busy: Duration::ZERO,
            classes: Vec::with_capacity(batch),
            bar: None,
            last_draw: Instant::now(),
            unreached: None,
            train,
            settings,
        };
        run.begin(model)?;
        Ok(run)
    }

    /// Starts the run again from its first epoch, with a fresh history, for
    /// `model` (typically re-initialised by the caller, with a new
    /// optimizer): the settings, callbacks and data are kept.
    ///
    /// # Errors
    /// As [`Trainer::start`].
    pub fn restart(&mut self, model: &M) -> Result<()> {
        let n = self.walk.samples();
        let batch = self.settings.batch_size.min(n);
        self.walk = Walk::new(self.settings.order, self.settings.seed, n, batch);
        self.history = History::new(self.settings.stopping.epochs);
        self.epoch = 0;
        self.steps = 0;
        self.last_loss = f64::NAN;
        self.base_lr = None;
        self.patience = Patience::default();
        self.stopped = None;
        self.reset_epoch();
        self.begin(model)
    }

    fn begin(&mut self, model: &M) -> Result<()> {
        if self.settings.evaluate_before {
            self.history.initial = Some(self.evaluation(model, true)?);
        }
        if self.settings.stopping.epochs == 0 {
            self.stop(StopReason::Completed);
        } else {
            let len = self
                .settings
                .stopping
                .epochs
                .saturating_mul(self.walk.batches_per_epoch());
            self.bar = self.progress_bar(len as u64);
        }
        Ok(())
    }

    /// The full names of the parameters that the run's first step gave no
    /// gradient (the loss does not depend on them, so training leaves them
    /// unchanged; the run warns about them once on standard error unless
    /// quiet). Empty before the first step.
    pub fn unreached_params(&self) -> &[String] {
        self.unreached.as_deref().unwrap_or(&[])
    }

    /// The record so far.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// The record, once the run is over (or abandoned).
    pub fn into_history(self) -> History {
        self.history
    }

    /// Why the run stopped, or `None` while it goes on.
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// The epoch under way (or, between epochs, the next), counted from 0:
    /// the number of epochs ended so far.
    pub fn epoch_index(&self) -> usize {
        self.epoch
    }

    /// Optimizer steps taken so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// The batch loss of the latest step (NaN before the first step): what
    /// a step callback sees as [`StepStats::loss`], for a caller that wants
    /// only the loss. A step callback costs a little more: it is shown the
    /// gradients as tensors, so a weight gradient kept as a product is
    /// multiplied into a buffer of its own (see [`Optimizer::plain_rate`]).
    pub fn last_loss(&self) -> f64 {
        self.last_loss
    }

    /// The number of batches (optimizer steps) in an epoch.
    pub fn batches_per_epoch(&self) -> usize {
        self.walk.batches_per_epoch()
    }

    /// Samples waiting for the next epoch's first batch
    /// ([`Order::Playground`](super::Order::Playground)'s leftover).
    pub fn carried(&self) -> usize {
        self.walk.carried()
    }

    /// One optimizer step on the next batch. When it is the epoch's last
    /// batch, the epoch is ended too: evaluated, recorded, shown to the
    /// epoch callback and checked against the stop conditions.
    ///
    /// # Errors
    /// A batch that does not fit the model or the loss; a rate from the
    /// schedule that is negative or not finite; an optimizer error.
    pub fn step<O>(&mut self, model: &mut M, opt: &mut O) -> Result<Status>
    where
        O: Optimizer<E> + ?Sized,
    {
        if let Some(s) = self.stopped {
            return Ok(Status::Stopped(s));
        }
        let start = Instant::now();
        if self.walk.at_epoch_start() {
            let base = *self.base_lr.get_or_insert_with(|| opt.learning_rate());
            if let Some(s) = &self.settings.schedule {
                opt.set_learning_rate(s.lr(self.epoch, base))?;
            }
        }
        let (idx, last) = self.walk.next_batch(self.epoch);
        let samples = idx.len();
        let xb = take_rows(&self.train.x, idx);
        let yb_values;
        let yb = match &self.train.y {
            OwnedTargets::Values(t) => {
                yb_values = take_rows(t, idx);
                Targets::Values(&yb_values)
            }
            OwnedTargets::Classes(c) => {
                self.classes.clear();
                self.classes.extend(idx.iter().map(|&i| c[i]));
                Targets::Classes(&self.classes)
            }
        };
        let loss = &self.settings.loss;
        let keep = self.settings.on_step.is_some();
        let mut unreached = Vec::new();
        let first = self.unreached.is_none();
        let (l, grads) = step_with_grads(
            &mut self.tape,
            model,
            opt,
            loss,
            (&xb, yb),
            self.settings.flush_subnormals,
            keep,
            first.then_some(&mut unreached),
        )?;
        self.last_loss = l;
        if first && grads.is_some() {
            if !unreached.is_empty() && !self.settings.quiet {
                // a standard error with no reader is no reason to stop
                let _ = writeln!(
                    std::io::stderr(),
                    "{}",
                    super::unreached_warning(&unreached)
                );
            }
            self.unreached = Some(unreached);
        }
        // looked at where it lies (moving it out would copy it whole)
        if grads.is_none() {
            // the parameters are those before this batch
            self.walk.end_epoch();
            self.busy += start.elapsed();
            return self.end_epoch(model, opt.learning_rate(), false, true, false);
        }
        self.steps += 1;
        self.epoch_steps += 1;
        self.sum += l * samples as f64;
        self.seen += samples;
        self.busy += start.elapsed();
        self.draw_step();
        let flow = match (&mut self.settings.on_step, &grads) {
            (Some(f), Some(Some(grads))) => f(
                &StepStats {
                    epoch: self.epoch,
                    batch: self.epoch_steps - 1,
                    batches: self.walk.batches_per_epoch(),
                    step: self.steps,
                    loss: l,
                    samples,
                    grads,
                },
                &*model,
            ),
            _ => ControlFlow::Continue(()),
        };
        drop(grads);
        if last || flow.is_break() {
            if !last {
                self.walk.end_epoch();
            }
            return self.end_epoch(model, opt.learning_rate(), last, false, flow.is_break());
        }
        Ok(Status::Stepped)
    }

    /// Steps to the end of the current epoch (or of the run).
    ///
    /// # Errors
    /// As [`Run::step`].
    pub fn epoch<O>(&mut self, model: &mut M, opt: &mut O) -> Result<Status>
    where
        O: Optimizer<E> + ?Sized,
    {
        loop {
            match self.step(model, opt)? {
                Status::Stepped => {}
                s => return Ok(s),
            }
        }
    }

    /// Steps to the end of the run and returns why it stopped.
    ///
    /// # Errors
    /// As [`Run::step`].
    pub fn finish<O>(&mut self, model: &mut M, opt: &mut O) -> Result<StopReason>
    where
        O: Optimizer<E> + ?Sized,
    {
        loop {
            if let Status::Stopped(s) = self.epoch(model, opt)? {
                return Ok(s);
            }
        }
    }

    /// The model's loss and accuracy on the training set (or the batch
    /// losses' mean, unless `train` or evaluation is on) and the test set.
    fn evaluation(&self, model: &M, train: bool) -> Result<Evaluation> {
        let s = &self.settings;
        let _flush = autograd::FlushSubnormals::for_training::<E>(s.flush_subnormals);
        let (train_loss, train_accuracy) = if train || s.evaluate_train {
            evaluate(
                model,
                &s.loss,
                &self.train.x,
                self.train.targets(),
                s.accuracy,
            )?
        } else {
            (self.sum / self.seen.max(1) as f64, None)
        };
        let (test_loss, test_accuracy) = match &s.test {
            Some(t) => {
                let (l, a) = evaluate(model, &s.loss, &t.x, t.targets(), s.accuracy)?;
                (Some(l), a)
            }
            None => (None, None),
        };
        Ok(Evaluation {
            train_loss,
            test_loss,
            train_accuracy,
            test_accuracy,
        })
    }

    /// Ends the epoch: evaluates (unless it `diverged`), records, calls the
    /// epoch callback and checks the stop conditions.
    fn end_epoch(
        &mut self,
        model: &M,
        learning_rate: f64,
        completed: bool,
        diverged: bool,
        step_break: bool,
    ) -> Result<Status> {
        let e = if diverged {
            Evaluation {
                train_loss: f64::NAN,
                test_loss: None,
                train_accuracy: None,
                test_accuracy: None,
            }
        } else {
            self.evaluation(model, false)?
        };
        let stats = EpochStats {
            epoch: self.epoch,
            train_loss: e.train_loss,
            test_loss: e.test_loss,
            train_accuracy: e.train_accuracy,
            test_accuracy: e.test_accuracy,
            learning_rate,
            steps: self.epoch_steps,
            samples_per_second: self.seen as f64 / self.busy.as_secs_f64().max(1e-9),
            completed,
        };
        if let Some(bar) = &self.bar {
            bar.set_message(self.message(stats.train_loss, stats.samples_per_second));
        }
        let flow = match &mut self.settings.on_epoch {
            Some(f) => f(&stats, model),
            None => ControlFlow::Continue(()),
        };
        let stop = if diverged {
            Some(StopReason::NonFinite)
        } else if step_break {
            Some(StopReason::Callback)
        } else {
            self.settings
                .stopping
                .after_epoch(&stats, flow.is_break(), &mut self.patience)
        };
        self.history.epochs.push(stats);
        self.epoch += 1;
        self.reset_epoch();
        Ok(match stop {
            Some(s) => {
                self.stop(s);
                Status::Stopped(s)
            }
            None => Status::EpochEnded,
        })
    }

    fn reset_epoch(&mut self) {
        self.sum = 0.0;
        self.seen = 0;
        self.epoch_steps = 0;
        self.busy = Duration::ZERO;
    }

    fn stop(&mut self, reason: StopReason) {
        self.stopped = Some(reason);
        self.history.stop = reason;
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn message(&self, loss: f64, rate: f64) -> String {
        let epochs = self.settings.stopping.epochs;
        let of = if epochs == usize::MAX {
            String::new()
        } else {
            format!("/{epochs}")
        };
        format!(
            "epoch {}{of} loss {loss:.4} {rate:.0} samples/s",
            self.epoch + 1
        )
    }

    fn draw_step(&mut self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            if self.last_draw.elapsed() > Duration::from_millis(100) {
                self.last_draw = Instant::now();
                let rate = self.seen as f64 / self.busy.as_secs_f64().max(1e-9);
                let msg = self.message(self.sum / self.seen as f64, rate);
                bar.set_message(msg);
            }
        }
    }

    fn progress_bar(&self, len: u64) -> Option<ProgressBar> {
        if self.settings.quiet || !std::io::stderr().is_terminal() {
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
