//! Errors from `nn`: each says what was expected and what was found, on
//! one line ([`escaped`] shows what a file or a user gave without breaking it).

use std::fmt;
use std::path::PathBuf;

/// An error from building, training, loading or saving a network.
#[derive(Debug)]
pub enum Error {
    /// A tensor operation failed (shapes, lengths); see [`autograd::Error`].
    Autograd(autograd::Error),
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A file exists but its contents are not what the format requires
    /// (wrong magic number, truncated, corrupt header).
    Format {
        /// The file.
        path: PathBuf,
        /// What was expected and what was found.
        what: String,
    },
    /// Something does not match what it must match: a layer's input width,
    /// predictions against targets, a saved model against this architecture.
    Mismatch {
        /// What was compared.
        what: String,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// An argument is out of its valid range (a learning rate that is not
    /// finite, an empty data set, a split ratio outside (0, 1)).
    Invalid {
        /// The argument.
        what: String,
        /// What is valid.
        expected: String,
        /// What was given.
        found: String,
    },
    /// A plot could not be drawn or written.
    Plot(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Mismatch`].
    pub fn mismatch(
        what: impl Into<String>,
        expected: impl fmt::Display,
        found: impl fmt::Display,
    ) -> Self {
        Error::Mismatch {
            what: what.into(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// An [`Error::Invalid`].
    pub fn invalid(
        what: impl Into<String>,
        expected: impl fmt::Display,
        found: impl fmt::Display,
    ) -> Self {
        Error::Invalid {
            what: what.into(),
            expected: expected.to_string(),
            found: found.to_string(),
        }
    }

    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Format`] for `path`.
    pub fn format(path: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            what: what.into(),
        }
    }
}

/// `text` as one line that cannot be mistaken for another: every control
/// character in it (a line break, a carriage return, a tab, the escape that
/// starts a terminal's control sequence, …) and the Unicode line and
/// paragraph separators are shown escaped, as Rust writes them (`\n`,
/// `\r`, `\u{1b}`, `\u{2028}`); everything else is kept as it is.
///
/// Every message that quotes something from outside goes through it: a
/// tensor name or metadata read from a file, a path or a value a user gave.
/// This crate's [`Error`] is displayed through it, and so are the
/// Playground command's errors and its one-line command-line errors.
///
/// ```
/// use nn::error::escaped;
/// assert_eq!(escaped("a\nb\r\u{1b}[2Jc"), "a\\nb\\r\\u{1b}[2Jc");
/// assert_eq!(escaped(std::path::Path::new("w x/é.bin").display()), "w x/é.bin");
/// let e = nn::Error::format("bad\nname.safetensors", "truncated");
/// assert_eq!(e.to_string(), "bad\\nname.safetensors: truncated");
/// ```
pub fn escaped(text: impl fmt::Display) -> String {
    let text = text.to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if breaks_a_line(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether `c` could break, overwrite or restyle a line of a message.
fn breaks_a_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // paths, names and values in a message come from files and users:
        // the message is shown through `escaped`, so it stays one line
        let message = match self {
            Error::Autograd(e) => e.to_string(),
            Error::Io { path, source } => format!("{}: {source}", path.display()),
            Error::Format { path, what } => format!("{}: {what}", path.display()),
            Error::Mismatch {
                what,
                expected,
                found,
            }
            | Error::Invalid {
                what,
                expected,
                found,
            } => format!("{what}: expected {expected}, found {found}"),
            Error::Plot(msg) => format!("plot: {msg}"),
        };
        f.write_str(&escaped(message))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Autograd(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<autograd::Error> for Error {
    fn from(e: autograd::Error) -> Self {
        Error::Autograd(e)
    }
}
