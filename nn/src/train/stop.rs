//! When a run stops: the epoch limit, a target loss or accuracy, a loss
//! that is not finite, no improvement within a patience, or a callback.

use super::EpochStats;
use std::fmt;

/// Why training stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Every epoch ran.
    Completed,
    /// The training loss reached [`Trainer::target_loss`](super::Trainer::target_loss).
    TargetLoss,
    /// The training accuracy reached
    /// [`Trainer::target_accuracy`](super::Trainer::target_accuracy).
    TargetAccuracy,
    /// The monitored loss did not improve for
    /// [`Trainer::patience`](super::Trainer::patience) epochs.
    Patience,
    /// An epoch or step callback returned `ControlFlow::Break`.
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
            StopReason::TargetAccuracy => "reached the target accuracy",
            StopReason::Patience => "stopped early: no improvement within the patience",
            StopReason::Callback => "stopped by a callback",
            StopReason::NonFinite => "stopped: the loss is not finite (diverged)",
        })
    }
}

/// The stop conditions checked after each epoch, and the patience's count.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stopping {
    /// The number of epochs.
    pub epochs: usize,
    /// Stop when the training loss is at most this.
    pub target_loss: Option<f64>,
    /// Stop when the training accuracy is at least this.
    pub target_accuracy: Option<f64>,
    /// (epochs without improvement, smallest improvement).
    pub patience: Option<(usize, f64)>,
}

/// The patience's state within one run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Patience {
    best: f64,
    since_best: usize,
}

impl Default for Patience {
    fn default() -> Self {
        Patience {
            best: f64::INFINITY,
            since_best: 0,
        }
    }
}

impl Stopping {
    /// Whether the run stops after the epoch `stats` (the epoch callback
    /// having asked to stop when `callback` is true), and why. The order of
    /// the checks is: divergence, the callback, the targets, the patience,
    /// the epoch limit.
    pub fn after_epoch(
        &self,
        stats: &EpochStats,
        callback: bool,
        patience: &mut Patience,
    ) -> Option<StopReason> {
        if !stats.train_loss.is_finite() {
            return Some(StopReason::NonFinite);
        }
        if callback {
            return Some(StopReason::Callback);
        }
        if self.target_loss.is_some_and(|t| stats.train_loss <= t) {
            return Some(StopReason::TargetLoss);
        }
        if let (Some(t), Some(a)) = (self.target_accuracy, stats.train_accuracy) {
            if a >= t {
                return Some(StopReason::TargetAccuracy);
            }
        }
        if let Some((epochs, delta)) = self.patience {
            let monitored = stats.test_loss.unwrap_or(stats.train_loss);
            if monitored < patience.best - delta {
                patience.best = monitored;
                patience.since_best = 0;
            } else {
                patience.since_best += 1;
                if patience.since_best >= epochs {
                    return Some(StopReason::Patience);
                }
            }
        }
        (stats.epoch + 1 >= self.epochs).then_some(StopReason::Completed)
    }
}
