//! Reductions: sums and means over everything (giving a scalar [`Var`] on
//! the same tape) or along one axis.

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::scalar::Var;
use crate::tensor::{ok, Tensor, TensorVar};

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
