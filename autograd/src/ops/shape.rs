//! Ops that move data without arithmetic: identity, stack, reshape,
//! broadcast, transpose.

use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{numel, ok, Tensor, TensorVar};

/// y = x (used to turn a scalar into a 0-d tensor).
pub(crate) struct Identity;

impl<E: Real> Op<E> for Identity {
    fn name(&self) -> &'static str {
        "identity"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Ok(xs[0].clone())
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, cx.grad().clone());
    }
}

/// y = [x0, x1, ...] from 0-d inputs.
pub(crate) struct Stack;

impl<E: Real> Op<E> for Stack {
    fn name(&self) -> &'static str {
        "stack"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Tensor::from_vec(&[xs.len()], xs.iter().map(|t| t.item()).collect())
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        for (i, &g) in cx.grad().data().iter().enumerate() {
            cx.set_grad(i, Tensor::scalar(g));
        }
    }
}

struct Reshape(Vec<usize>);

impl<E: Real> Op<E> for Reshape {
    fn name(&self) -> &'static str {
        "reshape"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].reshape(&self.0)
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, ok(cx.grad().reshape(cx.input(0).shape())));
    }
}

struct BroadcastTo(Vec<usize>);

impl<E: Real> Op<E> for BroadcastTo {
    fn name(&self) -> &'static str {
        "broadcast_to"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].broadcast_to(&self.0)
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, ok(cx.grad().sum_to(cx.input(0).shape())));
    }
}

struct Transpose;

impl<E: Real> Op<E> for Transpose {
    fn name(&self) -> &'static str {
        "transpose"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].transpose()
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, ok(cx.grad().transpose()));
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// The same elements under a new shape with the same number of elements.
    /// One axis may be given as `usize::MAX` to be inferred.
    ///
    /// # Errors
    /// [`Error::Shape`] if the element counts differ.
    pub fn try_reshape(self, shape: &[usize]) -> Result<Self> {
        let mut shape = shape.to_vec();
        if let Some(pos) = shape.iter().position(|&d| d == usize::MAX) {
            let known: usize = shape.iter().filter(|&&d| d != usize::MAX).product();
            if known == 0 || !self.len().is_multiple_of(known) {
                return Err(Error::shape(
                    "reshape",
                    &[&self.shape(), &shape],
                    "the inferred axis must divide the element count",
                ));
            }
            shape[pos] = self.len() / known;
        }
        if numel(&shape) != self.len() {
            return Err(Error::shape(
                "reshape",
                &[&self.shape(), &shape],
                format!(
                    "the new shape must have the same number of elements ({})",
                    self.len()
                ),
            ));
        }
        self.apply1(Reshape(shape))
    }

    /// See [`TensorVar::try_reshape`].
    ///
    /// # Panics
    /// If the element counts differ (the message gives both shapes).
    #[track_caller]
    pub fn reshape(self, shape: &[usize]) -> Self {
        ok(self.try_reshape(shape))
    }

    /// Repeats the tensor along size-1 (or missing leading) axes to `shape`.
    /// Its backward sums the gradient back to this tensor's shape.
    ///
    /// # Errors
    /// [`Error::Shape`] if this shape does not broadcast to `shape`.
    pub fn try_broadcast_to(self, shape: &[usize]) -> Result<Self> {
        self.apply1(BroadcastTo(shape.to_vec()))
    }

    /// See [`TensorVar::try_broadcast_to`].
    ///
    /// # Panics
    /// If this shape does not broadcast to `shape`.
    #[track_caller]
    pub fn broadcast_to(self, shape: &[usize]) -> Self {
        ok(self.try_broadcast_to(shape))
    }

    /// The transpose of a 2-D tensor.
    ///
    /// # Errors
    /// [`Error::Shape`] if the tensor is not 2-D.
    pub fn try_t(self) -> Result<Self> {
        self.apply1(Transpose)
    }

    /// The transpose of a 2-D tensor.
    ///
    /// # Panics
    /// If the tensor is not 2-D.
    #[track_caller]
    pub fn t(self) -> Self {
        ok(self.try_t())
    }
}
