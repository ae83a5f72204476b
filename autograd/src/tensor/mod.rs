//! Tensors: plain values ([`Tensor`]) and values on the tape ([`TensorVar`]).

mod data;
mod map;

pub use crate::ops::shape::broadcast_shape;
pub(crate) use data::shape_of;
pub use data::{numel, strides, Shape, Tensor};

use crate::backward::{sweep, Grads};
use crate::error::{Error, Result};
use crate::op::Op;
use crate::real::Real;
use crate::scalar::Var;
use crate::tape::{Input, NodeId, Tape};
use std::fmt;

/// A tensor value on a [`Tape`]: a `Copy` handle (tape, node).
///
/// Operators (`+ - * /`) broadcast like NumPy and accept tensors, scalars
/// ([`Var`]) and `f64` constants on either side. Each method that can fail on
/// shapes panics with a message naming the op and both shapes, and has a
/// `try_` twin that returns [`Error`] instead.
///
/// ```
/// use autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let x = tape.tensor_constant(Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap());
/// let w = tape.tensor(Tensor::from_vec(&[2, 1], vec![0.5, -0.5]).unwrap());
/// let b = tape.tensor(Tensor::from_vec(&[1], vec![0.1]).unwrap());
/// let y = (x.matmul(w) + b).sigmoid();        // [2, 1]
/// let loss = (y - 1.0).powi(2).mean();        // a scalar Var on the same tape
/// let g = loss.backward();
/// assert_eq!(g[w].shape(), &[2, 1]);
/// assert_eq!(g[b].shape(), &[1]);
/// ```
#[derive(Clone, Copy)]
pub struct TensorVar<'t, E: Real = f64> {
    tape: &'t Tape<E>,
    node: NodeId,
    rec: u32,
}

impl<E: Real> fmt::Debug for TensorVar<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TensorVar(#{} {:?})", self.node, self.value())
    }
}

/// The identity of a [`TensorVar`] on one recording of its tape (see
/// [`TensorVar::key`]): plain data, valid until the tape is cleared.
///
/// ```
/// use autograd::{ForeignKey, Tape, Tensor};
/// let mut tape = Tape::new();
/// let (key, g) = {
///     let w = tape.tensor(Tensor::from_vec(&[2], vec![1.0, 2.0]).unwrap());
///     let key = w.key();
///     let g = (w * w).sum().backward();
///     assert_eq!(key.on(&tape).map(|v| v.value()), Some(w.value()));
///     assert!(key.on(&Tape::new()).is_none());
///     (key, g)
/// };
/// tape.clear(); // the gradients outlive the recording, and so does the key
/// assert_eq!(g.get(key).unwrap().unwrap().data(), &[2.0, 4.0]);
/// assert!(key.on(&tape).is_none());
/// let w2 = tape.tensor(Tensor::from_vec(&[1], vec![3.0]).unwrap());
/// assert_eq!(g.get(w2.key()), Err(ForeignKey));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TensorKey {
    tape: u64,
    node: NodeId,
    rec: u32,
}

impl TensorKey {
    /// The value again, if `tape` is the tape (and the recording, not
    /// cleared since) the key was taken on.
    pub fn on<E: Real>(self, tape: &Tape<E>) -> Option<TensorVar<'_, E>> {
        (tape.id() == self.tape).then(|| TensorVar::new(tape, self.node, self.rec))
    }

    pub(crate) fn tape_id(self) -> u64 {
        self.tape
    }

    pub(crate) fn rec(self) -> u32 {
        self.rec
    }
}

