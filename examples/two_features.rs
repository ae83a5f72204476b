//! Two features: a bean's size x₁ and colour depth x₂. One neuron computes
//! z = w₁x₁ + w₂x₂ + b, a plane; the sigmoid bends it into a probability
//! surface a = σ(z), and its 0.5 contour (等高线) projected onto the x₁–x₂
//! ground is the straight line w₁x₁ + w₂x₂ + b = 0: the decision boundary
//! (决策边界). A hidden layer (隐藏层) of two neurons bends that boundary.
//!
//! Trains one neuron on beans with a straight boundary (it succeeds) and on
//! beans with a curved one (it cannot follow the curve), then a 2-2-1
//! network on the curved beans; prints the accuracies and checks that the
//! single neuron fails on the curved set while the network does well.
//! Writes the neuron's probability surface in 3-D, its heatmap with the
//! line w₁x₁ + w₂x₂ + b = 0, and the curved set's heatmaps side by side.
//!
//! ```sh
//! cargo run --release --example two_features
//! ```

mod common;

use common::Example;
use nn::data::{beans, Dataset};
use nn::plot::{
    heatmap, heatmap_grid, labelled_points, surface3d, BoundaryLine, Color, HeatmapOptions, Key,
    Panel, PlaneGrid, SurfaceOptions,
};
use nn::prelude::*;
use nn::train::evaluate;

const LOSS: Loss = Loss::Mse;
const UNIT: (f64, f64) = (0.0, 1.0);
/// Epochs for the single neuron on the straight set.
const STRAIGHT_EPOCHS: usize = 60;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Trains by mini-batch gradient descent; returns the accuracy on `data`.
fn train(mlp: &mut Mlp, data: &Dataset<f64>, lr: f64, epochs: usize) -> f64 {
    let mut opt = Sgd::new(lr);
    Trainer::new(LOSS)
        .epochs(epochs)
        .batch_size(10)
        .quiet()
        .evaluate_train(false)
        .fit(mlp, &mut opt, data.x(), data.y())
        .expect("the beans fit the network");
    accuracy(mlp, data)
}

fn accuracy(mlp: &Mlp, data: &Dataset<f64>) -> f64 {
    let (_, acc) = evaluate(
        mlp,
        &LOSS,
        data.x(),
        data.y().into(),
        Some(Accuracy::Threshold(0.5)),
    )
    .expect("the beans fit the network");
    acc.expect("an accuracy was asked for")
}

/// Layer `l`'s weights (row-major [inputs, outputs]) and biases.
fn layer(mlp: &Mlp, l: usize) -> (Vec<f64>, Vec<f64>) {
    let layer = &mlp.layers()[l];
    let p = mlp.params();
    (
        p[layer.weight()].data().to_vec(),
        p[layer.bias()].data().to_vec(),
    )
}

/// The network's output over the beans' square, in one batched pass.
fn output_panel(mlp: &Mlp, title: String, density: usize) -> Panel {
    PlaneGrid::xy(UNIT, UNIT, density)
        .and_then(|grid| grid.output(mlp, title))
        .expect("a network of the two features")
}

fn labelled(data: &Dataset<f64>) -> Vec<(f64, f64, f64)> {
    labelled_points(data).expect("beans with two features and one label")
}

