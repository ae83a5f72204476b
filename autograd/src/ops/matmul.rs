//! Matrix product through the GEMM kernels ([`crate::gemm_crate_for`] says
//! which: a crate's or the thin kernel; large products use every core, see [`crate::set_max_threads`]).

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tape::Input;
use crate::tensor::{ok, Tensor, TensorVar};

/// y = a·b for 2-D a (m×k) and b (k×n).
/// ∂/∂a = dy·bᵀ, ∂/∂b = aᵀ·dy (transposes folded into GEMM strides).
struct MatMul;

impl<E: Real> Op<E> for MatMul {
    fn name(&self) -> &'static str {
        "matmul"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].matmul(xs[1])
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (a, b, dy) = (cx.input(0), cx.input(1), cx.grad());
        if cx.needs_grad(0) {
            cx.set_grad_product(0, dy, false, b, true);
        }
        if cx.needs_grad(1) {
            cx.set_grad_product(1, a, true, dy, false);
        }
    }
}

/// y = x·w + b for x (m×k), w (k×n) and a bias b ([n] or [1, n]) added to
/// every row, in one output buffer (see [`Tensor::matmul_bias`]).
/// ∂/∂x = dy·wᵀ, ∂/∂w = xᵀ·dy, ∂/∂b = the column sums of dy.
struct MatMulBias;

impl<E: Real> Op<E> for MatMulBias {
    fn name(&self) -> &'static str {
        "matmul_bias"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        xs[0].matmul_bias(xs[1], xs[2])
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (x, w, b, dy) = (cx.input(0), cx.input(1), cx.input(2), cx.grad());
        if cx.needs_grad(0) {
            cx.set_grad_product(0, dy, false, w, true);
        }
        if cx.needs_grad(1) {
            cx.set_grad_product(1, x, true, dy, false);
        }
        if cx.needs_grad(2) {
            cx.set_grad(2, ok(dy.sum_to(b.shape())));
        }
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// x·w + b as one op: the matrix product of this [m, k] tensor and w
    /// ([k, n]) plus the bias b (`[n]` or `[1, n]`) on every row. Same value and
    /// gradients as `x.matmul(w) + b`, with one output buffer instead of three
    /// and no broadcast bias on the tape: a dense layer's forward.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap());
    /// let w = tape.tensor(Tensor::from_vec(&[2, 1], vec![1.0, -1.0]).unwrap());
    /// let b = tape.tensor(Tensor::from_vec(&[1], vec![0.5]).unwrap());
    /// let y = x.matmul_bias(w, b);
    /// assert_eq!(y.value().data(), &[-0.5, -0.5]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[b].data(), &[2.0]); // one per row
    /// assert_eq!(g[w].data(), &[4.0, 6.0]); // column sums of x
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if x or w is not 2-D, the inner dimensions
    /// differ, or b is not `[n]` or `[1, n]`.
    pub fn try_matmul_bias(self, w: Self, b: Self) -> Result<Self> {
        self.tape().apply(
            MatMulBias,
            &[Input::Tensor(self), Input::Tensor(w), Input::Tensor(b)],
        )
    }

    /// x·w + b as one op (see [`TensorVar::try_matmul_bias`]).
    ///
    /// # Panics
    /// On the shape errors of [`TensorVar::try_matmul_bias`]; the message
    /// names `matmul_bias` and the shapes.
    #[track_caller]
    pub fn matmul_bias(self, w: Self, b: Self) -> Self {
        ok(self.try_matmul_bias(w, b))
    }

    /// Matrix product of two 2-D tensors: [m, k] × [k, n] → [m, n].
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if either is not 2-D or the inner dimensions differ.
    pub fn try_matmul(self, rhs: Self) -> Result<Self> {
        self.apply2(MatMul, rhs)
    }

