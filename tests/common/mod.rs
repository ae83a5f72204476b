//! Shared by the tests that run the examples as a user does.
// Each test binary uses part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo run --example NAME -- --quick --out DIR` with the test profile
/// (whose dependencies `cargo test` has already built) and returns its stdout
/// and the output directory. Fails the test when the example fails or does
/// not report that all its checks passed.
pub fn run_example(name: &str) -> (String, PathBuf) {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("example_{name}"));
    if out.exists() {
        std::fs::remove_dir_all(&out).expect("the old output directory can be removed");
    }
    let output = Command::new(env!("CARGO"))
        .args([
            "run",
            "--quiet",
            "--profile",
            "test",
            "--example",
            name,
            "--",
        ])
        .arg("--quick")
        .arg("--out")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo can be started");
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
