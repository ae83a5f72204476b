//! The hill: beans of medium size are toxic, small and big ones are safe
//! (低-高-低, "like a small hill"). One sigmoid neuron a = σ(w·x + b) draws
//! a monotone S-curve and cannot follow it; a 1-2-1 network (two hidden
//! sigmoid neurons, one sigmoid output) can: the output neuron combines the
//! hidden neurons' S-curves (blue, red) into a hill (green).
//!
//! Prints the single neuron's best loss and accuracy over several starting
//! points, the network's, and checks that the network is clearly better;
//! writes the data with the single neuron's S-curve, and the data with both
//! hidden neurons' curves and their combination.
//!
//! ```sh
//! cargo run --release --example hill
//! ```

mod common;

use autograd::Tensor;
use common::Example;
use nn::data::beans;
use nn::plot::{scatter_with_curves, ChartOptions, Color, Legend, Series};
use nn::prelude::*;
use nn::train::evaluate;

/// The course's squared error, averaged over the beans.
const LOSS: Loss = Loss::Mse;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Trains `mlp` by mini-batch gradient descent and returns (loss, accuracy)
/// on the beans.
fn train(mlp: &mut Mlp, x: &Tensor<f64>, y: &Tensor<f64>, lr: f64, epochs: usize) -> (f64, f64) {
    let mut opt = Sgd::new(lr);
    Trainer::new(LOSS)
        .epochs(epochs)
        .batch_size(10)
        .quiet()
        .evaluate_train(false)
        .fit(mlp, &mut opt, x, y)
        .expect("the beans fit the network");
    let (loss, acc) = evaluate(mlp, &LOSS, x, y.into(), Some(Accuracy::Threshold(0.5)))
        .expect("the beans fit the network");
    (loss, acc.expect("an accuracy was asked for"))
}

/// The scalar weights of layer `l`: (weight matrix row-major, biases).
fn layer(mlp: &Mlp, l: usize) -> (Vec<f64>, Vec<f64>) {
    let layer = &mlp.layers()[l];
    let p = mlp.params();
    (
        p[layer.weight()].data().to_vec(),
        p[layer.bias()].data().to_vec(),
    )
}

fn main() {
    let mut ex = Example::new("hill");
    let (n, epochs) = if ex.quick() { (60, 400) } else { (100, 3000) };
    let lr = 5.0;
    let data = beans::hill(n, 1);
    let (x, y) = (data.x(), data.y());
    println!(
        "{n} beans, toxic (1) for sizes in [{}, {}), safe (0) otherwise; \
         squared error, SGD lr {lr}, batches of 10, {epochs} epochs",
        beans::HILL.0,
        beans::HILL.1
    );
    let points: Vec<(f64, f64)> = (0..data.len())
        .map(|i| (data.x_row(i)[0], data.y_row(i)[0]))
        .collect();
    let safe_share = points.iter().filter(|p| p.1 == 0.0).count() as f64 / n as f64;

    // One neuron, from several starting points: keep the best.
    println!("\none sigmoid neuron a = sigmoid(w*x + b):");
    println!(
        "{:>5} {:>9} {:>9} {:>9} {:>9}",
        "seed", "w", "b", "loss", "accuracy"
    );
    let mut single: Option<(f64, f64, Mlp)> = None;
    for seed in 0..4 {
        let mut neuron = Mlp::new(&[1, 1], &[Activation::Sigmoid], Init::Nielsen, seed)
            .expect("a valid architecture");
        let (loss, acc) = train(&mut neuron, x, y, lr, epochs);
        let (w, b) = layer(&neuron, 0);
        println!(
            "{seed:>5} {:>9.3} {:>9.3} {loss:>9.4} {:>8.1}%",
            w[0],
            b[0],
            100.0 * acc
        );
        if single.as_ref().is_none_or(|s| loss < s.0) {
            single = Some((loss, acc, neuron));
        }
    }
    let (single_loss, single_acc, neuron) = single.expect("at least one start");
    println!(
        "best single neuron: loss {single_loss:.4}, accuracy {:.1}% \
         (calling every bean safe scores {:.1}%)",
        100.0 * single_acc,
        100.0 * safe_share
    );

    // The 1-2-1 network.
    println!("\n1-2-1 network, two hidden sigmoid neurons and a sigmoid output:");
    let mut net = Mlp::new(&[1, 2, 1], &[Activation::Sigmoid; 2], Init::Nielsen, 2)
        .expect("a valid architecture");
    let (net_loss, net_acc) = train(&mut net, x, y, lr, epochs);
    let (w1, b1) = layer(&net, 0);
    let (w2, b2) = layer(&net, 1);
    println!(
        "  hidden A (blue): a1 = sigmoid({:.2}*x {:+.2})",
        w1[0], b1[0]
    );
    println!(
        "  hidden B (red):  a2 = sigmoid({:.2}*x {:+.2})",
        w1[1], b1[1]
    );
    println!(
        "  output (green):  a = sigmoid({:.2}*a1 {:+.2}*a2 {:+.2})",
        w2[0], w2[1], b2[0]
    );
    println!(
        "network: loss {net_loss:.4}, accuracy {:.1}%",
        100.0 * net_acc
    );

    ex.check_that(
        "the single neuron cannot beat calling every bean safe",
        single_acc <= safe_share + 1e-9,
    );
    ex.check_that(
        "the network's loss is less than a third of the single neuron's",
        net_loss < single_loss / 3.0,
    );
    ex.check_that(
        "the network classifies at least 95% of the beans",
        net_acc >= 0.95,
    );

    let options = ChartOptions {
        size: (800, 560),
        y_range: Some((-0.05, 1.5)),
        legend: Legend::UpperRight,
        ..ChartOptions::default()
    };
    let (nw, nb) = layer(&neuron, 0);
    let path = ex.path("hill_single_neuron.png");
    scatter_with_curves(
        &path,
        &format!(
            "One neuron: sigmoid({:.2}x {:+.2}), accuracy {:.0}%",
            nw[0],
            nb[0],
            100.0 * single_acc
        ),
        "size x",
        "toxicity",
        &points,
        &[
            Series::from_fn("one neuron's S-curve", (0.0, 1.0), 200, |s| {
                sigmoid(nw[0] * s + nb[0])
            })
            .color(Color::hex(0x8e44ad))
            .width(3),
        ],
        &options,
    )
    .expect("the picture is written");
    ex.wrote(&path);

    let ha = |s: f64| sigmoid(w1[0] * s + b1[0]);
    let hb = |s: f64| sigmoid(w1[1] * s + b1[1]);
    let combined = |s: f64| sigmoid(w2[0] * ha(s) + w2[1] * hb(s) + b2[0]);
    let path = ex.path("hill_network.png");
    scatter_with_curves(
        &path,
        &format!("1-2-1 network, accuracy {:.0}%", 100.0 * net_acc),
        "size x",
        "toxicity",
        &points,
        &[
            Series::from_fn("hidden A: a1", (0.0, 1.0), 200, ha).color(Color::hex(0x1f77b4)),
            Series::from_fn("hidden B: a2", (0.0, 1.0), 200, hb).color(Color::hex(0xd62728)),
            Series::from_fn(
                "output: sigmoid(w1 a1 + w2 a2 + b)",
                (0.0, 1.0),
                200,
                combined,
            )
            .color(Color::hex(0x2ca02c))
            .width(3),
        ],
        &options,
    )
    .expect("the picture is written");
    ex.wrote(&path);
    ex.finish();
}
