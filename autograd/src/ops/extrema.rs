//! Maximum and minimum reductions (along an axis or over everything) and
//! [`Tensor::argmax_rows`].
//!
//! The gradient of a max (min) along an axis goes to one element of each
//! lane: the first arg-max (arg-min), as with PyTorch's `max(dim)`. The
//! gradient of a max (min) of all elements is spread evenly over the
//! elements equal to it, as with PyTorch's `max()`. A NaN counts
//! as the extreme, so a NaN in the input shows in the output instead of
//! being skipped.

use super::axis::{check_axis, lane_starts, lanes};
use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::scalar::Var;
use crate::tensor::{ok, shape_of, Tensor, TensorVar};

/// Which extreme a reduction looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Extreme {
    Max,
    Min,
}

impl Extreme {
    /// The position of the first extreme value (the first NaN if any), or
    /// `None` for no values.
    fn arg<E: Real>(self, values: impl Iterator<Item = E>) -> Option<usize> {
        let mut best: Option<(usize, E)> = None;
        for (i, x) in values.enumerate() {
            let Some((_, b)) = best else {
                best = Some((i, x));
                continue;
            };
            #[allow(clippy::eq_op)]
            let (x_nan, b_nan) = (x != x, b != b);
            let better = match self {
                Extreme::Max => x > b,
                Extreme::Min => x < b,
            };
            if (better || x_nan) && !b_nan {
                best = Some((i, x));
            }
        }
        best.map(|(i, _)| i)
    }

    /// For each lane along `axis`: (offset of the lane's first element,
    /// offset of its extreme element).
    fn lane_args<E: Real>(self, x: &Tensor<E>, axis: usize) -> Vec<(usize, usize)> {
        let (outer, n, inner) = lanes(x.shape(), axis);
        let data = x.data();
        lane_starts(outer, n, inner)
            .map(|start| {
                let k = self
                    .arg((0..n).map(|k| data[start + k * inner]))
                    .expect("lanes are not empty");
                (start, start + k * inner)
            })
            .collect()
    }
}

/// Max or min along one axis. ∂/∂x is dy at the first extreme of each lane.
struct ExtremeAxis {
    kind: Extreme,
    axis: usize,
    keepdim: bool,
}

impl<E: Real> Op<E> for ExtremeAxis {
    fn name(&self) -> &'static str {
        match self.kind {
            Extreme::Max => "max_axis",
            Extreme::Min => "min_axis",
        }
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let x = xs[0];
        let name = <Self as Op<E>>::name(self);
        check_axis(name, x.shape(), self.axis)?;
        if x.shape()[self.axis] == 0 {
            return Err(Error::Empty {
                op: name,
                shape: x.shape().to_vec(),
            });
        }
        let mut shape = shape_of(x.shape());
        if self.keepdim {
            shape[self.axis] = 1;
        } else {
            shape.remove(self.axis);
        }
        let data = x.data();
        let out = self
            .kind
            .lane_args(x, self.axis)
            .into_iter()
            .map(|(_, j)| data[j])
            .collect();
        Ok(Tensor::from_parts(shape, out))
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let x = cx.input(0);
        let mut dx = Tensor::zeros(x.shape());
        let d = dx.data_mut();
        let args = self.kind.lane_args(x, self.axis);
        for ((_, j), &g) in args.into_iter().zip(cx.grad().data()) {
            d[j] = g;
        }
        cx.set_grad(0, dx);
    }
}

/// Max or min of all elements, as a 0-d tensor. ∂/∂x is dy / k at each of
/// the k elements equal to the extreme.
struct ExtremeAll(Extreme);

