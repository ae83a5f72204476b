//! The McCulloch–Pitts neuron (1943): 小蓝 weighs three things it senses
//! about a bean — its size x₁, the brightness of its colour x₂ and the
//! strength of its smell x₃ — with the weights w₁ = 1.5, w₂ = 1.2,
//! w₃ = 0.6, adds them up, and fires (says "toxic") when the weighted sum
//! passes a threshold.
//!
//! It prints a table of beans with each weighted contribution, the sum and
//! the output, checks the sums against the course's formula
//! x₁·w₁ + x₂·w₂ + x₃·w₃ computed on the tape, and draws two pictures: the
//! neuron's output over size and colour (smell held fixed), with its
//! straight threshold line, and the weighted contributions of each bean as
//! stacked bars.
//!
//! ```sh
//! cargo run --release --example mcculloch_pitts [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::Tape;
use common::Example;
use nn::plot::{
    heatmap_grid, line_chart, BoundaryLine, ChartOptions, Color, HeatmapOptions, Key, Legend,
    Panel, Series,
};

/// The course's weights: size, colour, smell.
const WEIGHTS: [f64; 3] = [1.5, 1.2, 0.6];
/// Fires when the weighted sum is above this (half of the largest possible
/// sum 3.3: a bean must be "more than half as alarming as it could be").
const THRESHOLD: f64 = 1.65;

/// A bean as 小蓝 senses it: (name, size, colour, smell), each in [0, 1].
const BEANS: [(&str, f64, f64, f64); 6] = [
    ("tiny pale", 0.1, 0.2, 0.3),
    ("small bright", 0.3, 1.0, 0.6),
    ("medium dull", 0.5, 0.3, 0.5),
    ("medium bright", 0.6, 0.7, 0.4),
    ("big pale", 0.9, 0.1, 0.1),
    ("big bright", 0.9, 0.8, 0.9),
];

/// The weighted sum x₁w₁ + x₂w₂ + x₃w₃, recorded on a tape.
fn weighted_sum(x: [f64; 3]) -> f64 {
    let tape = Tape::new();
    let terms: Vec<_> = x
        .iter()
        .zip(WEIGHTS)
        .map(|(&xi, wi)| tape.var(xi) * wi)
        .collect();
    autograd::Var::sum(&terms).expect("three inputs").value()
}

/// The neuron's output: 1 (fire: toxic) when the sum is above the threshold.
fn fire(sum: f64) -> f64 {
    if sum > THRESHOLD {
        1.0
    } else {
        0.0
    }
}

