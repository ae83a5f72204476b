//! Data sets: the course's bean sets, the TensorFlow Playground's generators,
//! MNIST and other IDX files, and the [`Dataset`] type they all produce, with
//! train/test splits and seeded mini-batches.
//!
//! ```
//! use nn::data::beans;
//! let beans = beans::line(100, 0.05, 1);            // y ≈ 1.7·x
//! let (train, test) = beans.split(0.8, 42).unwrap();
//! assert_eq!((train.len(), test.len()), (80, 20));
//! for (x, y) in train.batches(32, 42, 0).unwrap() {
//!     assert_eq!(x.shape()[0], y.shape()[0]);      // 32, 32, then 16
//! }
//! ```
//!
//! Every generator is deterministic: the same seed gives the same samples on
//! every machine (the random stream is ChaCha8, and the conversions to floats
//! and indices are fixed here).

pub mod beans;
mod formula;
pub mod idx;
pub mod mnist;
pub mod playground;

pub use formula::Formula;
pub use mnist::Mnist;
pub use playground::{Feature, PlaygroundSet};

use crate::error::{Error, Result};
use crate::init::Rng;
use autograd::{Real, Tensor};

/// Samples for supervised learning: inputs `x` of shape [n, d] and targets `y`
/// of shape [n, k], row i of one belonging to row i of the other, plus the
/// class index of each sample for classification sets.
///
/// Targets are whatever the task needs: real values (regression), ±1 or 0/1
/// labels in one column, or one-hot rows. A data set always has at least one
/// sample; every constructor checks the shapes.
///
/// ```
/// use nn::data::Dataset;
/// use autograd::Tensor;
/// let x = Tensor::from_vec(&[3, 1], vec![0.2, 0.4, 0.6]).unwrap();
/// let y = Tensor::from_vec(&[3, 1], vec![0.34, 0.68, 1.02]).unwrap();
/// let beans = Dataset::new(x, y).unwrap();
/// assert_eq!((beans.len(), beans.input_dim(), beans.target_dim()), (3, 1, 1));
/// assert_eq!(beans.select(&[1]).unwrap().y().data(), &[0.68]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset<E: Real = f64> {
    x: Tensor<E>,
    y: Tensor<E>,
    classes: Option<Vec<usize>>,
}

fn check_matrix<E: Real>(what: &str, t: &Tensor<E>) -> Result<()> {
    if t.ndim() != 2 {
        return Err(Error::mismatch(
            format!("{what} of a data set"),
            "a matrix [samples, columns]",
            format!("shape {:?}", t.shape()),
        ));
    }
    Ok(())
}

impl<E: Real> Dataset<E> {
    /// A data set of inputs `x` [n, d] and targets `y` [n, k].
    ///
    /// # Errors
    /// [`Error::Mismatch`] if either is not a matrix or their row counts
    /// differ; [`Error::Invalid`] if there are no samples.
    pub fn new(x: Tensor<E>, y: Tensor<E>) -> Result<Self> {
        check_matrix("inputs", &x)?;
        check_matrix("targets", &y)?;
        if x.shape()[0] != y.shape()[0] {
            return Err(Error::mismatch(
                "targets of a data set",
                format!("{} rows, one per input row", x.shape()[0]),
                format!(
                    "{} rows (inputs {:?}, targets {:?})",
                    y.shape()[0],
                    x.shape(),
                    y.shape()
                ),
            ));
        }
        if x.shape()[0] == 0 {
            return Err(Error::invalid("data set", "at least one sample", "none"));
        }
        Ok(Dataset {
            x,
            y,
            classes: None,
        })
    }

