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

use crate::error::{Error, Result};
use crate::param::{Bound, ParamId};
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

/// Σ (o − t)²: the course's squared error, summed over every element.
///
/// # Errors
/// [`Error::Mismatch`] if the shapes differ (the message gives both).
pub fn squared_error<'t, E: Real>(o: TensorVar<'t, E>, t: TensorVar<'t, E>) -> Result<Var<'t, E>> {
    same_shape("squared_error", o, t)?;
    // one fused op: the value and gradients of (o − t)².sum()
    Ok(o.try_sum_sq_diff(t)?)
}

/// mean (o − t)²: the mean squared error over every element.
///
/// # Errors
/// [`Error::Mismatch`] if the shapes differ (the message gives both).
pub fn mse<'t, E: Real>(o: TensorVar<'t, E>, t: TensorVar<'t, E>) -> Result<Var<'t, E>> {
    same_shape("mse", o, t)?;
    Ok(mean_sq_diff(o, t)?)
}

/// mean ½(o − t)²: the TensorFlow Playground's loss (its gradient per
/// element is (o − t)/n).
///
/// # Errors
/// [`Error::Mismatch`] if the shapes differ (the message gives both).
pub fn half_squared_error<'t, E: Real>(
    o: TensorVar<'t, E>,
    t: TensorVar<'t, E>,
) -> Result<Var<'t, E>> {
    same_shape("half_squared_error", o, t)?;
    Ok(mean_sq_diff(o, t)? * 0.5)
}

/// mean (o − t)² for same-shape o and t: the fused Σ (o − t)² over n (the
/// value and gradients of (o − t)².mean()); an error naming `mean` for no
/// elements.
fn mean_sq_diff<'t, E: Real>(
    o: TensorVar<'t, E>,
    t: TensorVar<'t, E>,
) -> autograd::Result<Var<'t, E>> {
    let n = o.len();
    if n == 0 {
        return o.try_sub(t)?.try_mean();
    }
    Ok(o.try_sum_sq_diff(t)? * (1.0 / n as f64))
}

/// Binary cross-entropy of sigmoid(z) against targets t ∈ [0, 1], from the
/// logits z, averaged over every element:
/// mean max(z, 0) − z·t + ln(1 + e^−|z|).
///
/// Equal to −t·ln σ(z) − (1 − t)·ln(1 − σ(z)) but finite for any z (no
/// ln 0). Its gradient is (σ(z) − t)/n, at z = 0 too: max and |·| are
/// written with `maximum`, whose tie goes to z, so both kinks take their
/// right-hand derivative and the two cancel as they should.
///
/// # Errors
/// [`Error::Mismatch`] if the shapes differ (the message gives both).
pub fn bce_with_logits<'t, E: Real>(
    z: TensorVar<'t, E>,
    t: TensorVar<'t, E>,
) -> Result<Var<'t, E>> {
    same_shape("bce_with_logits", z, t)?;
    let zero = z.tape().tensor_constant(Tensor::zeros(&z.shape()));
    let relu = z.try_maximum(zero)?;
    let abs = z.try_maximum(-z)?;
    let softplus_neg_abs = (-abs).exp().shift(1.0).ln();
    Ok(relu
        .try_sub(z.try_mul(t)?)?
        .try_add(softplus_neg_abs)?
        .try_mean()?)
}

