//! [`Op`]: one tensor operation with its forward and backward in one place.
//!
//! Every built-in tensor operation is an `Op` recorded with [`crate::Tape::apply`],
//! and a user-defined operation is written exactly the same way, outside the
//! crate:
//!
//! ```
//! use autograd::{Backward, Op, Real, Result, Tape, Tensor};
//!
//! /// softplus(x) = ln(1 + e^x); its derivative is sigmoid(x).
//! struct Softplus;
//!
//! impl<E: Real> Op<E> for Softplus {
//!     fn name(&self) -> &'static str {
//!         "softplus"
//!     }
//!     fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
//!         Ok(xs[0].map(|x| (E::one() + x.exp()).ln()))
//!     }
//!     fn backward(&self, cx: &mut Backward<'_, E>) {
//!         let dx = cx.input(0).zip_map(cx.grad(), |x, dy| dy * x.sigmoid());
//!         cx.set_grad(0, dx);
//!     }
//! }
//!
//! let tape = Tape::new();
//! let x = tape.tensor(Tensor::from_vec(&[2], vec![0.0, 1.0]).unwrap());
//! let y = tape.apply(Softplus, &[x.into()]).unwrap().sum();
//! let g = y.backward();
//! assert!((g.wrt(x).unwrap().data()[0] - 0.5).abs() < 1e-12);
//! ```

use crate::error::Result;
use crate::grad_product::Product;
use crate::real::Real;
use crate::tensor::Tensor;
use smallvec::SmallVec;

/// A tensor operation: its forward computation and its vector–Jacobian product.
pub trait Op<E: Real>: 'static {
    /// The name used in error messages and anomaly reports.
    fn name(&self) -> &'static str;

    /// Computes the output from the inputs.
    ///
    /// # Errors
    /// A shape (or other argument) error naming the op, the shapes found and
    /// what was expected.
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>>;

    /// Given the gradient of the loss with respect to the output
    /// ([`Backward::grad`]), hands the gradient with respect to each input
    /// to [`Backward::set_grad`] (shaped like that input). An input given
    /// no gradient gets none from this op; skip the inputs that do not need
    /// one (see [`Backward::needs_grad`]).
    fn backward(&self, cx: &mut Backward<'_, E>);
}

/// What an [`Op`]'s backward sees: the saved inputs, the output, the
/// gradient flowing into the output, and which inputs need a gradient; and
/// where it puts the gradients it computes ([`Backward::set_grad`]).
pub struct Backward<'a, E: Real> {
    pub(crate) name: &'static str,
    pub(crate) inputs: &'a [Tensor<E>],
    pub(crate) output: &'a Tensor<E>,
    pub(crate) grad: &'a Tensor<E>,
    pub(crate) needs: &'a [bool],
    pub(crate) grads: SmallVec<[Option<Sent<E>>; 3]>,
}

/// A gradient an op gave one of its inputs: a tensor, or a matrix product
/// kept as its factors ([`Backward::set_grad_product`]).
pub(crate) enum Sent<E: Real> {
    Dense(Tensor<E>),
    Product(Product<E>),
}

impl<E: Real> Sent<E> {
    /// The gradient as a tensor (a product multiplied now).
    pub(crate) fn into_dense(self) -> Tensor<E> {
        match self {
            Sent::Dense(t) => t,
            Sent::Product(p) => p.into_dense(),
        }
    }
}

impl<'a, E: Real> Backward<'a, E> {
    /// Gives ∂loss/∂input `i`. A gradient for an input that does not need
    /// one is dropped; giving input `i` a second gradient replaces the first.
    ///
    /// # Panics
    /// If `i` is not an input of the op, or `dx` is not shaped like input
    /// `i` (the message names the op and both shapes).
    #[track_caller]
    pub fn set_grad(&mut self, i: usize, dx: Tensor<E>) {
        self.check_grad(i, dx.shape());
        if self.needs[i] {
            self.grads[i] = Some(Sent::Dense(dx));
        }
    }

    /// Gives ∂loss/∂input `i` as the matrix product op(a)·op(b) of 2-D
    /// tensors, op transposing where `ta` / `tb` say: the same gradient as
    /// `set_grad(i, a.matmul_t(ta, b, tb)?)`, but the sweep multiplies it
    /// only when needed. The gradient of an input the op is the only user
    /// of (a dense layer's weights) is kept in [`crate::Grads`] as the two
    /// factors (shared, not copied) and multiplied when it is first read,
    /// or added straight into the parameter by [`crate::Grads::add_scaled_to`]
    /// (an SGD step) with no buffer of its own.
    ///
    /// # Panics
    /// If `i` is not an input of the op, an operand is not 2-D, the inner
    /// dimensions differ, or the product is not shaped like input `i`.
    #[track_caller]
    pub fn set_grad_product(&mut self, i: usize, a: &Tensor<E>, ta: bool, b: &Tensor<E>, tb: bool) {
        let Some(p) = Product::new(a, ta, b, tb) else {
            panic!(
                "backward of `{}` gave input {i} the product of shapes {:?} and {:?} (transposed: {ta}, {tb}), which do not multiply",
                self.name,
                a.shape(),
                b.shape()
            );
        };
        self.check_grad(i, p.shape());
        if self.needs[i] {
            self.grads[i] = Some(Sent::Product(p));
        }
    }

    #[track_caller]
    fn check_grad(&self, i: usize, shape: &[usize]) {
        assert!(
            i < self.inputs.len(),
            "backward of `{}` gave a gradient for input {i}, but the op has {} inputs",
            self.name,
            self.inputs.len()
        );
        let want = self.inputs[i].shape();
        assert!(
            shape == want,
            "backward of `{}` gave a gradient of shape {:?} for input {i} of shape {:?}",
            self.name,
            shape,
            want
        );
    }

    /// The value of input `i`, as it was at forward time.
    pub fn input(&self, i: usize) -> &'a Tensor<E> {
        &self.inputs[i]
    }
    /// All input values.
    pub fn inputs(&self) -> &'a [Tensor<E>] {
        self.inputs
    }
    /// The op's output.
    pub fn output(&self) -> &'a Tensor<E> {
        self.output
    }
    /// ∂loss/∂output, shaped like the output.
    pub fn grad(&self) -> &'a Tensor<E> {
        self.grad
    }
    /// Whether input `i` needs a gradient (skipping the others saves work).
    pub fn needs_grad(&self, i: usize) -> bool {
        self.needs[i]
    }
}