    /// A classification set: inputs `x` [n, d], the class of each sample, and
    /// targets built as one-hot rows [n, num_classes].
    ///
    /// # Errors
    /// As [`Dataset::new`]; [`Error::Invalid`] if a class is not below
    /// `num_classes`; [`Error::Mismatch`] if there is not one class per row.
    ///
    /// ```
    /// use nn::data::Dataset;
    /// use autograd::Tensor;
    /// let x = Tensor::from_vec(&[2, 1], vec![0.1, 0.9]).unwrap();
    /// let d = Dataset::classification(x, vec![0, 1], 2).unwrap();
    /// assert_eq!(d.y().data(), &[1.0, 0.0, 0.0, 1.0]);
    /// assert_eq!(d.classes(), Some(&[0, 1][..]));
    /// ```
    pub fn classification(x: Tensor<E>, classes: Vec<usize>, num_classes: usize) -> Result<Self> {
        let y = Tensor::one_hot(&classes, num_classes).map_err(|e| {
            match classes.iter().position(|&c| c >= num_classes) {
                Some(i) => Error::invalid(
                    format!("class index of sample {i}"),
                    format!("0..{num_classes}"),
                    classes[i],
                ),
                None => Error::from(e),
            }
        })?;
        Dataset::new(x, y)?.with_classes(classes)
    }

    /// The same samples with a class index attached to each (kept through
    /// [`select`](Self::select), [`split`](Self::split) and batching).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if there is not exactly one class per sample.
    pub fn with_classes(mut self, classes: Vec<usize>) -> Result<Self> {
        if classes.len() != self.len() {
            return Err(Error::mismatch(
                "class indices of a data set",
                format!("{} (one per sample)", self.len()),
                classes.len(),
            ));
        }
        self.classes = Some(classes);
        Ok(self)
    }

    /// A data set from rows of `f64` values: `xs` holds n·d inputs and `ys`
    /// n·k targets, row-major.
    ///
    /// # Errors
    /// As [`Dataset::new`]; [`Error::Mismatch`] if a buffer's length is not a
    /// whole number of rows.
    ///
    /// ```
    /// let d = nn::data::Dataset::<f32>::from_f64(1, &[0.4, 0.8], 1, &[0.68, 1.36]).unwrap();
    /// assert_eq!(d.len(), 2);
    /// ```
    pub fn from_f64(d: usize, xs: &[f64], k: usize, ys: &[f64]) -> Result<Self> {
        if d == 0 || k == 0 || !xs.len().is_multiple_of(d) || !ys.len().is_multiple_of(k) {
            return Err(Error::mismatch(
                "data set buffers",
                format!("whole rows of {d} inputs and {k} targets"),
                format!("{} inputs and {} targets", xs.len(), ys.len()),
            ));
        }
        let x = Tensor::from_f64(&[xs.len() / d, d], xs)?;
        let y = Tensor::from_f64(&[ys.len() / k, k], ys)?;
        Dataset::new(x, y)
    }

    /// The inputs, [n, d].
    pub fn x(&self) -> &Tensor<E> {
        &self.x
    }

    /// The targets, [n, k].
    pub fn y(&self) -> &Tensor<E> {
        &self.y
    }

    /// The class index of each sample, for classification sets.
    pub fn classes(&self) -> Option<&[usize]> {
        self.classes.as_deref()
    }

    /// The inputs and targets, taken out.
    pub fn into_parts(self) -> (Tensor<E>, Tensor<E>, Option<Vec<usize>>) {
        (self.x, self.y, self.classes)
    }

