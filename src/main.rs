//! `xiaolan`: the TensorFlow Playground as a command.
//!
//! `cargo run --release` trains the course's spiral with 3 hidden layers of
//! 8 ReLU neurons under the Playground's rules and writes its pictures into
//! `out/playground/`; `--help` lists every control.

mod playground;

use clap::error::ErrorKind;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match playground::args::Args::parse_command_line() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // through the one writer of standard output: `--help | head -1`
            // ends quietly
            return match playground::out::write(&e.to_string()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Err(e) => {
            // one line, like every error: clap's usage lines are left out
            eprintln!("{}", playground::args::error_line(&e));
            return ExitCode::from(2);
        }
    };
    match playground::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
