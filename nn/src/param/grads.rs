//! Gradients as values: accumulated over batches, scaled, measured.

use super::{foreign_grads, ParamId, ParamStore, INLINE_PARAMS};
use crate::error::{Error, Result};
use crate::layers::{Model, ParamPath};
use autograd::{Grads, Real, Tensor};
use smallvec::SmallVec;
use std::ops::Index;

/// One gradient per parameter, in store order: what an optimizer applies.
///
/// ```
/// use autograd::Tensor;
/// use nn::param::ParamGrads;
/// let mut g = ParamGrads::new(vec![Tensor::from_vec(&[2], vec![3.0, 4.0]).unwrap()]);
/// assert_eq!(g.global_norm(), 5.0);
/// g.scale(0.5);
/// assert_eq!(g.global_norm(), 2.5);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ParamGrads<E: Real = f64> {
    pub(super) grads: SmallVec<[Tensor<E>; INLINE_PARAMS]>,
}

impl<E: Real> ParamGrads<E> {
    /// Gradients from tensors given in store order.
    pub fn new(grads: Vec<Tensor<E>>) -> Self {
        ParamGrads {
            grads: SmallVec::from_vec(grads),
        }
    }

    /// The gradients of every parameter of `model` in `grads` (from a
    /// backward pass through its latest forward pass), as values in the
    /// model's visiting order: for accumulating them over batches (apply
    /// them with [`Optimizer::step_with`](crate::Optimizer::step_with)) or
    /// measuring their norms. A parameter the loss does not depend on gets
    /// zeros.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// use nn::prelude::*;
    /// let mut mlp = Mlp::<f64>::new(&[2, 2, 1], &[Activation::Tanh; 2], Init::Xavier, 1).unwrap();
    /// let x = Tensor::from_vec(&[1, 2], vec![0.5, -0.5]).unwrap();
    /// let mut total: Option<ParamGrads> = None;
    /// for _ in 0..2 {
    ///     let tape = Tape::new();
    ///     let g = mlp.forward(tape.tensor_constant(x.clone())).unwrap().sum().backward();
    ///     let g = ParamGrads::of(&mlp, &g).unwrap();
    ///     match &mut total {
    ///         Some(t) => t.accumulate(&g).unwrap(),
    ///         None => total = Some(g),
    ///     }
    /// }
    /// let mut total = total.unwrap();
    /// total.scale(0.5);
    /// Sgd::new(0.1).step_with(&mut mlp, &total).unwrap();
    /// ```
    ///
    /// # Errors
    /// As [`ParamStore::grad`].
    pub fn of(model: &dyn Model<E>, grads: &Grads<E>) -> Result<Self> {
        let mut out = SmallVec::new();
        model.visit_params(&ParamPath::ROOT, &mut |_, store| {
            let keys = store.keys()?;
            for ((_, _, t), key) in store.iter().zip(keys) {
                out.push(match grads.get(key).map_err(|_| foreign_grads())? {
                    Some(g) => g.clone(),
                    None => Tensor::zeros(t.shape()),
                });
            }
            Ok(())
        })?;
        Ok(ParamGrads { grads: out })
    }

    /// The gradients as a slice, in order.
    pub fn as_slice(&self) -> &[Tensor<E>] {
        &self.grads
    }

    /// Zero gradients shaped like every parameter of `store` (a starting
    /// point for [`ParamGrads::accumulate`]).
    pub fn zeros_like(store: &ParamStore<E>) -> Self {
        ParamGrads {
            grads: store
                .iter()
                .map(|(_, _, t)| Tensor::zeros(t.shape()))
                .collect(),
        }
    }

    /// The gradient of parameter `id`.
    pub fn get(&self, id: ParamId) -> Option<&Tensor<E>> {
        self.grads.get(id.0)
    }

    /// The number of gradients (one per parameter).
    pub fn len(&self) -> usize {
        self.grads.len()
    }

    /// Whether there is no gradient.
    pub fn is_empty(&self) -> bool {
        self.grads.is_empty()
    }

