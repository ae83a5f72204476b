//! The TensorFlow Playground's training epoch, rule for rule
//! (`oneStep` and `updateWeights` in its `playground.ts` and `nn.ts`).
//!
//! [`Trainer`](super::Trainer) trains the usual way: it reshuffles the
//! training set every epoch and ends each epoch with a smaller batch. The
//! Playground does neither:
//!
//! - it walks the training set in one fixed order (shuffled once, when the
//!   data was generated) in every epoch;
//! - it updates the weights after sample i when (i + 1) is a multiple of the
//!   batch size, i counted from 0 within the epoch, with the mean of the
//!   gradients accumulated since the last update;
//! - when the batch size does not divide the set, the last samples' gradients
//!   are not applied at the end of the epoch: they stay accumulated and join
//!   the first batch of the next epoch (which then averages over more
//!   samples). The leftover of the last epoch is never applied.
//!
//! Both rules are kept here. Since no update happens between the leftover
//! samples and the next epoch's first batch, their gradients are computed
//! with the same weights, and the joined batch is one step on the union of
//! the samples with a mean loss: exactly the Playground's accumulated mean.
//! The per-weight rules of `updateWeights` (L2, and L1 with its zero
//! crossing that kills a link for good; biases not regularised) are
//! [`Sgd`](crate::optim::Sgd)'s with a [`Regularization`](crate::optim::Regularization).
//!
//! ```
//! use nn::data::PlaygroundSet;
//! use nn::loss::{Loss, Targets};
//! use nn::prelude::*;
//! use nn::train::playground::PlaygroundEpochs;
//! // the Playground's default: circle, 2-4-2-1 tanh, lr 0.03, batch 10
//! let (train, _test) = PlaygroundSet::Circle.generate_split(0.0, 50, 1).unwrap();
//! let mut mlp = Mlp::new(&[2, 4, 2, 1], &[Activation::Tanh; 3], Init::Playground, 1).unwrap();
//! let mut sgd = Sgd::new(0.03);
//! let mut epochs = PlaygroundEpochs::new(10).unwrap();
//! let y = Targets::Values(train.y());
//! let mut first = None;
//! for _ in 0..20 {
//!     let run = epochs.epoch(&mut mlp, &mut sgd, &Loss::HalfSquaredError, train.x(), y).unwrap();
//!     assert_eq!(run.steps, 25); // 250 points, batches of 10
//!     first.get_or_insert(run.batch_loss);
//! }
//! let (loss, _) = nn::train::evaluate(&mlp, &Loss::HalfSquaredError, train.x(), y, None).unwrap();
//! assert!(loss < first.unwrap());
//! ```

use super::{check_set, take_rows, train_step};
use crate::error::{Error, Result};
use crate::init::Rng;
use crate::layers::Model;
use crate::loss::{Objective, Targets};
use crate::optim::Optimizer;
use autograd::{Real, Tape, Tensor};

/// What one Playground epoch did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochRun {
    /// Weight updates made.
    pub steps: usize,
    /// The batch losses' mean, weighted by batch size (NaN if the epoch
    /// stopped at a non-finite loss).
    pub batch_loss: f64,
    /// Whether every batch loss was finite. When one is not, the epoch stops
    /// there and the parameters are those before that batch.
    pub finite: bool,
}

/// Runs epochs the Playground's way (see the [module docs](self)): fixed
/// sample order, an update every `batch_size` samples counted within the
/// epoch, leftover samples carried into the next epoch's first batch.
///
/// It keeps the carried sample indices and a tape between epochs; use one
/// `PlaygroundEpochs` per training run.
#[derive(Debug)]
pub struct PlaygroundEpochs<E: Real = f64> {
    batch_size: usize,
    carry: Vec<usize>,
    tape: Tape<E>,
    shuffle: Option<u64>,
    epochs_run: u64,
}

