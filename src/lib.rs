//! # xiaolan
//!
//! A tape-based automatic-differentiation engine ([`autograd`]) with a
//! neural-network front end ([`nn`]), built from a course on neural-network
//! basics. This crate re-exports both and holds the playground binary.
#![warn(missing_docs)]

pub use autograd;
pub use nn;
