//! Helpers shared by the examples: command-line parsing, the output
//! directory, and numeric checks that make the example exit non-zero when
//! the course's numbers are not reproduced.
//!
//! Each example starts with `let mut ex = Example::new("name");`, writes its
//! pictures to `ex.path("file.png")` (announcing them with `ex.wrote`),
//! compares numbers with `ex.check(..)` and ends with `ex.finish()`.
//!
//! Command line understood by every example:
//!
//! ```text
//! --out DIR   write pictures into DIR (default: out/NAME), created if missing
//! --quick     smaller sizes (fewer epochs, points, steps) for fast tests
//! --help      print this usage and exit
//! ```

use std::path::{Path, PathBuf};

/// One running example: its name, output directory, mode and the checks
/// that failed so far.
#[allow(dead_code)]
pub struct Example {
    name: String,
    out: PathBuf,
    quick: bool,
    checks: usize,
    failures: Vec<String>,
}

#[allow(dead_code)]
impl Example {
    /// Parses `--out DIR`, `--quick` and `--help` from the command line and
    /// creates the output directory (default `out/NAME`). Exits with status 2
    /// and a usage message on an unknown argument, and with status 1 when the
    /// directory cannot be created.
    pub fn new(name: &str) -> Example {
        let usage = format!(
            "usage: cargo run --release --example {name} [-- [--out DIR] [--quick]]\n  \
             --out DIR   write pictures into DIR (default: out/{name})\n  \
             --quick     smaller sizes for fast tests"
        );
        let mut out = PathBuf::from("out").join(name);
        let mut quick = false;
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--out" => match args.next() {
                    Some(dir) => out = PathBuf::from(dir),
                    None => {
                        eprintln!(
                            "{name}: expected a directory after --out, found nothing\n{usage}"
                        );
                        std::process::exit(2);
                    }
                },
                "--quick" => quick = true,
                "-h" | "--help" => {
                    println!("{usage}");
                    std::process::exit(0);
                }
                other => match other.strip_prefix("--out=") {
                    Some(dir) => out = PathBuf::from(dir),
                    None => {
                        eprintln!(
                            "{name}: unknown argument {other:?}; expected --out DIR or --quick\n{usage}"
                        );
                        std::process::exit(2);
                    }
                },
            }
        }
        if let Err(e) = std::fs::create_dir_all(&out) {
            eprintln!(
                "{name}: cannot create output directory {}: {e}",
                out.display()
            );
            std::process::exit(1);
        }
        Example {
            name: name.to_string(),
            out,
            quick,
            checks: 0,
            failures: Vec::new(),
        }
    }

    /// True when `--quick` was given: the example should use smaller sizes.
    pub fn quick(&self) -> bool {
        self.quick
    }

    /// The output directory.
    pub fn out_dir(&self) -> &Path {
        &self.out
    }

    /// The path of `file` inside the output directory.
    pub fn path(&self, file: &str) -> PathBuf {
        self.out.join(file)
    }

    /// Announces a file the example has written.
    pub fn wrote(&self, path: &Path) {
        println!("wrote {}", path.display());
    }

    /// Compares `got` with `want`: passes when `|got − want| ≤ tol` (a NaN
    /// never passes). Prints one line either way and records a failure.
    pub fn check(&mut self, what: &str, got: f64, want: f64, tol: f64) {
        self.checks += 1;
        let ok = (got - want).abs() <= tol;
        if ok {
            println!(
                "check {what}: {} (want {} ± {tol:e}) ok",
                num(got),
                num(want)
            );
        } else {
            let msg = format!(
                "{what}: got {}, expected {} ± {tol:e} (off by {:e})",
                num(got),
                num(want),
                (got - want).abs()
            );
            println!("check {msg} FAILED");
            self.failures.push(msg);
        }
    }

    /// Records a yes/no check (for facts that are not a number), printing
    /// `what` and the outcome.
    pub fn check_that(&mut self, what: &str, ok: bool) {
        self.checks += 1;
        if ok {
            println!("check {what}: ok");
        } else {
            println!("check {what}: FAILED");
            self.failures.push(what.to_string());
        }
    }

    /// Prints a summary of the checks and exits with status 1 if any failed.
    pub fn finish(self) {
        if self.failures.is_empty() {
            println!("{}: all {} checks passed", self.name, self.checks);
        } else {
            eprintln!(
                "{}: {} of {} checks failed:",
                self.name,
                self.failures.len(),
                self.checks
            );
            for f in &self.failures {
                eprintln!("  {f}");
            }
            std::process::exit(1);
        }
    }
}

/// A number for a check line: plain when it reads well, in scientific
/// notation when it is very small or very large.
fn num(x: f64) -> String {
    if x == 0.0 || (1e-4..1e7).contains(&x.abs()) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}