impl<E: Real> Op<E> for ExtremeAll {
    fn name(&self) -> &'static str {
        match self.0 {
            Extreme::Max => "max_all",
            Extreme::Min => "min_all",
        }
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let x = xs[0];
        match self.0.arg(x.data().iter().copied()) {
            Some(j) => Ok(Tensor::scalar(x.data()[j])),
            None => Err(Error::Empty {
                op: <Self as Op<E>>::name(self),
                shape: x.shape().to_vec(),
            }),
        }
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        // evenly over every element equal to the extreme (PyTorch's
        // `max()`/`min()` without a dimension); a NaN extreme equals nothing,
        // so it gets all of the gradient
        let x = cx.input(0);
        let j = self
            .0
            .arg(x.data().iter().copied())
            .expect("forward rejected empty tensors");
        let (m, g) = (x.data()[j], cx.grad().item());
        let mut dx = Tensor::zeros(x.shape());
        let ties = x.data().iter().filter(|&&v| v == m).count();
        if ties == 0 {
            dx.data_mut()[j] = g;
        } else {
            let share = g / E::from_f64(ties as f64);
            for (d, &v) in dx.data_mut().iter_mut().zip(x.data()) {
                if v == m {
                    *d = share;
                }
            }
        }
        cx.set_grad(0, dx);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// The maximum along `axis`, keeping it with size 1 if `keepdim`. The
    /// gradient goes to the first maximal element of each lane.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis` is not an axis of the tensor;
    /// [`Error::Empty`] if that axis has size 0 (there is no maximum).
    pub fn try_max_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.apply1(ExtremeAxis {
            kind: Extreme::Max,
            axis,
            keepdim,
        })
    }

    /// The maximum along `axis` (see [`TensorVar::try_max_axis`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2, 3], vec![1.0, 5.0, 5.0, 4.0, 2.0, 6.0]).unwrap());
    /// let m = x.max_axis(1, false);
    /// assert_eq!(m.value().data(), &[5.0, 6.0]);
    /// let g = m.sum().backward();
    /// assert_eq!(g[x].data(), &[0.0, 1.0, 0.0, 0.0, 0.0, 1.0]); // first of the tied 5s
    /// ```
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or has size 0.
    #[track_caller]
    pub fn max_axis(self, axis: usize, keepdim: bool) -> Self {
        ok(self.try_max_axis(axis, keepdim))
    }

    /// The minimum along `axis`, keeping it with size 1 if `keepdim`. The
    /// gradient goes to the first minimal element of each lane.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis` is not an axis of the tensor;
    /// [`Error::Empty`] if that axis has size 0 (there is no minimum).
    pub fn try_min_axis(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.apply1(ExtremeAxis {
            kind: Extreme::Min,
            axis,
            keepdim,
        })
    }

    /// The minimum along `axis` (see [`TensorVar::try_min_axis`]).
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor or has size 0.
    #[track_caller]
    pub fn min_axis(self, axis: usize, keepdim: bool) -> Self {
        ok(self.try_min_axis(axis, keepdim))
    }

    /// The largest element, as a scalar on the same tape; the gradient is
    /// spread evenly over the elements equal to it (as PyTorch's `max()`).
    ///
    /// # Errors
    /// [`Error::Empty`] if the tensor has no elements.
    pub fn try_max_all(self) -> Result<Var<'t, E>> {
        Ok(self.apply1(ExtremeAll(Extreme::Max))?.to_var())
    }

    /// The largest element (see [`TensorVar::try_max_all`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[3], vec![0.5, -2.0, 0.25]).unwrap());
    /// let m = x.max_all();
    /// assert_eq!(m.value(), 0.5);
    /// assert_eq!(m.backward()[x].data(), &[1.0, 0.0, 0.0]);
    /// ```
    ///
    /// # Panics
    /// If the tensor has no elements.
    #[track_caller]
    pub fn max_all(self) -> Var<'t, E> {
        ok(self.try_max_all())
    }

    /// The smallest element, as a scalar on the same tape; the gradient is
    /// spread evenly over the elements equal to it (as PyTorch's `min()`).
    ///
    /// # Errors
    /// [`Error::Empty`] if the tensor has no elements.
    pub fn try_min_all(self) -> Result<Var<'t, E>> {
        Ok(self.apply1(ExtremeAll(Extreme::Min))?.to_var())
    }

    /// The smallest element (see [`TensorVar::try_min_all`]).
    ///
    /// # Panics
    /// If the tensor has no elements.
    #[track_caller]
    pub fn min_all(self) -> Var<'t, E> {
        ok(self.try_min_all())
    }
}

