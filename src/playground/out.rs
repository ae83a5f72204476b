//! What the command writes to the terminal: the progress bar and its
//! lines on standard error, and standard output. A reader that has gone
//! away (a broken pipe, as `xiaolan --seed 2 | head -1` makes once `head`
//! has its line, or `xiaolan 2>&1 | head -1` for standard error) is not an
//! error: the run goes on quietly, writing nothing more there, and ends
//! with the exit code it would have had.

use super::args::Args;
use super::error::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{ErrorKind, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once standard output's reader has gone.
static GONE: AtomicBool = AtomicBool::new(false);

/// A progress bar of `len` epochs on standard error, unless `--quiet`,
/// `--json` or standard error is not a terminal.
pub fn progress_bar(args: &Args, len: u64) -> Option<ProgressBar> {
    if args.quiet || args.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let style = ProgressStyle::with_template("{bar:30} {pos}/{len} epochs {msg} [{elapsed}<{eta}]")
        .expect("a valid template");
    Some(ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()).with_style(style))
}

/// Writes `text` to standard output as it is, and flushes it.
///
/// # Errors
/// [`Error::Stdout`] if standard output cannot be written for another
/// reason than a broken pipe (a full disk, say).
pub fn write(text: &str) -> Result<()> {
    if GONE.load(Ordering::Relaxed) {
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {
            GONE.store(true, Ordering::Relaxed);
            Ok(())
        }
        r => r.map_err(Error::Stdout),
    }
}

/// `println!` through [`write`]: a line on standard output, returning
/// [`Result`] instead of panicking when the line cannot be written.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::playground::out::write(&format!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use say;

/// Writes `line` and a line break to standard error: a note, a warning or
/// the error that ends the run. A standard error that cannot be written
/// (its reader gone) is ignored, as there is nowhere left to say so; unlike
/// `eprintln!`, it never panics.
pub fn tell(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}