/// Unwraps a result or panics with the error's message at the caller's line.
#[track_caller]
#[inline]
pub(crate) fn ok<T>(r: Result<T>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    pub(crate) fn new(tape: &'t Tape<E>, node: NodeId, rec: u32) -> Self {
        TensorVar { tape, node, rec }
    }

    pub(crate) fn rec(self) -> u32 {
        self.rec
    }

    pub(crate) fn node(self) -> NodeId {
        self.node
    }

    /// The tape this value lives on.
    pub fn tape(self) -> &'t Tape<E> {
        self.tape
    }

    /// This value's identity on its tape, without the tape's borrow: a
    /// model keeps the keys of its bound parameters between its forward
    /// pass and the optimizer's step, which looks their gradients up with
    /// [`Grads::get`].
    pub fn key(self) -> TensorKey {
        TensorKey {
            tape: self.tape.id(),
            node: self.node,
            rec: self.rec,
        }
    }

    /// The value (shares storage; no copy).
    pub fn value(self) -> Tensor<E> {
        self.tape.inner.borrow().records[self.rec as usize]
            .value
            .clone()
    }

    /// The shape.
    pub fn shape(self) -> Shape {
        shape_of(
            self.tape.inner.borrow().records[self.rec as usize]
                .value
                .shape(),
        )
    }

    /// The number of axes.
    pub fn ndim(self) -> usize {
        self.tape.inner.borrow().records[self.rec as usize]
            .value
            .ndim()
    }

    /// The number of elements.
    pub fn len(self) -> usize {
        self.tape.inner.borrow().records[self.rec as usize]
            .value
            .len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether gradients do not flow through this value (a constant, or
    /// computed from constants only, or inside `no_grad`).
    pub fn is_constant(self) -> bool {
        !self.tape.inner.borrow().records[self.rec as usize].tracked
    }

    /// The same value as a constant: gradients stop here.
    pub fn detach(self) -> Self {
        self.tape.tensor_constant(self.value())
    }

    #[track_caller]
    #[inline]
    pub(crate) fn check_tape(self, tape: &Tape<E>, op: &str) {
        if !std::ptr::eq(self.tape, tape) {
            crate::scalar::mixed_tapes(op);
        }
    }

    /// Records `op` applied to `self` alone.
    #[track_caller]
    pub(crate) fn apply1(self, op: impl Op<E>) -> Result<Self> {
        self.tape.apply(op, &[Input::Tensor(self)])
    }

    /// Records `op` applied to `self` and `rhs`.
    #[track_caller]
    pub(crate) fn apply2(self, op: impl Op<E>, rhs: Self) -> Result<Self> {
        self.tape
            .apply(op, &[Input::Tensor(self), Input::Tensor(rhs)])
    }

    /// This one-element tensor as a scalar [`Var`] on the same tape.
    ///
    /// # Panics
    /// If the tensor does not have exactly one element.
    #[track_caller]
    pub fn to_var(self) -> Var<'t, E> {
        let v = self.value();
        if v.len() != 1 {
            panic!(
                "to_var: expected a tensor with one element, found shape {:?}",
                v.shape()
            );
        }
        if self.is_constant() {
            Var::constant(self.tape, v.data()[0])
        } else {
            Var::new(self.tape, self.node, v.data()[0])
        }
    }

    /// Gradients of a one-element tensor with respect to everything on the tape.
    ///
    /// # Errors
    /// [`Error::NotScalar`] if the tensor has more than one element: reduce it
    /// first, or give a seed gradient with [`TensorVar::backward_with`].
    pub fn backward(self) -> Result<Grads<E>> {
        let v = self.value();
        if v.len() != 1 {
            return Err(Error::NotScalar {
                shape: v.shape().to_vec(),
            });
        }
        let mut g = Grads::empty();
        sweep(
            self.tape,
            self.node,
            Some(Tensor::ones(v.shape())),
            E::one(),
            &mut g,
            None,
        );
        Ok(g)
    }

    /// Gradients given ∂loss/∂self = `seed` (a vector–Jacobian product).
    ///
    /// # Errors
    /// [`Error::Shape`] if `seed` is not shaped like this tensor.
    pub fn backward_with(self, seed: Tensor<E>) -> Result<Grads<E>> {
        let v = self.value();
        if seed.shape() != v.shape() {
            return Err(Error::shape(
                "backward_with",
                &[v.shape(), seed.shape()],
                "the seed gradient must have the output's shape",
            ));
        }
        let mut g = Grads::empty();
        let node = if self.is_constant() {
            crate::tape::CONST
        } else {
            self.node
        };
        sweep(self.tape, node, Some(seed), E::one(), &mut g, None);
        Ok(g)
    }
}

impl<'t, E: Real> Tape<E> {
    /// A tensor variable from a shape and `f64` data.
    ///
    /// # Errors
    /// [`Error::DataLength`] if the data length is not the shape's product.
    pub fn tensor_from(&self, shape: &[usize], data: &[f64]) -> Result<TensorVar<'_, E>> {
        Ok(self.tensor(Tensor::from_f64(shape, data)?))
    }

    /// Stacks scalars into a 1-D tensor on the tape (gradients flow back to
    /// each scalar).
    ///
    /// # Errors
    /// [`Error::Empty`] if `xs` is empty.
    pub fn stack(&'t self, xs: &[Var<'t, E>]) -> Result<TensorVar<'t, E>> {
        if xs.is_empty() {
            return Err(Error::Empty {
                op: "stack",
                shape: vec![0],
            });
        }
        let inputs: Vec<Input<'t, E>> = xs.iter().map(|&v| Input::Scalar(v)).collect();
        self.apply(crate::ops::shape::Stack, &inputs)
    }
}

impl<'t, E: Real> Var<'t, E> {
    /// This scalar as a 0-dimensional tensor on the same tape.
    pub fn to_tensor(self) -> TensorVar<'t, E> {
        ok(self
            .tape()
            .apply(crate::ops::shape::Identity, &[Input::Scalar(self)]))
    }
}
