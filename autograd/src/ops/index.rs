//! Rows and classes picked by index: a mini-batch's rows
//! ([`Tensor::select_rows`]), each row's score ([`TensorVar::gather`]) and
//! one-hot encoding ([`Tensor::one_hot`]).

use crate::error::{Error, Result};
use crate::op::{Backward, Op};
use crate::parallel::{for_each_chunk, SharedMut, PARALLEL_MIN_ELEMENTS};
use crate::real::Real;
use crate::tensor::{ok, shape_of, Tensor, TensorVar};

/// y[i] = x[i, indices[i]] for x of shape [n, c].
/// ∂/∂x is dy[i] at (i, indices[i]) and zero elsewhere.
struct Gather {
    indices: Vec<usize>,
}

impl Drop for Gather {
    fn drop(&mut self) {
        crate::pool::give_indices(std::mem::take(&mut self.indices));
    }
}

impl<E: Real> Op<E> for Gather {
    fn name(&self) -> &'static str {
        "gather"
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let x = xs[0];
        if x.ndim() != 2 {
            return Err(Error::shape(
                "gather",
                &[x.shape()],
                "expected a 2-D tensor [rows, classes]",
            ));
        }
        let (n, c) = (x.shape()[0], x.shape()[1]);
        if self.indices.len() != n {
            return Err(Error::shape(
                "gather",
                &[x.shape(), &[self.indices.len()]],
                format!("expected one index per row, i.e. indices of shape [{n}]"),
            ));
        }
        if let Some((row, &k)) = self.indices.iter().enumerate().find(|(_, &k)| k >= c) {
            return Err(Error::OutOfRange {
                op: "gather",
                what: format!(
                    "index {k} in row {row} is out of range for {c} classes (shape {:?})",
                    x.shape()
                ),
            });
        }
        let data = x.data();
        Ok(Tensor::build(shape_of(&[n]), |out| {
            out.extend(
                self.indices
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| data[i * c + k]),
            )
        }))
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let x = cx.input(0);
        let c = x.shape()[1];
        let mut dx = Tensor::zeros(x.shape());
        let d = dx.data_mut();
        for ((i, &k), &g) in self.indices.iter().enumerate().zip(cx.grad().data()) {
            d[i * c + k] = g;
        }
        cx.set_grad(0, dx);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// Picks one element per row: for `self` of shape [n, c] and `n`
    /// indices, returns the `[n]` tensor with `out[i] = self[i, indices[i]]`
    /// (each sample's score for its class, as in cross-entropy with class
    /// indices). The gradient flows back to the picked elements only.
    ///
    /// # Errors
    /// [`Error::Shape`] if `self` is not 2-D or `indices.len()` is not the
    /// number of rows; [`Error::OutOfRange`] if an index is not below the
    /// number of columns (the message gives the row and the index).
    pub fn try_gather(self, indices: &[usize]) -> Result<Self> {
        self.apply1(Gather {
            indices: crate::pool::indices(indices),
        })
    }

    /// Picks one element per row (see [`TensorVar::try_gather`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let logits = tape.tensor(Tensor::from_vec(&[2, 3], vec![2.0, 1.0, 0.1, 0.5, 2.5, 0.3]).unwrap());
    /// let labels = [0, 1];
    /// // softmax cross-entropy with class indices
    /// let loss = -logits.log_softmax(1).gather(&labels).mean();
    /// assert!((loss.value() - 0.3185).abs() < 1e-4);
    /// let g = loss.backward();
    /// assert_eq!(g[logits].shape(), &[2, 3]);
    /// ```
    ///
    /// # Panics
    /// If `self` is not 2-D, the number of indices is not the number of rows,
    /// or an index is out of range; the message names `gather` and what was
    /// found.
    #[track_caller]
    pub fn gather(self, indices: &[usize]) -> Self {
        ok(self.try_gather(indices))
    }
}

