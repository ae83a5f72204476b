//! Parameters: the model is data, the tape is per step, gradients are a value.
//!
//! A [`ParamStore`] owns every parameter tensor of a model, keyed by name in
//! insertion order (so optimizers and files see a deterministic order). Each
//! training step binds the store to a tape ([`ParamStore::bind`]): every
//! parameter becomes a tracked tensor on it, and layers look theirs up by
//! [`ParamId`]. After `backward`, [`Bound::grads`] reads every parameter's
//! gradient back into a [`ParamGrads`], which an optimizer applies to the
//! store. Nothing is stored on the parameters, so there is nothing to zero.
//!
//! ```
//! use autograd::{Tape, Tensor};
//! use nn::param::ParamStore;
//! let mut store = ParamStore::new();
//! let w = store.add("w", Tensor::from_vec(&[1], vec![0.0]).unwrap()).unwrap();
//! let tape = Tape::new();
//! let p = store.bind(&tape);
//! // the course's first cost: e(w) = (0.68 − 0.4·w)²
//! let e = (0.68 - p[w] * 0.4).powi(2).sum();
//! let grads = p.grads(&e.backward());
//! assert!((grads[w].data()[0] + 0.544).abs() < 1e-12);
//! ```

use crate::error::{Error, Result};
use autograd::{Grads, Real, Tape, Tensor, TensorVar};
use indexmap::IndexMap;
use smallvec::SmallVec;
use std::fmt;
use std::ops::Index;

/// Models with up to this many parameter tensors (an MLP of 8 layers) bind
/// them and receive their gradients without a heap allocation per step.
const INLINE_PARAMS: usize = 16;

/// The identity of a parameter: its position in its [`ParamStore`]
/// (insertion order). Stable for the life of the store and of its clones and
/// casts; meaningless for another store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParamId(usize);

impl ParamId {
    /// The position in the store (0 for the first parameter added).
    pub fn index(self) -> usize {
        self.0
    }
}

impl fmt::Display for ParamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Named parameter tensors in insertion order.
///
/// ```
/// use autograd::Tensor;
/// use nn::param::ParamStore;
/// let mut store = ParamStore::<f32>::new();
/// let w = store.add("layer0.weight", Tensor::zeros(&[2, 3])).unwrap();
/// let b = store.add("layer0.bias", Tensor::zeros(&[3])).unwrap();
/// assert_eq!(store.len(), 2);
/// assert_eq!(store.num_scalars(), 9);
/// assert_eq!(store.names().collect::<Vec<_>>(), ["layer0.weight", "layer0.bias"]);
/// assert_eq!(store.id("layer0.bias"), Some(b));
/// assert_eq!(store[w].shape(), &[2, 3]);
/// assert!(store.add("layer0.bias", Tensor::zeros(&[3])).is_err());
/// ```
#[derive(Clone, Default)]
pub struct ParamStore<E: Real = f64> {
    params: IndexMap<String, Tensor<E>>,
}

impl<E: Real> fmt::Debug for ParamStore<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (name, t) in &self.params {
            m.entry(name, &format_args!("{}{:?}", E::NAME, t.shape()));
        }
        m.finish()
    }
}

impl<E: Real> ParamStore<E> {
    /// An empty store.
    pub fn new() -> Self {
        ParamStore {
            params: IndexMap::new(),
        }
    }

    /// Adds a parameter under a new name and returns its id.
    ///
    /// # Errors
    /// [`Error::Invalid`] if the name is already taken.
    pub fn add(&mut self, name: impl Into<String>, value: Tensor<E>) -> Result<ParamId> {
        let name = name.into();
        if let Some(i) = self.params.get_index_of(&name) {
            return Err(Error::invalid(
                "parameter name",
                "a name not yet in the store",
                format!("`{name}`, already parameter #{i}"),
            ));
        }
        let (i, _) = self.params.insert_full(name, value);
        Ok(ParamId(i))
    }

    /// The parameter with this id, if it is in the store.
    pub fn get(&self, id: ParamId) -> Option<&Tensor<E>> {
        self.params.get_index(id.0).map(|(_, t)| t)
    }

    /// The parameter with this id, mutable (an optimizer's update). Keep its
    /// shape: layers and optimizers check it and report a mismatch.
    pub fn get_mut(&mut self, id: ParamId) -> Option<&mut Tensor<E>> {
        self.params.get_index_mut(id.0).map(|(_, t)| t)
    }

    /// Replaces a parameter's value, keeping its shape.
    ///
    /// # Errors
    /// [`Error::Invalid`] if the id is not in the store; [`Error::Mismatch`]
    /// if the new value's shape differs.
    pub fn set(&mut self, id: ParamId, value: Tensor<E>) -> Result<()> {
        let len = self.params.len();
        let Some((name, slot)) = self.params.get_index_mut(id.0) else {
            return Err(Error::invalid(
                "parameter id",
                format!("an id below {len}"),
                id,
            ));
        };
        if slot.shape() != value.shape() {
            return Err(Error::mismatch(
                format!("parameter `{name}` shape"),
                format!("{:?}", slot.shape()),
                format!("{:?}", value.shape()),
            ));
        }
        *slot = value;
        Ok(())
    }

    /// The parameter with this name.
    pub fn by_name(&self, name: &str) -> Option<&Tensor<E>> {
        self.params.get(name)
    }

