//! The TensorFlow Playground's circle set (圈圈数据集): blue (+1) points
//! inside radius 2.5, orange (−1) points on a ring around them. Each hidden
//! neuron's 0 contour is a straight line; two lines cannot close around
//! the inner points, three can form a closed triangle, and the output
//! neuron joins them into a closed boundary.
//!
//! Trains 2-2-1 and 2-3-1 tanh networks under the Playground's rules
//! (noise 0, 50% of the points for training, SGD with learning rate 0.03,
//! batches of 10 walked in the set's once-shuffled order, loss ½(o − t)²,
//! weights U(−0.5, 0.5) and biases 0.1) from several starting points,
//! prints the test accuracy of each and how many reach 95%, and checks that
//! no 2-neuron network does while most 3-neuron networks do. Writes the
//! decision heatmaps side by side (test accuracy in each title) and, for a
//! 3-neuron success, the three hidden neurons' lines over the data.
//!
//! ```sh
//! cargo run --release --example playground_circle
//! ```

mod common;

use common::Example;
use nn::data::{Dataset, PlaygroundSet};
use nn::plot::{
    heatmap, heatmap_grid, labelled_points, BoundaryLine, Color, HeatmapOptions, Panel, PlaneGrid,
};
use nn::prelude::*;
use nn::train::{evaluate, Order};

/// The Playground's loss: ½(o − t)², averaged over the batch.
const LOSS: Loss = Loss::HalfSquaredError;
/// The Playground's default learning rate.
const LEARNING_RATE: f64 = 0.03;
/// The Playground's default batch size.
const BATCH: usize = 10;
/// A network "closes the circle" when it classifies this share of the test points.
const SUCCESS: f64 = 0.95;

/// One trained network and its test accuracy.
struct Run {
    seed: u64,
    mlp: Mlp,
    test_accuracy: f64,
}

/// Trains a 2-`hidden`-1 tanh network the Playground's way.
fn train(
    hidden: usize,
    seed: u64,
    train: &Dataset<f64>,
    test: &Dataset<f64>,
    epochs: usize,
) -> Run {
    let mut mlp = Mlp::new(
        &[2, hidden, 1],
        &[Activation::Tanh, Activation::Tanh],
        Init::Playground,
        seed,
    )
    .expect("a valid network");
    let mut opt = Sgd::new(LEARNING_RATE);
    // The Playground walks its training set in the same order every epoch.
    Trainer::new(LOSS)
        .order(Order::Playground)
        .batch_size(BATCH)
        .epochs(epochs)
        .evaluate_train(false)
        .quiet()
        .fit(&mut mlp, &mut opt, train.x(), train.y())
        .expect("the batches fit the network");
    let (_, acc) = evaluate(
        &mlp,
        &LOSS,
        test.x(),
        test.y().into(),
        Some(Accuracy::Threshold(0.0)),
    )
    .expect("the test set fits the network");
    Run {
        seed,
        mlp,
        test_accuracy: acc.expect("an accuracy was asked for"),
    }
}

/// The network's output on the Playground's grid, in one batched pass.
fn output_panel(run: &Run, hidden: usize, density: usize) -> Panel {
    let range = Panel::PLAYGROUND_RANGE;
    let title = format!(
        "{hidden} neurons, seed {}: test {:.1}%",
        run.seed,
        100.0 * run.test_accuracy
    );
    PlaneGrid::xy(range, range, density)
        .and_then(|grid| grid.output(&run.mlp, title))
        .expect("a network of x1 and x2")
}

/// Hidden neuron j's line w₁x + w₂y + b = 0 (its tanh is 0 there).
fn hidden_lines(mlp: &Mlp) -> Vec<BoundaryLine> {
    let layer = &mlp.layers()[0];
    let w = mlp.params()[layer.weight()].data().to_vec(); // [2, hidden], row-major
    let b = mlp.params()[layer.bias()].data().to_vec();
    let h = layer.outputs();
    let colors = [Color::RED, Color::PURPLE, Color::GREEN, Color::BROWN];
    (0..h)
        .map(|j| BoundaryLine::new(w[j], w[h + j], b[j]).color(colors[j % colors.len()]))
        .collect()
}

