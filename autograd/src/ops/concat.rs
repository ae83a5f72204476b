//! Joining tensors along an axis and taking a range of one axis: each is the
//! other's backward ([`TensorVar::concat`], [`TensorVar::slice`]).

use super::axis::{check_axis, lanes};
use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tape::Input;
use crate::tensor::{ok, shape_of, Tensor, TensorVar};

impl<E: Real> Tensor<E> {
    /// Joins tensors along `axis`; all shapes must be equal except along it.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let a = Tensor::from_vec(&[2, 1], vec![1.0, 2.0]).unwrap();
    /// let b = Tensor::from_vec(&[2, 2], vec![3.0, 4.0, 5.0, 6.0]).unwrap();
    /// let c = Tensor::concat(&[&a, &b], 1).unwrap();
    /// assert_eq!(c.shape(), &[2, 3]);
    /// assert_eq!(c.data(), &[1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
    /// ```
    ///
    /// # Errors
    /// [`Error::Empty`] for no tensors, [`Error::OutOfRange`] if `axis` is
    /// not an axis of the first tensor, [`Error::Shape`] (naming the first
    /// tensor's shape and the one that differs) if the shapes disagree off
    /// `axis`.
    pub fn concat(xs: &[&Tensor<E>], axis: usize) -> Result<Tensor<E>> {
        let Some(first) = xs.first() else {
            return Err(Error::Empty {
                op: "concat",
                shape: vec![0],
            });
        };
        check_axis("concat", first.shape(), axis)?;
        for (j, x) in xs.iter().enumerate().skip(1) {
            let agree = x.ndim() == first.ndim()
                && (0..x.ndim()).all(|a| a == axis || x.shape()[a] == first.shape()[a]);
            if !agree {
                return Err(Error::shape(
                    "concat",
                    &[first.shape(), x.shape()],
                    format!(
                        "all shapes must be equal except along axis {axis} (input 0 and input {j} differ)"
                    ),
                ));
            }
        }
        let mut shape = shape_of(first.shape());
        shape[axis] = xs.iter().map(|x| x.shape()[axis]).sum();
        let (outer, _, inner) = lanes(first.shape(), axis);
        let mut out = Vec::with_capacity(xs.iter().map(|x| x.len()).sum());
        for o in 0..outer {
            for x in xs {
                let block = x.shape()[axis] * inner;
                out.extend_from_slice(&x.data()[o * block..(o + 1) * block]);
            }
        }
        Ok(Tensor::from_parts(shape, out))
    }

