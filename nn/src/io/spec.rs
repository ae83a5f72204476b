//! What an architecture expects of a file's tensors, and every way a file
//! differs from it.

use super::format::{Dtype, Element};
use crate::error::{escaped, Error, Result};
use autograd::Tensor;
use std::collections::HashMap;
use std::fmt;

/// A tensor's name, shape and dtype: what a file holds or an architecture expects.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TensorSpec {
    /// The tensor's name, e.g. `"layers.0.weight"`.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its element type.
    pub dtype: Dtype,
}

impl TensorSpec {
    /// The spec of a tensor of element type `E` with this name and shape.
    pub fn new<E: Element>(name: impl Into<String>, shape: &[usize]) -> Self {
        TensorSpec {
            name: name.into(),
            shape: shape.to_vec(),
            dtype: E::DTYPE,
        }
    }

    /// The spec of an existing tensor.
    pub fn of<E: Element>(name: impl Into<String>, tensor: &Tensor<E>) -> Self {
        Self::new::<E>(name, tensor.shape())
    }
}

impl fmt::Display for TensorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` {} {:?}",
            escaped(&self.name),
            self.dtype,
            self.shape
        )
    }
}

/// One way a file's tensors differ from what an architecture expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The architecture expects this tensor; the file does not have it.
    Missing(TensorSpec),
    /// The file has this tensor; the architecture has no tensor of that name.
    Unexpected(TensorSpec),
    /// Both have the tensor, with different shapes.
    Shape {
        /// The tensor.
        name: String,
        /// The architecture's shape.
        expected: Vec<usize>,
        /// The file's shape.
        found: Vec<usize>,
    },
    /// Both have the tensor, with different dtypes.
    Dtype {
        /// The tensor.
        name: String,
        /// The architecture's dtype.
        expected: Dtype,
        /// The file's dtype.
        found: Dtype,
    },
}

impl Difference {
    /// (what, expected, found), for an [`Error::Mismatch`]; a tensor's name
    /// comes from the file, so it is shown [`escaped`] (a line break in it
    /// cannot break the one-line message).
    fn parts(&self) -> (String, String, String) {
        match self {
            Difference::Missing(s) => (
                format!("tensor `{}`", escaped(&s.name)),
                format!("{} {:?}", s.dtype, s.shape),
                "no tensor of that name in the file".into(),
            ),
            Difference::Unexpected(s) => (
                format!("tensor `{}`", escaped(&s.name)),
                "no tensor of that name in the architecture".into(),
                format!("{} {:?} in the file", s.dtype, s.shape),
            ),
            Difference::Shape {
                name,
                expected,
                found,
            } => (
                format!("tensor `{}` shape", escaped(name)),
                format!("{expected:?}"),
                format!("{found:?}"),
            ),
            Difference::Dtype {
                name,
                expected,
                found,
            } => (
                format!("tensor `{}` dtype", escaped(name)),
                expected.to_string(),
                found.to_string(),
            ),
        }
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, expected, found) = self.parts();
        write!(f, "{what}: expected {expected}, found {found}")
    }
}

/// Every difference between the tensors an architecture `expected` and those
/// `found` in a file: first, in `expected`'s order, missing tensors and
/// shape and dtype differences; then the file's unexpected tensors in its order.
pub fn differences(expected: &[TensorSpec], found: &[TensorSpec]) -> Vec<Difference> {
    let by_name: HashMap<&str, &TensorSpec> = found.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Vec::new();
    for e in expected {
        match by_name.get(e.name.as_str()) {
            None => out.push(Difference::Missing(e.clone())),
            Some(f) => {
                if f.shape != e.shape {
                    out.push(Difference::Shape {
                        name: e.name.clone(),
                        expected: e.shape.clone(),
                        found: f.shape.clone(),
                    });
                }
                if f.dtype != e.dtype {
                    out.push(Difference::Dtype {
                        name: e.name.clone(),
                        expected: e.dtype.clone(),
                        found: f.dtype.clone(),
                    });
                }
            }
        }
    }
    let wanted: HashMap<&str, ()> = expected.iter().map(|s| (s.name.as_str(), ())).collect();
    for f in found {
        if !wanted.contains_key(f.name.as_str()) {
            out.push(Difference::Unexpected(f.clone()));
        }
    }
    out
}

/// Checks that `found` (a file's tensors, from [`read_header`](super::read_header)) holds exactly
/// the tensors `expected`, with the same shapes and dtypes.
///
/// # Errors
/// [`Error::Mismatch`] naming the first difference (see [`differences`] for
/// the order), with every other difference listed after it.
///
/// ```
/// use nn::io::{check_against, TensorSpec};
/// let arch = [TensorSpec::new::<f64>("w", &[2, 3]), TensorSpec::new::<f64>("b", &[3])];
/// let file = [TensorSpec::new::<f64>("w", &[3, 2]), TensorSpec::new::<f64>("c", &[1])];
/// let msg = check_against(&arch, &file).unwrap_err().to_string();
/// assert!(msg.starts_with("tensor `w` shape: expected [2, 3], found [3, 2]"), "{msg}");
/// assert!(msg.contains("tensor `b`: expected F64 [3], found no tensor of that name"), "{msg}");
/// assert!(msg.contains("tensor `c`: expected no tensor of that name"), "{msg}");
/// ```
pub fn check_against(expected: &[TensorSpec], found: &[TensorSpec]) -> Result<()> {
    let diffs = differences(expected, found);
    let Some(first) = diffs.first() else {
        return Ok(());
    };
    let (what, exp, mut fnd) = first.parts();
    if diffs.len() > 1 {
        let rest: Vec<String> = diffs[1..].iter().map(ToString::to_string).collect();
        fnd = format!(
            "{fnd} (the first of {} differences between the file and the architecture; also {})",
            diffs.len(),
            rest.join("; ")
        );
    }
    Err(Error::Mismatch {
        what,
        expected: exp,
        found: fnd,
    })
}
