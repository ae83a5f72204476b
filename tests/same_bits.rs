//! The Playground's numbers do not depend on the CPU's kernels: the same
//! spiral run through every GEMM path this machine has (each crate forced,
//! and the fixed-order f64 loop with and without AVX2) saves the same
//! weights, byte for byte, and prints the same losses.

use std::path::PathBuf;
use std::process::Command;

/// One short Playground run with `XIAOLAN_GEMM=path`: its JSON summary and
/// the bytes of its saved network.
fn run(path: &str) -> (String, Vec<u8>) {
    let dir = std::env::temp_dir().join(format!("xiaolan-same-bits-{}-{path}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let weights: PathBuf = dir.join("w.safetensors");
    let o = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
        .env("XIAOLAN_GEMM", path)
        .args(["--epochs", "60", "--quiet", "--json", "--out"])
        .arg(&dir)
        .arg("--save")
        .arg(&weights)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let bytes = std::fs::read(&weights).expect("the network is saved");
    let _ = std::fs::remove_dir_all(&dir);
    (String::from_utf8_lossy(&o.stdout).into_owned(), bytes)
}

#[test]
fn the_playground_run_is_the_same_bits_through_every_kernel_path() {
    let (json, weights) = run("auto");
    assert!(json.contains("loss"), "a JSON summary: {json}");
    for path in ["gemm", "matrixmultiply", "baseline"] {
        let (j, w) = run(path);
        assert_eq!(j, json, "the printed run through {path}");
        assert!(w == weights, "the saved weights through {path} differ");
    }
}

#[test]
fn the_switch_reaches_the_crate_choice() {
    // the switch is process-wide: this test binary's only user of it
    use autograd::{gemm_crate_for, set_gemm_path, GemmPath};
    set_gemm_path(GemmPath::Matrixmultiply);
    assert_eq!(gemm_crate_for(10, 784, 30, false), "matrixmultiply");
    set_gemm_path(GemmPath::Gemm);
    assert_eq!(gemm_crate_for(256, 256, 256, true), "gemm");
    set_gemm_path(GemmPath::Auto);
    assert_eq!(gemm_crate_for(10, 784, 30, false), "gemm");
}
