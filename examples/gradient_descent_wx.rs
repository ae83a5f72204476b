//! Gradient descent (梯度下降) on the course's first bean: size x = 0.4,
//! toxicity y = 0.68, prediction ŷ = w·x, squared error
//! e(w) = (y − wx)² = 0.16w² − 0.544w + 0.4624, a parabola opening upwards
//! whose bottom is at w = 0.68 / 0.4 = 1.7.
//!
//! It prints
//! - e(w) recorded on the tape next to the expanded polynomial at several w,
//!   and the polynomial's three coefficients recovered from the tape alone:
//!   e(0), de/dw at 0, and d²e/dw² (from `autograd::hessian`) halved;
//! - the slope de/dw three ways: from the tape, by the course's chain-rule
//!   formula −2x(y − wx), and by central differences;
//! - gradient descent w ← w − α·de/dw from w = 0, converging to 1.7;
//! - Rosenblatt's update w ← w + α(y − wx)x next to the gradient step with
//!   learning rate α/2: the same numbers, since de/dw = −2(y − wx)x.
//!
//! Pictures: the parabola with the descent steps on it, and the error per step.
//!
//! ```sh
//! cargo run --release --example gradient_descent_wx [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::{hessian, numeric_derivative, Dual, Tape, Var};
use common::Example;
use nn::data::beans::COURSE_BEAN;
use nn::plot::{line_chart, ChartOptions, Color, Legend, Series};

const X: f64 = COURSE_BEAN.0;
const Y: f64 = COURSE_BEAN.1;

/// e(w) and de/dw at `w`, from the tape.
fn error_and_slope(w0: f64) -> (f64, f64) {
    let tape = Tape::new();
    let w = tape.var(w0);
    let e = (Y - w * X).powi(2);
    let g = e.backward();
    (e.value(), g[w])
}

/// `v`, with rounding noise below 1e-12 shown as 0 (no "-0.000000").
fn tidy(v: f64) -> f64 {
    if v.abs() < 1e-12 {
        0.0
    } else {
        v
    }
}

/// The course's expanded polynomial.
fn poly(w: f64) -> f64 {
    0.16 * w * w - 0.544 * w + 0.4624
}

