//! # xiaolan
//!
//! A tape-based automatic-differentiation engine ([`autograd`]) with a
//! neural-network front end ([`nn`]), built from a course on neural-network
//! basics. This crate re-exports both and holds the Playground command
//! (`xiaolan`, whose `main` calls [`cli`]) and the parsers of its outside
//! input, each from bytes ([`inputs`]).
#![warn(missing_docs)]

pub use autograd;
pub use nn;

pub mod inputs;
mod playground;
mod serve;

/// What the `xiaolan` command's `main` calls: the command line, the run,
/// standard output and the browser Playground's server.
pub mod cli {
    pub use crate::playground::args::{error_line, Args};
    pub use crate::playground::out::{tell, write};
    pub use crate::playground::{run, Error};
    pub use crate::serve::serve;
}
