//! Reductions: sums and means over everything (giving a scalar [`Var`] on
//! the same tape) or along one axis.

use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::scalar::Var;
use crate::tensor::{ok, shape_of, strides, Shape, Tensor, TensorVar};
use smallvec::SmallVec;

impl<E: Real> Tensor<E> {
    /// Sum of all elements.
    pub fn sum_all(&self) -> E {
        self.data().iter().copied().sum()
    }

    /// Sums this tensor down to `shape`, the inverse of broadcasting: the
    /// gradient of [`Tensor::broadcast_to`].
    ///
    /// # Errors
    /// [`Error::Shape`] if `shape` does not broadcast to this tensor's shape.
    pub fn sum_to(&self, shape: &[usize]) -> Result<Self> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let n = self.ndim();
        if shape.len() > n {
            return Err(Error::shape(
                "sum_to",
                &[self.shape(), shape],
                "the target must have no more axes than the tensor",
            ));
        }
        let pad = n - shape.len();
        for ax in 0..shape.len() {
            if shape[ax] != 1 && shape[ax] != self.shape()[ax + pad] {
                return Err(Error::shape(
                    "sum_to",
                    &[self.shape(), shape],
                    "the target shape must broadcast to the tensor's shape",
                ));
            }
        }
        let mut tstride: Shape = SmallVec::from_elem(0, n);
        let ts = strides(shape);
        for ax in 0..shape.len() {
            if shape[ax] != 1 {
                tstride[ax + pad] = ts[ax];
            }
        }
        let mut out = Self::zeros(shape);
        let buf = out.data_mut();
        let inner = self.shape()[n - 1];
        let mut idx: Shape = SmallVec::from_elem(0, n);
        if let Some(outer) = self.len().checked_div(inner) {
            let last_stride = tstride[n - 1];
            for o in 0..outer {
                let off: usize = (0..n - 1).map(|a| idx[a] * tstride[a]).sum();
                let row = &self.data()[o * inner..(o + 1) * inner];
                if last_stride == 1 {
                    for (dst, &x) in buf[off..off + inner].iter_mut().zip(row) {
                        *dst += x;
                    }
                } else {
                    let s: E = row.iter().copied().sum();
                    buf[off] += s;
                }
                for ax in (0..n - 1).rev() {
                    idx[ax] += 1;
                    if idx[ax] < self.shape()[ax] {
                        break;
                    }
                    idx[ax] = 0;
                }
            }
        }
        Ok(out)
    }

    /// Sums along one axis; the axis is kept with size 1 if `keepdim`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis >= ndim`.
    pub fn sum_axis(&self, axis: usize, keepdim: bool) -> Result<Self> {
        if axis >= self.ndim() {
            return Err(Error::OutOfRange {
                op: "sum_axis",
                what: format!(
                    "axis {axis} is out of range for shape {:?} ({} axes)",
                    self.shape(),
                    self.ndim()
                ),
            });
        }
        let mut kept: Shape = shape_of(self.shape());
        kept[axis] = 1;
        let out = self.sum_to(&kept)?;
        if !keepdim {
            kept.remove(axis);
            return Ok(out.with_shape(kept));
        }
        Ok(out)
    }
}

/// y = Σ x · scale, a 0-d tensor. ∂/∂x = scale everywhere.
struct SumAll {
    scale: f64,
}

impl<E: Real> Op<E> for SumAll {
    fn name(&self) -> &'static str {
        if self.scale == 1.0 {
            "sum"
        } else {
            "mean"
        }
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Ok(Tensor::scalar(xs[0].sum_all() * E::from_f64(self.scale)))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let g = cx.grad().item() * E::from_f64(self.scale);
        cx.set_grad(0, Tensor::full(cx.input(0).shape(), g));
    }
}

/// Sum (times `scale`) along one axis.
struct SumAxis {
    axis: usize,
    keepdim: bool,
    scale: f64,
}

