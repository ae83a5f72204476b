//! What can stop a run, as one type: each variant's `Display` is the one
//! line the user sees after `error: ` (control characters in a path or a
//! value shown escaped).

use std::fmt;
use std::path::PathBuf;

/// An error of the Playground command.
#[derive(Debug)]
pub enum Error {
    /// A flag that cannot be combined with another flag or with the data.
    Incompatible {
        /// The flag and its value, e.g. `--loss cross-entropy`.
        flag: String,
        /// What it cannot be combined with, e.g. `--dataset plane`.
        with: String,
        /// Why, and what would work.
        why: String,
    },
    /// A flag that contradicts the network in the `--load` file.
    Contradicts {
        /// The flag, e.g. `--activation`.
        flag: &'static str,
        /// The flag's value.
        given: String,
        /// The weights file.
        file: PathBuf,
        /// The file's value.
        saved: String,
    },
    /// The data file cannot be read.
    ReadData {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A line of the data file (or the file as a whole) is not what a
    /// Playground data set needs.
    Csv {
        /// The file.
        path: PathBuf,
        /// The line (1-based), if one line is at fault.
        line: Option<usize>,
        /// What was expected and what was found.
        what: String,
    },
    /// `--ratio` leaves the training or the test set empty.
    EmptySplit {
        /// The training share in percent.
        ratio: u32,
        /// The number of points.
        points: usize,
    },
    /// The `--load` file cannot be read or does not hold a Playground
    /// network.
    Load {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        source: nn::Error,
    },
    /// The `--save` file cannot be written.
    Save {
        /// The file.
        path: PathBuf,
        /// What was wrong.
        source: nn::Error,
    },
    /// The directory of the `--save` or `--onnx` file does not exist.
    SaveDir {
        /// The file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
    },
    /// The output directory cannot be created or written in.
    Output {
        /// The directory.
        dir: PathBuf,
        /// `create` or `write in`.
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// Standard output cannot be written (other than a broken pipe, which
    /// ends the output quietly).
    Stdout(std::io::Error),
    /// Building or training the network failed.
    Nn(nn::Error),
}

/// `source`'s message without the path nn's file errors start with, when
/// it is `path` (which the command's line already names).
fn without_path(source: &nn::Error, path: &std::path::Path) -> String {
    match source {
        nn::Error::Format { path: p, what } if p == path => what.clone(),
        nn::Error::Io { path: p, source } if p == path => source.to_string(),
        other => other.to_string(),
    }
}

/// `Result` with the command's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // paths and values come from the command line and from files: the
        // message is shown through nn's `escaped`, so it stays one line
        let message = match self {
            Error::Incompatible { flag, with, why } => {
                format!("{flag} cannot be combined with {with}: {why}")
            }
            Error::Contradicts {
                flag,
                given,
                file,
                saved,
            } => format!(
                "{flag} {given} contradicts the network in {}, which has {saved} \
                 (leave {flag} out to use the file's)",
                file.display()
            ),
            Error::ReadData { path, source } => {
                format!("cannot read data file {}: {source}", path.display())
            }
            Error::Csv {
                path,
                line: Some(line),
                what,
            } => format!("{} line {line}: {what}", path.display()),
            Error::Csv {
                path,
                line: None,
                what,
            } => format!("{}: {what}", path.display()),
            Error::EmptySplit { ratio, points } => format!(
                "a {ratio}% split of {points} points leaves the training or the test set empty"
            ),
            Error::Load { path, source } => format!(
                "cannot load weights from {}: {}",
                path.display(),
                without_path(source, path)
            ),
            Error::Save { path, source } => format!(
                "cannot save weights to {}: {}",
                path.display(),
                without_path(source, path)
            ),
            Error::SaveDir { path, dir } => format!(
                "cannot save weights to {}: directory {} does not exist",
                path.display(),
                dir.display()
            ),
            Error::Output {
                dir,
                action,
                source,
            } => format!(
                "cannot {action} output directory {}: {source}",
                dir.display()
            ),
            Error::Stdout(e) => format!("cannot write to standard output: {e}"),
            Error::Nn(e) => e.to_string(),
        };
        f.write_str(&nn::error::escaped(message))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::ReadData { source, .. } | Error::Output { source, .. } => Some(source),
            Error::Stdout(e) => Some(e),
            Error::Load { source, .. } | Error::Save { source, .. } => Some(source),
            Error::Nn(e) => Some(e),
            _ => None,
        }
    }
}

impl From<nn::Error> for Error {
    fn from(e: nn::Error) -> Self {
        Error::Nn(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_one_line_naming_what_and_where() {
        let e = Error::Contradicts {
            flag: "--activation",
            given: "relu".into(),
            file: "w.safetensors".into(),
            saved: "tanh".into(),
        };
        assert_eq!(
            e.to_string(),
            "--activation relu contradicts the network in w.safetensors, which has tanh \
             (leave --activation out to use the file's)"
        );
        let e = Error::Csv {
            path: "p.csv".into(),
            line: Some(3),
            what: "x2 is \"four\", expected a number".into(),
        };
        assert_eq!(
            e.to_string(),
            "p.csv line 3: x2 is \"four\", expected a number"
        );
        let e = Error::Load {
            path: "w.safetensors".into(),
            source: nn::Error::mismatch("output layer", "1 neuron", 3),
        };
        assert_eq!(
            e.to_string(),
            "cannot load weights from w.safetensors: output layer: expected 1 neuron, found 3"
        );
        assert!(std::error::Error::source(&e).is_some());
        // nn's file errors name the file too: the line names it once
        let e = Error::Load {
            path: "w.safetensors".into(),
            source: nn::Error::format("w.safetensors", "not a safetensors file"),
        };
        assert_eq!(
            e.to_string(),
            "cannot load weights from w.safetensors: not a safetensors file"
        );
        let e = Error::Load {
            path: "w.safetensors".into(),
            source: nn::Error::io(
                "w.safetensors",
                std::io::Error::new(std::io::ErrorKind::NotFound, "not found"),
            ),
        };
        assert_eq!(
            e.to_string(),
            "cannot load weights from w.safetensors: not found"
        );
        for e in [
            e,
            Error::EmptySplit {
                ratio: 10,
                points: 3,
            },
        ] {
            assert_eq!(e.to_string().lines().count(), 1, "{e}");
        }
    }
}
