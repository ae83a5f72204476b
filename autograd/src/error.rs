//! Errors: what was expected and what was found.

use std::fmt;

/// An error from a tensor operation, a constructor, or a backward call.
///
/// Every message names the operation and says what was expected and what was
/// found. Operator overloads and methods on the tape (`a + b`,
/// `a.matmul(b)`) panic with the same message; their `try_` twins
/// (`a.try_matmul(b)`) return this error.
///
/// ```
/// use autograd::{Error, Tape, Tensor};
/// let a = Tensor::<f64>::zeros(&[2, 3]);
/// let b = Tensor::<f64>::zeros(&[4, 5]);
/// let err = a.matmul(&b).unwrap_err();
/// assert!(matches!(err, Error::Shape { op: "matmul", .. }));
/// assert_eq!(
///     err.to_string(),
///     "matmul: inner dimensions must agree (3 != 4), found shapes [2, 3] and [4, 5]"
/// );
/// // the same product on a tape
/// let tape = Tape::new();
/// let (x, y) = (tape.tensor(a), tape.tensor(b));
/// assert_eq!(x.try_matmul(y).unwrap_err(), err);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Two shapes that must agree (equal, broadcastable, or with matching inner
    /// dimensions) do not.
    Shape {
        /// The operation, e.g. `"add"` or `"matmul"`.
        op: &'static str,
        /// The shapes involved, in operand order.
        shapes: Vec<Vec<usize>>,
        /// What the operation needed.
        expected: String,
    },
    /// A buffer's length is not the product of the shape it was given.
    DataLength {
        /// The requested shape.
        shape: Vec<usize>,
        /// The product of `shape`.
        expected: usize,
        /// The length of the data.
        found: usize,
    },
    /// An operation that needs at least one element got none.
    Empty {
        /// The operation.
        op: &'static str,
        /// The (empty) shape it got.
        shape: Vec<usize>,
    },
    /// An axis, index or slice bound outside the tensor.
    OutOfRange {
        /// The operation.
        op: &'static str,
        /// What was out of range and the valid range.
        what: String,
    },
    /// `backward()` on a tensor with more than one element and no seed gradient.
    NotScalar {
        /// The output's shape.
        shape: Vec<usize>,
    },
    /// Any other invalid argument.
    Invalid {
        /// The operation.
        op: &'static str,
        /// What was wrong.
        what: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Shape {
                op,
                shapes,
                expected,
            } => {
                write!(f, "{op}: {expected}, found shapes ")?;
                for (i, s) in shapes.iter().enumerate() {
                    if i > 0 {
                        write!(f, " and ")?;
                    }
                    write!(f, "{s:?}")?;
                }
                Ok(())
            }
            Error::DataLength {
                shape,
                expected,
                found,
            } => write!(
                f,
                "data length does not match shape {shape:?}: expected {expected} elements, found {found}"
            ),
            Error::Empty { op, shape } => {
                write!(
                    f,
                    "{op}: expected a non-empty tensor, found shape {shape:?}"
                )
            }
            Error::OutOfRange { op, what } => write!(f, "{op}: {what}"),
            Error::NotScalar { shape } => write!(
                f,
                "backward: expected a scalar output (one element), found shape {shape:?}; \
                 reduce it first (sum/mean) or pass a seed gradient with backward_with"
            ),
            Error::Invalid { op, what } => write!(f, "{op}: {what}"),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// A shape error for `op` over `shapes`, saying what was `expected`.
    pub fn shape(op: &'static str, shapes: &[&[usize]], expected: impl Into<String>) -> Self {
        Error::Shape {
            op,
            shapes: shapes.iter().map(|s| s.to_vec()).collect(),
            expected: expected.into(),
        }
    }
}
