//! The TensorFlow Playground's spiral set (蚊香数据集): two interleaved
//! arms. Three hidden layers of sigmoid neurons barely move: far from its
//! centre the sigmoid's derivative is tiny, and the chain rule multiplies
//! one such factor per layer, so the first layers' gradients vanish (梯度消失).
//! ReLU keeps a derivative of 1 where it is active and solves the spiral.
//! ReLU has its own failure: a neuron whose z < 0 on every input outputs 0
//! and gets no gradient again (a dead ReLU); leaky ReLU keeps a small slope
//! there and avoids it.
//!
//! Under the Playground's rules (noise 0, 50% of the points for training,
//! batches of 10, loss ½(o − t)², weights U(−0.5, 0.5), biases 0.1, tanh
//! output) it trains 3×4 sigmoid, 3×4 ReLU (the course's network) and 3×8
//! ReLU networks from several seeds and prints their test accuracies;
//! records each layer's gradient norm per epoch; counts dead neurons after
//! training with a too large learning rate, for ReLU and leaky ReLU; and
//! writes the gradient norms (log scale), an animated GIF of the boundary
//! forming, the final heatmap and every hidden neuron's heatmap by layer.
//!
//! ```sh
//! cargo run --release --example playground_spiral
//! ```

mod common;

use common::Example;
use nn::data::{Dataset, PlaygroundSet};
use nn::plot::{
    dead_units, gif_heatmaps, heatmap, heatmap_grid, heatmap_rows, labelled_points, line_chart,
    ChartOptions, Color, HeatmapOptions, Key, Legend, Panel, PlaneGrid, Series,
};
use nn::prelude::*;
use nn::train::{evaluate, Order};
use std::ops::ControlFlow;

/// The Playground's loss: ½(o − t)², averaged over the batch.
const LOSS: Loss = Loss::HalfSquaredError;
/// The Playground's default batch size.
const BATCH: usize = 10;
/// A network "solves" the spiral when it classifies this share of the test points.
const SUCCESS: f64 = 0.95;

/// What one training run gives back.
struct Run {
    mlp: Mlp,
    test_accuracy: f64,
    /// Per epoch, the mean over its steps of each layer's weight-gradient norm.
    grad_norms: Vec<Vec<f64>>,
    /// Networks saved every few epochs (for the GIF), with their epoch.
    snapshots: Vec<(usize, Mlp)>,
}

/// The settings of one run.
#[derive(Clone, Copy)]
struct Setup {
    hidden: Activation,
    width: usize,
    lr: f64,
    epochs: usize,
    seed: u64,
    /// Save the network this many times during training (0: never).
    frames: usize,
}

/// A 2-w-w-w-1 network with `hidden` activations and a tanh output, trained
/// the Playground's way: SGD, batches walked in the same order every epoch;
/// a step callback records the gradient norms, an epoch callback the
/// snapshots.
fn train(s: Setup, train: &Dataset<f64>, test: &Dataset<f64>) -> Run {
    let w = s.width;
    let mut mlp = Mlp::new(
        &[2, w, w, w, 1],
        &[s.hidden, s.hidden, s.hidden, Activation::Tanh],
        Init::Playground,
        s.seed,
    )
    .expect("a valid network");
    let mut opt = Sgd::new(s.lr);
    let weights = mlp.weight_ids();
    let mut sums = vec![0.0; weights.len()];
    let mut grad_norms = Vec::with_capacity(s.epochs);
    let every = if s.frames == 0 {
        usize::MAX
    } else {
        s.epochs.div_ceil(s.frames).max(1)
    };
    let mut snapshots = vec![(0, mlp.clone())];
    Trainer::new(LOSS)
        .order(Order::Playground)
        .batch_size(BATCH)
        .epochs(s.epochs)
        .evaluate_train(false)
        .on_step(|step, _| {
            for (sum, &id) in sums.iter_mut().zip(&weights) {
                *sum += step.grads.norm(id).expect("one gradient per parameter");
            }
            if step.batch + 1 == step.batches {
                grad_norms.push(sums.iter().map(|s| s / step.batches as f64).collect());
                sums.iter_mut().for_each(|s| *s = 0.0);
            }
            ControlFlow::Continue(())
        })
        .on_epoch(|e, m: &Mlp| {
            let next = e.epoch + 1;
            if next % every == 0 && next < s.epochs {
                snapshots.push((next, m.clone()));
            }
            ControlFlow::Continue(())
        })
        .quiet()
        .fit(&mut mlp, &mut opt, train.x(), train.y())
        .expect("the batches fit the network");
    if s.frames > 0 {
        snapshots.push((s.epochs, mlp.clone()));
    }
    let (_, acc) = evaluate(
        &mlp,
        &LOSS,
        test.x(),
        test.y().into(),
        Some(Accuracy::Threshold(0.0)),
    )
    .expect("the test set fits the network");
    Run {
        mlp,
        test_accuracy: acc.expect("an accuracy was asked for"),
        grad_norms,
        snapshots,
    }
}

