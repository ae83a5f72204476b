//! Many beans, and the bias (偏置) b: 小蓝 meets beans whose toxicity does
//! not start at 0 (y = 0.6·x + 0.4 plus noise). The line y = w·x is stuck
//! through the origin and cannot follow them; y = w·x + b can.
//!
//! The cost function (代价函数) is the mean squared error over all beans,
//! e(w, b) = (1/m)·Σ (yᵢ − (w·xᵢ + b))², a bowl over the (w, b) plane.
//! Gradient descent (梯度下降) follows both partial derivatives at once,
//! w ← w − α·∂e/∂w and b ← b − α·∂e/∂b, both from the tape, and reaches the
//! bottom of the bowl: the least-squares line, which the example also
//! computes in closed form and compares.
//!
//! Pictures: the bowl as a 3-D surface and as contours, each with the descent
//! path, and both fitted lines over the beans.
//!
//! ```sh
//! cargo run --release --example gradient_descent_wxb [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::{Tape, Tensor};
use common::Example;
use nn::data::beans;
use nn::plot::{
    contour, scatter_with_curves, surface3d, ChartOptions, Color, ContourOptions, Legend, Series,
    SurfaceOptions,
};

/// The mean squared error of y = w·x + b over the beans and its two partial
/// derivatives, from the tape.
fn cost_and_grad(x: &Tensor<f64>, y: &Tensor<f64>, w0: f64, b0: f64) -> (f64, f64, f64) {
    let tape = Tape::new();
    let (w, b) = (tape.var(w0), tape.var(b0));
    let xs = tape.tensor_constant(x.clone());
    let ys = tape.tensor_constant(y.clone());
    let e = (ys - (xs * w + b)).powi(2).mean();
    let g = e.backward();
    (e.value(), g[w], g[b])
}

/// The same cost without the tape, for drawing the surface.
fn cost(data: &[(f64, f64)], w: f64, b: f64) -> f64 {
    data.iter()
        .map(|&(x, y)| (y - (w * x + b)).powi(2))
        .sum::<f64>()
        / data.len() as f64
}