fn main() {
    let mut ex = Example::new("gradient_descent_wx");
    println!("the bean: x = {X}, y = {Y}; prediction y_hat = w*x; error e(w) = (y - w*x)^2");

    // 1. e(w) from the tape against the expanded polynomial.
    println!(
        "\n{:>6} {:>12} {:>26}",
        "w", "e (tape)", "0.16w^2 - 0.544w + 0.4624"
    );
    let mut worst: f64 = 0.0;
    for w in [-1.0, 0.0, 0.5, 1.0, 1.7, 2.5, 3.0] {
        let (e, _) = error_and_slope(w);
        println!("{w:>6.2} {:>12.6} {:>26.6}", tidy(e), tidy(poly(w)));
        worst = worst.max((e - poly(w)).abs());
    }
    ex.check("largest |e(tape) - polynomial|", worst, 0.0, 1e-12);

    // 2. The coefficients, recovered from the tape: c = e(0), b = e'(0), a = e''/2.
    let (c, b) = error_and_slope(0.0);
    let h = hessian(|w: &[Var<Dual>]| (Y - w[0] * X).powi(2), &[0.0]);
    let a = h[0][0] / 2.0;
    println!(
        "\nfrom the tape: e(0) = {c:.4}, de/dw(0) = {b:.4}, d2e/dw2 = {:.4}, \
         so e(w) = {a:.4}w^2 + ({b:.4})w + {c:.4}",
        h[0][0]
    );
    ex.check("w^2 coefficient = d2e/dw2 / 2", a, 0.16, 1e-12);
    ex.check("w coefficient = de/dw at 0", b, -0.544, 1e-12);
    ex.check("constant = e(0)", c, 0.4624, 1e-12);

    // 3. The slope three ways.
    println!(
        "\n{:>6} {:>14} {:>14} {:>14}",
        "w", "de/dw tape", "-2x(y - wx)", "numeric"
    );
    let (mut exact, mut numeric_err): (f64, f64) = (0.0, 0.0);
    for w in [-1.0, 0.0, 0.5, 1.0, 1.7, 2.5, 3.0] {
        let (_, g) = error_and_slope(w);
        let by_hand = -2.0 * X * (Y - w * X);
        let numeric = numeric_derivative(|w| (Y - w * X).powi(2), w, 1e-6);
        println!(
            "{w:>6.2} {:>14.9} {:>14.9} {:>14.9}",
            tidy(g),
            tidy(by_hand),
            tidy(numeric)
        );
        exact = exact.max((g - by_hand).abs());
        numeric_err = numeric_err.max((g - numeric).abs());
    }
    ex.check("largest |tape - (-2x(y - wx))|", exact, 0.0, 1e-12);
    ex.check(
        "largest |tape - central difference|",
        numeric_err,
        0.0,
        1e-8,
    );

    // 4. Gradient descent from w = 0.
    let alpha = 1.0;
    let steps = 40;
    let mut w = 0.0;
    let mut path = vec![(w, error_and_slope(w).0)];
    println!("\ngradient descent: w <- w - {alpha} * de/dw, from w = 0");
    println!("{:>5} {:>12} {:>12} {:>12}", "step", "w", "e(w)", "de/dw");
    for step in 1..=steps {
        let (_, g) = error_and_slope(w);
        w -= alpha * g;
        let e = error_and_slope(w).0;
        path.push((w, e));
        if step <= 8 || step % 10 == 0 {
            println!(
                "{step:>5} {w:>12.6} {e:>12.3e} {:>12.3e}",
                error_and_slope(w).1
            );
        }
    }
    ex.check("w after 40 steps (the bottom is 0.68 / 0.4)", w, 1.7, 1e-5);
    ex.check("e after 40 steps", path[steps].1, 0.0, 1e-10);

    // 5. Rosenblatt's update is the gradient step with half the rate.
    let rate = 2.0 * alpha;
    println!(
        "\nRosenblatt: w <- w + {rate} * (y - wx) * x   vs   gradient: w <- w - {} * de/dw",
        rate / 2.0
    );
    println!("{:>5} {:>14} {:>14}", "step", "Rosenblatt", "gradient");
    let (mut wr, mut wg) = (0.0, 0.0);
    let mut diff: f64 = 0.0;
    for step in 1..=10 {
        wr += rate * (Y - wr * X) * X;
        wg -= rate / 2.0 * error_and_slope(wg).1;
        println!("{step:>5} {wr:>14.10} {wg:>14.10}");
        diff = diff.max((wr - wg).abs());
    }
    ex.check(
        "largest |Rosenblatt - gradient step with rate/2| over 10 steps",
        diff,
        0.0,
        1e-15,
    );

    // Pictures.
    let options = ChartOptions {
        legend: Legend::UpperRight,
        ..ChartOptions::default()
    };
    let file = ex.path("gd_parabola.png");
    line_chart(
        &file,
        "e(w) = 0.16w^2 - 0.544w + 0.4624 and gradient descent",
        "w",
        "e(w)",
        &[
            Series::from_fn("e(w)", (-1.0, 4.4), 200, poly).color(Color::BLUE),
            Series::path("descent steps (alpha = 1)", path.iter().take(13).copied())
                .color(Color::RED),
        ],
        &options,
    )
    .expect("render the parabola");
    ex.wrote(&file);

    let losses: Vec<f64> = path.iter().map(|p| p.1).collect();
    let file = ex.path("gd_loss.png");
    line_chart(
        &file,
        "Error per step of gradient descent",
        "step",
        "e(w) (log scale)",
        &[Series::line(
            "e(w)",
            losses.iter().enumerate().map(|(i, &e)| (i as f64, e)),
        )
        .color(Color::RED)],
        &ChartOptions {
            log_y: true,
            ..ChartOptions::default()
        },
    )
    .expect("render the loss curve");
    ex.wrote(&file);
    ex.finish();
}
