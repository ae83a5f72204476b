//! The course's squared errors: Σ (o − t)², its mean, and the Playground's
//! mean ½(o − t)².

use super::same_shape;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;
use autograd::{Real, TensorVar, Var};

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
