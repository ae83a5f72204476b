//! Fused ops: one record doing the work of a chain of ops that training
//! records on every step, with one output buffer and one backward instead of
//! several. Each gives the value and the gradients of its chain, element
//! for element the same arithmetic in the same order (so the same bits in
//! `f32` and `f64`; the tests compare them):
//!
//! - [`TensorVar::matmul_bias_act`]: f(x·W + b), a dense layer with its
//!   activation (any element-wise [`Func`]);
//! - [`TensorVar::sum_sq_diff`]: Σ (o − t)², the course's squared error;
//! - [`TensorVar::softmax_cross_entropy`]: mean over rows of
//!   −ln softmax(z)[class], for class indices.

use crate::error::{Error, Result};
use crate::func::Func;
use crate::op::{Backward, Op};
use crate::parallel::{for_each_chunk, SharedMut, PARALLEL_MIN_ELEMENTS};
use crate::real::Real;
use crate::scalar::Var;
use crate::simd::fast;
use crate::tape::Input;
use crate::tensor::{ok, shape_of, Tensor, TensorVar};
use std::cell::RefCell;

/// dz = dy · f′(z, y) element by element for [m, n] tensors (with `x` the
/// saved z, or y itself when the output tells the derivative), and the
/// column sums of dz (shaped `bias`), in one pass.
fn grad_colsum<E: Real, F: Func>(
    f: F,
    x: &Tensor<E>,
    y: &Tensor<E>,
    dy: &Tensor<E>,
    bias: &[usize],
) -> (Tensor<E>, Tensor<E>) {
    let (m, n) = (y.shape()[0], y.shape()[1]);
    let mut db = Tensor::zeros(bias);
    let sums = SharedMut(db.data_mut().as_mut_ptr());
    let (g, x, y) = (dy.data(), x.data(), y.data());
    // SAFETY: the chunks below cover every column of every row of dz, so
    // all m·n elements are written (none when n is 0)
    let dz = unsafe {
        Tensor::build_uninit(shape_of(&[m, n]), |out| {
            let out = SharedMut(out);
            // column blocks, each summed row by row in order, on every core
            for_each_chunk(n, PARALLEL_MIN_ELEMENTS / std::cmp::max(m, 1), |cols| {
                // SAFETY: each chunk owns the columns `cols` of dz and of db
                let s = sums.slice(cols.clone());
                // SAFETY: as above: the columns `cols` of every row of dz
                fast(|| grad_colsum_rows(f, out, s, (g, x, y), (m, n), cols.clone()));
            });
        })
    };
    (dz, db)
}

/// The columns `cols` of [`grad_colsum`]'s m×n output, row by row:
/// o = g·f′(x, y), and s += o. When the chunk is every column (a small
/// output, done on one thread) the m rows are one flat run: one long
/// vectorised loop instead of m short ones with their remainders (for a
/// batch of 10 rows of 30 this halved the function's instructions). The
/// sums still go row by row in order, so the result is the same either way.
///
/// # Safety
/// `out` points to m·n values, whose columns `cols` no one else touches
/// during the call.
#[inline(always)]
unsafe fn grad_colsum_rows<E: Real, F: Func>(
    f: F,
    out: SharedMut<E>,
    s: &mut [E],
    (g, x, y): (&[E], &[E], &[E]),
    (m, n): (usize, usize),
    cols: std::ops::Range<usize>,
) {
    // every column (a small output, on one thread): the rows are one run
    let (rows, width) = if cols.len() == n {
        (1, m * n)
    } else {
        (m, cols.len())
    };
    for r in 0..rows {
        let at = r * n + cols.start..r * n + cols.start + width;
        // SAFETY: the caller's promise, for row r's columns `cols` (or all)
        let o = unsafe { out.slice(at.clone()) };
        let (g, x, y) = (&g[at.clone()], &x[at.clone()], &y[at]);
        for (o, (&g, (&x, &y))) in o.iter_mut().zip(g.iter().zip(x.iter().zip(y))) {
            *o = g * f.deriv(x, y);
        }
        // the sums, row by row in order
        for row in o.chunks_exact(s.len().max(1)) {
            for (s, &o) in s.iter_mut().zip(row) {
                *s += o;
            }
        }
    }
}

/// y = f(x·w + b). Backward: dz = dy·f′(z, y), then as `matmul_bias`:
/// ∂/∂x = dz·wᵀ, ∂/∂w = xᵀ·dz, ∂/∂b = the column sums of dz.
///
/// When the output tells the derivative ([`Func::deriv_from_output`]) the
/// product's one pass applies f and only y is kept; otherwise the op also
/// keeps z = x·w + b (the unfused chain keeps it as well) and applies f in a
/// second pass.
struct MatMulBiasAct<E: Real, F> {
    f: F,
    z: RefCell<Option<Tensor<E>>>,
}

