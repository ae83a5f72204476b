//! Regularisation penalties to add to a loss: Σ|w| and ½Σw² over chosen
//! parameters.

use crate::error::{Error, Result};
use crate::param::{Bound, ParamId};
use autograd::{Real, TensorVar, Var};

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
