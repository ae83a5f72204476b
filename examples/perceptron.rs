//! The perceptron (感知器): inputs and output are 0 or 1, the neuron fires
//! when the weighted sum plus its bias is above 0.
//!
//! First the course's NAND perceptron, weights −2, −2 and bias 3, as a truth
//! table. Then Rosenblatt's learning rule: after each sample,
//! w ← w + α(y − ŷ)·x and b ← b + α(y − ŷ), so a wrong answer moves the line
//! towards the sample and a right one changes nothing. It learns AND, OR and
//! a linearly separable set of beans (size and colour), printing the epoch
//! after which it made no more mistakes; it never learns XOR, because no
//! straight line puts (0,1) and (1,0) on one side and (0,0) and (1,1) on the
//! other.
//!
//! ```sh
//! cargo run --release --example perceptron [-- [--out DIR] [--quick]]
//! ```

mod common;

use common::Example;
use nn::data::beans;
use nn::plot::{heatmap_grid, BoundaryLine, Color, HeatmapOptions, Key, Panel};

/// A perceptron with two inputs: fires (1) when w·x + b > 0, else 0.
#[derive(Clone, Copy, Debug)]
struct Perceptron {
    w: [f64; 2],
    b: f64,
}

impl Perceptron {
    fn output(&self, x: [f64; 2]) -> f64 {
        let z = self.w[0] * x[0] + self.w[1] * x[1] + self.b;
        if z > 0.0 {
            1.0
        } else {
            0.0
        }
    }

    /// Rosenblatt's rule for one sample; returns whether it was a mistake.
    fn learn(&mut self, x: [f64; 2], y: f64, alpha: f64) -> bool {
        let e = y - self.output(x);
        self.w[0] += alpha * e * x[0];
        self.w[1] += alpha * e * x[1];
        self.b += alpha * e;
        e != 0.0
    }

    fn correct(&self, data: &[([f64; 2], f64)]) -> usize {
        data.iter().filter(|(x, y)| self.output(*x) == *y).count()
    }
}

/// What one training run found.
struct Run {
    p: Perceptron,
    /// The epoch after which every sample was right, if it came.
    converged: Option<usize>,
    /// The most samples right after any epoch, and the weights then (the
    /// first such epoch).
    best: (usize, Perceptron),
}

/// Rosenblatt's rule from w = 0, b = 0, over the samples in order, for at
/// most `epochs` passes; stops after the first pass without a mistake.
fn train(data: &[([f64; 2], f64)], alpha: f64, epochs: usize) -> Run {
    let mut p = Perceptron {
        w: [0.0; 2],
        b: 0.0,
    };
    let mut best = (0, p);
    for epoch in 1..=epochs {
        let mut mistakes = 0;
        for &(x, y) in data {
            mistakes += usize::from(p.learn(x, y, alpha));
        }
        let right = p.correct(data);
        if right > best.0 {
            best = (right, p);
        }
        if mistakes == 0 {
            return Run {
                p,
                converged: Some(epoch),
                best,
            };
        }
    }
    Run {
        p,
        converged: None,
        best,
    }
}

fn gate(f: impl Fn(u8, u8) -> u8) -> Vec<([f64; 2], f64)> {
    [(0, 0), (0, 1), (1, 0), (1, 1)]
        .iter()
        .map(|&(a, b)| ([a as f64, b as f64], f(a, b) as f64))
        .collect()
}

fn panel(
    title: String,
    p: &Perceptron,
    data: &[([f64; 2], f64)],
    range: (f64, f64),
    density: usize,
) -> Panel {
    let points: Vec<(f64, f64, f64)> = data.iter().map(|(x, y)| (x[0], x[1], *y)).collect();
    Panel::from_fn(title, range, range, density, |a, b| p.output([a, b]))
        .train(&points)
        .line(BoundaryLine::new(p.w[0], p.w[1], p.b).color(Color::BLACK))
}

