//! Accuracy and confusion matrices.
//!
//! ```
//! use autograd::Tensor;
//! use nn::loss::Targets;
//! use nn::metrics::{accuracy, Accuracy};
//! // one tanh output against ±1 labels (the Playground): the sign decides
//! let out = Tensor::from_vec(&[4, 1], vec![0.9, -0.2, 0.1, -0.7]).unwrap();
//! let labels = Tensor::from_vec(&[4, 1], vec![1.0, -1.0, -1.0, -1.0]).unwrap();
//! assert_eq!(accuracy(&out, Targets::Values(&labels), Accuracy::Threshold(0.0)).unwrap(), 0.75);
//! // class scores against class indices: the largest score decides
//! let scores = Tensor::from_vec(&[2, 3], vec![0.1, 0.7, 0.2, 0.5, 0.1, 0.4]).unwrap();
//! assert_eq!(accuracy(&scores, Targets::Classes(&[1, 2]), Accuracy::Argmax).unwrap(), 0.5);
//! ```

use crate::error::{Error, Result};
use crate::loss::Targets;
use autograd::{Real, Tensor};
use std::fmt;

/// How outputs are turned into decisions for [`accuracy`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Accuracy {
    /// The predicted class is the output column with the largest value; the
    /// true class is the class index, or the largest column of a one-hot
    /// target row.
    Argmax,
    /// One decision per output value: positive if it is above the
    /// threshold; a target is positive if it is above the threshold too.
    /// Use 0 for tanh outputs with ±1 labels and for logits with 0/1
    /// labels; 0.5 for sigmoid outputs with 0/1 labels.
    Threshold(f64),
}

/// The fraction of correct decisions (0 to 1).
///
/// With `Threshold` and class targets, the output must have one column and
/// the classes are 0 (negative) and 1 (positive). `Argmax` needs at least
/// two output columns.
///
/// # Errors
/// [`Error::Mismatch`] if outputs and targets do not have the same number
/// of samples (or, with value targets, the same shape; with `Argmax`, the
/// outputs must be [n, c]); [`Error::Invalid`] for an empty set.
pub fn accuracy<E: Real>(
    output: &Tensor<E>,
    targets: Targets<'_, E>,
    mode: Accuracy,
) -> Result<f64> {
    let n = output.shape().first().copied().unwrap_or(0);
    if n == 0 {
        return Err(Error::invalid("accuracy", "at least one sample", "none"));
    }
    if targets.len() != n {
        return Err(Error::mismatch(
            "accuracy: number of targets",
            format!("{n} (one per output row)"),
            targets.len(),
        ));
    }
    match mode {
        Accuracy::Argmax => {
            if output.ndim() == 2 && output.shape()[1] == 1 {
                return Err(Error::mismatch(
                    "accuracy: output shape for argmax",
                    "[n, classes] with at least 2 classes (use Accuracy::Threshold for one output)",
                    format!("{:?}", output.shape()),
                ));
            }
            let predicted = argmax_rows(output, "accuracy: output shape")?;
            let actual = match targets {
                Targets::Classes(c) => c.to_vec(),
                Targets::Values(t) => {
                    if t.shape() != output.shape() {
                        return Err(Error::mismatch(
                            "accuracy: target shape",
                            format!("{:?} (the output's shape)", output.shape()),
                            format!("{:?}", t.shape()),
                        ));
                    }
                    argmax_rows(t, "accuracy: target shape")?
                }
            };
            class_accuracy(&predicted, &actual)
        }
        Accuracy::Threshold(th) => {
            let th = E::from_f64(th);
            let correct = match targets {
                Targets::Values(t) => {
                    let rows_match = t.len() == output.len()
                        && (t.shape() == output.shape()
                            || (t.ndim() == 1 && output.shape() == [n, 1]));
                    if !rows_match {
                        return Err(Error::mismatch(
                            "accuracy: target shape",
                            format!("{:?} (the output's shape)", output.shape()),
                            format!("{:?}", t.shape()),
                        ));
                    }
                    output
                        .data()
                        .iter()
                        .zip(t.data())
                        .filter(|(&o, &y)| (o > th) == (y > th))
                        .count()
                }
                Targets::Classes(c) => {
                    if output.shape() != [n, 1] {
                        return Err(Error::mismatch(
                            "accuracy: output shape for a threshold on classes",
                            format!("[{n}, 1]"),
                            format!("{:?}", output.shape()),
                        ));
                    }
                    output
                        .data()
                        .iter()
                        .zip(c)
                        .filter(|(&o, &k)| (o > th) == (k == 1))
                        .count()
                }
            };
            let total = match targets {
                Targets::Values(t) => t.len(),
                Targets::Classes(c) => c.len(),
            };
            Ok(correct as f64 / total as f64)
        }
    }
}