    /// Matrix product of two 2-D tensors: [m, k] × [k, n] → [m, n].
    ///
    /// # Panics
    /// If either is not 2-D or the inner dimensions differ; the message names
    /// `matmul` and both shapes.
    ///
    /// ```should_panic
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let a = tape.tensor(Tensor::zeros(&[2, 3]));
    /// let b = tape.tensor(Tensor::zeros(&[4, 5]));
    /// a.matmul(b); // panics: "matmul: inner dimensions must agree (3 != 4), found shapes [2, 3] and [4, 5]"
    /// ```
    #[track_caller]
    pub fn matmul(self, rhs: Self) -> Self {
        ok(self.try_matmul(rhs))
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, Tape, Tensor, TensorVar};

    fn seq(shape: &[usize], k: f64) -> Tensor<f64> {
        Tensor::from_fn(shape, |i| {
            let s: usize = i.iter().enumerate().map(|(a, &x)| (a + 2) * x).sum();
            (s as f64 * k).sin()
        })
    }

    #[test]
    fn matmul_bias_equals_matmul_plus_bias_in_value_and_gradients() {
        for bias_shape in [&[4][..], &[1, 4][..]] {
            let (x, w, b) = (seq(&[3, 5], 0.7), seq(&[5, 4], 1.3), seq(bias_shape, 2.1));
            let tape = Tape::new();
            let (xv, wv, bv) = (
                tape.tensor(x.clone()),
                tape.tensor(w.clone()),
                tape.tensor(b.clone()),
            );
            let fused = xv.matmul_bias(wv, bv);
            let plain = xv.matmul(wv) + bv;
            assert!(fused.value().max_abs_diff(&plain.value()) < 1e-12);
            let (gf, gp) = (
                (fused * fused).sum().backward(),
                (plain * plain).sum().backward(),
            );
            for v in [xv, wv, bv] {
                assert!(gf[v].max_abs_diff(&gp[v]) < 1e-12, "{:?}", v.shape());
            }
            assert_eq!(gf[bv].shape(), bias_shape);
            check_tensor_grad(
                |p: &[TensorVar]| p[0].matmul_bias(p[1], p[2]).sigmoid().sum(),
                &[x, w, b],
            )
            .assert_passed();
        }
    }

    #[test]
    fn matmul_bias_shape_errors_name_the_op_and_shapes() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::zeros(&[2, 3]));
        let w = tape.tensor(Tensor::zeros(&[3, 4]));
        let bad = tape.tensor(Tensor::zeros(&[3]));
        let e = x.try_matmul_bias(w, bad).unwrap_err().to_string();
        assert!(
            e.contains("matmul_bias") && e.contains("[4] or [1, 4]"),
            "{e}"
        );
        let e = x.try_matmul_bias(x, bad).unwrap_err().to_string();
        assert!(e.contains("inner dimensions must agree (3 != 2)"), "{e}");
    }

    #[test]
    fn gemm_outputs_are_fully_written_including_empty_inner_dimension() {
        // k = 0: the product is all zeros, though the output is never zero-filled first
        let a = Tensor::<f32>::zeros(&[3, 0]);
        let b = Tensor::<f32>::zeros(&[0, 2]);
        assert_eq!(a.matmul(&b).unwrap().data(), &[0.0; 6]);
        let bias = Tensor::<f32>::from_vec(&[2], vec![1.0, 2.0]).unwrap();
        assert_eq!(
            a.matmul_bias(&b, &bias).unwrap().data(),
            &[1., 2., 1., 2., 1., 2.]
        );
        // f32, f64 and Dual agree on a transposed product
        let x = seq(&[4, 3], 0.3);
        let y = seq(&[5, 3], 0.9);
        let want = x.matmul_t(false, &y, true).unwrap();
        let got32 = x.cast::<f32>().matmul_t(false, &y.cast(), true).unwrap();
        assert!(got32.cast::<f64>().max_abs_diff(&want) < 1e-5);
        let gotd = x
            .cast::<crate::Dual>()
            .matmul_t(false, &y.cast(), true)
            .unwrap();
        assert!(gotd.cast::<f64>().max_abs_diff(&want) < 1e-12);
    }
}
