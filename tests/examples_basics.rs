//! Runs the examples of the course's first chapters (neurons, perceptron,
//! gradient descent, bias, sigmoid) at reduced sizes (`--quick`), checks the
//! numbers they print and that every picture they write decodes, has the
//! stated size and is not blank.

mod common;

use common::{png_stats, run_example as run};
use std::path::Path;

/// Asserts that `file` in `dir` is a PNG of `size` that is announced in
/// `stdout` and is not blank (several colours, no single colour covering
/// nearly everything).
fn assert_picture(stdout: &str, dir: &Path, file: &str, size: (u32, u32)) {
    let png = png_stats(stdout, dir, file);
    assert_eq!(png.size, size, "size of {file}");
    assert!(
        png.colours >= 8,
        "{file} has only {} colours: blank?",
        png.colours
    );
    assert!(
        png.top_share < 0.97,
        "{file}: one colour covers {:.1}% of the pixels: blank?",
        100.0 * png.top_share
    );
}

/// The number printed right after `key` on the first line containing it.
fn number_after(stdout: &str, key: &str) -> f64 {
    let line = stdout
        .lines()
        .find(|l| l.contains(key))
        .unwrap_or_else(|| panic!("no line with {key:?} in:\n{stdout}"));
    let rest = &line[line.find(key).expect("key in line") + key.len()..];
    let token: String = rest
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | '+'))
        .collect();
    token
        .parse()
        .unwrap_or_else(|e| panic!("{key:?} is followed by {token:?}, not a number ({e}): {line}"))
}

#[test]
fn mcculloch_pitts_weighs_size_colour_and_smell() {
    let (stdout, dir) = run("mcculloch_pitts");
    assert!(stdout.contains("a unit of size adds 1.5, of colour 1.2, of smell 0.6"));
    assert!(stdout.contains("big bright"));
    assert_eq!(
        number_after(&stdout, "check beans the neuron calls toxic (of 6):"),
        3.0
    );
    // three maps of 420×460 and the colour key's strip (30 pixels) under them
    assert_picture(&stdout, &dir, "mp_output.png", (1260, 460 + 30));
    assert_picture(&stdout, &dir, "mp_contributions.png", (800, 600));
}

#[test]
fn perceptron_learns_and_or_beans_but_not_xor() {
    let (stdout, dir) = run("perceptron");
    // The NAND truth table: (1, 1) gives -2 - 2 + 3 = -1, output 0.
    assert!(stdout.contains("  1   1           -1       0"), "{stdout}");
    for gate in ["AND", "OR", "beans"] {
        assert!(
            stdout.contains(&format!("{gate:<6}: no mistakes in epoch")),
            "{gate} not learned:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("XOR   : never without mistakes"),
        "{stdout}"
    );
    assert!(number_after(&stdout, "best") < 4.0);
    // 2 × 2 maps of 380×420 and the colour key's strip (30 pixels)
    assert_picture(&stdout, &dir, "perceptron_lines.png", (760, 840 + 30));
}

#[test]
fn gradient_descent_wx_reaches_1_7() {
    let (stdout, dir) = run("gradient_descent_wx");
    assert!(
        stdout.contains("so e(w) = 0.1600w^2 + (-0.5440)w + 0.4624"),
        "{stdout}"
    );
    let w = number_after(
        &stdout,
        "check w after 40 steps (the bottom is 0.68 / 0.4):",
    );
    assert!((w - 1.7).abs() < 1e-5, "w = {w}");
    // The first step from w = 0: -1 * (-2 * 0.4 * 0.68) = 0.544.
    assert!(stdout.contains("    1     0.544000"), "{stdout}");
    assert_eq!(
        number_after(&stdout, "over 10 steps:"),
        0.0,
        "Rosenblatt and the gradient step differ"
    );
    assert_picture(&stdout, &dir, "gd_parabola.png", (800, 600));
    assert_picture(&stdout, &dir, "gd_loss.png", (800, 600));
}

#[test]
fn gradient_descent_wxb_finds_the_least_squares_line() {
    let (stdout, dir) = run("gradient_descent_wxb");
    let w = number_after(&stdout, "gradient descent: w =");
    let w_ls = number_after(&stdout, "least squares:    w =");
    assert!(
        (w - w_ls).abs() < 1e-5 && (w - 0.6).abs() < 0.1,
        "w = {w}, {w_ls}"
    );
    for file in ["wxb_surface.png", "wxb_contour.png", "wxb_fit.png"] {
        let size = match file {
            "wxb_surface.png" => (800, 700),
            "wxb_contour.png" => (800, 640),
            _ => (800, 600),
        };
        assert_picture(&stdout, &dir, file, size);
    }
}

#[test]
fn sigmoid_neuron_gradients_agree_three_ways() {
    let (stdout, dir) = run("sigmoid_neuron");
    assert!(stdout.contains("2 of 2 elements pass"), "{stdout}");
    assert!(number_after(&stdout, "check largest |chain rule - tape|:") < 1e-14);
    let crossing = number_after(&stdout, "a = 0.5 at x =");
    assert!((crossing - 0.5).abs() < 0.05, "crossing {crossing}");
    assert_picture(&stdout, &dir, "sigmoid_fit.png", (800, 600));
}

#[test]
fn chain_rule_draws_the_tape_with_every_number_checked() {
    let (stdout, dir) = run("chain_rule");
    for what in ["neuron", "network"] {
        assert!(
            stdout.contains(&format!(
                "check {what}: every gradient vs the chain rule by hand"
            )),
            "{stdout}"
        );
    }
    assert_picture(&stdout, &dir, "chain_rule_neuron.png", (1101, 291));
    assert_picture(&stdout, &dir, "chain_rule_network.png", (1903, 499));
    let dot = std::fs::read_to_string(dir.join("chain_rule_neuron.dot")).unwrap();
    assert!(dot.starts_with("digraph tape {"), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 6, "{dot}");
}

#[test]
fn jacobians_match_their_closed_forms() {
    let (stdout, dir) = run("jacobians");
    assert!(stdout.contains("check polar: det J = r"), "{stdout}");
    assert_picture(&stdout, &dir, "jacobians_polar.png", (640, 376));
}
