//! `xiaolan`: the TensorFlow Playground as a command.
//!
//! `cargo run --release` trains the course's spiral with 3 hidden layers of
//! 8 ReLU neurons under the Playground's rules and writes its pictures into
//! `out/playground/`; `--help` lists every control. `xiaolan serve` serves
//! the Playground as an interactive web page.

use clap::error::ErrorKind;
use std::process::ExitCode;
use xiaolan::cli;

/// `xiaolan serve`: where to serve the page.
#[derive(clap::Parser, Debug)]
#[command(
    name = "xiaolan serve",
    about = "Serves the Playground as a web page, training live on xiaolan's engine"
)]
struct ServeArgs {
    /// The address to listen on; anything but 127.0.0.1 makes the page
    /// reachable from other machines.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// The port (0: any free port; the address is printed).
    #[arg(long, default_value = "8086")]
    port: u16,
}

fn main() -> ExitCode {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if argv.get(1).is_some_and(|a| a == "serve") {
        use clap::Parser;
        let rest = std::iter::once(argv[0].clone()).chain(argv[2..].iter().cloned());
        return match ServeArgs::try_parse_from(rest) {
            Ok(a) => match cli::serve(&a.host, a.port) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    cli::tell(&format!(
                        "error: cannot serve on {}:{}: {e}",
                        nn::error::escaped(&a.host),
                        a.port
                    ));
                    ExitCode::FAILURE
                }
            },
            Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
                let _ = cli::write(&e.to_string());
                ExitCode::SUCCESS
            }
            Err(e) => {
                cli::tell(&cli::error_line(&e));
                ExitCode::from(2)
            }
        };
    }
    let args = match cli::Args::parse_command_line() {
        Ok(args) => args,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            // through the one writer of standard output: `--help | head -1`
            // ends quietly
            return match cli::write(&e.to_string()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    cli::tell(&format!("error: {e}"));
                    ExitCode::FAILURE
                }
            };
        }
        Err(e) => {
            // one line, like every error: clap's usage lines are left out
            cli::tell(&cli::error_line(&e));
            return ExitCode::from(2);
        }
    };
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            cli::tell(&format!("error: {e}"));
            ExitCode::FAILURE
        }
    }
}
