//! `xiaolan`: the TensorFlow Playground as a command.
//!
//! `cargo run --release` trains the course's spiral with 3 hidden layers of
//! 8 ReLU neurons under the Playground's rules and writes its pictures into
//! `out/playground/`; `--help` lists every control.

mod playground;

use clap::error::ErrorKind;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match playground::args::Args::try_parse() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            print!("{e}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's first line says what was wrong; the usage lines after it
            // are left out so that a bad flag is one line, like every error
            let text = e.to_string();
            let line = text.lines().next().unwrap_or("error: bad arguments");
            eprintln!("{line} (see --help)");
            return ExitCode::from(2);
        }
    };
    match playground::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
