//! Built-in tensor operations. Each file holds ops as [`crate::Op`]
//! implementations (forward and backward side by side) and the
//! [`crate::TensorVar`] methods that record them.

pub(crate) mod axis;
pub(crate) mod binary;
pub(crate) mod concat;
pub(crate) mod elementwise;
pub(crate) mod extrema;
pub(crate) mod fused;
pub(crate) mod index;
pub(crate) mod logsumexp;
pub(crate) mod matmul;
pub(crate) mod pow;
pub(crate) mod reduce;
pub(crate) mod shape;
pub(crate) mod softmax;
