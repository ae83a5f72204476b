//! The ways of walking the training set: the order of the samples in each
//! epoch, and what happens to the samples left over when the batch size
//! does not divide the set (see [`Order`]).

use crate::init::Rng;

/// How a [`Trainer`](super::Trainer) walks the training set.
///
/// # The Playground's rules
///
/// The TensorFlow Playground (`oneStep` and `updateWeights` in its
/// `playground.ts` and `nn.ts`) neither reshuffles nor ends an epoch with a
/// smaller batch:
///
/// - it walks the training set in one fixed order (shuffled once, when the
///   data was generated) in every epoch;
/// - it updates the weights after sample i when (i + 1) is a multiple of the
///   batch size, i counted from 0 within the epoch, with the mean of the
///   gradients accumulated since the last update;
/// - when the batch size does not divide the set, the last samples'
///   gradients are not applied at the end of the epoch: they stay
///   accumulated and join the first batch of the next epoch (which then
///   averages over more samples). The leftover of the last epoch is never
///   applied.
///
/// [`Order::Playground`] keeps both rules. Since no update happens between
/// the leftover samples and the next epoch's first batch, their gradients
/// are computed with the same weights, and the joined batch is one step on
/// the union of the samples with a mean loss: exactly the Playground's
/// accumulated mean. The per-weight rules of `updateWeights` (L2, and L1
/// with its zero crossing that kills a link for good; biases not
/// regularised) are [`Sgd`](crate::optim::Sgd)'s with a
/// [`Regularization`](crate::optim::Regularization).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Order {
    /// Reshuffled every epoch: epoch k visits the samples in the order
    /// [`Rng::with_stream(seed, k)`](Rng::with_stream)`.permutation(n)`
    /// (seed from [`Trainer::seed`](super::Trainer::seed)), in batches of
    /// the batch size, the last one smaller when the size does not divide
    /// the set. PyTorch's shuffling data loader; the default.
    #[default]
    Shuffled,
    /// The rows in order, every epoch, the last batch smaller when the batch
    /// size does not divide the set.
    Fixed,
    /// The Playground's rules (see above): the rows in order every epoch,
    /// an update every batch-size samples counted within the epoch, the
    /// leftover samples carried into the next epoch's first batch.
    Playground,
    /// The Playground's batches and carried leftover, on an order
    /// reshuffled every epoch as [`Order::Shuffled`]'s.
    PlaygroundShuffled,
}

impl Order {
    /// Whether the leftover samples join the next epoch's first batch.
    fn carries(self) -> bool {
        matches!(self, Order::Playground | Order::PlaygroundShuffled)
    }

    /// Whether each epoch has its own order.
    fn shuffles(self) -> bool {
        matches!(self, Order::Shuffled | Order::PlaygroundShuffled)
    }
}

/// The walk of one run through the training set: the current epoch's order,
/// the next batch's position in it and the carried samples.
#[derive(Clone, Debug)]
pub(crate) struct Walk {
    order_kind: Order,
    seed: u64,
    n: usize,
    batch: usize,
    /// The current epoch's visiting order (empty before the epoch starts).
    order: Vec<usize>,
    /// The position of the next batch in `order`.
    next: usize,
    /// Samples left over by the previous epoch (carrying orders only).
    carry: Vec<usize>,
    /// The indices of the batch being taken.
    idx: Vec<usize>,
}

impl Walk {
    /// A walk over `n` samples in batches of `batch` (at most `n`, at
    /// least 1).
    pub fn new(order_kind: Order, seed: u64, n: usize, batch: usize) -> Walk {
        Walk {
            order_kind,
            seed,
            n,
            batch,
            order: Vec::new(),
            next: 0,
            carry: Vec::new(),
            idx: Vec::with_capacity(batch),
        }
    }

    /// The number of batches (optimizer steps) in every epoch.
    pub fn batches_per_epoch(&self) -> usize {
        if self.order_kind.carries() {
            self.n / self.batch
        } else {
            self.n.div_ceil(self.batch)
        }
    }

    /// The number of samples in the set.
    pub fn samples(&self) -> usize {
        self.n
    }

    /// How many samples wait for the next epoch's first batch.
    pub fn carried(&self) -> usize {
        self.carry.len()
    }

    /// Whether no batch of the current epoch was taken yet.
    pub fn at_epoch_start(&self) -> bool {
        self.order.is_empty()
    }

    /// The next batch's sample indices in epoch `epoch`, and whether it is
    /// the epoch's last.
    pub fn next_batch(&mut self, epoch: usize) -> (&[usize], bool) {
        if self.order.is_empty() {
            if self.order_kind.shuffles() {
                self.order = Rng::with_stream(self.seed, epoch as u64).permutation(self.n);
            } else {
                self.order.extend(0..self.n);
            }
            self.next = 0;
        }
        let full = if self.order_kind.carries() {
            self.n / self.batch * self.batch
        } else {
            self.n
        };
        let start = self.next;
        let end = (start + self.batch).min(full);
        self.next = end;
        self.idx.clear();
        self.idx.append(&mut self.carry);
        self.idx.extend_from_slice(&self.order[start..end]);
        let last = end >= full;
        if last {
            self.carry.extend_from_slice(&self.order[full..]);
            self.order.clear();
        }
        (&self.idx, last)
    }

    /// Abandons the current epoch (a diverged step): the next batch starts
    /// the next epoch.
    pub fn end_epoch(&mut self) {
        self.order.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn epoch(w: &mut Walk, e: usize) -> Vec<Vec<usize>> {
        let mut out = Vec::new();
        loop {
            let (idx, last) = w.next_batch(e);
            out.push(idx.to_vec());
            if last {
                return out;
            }
        }
    }

    #[test]
    fn fixed_ends_with_a_smaller_batch() {
        let mut w = Walk::new(Order::Fixed, 0, 7, 3);
        assert_eq!(w.batches_per_epoch(), 3);
        for e in 0..2 {
            assert_eq!(
                epoch(&mut w, e),
                vec![vec![0, 1, 2], vec![3, 4, 5], vec![6]]
            );
        }
        assert_eq!(w.carried(), 0);
    }

    #[test]
    fn playground_carries_the_leftover_into_the_next_epoch() {
        let mut w = Walk::new(Order::Playground, 0, 7, 3);
        assert_eq!(w.batches_per_epoch(), 2);
        assert_eq!(epoch(&mut w, 0), vec![vec![0, 1, 2], vec![3, 4, 5]]);
        assert_eq!(w.carried(), 1);
        assert_eq!(epoch(&mut w, 1), vec![vec![6, 0, 1, 2], vec![3, 4, 5]]);
    }

    #[test]
    fn shuffled_orders_are_the_seeded_permutations() {
        let mut w = Walk::new(Order::Shuffled, 5, 6, 4);
        for e in 0..3 {
            let p = Rng::with_stream(5, e as u64).permutation(6);
            assert_eq!(epoch(&mut w, e), vec![p[..4].to_vec(), p[4..].to_vec()]);
        }
        let mut w = Walk::new(Order::PlaygroundShuffled, 5, 6, 4);
        let p0 = Rng::with_stream(5, 0).permutation(6);
        let p1 = Rng::with_stream(5, 1).permutation(6);
        assert_eq!(epoch(&mut w, 0), vec![p0[..4].to_vec()]);
        let joined: Vec<usize> = p0[4..].iter().chain(&p1[..4]).copied().collect();
        assert_eq!(epoch(&mut w, 1), vec![joined]);
    }
}