impl<E: Real> Tensor<E> {
    /// The rows `rows` (indices along the first axis, in that order, repeats
    /// allowed) as a new tensor, in a buffer from the pool: a mini-batch
    /// drawn from a data set.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let x = Tensor::<f32>::from_vec(&[3, 2], vec![1., 2., 3., 4., 5., 6.]).unwrap();
    /// assert_eq!(x.select_rows(&[2, 0]).unwrap().data(), &[5., 6., 1., 2.]);
    /// assert!(x.select_rows(&[3]).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] for a 0-dimensional tensor; [`Error::OutOfRange`] for
    /// a row index not below the number of rows.
    pub fn select_rows(&self, rows: &[usize]) -> Result<Self> {
        if self.ndim() == 0 {
            return Err(Error::shape(
                "select_rows",
                &[self.shape()],
                "expected a tensor with at least one axis",
            ));
        }
        let n = self.shape()[0];
        if let Some((at, &i)) = rows.iter().enumerate().find(|(_, &i)| i >= n) {
            return Err(Error::OutOfRange {
                op: "select_rows",
                what: format!(
                    "row index {i} (at position {at}) is out of range for {n} rows (shape {:?})",
                    self.shape()
                ),
            });
        }
        let w = self.len().checked_div(n).unwrap_or(0);
        let mut shape = shape_of(self.shape());
        shape[0] = rows.len();
        let src = self.data();
        // SAFETY: every row is copied into, so all elements are written
        Ok(unsafe {
            Self::build_uninit(shape, |out| {
                let out = SharedMut(out);
                let min_rows = PARALLEL_MIN_ELEMENTS / std::cmp::max(w, 1);
                for_each_chunk(rows.len(), min_rows, |r| {
                    for (j, &i) in rows[r.clone()].iter().enumerate() {
                        // SAFETY: row r.start + j of the output, inside it
                        let dst = out.slice((r.start + j) * w..(r.start + j + 1) * w);
                        dst.copy_from_slice(&src[i * w..(i + 1) * w]);
                    }
                });
            })
        })
    }

