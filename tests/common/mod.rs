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
/// The example is the binary `cargo test --workspace` builds: cargo is asked
/// for it once per test binary (`cargo test --workspace --no-run`, a no-op
/// after that command, and a build of what is stale otherwise). `cargo run
/// --example` would build the crates again for one package's feature set,
/// a minute and more, where `cargo test --workspace` has already built them.
pub fn example_command(name: &str) -> Command {
    let binary = built_examples()
        .get(name)
        .unwrap_or_else(|| panic!("cargo test --workspace --no-run built no example named {name}"));
    let mut command = Command::new(binary);
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

/// The examples `cargo test --workspace` builds, by name.
fn built_examples() -> &'static std::collections::HashMap<String, PathBuf> {
    static BUILT: std::sync::OnceLock<std::collections::HashMap<String, PathBuf>> =
        std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args(["test", "--workspace", "--no-run", "--message-format=json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo can be started");
        assert!(
            output.status.success(),
            "cargo test --workspace --no-run failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| {
                m["reason"] == "compiler-artifact"
                    && m["profile"]["test"] == false
                    && m["target"]["kind"]
                        .as_array()
                        .is_some_and(|k| k.iter().any(|k| k == "example"))
            })
            .filter_map(|m| {
                let name = m["target"]["name"].as_str()?.to_string();
                Some((name, PathBuf::from(m["executable"].as_str()?)))
            })
            .collect()
    })
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
