//! A 代价函数 (cost function) the course does not have, written as ordinary
//! tape arithmetic: its gradient comes for free, and the gradient check
//! confirms it.
//!
//! 小蓝 would rather over-estimate a bean's toxicity than under-estimate it:
//! eating a bean it thought safe is worse than skipping one. With the
//! residual r = y − ŷ (positive when the prediction is too low):
//!
//! - squared error (the course's): r²
//! - asymmetric squared error: k·r² when r > 0 (under-estimated), r² when
//!   r ≤ 0, written `k·relu(r)² + relu(−r)²`, with k = 4
//! - pinball (quantile) loss at τ = 0.9: max(τ·r, (τ − 1)·r), written with
//!   `maximum`; its best line leaves about 10 % of the beans above it
//! - Huber at δ = 0.1: ½r² for |r| ≤ δ, δ·(|r| − ½δ) beyond, written as
//!   q·(|r| − ½q) with q = min(|r|, δ) (`abs`, `clamp`); robust to outliers
//!
//! Each cost is the mean over the beans. A line y = w·x + b is fitted to the
//! course's linear beans (toxicity 1.7·x plus noise) under each cost with
//! `nn`'s training loop; each gradient is checked against central
//! differences (`autograd::check_tensor_grad`, the table is printed).
//!
//! ```sh
//! cargo run --release --example custom_cost [-- --out DIR] [-- --quick]
//! ```
//!
//! Pictures: `costs.png` (the costs against the residual),
//! `fit_asymmetric.png` (the lines under squared error, the asymmetric
//! cost and the pinball loss: the asymmetric fits sit above the data), and
//! `fit_huber.png` (squared error against Huber on beans with misread
//! toxicities).

mod common;

use autograd::{check_tensor_grad, Tape, Tensor, TensorVar, Var};
use common::Example;
use nn::data::{beans, Dataset};
use nn::loss::custom;
use nn::plot::{line_chart, scatter_with_curves, ChartOptions, Color, Legend, Series};
use nn::prelude::*;

/// Under-estimates cost this many times more than over-estimates.
const K: f64 = 4.0;
/// The pinball loss's quantile.
const TAU: f64 = 0.9;
/// Huber's threshold between the squared and the linear part.
const DELTA: f64 = 0.1;

