//! Cross-entropies on logits: binary (sigmoid) and multi-class (softmax),
//! against class indices or target distributions.

use super::{check_classes, same_shape};
use crate::error::{Error, Result};
use autograd::{Real, Tensor, TensorVar, Var};

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
/// [`Error::Mismatch`] if the logits are not 2-D, have fewer than 2
/// columns (a model with one output) or there is not one class per row;
/// [`Error::Invalid`] for a class index not below c.
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
    if shape[1] < 2 {
        return Err(Error::mismatch(
            "softmax_cross_entropy: logits width (the model's outputs)",
            "one column per class, at least 2",
            format!("{} (logits {:?})", shape[1], shape.as_slice()),
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
