//! # xiaolan nn
//!
//! Neurons, layers, activations, losses, optimizers, data sets, training and
//! save/load, all built on the [`autograd`] tape: nothing here hand-codes a
//! derivative.
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod data;
pub mod error;
pub mod io;
#[cfg(feature = "plot")]
pub mod plot;

pub use error::{Error, Result};