impl<E: Real> Op<E> for SumAxis {
    fn name(&self) -> &'static str {
        if self.scale == 1.0 {
            "sum_axis"
        } else {
            "mean_axis"
        }
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let s = xs[0].sum_axis(self.axis, self.keepdim)?;
        Ok(if self.scale == 1.0 {
            s
        } else {
            s.scale(E::from_f64(self.scale))
        })
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let x = cx.input(0);
        let mut kept = x.shape().to_vec();
        kept[self.axis] = 1;
        let g = ok(cx.grad().reshape(&kept));
        let g = if self.scale == 1.0 {
            g
        } else {
            g.scale(E::from_f64(self.scale))
        };
        cx.set_grad(0, ok(g.broadcast_to(x.shape())));
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// The sum of all elements, as a scalar on the same tape.
    pub fn sum(self) -> Var<'t, E> {
        ok(self.apply1(SumAll { scale: 1.0 })).to_var()
    }

    /// The mean of all elements, as a scalar on the same tape.
    ///
    /// # Panics
    /// If the tensor is empty.
    #[track_caller]
    pub fn mean(self) -> Var<'t, E> {
        ok(self.try_mean())
    }

    /// The mean of all elements.
    ///
    /// # Errors
    /// [`crate::Error::Empty`] if the tensor has no elements.
    pub fn try_mean(self) -> Result<Var<'t, E>> {
        let n = self.len();
        if n == 0 {
            return Err(crate::Error::Empty {
                op: "mean",
                shape: self.shape().to_vec(),
            });
        }
        Ok(self
            .apply1(SumAll {
                scale: 1.0 / n as f64,
            })?
            .to_var())
    }

    /// Sums along `axis`, keeping it with size 1 if `keepdim`.
    ///
    /// # Errors
    /// [`crate::Error::OutOfRange`] if `axis` is not an axis of the tensor.
    pub fn try_sum_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.apply1(SumAxis {
            axis,
            keepdim,
            scale: 1.0,
        })
    }

    /// Sums along `axis`, keeping it with size 1 if `keepdim`.
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor.
    #[track_caller]
    pub fn sum_axis(self, axis: usize, keepdim: bool) -> Self {
        ok(self.try_sum_axis(axis, keepdim))
    }

    /// Means along `axis`, keeping it with size 1 if `keepdim`.
    ///
    /// # Errors
    /// [`crate::Error::OutOfRange`] if `axis` is not an axis of the tensor,
    /// [`crate::Error::Empty`] if that axis has size 0.
    pub fn try_mean_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        let shape = self.shape();
        let n = *shape.get(axis).ok_or_else(|| crate::Error::OutOfRange {
            op: "mean_axis",
            what: format!(
                "axis {axis} is out of range for shape {:?} ({} axes)",
                shape.as_slice(),
                shape.len()
            ),
        })?;
        if n == 0 {
            return Err(crate::Error::Empty {
                op: "mean_axis",
                shape: shape.to_vec(),
            });
        }
        self.apply1(SumAxis {
            axis,
            keepdim,
            scale: 1.0 / n as f64,
        })
    }

    /// Means along `axis`, keeping it with size 1 if `keepdim`.
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or has size 0.
    #[track_caller]
    pub fn mean_axis(self, axis: usize, keepdim: bool) -> Self {
        ok(self.try_mean_axis(axis, keepdim))
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn broadcast_and_sum_to_are_inverse_in_shape() {
        let b = Tensor::<f64>::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let big = b.broadcast_to(&[2, 3]).unwrap();
        assert_eq!(big.data(), &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        let back = big.sum_to(&[3]).unwrap();
        assert_eq!(back.data(), &[2.0, 4.0, 6.0]);
        let col = Tensor::<f64>::from_vec(&[2, 1], vec![1.0, 2.0]).unwrap();
        let big = col.broadcast_to(&[2, 3]).unwrap();
        assert_eq!(big.data(), &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        assert_eq!(big.sum_to(&[2, 1]).unwrap().data(), &[3.0, 6.0]);
        assert_eq!(big.sum_to(&[]).unwrap().data(), &[9.0]);
    }
}
