//! Shared by the tests that run the examples as a user does.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs the example NAME with `--quick --out DIR` and returns its stdout and
/// the output directory. Fails the test when the example fails or does not
/// report that all its checks passed.
pub fn run_example(name: &str) -> (String, PathBuf) {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("example_{name}"));
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("the old output directory can be removed");
    }
    let output = example_command(name)
        .arg("--quick")
        .arg("--out")
        .arg(&out)
        .output()
        .expect("the example can be started");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "example {name} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    assert!(
        stdout.contains(&format!("{name}: all ")) && stdout.contains(" checks passed"),
        "example {name} did not report its checks:\n{stdout}"
    );
    (stdout, out)
}

/// The command that runs the example NAME from the workspace root; its
/// arguments follow.
///
/// The example is the binary `cargo test` built beside this test (in the
/// target's `examples/` folder) when it is at least as new as the test;
/// otherwise (a run of one test target, which builds no examples) it is
/// `cargo run --profile test --example NAME`. Going through `cargo run` every
/// time would rebuild the crates for one package's feature set, a minute and
/// more, where `cargo test --workspace` has already built them.
pub fn example_command(name: &str) -> Command {
    let mut command = match built_example(name) {
        Some(binary) => Command::new(binary),
        None => {
            let mut cargo = Command::new(env!("CARGO"));
            cargo.args(["run", "--quiet", "--profile", "test", "--example", name, "--"]);
            cargo
        }
    };
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// The example binary built with this test, if it is up to date with it.
fn built_example(name: &str) -> Option<PathBuf> {
    let test = std::env::current_exe().ok()?;
    // target/<profile>/deps/<test> beside target/<profile>/examples/<name>
    let binary = test
        .parent()?
        .parent()?
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    (modified(&binary)? >= modified(&test)?).then_some(binary)
}

/// What a picture looks like, for "is it blank?" checks.
pub struct PngStats {
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Number of distinct colours.
    pub colours: usize,
    /// Share of the pixels taken by the most common colour.
    pub top_share: f64,
    /// Share of the pixels that are not white.
    pub ink_share: f64,
}

/// Decodes `file` in `dir`, after checking that the example announced it in
/// `stdout`, and measures it.
pub fn png_stats(stdout: &str, dir: &Path, file: &str) -> PngStats {
    let path = dir.join(file);
    assert!(
        stdout.contains(&format!("wrote {}", path.display())),
        "the example did not announce {}:\n{stdout}",
        path.display()
    );
    let img = image::open(&path)
        .unwrap_or_else(|e| panic!("{} does not decode: {e}", path.display()))
        .to_rgb8();
    let mut counts = std::collections::HashMap::new();
    let mut ink = 0usize;
    for p in img.pixels() {
        *counts.entry(p.0).or_insert(0usize) += 1;
        if p.0 != [255, 255, 255] {
            ink += 1;
        }
    }
    let total = img.pixels().len() as f64;
    PngStats {
        size: img.dimensions(),
        colours: counts.len(),
        top_share: counts.values().copied().max().unwrap_or(0) as f64 / total,
        ink_share: ink as f64 / total,
    }
}