impl<E: Real, F: Func> Op<E> for MatMulBiasAct<E, F> {
    fn name(&self) -> &'static str {
        "matmul_bias_act"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let (f, op) = (self.f, "matmul_bias_act");
        if f.deriv_from_output() {
            return xs[0].matmul_bias_map(op, xs[1], xs[2], |z| f.value(z));
        }
        let z = xs[0].matmul_bias_map(op, xs[1], xs[2], |z| z)?;
        let y = z.map(|z| f.value(z));
        *self.z.borrow_mut() = Some(z);
        Ok(y)
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (x, w, b) = (cx.input(0), cx.input(1), cx.input(2));
        let (y, z) = (cx.output(), self.z.borrow());
        let z = z.as_ref().unwrap_or(y);
        let (dz, db) = grad_colsum(self.f, z, y, cx.grad(), b.shape());
        if cx.needs_grad(0) {
            cx.set_grad_product(0, &dz, false, w, true);
        }
        if cx.needs_grad(1) {
            cx.set_grad_product(1, x, true, &dz, false);
        }
        if cx.needs_grad(2) {
            cx.set_grad(2, db);
        }
    }
}

/// L = Σ (a − t)², a 0-d tensor. ∂L/∂a = 2(a − t), ∂L/∂t = −2(a − t).
struct SumSqDiff;

impl<E: Real> Op<E> for SumSqDiff {
    fn name(&self) -> &'static str {
        "sum_sq_diff"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        crate::tape::same_shape("sum_sq_diff", xs[0], xs[1])?;
        let (a, t) = (xs[0].data(), xs[1].data());
        let s: E = a
            .iter()
            .zip(t)
            .map(|(&a, &t)| {
                let d = a - t;
                d * d
            })
            .sum();
        Ok(Tensor::scalar(s))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (a, t, g) = (cx.input(0), cx.input(1), cx.grad().item());
        // the chain's order: (a − t), then g·(d + d), negated for t
        let da = a.zip_map(t, |a, t| {
            let d = a - t;
            g * (d + d)
        });
        if cx.needs_grad(1) {
            cx.set_grad(1, da.map(|v| -v));
        }
        if cx.needs_grad(0) {
            cx.set_grad(0, da);
        }
    }
}

/// L = −(1/n) Σᵢ log_softmax(zᵢ)[cᵢ] for z of shape [n, k] and classes cᵢ.
/// ∂L/∂zᵢⱼ = (softmax(zᵢ)ⱼ − [j = cᵢ]) / n.
struct SoftmaxCrossEntropy {
    classes: Vec<usize>,
}

impl Drop for SoftmaxCrossEntropy {
    fn drop(&mut self) {
        crate::pool::give_indices(std::mem::take(&mut self.classes));
    }
}

impl SoftmaxCrossEntropy {
    fn check<E: Real>(&self, z: &Tensor<E>) -> Result<(usize, usize)> {
        if z.ndim() != 2 || z.shape()[0] == 0 || z.shape()[1] == 0 {
            return Err(Error::shape(
                "softmax_cross_entropy",
                &[z.shape()],
                "expected non-empty logits [rows, classes]",
            ));
        }
        let (n, k) = (z.shape()[0], z.shape()[1]);
        if self.classes.len() != n {
            return Err(Error::shape(
                "softmax_cross_entropy",
                &[z.shape(), &[self.classes.len()]],
                format!("expected one class per row, i.e. classes of shape [{n}]"),
            ));
        }
        if let Some((row, &c)) = self.classes.iter().enumerate().find(|(_, &c)| c >= k) {
            return Err(Error::OutOfRange {
                op: "softmax_cross_entropy",
                what: format!(
                    "class {c} in row {row} is out of range for {k} classes (shape {:?})",
                    z.shape()
                ),
            });
        }
        Ok((n, k))
    }
}

/// A row's maximum and ln Σ e^(z − max), as log_softmax computes them.
fn row_stats<E: Real>(row: &[E]) -> (E, E) {
    let m = row.iter().copied().fold(row[0], E::max);
    let s: E = row.iter().map(|&z| (z - m).exp()).sum();
    (m, s.ln())
}