fn main() {
    let mut ex = Example::new("mcculloch_pitts");
    println!(
        "McCulloch-Pitts neuron: sum = x1*{} + x2*{} + x3*{}, fires when sum > {THRESHOLD}",
        WEIGHTS[0], WEIGHTS[1], WEIGHTS[2]
    );
    println!(
        "{:<14} {:>5} {:>6} {:>6} | {:>7} {:>7} {:>7} | {:>6} {:>6}",
        "bean", "size", "colour", "smell", "x1*1.5", "x2*1.2", "x3*0.6", "sum", "fires"
    );
    let mut fired = Vec::new();
    let mut worst: f64 = 0.0;
    for &(name, x1, x2, x3) in &BEANS {
        let parts = [x1 * WEIGHTS[0], x2 * WEIGHTS[1], x3 * WEIGHTS[2]];
        let sum = weighted_sum([x1, x2, x3]);
        let out = fire(sum);
        println!(
            "{name:<14} {x1:>5.2} {x2:>6.2} {x3:>6.2} | {:>7.3} {:>7.3} {:>7.3} | {sum:>6.3} {:>6}",
            parts[0], parts[1], parts[2], out as u8
        );
        worst = worst.max((sum - parts.iter().sum::<f64>()).abs());
        fired.push(out);
    }
    ex.check(
        "largest |tape sum - (x1*w1 + x2*w2 + x3*w3)| over the beans",
        worst,
        0.0,
        1e-12,
    );
    // The course's reading of the weights: size matters most, smell least.
    let unit = |i: usize| {
        let mut x = [0.0; 3];
        x[i] = 1.0;
        weighted_sum(x)
    };
    println!(
        "a unit of size adds {}, of colour {}, of smell {}",
        unit(0),
        unit(1),
        unit(2)
    );
    ex.check("weight of size", unit(0), 1.5, 0.0);
    ex.check("weight of colour", unit(1), 1.2, 0.0);
    ex.check("weight of smell", unit(2), 0.6, 0.0);
    ex.check(
        "beans the neuron calls toxic (of 6)",
        fired.iter().sum(),
        3.0,
        0.0,
    );

    // Picture 1: the output over size × colour at three smells; the
    // threshold line 1.5·x1 + 1.2·x2 + 0.6·smell = 1.65 separates silent
    // (orange) from firing (blue) and moves down as the smell gets stronger.
    let density = if ex.quick() { 40 } else { 100 };
    let panels: Vec<Panel> = [0.0, 0.5, 1.0]
        .iter()
        .map(|&smell| {
            Panel::from_fn(
                format!("smell x3 = {smell}"),
                (0.0, 1.0),
                (0.0, 1.0),
                density,
                |x1, x2| fire(weighted_sum([x1, x2, smell])),
            )
            .line(BoundaryLine::new(
                WEIGHTS[0],
                WEIGHTS[1],
                WEIGHTS[2] * smell - THRESHOLD,
            ))
        })
        .collect();
    let options = HeatmapOptions {
        size: (420, 460),
        x_label: "size x1".into(),
        y_label: "colour x2".into(),
        key: Key::classes("silent (0)", "fires (1)"),
        ..HeatmapOptions::sigmoid()
    };
    let path = ex.path("mp_output.png");
    heatmap_grid(&path, &panels, 3, &options).expect("render the output maps");
    ex.wrote(&path);

    // Picture 2: each bean's weighted contributions side by side as bars
    // starting at 0, the sum on top, and the threshold as a dashed line.
    let mut series = Vec::new();
    let names = ["size x1*1.5", "colour x2*1.2", "smell x3*0.6"];
    let colors = [Color::BLUE, Color::ORANGE, Color::GREEN];
    for (k, name) in names.iter().enumerate() {
        let mut pts = Vec::new();
        for (i, &(_, x1, x2, x3)) in BEANS.iter().enumerate() {
            let x = [x1, x2, x3];
            let below: f64 = (0..k).map(|j| x[j] * WEIGHTS[j]).sum();
            let top = below + x[k] * WEIGHTS[k];
            let c = (i + 1) as f64;
            // A bar as a closed outline: up the left side, across, down.
            pts.extend([
                (f64::NAN, f64::NAN),
                (c - 0.3, below),
                (c - 0.3, top),
                (c + 0.3, top),
                (c + 0.3, below),
            ]);
            for t in 0..40 {
                let xx = c - 0.3 + 0.6 * t as f64 / 39.0;
                pts.extend([(f64::NAN, f64::NAN), (xx, below), (xx, top)]);
            }
        }
        series.push(Series::line(*name, pts).color(colors[k]).width(2));
    }
    series.push(
        Series::line(
            format!("threshold {THRESHOLD}"),
            [(0.4, THRESHOLD), (6.6, THRESHOLD)],
        )
        .color(Color::RED)
        .dashed(),
    );
    let sums: Vec<(f64, f64)> = BEANS
        .iter()
        .enumerate()
        .map(|(i, &(_, a, b, c))| ((i + 1) as f64, weighted_sum([a, b, c])))
        .collect();
    series.push(Series::points("sum", sums).color(Color::BLACK));
    let path = ex.path("mp_contributions.png");
    line_chart(
        &path,
        "Weighted contributions of beans 1-6",
        "bean (1 tiny pale ... 6 big bright)",
        "weighted sum",
        &series,
        &ChartOptions {
            x_range: Some((0.4, 6.6)),
            y_range: Some((0.0, 3.4)),
            legend: Legend::UpperLeft,
            ..ChartOptions::default()
        },
    )
    .expect("render the contributions");
    ex.wrote(&path);
    ex.finish();
}