fn main() {
    let mut ex = Example::new("perceptron");
    let alpha = 0.1;

    // The course's NAND perceptron.
    let nand = Perceptron {
        w: [-2.0, -2.0],
        b: 3.0,
    };
    println!("NAND perceptron: output 1 when -2*x1 - 2*x2 + 3 > 0, else 0");
    println!(
        "{:>3} {:>3} {:>12} {:>7}",
        "x1", "x2", "-2x1-2x2+3", "output"
    );
    let mut wrong = 0;
    for (x, y) in gate(|a, b| 1 - (a & b)) {
        let z = nand.w[0] * x[0] + nand.w[1] * x[1] + nand.b;
        let out = nand.output(x);
        println!("{:>3} {:>3} {:>12} {:>7}", x[0], x[1], z, out);
        wrong += usize::from(out != y);
    }
    ex.check("NAND rows wrong (of 4)", wrong as f64, 0.0, 0.0);
    ex.check(
        "NAND at (1, 1): -2 - 2 + 3",
        nand.w[0] + nand.w[1] + nand.b,
        -1.0,
        0.0,
    );

    // Rosenblatt's rule on AND, OR, beans and XOR.
    println!("\nRosenblatt's rule: w <- w + {alpha}*(y - y_hat)*x, b <- b + {alpha}*(y - y_hat), from w = 0, b = 0");
    let n_beans = if ex.quick() { 60 } else { 200 };
    let bean_set = beans::two_features(n_beans, 3);
    let bean_data: Vec<([f64; 2], f64)> = (0..bean_set.len())
        .map(|i| {
            let x = bean_set.x_row(i);
            ([x[0], x[1]], bean_set.y_row(i)[0])
        })
        .collect();
    let max_epochs = if ex.quick() { 300 } else { 2000 };
    let xor_epochs = if ex.quick() { 50 } else { 1000 };
    let density = if ex.quick() { 40 } else { 100 };
    let unit = (-0.5, 1.5);
    let mut panels = Vec::new();
    for (name, data) in [
        ("AND", gate(|a, b| a & b)),
        ("OR", gate(|a, b| a | b)),
        ("beans", bean_data.clone()),
    ] {
        let run = train(&data, alpha, max_epochs);
        let p = run.p;
        match run.converged {
            Some(e) => println!(
                "{name:<6}: no mistakes in epoch {e}; w = ({:.2}, {:.2}), b = {:.2}, {}/{} right",
                p.w[0],
                p.w[1],
                p.b,
                p.correct(&data),
                data.len()
            ),
            None => println!("{name:<6}: still making mistakes after {max_epochs} epochs"),
        }
        ex.check_that(
            &format!("the perceptron learns {name} (converged within {max_epochs} epochs)"),
            run.converged.is_some(),
        );
        ex.check(
            &format!("{name} samples right"),
            p.correct(&data) as f64,
            data.len() as f64,
            0.0,
        );
        let range = if name == "beans" { (0.0, 1.0) } else { unit };
        let epochs = run.converged.map_or("no".into(), |e| e.to_string());
        panels.push(panel(
            format!(
                "{name}: {}/{} after {epochs} epochs",
                p.correct(&data),
                data.len()
            ),
            &p,
            &data,
            range,
            density,
        ));
    }
    let xor = gate(|a, b| a ^ b);
    let run = train(&xor, alpha, xor_epochs);
    let (best, bp) = run.best;
    println!(
        "XOR   : never without mistakes in {xor_epochs} epochs; best {best}/4 right \
         (w = ({:.2}, {:.2}), b = {:.2}); after the last epoch {}/4",
        bp.w[0],
        bp.w[1],
        bp.b,
        run.p.correct(&xor)
    );
    ex.check_that(
        &format!("the perceptron never learns XOR in {xor_epochs} epochs"),
        run.converged.is_none() && best < 4,
    );
    panels.push(panel(
        format!("XOR: best {best}/4 in {xor_epochs} epochs"),
        &bp,
        &xor,
        unit,
        density,
    ));

    let options = HeatmapOptions {
        size: (380, 420),
        point_radius: 6,
        key: Key::classes("output 0", "output 1"),
        ..HeatmapOptions::sigmoid()
    };
    let path = ex.path("perceptron_lines.png");
    heatmap_grid(&path, &panels, 2, &options).expect("render the perceptron panels");
    ex.wrote(&path);
    ex.finish();
}
