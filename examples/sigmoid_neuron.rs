//! A sigmoid neuron for classification: beans are safe (0) below size 0.5
//! and toxic (1) from 0.5 on. A straight line y = w·x + b fitted to 0/1
//! data runs below 0 and above 1 and has no meaning as a probability; the
//! activation function (激活函数) sigmoid σ(z) = 1 / (1 + e^(−z)) bends
//! z = w·x + b into an S-curve between 0 and 1.
//!
//! Both are fitted by gradient descent on the squared error, the S-curve on
//! e = (y − a)² with a = σ(wx + b). The chain rule (链式法则) gives
//! ∂e/∂w = −2(y − a)·a(1 − a)·x and ∂e/∂b = −2(y − a)·a(1 − a); the example
//! prints those next to the tape's gradient and central differences for
//! several beans, and the gradient check's report.
//!
//! ```sh
//! cargo run --release --example sigmoid_neuron [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::{check_grad, numeric_derivative, Tape, Tensor, Var};
use common::Example;
use nn::data::beans;
use nn::plot::{scatter_with_curves, ChartOptions, Color, Legend, Series};

/// " + 0.23" or " - 0.23": a term after another one.
fn plus(v: f64, decimals: usize) -> String {
    let sign = if v < 0.0 { '-' } else { '+' };
    format!(" {sign} {:.decimals$}", v.abs())
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Mean squared error of `model` over the beans and its gradient in (w, b),
/// from the tape; `squash` applies the sigmoid.
fn cost_and_grad(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    w0: f64,
    b0: f64,
    squash: bool,
) -> (f64, f64, f64) {
    let tape = Tape::new();
    let (w, b) = (tape.var(w0), tape.var(b0));
    let z = tape.tensor_constant(x.clone()) * w + b;
    let a = if squash { z.sigmoid() } else { z };
    let e = (tape.tensor_constant(y.clone()) - a).powi(2).mean();
    let g = e.backward();
    (e.value(), g[w], g[b])
}

/// Gradient descent on (w, b) from (0, 0).
fn descend(
    x: &Tensor<f64>,
    y: &Tensor<f64>,
    squash: bool,
    alpha: f64,
    steps: usize,
) -> (f64, f64, f64) {
    let (mut w, mut b) = (0.0, 0.0);
    for _ in 0..steps {
        let (_, gw, gb) = cost_and_grad(x, y, w, b, squash);
        w -= alpha * gw;
        b -= alpha * gb;
    }
    let (e, _, _) = cost_and_grad(x, y, w, b, squash);
    (w, b, e)
}

/// One bean's error e = (y − σ(wx + b))² on the tape.
fn bean_error<'t>(p: &[Var<'t, f64>], x: f64, y: f64) -> Var<'t, f64> {
    (y - (p[0] * x + p[1]).sigmoid()).powi(2)
}

