//! Every parser of outside input, each fed raw bytes: what the fuzz targets
//! (the `fuzz/` crate, run with `cargo fuzz`) and the replay of their
//! corpus (`tests/fuzz_corpus.rs`, an ordinary `cargo test`) call, so both
//! test the same code.
//!
//! Each entry returns `Ok(())` or the one line a user would see, and
//! panics only when that line is not clean (empty, or more than one line):
//! any other panic, an abort or an allocation failure is a bug the fuzzer
//! reports.
//!
//! ```
//! use xiaolan::inputs;
//! assert!(inputs::command_line(b"--epochs\n5").is_ok());
//! let err = inputs::command_line(b"--epochs\n-5").unwrap_err();
//! assert!(err.contains("expected a whole number from 0 to 1000000, found -5"), "{err}");
//! assert!(inputs::csv(b"x,y,label\n0,0,1\n1,1,-1\n").is_ok());
//! assert!(inputs::idx(&[0, 0, 8, 1, 0, 0, 0, 1, 7]).is_ok());
//! assert!(inputs::weights(b"random bytes").is_err());
//! ```

use crate::playground::args::Args;
use crate::playground::data;
use crate::playground::Plan;
use clap::error::ErrorKind;
use std::fmt::Display;
use std::path::Path;

/// An entry: bytes in, `Ok(())` or the one line a user would see.
pub type Entry = fn(&[u8]) -> Result<(), String>;

/// The entries by name, as the fuzz targets and their corpus directories
/// (`fuzz/corpus/<name>/`) are named.
pub const ENTRIES: [(&str, Entry); 4] = [
    ("idx", idx),
    ("weights", weights),
    ("csv", csv),
    ("command_line", command_line),
];

/// The one line of an error.
///
/// # Panics
/// If the line is empty or holds a line break: a message that could hide
/// what follows it or fake another line.
fn line(e: impl Display) -> String {
    let s = e.to_string();
    assert!(
        !s.trim().is_empty() && !s.contains(['\n', '\r']),
        "an error must be one non-empty line, found {s:?}"
    );
    s
}

/// An IDX file, raw or gzipped ([`nn::data::idx::parse`], which the path
/// readers of `nn::data::idx` and `nn::data::mnist` share).
///
/// # Errors
/// The parser's one line.
pub fn idx(bytes: &[u8]) -> Result<(), String> {
    nn::data::idx::parse(bytes).map(drop).map_err(line)
}

/// A weights file, read three ways: its header
/// ([`nn::io::read_header_bytes`]), its tensors checked against the
/// header's own list and for non-finite values
/// ([`nn::io::load_checked_bytes`]), and as a network with its
/// architecture check ([`nn::Mlp::from_bytes`], what `--load` reads).
///
/// # Errors
/// The first of the three readers' lines.
pub fn weights(bytes: &[u8]) -> Result<(), String> {
    let header = nn::io::read_header_bytes(bytes).map_err(line);
    let tensors = match &header {
        Ok(h) => nn::io::load_checked_bytes::<f64>(bytes, &h.tensors)
            .map(drop)
            .map_err(line),
        Err(_) => Ok(()),
    };
    let network = nn::Mlp::<f64>::from_bytes(bytes).map(drop).map_err(line);
    header.map(drop).and(tensors).and(network)
}

/// A `--data` CSV file (or a page's upload): the bytes as the command reads
/// a file's (the command's CSV reader,
/// `parse_csv_bytes`, which its `--data` reader calls after reading the file).
///
/// # Errors
/// The reader's one line.
pub fn csv(bytes: &[u8]) -> Result<(), String> {
    data::parse_csv_bytes(bytes, Path::new("fuzz.csv"), None)
        .map(drop)
        .map_err(line)
}

/// A command line, one argument per line of `bytes` (after the program's
/// name; no bytes: no argument), parsed and checked as `xiaolan` does
/// before it trains ([`Args::parse_args`], then the checks of the run's
/// settings, without reading the `--load` and `--data` files).
///
/// # Errors
/// The one line `xiaolan` prints for a bad command line or bad settings.
pub fn command_line(bytes: &[u8]) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let argv = std::iter::once("xiaolan").chain(text.split('\n').filter(|_| !text.is_empty()));
    match Args::parse_args(argv) {
        Ok(args) => Plan::checked(args, None, None).map(drop).map_err(line),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => Ok(()),
        Err(e) => Err(line(crate::playground::args::error_line(&e))),
    }
}