/// r² per element.
fn squared(r: TensorVar<'_, f64>) -> TensorVar<'_, f64> {
    r.powi(2)
}

/// k·r² for an under-estimate (r > 0), r² for an over-estimate.
fn asymmetric(r: TensorVar<'_, f64>) -> TensorVar<'_, f64> {
    r.relu().powi(2) * K + (-r).relu().powi(2)
}

/// max(τ·r, (τ − 1)·r).
fn pinball(r: TensorVar<'_, f64>) -> TensorVar<'_, f64> {
    (r * TAU).maximum(r * (TAU - 1.0))
}

/// ½r² for |r| ≤ δ, δ·(|r| − ½δ) beyond: q·(|r| − ½q) with q = min(|r|, δ).
fn huber(r: TensorVar<'_, f64>) -> TensorVar<'_, f64> {
    let a = r.abs();
    let q = a.clamp(0.0, DELTA);
    q * (a - q * 0.5)
}

type Elementwise = for<'t> fn(TensorVar<'t, f64>) -> TensorVar<'t, f64>;

/// The cost of predictions `o` against targets `t`: the mean of `f(t − o)`.
fn cost<'t>(f: Elementwise, o: TensorVar<'t, f64>, t: TensorVar<'t, f64>) -> Var<'t, f64> {
    f(t - o).mean()
}

/// A fitted line y = w·x + b.
#[derive(Clone, Copy, Debug)]
struct Line {
    w: f64,
    b: f64,
}

impl Line {
    fn at(self, x: f64) -> f64 {
        self.w * x + self.b
    }
}

/// Fits y = w·x + b by full-batch gradient descent on the cost `f`, with
/// the learning rate decaying as lr/√(1 + epoch/100) so that the
/// non-smooth costs settle instead of hopping over their kink.
fn fit(f: Elementwise, data: &Dataset<f64>, lr: f64, epochs: usize) -> Line {
    let mut line =
        Mlp::<f64>::new(&[1, 1], &[Activation::Identity], Init::Zero, 0).expect("a 1-1 network");
    let mut sgd = Sgd::new(lr);
    let history = Trainer::new(custom(move |o, t| cost(f, o, t)))
        .epochs(epochs)
        .batch_size(data.len())
        .schedule(|k: usize, base: f64| base / (1.0 + k as f64 / 100.0).sqrt())
        .quiet()
        .fit(&mut line, &mut sgd, data.x(), data.y())
        .expect("the beans fit a 1-1 network");
    assert!(
        history.last().is_some_and(|s| s.train_loss.is_finite()),
        "training diverged: {:?}",
        history.stop
    );
    let p = line.params();
    Line {
        w: p.by_name("layer0.weight").expect("a weight").item(),
        b: p.by_name("layer0.bias").expect("a bias").item(),
    }
}

/// The fraction of beans whose toxicity the line under-estimates.
fn under_estimated(line: Line, data: &Dataset<f64>) -> f64 {
    let below = (0..data.len())
        .filter(|&i| data.y_row(i)[0] > line.at(data.x_row(i)[0]))
        .count();
    below as f64 / data.len() as f64
}

fn points(data: &Dataset<f64>) -> Vec<(f64, f64)> {
    (0..data.len())
        .map(|i| (data.x_row(i)[0], data.y_row(i)[0]))
        .collect()
}

fn main() {
    let mut ex = Example::new("custom_cost");
    let (n, epochs) = if ex.quick() { (40, 1500) } else { (100, 6000) };
    let beans = beans::line(n, 0.1, 7);
    println!("{n} beans on y = 1.7x with noise 0.1; residual r = y - prediction (r > 0: under-estimated)");

    let costs: [(&str, Elementwise); 4] = [
        ("squared error r^2", squared),
        ("asymmetric: 4r^2 if r > 0 else r^2", asymmetric),
        ("pinball, tau = 0.9", pinball),
        ("Huber, delta = 0.1", huber),
    ];

    // 1. Gradients for free, checked against central differences at a line
    //    that is not the answer (no residual sits on a kink there).
    let x = beans.x().clone();
    let y = beans.y().clone();
    for (name, f) in costs {
        let w0 = Tensor::from_vec(&[1, 1], vec![1.2]).expect("1×1");
        let b0 = Tensor::from_vec(&[1], vec![0.15]).expect("1");
        let report = check_tensor_grad(
            |p: &[TensorVar]| {
                let tape = p[0].tape();
                let (xs, ys) = (
                    tape.tensor_constant(x.clone()),
                    tape.tensor_constant(y.clone()),
                );
                cost(f, xs.matmul(p[0]) + p[1], ys)
            },
            &[w0, b0],
        );
        println!("\n{name}: gradient with respect to x0 = w and x1 = b at w = 1.2, b = 0.15");
        println!("{report}");
        ex.check_that(
            &format!("{name}: the tape's gradient matches central differences"),
            report.passed(),
        );
    }

    // 2. Fit a line under each cost.
    println!();
    let mut fits = Vec::new();
    for (name, f) in costs {
        let line = fit(f, &beans, 0.5, epochs);
        let under = under_estimated(line, &beans);
        println!(
            "{name:<38} w = {:.4}, b = {:+.4}; under-estimates {:>4.1}% of the beans",
            line.w,
            line.b,
            100.0 * under
        );
        fits.push((name, line, under));
    }
    let (mse, asym, pin) = (fits[0].1, fits[1].1, fits[2].1);
    ex.check("squared-error slope (beans on y = 1.7x)", mse.w, 1.7, 0.1);
    ex.check_that(
        "the asymmetric fit lies above the squared-error fit over the beans' sizes",
        asym.at(0.0) > mse.at(0.0) && asym.at(1.0) > mse.at(1.0),
    );
    ex.check_that(
        "the asymmetric fit under-estimates fewer beans than the squared-error fit",
        fits[1].2 < fits[0].2,
    );
    ex.check(
        "fraction of beans above the pinball line (about 1 - tau)",
        fits[2].2,
        1.0 - TAU,
        0.05,
    );

    // 3. Huber against squared error on beans with misread toxicities.
    let mut ys: Vec<f64> = beans.y().to_vec();
    let outliers = [3usize, 11, 19, 27, 35];
    for &i in &outliers {
        ys[i] = 0.0; // the scale read zero
    }
    let misread = Dataset::new(
        beans.x().clone(),
        Tensor::from_vec(&[n, 1], ys).expect("n toxicities"),
    )
    .expect("same number of beans");
    let mse_out = fit(squared, &misread, 0.5, epochs);
    let huber_out = fit(huber, &misread, 0.5, epochs);
    println!(
        "\nwith {} toxicities misread as 0: squared error w = {:.4}, b = {:+.4}; Huber w = {:.4}, b = {:+.4}",
        outliers.len(),
        mse_out.w,
        mse_out.b,
        huber_out.w,
        huber_out.b
    );
    ex.check_that(
        "Huber's slope stays nearer 1.7 than squared error's when toxicities are misread",
        (huber_out.w - 1.7).abs() < (mse_out.w - 1.7).abs(),
    );

    // Pictures.
    let shapes: Vec<Series> = costs
        .iter()
        .enumerate()
        .map(|(i, &(name, f))| {
            let rs: Vec<f64> = (0..=200).map(|k| -1.0 + 2.0 * k as f64 / 200.0).collect();
            let tape = Tape::new();
            let r = tape.tensor_constant(Tensor::from_vec(&[rs.len()], rs.clone()).expect("grid"));
            let c = f(r).value();
            Series::line(name, rs.iter().copied().zip(c.data().iter().copied()))
                .color(Color::palette(i))
        })
        .collect();
    let path = ex.path("costs.png");
    line_chart(
        &path,
        "Cost of one bean against its residual r = y - prediction",
        "residual r (r > 0: toxicity under-estimated)",
        "cost",
        &shapes,
        &ChartOptions {
            legend: Legend::UpperLeft,
            y_range: Some((0.0, 1.2)),
            ..ChartOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ex.wrote(&path);

    let line_series = |name: &str, l: Line, c: Color| {
        Series::from_fn(
            format!("{name}: y = {:.2}x {:+.2}", l.w, l.b),
            (0.0, 1.0),
            2,
            move |x| l.at(x),
        )
        .color(c)
    };
    let path = ex.path("fit_asymmetric.png");
    scatter_with_curves(
        &path,
        "Lines fitted under three costs",
        "bean size x",
        "toxicity y",
        &points(&beans),
        &[
            line_series("squared error", mse, Color::BLUE),
            line_series("asymmetric (k = 4)", asym, Color::RED),
            line_series("pinball (tau = 0.9)", pin, Color::ORANGE).dashed(),
        ],
        &ChartOptions {
            legend: Legend::UpperLeft,
            ..ChartOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ex.wrote(&path);

    let path = ex.path("fit_huber.png");
    scatter_with_curves(
        &path,
        "Five toxicities misread as 0: squared error vs Huber",
        "bean size x",
        "toxicity y",
        &points(&misread),
        &[
            line_series("squared error", mse_out, Color::BLUE),
            line_series("Huber (delta = 0.1)", huber_out, Color::GREEN),
            Series::from_fn("true line y = 1.7x", (0.0, 1.0), 2, |x| 1.7 * x)
                .color(Color::GREY)
                .dashed(),
        ],
        &ChartOptions {
            legend: Legend::UpperLeft,
            ..ChartOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ex.wrote(&path);

    ex.finish();
}