fn main() {
    let mut ex = Example::new("two_features");
    let (n, epochs) = if ex.quick() { (100, 800) } else { (200, 2000) };
    let lr = 5.0;
    let straight = beans::two_features(n, 3);
    let curved = beans::two_features_curved(n, 4);
    let (tw1, tw2, tc) = beans::TWO_FEATURES;
    let (ca, cb) = beans::CURVED;
    println!(
        "{n} beans each; straight set: toxic when {tw1}*x1 + {tw2}*x2 > {tc}; \
         curved set: toxic when x2 > {ca} + {cb}*(x1 - 0.5)^2"
    );
    println!("squared error, SGD lr {lr}, batches of 10, {epochs} epochs\n");

    // One neuron on the straight set.
    let mut neuron =
        Mlp::new(&[2, 1], &[Activation::Sigmoid], Init::Xavier, 1).expect("a valid network");
    // A short run: the set is separable, so longer training only makes the
    // weights (and the surface's slope) grow without changing the boundary.
    let acc_straight = train(&mut neuron, &straight, lr, STRAIGHT_EPOCHS);
    let (w, b) = layer(&neuron, 0);
    println!(
        "one neuron, straight set: a = sigmoid({:.2}*x1 {:+.2}*x2 {:+.2}), accuracy {:.1}%",
        w[0],
        w[1],
        b[0],
        100.0 * acc_straight
    );
    println!(
        "  its boundary a = 0.5 is the line x2 = {:.3} - {:.3}*x1 (the data's: x2 = {:.3} - {:.3}*x1)",
        -b[0] / w[1],
        w[0] / w[1],
        tc / tw2,
        tw1 / tw2
    );

    // One neuron and a 2-2-1 network on the curved set.
    let mut bent_neuron =
        Mlp::new(&[2, 1], &[Activation::Sigmoid], Init::Xavier, 1).expect("a valid network");
    let acc_neuron_curved = train(&mut bent_neuron, &curved, lr, epochs);
    let mut net =
        Mlp::new(&[2, 2, 1], &[Activation::Sigmoid; 2], Init::Xavier, 5).expect("a valid network");
    let acc_net_curved = train(&mut net, &curved, lr, epochs);
    println!(
        "one neuron, curved set: accuracy {:.1}%",
        100.0 * acc_neuron_curved
    );
    println!(
        "2-2-1 network, curved set: accuracy {:.1}%",
        100.0 * acc_net_curved
    );

    ex.check_that(
        "one neuron separates the straight set (accuracy >= 95%)",
        acc_straight >= 0.95,
    );
    ex.check_that(
        "one neuron fails on the curved set (accuracy < 92%)",
        acc_neuron_curved < 0.92,
    );
    ex.check_that(
        "the 2-2-1 network fits the curved set (accuracy >= 95%)",
        acc_net_curved >= 0.95,
    );
    ex.check_that(
        "the network beats the single neuron on the curved set by 5 points",
        acc_net_curved >= acc_neuron_curved + 0.05,
    );

    // The probability surface in 3-D.
    let f = |x1: f64, x2: f64| sigmoid(w[0] * x1 + w[1] * x2 + b[0]);
    let path = ex.path("two_features_surface.png");
    let options = SurfaceOptions {
        x_label: "size x1".into(),
        y_label: "colour x2".into(),
        z_label: "a".into(),
        z_range: Some((0.0, 1.0)),
        resolution: 30,
        ..SurfaceOptions::default()
    };
    surface3d(
        &path,
        "One neuron: a = sigmoid(w1 x1 + w2 x2 + b)",
        f,
        UNIT,
        UNIT,
        &[],
        &options,
    )
    .expect("the picture is written");
    ex.wrote(&path);

    // Seen from above: the 0.5 contour is the straight line z = 0.
    let density = 100;
    let panel = Panel::from_fn(
        format!(
            "a = 0.5 on {:.1}x1 {:+.1}x2 {:+.1} = 0, accuracy {:.0}%",
            w[0],
            w[1],
            b[0],
            100.0 * acc_straight
        ),
        UNIT,
        UNIT,
        density,
        f,
    )
    .train(&labelled(&straight))
    .line(BoundaryLine::new(w[0], w[1], b[0]).color(Color::BLACK));
    let path = ex.path("two_features_boundary.png");
    let heat = HeatmapOptions {
        point_radius: 3,
        x_label: "size x1".into(),
        y_label: "colour x2".into(),
        key: Key::classes("not toxic (0)", "toxic (1)"),
        ..HeatmapOptions::sigmoid()
    };
    heatmap(&path, &panel, &heat).expect("the picture is written");
    ex.wrote(&path);

    // The curved set: a straight boundary against a bent one.
    let (cw, cbias) = layer(&bent_neuron, 0);
    let (hw, hb) = layer(&net, 0);
    let points = labelled(&curved);
    let left = output_panel(
        &bent_neuron,
        format!("one neuron: {:.0}%", 100.0 * acc_neuron_curved),
        density,
    )
    .train(&points)
    .line(BoundaryLine::new(cw[0], cw[1], cbias[0]));
    // Hidden neuron j has weights (hw[j], hw[2 + j]) on (x1, x2).
    let right = output_panel(
        &net,
        format!("2-2-1 network: {:.0}%", 100.0 * acc_net_curved),
        density,
    )
    .train(&points)
    .line(BoundaryLine::new(hw[0], hw[2], hb[0]).color(Color::hex(0x6a1b9a)))
    .line(BoundaryLine::new(hw[1], hw[3], hb[1]).color(Color::hex(0xd62728)));
    let path = ex.path("two_features_curved.png");
    heatmap_grid(&path, &[left, right], 2, &heat).expect("the picture is written");
    ex.wrote(&path);
    ex.finish();
}
