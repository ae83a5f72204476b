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