impl<E: Real> PlaygroundEpochs<E> {
    /// Epochs with updates every `batch_size` samples (the Playground's
    /// slider: 1 to 30, default 10).
    ///
    /// # Errors
    /// [`Error::Invalid`] for a batch size of 0.
    pub fn new(batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::invalid("batch size", "at least 1", 0));
        }
        Ok(PlaygroundEpochs {
            batch_size,
            carry: Vec::new(),
            tape: Tape::default(),
            shuffle: None,
            epochs_run: 0,
        })
    }

    /// Departs from the Playground: epoch k visits the samples in the order
    /// [`Rng::with_stream(seed, k)`](crate::Rng::with_stream)`.permutation(n)`
    /// (as [`Trainer`](super::Trainer) and PyTorch's shuffling data loader
    /// do) instead of one fixed order. Batches and the carried leftover work
    /// as before, on the visiting order.
    pub fn reshuffle(mut self, seed: u64) -> Self {
        self.shuffle = Some(seed);
        self
    }

    /// The batch size.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// How many samples' gradients are waiting for the next epoch's first
    /// update (the training set's size modulo the batch size, after the
    /// first epoch).
    pub fn carried(&self) -> usize {
        self.carry.len()
    }

    /// One epoch over inputs `x` ([n, …]) and `targets`, in row order.
    ///
    /// A batch size larger than the set is taken as the set's size (the
    /// Playground would never update: its slider stops at 30 and its
    /// smallest training set has 50 points).
    ///
    /// # Errors
    /// [`Error::Invalid`] for an empty set; [`Error::Mismatch`] if the
    /// targets do not fit the inputs or the model, or if the set's size
    /// changed since the previous epoch; an optimizer error.
    pub fn epoch<M, O, L>(
        &mut self,
        model: &mut M,
        opt: &mut O,
        loss: &L,
        x: &Tensor<E>,
        targets: Targets<'_, E>,
    ) -> Result<EpochRun>
    where
        M: Model<E>,
        O: Optimizer<E> + ?Sized,
        L: Objective<E> + ?Sized,
    {
        let n = check_set("training set", x, &targets)?;
        if let Some(&last) = self.carry.iter().max() {
            if last >= n {
                return Err(Error::mismatch(
                    "training set size (carried samples from the previous epoch)",
                    format!("more than {last} samples"),
                    n,
                ));
            }
        }
        let batch = self.batch_size.min(n);
        let full = n / batch * batch;
        let order: Vec<usize> = match self.shuffle {
            Some(seed) => Rng::with_stream(seed, self.epochs_run).permutation(n),
            None => (0..n).collect(),
        };
        self.epochs_run += 1;
        let (mut sum, mut seen, mut steps) = (0.0, 0usize, 0usize);
        for start in (0..full).step_by(batch) {
            let mut idx = std::mem::take(&mut self.carry);
            idx.extend_from_slice(&order[start..start + batch]);
            let xb = take_rows(x, &idx);
            let classes: Vec<usize>;
            let values: Tensor<E>;
            let yb = match targets {
                Targets::Values(t) => {
                    values = take_rows(t, &idx);
                    Targets::Values(&values)
                }
                Targets::Classes(c) => {
                    classes = idx.iter().map(|&i| c[i]).collect();
                    Targets::Classes(&classes)
                }
            };
            let l = train_step(&mut self.tape, model, opt, loss, &xb, yb)?;
            if !l.is_finite() {
                return Ok(EpochRun {
                    steps,
                    batch_loss: f64::NAN,
                    finite: false,
                });
            }
            steps += 1;
            sum += l * idx.len() as f64;
            seen += idx.len();
        }
        self.carry.extend_from_slice(&order[full..]);
        Ok(EpochRun {
            steps,
            batch_loss: if seen == 0 {
                f64::NAN
            } else {
                sum / seen as f64
            },
            finite: true,
        })
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

    /// The Playground's accumulate-then-average, written out per sample.
    fn reference_epoch(
        mlp: &mut Mlp,
        acc: &mut Vec<(Tensor<f64>, Tensor<f64>)>,
        x: &Tensor<f64>,
        y: &Tensor<f64>,
        batch: usize,
        lr: f64,
    ) {
        let n = x.shape()[0];
        for i in 0..n {
            acc.push((take_rows(x, &[i]), take_rows(y, &[i])));
            if (i + 1) % batch == 0 {
                let tape = Tape::new();
                let mut total = None;
                for (xi, yi) in acc.iter() {
                    let o = mlp.forward(tape.tensor_constant(xi.clone())).unwrap();
                    let e = (o - tape.tensor_constant(yi.clone())).powi(2).sum() * 0.5;
                    total = Some(match total {
                        None => e,
                        Some(t) => t + e,
                    });
                }
                let g = (total.unwrap() / acc.len() as f64).backward();
                Sgd::new(lr).step(mlp, &g).unwrap();
                acc.clear();
            }
        }
    }

    #[test]
    fn matches_per_sample_accumulation_with_a_carried_remainder() {
        // 7 samples, batches of 3: updates after samples 3 and 6, the 7th
        // joins the next epoch's first batch (of 4)
        let x = Tensor::from_fn(&[7, 2], |i| ((i[0] * 2 + i[1]) as f64 * 0.37).sin() * 3.0);
        let y = Tensor::from_fn(&[7, 1], |i| if i[0] % 2 == 0 { 1.0 } else { -1.0 });
        let acts = [Activation::Tanh, Activation::Tanh];
        let mut a = Mlp::new(&[2, 3, 1], &acts, Init::Playground, 5).unwrap();
        let mut b = a.clone();
        let mut sgd = Sgd::new(0.1);
        let mut epochs = PlaygroundEpochs::new(3).unwrap();
        let mut acc = Vec::new();
        for _ in 0..3 {
            let run = epochs
                .epoch(
                    &mut a,
                    &mut sgd,
                    &Loss::HalfSquaredError,
                    &x,
                    Targets::Values(&y),
                )
                .unwrap();
            assert_eq!(run.steps, 2);
            assert!(run.finite);
            assert_eq!(epochs.carried(), 1);
            reference_epoch(&mut b, &mut acc, &x, &y, 3, 0.1);
        }
        for ((_, name, p), (_, _, q)) in a.params().iter().zip(b.params().iter()) {
            for (u, v) in p.data().iter().zip(q.data()) {
                assert!((u - v).abs() < 1e-12, "{name}: {u} vs {v}");
            }
        }
    }

    #[test]
    fn reshuffled_epochs_visit_every_sample_once_in_a_new_order() {
        // a model whose output is its bias: each step moves it by the batch's
        // mean error, so the visiting order changes the path but every
        // epoch must still see each sample exactly once
        let x = Tensor::from_fn(&[6, 1], |i| i[0] as f64);
        let y = Tensor::from_fn(&[6, 1], |i| i[0] as f64);
        let mut a = Mlp::new(&[1, 1], &[Activation::Identity], Init::Zero, 0).unwrap();
        let mut b = a.clone();
        let mut sgd = Sgd::new(0.05);
        let l = Loss::HalfSquaredError;
        let mut fixed = PlaygroundEpochs::new(2).unwrap();
        let mut shuffled = PlaygroundEpochs::new(2).unwrap().reshuffle(9);
        for _ in 0..3 {
            let r = fixed
                .epoch(&mut a, &mut sgd, &l, &x, Targets::Values(&y))
                .unwrap();
            let s = shuffled
                .epoch(&mut b, &mut sgd, &l, &x, Targets::Values(&y))
                .unwrap();
            assert_eq!((r.steps, s.steps), (3, 3));
        }
        let wa = a.params().by_name("layer0.weight").unwrap().item();
        let wb = b.params().by_name("layer0.weight").unwrap().item();
        assert!(wa != wb, "a new order each epoch changes the path");
        assert!(wa > 0.0 && wb > 0.0, "both move towards y = x: {wa} {wb}");
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(PlaygroundEpochs::<f64>::new(0).is_err());
        let x = Tensor::<f64>::zeros(&[5, 2]);
        let y = Tensor::<f64>::zeros(&[5, 1]);
        let mut mlp = Mlp::new(&[2, 1], &[Activation::Tanh], Init::Playground, 0).unwrap();
        let mut sgd = Sgd::new(0.1);
        let mut epochs = PlaygroundEpochs::new(3).unwrap();
        let l = Loss::HalfSquaredError;
        epochs
            .epoch(&mut mlp, &mut sgd, &l, &x, Targets::Values(&y))
            .unwrap();
        assert_eq!(epochs.carried(), 2); // samples 3 and 4
        let (x3, y3) = (Tensor::<f64>::zeros(&[3, 2]), Tensor::<f64>::zeros(&[3, 1]));
        let err = epochs
            .epoch(&mut mlp, &mut sgd, &l, &x3, Targets::Values(&y3))
            .unwrap_err()
            .to_string();
        assert!(err.contains("carried samples"), "{err}");
    }
}