/// Hidden neurons (all layers) whose pre-activation z is ≤ 0 on every
/// training point: for ReLU their output is 0 everywhere and no gradient
/// reaches their weights again.
fn dead_neurons(mlp: &Mlp, train: &Dataset<f64>) -> usize {
    let layers = mlp.predict_layers(train.x()).expect("two inputs");
    let hidden = &layers[..layers.len() - 1];
    hidden
        .iter()
        .map(|l| {
            let (n, w) = (l.pre.shape()[0], l.pre.shape()[1]);
            let z = l.pre.data();
            (0..w)
                .filter(|&j| (0..n).all(|i| z[i * w + j] <= 0.0))
                .count()
        })
        .sum()
}

fn grid(density: usize) -> PlaneGrid {
    let range = Panel::PLAYGROUND_RANGE;
    PlaneGrid::xy(range, range, density).expect("a density of at least 2")
}

fn output_panel(mlp: &Mlp, title: String, density: usize) -> Panel {
    grid(density)
        .output(mlp, title)
        .expect("a network of x1 and x2")
}

fn points(data: &Dataset<f64>) -> Vec<(f64, f64, f64)> {
    labelled_points(data).expect("2-D points with one label")
}

fn main() {
    let mut ex = Example::new("playground_spiral");
    let quick = ex.quick();
    let (seeds, scale): (u64, usize) = if quick { (2, 50) } else { (6, 1) };
    let lr = 0.03;
    let (train_set, test_set) = PlaygroundSet::Spiral
        .generate_split(0.0, 50, 1)
        .expect("valid Playground settings");
    println!(
        "spiral set: {} training and {} test points, noise 0; SGD lr {lr}, batches of {BATCH}, \
         loss 1/2(o - t)^2, tanh output, weights U(-0.5, 0.5), biases 0.1",
        train_set.len(),
        test_set.len()
    );
    let train_points = points(&train_set);

    // 1. Three layers of four: sigmoid against ReLU, and ReLU 3x8, over seeds.
    let configs = [
        ("3x4 sigmoid", Activation::Sigmoid, 4, 3000 / scale),
        ("3x4 relu", Activation::Relu, 4, 3000 / scale),
        ("3x8 relu", Activation::Relu, 8, 1000 / scale),
    ];
    println!("\ntest accuracy by starting point (seed):");
    print!("{:>12} {:>7}", "network", "epochs");
    for seed in 1..=seeds {
        print!(" {:>7}", format!("seed {seed}"));
    }
    println!(" {:>8}", ">= 95%");
    let mut table = Vec::new();
    let mut first_runs = Vec::new();
    for (name, hidden, width, epochs) in configs {
        print!("{name:>12} {epochs:>7}");
        let mut accs = Vec::new();
        for seed in 1..=seeds {
            let setup = Setup {
                hidden,
                width,
                lr,
                epochs,
                seed,
                frames: if seed == 1 { 30 } else { 0 },
            };
            let run = train(setup, &train_set, &test_set);
            print!(" {:>6.1}%", 100.0 * run.test_accuracy);
            accs.push(run.test_accuracy);
            if seed == 1 {
                first_runs.push(run);
            }
        }
        let ok = accs.iter().filter(|&&a| a >= SUCCESS).count();
        println!(" {:>8}", format!("{ok} of {seeds}"));
        table.push((name, accs, ok));
    }

    // Gradient norms per layer, seed 1, sigmoid against ReLU.
    let sigmoid_run = &first_runs[0];
    let relu_run = &first_runs[1];
    println!("\ngradient norm of each layer's weights, mean over an epoch's steps (seed 1):");
    println!(
        "{:>12} {:>6} {:>10} {:>10} {:>10} {:>10}",
        "network", "epoch", "layer 1", "layer 2", "layer 3", "output"
    );
    for (name, run) in [("3x4 sigmoid", sigmoid_run), ("3x4 relu", relu_run)] {
        let last = run.grad_norms.len() - 1;
        for epoch in [0, last] {
            print!("{name:>12} {:>6}", epoch + 1);
            for g in &run.grad_norms[epoch] {
                print!(" {g:>10.2e}");
            }
            println!();
        }
    }
    let sig_start = &sigmoid_run.grad_norms[0];
    let relu_start = &relu_run.grad_norms[0];
    println!(
        "first epoch: the sigmoid network's first layer gets {:.0} times less gradient than \
         its output layer, relu's {:.1} times",
        sig_start[3] / sig_start[0],
        relu_start[3] / relu_start[0]
    );
    let mut series = Vec::new();
    let layer_colors = [Color::BLUE, Color::ORANGE, Color::GREEN, Color::RED];
    for (name, run, dashed) in [("sigmoid", sigmoid_run, false), ("relu", relu_run, true)] {
        for (l, &color) in layer_colors.iter().enumerate() {
            let label = if l == 3 {
                format!("{name} output")
            } else {
                format!("{name} layer {}", l + 1)
            };
            let values: Vec<f64> = run.grad_norms.iter().map(|g| g[l]).collect();
            let s = Series::per_epoch(label, &values).color(color);
            series.push(if dashed { s.dashed() } else { s });
        }
    }
    let path = ex.path("spiral_gradient_norms.png");
    line_chart(
        &path,
        "Gradient norm per layer, 3x4 sigmoid (solid) vs relu (dashed)",
        "epoch",
        "|dL/dW| (mean over the epoch's steps)",
        &series,
        &ChartOptions {
            log_y: true,
            legend: Legend::LowerRight,
            size: (900, 600),
            ..ChartOptions::default()
        },
    )
    .expect("the picture is written");
    ex.wrote(&path);

    // 2. Dead ReLUs: a learning rate 33 times the Playground's default.
    let big_lr = 1.0;
    let leaky = Activation::LeakyRelu(0.1);
    let dead_epochs = 200 / scale;
    println!(
        "\n3x8 networks, learning rate {big_lr}, {dead_epochs} epochs: hidden neurons (of 24) \
         with z <= 0 on every training point"
    );
    println!("  (for relu: output 0 everywhere, zero gradient, dead for good)");
    let (mut dead_relu, mut dead_leaky) = (0, 0);
    for seed in 1..=3 {
        let count = |hidden| {
            let setup = Setup {
                hidden,
                width: 8,
                lr: big_lr,
                epochs: dead_epochs,
                seed,
                frames: 0,
            };
            let run = train(setup, &train_set, &test_set);
            (dead_neurons(&run.mlp, &train_set), run.test_accuracy)
        };
        let (r, ra) = count(Activation::Relu);
        let (l, la) = count(leaky);
        println!(
            "  seed {seed}: relu {r:>2} dead (test {:.1}%), {leaky} {l:>2} (test {:.1}%)",
            100.0 * ra,
            100.0 * la
        );
        dead_relu += r;
        dead_leaky += l;
    }
    println!("  total over 3 seeds: relu {dead_relu}, {leaky} {dead_leaky}");

    // Checks.
    let by_name = |name: &str| table.iter().find(|t| t.0 == name).expect("a config");
    let sigmoid_best = by_name("3x4 sigmoid").1.iter().copied().fold(0.0, f64::max);
    ex.check_that(
        "3x4 sigmoid stays near chance (every seed below 70%)",
        sigmoid_best < 0.70,
    );
    ex.check_that(
        "sigmoid: the first layer's gradient starts at least 50 times below the output layer's",
        sig_start[0] * 50.0 < sig_start[3],
    );
    ex.check_that(
        "relu: the first layer's gradient starts at least 10 times above sigmoid's",
        relu_start[0] > 10.0 * sig_start[0],
    );
    if !quick {
        ex.check_that(
            "3x4 relu solves the spiral from some seed",
            by_name("3x4 relu").2 >= 1,
        );
        ex.check_that(
            "3x8 relu solves the spiral from every seed",
            by_name("3x8 relu").2 == seeds as usize,
        );
        ex.check_that(
            "a too large learning rate kills relu neurons",
            dead_relu >= 1,
        );
        ex.check_that(
            "leaky relu has fewer neurons stuck at z <= 0 than relu",
            dead_leaky < dead_relu,
        );
    }

    // 3. Pictures of the 3x8 ReLU network from seed 1.
    let net = &first_runs[2];
    let gif_options = HeatmapOptions {
        size: (240, 260),
        point_radius: 2,
        axes: false,
        ..HeatmapOptions::default()
    };
    let frames: Vec<Panel> = net
        .snapshots
        .iter()
        .map(|(epoch, m)| {
            output_panel(m, format!("3x8 relu, epoch {epoch}"), 40).train(&train_points)
        })
        .collect();
    let path = ex.path("spiral_training.gif");
    gif_heatmaps(&path, &frames, 150, &gif_options).expect("the animation is written");
    ex.wrote(&path);
    // A few of the frames side by side, as a still picture.
    let last = frames.len() - 1;
    let picks: Vec<Panel> = [0, last / 10, last / 5, last / 3, last / 2, last]
        .iter()
        .map(|&i| frames[i].clone())
        .collect();
    let path = ex.path("spiral_training_frames.png");
    let strip_options = HeatmapOptions {
        size: (220, 240),
        ..gif_options.clone()
    };
    heatmap_grid(&path, &picks, picks.len(), &strip_options).expect("the picture is written");
    ex.wrote(&path);

    let panel = output_panel(
        &net.mlp,
        format!("3x8 relu: test {:.1}%", 100.0 * net.test_accuracy),
        100,
    )
    .train(&train_points);
    let path = ex.path("spiral_relu.png");
    heatmap(&path, &panel, &HeatmapOptions::default()).expect("the picture is written");
    ex.wrote(&path);

    let sig_panel = output_panel(
        &sigmoid_run.mlp,
        format!(
            "3x4 sigmoid: test {:.1}%",
            100.0 * sigmoid_run.test_accuracy
        ),
        100,
    )
    .train(&train_points);
    let path = ex.path("spiral_sigmoid.png");
    heatmap(&path, &sig_panel, &HeatmapOptions::default()).expect("the picture is written");
    ex.wrote(&path);

    // Every hidden neuron's output over the plane, one row per layer; a
    // dead unit (the same output on every training point) is crossed out.
    let density = 40;
    let grid = grid(density);
    let layers = net.mlp.predict_layers(grid.inputs()).expect("two inputs");
    let dead = dead_units(&net.mlp, train_set.x()).expect("two inputs");
    let rows: Vec<Vec<Panel>> = layers[..layers.len() - 1]
        .iter()
        .enumerate()
        .map(|(l, values)| {
            let width = values.post.shape()[1];
            grid.units(&values.post, width, |j| {
                format!("layer {} n{}", l + 1, j + 1)
            })
            .into_iter()
            .zip(&dead[l])
            .map(|(panel, &d)| panel.dead(d))
            .collect()
        })
        .collect();
    let path = ex.path("spiral_neurons.png");
    heatmap_rows(
        &path,
        &rows,
        &HeatmapOptions {
            size: (160, 180),
            axes: false,
            threshold: None,
            key: Key::classes("negative output", "positive output"),
            ..HeatmapOptions::default()
        },
    )
    .expect("the picture is written");
    ex.wrote(&path);
    ex.finish();
}