/// The fraction of predicted classes equal to the actual ones.
///
/// # Errors
/// [`Error::Mismatch`] if the lengths differ; [`Error::Invalid`] if both
/// are empty.
pub fn class_accuracy(predicted: &[usize], actual: &[usize]) -> Result<f64> {
    if predicted.len() != actual.len() {
        return Err(Error::mismatch(
            "accuracy: number of predictions",
            format!("{} (one per target)", actual.len()),
            predicted.len(),
        ));
    }
    if actual.is_empty() {
        return Err(Error::invalid("accuracy", "at least one sample", "none"));
    }
    let correct = predicted.iter().zip(actual).filter(|(p, a)| p == a).count();
    Ok(correct as f64 / actual.len() as f64)
}

/// The column of the largest value in each row of a 2-D tensor (the first
/// one on ties).
///
/// # Errors
/// [`Error::Mismatch`] if the tensor is not [n, c] with c ≥ 1.
pub fn predicted_classes<E: Real>(output: &Tensor<E>) -> Result<Vec<usize>> {
    argmax_rows(output, "predicted classes: output shape")
}

fn argmax_rows<E: Real>(t: &Tensor<E>, what: &str) -> Result<Vec<usize>> {
    let shape = t.shape();
    if shape.len() != 2 || shape[1] == 0 {
        return Err(Error::mismatch(
            what,
            "[n, classes] with classes ≥ 1",
            format!("{shape:?}"),
        ));
    }
    Ok(t.argmax_rows()?)
}

/// Counts of (actual class, predicted class) pairs.
///
/// ```
/// use nn::metrics::ConfusionMatrix;
/// let m = ConfusionMatrix::new(&[0, 1, 1, 2], &[0, 1, 2, 2], 3).unwrap();
/// assert_eq!(m.get(2, 1), 1); // one 2 predicted as 1
/// assert_eq!(m.accuracy(), 0.75);
/// assert_eq!(m.recall(2), Some(0.5));
/// print!("{m}");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    counts: Vec<usize>,
}

impl ConfusionMatrix {
    /// The matrix of `predicted` against `actual` over `classes` classes.
    ///
    /// # Errors
    /// [`Error::Mismatch`] if the lengths differ; [`Error::Invalid`] for a
    /// class not below `classes`.
    pub fn new(predicted: &[usize], actual: &[usize], classes: usize) -> Result<Self> {
        if predicted.len() != actual.len() {
            return Err(Error::mismatch(
                "confusion matrix: number of predictions",
                format!("{} (one per target)", actual.len()),
                predicted.len(),
            ));
        }
        let mut counts = vec![0; classes * classes];
        for (i, (&p, &a)) in predicted.iter().zip(actual).enumerate() {
            if p >= classes || a >= classes {
                return Err(Error::invalid(
                    format!("confusion matrix: class at position {i}"),
                    format!("classes below {classes}"),
                    format!("predicted {p}, actual {a}"),
                ));
            }
            counts[a * classes + p] += 1;
        }
        Ok(ConfusionMatrix { classes, counts })
    }

    /// The number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// How many samples of class `actual` were predicted as `predicted`.
    ///
    /// # Panics
    /// If either is not below the number of classes.
    pub fn get(&self, actual: usize, predicted: usize) -> usize {
        assert!(
            actual < self.classes && predicted < self.classes,
            "confusion matrix: class ({actual}, {predicted}) out of range for {} classes",
            self.classes
        );
        self.counts[actual * self.classes + predicted]
    }

    /// The number of samples.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The fraction on the diagonal (0 for an empty matrix).
    pub fn accuracy(&self) -> f64 {
        let total = self.total();
        if total == 0 {
            return 0.0;
        }
        let diag: usize = (0..self.classes).map(|c| self.get(c, c)).sum();
        diag as f64 / total as f64
    }

    /// Of the samples predicted as `class`, the fraction that are; `None` if
    /// none was predicted as `class`.
    pub fn precision(&self, class: usize) -> Option<f64> {
        let predicted: usize = (0..self.classes).map(|a| self.get(a, class)).sum();
        (predicted > 0).then(|| self.get(class, class) as f64 / predicted as f64)
    }