/// Softmax cross-entropy with class indices: for logits z of shape [n, c]
/// and one class per row, mean over rows of −ln softmax(z)\[class\],
/// computed with a stable `log_softmax`.
///
/// ```
/// use autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let z = tape.tensor(Tensor::from_vec(&[1, 3], vec![0.0, 0.0, 0.0]).unwrap());
/// let loss = nn::loss::softmax_cross_entropy(z, &[2]).unwrap();
/// assert!((loss.value() - 3f64.ln()).abs() < 1e-15);
/// let err = nn::loss::softmax_cross_entropy(z, &[3]).unwrap_err().to_string();
/// assert_eq!(err, "class index at position 0: expected below 3 (the number of classes), found 3");
/// ```
///
/// # Errors
/// [`Error::Mismatch`] if the logits are not 2-D or there is not one class
/// per row; [`Error::Invalid`] for a class index not below c.
pub fn softmax_cross_entropy<'t, E: Real>(
    logits: TensorVar<'t, E>,
    classes: &[usize],
) -> Result<Var<'t, E>> {
    let shape = logits.shape();
    if shape.len() != 2 {
        return Err(Error::mismatch(
            "softmax_cross_entropy: logits shape",
            "[n, classes]",
            format!("{:?}", shape.as_slice()),
        ));
    }
    if classes.len() != shape[0] {
        return Err(Error::mismatch(
            "softmax_cross_entropy: class indices",
            format!(
                "{} (one per row of logits {:?})",
                shape[0],
                shape.as_slice()
            ),
            classes.len(),
        ));
    }
    check_classes(classes, shape[1])?;
    // one fused op: the value and gradient of -log_softmax(1).gather(c).mean()
    Ok(logits.try_softmax_cross_entropy(classes)?)
}

/// Softmax cross-entropy against target distributions (one-hot rows, or
/// soft labels): for z and t of shape [n, c], mean over rows of
/// −Σ_c t·ln softmax(z). Equal to [`softmax_cross_entropy`] for one-hot
/// targets.
///
/// # Errors
/// [`Error::Mismatch`] if the shapes differ or are not 2-D.
pub fn softmax_cross_entropy_with_probs<'t, E: Real>(
    logits: TensorVar<'t, E>,
    targets: TensorVar<'t, E>,
) -> Result<Var<'t, E>> {
    same_shape("softmax_cross_entropy", logits, targets)?;
    let shape = logits.shape();
    if shape.len() != 2 || shape[0] == 0 {
        return Err(Error::mismatch(
            "softmax_cross_entropy: logits shape",
            "[n, classes] with n > 0",
            format!("{:?}", shape.as_slice()),
        ));
    }
    let n = shape[0] as f64;
    Ok(-(logits.try_log_softmax(1)?.try_mul(targets)?.sum() / n))
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

fn penalty<'t, E: Real>(
    p: &Bound<'t, E>,
    ids: &[ParamId],
    term: impl Fn(TensorVar<'t, E>) -> Var<'t, E>,
) -> Result<Var<'t, E>> {
    let mut total = p.tape().constant(0.0);
    for &id in ids {
        let w = p.get(id).ok_or_else(|| {
            Error::invalid(
                "penalised parameter",
                format!("an id below {} (the bound store's size)", p.len()),
                id,
            )
        })?;
        total = total + term(w);
    }
    Ok(total)
}

/// Σ|w| over the given parameters (usually the weights, not the biases):
/// add `rate · l1_penalty(..)` to a loss for L1 regularisation.
///
/// # Errors
/// [`Error::Invalid`] for an id that is not in the bound store.
pub fn l1_penalty<'t, E: Real>(p: &Bound<'t, E>, ids: &[ParamId]) -> Result<Var<'t, E>> {
    penalty(p, ids, |w| w.abs().sum())
}

/// ½Σw² over the given parameters (usually the weights, not the biases):
/// add `rate · l2_penalty(..)` to a loss for L2 regularisation (weight
/// decay; the ½ makes its gradient w, as in the Playground and in Nielsen's
/// ½(λ/n)Σw²).
///
/// ```
/// use autograd::{Tape, Tensor};
/// use nn::param::ParamStore;
/// let mut store = ParamStore::new();
/// let w = store.add("w", Tensor::from_vec(&[2], vec![3.0, -4.0]).unwrap()).unwrap();
/// let tape = Tape::new();
/// let p = store.bind(&tape);
/// let r = nn::loss::l2_penalty(&p, &[w]).unwrap();
/// assert_eq!(r.value(), 12.5);
/// assert_eq!(p.grads(&r.backward())[w].data(), &[3.0, -4.0]);
/// ```
///
/// # Errors
/// [`Error::Invalid`] for an id that is not in the bound store.
pub fn l2_penalty<'t, E: Real>(p: &Bound<'t, E>, ids: &[ParamId]) -> Result<Var<'t, E>> {
    penalty(p, ids, |w| w.powi(2).sum() * 0.5)
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

