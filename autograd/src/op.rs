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
//!     fn backward(&self, cx: &Backward<'_, E>) -> Vec<Option<Tensor<E>>> {
//!         let dx = cx.input(0).zip_map(cx.grad(), |x, dy| dy * x.sigmoid());
//!         vec![Some(dx)]
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
use crate::real::Real;
use crate::tensor::Tensor;

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

    /// Given the gradient of the loss with respect to the output, returns the
    /// gradient with respect to each input (same shape as that input), or
    /// `None` for an input that gets no gradient (or does not need one:
    /// see [`Backward::needs_grad`]).
    fn backward(&self, cx: &Backward<'_, E>) -> Vec<Option<Tensor<E>>>;
}

/// What an [`Op`]'s backward sees: the saved inputs, the output, the
/// gradient flowing into the output, and which inputs need a gradient.
pub struct Backward<'a, E: Real> {
    pub(crate) inputs: &'a [Tensor<E>],
    pub(crate) output: &'a Tensor<E>,
    pub(crate) grad: &'a Tensor<E>,
    pub(crate) needs: &'a [bool],
}

impl<'a, E: Real> Backward<'a, E> {
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
