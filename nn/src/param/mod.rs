//! Parameters: the model is data, the tape is per step, gradients are a value.
//!
//! A [`ParamStore`] owns every parameter tensor of a model, keyed by name in
//! insertion order (so optimizers and files see a deterministic order). A
//! forward pass binds the store to the tape of its input
//! ([`ParamStore::bind`]): every parameter becomes a tracked tensor on it,
//! layers look theirs up by [`ParamId`], and the store remembers which tape
//! values its parameters were bound to. After `backward`, an optimizer looks
//! each parameter's gradient up through those keys
//! ([`ParamStore::grad`]); nothing is stored on the parameters, so there is
//! nothing to zero. [`ParamGrads`] holds gradients as values, for
//! accumulating them over batches or measuring their norms.
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
//! let grads = e.backward();
//! assert!((store.grad(w, &grads).unwrap().unwrap().data()[0] + 0.544).abs() < 1e-12);
//! ```

mod bound;
mod grads;

pub use bound::Bound;
pub use grads::ParamGrads;

use crate::error::{Error, Result};
use autograd::{Grads, Real, Tape, Tensor, TensorKey, TensorVar};
use indexmap::IndexMap;
use smallvec::SmallVec;
use std::cell::RefCell;
use std::fmt;
use std::ops::Index;

/// Models with up to this many parameter tensors (an MLP of 8 layers) bind
/// them and receive their gradients without a heap allocation per step.
pub(crate) const INLINE_PARAMS: usize = 16;

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
#[derive(Default)]
pub struct ParamStore<E: Real = f64> {
    params: IndexMap<String, Tensor<E>>,
    /// The tape keys of the latest binding with gradients on (empty when
    /// unbound, or since a parameter changed).
    bound: RefCell<SmallVec<[TensorKey; INLINE_PARAMS]>>,
}

impl<E: Real> Clone for ParamStore<E> {
    /// The same parameters, not bound to any tape.
    fn clone(&self) -> Self {
        ParamStore {
            params: self.params.clone(),
            bound: RefCell::default(),
        }
    }
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
            bound: RefCell::default(),
        }
    }

    /// Forgets the binding: the values are about to change.
    fn unbind(&mut self) {
        self.bound.get_mut().clear();
    }

    /// Adds a parameter under a new name and returns its id.
    ///
    /// # Errors
    /// [`Error::Invalid`] if the name is already taken.
    pub fn add(&mut self, name: impl Into<String>, value: Tensor<E>) -> Result<ParamId> {
        let name = name.into();
        self.unbind();
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
        self.unbind();
        self.params.get_index_mut(id.0).map(|(_, t)| t)
    }

    /// Replaces a parameter's value, keeping its shape.
    ///
    /// # Errors
    /// [`Error::Invalid`] if the id is not in the store; [`Error::Mismatch`]
    /// if the new value's shape differs.
    pub fn set(&mut self, id: ParamId, value: Tensor<E>) -> Result<()> {
        self.unbind();
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
        self.unbind();
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
            bound: RefCell::default(),
        }
    }

    /// Puts every parameter on `tape` as a tracked tensor (in insertion
    /// order; no data is copied) for one forward and backward pass, and
    /// remembers their keys for [`ParamStore::grad`]. Binding again to the
    /// same tape (before it is cleared, and with no parameter changed) gives
    /// the same tensors, so several forward passes of one step share their
    /// parameters and their gradients add up. Inside [`Tape::no_grad`] the
    /// parameters are constants instead, and the binding is not remembered.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// use nn::param::ParamStore;
    /// let mut store = ParamStore::new();
    /// let w = store.add("w", Tensor::from_vec(&[1], vec![3.0]).unwrap()).unwrap();
    /// let tape = Tape::new();
    /// // two forward passes on one tape: e = w² + 2·w
    /// let a = store.bind(&tape)[w].powi(2).sum();
    /// let b = (store.bind(&tape)[w] * 2.0).sum();
    /// let g = (a + b).backward();
    /// assert_eq!(store.grad(w, &g).unwrap().unwrap().data(), &[8.0]);
    /// ```
    pub fn bind<'t>(&self, tape: &'t Tape<E>) -> Bound<'t, E> {
        let recording = tape.grad_enabled();
        let mut keys = self.bound.borrow_mut();
        if recording && !keys.is_empty() && keys.len() == self.params.len() {
            let again: Option<SmallVec<[TensorVar<'t, E>; INLINE_PARAMS]>> =
                keys.iter().map(|k| k.on(tape)).collect();
            if let Some(vars) = again {
                return Bound { tape, vars };
            }
        }
        // pushed one by one: `collect` and `extend` go through SmallVec's
        // generic `extend`, several times the instructions
        let mut vars: SmallVec<[TensorVar<'t, E>; INLINE_PARAMS]> = SmallVec::new();
        for t in self.params.values() {
            vars.push(tape.tensor(t.clone()));
        }
        if recording {
            keys.clear();
            for v in &vars {
                keys.push(v.key());
            }
        }
        Bound { tape, vars }
    }

    /// Whether the parameters are bound to a tape with gradients on (a
    /// forward pass ran and no parameter changed since).
    pub fn is_bound(&self) -> bool {
        !self.bound.borrow().is_empty()
    }

    /// The gradient of parameter `id` in `grads`, through the binding of the
    /// latest forward pass: `Ok(None)` if the loss does not depend on it.
    ///
    /// # Errors
    /// [`Error::Invalid`] if the id is not in the store; [`Error::Mismatch`]
    /// if the parameters are not bound (no forward pass since they were
    /// created, loaded or updated: an optimizer step unbinds them, so the
    /// same gradients cannot be applied twice), or if `grads` come from
    /// another tape or recording than that forward pass.
    pub fn grad<'g>(&self, id: ParamId, grads: &'g Grads<E>) -> Result<Option<&'g Tensor<E>>> {
        let keys = self.bound.borrow();
        let Some(&key) = keys.get(id.0) else {
            if id.0 >= self.params.len() {
                return Err(Error::invalid(
                    "parameter id",
                    format!("an id below {}", self.params.len()),
                    id,
                ));
            }
            return Err(not_bound());
        };
        grads.get(key).map_err(|_| foreign_grads())
    }

    /// The keys of the latest binding, one per parameter.
    pub(crate) fn keys(&self) -> Result<SmallVec<[TensorKey; INLINE_PARAMS]>> {
        let keys = self.bound.borrow();
        if keys.len() != self.params.len() || keys.is_empty() && !self.params.is_empty() {
            return Err(not_bound());
        }
        Ok(keys.clone())
    }
}

fn not_bound() -> Error {
    Error::mismatch(
        "parameters",
        "bound to a tape by a forward pass before the step",
        "no forward pass since they were created, loaded or updated",
    )
}

pub(crate) fn foreign_grads() -> Error {
    Error::mismatch(
        "gradients",
        "from the backward pass of the model's latest forward pass",
        "gradients of another tape, or of the same tape before or after a clear",
    )
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
}