    /// The elements `start..end` along `axis` (the other axes whole).
    ///
    /// ```
    /// use autograd::Tensor;
    /// let x = Tensor::from_vec(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    /// assert_eq!(x.slice(1, 1, 3).unwrap().data(), &[2.0, 3.0, 5.0, 6.0]);
    /// assert_eq!(x.slice(0, 1, 2).unwrap().data(), &[4.0, 5.0, 6.0]);
    /// ```
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis` is not an axis of the tensor, or
    /// unless `start <= end <= ` the axis size (the message names the axis
    /// and its size).
    pub fn slice(&self, axis: usize, start: usize, end: usize) -> Result<Tensor<E>> {
        check_slice(self.shape(), axis, start, end)?;
        let (outer, n, inner) = lanes(self.shape(), axis);
        let mut shape = shape_of(self.shape());
        shape[axis] = end - start;
        let mut out = Vec::with_capacity(outer * (end - start) * inner);
        for o in 0..outer {
            let base = o * n * inner;
            out.extend_from_slice(&self.data()[base + start * inner..base + end * inner]);
        }
        Ok(Tensor::from_parts(shape, out))
    }

    /// The inverse of [`Tensor::slice`]: a tensor of shape `shape`, zero
    /// except for `self` at `start..` along `axis` (the gradient of a slice).
    fn unslice(&self, shape: &[usize], axis: usize, start: usize) -> Tensor<E> {
        let (outer, n, inner) = lanes(shape, axis);
        let block = self.shape()[axis] * inner;
        let mut out = vec![E::zero(); outer * n * inner];
        for o in 0..outer {
            let at = o * n * inner + start * inner;
            out[at..at + block].copy_from_slice(&self.data()[o * block..(o + 1) * block]);
        }
        Tensor::from_parts(shape.into(), out)
    }
}

fn check_slice(shape: &[usize], axis: usize, start: usize, end: usize) -> Result<()> {
    check_axis("slice", shape, axis)?;
    let size = shape[axis];
    if start > end || end > size {
        return Err(Error::OutOfRange {
            op: "slice",
            what: format!(
                "range {start}..{end} is out of bounds for axis {axis} of size {size} (shape {shape:?}); \
                 expected start <= end <= {size}"
            ),
        });
    }
    Ok(())
}

/// y = [x0, x1, ...] joined along `axis`. ∂/∂xⱼ is the slice of dy that xⱼ filled.
struct Concat {
    axis: usize,
}

impl<E: Real> Op<E> for Concat {
    fn name(&self) -> &'static str {
        "concat"
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Tensor::concat(xs, self.axis)
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let mut start = 0;
        for (j, x) in cx.inputs().iter().enumerate() {
            let end = start + x.shape()[self.axis];
            if cx.needs_grad(j) {
                cx.set_grad(j, ok(cx.grad().slice(self.axis, start, end)));
            }
            start = end;
        }
    }
}

/// y = x[start..end] along `axis`. ∂/∂x is dy placed back at start..end,
/// zero elsewhere.
struct Slice {
    axis: usize,
    start: usize,
    end: usize,
}

impl<E: Real> Op<E> for Slice {
    fn name(&self) -> &'static str {
        "slice"
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].slice(self.axis, self.start, self.end)
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let dx = cx
            .grad()
            .unslice(cx.input(0).shape(), self.axis, self.start);
        cx.set_grad(0, dx);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// Joins tensors along `axis`; all shapes must be equal except along it.
    /// The gradient of each input is its part of the output's gradient.
    ///
    /// # Errors
    /// [`Error::Empty`] for an empty list, [`Error::OutOfRange`] if `axis`
    /// is not an axis of the inputs, [`Error::Shape`] naming the first shape
    /// and the one that differs.
    ///
    /// # Panics
    /// If the tensors come from different tapes.
    #[track_caller]
    pub fn try_concat(xs: &[TensorVar<'t, E>], axis: usize) -> Result<TensorVar<'t, E>> {
        let Some(first) = xs.first() else {
            return Err(Error::Empty {
                op: "concat",
                shape: vec![0],
            });
        };
        let inputs: Vec<Input<'t, E>> = xs.iter().map(|&x| Input::Tensor(x)).collect();
        first.tape().apply(Concat { axis }, &inputs)
    }

    /// Joins tensors along `axis` (see [`TensorVar::try_concat`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor, TensorVar};
    /// let tape = Tape::new();
    /// let a = tape.tensor(Tensor::from_vec(&[1, 2], vec![1.0, 2.0]).unwrap());
    /// let b = tape.tensor(Tensor::from_vec(&[2, 2], vec![3.0, 4.0, 5.0, 6.0]).unwrap());
    /// let c = TensorVar::concat(&[a, b], 0);
    /// assert_eq!(c.shape().as_slice(), &[3, 2]);
    /// let g = (c * c).sum().backward();
    /// assert_eq!(g[a].data(), &[2.0, 4.0]);
    /// assert_eq!(g[b].data(), &[6.0, 8.0, 10.0, 12.0]);
    /// ```
    ///
    /// # Panics
    /// If the list is empty, `axis` is out of range, the shapes disagree off
    /// `axis` (the message names both shapes), or the tensors come from
    /// different tapes.
    #[track_caller]
    pub fn concat(xs: &[TensorVar<'t, E>], axis: usize) -> TensorVar<'t, E> {
        ok(Self::try_concat(xs, axis))
    }

    /// The elements `start..end` along `axis`, the other axes whole. The
    /// gradient is scattered back into zeros of the input's shape.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis` is not an axis of the tensor, or
    /// unless `start <= end <= ` the axis size (the message names the axis
    /// and its size).
    pub fn try_slice(self, axis: usize, start: usize, end: usize) -> Result<Self> {
        self.apply1(Slice { axis, start, end })
    }

    /// The elements `start..end` along `axis` (see [`TensorVar::try_slice`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap());
    /// let last_two = x.slice(1, 1, 3);
    /// assert_eq!(last_two.value().data(), &[2.0, 3.0, 5.0, 6.0]);
    /// let g = last_two.sum().backward();
    /// assert_eq!(g[x].data(), &[0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    /// ```
    ///
    /// # Panics
    /// If `axis` is out of range or the range does not fit in it; the message
    /// names `slice`, the range, the axis and its size.
    #[track_caller]
    pub fn slice(self, axis: usize, start: usize, end: usize) -> Self {
        ok(self.try_slice(axis, start, end))
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, Error, Tape, Tensor, TensorVar};

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn concat_values_along_each_axis() {
        let tape = Tape::new();
        let a = tape.tensor(t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
        let b = tape.tensor(t(&[2, 1], &[5.0, 6.0]));
        let c = TensorVar::concat(&[a, b, a], 1);
        assert_eq!(c.shape().as_slice(), &[2, 5]);
        assert_eq!(
            c.value().data(),
            &[1.0, 2.0, 5.0, 1.0, 2.0, 3.0, 4.0, 6.0, 3.0, 4.0]
        );
        let r = TensorVar::concat(&[a, tape.tensor(t(&[1, 2], &[7.0, 8.0]))], 0);
        assert_eq!(r.value().data(), &[1.0, 2.0, 3.0, 4.0, 7.0, 8.0]);
        // 3-D, middle axis
        let x = tape.tensor(Tensor::from_fn(&[2, 1, 2], |i| (10 * i[0] + i[2]) as f64));
        let y = tape.tensor(Tensor::from_fn(&[2, 2, 2], |i| {
            (100 + 10 * i[0] + 2 * i[1] + i[2]) as f64
        }));
        let z = TensorVar::concat(&[x, y], 1);
        assert_eq!(z.shape().as_slice(), &[2, 3, 2]);
        assert_eq!(
            z.value().data(),
            &[0.0, 1.0, 100.0, 101.0, 102.0, 103.0, 10.0, 11.0, 110.0, 111.0, 112.0, 113.0]
        );
        // a single input is a copy
        assert_eq!(TensorVar::concat(&[b], 0).value(), b.value());
    }

    #[test]
    fn concat_gradient_splits_back_to_each_input() {
        let tape = Tape::new();
        let a = tape.tensor(t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
        let b = tape.tensor(t(&[2, 1], &[5.0, 6.0]));
        let w = tape.tensor_constant(Tensor::from_fn(&[2, 5], |i| (5 * i[0] + i[1]) as f64));
        // a appears twice: its gradient is the sum of both parts
        let g = (TensorVar::concat(&[a, b, a], 1) * w).sum().backward();
        assert_eq!(g[a].data(), &[0.0 + 3.0, 1.0 + 4.0, 5.0 + 8.0, 6.0 + 9.0]);
        assert_eq!(g[b].data(), &[2.0, 7.0]);
        // a constant input gets no gradient and costs no slice
        let k = tape.tensor_constant(t(&[2, 1], &[0.0, 0.0]));
        let g = TensorVar::concat(&[k, b], 1).sum().backward();
        assert_eq!(g[b].data(), &[1.0, 1.0]);
        assert!(g.wrt(k).is_none());
    }

    #[test]
    fn gradients_match_central_differences() {
        let a = t(&[2, 3], &[0.3, -1.2, 0.8, 1.5, 0.1, -0.4]);
        let b = t(&[1, 3], &[0.7, -0.2, 1.1]);
        let c = t(&[2, 2], &[0.5, -0.9, 0.2, 1.3]);
        check_tensor_grad(
            |p: &[TensorVar]| {
                let j = TensorVar::concat(&[p[0], p[1]], 0);
                (j.sin() * j).sum()
            },
            &[a.clone(), b],
        )
        .assert_passed();
        check_tensor_grad(
            |p: &[TensorVar]| {
                let j = TensorVar::concat(&[p[1], p[0]], 1);
                j.matmul(j.t()).powi(2).sum()
            },
            &[a.clone(), c],
        )
        .assert_passed();
        for (axis, start, end) in [(0, 1, 2), (1, 0, 2), (1, 1, 3), (1, 2, 2)] {
            check_tensor_grad(
                |p: &[TensorVar]| p[0].slice(axis, start, end).exp().sum() * p[0].sum(),
                std::slice::from_ref(&a),
            )
            .assert_passed();
        }
    }

    #[test]
    fn slice_values_and_scatter_back() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::from_fn(&[2, 3, 2], |i| {
            (100 * i[0] + 10 * i[1] + i[2]) as f64
        }));
        let s = x.slice(1, 1, 3);
        assert_eq!(s.shape().as_slice(), &[2, 2, 2]);
        assert_eq!(
            s.value().data(),
            &[10.0, 11.0, 20.0, 21.0, 110.0, 111.0, 120.0, 121.0]
        );
        let w = tape.tensor_constant(Tensor::from_fn(&[2, 2, 2], |i| {
            (1 + 4 * i[0] + 2 * i[1] + i[2]) as f64
        }));
        let g = (s * w).sum().backward();
        assert_eq!(
            g[x].data(),
            &[0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 5.0, 6.0, 7.0, 8.0]
        );
        let e = x.slice(2, 1, 1);
        assert_eq!(e.shape().as_slice(), &[2, 3, 0]);
        assert_eq!(x.slice(0, 0, 2).value(), x.value());
    }

    #[test]
    fn slice_then_concat_round_trips() {
        let x = t(
            &[3, 4],
            &[
                0.2, -0.5, 1.1, 0.4, -1.3, 0.7, 0.1, 0.9, 0.6, -0.2, 0.3, -0.8,
            ],
        );
        let parts = [x.slice(1, 0, 1).unwrap(), x.slice(1, 1, 4).unwrap()];
        let back = Tensor::concat(&[&parts[0], &parts[1]], 1).unwrap();
        assert_eq!(back, x);
    }

    #[test]
    fn concat_errors_say_what_was_found() {
        let tape = Tape::new();
        let a = tape.tensor(Tensor::zeros(&[2, 3]));
        let b = tape.tensor(Tensor::zeros(&[3, 2]));
        let err = TensorVar::try_concat(&[a, a, b], 1).unwrap_err();
        assert!(matches!(err, Error::Shape { op: "concat", .. }));
        assert_eq!(
            err.to_string(),
            "concat: all shapes must be equal except along axis 1 (input 0 and input 2 differ), found shapes [2, 3] and [3, 2]"
        );
        let v = tape.tensor(Tensor::zeros(&[2]));
        assert_eq!(
            TensorVar::try_concat(&[a, v], 0).unwrap_err().to_string(),
            "concat: all shapes must be equal except along axis 0 (input 0 and input 1 differ), found shapes [2, 3] and [2]"
        );
        let err = TensorVar::try_concat(&[a, a], 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "concat: axis 2 is out of range for shape [2, 3] (2 axes)"
        );
        let err = TensorVar::<f64>::try_concat(&[], 0).unwrap_err();
        assert!(matches!(err, Error::Empty { op: "concat", .. }));
        assert!(Tensor::<f64>::concat(&[], 0).is_err());
    }

    #[test]
    #[should_panic(expected = "concat: values from two different tapes were mixed")]
    fn concat_across_tapes_panics() {
        let (t1, t2) = (Tape::new(), Tape::new());
        let a = t1.tensor(Tensor::zeros(&[1, 2]));
        let b = t2.tensor(Tensor::zeros(&[1, 2]));
        TensorVar::concat(&[a, b], 0);
    }

    #[test]
    fn slice_errors_name_the_axis_and_size() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::zeros(&[2, 3]));
        let err = x.try_slice(1, 2, 4).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { op: "slice", .. }));
        assert_eq!(
            err.to_string(),
            "slice: range 2..4 is out of bounds for axis 1 of size 3 (shape [2, 3]); expected start <= end <= 3"
        );
        assert_eq!(
            x.try_slice(0, 2, 1).unwrap_err().to_string(),
            "slice: range 2..1 is out of bounds for axis 0 of size 2 (shape [2, 3]); expected start <= end <= 2"
        );
        assert_eq!(
            x.try_slice(2, 0, 1).unwrap_err().to_string(),
            "slice: axis 2 is out of range for shape [2, 3] (2 axes)"
        );
    }

    #[test]
    #[should_panic(expected = "slice: range 0..5 is out of bounds for axis 0 of size 3")]
    fn slice_panics_with_the_same_message() {
        let tape = Tape::new();
        tape.tensor(Tensor::zeros(&[3])).slice(0, 0, 5);
    }

    #[test]
    fn runs_on_f32() {
        let tape = Tape::<f32>::default();
        let a = tape.tensor(Tensor::from_f64(&[2], &[1.0, 2.0]).unwrap());
        let b = tape.tensor(Tensor::from_f64(&[1], &[3.0]).unwrap());
        let c = TensorVar::concat(&[a, b], 0);
        let s = c.slice(0, 1, 3);
        assert_eq!(s.value().data(), &[2.0f32, 3.0]);
        let g = (s * s).sum().backward();
        assert_eq!(g[a].data(), &[0.0f32, 4.0]);
        assert_eq!(g[b].data(), &[6.0f32]);
    }
}