    /// The number of samples (never 0).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        self.x.shape()[0]
    }

    /// The number of input columns d.
    pub fn input_dim(&self) -> usize {
        self.x.shape()[1]
    }

    /// The number of target columns k.
    pub fn target_dim(&self) -> usize {
        self.y.shape()[1]
    }

    /// Input row `i`.
    ///
    /// # Panics
    /// If `i` is not below [`len`](Self::len).
    #[track_caller]
    pub fn x_row(&self, i: usize) -> &[E] {
        let d = self.input_dim();
        &self.x.data()[i * d..(i + 1) * d]
    }

    /// Target row `i`.
    ///
    /// # Panics
    /// If `i` is not below [`len`](Self::len).
    #[track_caller]
    pub fn y_row(&self, i: usize) -> &[E] {
        let k = self.target_dim();
        &self.y.data()[i * k..(i + 1) * k]
    }

    /// The samples at `indices`, in that order (an index may repeat).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `indices` is empty or an index is out of range.
    pub fn select(&self, indices: &[usize]) -> Result<Self> {
        let n = self.len();
        if indices.is_empty() {
            return Err(Error::invalid(
                "samples to select",
                "at least one index",
                "none",
            ));
        }
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            return Err(Error::invalid("sample index", format!("0..{n}"), bad));
        }
        Ok(Dataset {
            x: self.x.select_rows(indices)?,
            y: self.y.select_rows(indices)?,
            classes: self
                .classes
                .as_ref()
                .map(|c| indices.iter().map(|&i| c[i]).collect()),
        })
    }

    /// The first `n_train` samples and the rest, in order (no shuffle): the
    /// Playground's split after its shuffle, and Nielsen's 50,000/10,000 split
    /// of the MNIST training set.
    ///
    /// # Errors
    /// [`Error::Invalid`] if either side would be empty.
    pub fn split_at(&self, n_train: usize) -> Result<(Self, Self)> {
        let n = self.len();
        if n_train == 0 || n_train >= n {
            return Err(Error::invalid(
                "split point",
                format!("1..{n} so that both sides of {n} samples are non-empty"),
                n_train,
            ));
        }
        let head: Vec<usize> = (0..n_train).collect();
        let tail: Vec<usize> = (n_train..n).collect();
        Ok((self.select(&head)?, self.select(&tail)?))
    }

    /// A seeded random train/test split: the samples are shuffled with `seed`,
    /// then the first ⌊n · `train_ratio`⌋ are the training set and the rest the
    /// test set.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `train_ratio` is not strictly between 0 and 1, or
    /// if either side would be empty.
    ///
    /// ```
    /// let d = nn::data::beans::threshold(10, 0);
    /// let (train, test) = d.split(0.7, 1).unwrap();
    /// assert_eq!((train.len(), test.len()), (7, 3));
    /// assert!(d.split(1.0, 1).is_err());
    /// assert!(d.split(0.05, 1).is_err()); // no training sample left
    /// ```
    pub fn split(&self, train_ratio: f64, seed: u64) -> Result<(Self, Self)> {
        if !(train_ratio > 0.0 && train_ratio < 1.0) {
            return Err(Error::invalid(
                "train ratio",
                "a number strictly between 0 and 1",
                train_ratio,
            ));
        }
        let n = self.len();
        let n_train = (n as f64 * train_ratio).floor() as usize;
        if n_train == 0 || n_train == n {
            return Err(Error::invalid(
                format!("train ratio {train_ratio} of {n} samples"),
                "a split leaving at least one sample on each side",
                format!("{n_train} training and {} test samples", n - n_train),
            ));
        }
        let order = Rng::new(seed).permutation(n);
        Ok((
            self.select(&order[..n_train])?,
            self.select(&order[n_train..])?,
        ))
    }

    /// The samples in a seeded random order.
    pub fn shuffled(&self, seed: u64) -> Self {
        let order = Rng::new(seed).permutation(self.len());
        self.select(&order)
            .expect("a permutation selects every sample once")
    }

    /// Seeded, shuffled mini-batches of `batch_size` samples, as (x, y)
    /// tensors; the last batch holds the remainder when `batch_size` does not
    /// divide the number of samples.
    ///
    /// The order depends only on (`seed`, `epoch`): pass the epoch number to
    /// get a fresh order every epoch that is still reproducible.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `batch_size` is 0.
    ///
    /// ```
    /// let d = nn::data::beans::line(10, 0.0, 3);
    /// let sizes: Vec<usize> = d.batches(4, 7, 0).unwrap().map(|(x, _)| x.shape()[0]).collect();
    /// assert_eq!(sizes, [4, 4, 2]);
    /// ```
    pub fn batches(&self, batch_size: usize, seed: u64, epoch: u64) -> Result<Batches<'_, E>> {
        let order = Rng::with_stream(seed, epoch).permutation(self.len());
        Batches::new(self, order, batch_size)
    }

    /// Mini-batches in the stored order, without shuffling.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `batch_size` is 0.
    pub fn batches_in_order(&self, batch_size: usize) -> Result<Batches<'_, E>> {
        Batches::new(self, (0..self.len()).collect(), batch_size)
    }

    /// The same samples with every input row replaced by `f(row)`, which must
    /// return rows of one common length (e.g. the Playground's features).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `f` returns an empty row; [`Error::Mismatch`] if
    /// the rows it returns differ in length.
    pub fn map_inputs(&self, mut f: impl FnMut(&[E]) -> Vec<E>) -> Result<Self> {
        let mut data = Vec::new();
        let mut width = None;
        for i in 0..self.len() {
            let row = f(self.x_row(i));
            match width {
                None if row.is_empty() => {
                    return Err(Error::invalid(
                        "mapped input row",
                        "at least one value",
                        "none",
                    ))
                }
                None => {
                    width = Some(row.len());
                    data.reserve(row.len() * self.len());
                }
                Some(w) if w != row.len() => {
                    return Err(Error::mismatch(
                        format!("length of mapped input row {i}"),
                        w,
                        row.len(),
                    ))
                }
                Some(_) => {}
            }
            data.extend(row);
        }
        let w = width.expect("a data set has at least one sample");
        Ok(Dataset {
            x: Tensor::from_vec(&[self.len(), w], data)?,
            y: self.y.clone(),
            classes: self.classes.clone(),
        })
    }

    /// The same samples with every target value replaced by `f(value)`, e.g.
    /// ±1 labels to 0/1 with `|t| (t + 1) / 2`.
    pub fn map_targets(&self, f: impl Fn(E) -> E) -> Self {
        Dataset {
            x: self.x.clone(),
            y: self.y.map(f),
            classes: self.classes.clone(),
        }
    }

    /// The same data set in another element type.
    pub fn cast<F: Real>(&self) -> Dataset<F> {
        Dataset {
            x: self.x.cast(),
            y: self.y.cast(),
            classes: self.classes.clone(),
        }
    }

    /// The same data set in `f32`.
    pub fn to_f32(&self) -> Dataset<f32> {
        self.cast()
    }

    /// The same data set in `f64`.
    pub fn to_f64(&self) -> Dataset<f64> {
        self.cast()
    }
}

