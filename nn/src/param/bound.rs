//! A store's parameters on one tape.

use super::{ParamGrads, ParamId, INLINE_PARAMS};
use autograd::{Grads, Real, Tape, Tensor, TensorVar};
use smallvec::SmallVec;
use std::fmt;
use std::ops::Index;

/// A [`ParamStore`](super::ParamStore)'s parameters on one tape: `bound[id]` is the
/// [`TensorVar`] of parameter `id`.
#[derive(Clone)]
pub struct Bound<'t, E: Real = f64> {
    pub(super) tape: &'t Tape<E>,
    pub(super) vars: SmallVec<[TensorVar<'t, E>; INLINE_PARAMS]>,
}

impl<E: Real> fmt::Debug for Bound<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bound")
            .field("params", &self.vars.len())
            .finish()
    }
}

impl<'t, E: Real> Bound<'t, E> {
    /// Parameters that are already tensors on `tape`, one per parameter
    /// of a store in store order (`vars[i]` is parameter `ParamId` i): a
    /// function of the parameters themselves, such as the one a gradient
    /// check perturbs, runs a model on them with
    /// [`Mlp::forward_with`](crate::Mlp::forward_with).
    ///
    /// ```
    /// use autograd::{check_tensor_grad, Tensor, TensorVar};
    /// use nn::prelude::*;
    /// use nn::Bound;
    /// let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Identity], Init::Playground, 1).unwrap();
    /// let x = Tensor::from_vec(&[1, 2], vec![0.5, -1.0]).unwrap();
    /// let at: Vec<Tensor<f64>> = mlp.params().iter().map(|(_, _, t)| t.clone()).collect();
    /// let report = check_tensor_grad(
    ///     |p: &[TensorVar]| {
    ///         let tape = p[0].tape();
    ///         let out = mlp.forward_with(&Bound::from_vars(tape, p), tape.tensor_constant(x.clone()));
    ///         out.unwrap().powi(2).sum()
    ///     },
    ///     &at,
    /// );
    /// assert!(report.passed(), "{report}");
    /// assert_eq!(report.entries.len(), mlp.params().num_scalars());
    /// ```
    pub fn from_vars(tape: &'t Tape<E>, vars: &[TensorVar<'t, E>]) -> Self {
        Bound {
            tape,
            vars: vars.iter().copied().collect(),
        }
    }

    /// The tape the parameters are on.
    pub fn tape(&self) -> &'t Tape<E> {
        self.tape
    }

    /// The tensor of parameter `id`, if the bound store has it.
    pub fn get(&self, id: ParamId) -> Option<TensorVar<'t, E>> {
        self.vars.get(id.0).copied()
    }

    /// The number of bound parameters.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// Whether no parameter is bound.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Every bound parameter in store order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (ParamId, TensorVar<'t, E>)> + '_ {
        self.vars.iter().enumerate().map(|(i, &v)| (ParamId(i), v))
    }

    /// Every parameter's gradient from a backward pass on this tape, in
    /// store order (zeros for a parameter the loss does not depend on).
    ///
    /// # Panics
    /// If `grads` come from another tape (see [`Grads::wrt`]).
    #[track_caller]
    pub fn grads(&self, grads: &Grads<E>) -> ParamGrads<E> {
        ParamGrads {
            grads: self
                .vars
                .iter()
                .map(|&v| {
                    grads
                        .wrt(v)
                        .cloned()
                        .unwrap_or_else(|| Tensor::zeros(&v.shape()))
                })
                .collect(),
        }
    }
}

impl<'t, E: Real> Index<ParamId> for Bound<'t, E> {
    type Output = TensorVar<'t, E>;

    /// # Panics
    /// If the id is not in the bound store.
    #[track_caller]
    fn index(&self, id: ParamId) -> &TensorVar<'t, E> {
        match self.vars.get(id.0) {
            Some(v) => v,
            None => panic!(
                "parameter {id} is not in the bound store ({} parameters)",
                self.vars.len()
            ),
        }
    }
}
