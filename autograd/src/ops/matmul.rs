//! Matrix product through the GEMM kernels (`matrixmultiply`).

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
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
    fn backward(&self, cx: &Backward<'_, E>) -> Vec<Option<Tensor<E>>> {
        let (a, b, dy) = (cx.input(0), cx.input(1), cx.grad());
        let da = cx.needs_grad(0).then(|| ok(dy.matmul_t(false, b, true)));
        let db = cx.needs_grad(1).then(|| ok(a.matmul_t(true, dy, false)));
        vec![da, db]
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
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
