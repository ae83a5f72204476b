//! What a training run records: one [`EpochStats`] per epoch, optionally the
//! model's [`Evaluation`] before the first step, and why the run stopped.

use super::StopReason;

/// The loss (and accuracy) of the model on the training and test sets at
/// one moment of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// The loss on the training set (or, for an epoch with
    /// [`Trainer::evaluate_train`](super::Trainer::evaluate_train) off, the
    /// batch losses' mean weighted by batch size).
    pub train_loss: f64,
    /// The loss on the test set, if there is one.
    pub test_loss: Option<f64>,
    /// The training accuracy, if an [`Accuracy`](crate::metrics::Accuracy)
    /// was chosen (and the training set was evaluated).
    pub train_accuracy: Option<f64>,
    /// The test accuracy, if there is a test set and an
    /// [`Accuracy`](crate::metrics::Accuracy).
    pub test_accuracy: Option<f64>,
}

/// What happened in one epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct EpochStats {
    /// The epoch, counted from 0.
    pub epoch: usize,
    /// The loss on the training set after the epoch (or, with
    /// [`Trainer::evaluate_train`](super::Trainer::evaluate_train) off, the
    /// batch losses' mean weighted by batch size). NaN when a non-finite
    /// batch loss stopped the epoch.
    pub train_loss: f64,
    /// The loss on the test set after the epoch, if there is one (and the
    /// run did not diverge in this epoch).
    pub test_loss: Option<f64>,
    /// The training accuracy after the epoch, if an
    /// [`Accuracy`](crate::metrics::Accuracy) was chosen (and the training
    /// set was evaluated).
    pub train_accuracy: Option<f64>,
    /// The test accuracy after the epoch, if there is a test set and an
    /// [`Accuracy`](crate::metrics::Accuracy).
    pub test_accuracy: Option<f64>,
    /// The learning rate used in the epoch.
    pub learning_rate: f64,
    /// The number of optimizer steps taken.
    pub steps: usize,
    /// Training samples processed per second of the epoch's steps.
    pub samples_per_second: f64,
    /// Whether every batch of the epoch ran. It is false when the run
    /// stopped inside the epoch: a non-finite batch loss (then nothing was
    /// evaluated and the losses are NaN) or a step callback.
    pub completed: bool,
}

impl EpochStats {
    /// The losses and accuracies measured after the epoch.
    pub fn evaluation(&self) -> Evaluation {
        Evaluation {
            train_loss: self.train_loss,
            test_loss: self.test_loss,
            train_accuracy: self.train_accuracy,
            test_accuracy: self.test_accuracy,
        }
    }
}

/// The record of a training run: one [`EpochStats`] per epoch run.
#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The model's evaluation before the first step, when
    /// [`Trainer::evaluate_before`](super::Trainer::evaluate_before) asked
    /// for it.
    pub initial: Option<Evaluation>,
    /// Per-epoch statistics, in order.
    pub epochs: Vec<EpochStats>,
    /// Why training stopped (while a [`Run`](super::Run) is still under
    /// way: [`StopReason::Completed`]; see [`Run::stopped`](super::Run::stopped)).
    pub stop: StopReason,
}

impl History {
    /// An empty record.
    pub(crate) fn new(capacity: usize) -> History {
        History {
            initial: None,
            // a run without an epoch limit must not reserve for usize::MAX
            epochs: Vec::with_capacity(capacity.min(1024)),
            stop: StopReason::Completed,
        }
    }

    /// The training loss of each epoch (for a loss curve).
    pub fn train_losses(&self) -> Vec<f64> {
        self.epochs.iter().map(|e| e.train_loss).collect()
    }

    /// The test loss of each epoch (empty without a test set).
    pub fn test_losses(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.test_loss).collect()
    }

    /// The training accuracy of each epoch (empty without an
    /// [`Accuracy`](crate::metrics::Accuracy)).
    pub fn train_accuracies(&self) -> Vec<f64> {
        self.epochs
            .iter()
            .filter_map(|e| e.train_accuracy)
            .collect()
    }

    /// The test accuracy of each epoch (empty without a test set or an
    /// [`Accuracy`](crate::metrics::Accuracy)).
    pub fn test_accuracies(&self) -> Vec<f64> {
        self.epochs.iter().filter_map(|e| e.test_accuracy).collect()
    }

    /// The model's evaluations in order, each with the number of epochs
    /// trained when it was made: the initial one (0 epochs, if recorded),
    /// then every epoch that ran to its end (epoch k after k + 1 epochs). An
    /// epoch cut short (see [`EpochStats::completed`]) is left out.
    ///
    /// ```
    /// use autograd::Tensor;
    /// use nn::prelude::*;
    /// let x = Tensor::from_vec(&[2, 1], vec![0.0, 1.0]).unwrap();
    /// let mut line = Mlp::new(&[1, 1], &[Activation::Identity], Init::Zero, 0).unwrap();
    /// let mut opt = Sgd::new(0.1);
    /// let h = Trainer::new(Loss::Mse)
    ///     .epochs(3)
    ///     .evaluate_before(true)
    ///     .quiet()
    ///     .fit(&mut line, &mut opt, &x, &x)
    ///     .unwrap();
    /// let trained: Vec<usize> = h.evaluations().iter().map(|e| e.0).collect();
    /// assert_eq!(trained, vec![0, 1, 2, 3]);
    /// ```
    pub fn evaluations(&self) -> Vec<(usize, Evaluation)> {
        self.initial
            .iter()
            .map(|e| (0, *e))
            .chain(
                self.epochs
                    .iter()
                    .filter(|e| e.completed)
                    .map(|e| (e.epoch + 1, e.evaluation())),
            )
            .collect()
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