    /// Of the samples of `class`, the fraction predicted as it; `None` if
    /// there is none.
    pub fn recall(&self, class: usize) -> Option<f64> {
        let actual: usize = (0..self.classes).map(|p| self.get(class, p)).sum();
        (actual > 0).then(|| self.get(class, class) as f64 / actual as f64)
    }
}

impl fmt::Display for ConfusionMatrix {
    /// A table with one row per actual class and one column per predicted
    /// class, then the accuracy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .counts
            .iter()
            .map(|c| c.to_string().len())
            .chain([self.classes.saturating_sub(1).to_string().len(), 1])
            .max()
            .unwrap_or(1);
        writeln!(f, "actual \\ predicted")?;
        write!(f, "{:>w$} |", "", w = width)?;
        for p in 0..self.classes {
            write!(f, " {p:>width$}")?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{}-+{}",
            "-".repeat(width),
            "-".repeat((width + 1) * self.classes)
        )?;
        for a in 0..self.classes {
            write!(f, "{a:>width$} |")?;
            for p in 0..self.classes {
                write!(f, " {:>width$}", self.get(a, p))?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "accuracy {:.2}% ({} samples)",
            100.0 * self.accuracy(),
            self.total()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threshold_accuracy_for_sigmoid_and_logits() {
        let sig = Tensor::from_vec(&[3, 1], vec![0.8, 0.4, 0.6]).unwrap();
        let y = Tensor::from_vec(&[3], vec![1.0, 0.0, 0.0]).unwrap();
        let a = accuracy(&sig, Targets::Values(&y), Accuracy::Threshold(0.5)).unwrap();
        assert!((a - 2.0 / 3.0).abs() < 1e-15);
        let logits = Tensor::from_vec(&[3, 1], vec![2.0, -1.0, 0.5]).unwrap();
        let a = accuracy(
            &logits,
            Targets::Classes(&[1, 0, 1]),
            Accuracy::Threshold(0.0),
        )
        .unwrap();
        assert_eq!(a, 1.0);
    }

    #[test]
    fn argmax_accuracy_with_one_hot_targets() {
        let out = Tensor::from_vec(&[2, 2], vec![0.2, 0.8, 0.9, 0.1]).unwrap();
        let y = Tensor::from_vec(&[2, 2], vec![0.0, 1.0, 0.0, 1.0]).unwrap();
        assert_eq!(
            accuracy(&out, Targets::Values(&y), Accuracy::Argmax).unwrap(),
            0.5
        );
        assert_eq!(predicted_classes(&out).unwrap(), vec![1, 0]);
    }

    #[test]
    fn mismatches_are_errors() {
        let out = Tensor::<f64>::zeros(&[2, 2]);
        let e = accuracy(&out, Targets::Classes(&[0]), Accuracy::Argmax).unwrap_err();
        assert_eq!(
            e.to_string(),
            "accuracy: number of targets: expected 2 (one per output row), found 1"
        );
        let e = accuracy(&out, Targets::Classes(&[0, 1]), Accuracy::Threshold(0.0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "accuracy: output shape for a threshold on classes: expected [2, 1], found [2, 2]"
        );
        let e = accuracy(
            &Tensor::<f64>::zeros(&[0, 1]),
            Targets::Classes(&[]),
            Accuracy::Argmax,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "accuracy: expected at least one sample, found none"
        );
        let e = class_accuracy(&[1], &[1, 2]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "accuracy: number of predictions: expected 2 (one per target), found 1"
        );
        let e = ConfusionMatrix::new(&[0, 3], &[0, 1], 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "confusion matrix: class at position 1: expected classes below 3, found predicted 3, actual 1"
        );
    }

    #[test]
    fn confusion_matrix_counts_and_prints() {
        let m = ConfusionMatrix::new(&[0, 1, 1, 1, 0], &[0, 1, 1, 0, 0], 2).unwrap();
        assert_eq!(
            (m.get(0, 0), m.get(0, 1), m.get(1, 1), m.get(1, 0)),
            (2, 1, 2, 0)
        );
        assert_eq!(m.precision(1), Some(2.0 / 3.0));
        assert_eq!(m.recall(0), Some(2.0 / 3.0));
        assert_eq!(m.total(), 5);
        assert_eq!(
            m.to_string(),
            "actual \\ predicted\n  | 0 1\n--+----\n0 | 2 1\n1 | 0 2\naccuracy 80.00% (5 samples)\n"
        );
        let empty = ConfusionMatrix::new(&[], &[], 2).unwrap();
        assert_eq!((empty.accuracy(), empty.precision(0)), (0.0, None));
    }
}
