//! Loss functions: each one is an expression on the tape returning a scalar
//! [`Var`], so its gradient comes from `backward()`.
//!
//! | function | formula | where it comes from |
//! |---|---|---|
//! | [`squared_error`] | Σ (o − t)² | the course's cost e = (y − a)², summed over samples |
//! | [`mse`] | mean (o − t)² | |
//! | [`half_squared_error`] | mean ½(o − t)² | the TensorFlow Playground's loss; Nielsen's quadratic cost per output |
//! | [`bce_with_logits`] | mean max(z, 0) − z·t + ln(1 + e^−\|z\|) | binary cross-entropy of sigmoid(z), stable for any z |
//! | [`softmax_cross_entropy`] | mean −ln softmax(z)\[class\] | multi-class classification with class indices |
//! | [`l1_penalty`], [`l2_penalty`] | Σ\|w\|, ½Σw² | regularisation terms to add to a loss |
//!
//! Predictions and targets must have the same shape: no broadcasting, so a
//! `[n, 1]` output against `[n]` targets is an error, not a silent `[n, n]`.
//!
//! ```
//! use autograd::{Tape, Tensor};
//! let tape = Tape::new();
//! let o = tape.tensor(Tensor::from_vec(&[2, 1], vec![0.5, 2.0]).unwrap());
//! let t = tape.tensor_constant(Tensor::from_vec(&[2, 1], vec![1.0, 1.0]).unwrap());
//! let e = nn::loss::squared_error(o, t).unwrap();
//! assert_eq!(e.value(), 1.25);
//! assert_eq!(e.backward()[o].data(), &[-1.0, 2.0]); // 2(o − t)
//! let bad = tape.tensor_constant(Tensor::zeros(&[2]));
//! let err = nn::loss::mse(o, bad).unwrap_err().to_string();
//! assert_eq!(err, "mse: target shape: expected [2, 1] (the predictions' shape), found [2]");
//! ```

mod cross_entropy;
mod penalty;
mod squared;
#[cfg(test)]
mod tests;

pub use cross_entropy::{bce_with_logits, softmax_cross_entropy, softmax_cross_entropy_with_probs};
pub use penalty::{l1_penalty, l2_penalty};
pub use squared::{half_squared_error, mse, squared_error};

use crate::error::{Error, Result};
use autograd::{Real, Tape, Tensor, TensorVar, Var};
use std::fmt;
use std::str::FromStr;

fn same_shape<E: Real>(op: &str, o: TensorVar<'_, E>, t: TensorVar<'_, E>) -> Result<()> {
    let (so, st) = (o.shape(), t.shape());
    if so != st {
        return Err(Error::mismatch(
            format!("{op}: target shape"),
            format!("{:?} (the predictions' shape)", so.as_slice()),
            format!("{:?}", st.as_slice()),
        ));
    }
    Ok(())
}

fn check_classes(classes: &[usize], num_classes: usize) -> Result<()> {
    if let Some((i, &k)) = classes.iter().enumerate().find(|(_, &k)| k >= num_classes) {
        return Err(Error::invalid(
            format!("class index at position {i}"),
            format!("below {num_classes} (the number of classes)"),
            k,
        ));
    }
    Ok(())
}
/// Targets for a whole data set: values shaped like the model's outputs, or
/// one class index per sample.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a, E: Real = f64> {
    /// Target values, one row per sample ([n, outputs]; `[n]` is read as
    /// [n, 1] by the training loop).
    Values(&'a Tensor<E>),
    /// One class index per sample.
    Classes(&'a [usize]),
}

impl<E: Real> Targets<'_, E> {
    /// The number of samples.
    pub fn len(&self) -> usize {
        match self {
            Targets::Values(t) => t.shape().first().copied().unwrap_or(0),
            Targets::Classes(c) => c.len(),
        }
    }

    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a, E: Real> From<&'a Tensor<E>> for Targets<'a, E> {
    fn from(t: &'a Tensor<E>) -> Self {
        Targets::Values(t)
    }
}

impl<'a, E: Real> From<&'a [usize]> for Targets<'a, E> {
    fn from(c: &'a [usize]) -> Self {
        Targets::Classes(c)
    }
}