fn main() {
    let mut ex = Example::new("sigmoid_neuron");
    let n = if ex.quick() { 40 } else { 80 };
    let set = beans::threshold(n, 5);
    let (x, y) = (set.x().clone(), set.y().clone());
    let data: Vec<(f64, f64)> = x
        .data()
        .iter()
        .copied()
        .zip(y.data().iter().copied())
        .collect();
    println!(
        "{n} beans: safe (0) below size {}, toxic (1) from it on",
        beans::THRESHOLD
    );

    // The line and the S-curve, both by gradient descent on the squared error.
    let (wl, bl, el) = descend(&x, &y, false, 0.7, 500);
    let steps = if ex.quick() { 3000 } else { 20000 };
    let (ws, bs, es) = descend(&x, &y, true, 20.0, steps);
    let accuracy = |f: &dyn Fn(f64) -> f64| {
        data.iter()
            .filter(|&&(xi, yi)| (f(xi) >= 0.5) == (yi == 1.0))
            .count() as f64
            / n as f64
    };
    let line = |v: f64| wl * v + bl;
    let curve = |v: f64| sigmoid(ws * v + bs);
    println!(
        "line    y = {wl:.3}x{}: cost {el:.4}, ranges from {:.2} to {:.2} over [0, 1], accuracy {:.0}%",
        plus(bl, 3),
        line(0.0),
        line(1.0),
        100.0 * accuracy(&line)
    );
    println!(
        "sigmoid a = sigmoid({ws:.2}x{}): cost {es:.4}, a = 0.5 at x = {:.3}, accuracy {:.0}%",
        plus(bs, 2),
        -bs / ws,
        100.0 * accuracy(&curve)
    );
    ex.check_that(
        "the line leaves [0, 1] (it is no probability)",
        line(0.0) < 0.0 && line(1.0) > 1.0,
    );
    ex.check_that("the S-curve's squared error is below the line's", es < el);
    ex.check("S-curve accuracy", accuracy(&curve), 1.0, 0.0);
    ex.check(
        "where the S-curve crosses 0.5 (the threshold 0.5)",
        -bs / ws,
        beans::THRESHOLD,
        0.05,
    );

    // The chain rule against the tape and central differences.
    let (w0, b0) = (4.0, -2.0);
    println!(
        "\ngradients of e = (y - a)^2, a = sigmoid(wx + b), at w = {w0}, b = {b0}: \
         chain rule -2(y-a)a(1-a)x and -2(y-a)a(1-a), tape, numeric"
    );
    println!(
        "{:>5} {:>3} {:>7} | {:>12} {:>12} {:>12} | {:>12} {:>12} {:>12}",
        "x", "y", "a", "de/dw chain", "tape", "numeric", "de/db chain", "tape", "numeric"
    );
    let (mut tape_err, mut num_err): (f64, f64) = (0.0, 0.0);
    let picks = [0usize, 3, 7, 12, 20, 31];
    for &i in &picks {
        let (xi, yi) = data[i % data.len()];
        let a = sigmoid(w0 * xi + b0);
        let dw_chain = -2.0 * (yi - a) * a * (1.0 - a) * xi;
        let db_chain = -2.0 * (yi - a) * a * (1.0 - a);
        let tape = Tape::new();
        let p = [tape.var(w0), tape.var(b0)];
        let g = bean_error(&p, xi, yi).backward();
        let (dw_tape, db_tape) = (g[p[0]], g[p[1]]);
        let e = |w: f64, b: f64| (yi - sigmoid(w * xi + b)).powi(2);
        let dw_num = numeric_derivative(|w| e(w, b0), w0, 1e-6);
        let db_num = numeric_derivative(|b| e(w0, b), b0, 1e-6);
        println!(
            "{xi:>5.3} {yi:>3} {a:>7.4} | {dw_chain:>12.8} {dw_tape:>12.8} {dw_num:>12.8} | {db_chain:>12.8} {db_tape:>12.8} {db_num:>12.8}"
        );
        tape_err = tape_err
            .max((dw_chain - dw_tape).abs())
            .max((db_chain - db_tape).abs());
        num_err = num_err
            .max((dw_tape - dw_num).abs())
            .max((db_tape - db_num).abs());
    }
    ex.check("largest |chain rule - tape|", tape_err, 0.0, 1e-14);
    ex.check("largest |tape - central difference|", num_err, 0.0, 1e-8);

    let (xi, yi) = data[0];
    println!("\nautograd::check_grad on the bean x = {xi:.3}, y = {yi} (inputs x0 = w, x1 = b):");
    let report = check_grad(|p: &[Var<f64>]| bean_error(p, xi, yi), &[w0, b0]);
    println!("{report}");
    ex.check_that("check_grad passes", report.passed());

    let file = ex.path("sigmoid_fit.png");
    scatter_with_curves(
        &file,
        "0/1 beans: a line versus a sigmoid S-curve",
        "size x",
        "toxic (1) or safe (0)",
        &data,
        &[
            Series::from_fn(
                format!("line y = {wl:.2}x{}", plus(bl, 2)),
                (0.0, 1.0),
                2,
                line,
            )
            .color(Color::RED)
            .dashed(),
            Series::from_fn(
                format!("a = sigmoid({ws:.1}x{})", plus(bs, 1)),
                (0.0, 1.0),
                200,
                curve,
            )
            .color(Color::BLUE),
        ],
        &ChartOptions {
            x_range: Some((0.0, 1.0)),
            y_range: Some((-0.4, 1.4)),
            legend: Legend::UpperLeft,
            ..ChartOptions::default()
        },
    )
    .expect("render the fits");
    ex.wrote(&file);
    ex.finish();
}
