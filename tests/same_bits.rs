//! The Playground's numbers do not depend on the CPU's kernels: the same
//! spiral run through every GEMM path this machine has (each crate forced,
//! and the fixed-order f64 loop with and without AVX2) prints the same
//! losses, to the last bit, and draws the same decision map.

use std::process::Command;

/// One short Playground run with `XIAOLAN_GEMM=path`: its JSON summary
/// without the time it took (every epoch's losses, printed to the last
/// bit) and the bytes of its decision map.
fn run(path: &str) -> (serde_json::Value, Vec<u8>) {
    // one directory for every path, so that the file names printed agree
    let dir = std::env::temp_dir().join(format!("xiaolan-same-bits-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
        .env("XIAOLAN_GEMM", path)
        .args(["--epochs", "60", "--quiet", "--json", "--out"])
        .arg(&dir)
        .output()
        .expect("the binary runs");
    assert!(
        o.status.success(),
        "{path}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut json: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("a JSON summary on stdout");
    json.as_object_mut()
        .expect("a JSON object")
        .remove("seconds")
        .expect("the run's time");
    let picture = std::fs::read(dir.join("decision.png")).expect("the decision map");
    let _ = std::fs::remove_dir_all(&dir);
    (json, picture)
}

#[test]
fn the_playground_run_is_the_same_bits_through_every_kernel_path() {
    let (json, picture) = run("auto");
    assert_eq!(json["history"].as_array().map(Vec::len), Some(61), "{json}");
    for path in ["gemm", "matrixmultiply", "baseline"] {
        let (j, p) = run(path);
        assert_eq!(j, json, "the run through {path}");
        assert!(p == picture, "the decision map through {path} differs");
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
    assert_eq!(gemm_crate_for(256, 512, 10, false), "gemm");
}