    /// The one-hot encoding of class indices: an [n, classes] tensor with
    /// 1 at `(i, indices[i])` and 0 elsewhere. A constant (wrap it with
    /// [`crate::Tape::tensor_constant`] to use it on a tape).
    ///
    /// ```
    /// use autograd::Tensor;
    /// let y: Tensor = Tensor::one_hot(&[2, 0], 3).unwrap();
    /// assert_eq!(y.shape(), &[2, 3]);
    /// assert_eq!(y.data(), &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    /// assert!(Tensor::<f64>::one_hot(&[3], 3).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if an index is not below `classes` (the message
    /// gives its position and value).
    pub fn one_hot(indices: &[usize], classes: usize) -> Result<Self> {
        if let Some((i, &k)) = indices.iter().enumerate().find(|(_, &k)| k >= classes) {
            return Err(Error::OutOfRange {
                op: "one_hot",
                what: format!(
                    "index {k} at position {i} is out of range for {classes} classes (expected 0..{classes})"
                ),
            });
        }
        let mut data = vec![E::zero(); indices.len() * classes];
        for (i, &k) in indices.iter().enumerate() {
            data[i * classes + k] = E::one();
        }
        Tensor::from_vec(&[indices.len(), classes], data)
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, Error, Tape, Tensor, TensorVar};

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn gather_picks_each_rows_class_and_routes_the_gradient() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let y = x.gather(&[1, 0, 1]);
        assert_eq!(y.shape().as_slice(), &[3]);
        assert_eq!(y.value().data(), &[2.0, 3.0, 6.0]);
        let w = tape.tensor_constant(t(&[3], &[10.0, 20.0, 30.0]));
        let g = (y * w).sum().backward();
        assert_eq!(g[x].data(), &[0.0, 10.0, 20.0, 0.0, 0.0, 30.0]);
    }

    #[test]
    fn gather_gradient_matches_central_differences() {
        let x = t(
            &[3, 4],
            &[
                0.2, -0.5, 1.1, 0.4, -1.3, 0.7, 0.1, 0.9, 0.6, -0.2, 0.3, -0.8,
            ],
        );
        check_tensor_grad(
            |p: &[TensorVar]| -p[0].log_softmax(1).gather(&[3, 0, 2]).mean(),
            std::slice::from_ref(&x),
        )
        .assert_passed();
        check_tensor_grad(
            |p: &[TensorVar]| p[0].gather(&[1, 1, 0]).powi(3).sum(),
            &[x],
        )
        .assert_passed();
    }

    #[test]
    fn cross_entropy_by_gather_equals_by_one_hot() {
        let logits = t(&[2, 3], &[2.0, 1.0, 0.1, 0.5, 2.5, 0.3]);
        let tape = Tape::new();
        let z = tape.tensor(logits);
        let a = -z.log_softmax(1).gather(&[0, 1]).mean();
        let y = tape.tensor_constant(Tensor::one_hot(&[0, 1], 3).unwrap());
        let b = -(z.log_softmax(1) * y).sum() * 0.5;
        assert!((a.value() - b.value()).abs() < 1e-15);
        // row 0: ln(e² + e + e^0.1) − 2 = 0.41703; row 1: 0.22005
        assert!((a.value() - 0.5 * (0.417_030_3 + 0.220_049_5)).abs() < 1e-6);
        let (ga, gb) = (a.backward(), b.backward());
        assert!(ga[z].max_abs_diff(&gb[z]) < 1e-15);
    }

    #[test]
    fn gather_errors_say_what_was_found() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::zeros(&[2, 3]));
        let err = x.try_gather(&[0, 3]).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { op: "gather", .. }));
        assert_eq!(
            err.to_string(),
            "gather: index 3 in row 1 is out of range for 3 classes (shape [2, 3])"
        );
        let err = x.try_gather(&[0, 1, 2]).unwrap_err();
        assert!(matches!(err, Error::Shape { op: "gather", .. }));
        assert_eq!(
            err.to_string(),
            "gather: expected one index per row, i.e. indices of shape [2], found shapes [2, 3] and [3]"
        );
        let v = tape.tensor(Tensor::zeros(&[6]));
        assert_eq!(
            v.try_gather(&[0]).unwrap_err().to_string(),
            "gather: expected a 2-D tensor [rows, classes], found shapes [6]"
        );
    }

    #[test]
    #[should_panic(expected = "gather: index 7 in row 0 is out of range for 3 classes")]
    fn gather_panics_with_the_same_message() {
        let tape = Tape::new();
        tape.tensor(Tensor::zeros(&[1, 3])).gather(&[7]);
    }

    #[test]
    fn one_hot_values_and_errors() {
        let y = Tensor::<f32>::one_hot(&[1, 0, 1], 2).unwrap();
        assert_eq!(y.shape(), &[3, 2]);
        assert_eq!(y.data(), &[0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let empty = Tensor::<f64>::one_hot(&[], 4).unwrap();
        assert_eq!(empty.shape(), &[0, 4]);
        let err = Tensor::<f64>::one_hot(&[0, 2, 5], 3).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { op: "one_hot", .. }));
        assert_eq!(
            err.to_string(),
            "one_hot: index 5 at position 2 is out of range for 3 classes (expected 0..3)"
        );
    }

    #[test]
    fn gather_runs_on_f32() {
        let tape = Tape::<f32>::default();
        let x = tape.tensor(Tensor::from_f64(&[2, 2], &[0.5, -1.0, 2.0, 3.0]).unwrap());
        let y = x.gather(&[0, 1]);
        assert_eq!(y.value().data(), &[0.5f32, 3.0]);
        let g = y.sum().backward();
        assert_eq!(g[x].data(), &[1.0f32, 0.0, 0.0, 1.0]);
    }
}