impl<E: Real> Op<E> for SoftmaxCrossEntropy {
    fn name(&self) -> &'static str {
        "softmax_cross_entropy"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let z = xs[0];
        let (n, k) = self.check(z)?;
        let picked: E = z
            .data()
            .chunks(k)
            .zip(&self.classes)
            .map(|(row, &c)| {
                let (m, ls) = row_stats(row);
                (row[c] - m) - ls
            })
            .sum();
        Ok(Tensor::scalar(-(picked * E::from_f64(1.0 / n as f64))))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let z = cx.input(0);
        let (n, k) = (z.shape()[0], z.shape()[1]);
        // the chain's upstream gradient at each picked log-probability
        let v = -cx.grad().item() * E::from_f64(1.0 / n as f64);
        let mut dz = Tensor::zeros(z.shape());
        let out = dz.data_mut();
        for ((row, d), &c) in z.data().chunks(k).zip(out.chunks_mut(k)).zip(&self.classes) {
            let (m, ls) = row_stats(row);
            for (j, (d, &zj)) in d.iter_mut().zip(row).enumerate() {
                let y = (zj - m) - ls;
                let pick = if j == c { v } else { E::zero() };
                *d = pick - y.exp() * v;
            }
        }
        cx.set_grad(0, dz);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// f(x·w + b) as one op: a dense layer and its activation `f` (any
    /// element-wise [`Func`]), for x [m, k], w [k, n] and b `[n]` or
    /// `[1, n]`. Same value and gradients, bit for bit, as
    /// `x.matmul_bias(w, b).map(f)`, with one record instead of two; an
    /// activation whose derivative needs its input (GELU, SiLU, softplus)
    /// keeps z = x·w + b, the others keep only the output.
    ///
    /// ```
    /// use autograd::{func, Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[1, 2], vec![1.0, -2.0]).unwrap());
    /// let w = tape.tensor(Tensor::from_vec(&[2, 1], vec![0.5, 0.25]).unwrap());
    /// let b = tape.tensor(Tensor::from_vec(&[1], vec![0.1]).unwrap());
    /// for (fused, plain) in [
    ///     (x.matmul_bias_act(w, b, func::Sigmoid), x.matmul_bias(w, b).sigmoid()),
    ///     (x.matmul_bias_act(w, b, func::Gelu), x.matmul_bias(w, b).gelu()),
    /// ] {
    ///     assert_eq!(fused.value(), plain.value());
    ///     let (gf, gp) = (fused.sum().backward(), plain.sum().backward());
    ///     assert_eq!(gf[w], gp[w]);
    /// }
    /// ```
    ///
    /// # Errors
    /// The shape errors of [`TensorVar::try_matmul_bias`] (naming
    /// `matmul_bias_act`).
    pub fn try_matmul_bias_act<F: Func>(self, w: Self, b: Self, f: F) -> Result<Self> {
        let op = MatMulBiasAct {
            f,
            z: RefCell::new(None),
        };
        self.tape().apply(
            op,
            &[Input::Tensor(self), Input::Tensor(w), Input::Tensor(b)],
        )
    }

    /// f(x·w + b) as one op (see [`TensorVar::try_matmul_bias_act`]).
    ///
    /// # Panics
    /// On the errors of [`TensorVar::try_matmul_bias_act`].
    #[track_caller]
    pub fn matmul_bias_act<F: Func>(self, w: Self, b: Self, f: F) -> Self {
        ok(self.try_matmul_bias_act(w, b, f))
    }

    /// Σ (self − t)² over every element, as a scalar: the squared error of
    /// outputs against targets of the same shape, in one op (the value and
    /// gradients of `(self - t).powi(2).sum()`).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let o = tape.tensor(Tensor::from_vec(&[2], vec![0.5, 1.0]).unwrap());
    /// let t = tape.tensor_constant(Tensor::from_vec(&[2], vec![1.0, 1.0]).unwrap());
    /// let e = o.sum_sq_diff(t);
    /// assert_eq!(e.value(), 0.25);
    /// assert_eq!(e.backward()[o].data(), &[-1.0, 0.0]); // 2(o − t)
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] if the shapes differ (no broadcasting).
    pub fn try_sum_sq_diff(self, t: Self) -> Result<Var<'t, E>> {
        Ok(self.apply2(SumSqDiff, t)?.to_var())
    }

    /// Σ (self − t)² (see [`TensorVar::try_sum_sq_diff`]).
    ///
    /// # Panics
    /// If the shapes differ; the message names `sum_sq_diff` and both shapes.
    #[track_caller]
    pub fn sum_sq_diff(self, t: Self) -> Var<'t, E> {
        ok(self.try_sum_sq_diff(t))
    }

    /// The softmax cross-entropy of logits [n, k] against one class index
    /// per row: the mean over rows of −ln softmax(row)`[class]`, computed
    /// stably, in one op (the value and gradient of
    /// `-self.log_softmax(1).gather(classes).mean()`). Its gradient is
    /// (softmax − one-hot) / n.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let z = tape.tensor(Tensor::from_vec(&[1, 2], vec![0.0, 0.0]).unwrap());
    /// let l = z.softmax_cross_entropy(&[1]);
    /// assert!((l.value() - 2f64.ln()).abs() < 1e-15);
    /// assert_eq!(l.backward()[z].data(), &[0.5, -0.5]);
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] unless the logits are [n, k] with n, k > 0 and there
    /// are n classes; [`Error::OutOfRange`] for a class not below k.
    pub fn try_softmax_cross_entropy(self, classes: &[usize]) -> Result<Var<'t, E>> {
        let op = SoftmaxCrossEntropy {
            classes: crate::pool::indices(classes),
        };
        Ok(self.apply1(op)?.to_var())
    }

    /// The softmax cross-entropy against class indices (see
    /// [`TensorVar::try_softmax_cross_entropy`]).
    ///
    /// # Panics
    /// On the errors of [`TensorVar::try_softmax_cross_entropy`].
    #[track_caller]
    pub fn softmax_cross_entropy(self, classes: &[usize]) -> Var<'t, E> {
        ok(self.try_softmax_cross_entropy(classes))
    }
}
