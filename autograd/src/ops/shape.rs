//! Ops that move data without arithmetic: identity, stack, reshape,
//! broadcast, transpose; with the broadcasting rule ([`broadcast_shape`])
//! and the plain-tensor kernels [`Tensor::broadcast_to`] and
//! [`Tensor::transpose`].

use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{numel, ok, shape_of, strides, Shape, Tensor, TensorVar};
use smallvec::SmallVec;

/// The shape two shapes broadcast to under NumPy's rules, or a shape error for `op`.
///
/// Shapes are aligned on their last axis; each pair of sizes must be equal or
/// one of them must be 1.
///
/// ```
/// use autograd::broadcast_shape;
/// assert_eq!(broadcast_shape("add", &[4, 1, 3], &[2, 1]).unwrap().as_slice(), &[4, 2, 3]);
/// assert!(broadcast_shape("add", &[2, 3], &[4]).is_err());
/// ```
pub fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::with_capacity(n);
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        let d = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::shape(
                op,
                &[a, b],
                format!(
                    "shapes must be equal or broadcastable (axis {i} from the left has sizes {da} and {db})"
                ),
            ));
        };
        out.push(d);
    }
    Ok(out)
}

impl<E: Real> Tensor<E> {
    /// Repeats this tensor along size-1 (or missing leading) axes to `shape`.
    ///
    /// # Errors
    /// [`Error::Shape`] if this shape does not broadcast to `shape`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Self> {
        let target = broadcast_shape("broadcast_to", self.shape(), shape)?;
        if target.as_slice() != shape {
            return Err(Error::shape(
                "broadcast_to",
                &[self.shape(), shape],
                "the tensor must broadcast to exactly the target shape",
            ));
        }
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let n = shape.len();
        let pad = n - self.ndim();
        let src_strides = strides(self.shape());
        // stride 0 on broadcast axes
        let mut bstride: Shape = SmallVec::from_elem(0, n);
        for ax in 0..self.ndim() {
            if self.shape()[ax] != 1 {
                bstride[ax + pad] = src_strides[ax];
            }
        }
        let total = numel(shape);
        let mut idx: Shape = SmallVec::from_elem(0, n);
        Ok(Self::build(shape_of(shape), |out| {
            // fast path: broadcasting a row over leading axes
            let inner = shape[n - 1];
            if n >= 1 && bstride[n - 1] == 1 && inner > 0 {
                let outer = total / inner;
                for _ in 0..outer {
                    let off: usize = (0..n - 1).map(|a| idx[a] * bstride[a]).sum();
                    out.extend_from_slice(&self.data()[off..off + inner]);
                    for ax in (0..n - 1).rev() {
                        idx[ax] += 1;
                        if idx[ax] < shape[ax] {
                            break;
                        }
                        idx[ax] = 0;
                    }
                }
            } else {
                for _ in 0..total {
                    let off: usize = (0..n).map(|a| idx[a] * bstride[a]).sum();
                    out.push(self.data()[off]);
                    for ax in (0..n).rev() {
                        idx[ax] += 1;
                        if idx[ax] < shape[ax] {
                            break;
                        }
                        idx[ax] = 0;
                    }
                }
            }
        }))
    }

    /// The transpose of a 2-D tensor.
    ///
    /// # Errors
    /// [`Error::Shape`] if the tensor is not 2-D.
    pub fn transpose(&self) -> Result<Self> {
        if self.ndim() != 2 {
            return Err(Error::shape(
                "transpose",
                &[self.shape()],
                "expected a 2-D tensor",
            ));
        }
        let (r, c) = (self.shape()[0], self.shape()[1]);
        Ok(Self::build(shape_of(&[c, r]), |out| {
            for j in 0..c {
                for i in 0..r {
                    out.push(self.data()[i * c + j]);
                }
            }
        }))
    }
}

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
