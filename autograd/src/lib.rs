//! # xiaolan autograd
//!
//! Reverse-mode automatic differentiation on a tape, for scalars and tensors.
//!
//! Write a cost function as plain arithmetic and get its gradient for free:
//!
//! ```
//! use autograd::Tape;
//! let tape = Tape::new();
//! let w = tape.var(0.0);
//! let e = (0.68 - w * 0.4).powi(2);   // e(w) = 0.16w² − 0.544w + 0.4624
//! let g = e.backward();
//! assert!((g[w] + 0.544).abs() < 1e-12);
//! ```
//!
//! - [`Tape`] records operations in creation order (a Wengert list); values
//!   are `Copy` handles: [`Var`] for scalars, [`TensorVar`] for tensors.
//! - Element-wise functions are each defined once, value and derivative
//!   together, as a [`Func`] ([`func`]); the same definition serves [`Var`],
//!   [`TensorVar`] and the fused dense layer.
//! - Scalar ops record their local partial derivatives at forward time and
//!   allocate nothing; tensor ops are [`Op`]s with forward and backward in one
//!   place, and user-defined ops go through the same [`Tape::apply`].
//! - [`Var::backward`] returns [`Grads`], looked up by the variable.
//! - Second derivatives (Hessians, Hessian-vector products) by running the
//!   tape on [`Dual`] numbers: [`hessian`], [`hvp`].
//! - Vector-valued functions: Jacobians by reverse mode ([`jacobian`], one
//!   sweep per output) and forward mode ([`jacfwd`], one [`Dual`] pass per
//!   input), [`jvp`] and [`vjp`], with tensor forms.
//! - The tape as a picture: [`Tape::graph`] and [`Tape::graph_with_grads`]
//!   give a [`Graph`] (ops, values, gradients, local partials on the
//!   edges), [`Tape::to_dot`] writes Graphviz text; `nn::plot::tape_graph`
//!   draws it as a PNG.
//! - Gradient checks: [`check_grad`], [`check_tensor_grad`], [`check_jacobian`].
//! - Element types: `f64` (default), `f32`, [`Dual`].
//! - Fused ops for the chains training repeats, bit-identical to them:
//!   [`TensorVar::matmul_bias_act`] (a dense layer with its activation),
//!   [`TensorVar::sum_sq_diff`], [`TensorVar::softmax_cross_entropy`].
//! - Speed: tensor buffers are reused through a per-thread [`pool`], so a
//!   repeated training step allocates nothing of its own; large matrix
//!   products and element-wise passes run on every core
//!   ([`set_max_threads`]); element-wise loops use AVX2 where the CPU has
//!   it, with the same results bit for bit.
//! - No subnormal stalls: [`FlushSubnormals`] sets the CPU's flush-to-zero
//!   modes for `f32` training, on the helper threads too ([`subnormal`]).
//!
//! Errors: constructors and `try_` methods return [`Error`]; operators panic
//! with the same message (it names the op and the shapes found).
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

mod backward;
mod check;
mod env_choice;
mod error;
pub mod func;
mod gemm;
mod grad_product;
mod graph;
mod hessian;
mod jacobian;
mod op;
mod ops;
mod parallel;
pub mod pool;
mod real;
mod scalar;
mod simd;
pub mod subnormal;
mod tape;
mod tensor;

pub use backward::{ForeignKey, Grads};
pub use check::{
    check_grad, check_tensor_grad, numeric_derivative, GradCheck, GradCheckEntry, GradCheckReport,
};
pub use error::{Error, Result};
pub use func::Func;
#[doc(hidden)]
pub use gemm::bench_gemm;
pub use gemm::{gemm_crate_for, PARALLEL_MIN_MACS, THIN_SIDE};
#[doc(hidden)]
pub use gemm::{gemm_path, set_gemm_path, GemmPath};
pub use graph::{
    graph_number, Graph, GraphEdge, GraphNode, NodeKind, MAX_DRAWN_NODES, SMALL_TENSOR,
};
pub use hessian::{hessian, hessian_tensor, hvp, hvp_tensor, Hvp};
pub use jacobian::{
    check_jacobian, jacfwd, jacfwd_tensor, jacobian, jacobian_tensor, jvp, jvp_tensor, vjp,
    vjp_tensor, JacobianCheckReport, Jvp, Vjp,
};
pub use op::{Backward, Op};
pub use parallel::{max_threads, set_max_threads};
pub use real::{Dual, Real};
pub use scalar::Var;
pub use subnormal::{flush_subnormals_by_default, subnormals_flushed, FlushSubnormals};
pub use tape::{Input, Tape};
pub use tensor::{broadcast_shape, numel, strides, Shape, Tensor, TensorKey, TensorVar};