impl<'a, E: Real> From<&'a Vec<usize>> for Targets<'a, E> {
    fn from(c: &'a Vec<usize>) -> Self {
        Targets::Classes(c)
    }
}

/// A batch's targets as a loss sees them: values on the tape, or class
/// indices.
#[derive(Clone, Debug)]
pub enum TargetVar<'t, E: Real = f64> {
    /// Target values on the tape.
    Values(TensorVar<'t, E>),
    /// One class index per sample (borrowed from the batch).
    Classes(&'t [usize]),
}

impl<'t, E: Real> TargetVar<'t, E> {
    /// The targets as values shaped like `output` ([n, c]): values as they
    /// are, classes one-hot encoded over the c outputs (or, for a single
    /// output, the class 0 or 1 itself).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if the output is not [n, c] with one class per
    /// row; [`Error::Invalid`] for a class not below c (not 0 or 1 for one
    /// output).
    pub fn to_values(&self, output: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        match self {
            TargetVar::Values(t) => Ok(*t),
            TargetVar::Classes(classes) => {
                let shape = output.shape();
                if shape.len() != 2 || shape[0] != classes.len() {
                    return Err(Error::mismatch(
                        "class targets",
                        format!("an output [{}, classes]", classes.len()),
                        format!("{:?}", shape.as_slice()),
                    ));
                }
                let width = shape[1];
                let tape: &'t Tape<E> = output.tape();
                if width == 1 {
                    check_classes(classes, 2)?;
                    let data = classes.iter().map(|&k| E::from_f64(k as f64)).collect();
                    return Ok(tape.tensor_constant(Tensor::from_vec(&[classes.len(), 1], data)?));
                }
                check_classes(classes, width)?;
                Ok(tape.tensor_constant(Tensor::one_hot(classes, width)?))
            }
        }
    }
}

/// What the training loop minimises: a loss of the model's output and the
/// batch's targets.
///
/// Implemented by [`Loss`] and by [`custom`] losses.
pub trait Objective<E: Real> {
    /// The loss for one batch.
    ///
    /// # Errors
    /// [`Error::Mismatch`] if output and targets do not fit together.
    fn loss<'t>(&self, output: TensorVar<'t, E>, target: &TargetVar<'t, E>) -> Result<Var<'t, E>>;
}

/// The built-in losses, by name (for command lines and configurations).
///
/// With class targets, the squared-error losses and `BceWithLogits` compare
/// against one-hot rows (Nielsen's quadratic cost on digit labels);
/// `SoftmaxCrossEntropy` with value targets compares against them as
/// distributions.
///
/// ```
/// use nn::loss::Loss;
/// assert_eq!("mse".parse::<Loss>().unwrap(), Loss::Mse);
/// assert_eq!(Loss::HalfSquaredError.to_string(), "half_squared_error");
/// assert!("hinge".parse::<Loss>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Loss {
    /// [`squared_error`]: Σ (o − t)².
    SquaredError,
    /// [`mse`]: mean (o − t)².
    Mse,
    /// [`half_squared_error`]: mean ½(o − t)² (the Playground's).
    HalfSquaredError,
    /// [`bce_with_logits`]: binary cross-entropy on logits.
    BceWithLogits,
    /// [`softmax_cross_entropy`]: multi-class cross-entropy on logits.
    SoftmaxCrossEntropy,
}

impl Loss {
    /// Every built-in loss.
    pub const ALL: [Loss; 5] = [
        Loss::SquaredError,
        Loss::Mse,
        Loss::HalfSquaredError,
        Loss::BceWithLogits,
        Loss::SoftmaxCrossEntropy,
    ];