#[cfg(test)]
mod tests {
    use super::*;
    use autograd::check_tensor_grad;

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn squared_losses_have_their_values() {
        let tape = Tape::new();
        let o = tape.tensor(t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
        let y = tape.tensor_constant(t(&[2, 2], &[0.0, 2.0, 1.0, 8.0]));
        // errors 1, 0, 2, −4: squares 1, 0, 4, 16
        assert_eq!(squared_error(o, y).unwrap().value(), 21.0);
        assert_eq!(mse(o, y).unwrap().value(), 5.25);
        assert_eq!(half_squared_error(o, y).unwrap().value(), 2.625);
        let g = half_squared_error(o, y).unwrap().backward();
        assert_eq!(g[o].data(), &[0.25, 0.0, 0.5, -1.0]); // (o − t)/n
    }

    #[test]
    fn bce_with_logits_matches_the_textbook_formula_and_is_stable() {
        let zs = [-3.0, -0.5, 0.0, 0.7, 4.0];
        let ts = [0.0, 1.0, 1.0, 0.0, 1.0];
        let tape = Tape::new();
        let z = tape.tensor(t(&[5], &zs));
        let y = tape.tensor_constant(t(&[5], &ts));
        let loss = bce_with_logits(z, y).unwrap();
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let expected: f64 = zs
            .iter()
            .zip(ts)
            .map(|(&z, t)| -(t * sig(z).ln() + (1.0 - t) * (1.0 - sig(z)).ln()))
            .sum::<f64>()
            / 5.0;
        assert!((loss.value() - expected).abs() < 1e-14);
        let g = loss.backward();
        let gz = g[z].to_vec();
        for (i, (&zi, ti)) in zs.iter().zip(ts).enumerate() {
            assert!((gz[i] - (sig(zi) - ti) / 5.0).abs() < 1e-15, "z = {zi}");
        }
        // logits of ±1000: finite loss, finite gradient
        let z = tape.tensor(t(&[2], &[1000.0, -1000.0]));
        let y = tape.tensor_constant(t(&[2], &[0.0, 1.0]));
        let l = bce_with_logits(z, y).unwrap();
        assert_eq!(l.value(), 1000.0);
        assert_eq!(l.backward()[z].data(), &[0.5, -0.5]);
    }

    #[test]
    fn losses_pass_the_gradient_check() {
        let o = t(&[3, 2], &[0.3, -1.2, 0.0, 2.0, -0.4, 0.9]);
        let y = t(&[3, 2], &[1.0, 0.0, 1.0, 1.0, 0.0, 0.5]);
        type LossFn = for<'t> fn(TensorVar<'t, f64>, TensorVar<'t, f64>) -> Result<Var<'t, f64>>;
        let fns: [LossFn; 5] = [
            squared_error,
            mse,
            half_squared_error,
            bce_with_logits,
            softmax_cross_entropy_with_probs,
        ];
        for f in fns {
            let y = y.clone();
            check_tensor_grad(
                move |p| f(p[0], p[0].tape().tensor_constant(y.clone())).unwrap(),
                std::slice::from_ref(&o),
            )
            .assert_passed();
        }
        check_tensor_grad(
            |p| softmax_cross_entropy(p[0], &[1, 0, 1]).unwrap(),
            std::slice::from_ref(&o),
        )
        .assert_passed();
    }

    #[test]
    fn class_and_one_hot_cross_entropy_agree() {
        let tape = Tape::new();
        let z = tape.tensor(t(&[2, 3], &[2.0, 1.0, 0.1, 0.5, 2.5, 0.3]));
        let a = softmax_cross_entropy(z, &[0, 1]).unwrap();
        let onehot = tape.tensor_constant(Tensor::one_hot(&[0, 1], 3).unwrap());
        let b = softmax_cross_entropy_with_probs(z, onehot).unwrap();
        assert!((a.value() - b.value()).abs() < 1e-15);
        assert!((a.value() - 0.3185).abs() < 1e-4);
    }

    #[test]
    fn mismatched_shapes_and_classes_are_errors_naming_both() {
        let tape = Tape::new();
        let o = tape.tensor(Tensor::zeros(&[4, 1]));
        let y = tape.tensor_constant(Tensor::zeros(&[4]));
        for (f, name) in [
            (squared_error as fn(_, _) -> _, "squared_error"),
            (mse, "mse"),
            (half_squared_error, "half_squared_error"),
            (bce_with_logits, "bce_with_logits"),
        ] {
            let err = f(o, y).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "{name}: target shape: expected [4, 1] (the predictions' shape), found [4]"
                )
            );
        }
        let z = tape.tensor(Tensor::zeros(&[2, 3]));
        let err = softmax_cross_entropy(z, &[0]).unwrap_err().to_string();
        assert_eq!(
            err,
            "softmax_cross_entropy: class indices: expected 2 (one per row of logits [2, 3]), found 1"
        );
        let err = softmax_cross_entropy(o.reshape(&[4]), &[0; 4])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "softmax_cross_entropy: logits shape: expected [n, classes], found [4]"
        );
    }

    #[test]
    fn loss_enum_and_custom_closures_use_the_same_functions() {
        let tape = Tape::new();
        let o = tape.tensor(t(&[2, 2], &[0.2, 0.8, 0.6, 0.1]));
        let classes = TargetVar::Classes(&[1, 0]);
        let onehot = TargetVar::Values(tape.tensor_constant(t(&[2, 2], &[0.0, 1.0, 1.0, 0.0])));
        for loss in Loss::ALL {
            let a = loss.loss(o, &classes).unwrap().value();
            let b = loss.loss(o, &onehot).unwrap().value();
            assert!((a - b).abs() < 1e-15, "{loss}");
            assert_eq!(loss.to_string().parse::<Loss>().unwrap(), loss);
        }
        let sse = custom(|o, t| (o - t).powi(2).sum());
        let a = sse.loss(o, &classes).unwrap().value();
        assert!((a - Loss::SquaredError.loss(o, &classes).unwrap().value()).abs() < 1e-15);
        // one output: the class itself is the target
        let single = tape.tensor(t(&[2, 1], &[0.3, 0.9]));
        let l = Loss::SquaredError
            .loss(single, &TargetVar::Classes(&[0, 1]))
            .unwrap();
        assert!((l.value() - (0.09 + 0.01)).abs() < 1e-15);
        let err = Loss::Mse
            .loss(single, &TargetVar::Classes(&[0, 2]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "class index at position 1: expected below 2 (the number of classes), found 2"
        );
        let err = "hinge".parse::<Loss>().unwrap_err().to_string();
        assert_eq!(
            err,
            "loss: expected one of squared_error, mse, half_squared_error, bce_with_logits, softmax_cross_entropy, found `hinge`"
        );
    }

    #[test]
    fn penalties_sum_over_the_given_parameters() {
        let mut store = crate::param::ParamStore::new();
        let w = store.add("w", t(&[2], &[1.0, -2.0])).unwrap();
        let b = store.add("b", t(&[1], &[5.0])).unwrap();
        let tape = Tape::new();
        let p = store.bind(&tape);
        assert_eq!(l1_penalty(&p, &[w]).unwrap().value(), 3.0);
        assert_eq!(l2_penalty(&p, &[w, b]).unwrap().value(), 15.0);
        assert_eq!(l2_penalty(&p, &[]).unwrap().value(), 0.0);
        let g = p.grads(&l1_penalty(&p, &[w]).unwrap().backward());
        assert_eq!(g[w].data(), &[1.0, -1.0]);
        assert_eq!(g[b].data(), &[0.0]);
        let other = crate::param::ParamStore::<f64>::new();
        let err = l1_penalty(&other.bind(&tape), &[w])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "penalised parameter: expected an id below 0 (the bound store's size), found #0"
        );
    }
}
