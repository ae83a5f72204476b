//! Runs the network examples (hill, two_features, playground_circle,
//! playground_spiral) with `--quick` and checks what they print and the
//! pictures they write: each PNG decodes, has a plausible size and is not
//! blank; the GIF starts with a GIF header.

mod common;

use common::{png_stats, run_example};
use std::path::Path;

/// The line of `stdout` starting with `prefix` (after leading spaces).
fn line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{stdout}"))
}

/// The percentages (numbers followed by `%`) in a line, in order.
fn percents(line: &str) -> Vec<f64> {
    line.split_whitespace()
        .filter_map(|w| w.trim_end_matches([',', ')']).strip_suffix('%'))
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// The PNG decodes, is at least `min` pixels a side, and is not blank: it
/// has many colours and a good share of non-white pixels.
fn check_png(dir: &Path, file: &str, min: (u32, u32), stdout: &str) {
    let png = png_stats(stdout, dir, file);
    let (w, h) = png.size;
    assert!(
        w >= min.0 && h >= min.1,
        "{file}: expected at least {min:?} pixels, found {w}x{h}"
    );
    assert!(
        png.colours >= 8 && png.ink_share > 0.02,
        "{file} looks blank: {} colours, {:.1}% non-white pixels",
        png.colours,
        100.0 * png.ink_share
    );
}

#[test]
fn hill_one_neuron_fails_two_hidden_fit() {
    let (stdout, dir) = run_example("hill");
    let single = percents(line(&stdout, "best single neuron:"));
    let net = percents(line(&stdout, "network: loss"));
    assert!(single[0] < 75.0, "{stdout}");
    assert!(net[0] >= 95.0 && net[0] > single[0] + 20.0, "{stdout}");
    assert!(line(&stdout, "hidden A (blue)").contains("sigmoid("));
    check_png(&dir, "hill_single_neuron.png", (600, 400), &stdout);
    check_png(&dir, "hill_network.png", (600, 400), &stdout);
}

#[test]
fn two_features_straight_then_curved_boundary() {
    let (stdout, dir) = run_example("two_features");
    let straight = percents(line(&stdout, "one neuron, straight set:"));
    let neuron = percents(line(&stdout, "one neuron, curved set:"));
    let net = percents(line(&stdout, "2-2-1 network, curved set:"));
    assert!(straight[0] >= 95.0, "{stdout}");
    assert!(neuron[0] < 92.0 && net[0] >= 95.0, "{stdout}");
    for file in [
        "two_features_surface.png",
        "two_features_boundary.png",
        "two_features_curved.png",
    ] {
        check_png(&dir, file, (400, 400), &stdout);
    }
}

#[test]
fn playground_circle_needs_three_hidden_neurons() {
    let (stdout, dir) = run_example("playground_circle");
    let two = line(&stdout, "2  ");
    let three = line(&stdout, "3  ");
    assert!(
        two.ends_with(&format!("0 of {}", percents(two).len())),
        "{stdout}"
    );
    assert!(percents(two).iter().all(|&a| a < 95.0), "{stdout}");
    assert!(
        percents(three).iter().filter(|&&a| a >= 95.0).count() * 2 > percents(three).len(),
        "{stdout}"
    );
    check_png(&dir, "circle_seeds.png", (500, 400), &stdout);
    check_png(&dir, "circle_three_lines.png", (400, 400), &stdout);
}

#[test]
fn playground_spiral_sigmoid_vanishes_relu_learns() {
    let (stdout, dir) = run_example("playground_spiral");
    let sigmoid = percents(line(&stdout, "3x4 sigmoid  "));
    assert!(
        !sigmoid.is_empty() && sigmoid.iter().all(|&a| a < 70.0),
        "{stdout}"
    );
    assert!(line(&stdout, "first epoch: the sigmoid network's first layer").contains("times less"));
    let dead = line(&stdout, "total over 3 seeds:");
    assert!(
        dead.contains("relu") && dead.contains("leaky_relu"),
        "{stdout}"
    );
    check_png(&dir, "spiral_training_frames.png", (1000, 200), &stdout);
    for file in [
        "spiral_gradient_norms.png",
        "spiral_relu.png",
        "spiral_sigmoid.png",
        "spiral_neurons.png",
    ] {
        check_png(&dir, file, (400, 300), &stdout);
    }
    let gif = std::fs::read(dir.join("spiral_training.gif")).expect("the GIF was written");
    assert!(
        gif.starts_with(b"GIF89a") && gif.len() > 10_000,
        "not an animated GIF"
    );
    assert!(stdout.contains("spiral_training.gif"));
}