    /// The name used by [`Display`](fmt::Display) and [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Loss::SquaredError => "squared_error",
            Loss::Mse => "mse",
            Loss::HalfSquaredError => "half_squared_error",
            Loss::BceWithLogits => "bce_with_logits",
            Loss::SoftmaxCrossEntropy => "softmax_cross_entropy",
        }
    }
}

impl<E: Real> Objective<E> for Loss {
    fn loss<'t>(&self, output: TensorVar<'t, E>, target: &TargetVar<'t, E>) -> Result<Var<'t, E>> {
        match self {
            Loss::SoftmaxCrossEntropy => match target {
                TargetVar::Classes(c) => softmax_cross_entropy(output, c),
                TargetVar::Values(t) => softmax_cross_entropy_with_probs(output, *t),
            },
            _ => {
                let t = target.to_values(output)?;
                match self {
                    Loss::SquaredError => squared_error(output, t),
                    Loss::Mse => mse(output, t),
                    Loss::HalfSquaredError => half_squared_error(output, t),
                    Loss::BceWithLogits => bce_with_logits(output, t),
                    Loss::SoftmaxCrossEntropy => unreachable!("handled above"),
                }
            }
        }
    }
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Loss {
    type Err = Error;

    /// Parses a name from [`Loss::name`] (case-insensitive; `-` may replace
    /// `_`), or `sse`, `bce`, `cross_entropy`.
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        let found = match key.as_str() {
            "sse" => Some(Loss::SquaredError),
            "bce" => Some(Loss::BceWithLogits),
            "cross_entropy" => Some(Loss::SoftmaxCrossEntropy),
            _ => Loss::ALL.into_iter().find(|l| l.name() == key),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = Loss::ALL.iter().map(|l| l.name()).collect();
            Error::invalid(
                "loss",
                format!("one of {}", names.join(", ")),
                format!("`{s}`"),
            )
        })
    }
}

/// A loss written as a closure of the output and the target values (class
/// targets arrive one-hot encoded, see [`TargetVar::to_values`]).
///
/// ```
/// use nn::loss::{custom, Objective, TargetVar};
/// use autograd::{Tape, Tensor};
/// // mean absolute error, written as ordinary tape arithmetic
/// let mae = custom(|o, t| (o - t).abs().mean());
/// let tape = Tape::new();
/// let o = tape.tensor(Tensor::from_vec(&[2, 1], vec![1.0, 3.0]).unwrap());
/// let t = TargetVar::Values(tape.tensor_constant(Tensor::from_vec(&[2, 1], vec![2.0, 2.0]).unwrap()));
/// assert_eq!(mae.loss(o, &t).unwrap().value(), 1.0);
/// ```
pub fn custom<F>(f: F) -> Custom<F>
where
    F: for<'t> Fn(TensorVar<'t, f64>, TensorVar<'t, f64>) -> Var<'t, f64>,
{
    Custom(f)
}

/// A loss written as a closure for any element type (`custom` fixes `f64`,
/// which lets Rust infer the closure's types).
pub fn custom_for<E: Real, F>(f: F) -> Custom<F>
where
    F: for<'t> Fn(TensorVar<'t, E>, TensorVar<'t, E>) -> Var<'t, E>,
{
    Custom(f)
}

/// A closure loss: see [`custom`].
#[derive(Clone, Copy)]
pub struct Custom<F>(F);

impl<F> fmt::Debug for Custom<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Custom(<closure>)")
    }
}

impl<E: Real, F> Objective<E> for Custom<F>
where
    F: for<'t> Fn(TensorVar<'t, E>, TensorVar<'t, E>) -> Var<'t, E>,
{
    fn loss<'t>(&self, output: TensorVar<'t, E>, target: &TargetVar<'t, E>) -> Result<Var<'t, E>> {
        let t = target.to_values(output)?;
        Ok((self.0)(output, t))
    }
}