impl<E: Real> Tensor<E> {
    /// The column of the largest element of each row of a 2-D tensor (the
    /// first one on ties): the predicted class of each sample.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let scores = Tensor::from_vec(&[3, 3], vec![0.1, 0.7, 0.2, 0.5, 0.5, 0.0, -1.0, -3.0, -0.5]).unwrap();
    /// assert_eq!(scores.argmax_rows().unwrap(), vec![1, 0, 2]);
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] if the tensor is not 2-D; [`Error::Empty`] if it has
    /// rows but no columns.
    pub fn argmax_rows(&self) -> Result<Vec<usize>> {
        if self.ndim() != 2 {
            return Err(Error::shape(
                "argmax_rows",
                &[self.shape()],
                "expected a 2-D tensor [rows, columns]",
            ));
        }
        let (n, c) = (self.shape()[0], self.shape()[1]);
        if c == 0 && n > 0 {
            return Err(Error::Empty {
                op: "argmax_rows",
                shape: self.shape().to_vec(),
            });
        }
        let data = self.data();
        Ok((0..n)
            .map(|i| {
                Extreme::Max
                    .arg(data[i * c..(i + 1) * c].iter().copied())
                    .expect("rows are not empty")
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, Error, Tape, Tensor, TensorVar};

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn values_along_axes_and_overall() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[2, 3], &[1.0, 5.0, 3.0, 4.0, 2.0, 6.0]));
        assert_eq!(x.max_axis(1, false).value().data(), &[5.0, 6.0]);
        assert_eq!(x.min_axis(1, false).value().data(), &[1.0, 2.0]);
        assert_eq!(x.max_axis(0, false).value().data(), &[4.0, 5.0, 6.0]);
        assert_eq!(x.min_axis(0, false).value().data(), &[1.0, 2.0, 3.0]);
        let k = x.max_axis(1, true);
        assert_eq!(k.shape().as_slice(), &[2, 1]);
        assert_eq!(x.min_axis(0, true).shape().as_slice(), &[1, 3]);
        assert_eq!(x.max_all().value(), 6.0);
        assert_eq!(x.min_all().value(), 1.0);
        // a 3-D tensor along its middle axis: x[o, k, i] = 10·o + (k − 1)²·(i + 1)
        let x3 = tape.tensor(Tensor::from_fn(&[2, 3, 2], |j| {
            (10 * j[0]) as f64 + ((j[1] as f64 - 1.0).powi(2)) * (j[2] + 1) as f64
        }));
        assert_eq!(
            x3.max_axis(1, false).value().data(),
            &[1.0, 2.0, 11.0, 12.0]
        );
        assert_eq!(
            x3.min_axis(1, false).value().data(),
            &[0.0, 0.0, 10.0, 10.0]
        );
    }

    #[test]
    fn gradient_goes_to_the_first_extreme_of_a_lane() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[2, 3], &[2.0, 2.0, 1.0, 0.0, 3.0, 0.0]));
        let w = tape.tensor_constant(t(&[2], &[10.0, 20.0]));
        let g = (x.max_axis(1, false) * w).sum().backward();
        assert_eq!(g[x].data(), &[10.0, 0.0, 0.0, 0.0, 20.0, 0.0]);
        let g = (x.min_axis(1, false) * w).sum().backward();
        assert_eq!(g[x].data(), &[0.0, 0.0, 10.0, 20.0, 0.0, 0.0]);
        // columns [2, 0], [2, 3], [1, 0]
        let g = x.min_axis(0, true).sum().backward();
        assert_eq!(g[x].data(), &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
        let g = (x.max_all() * 3.0).backward();
        assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 0.0, 3.0, 0.0]);
        // the whole tensor's min: the two tied 0s share the gradient
        let g = x.min_all().backward();
        assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 0.5, 0.0, 0.5]);
    }

    #[test]
    fn gradients_match_central_differences() {
        // all elements distinct and well apart, so no kink is within h
        let x = t(
            &[3, 4],
            &[
                0.2, -0.5, 1.1, 0.4, -1.3, 0.7, 0.1, 0.9, 0.6, -0.2, 0.3, -0.8,
            ],
        );
        for axis in 0..2 {
            for keepdim in [false, true] {
                check_tensor_grad(
                    |p: &[TensorVar]| p[0].max_axis(axis, keepdim).powi(2).sum(),
                    std::slice::from_ref(&x),
                )
                .assert_passed();
                check_tensor_grad(
                    |p: &[TensorVar]| p[0].min_axis(axis, keepdim).sin().sum(),
                    std::slice::from_ref(&x),
                )
                .assert_passed();
            }
        }
        check_tensor_grad(
            |p: &[TensorVar]| p[0].max_all() * p[0].min_all(),
            std::slice::from_ref(&x),
        )
        .assert_passed();
        // a stable log-sum-exp written by hand: m + ln Σ e^(x − m)
        check_tensor_grad(
            |p: &[TensorVar]| {
                let m = p[0].max_axis(1, true);
                (m + (p[0] - m).exp().sum_axis(1, true).ln()).sum()
            },
            &[x],
        )
        .assert_passed();
    }

    #[test]
    fn nan_propagates() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[3], &[1.0, f64::NAN, 3.0]));
        assert!(x.max_all().value().is_nan());
        assert!(x.min_all().value().is_nan());
        assert!(x.max_axis(0, false).value().data()[0].is_nan());
        let y = Tensor::from_vec(&[1, 3], vec![1.0, f64::NAN, 3.0]).unwrap();
        assert_eq!(y.argmax_rows().unwrap(), vec![1]);
    }

    #[test]
    fn errors_name_the_op_and_shape() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::zeros(&[2, 3]));
        let err = x.try_max_axis(2, false).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { op: "max_axis", .. }));
        assert_eq!(
            err.to_string(),
            "max_axis: axis 2 is out of range for shape [2, 3] (2 axes)"
        );
        let e = tape.tensor(Tensor::zeros(&[2, 0]));
        let err = e.try_min_axis(1, true).unwrap_err();
        assert_eq!(
            err,
            Error::Empty {
                op: "min_axis",
                shape: vec![2, 0]
            }
        );
        assert_eq!(
            err.to_string(),
            "min_axis: expected a non-empty tensor, found shape [2, 0]"
        );
        // reducing a non-empty axis of an empty tensor is fine (NumPy agrees)
        assert_eq!(e.max_axis(0, false).shape().as_slice(), &[0]);
        assert_eq!(
            e.try_max_all().unwrap_err().to_string(),
            "max_all: expected a non-empty tensor, found shape [2, 0]"
        );
        assert_eq!(
            e.try_min_all().unwrap_err().to_string(),
            "min_all: expected a non-empty tensor, found shape [2, 0]"
        );
    }

    #[test]
    #[should_panic(expected = "max_all: expected a non-empty tensor, found shape [0]")]
    fn max_all_panics_on_empty() {
        let tape = Tape::new();
        tape.tensor(Tensor::zeros(&[0])).max_all();
    }

    #[test]
    fn argmax_rows_values_and_errors() {
        let s = t(&[3, 3], &[0.1, 0.7, 0.2, 0.5, 0.5, 0.0, -1.0, -3.0, -0.5]);
        assert_eq!(s.argmax_rows().unwrap(), vec![1, 0, 2]);
        assert_eq!(
            Tensor::<f64>::zeros(&[0, 4]).argmax_rows().unwrap(),
            Vec::<usize>::new()
        );
        let err = Tensor::<f64>::zeros(&[4]).argmax_rows().unwrap_err();
        assert_eq!(
            err.to_string(),
            "argmax_rows: expected a 2-D tensor [rows, columns], found shapes [4]"
        );
        let err = Tensor::<f32>::zeros(&[2, 0]).argmax_rows().unwrap_err();
        assert!(matches!(
            err,
            Error::Empty {
                op: "argmax_rows",
                ..
            }
        ));
    }

    #[test]
    fn runs_on_f32() {
        let tape = Tape::<f32>::default();
        let x = tape.tensor(Tensor::from_f64(&[2, 2], &[0.5, -1.0, 2.0, 3.0]).unwrap());
        let m = x.max_axis(0, false);
        assert_eq!(m.value().data(), &[2.0f32, 3.0]);
        let g = (m.sum() + x.min_all()).backward();
        assert_eq!(g[x].data(), &[0.0f32, 1.0, 1.0, 1.0]);
    }
}