    /// Every gradient in store order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (ParamId, &Tensor<E>)> + '_ {
        self.grads.iter().enumerate().map(|(i, g)| (ParamId(i), g))
    }

    /// The gradients as tensors in store order.
    pub fn into_vec(self) -> Vec<Tensor<E>> {
        self.grads.into_vec()
    }

    /// Adds `other` into these gradients (gradient accumulation over several
    /// batches).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if the two do not hold the same number of
    /// gradients with the same shapes.
    pub fn accumulate(&mut self, other: &ParamGrads<E>) -> Result<()> {
        if self.grads.len() != other.grads.len() {
            return Err(Error::mismatch(
                "accumulated gradients",
                format!("{} tensors", self.grads.len()),
                format!("{} tensors", other.grads.len()),
            ));
        }
        for (i, (a, b)) in self.grads.iter().zip(&other.grads).enumerate() {
            if a.shape() != b.shape() {
                return Err(Error::mismatch(
                    format!("accumulated gradient #{i} shape"),
                    format!("{:?}", a.shape()),
                    format!("{:?}", b.shape()),
                ));
            }
        }
        for (a, b) in self.grads.iter_mut().zip(&other.grads) {
            for (x, &y) in a.data_mut().iter_mut().zip(b.data()) {
                *x += y;
            }
        }
        Ok(())
    }

    /// Multiplies every gradient by `k` (averaging accumulated gradients).
    pub fn scale(&mut self, k: f64) {
        let k = E::from_f64(k);
        for g in &mut self.grads {
            for x in g.data_mut() {
                *x *= k;
            }
        }
    }

    /// The Euclidean norm of one parameter's gradient.
    pub fn norm(&self, id: ParamId) -> Option<f64> {
        self.grads.get(id.0).map(norm2)
    }

    /// The Euclidean norm of each parameter's gradient, in store order (per
    /// layer, these show vanishing or exploding gradients).
    pub fn norms(&self) -> Vec<f64> {
        self.grads.iter().map(norm2).collect()
    }

    /// The Euclidean norm of all gradients together.
    pub fn global_norm(&self) -> f64 {
        self.grads
            .iter()
            .map(|g| norm2(g).powi(2))
            .sum::<f64>()
            .sqrt()
    }

    /// Scales all gradients down so that their global norm is at most
    /// `max_norm`; returns the norm before clipping.
    pub fn clip_global_norm(&mut self, max_norm: f64) -> f64 {
        let norm = self.global_norm();
        if norm > max_norm && norm > 0.0 {
            self.scale(max_norm / norm);
        }
        norm
    }

    /// The largest absolute difference between corresponding elements (for
    /// comparing two ways of computing the same gradients); infinite if the
    /// two are not shaped alike.
    pub fn max_abs_diff(&self, other: &ParamGrads<E>) -> f64 {
        if self.grads.len() != other.grads.len() {
            return f64::INFINITY;
        }
        self.grads
            .iter()
            .zip(&other.grads)
            .map(|(a, b)| {
                if a.shape() == b.shape() {
                    a.max_abs_diff(b)
                } else {
                    f64::INFINITY
                }
            })
            .fold(0.0, f64::max)
    }
}

impl<E: Real> Index<ParamId> for ParamGrads<E> {
    type Output = Tensor<E>;

    /// # Panics
    /// If there is no gradient for this id.
    #[track_caller]
    fn index(&self, id: ParamId) -> &Tensor<E> {
        match self.grads.get(id.0) {
            Some(g) => g,
            None => panic!(
                "no gradient for parameter {id} ({} gradients)",
                self.grads.len()
            ),
        }
    }
}

fn norm2<E: Real>(t: &Tensor<E>) -> f64 {
    t.data()
        .iter()
        .map(|x| {
            let x = x.to_f64();
            x * x
        })
        .sum::<f64>()
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn grads_accumulate_scale_and_norm() {
        let mut a = ParamGrads::new(vec![t(&[2], &[1.0, 2.0]), t(&[1], &[2.0])]);
        let b = a.clone();
        a.accumulate(&b).unwrap();
        assert_eq!(a.norms(), vec![(20.0f64).sqrt(), 4.0]);
        a.scale(0.5);
        assert_eq!(a, b);
        assert_eq!(a.global_norm(), 3.0);
        assert_eq!(a.clip_global_norm(1.5), 3.0);
        assert!((a.global_norm() - 1.5).abs() < 1e-12);
        let wrong = ParamGrads::new(vec![t(&[2], &[1.0, 2.0]), t(&[2], &[0.0, 0.0])]);
        let err = a.accumulate(&wrong).unwrap_err().to_string();
        assert_eq!(
            err,
            "accumulated gradient #1 shape: expected [1], found [2]"
        );
        let err = a
            .accumulate(&ParamGrads::new(vec![]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "accumulated gradients: expected 2 tensors, found 0 tensors"
        );
    }
}