    /// The id of the parameter with this name.
    pub fn id(&self, name: &str) -> Option<ParamId> {
        self.params.get_index_of(name).map(ParamId)
    }

    /// The name of the parameter with this id.
    pub fn name(&self, id: ParamId) -> Option<&str> {
        self.params.get_index(id.0).map(|(n, _)| n.as_str())
    }

    /// Every parameter in insertion order: id, name, value.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (ParamId, &str, &Tensor<E>)> + '_ {
        self.params
            .iter()
            .enumerate()
            .map(|(i, (n, t))| (ParamId(i), n.as_str(), t))
    }

    /// Every parameter in insertion order, mutable.
    pub fn iter_mut(
        &mut self,
    ) -> impl ExactSizeIterator<Item = (ParamId, &str, &mut Tensor<E>)> + '_ {
        self.params
            .iter_mut()
            .enumerate()
            .map(|(i, (n, t))| (ParamId(i), n.as_str(), t))
    }

    /// The names in insertion order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.params.keys().map(String::as_str)
    }

    /// The number of parameter tensors.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether the store holds no parameter.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// The number of scalars over all parameters (what "a 337-parameter
    /// network" counts).
    pub fn num_scalars(&self) -> usize {
        self.params.values().map(Tensor::len).sum()
    }

    /// The same parameters in another element type (`f32` ↔ `f64`), with the
    /// same names, order and ids.
    pub fn cast<F: Real>(&self) -> ParamStore<F> {
        ParamStore {
            params: self
                .params
                .iter()
                .map(|(n, t)| (n.clone(), t.cast()))
                .collect(),
        }
    }

    /// Puts every parameter on `tape` as a tracked tensor (in insertion
    /// order; no data is copied) for one forward and backward pass. Inside
    /// [`Tape::no_grad`] they are constants instead.
    pub fn bind<'t>(&self, tape: &'t Tape<E>) -> Bound<'t, E> {
        Bound {
            tape,
            vars: self
                .params
                .values()
                .map(|t| tape.tensor(t.clone()))
                .collect(),
        }
    }
}

impl<E: Real> Index<ParamId> for ParamStore<E> {
    type Output = Tensor<E>;

    /// # Panics
    /// If the id is not in this store.
    #[track_caller]
    fn index(&self, id: ParamId) -> &Tensor<E> {
        match self.get(id) {
            Some(t) => t,
            None => panic!(
                "parameter {id} is not in this store ({} parameters)",
                self.len()
            ),
        }
    }
}

/// A [`ParamStore`]'s parameters on one tape: `bound[id]` is the
/// [`TensorVar`] of parameter `id`.
#[derive(Clone)]
pub struct Bound<'t, E: Real = f64> {
    tape: &'t Tape<E>,
    vars: SmallVec<[TensorVar<'t, E>; INLINE_PARAMS]>,
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
    grads: SmallVec<[Tensor<E>; INLINE_PARAMS]>,
}

impl<E: Real> ParamGrads<E> {
    /// Gradients from tensors given in store order.
    pub fn new(grads: Vec<Tensor<E>>) -> Self {
        ParamGrads {
            grads: SmallVec::from_vec(grads),
        }
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
    fn store_keeps_insertion_order_and_rejects_duplicates() {
        let mut s = ParamStore::new();
        let b = s.add("b", t(&[1], &[1.0])).unwrap();
        let a = s.add("a", t(&[2], &[2.0, 3.0])).unwrap();
        assert_eq!((b.index(), a.index()), (0, 1));
        assert_eq!(s.names().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(s.name(a), Some("a"));
        assert_eq!(s.by_name("a").unwrap().data(), &[2.0, 3.0]);
        let err = s.add("a", t(&[1], &[0.0])).unwrap_err().to_string();
        assert_eq!(
            err,
            "parameter name: expected a name not yet in the store, found `a`, already parameter #1"
        );
        let err = s.set(a, t(&[3], &[0.0; 3])).unwrap_err().to_string();
        assert_eq!(err, "parameter `a` shape: expected [2], found [3]");
        s.set(a, t(&[2], &[5.0, 6.0])).unwrap();
        assert_eq!(s[a].data(), &[5.0, 6.0]);
        assert_eq!(s.cast::<f32>().by_name("a").unwrap().data(), &[5.0f32, 6.0]);
        assert_eq!(format!("{s:?}"), r#"{"b": f64[1], "a": f64[2]}"#);
    }

    #[test]
    fn bind_and_read_gradients_back_by_id() {
        let mut s = ParamStore::new();
        let w = s.add("w", t(&[2, 1], &[0.5, -1.0])).unwrap();
        let unused = s.add("unused", t(&[3], &[1.0, 2.0, 3.0])).unwrap();
        let tape = Tape::new();
        let p = s.bind(&tape);
        let x = tape.tensor_constant(t(&[1, 2], &[2.0, 3.0]));
        let y = x.matmul(p[w]).sum();
        let g = p.grads(&y.backward());
        assert_eq!(g[w].data(), &[2.0, 3.0]);
        assert_eq!(g[unused].data(), &[0.0, 0.0, 0.0]);
        assert!(tape.no_grad(|| s.bind(&tape))[w].is_constant());
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