fn main() {
    let mut ex = Example::new("gradient_descent_wxb");
    let n = if ex.quick() { 30 } else { 60 };
    let set = beans::line_with_offset(n, 0.05, 11);
    let (x, y) = (set.x().clone(), set.y().clone());
    let data: Vec<(f64, f64)> = x
        .data()
        .iter()
        .copied()
        .zip(y.data().iter().copied())
        .collect();
    println!(
        "{n} beans on y = {}x + {} with noise 0.05; cost e(w, b) = mean (y - (wx + b))^2",
        beans::OFFSET_W,
        beans::OFFSET_B
    );

    // Closed form: the least-squares line.
    let m = n as f64;
    let mx = data.iter().map(|p| p.0).sum::<f64>() / m;
    let my = data.iter().map(|p| p.1).sum::<f64>() / m;
    let sxy: f64 = data.iter().map(|&(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = data.iter().map(|&(a, _)| (a - mx).powi(2)).sum();
    let w_ls = sxy / sxx;
    let b_ls = my - w_ls * mx;
    // Through the origin: the best w alone.
    let w_origin = data.iter().map(|&(a, b)| a * b).sum::<f64>()
        / data.iter().map(|&(a, _)| a * a).sum::<f64>();

    // Gradient descent on (w, b) from a poor start.
    let alpha = 0.7;
    let steps = if ex.quick() { 300 } else { 500 };
    let (mut w, mut b) = (-1.0, 1.2);
    let mut path = vec![(w, b)];
    let mut history = Vec::new();
    println!("\ngradient descent on (w, b): alpha = {alpha}, from (w, b) = ({w}, {b})");
    println!(
        "{:>5} {:>10} {:>10} {:>12} {:>12} {:>12}",
        "step", "w", "b", "e(w, b)", "de/dw", "de/db"
    );
    for step in 0..=steps {
        let (e, gw, gb) = cost_and_grad(&x, &y, w, b);
        history.push(e);
        if step < 5 || step % 100 == 0 {
            println!("{step:>5} {w:>10.6} {b:>10.6} {e:>12.6e} {gw:>12.3e} {gb:>12.3e}");
        }
        if step == steps {
            break;
        }
        w -= alpha * gw;
        b -= alpha * gb;
        path.push((w, b));
    }
    let e_final = cost(&data, w, b);
    println!("\ngradient descent: w = {w:.6}, b = {b:.6}, cost = {e_final:.6e}");
    println!(
        "least squares:    w = {w_ls:.6}, b = {b_ls:.6}, cost = {:.6e}",
        cost(&data, w_ls, b_ls)
    );
    ex.check("w by gradient descent = least squares", w, w_ls, 1e-6);
    ex.check("b by gradient descent = least squares", b, b_ls, 1e-6);
    ex.check(
        "steps where the cost rose (beyond rounding, 1e-15)",
        history.windows(2).filter(|p| p[1] > p[0] + 1e-15).count() as f64,
        0.0,
        0.0,
    );
    ex.check("w near the beans' slope 0.6", w, beans::OFFSET_W, 0.1);
    ex.check("b near the beans' offset 0.4", b, beans::OFFSET_B, 0.1);

    // y = w·x alone: gradient descent on w, b held at 0.
    let mut w0 = 0.0;
    for _ in 0..steps {
        let (_, gw, _) = cost_and_grad(&x, &y, w0, 0.0);
        w0 -= alpha * gw;
    }
    let e0 = cost(&data, w0, 0.0);
    println!(
        "through the origin (b = 0): w = {w0:.6} (closed form {w_origin:.6}), cost = {e0:.6e}: \
         {:.0} times the cost with a bias",
        e0 / e_final
    );
    ex.check("w through the origin = closed form", w0, w_origin, 1e-6);
    ex.check_that(
        "y = wx + b fits at least 10 times better than y = wx",
        e0 > 10.0 * e_final,
    );

    // Pictures.
    let (wr, br) = ((-1.2, 2.2), (-0.6, 1.4));
    let shown: Vec<(f64, f64)> = path
        .iter()
        .enumerate()
        .filter(|(i, _)| *i < 40 || i % 20 == 0)
        .map(|(_, p)| *p)
        .collect();
    let surface = SurfaceOptions {
        x_label: "w".into(),
        y_label: "b".into(),
        z_label: "e(w, b)".into(),
        resolution: if ex.quick() { 20 } else { 40 },
        yaw: -0.9,
        pitch: 0.6,
        ..SurfaceOptions::default()
    };
    let file = ex.path("wxb_surface.png");
    surface3d(
        &file,
        "Cost e(w, b) over many beans, with gradient descent",
        |w, b| cost(&data, w, b),
        wr,
        br,
        &shown,
        &surface,
    )
    .expect("render the surface");
    ex.wrote(&file);

    let contours = ContourOptions {
        x_label: "w".into(),
        y_label: "b".into(),
        resolution: if ex.quick() { 60 } else { 160 },
        ..ContourOptions::default()
    };
    let file = ex.path("wxb_contour.png");
    contour(
        &file,
        "Contours of e(w, b) and the descent path",
        |w, b| cost(&data, w, b),
        wr,
        br,
        &shown,
        &contours,
    )
    .expect("render the contours");
    ex.wrote(&file);

    let file = ex.path("wxb_fit.png");
    scatter_with_curves(
        &file,
        "y = wx is stuck through the origin; y = wx + b fits",
        "size x",
        "toxicity y",
        &data,
        &[
            Series::from_fn(format!("y = {w0:.2}x"), (0.0, 1.0), 2, |v| w0 * v)
                .color(Color::RED)
                .dashed(),
            Series::from_fn(format!("y = {w:.2}x + {b:.2}"), (0.0, 1.0), 2, |v| {
                w * v + b
            })
            .color(Color::BLUE),
        ],
        &ChartOptions {
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.2)),
            legend: Legend::LowerRight,
            ..ChartOptions::default()
        },
    )
    .expect("render the fitted lines");
    ex.wrote(&file);
    ex.finish();
}