/// The mini-batches of a [`Dataset`], from [`Dataset::batches`]: each item is
/// (x [b, d], y [b, k]).
pub struct Batches<'a, E: Real> {
    data: &'a Dataset<E>,
    order: Vec<usize>,
    batch_size: usize,
    pos: usize,
}

impl<'a, E: Real> Batches<'a, E> {
    fn new(data: &'a Dataset<E>, order: Vec<usize>, batch_size: usize) -> Result<Self> {
        if batch_size == 0 {
            return Err(Error::invalid("batch size", "at least 1", 0));
        }
        Ok(Batches {
            data,
            order,
            batch_size,
            pos: 0,
        })
    }

    /// The sample indices of every batch still to come, in order.
    pub fn remaining_indices(&self) -> impl Iterator<Item = &[usize]> {
        self.order[self.pos..].chunks(self.batch_size)
    }

    /// The next batch as a [`Dataset`] (keeping class indices), or `None` at the end.
    pub fn next_dataset(&mut self) -> Option<Dataset<E>> {
        if self.pos >= self.order.len() {
            return None;
        }
        let end = (self.pos + self.batch_size).min(self.order.len());
        let batch = self
            .data
            .select(&self.order[self.pos..end])
            .expect("batch indices come from a permutation of the samples");
        self.pos = end;
        Some(batch)
    }
}

impl<E: Real> Iterator for Batches<'_, E> {
    type Item = (Tensor<E>, Tensor<E>);

    fn next(&mut self) -> Option<Self::Item> {
        self.next_dataset().map(|d| (d.x, d.y))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.order.len() - self.pos).div_ceil(self.batch_size);
        (n, Some(n))
    }
}

impl<E: Real> ExactSizeIterator for Batches<'_, E> {}