fn points(data: &Dataset<f64>) -> Vec<(f64, f64, f64)> {
    labelled_points(data).expect("2-D points with one label")
}

fn main() {
    let mut ex = Example::new("playground_circle");
    let (seeds, epochs): (u64, usize) = if ex.quick() { (3, 150) } else { (8, 400) };
    let (train_set, test_set) = PlaygroundSet::Circle
        .generate_split(0.0, 50, 1)
        .expect("valid Playground settings");
    println!(
        "circle set: {} training and {} test points, noise 0; SGD lr {LEARNING_RATE}, \
         batches of {BATCH}, loss 1/2(o - t)^2, tanh hidden and output, \
         weights U(-0.5, 0.5), biases 0.1; {epochs} epochs",
        train_set.len(),
        test_set.len()
    );
    let mut runs: Vec<(usize, Vec<Run>)> = Vec::new();
    for hidden in [2, 3] {
        let group = (1..=seeds)
            .map(|seed| train(hidden, seed, &train_set, &test_set, epochs))
            .collect();
        runs.push((hidden, group));
    }

    println!("\ntest accuracy by starting point (seed):");
    print!("{:>14}", "hidden neurons");
    for seed in 1..=seeds {
        print!(" {:>7}", format!("seed {seed}"));
    }
    println!(" {:>10}", ">= 95%");
    let mut successes = Vec::new();
    for (hidden, group) in &runs {
        print!("{hidden:>14}");
        for run in group {
            print!(" {:>6.1}%", 100.0 * run.test_accuracy);
        }
        let ok = group.iter().filter(|r| r.test_accuracy >= SUCCESS).count();
        println!(" {:>10}", format!("{ok} of {}", group.len()));
        successes.push(ok);
    }
    let best2 = runs[0]
        .1
        .iter()
        .map(|r| r.test_accuracy)
        .fold(0.0, f64::max);
    println!(
        "2 hidden neurons: best test accuracy {:.1}%; 3 hidden neurons: {} of {seeds} \
         starting points close the circle",
        100.0 * best2,
        successes[1]
    );
    ex.check_that(
        "no 2-neuron network reaches 95% on the test set",
        successes[0] == 0,
    );
    ex.check_that(
        "most 3-neuron networks reach 95% on the test set",
        2 * successes[1] > seeds as usize,
    );

    // Decision heatmaps side by side: one row per network size.
    let density = 50;
    let options = HeatmapOptions {
        size: (210, 230),
        axes: false,
        point_radius: 2,
        ..HeatmapOptions::default()
    };
    let train_points = points(&train_set);
    let panels: Vec<Panel> = runs
        .iter()
        .flat_map(|(hidden, group)| {
            group
                .iter()
                .map(|run| output_panel(run, *hidden, density).train(&train_points))
                .collect::<Vec<_>>()
        })
        .collect();
    let path = ex.path("circle_seeds.png");
    heatmap_grid(&path, &panels, seeds as usize, &options).expect("the picture is written");
    ex.wrote(&path);

    // The three hidden neurons' lines of the best 3-neuron network.
    let best = runs[1]
        .1
        .iter()
        .max_by(|a, b| a.test_accuracy.total_cmp(&b.test_accuracy))
        .expect("at least one run");
    let mut panel = output_panel(best, 3, 100).train(&train_points);
    panel.title = format!(
        "3 neurons' lines, seed {}: test {:.1}%",
        best.seed,
        100.0 * best.test_accuracy
    );
    for line in hidden_lines(&best.mlp) {
        panel = panel.line(line);
    }
    let path = ex.path("circle_three_lines.png");
    heatmap(&path, &panel, &HeatmapOptions::default()).expect("the picture is written");
    ex.wrote(&path);
    ex.check_that(
        "the best 3-neuron network closes the circle",
        best.test_accuracy >= SUCCESS,
    );
    ex.finish();
}
