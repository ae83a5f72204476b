//! Runs the `mnist_nielsen` example on a subset of MNIST (when `MNIST_DIR`
//! names the files) and the `custom_cost` example at its quick size, and
//! checks their printed numbers and their pictures.
//!
//! The examples run are the ones `cargo test` built with the tests.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

/// A fresh, empty directory for one test's pictures.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xiaolan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example NAME with ARGS, from the workspace root (see
/// [`common::example_command`]).
fn run_example(name: &str, args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut cmd = common::example_command(name);
    cmd.args(args);
    for (key, value) in env {
        match value {
            Some(v) => cmd.env(key, v),
            None => cmd.env_remove(key),
        };
    }
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot start example {name}: {e}"))
}

fn stdout_of(name: &str, out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "example {name} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Checks that `path` is a PNG (signature and IHDR chunk) and returns its
/// width and height. Also rejects files too small to hold anything but a
/// blank canvas: a rendered chart of this size compresses to tens of kB, an
/// empty one of the same size to a few.
fn png_size(path: &Path, min_bytes: usize) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        &bytes[..8],
        b"\x89PNG\r\n\x1a\n",
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(
        &bytes[12..16],
        b"IHDR",
        "{}: first chunk is not IHDR",
        path.display()
    );
    assert!(
        bytes.len() >= min_bytes,
        "{}: {} bytes, expected at least {min_bytes} for a picture that is not blank",
        path.display(),
        bytes.len()
    );
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    (w, h)
}

/// The numbers in a line, in order ("epoch 2: 4017/10000 = 40.17%" gives
/// 2, 4017, 10000, 40.17).
fn numbers(line: &str) -> Vec<f64> {
    line.split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|s| s.trim_matches('.').parse().ok())
        .collect()
}

#[test]
fn mnist_nielsen_trains_on_a_subset() {
    let Some(dir) = std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty()) else {
        println!(
            "note: MNIST_DIR is not set, so mnist_nielsen was not run; set it to the \
             directory of the four MNIST IDX files to run this test"
        );
        return;
    };
    let out_dir = temp_dir("mnist-nielsen");
    let out = run_example(
        "mnist_nielsen",
        &[
            "--subset",
            "1000",
            "--epochs",
            "2",
            "--out",
            out_dir.to_str().unwrap(),
        ],
        &[("MNIST_DIR", Some(dir.to_str().unwrap()))],
    );
    let stdout = stdout_of("mnist_nielsen", &out);
    assert!(
        stdout.contains("MNIST: 1000 training images (a subset), 10000 validation, 10000 test"),
        "{stdout}"
    );
    let epochs: Vec<Vec<f64>> = stdout
        .lines()
        .filter(|l| l.starts_with("epoch "))
        .map(numbers)
        .collect();
    assert_eq!(epochs.len(), 2, "one line per epoch:\n{stdout}");
    for (k, e) in epochs.iter().enumerate() {
        // epoch k+1: test accuracy C/10000 = P%
        assert_eq!(e[0], (k + 1) as f64, "{stdout}");
        assert_eq!(e[2], 10000.0, "{stdout}");
        assert!(
            (e[1] / 100.0 - e[3]).abs() < 0.006,
            "count and percent agree: {e:?}"
        );
    }
    let best = stdout
        .lines()
        .find(|l| l.starts_with("best: epoch "))
        .unwrap_or_else(|| panic!("no best line:\n{stdout}"));
    let b = numbers(best);
    let peak = epochs.iter().map(|e| e[3]).fold(f64::MIN, f64::max);
    assert_eq!(b[1], peak, "the best line gives the peak: {best}");
    // 200 SGD steps on 1000 images: well above chance (10 %), far from done.
    assert!(peak > 20.0 && peak < 95.0, "{best}");
    assert!(
        stdout.contains("mnist_nielsen: all 1 checks passed"),
        "{stdout}"
    );

    assert_eq!(png_size(&out_dir.join("accuracy.png"), 10_000), (800, 600));
    let (w, h) = png_size(&out_dir.join("misclassified.png"), 20_000);
    // 40 digits of 84 px in 10 columns, 4 rows, with captions and a title
    assert!(w >= 10 * 84 && h >= 4 * 84, "misclassified grid is {w}×{h}");
    for name in ["accuracy.png", "misclassified.png"] {
        let shown = format!("wrote {}", out_dir.join(name).display());
        assert!(stdout.contains(&shown), "{shown} missing from:\n{stdout}");
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn mnist_nielsen_says_how_to_get_missing_files() {
    let missing = temp_dir("mnist-missing");
    let out = run_example(
        "mnist_nielsen",
        &[
            "--quick",
            "--data",
            missing.to_str().unwrap(),
            "--out",
            missing.join("out").to_str().unwrap(),
        ],
        &[("MNIST_DIR", None)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for needle in [
        "train-images-idx3-ubyte not found",
        "t10k-labels-idx1-ubyte",
        "MNIST_DIR",
        "--data DIR",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&missing);
}

#[test]
fn mnist_nielsen_does_not_ask_for_data_dir_when_a_file_is_bad() {
    // the four files are there (given with --data), one holds no IDX data
    let dir = temp_dir("mnist-bad-content");
    for name in [
        "train-images-idx3-ubyte",
        "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte",
    ] {
        std::fs::write(dir.join(name), b"not an IDX file").unwrap();
    }
    let out = run_example(
        "mnist_nielsen",
        &[
            "--quick",
            "--data",
            dir.to_str().unwrap(),
            "--out",
            dir.join("out").to_str().unwrap(),
        ],
        &[("MNIST_DIR", None)],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not an IDX file"), "{stderr}");
    assert!(!stderr.contains("--data DIR"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn custom_cost_quick() {
    let out_dir = temp_dir("custom-cost");
    let out = run_example(
        "custom_cost",
        &["--quick", "--out", out_dir.to_str().unwrap()],
        &[],
    );
    let stdout = stdout_of("custom_cost", &out);
    assert!(
        stdout.contains("custom_cost: all 9 checks passed"),
        "{stdout}"
    );
    // four gradient-check tables, every element passing
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.starts_with("2 of 2 elements pass"))
            .count(),
        4,
        "{stdout}"
    );
    let fraction = |prefix: &str| {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(prefix) && l.contains("under-estimates"))
            .unwrap_or_else(|| panic!("no line {prefix:?}:\n{stdout}"));
        *numbers(line).last().unwrap()
    };
    let (sq, asym, pin) = (
        fraction("squared error"),
        fraction("asymmetric:"),
        fraction("pinball"),
    );
    assert!(
        asym < sq && pin < asym,
        "{sq}% {asym}% {pin}% under-estimated"
    );
    for name in ["costs.png", "fit_asymmetric.png", "fit_huber.png"] {
        assert_eq!(png_size(&out_dir.join(name), 10_000), (800, 600), "{name}");
    }
    let _ = std::fs::remove_dir_all(&out_dir);
}
