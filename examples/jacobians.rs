//! Derivatives of functions with several outputs: the Jacobian J, whose
//! row i is the gradient of output i, by reverse mode (`jacobian`, one
//! backward sweep per output) and by forward mode (`jacfwd`, one pass on
//! dual numbers per input), checked against the closed forms.
//!
//! - Polar to Cartesian, (r, θ) ↦ (r cos θ, r sin θ):
//!   J = [[cos θ, −r sin θ], [sin θ, r cos θ]], det J = r.
//! - A 2-2-2 tanh network's output, y = tanh(x W₁ + b₁) W₂ + b₂:
//!   J = W₂ᵀ diag(1 − h²) W₁ᵀ.
//! - Softmax, s = eˣ / Σ eˣ: J = diag(s) − s sᵀ, on scalars and as the
//!   tensor op.
//!
//! On the polar map it also computes J·v by `jvp` (one forward pass) and
//! uᵀJ by `vjp` (one backward sweep), neither building J.
//!
//! It also checks `check_jacobian` (central differences) on all three and
//! draws the polar map's tape: each entry of J is the sum, over the paths
//! from an input to an output, of the product of the partials on the path
//! (∂x/∂θ = −sin θ · r).
//!
//! ```sh
//! cargo run --release --example jacobians [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::{
    check_jacobian, graph_number, jacfwd, jacfwd_tensor, jacobian, jacobian_tensor, jvp, vjp, Real,
    Tape, Tensor, Var,
};
use common::Example;
use nn::plot::tape_graph;

/// (r, θ) ↦ (r cos θ, r sin θ), on any element type (reverse and forward mode).
fn polar<'t, E: Real>(p: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    vec![p[0] * p[1].cos(), p[0] * p[1].sin()]
}

const W1: [[f64; 2]; 2] = [[0.5, -0.3], [0.8, 0.2]];
const B1: [f64; 2] = [0.1, -0.2];
const W2: [[f64; 2]; 2] = [[1.2, -0.7], [0.4, 0.9]];
const B2: [f64; 2] = [0.05, -0.05];

/// y = tanh(x W₁ + b₁) W₂ + b₂ for a 2-vector x.
fn net<'t, E: Real>(x: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    let h: Vec<Var<'t, E>> = (0..2)
        .map(|k| (x[0] * W1[0][k] + x[1] * W1[1][k] + B1[k]).tanh())
        .collect();
    (0..2)
        .map(|l| h[0] * W2[0][l] + h[1] * W2[1][l] + B2[l])
        .collect()
}

/// Softmax of scalars, the largest subtracted first.
fn softmax<'t, E: Real>(x: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    let m = x
        .iter()
        .map(|v| v.to_f64())
        .fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<Var<'t, E>> = x.iter().map(|&v| (v - m).exp()).collect();
    let sum = Var::sum(&e).expect("at least one input");
    e.iter().map(|&e| e / sum).collect()
}

fn print_matrix(name: &str, m: &[Vec<f64>]) {
    for (i, row) in m.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .map(|&v| format!("{:>9}", graph_number(v)))
            .collect();
        let lead = if i == 0 { name } else { "" };
        println!("  {lead:<18} [{}]", cells.join(" "));
    }
}

/// The largest difference between two matrices (infinite if their shapes differ).
fn max_diff(a: &[Vec<f64>], b: &[Vec<f64>]) -> f64 {
    if a.len() != b.len() || a.iter().zip(b).any(|(x, y)| x.len() != y.len()) {
        return f64::INFINITY;
    }
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

fn rows(t: &Tensor<f64>) -> Vec<Vec<f64>> {
    t.data().chunks(t.shape()[1]).map(<[f64]>::to_vec).collect()
}

fn polar_map(ex: &mut Example) {
    let (r, t) = (2.0, std::f64::consts::FRAC_PI_6);
    println!("polar to Cartesian at r = {r}, θ = π/6:");
    let want = vec![vec![t.cos(), -r * t.sin()], vec![t.sin(), r * t.cos()]];
    let rev = jacobian::<f64, _>(polar, &[r, t]);
    let fwd = jacfwd(polar, &[r, t]);
    print_matrix("closed form", &want);
    print_matrix("jacobian (reverse)", &rev);
    print_matrix("jacfwd (forward)", &fwd);
    ex.check(
        "polar: jacobian vs closed form",
        max_diff(&rev, &want),
        0.0,
        1e-15,
    );
    ex.check(
        "polar: jacfwd vs closed form",
        max_diff(&fwd, &want),
        0.0,
        1e-15,
    );
    let det = rev[0][0] * rev[1][1] - rev[0][1] * rev[1][0];
    ex.check("polar: det J = r", det, r, 1e-15);
    // J·v in one forward pass and uᵀJ in one backward sweep, without J
    let (v, u) = ([1.0, 0.5], [1.0, -1.0]);
    let jv = jvp(polar, &[r, t], &v).jv;
    let vj = vjp::<f64, _>(polar, &[r, t], &u).vj;
    let want_jv: Vec<f64> = want
        .iter()
        .map(|row| row[0] * v[0] + row[1] * v[1])
        .collect();
    let want_vj: Vec<f64> = (0..2)
        .map(|j| u[0] * want[0][j] + u[1] * want[1][j])
        .collect();
    print_matrix("jvp, J·(1, 0.5)", std::slice::from_ref(&jv));
    print_matrix("vjp, (1, -1)·J", std::slice::from_ref(&vj));
    ex.check(
        "polar: jvp (one forward pass) vs J·v",
        max_diff(&[jv], &[want_jv]),
        0.0,
        1e-15,
    );
    ex.check(
        "polar: vjp (one backward sweep) vs uᵀJ",
        max_diff(&[vj], &[want_vj]),
        0.0,
        1e-15,
    );
    let report = check_jacobian(polar, &[r, t]);
    println!("{report}");
    ex.check_that("polar: check_jacobian passes", report.passed());
    // the tape of the map, with its partials on the arrows
    let tape = Tape::new();
    tape.keep_graph(true);
    let ys = polar(&tape.vars(&[r, t]));
    let graph = tape.graph();
    // ∂x/∂θ is the one path θ → cos → mul: (−sin θ) · r
    let partial = |from: usize, to: usize| {
        graph
            .edges
            .iter()
            .find(|e| (e.from, e.to) == (from, to))
            .and_then(|e| e.partial)
            .unwrap_or(f64::NAN)
    };
    ex.check(
        "polar: ∂x/∂θ read off the tape's arrows",
        partial(1, 2) * partial(2, 3),
        rev[0][1],
        1e-15,
    );
    ex.check(
        "polar: ∂y/∂r read off the tape's arrows",
        partial(0, 5),
        rev[1][0],
        1e-15,
    );
    ex.check(
        "polar: the tape's outputs",
        ys[0].value().hypot(ys[1].value()),
        r,
        1e-15,
    );
    let png = ex.path("jacobians_polar.png");
    match tape_graph(&png, &graph, "Polar to Cartesian, x = r·cos θ, y = r·sin θ, at r = 2, θ = π/6: J[i][j] = sum over the paths from input j to output i of the product of the partials") {
        Ok(()) => ex.wrote(&png),
        Err(e) => ex.check_that(&format!("drawing the polar map: {e}"), false),
    }
}

fn network(ex: &mut Example) {
    let x = [0.4, -0.6];
    println!("2-2-2 tanh network at x = ({}, {}):", x[0], x[1]);
    let h: Vec<f64> = (0..2)
        .map(|k| (x[0] * W1[0][k] + x[1] * W1[1][k] + B1[k]).tanh())
        .collect();
    // J[l][j] = Σₖ W₂[k][l] (1 − hₖ²) W₁[j][k]
    let want: Vec<Vec<f64>> = (0..2)
        .map(|l| {
            (0..2)
                .map(|j| {
                    (0..2)
                        .map(|k| W2[k][l] * (1.0 - h[k] * h[k]) * W1[j][k])
                        .sum()
                })
                .collect()
        })
        .collect();
    let rev = jacobian::<f64, _>(net, &x);
    let fwd = jacfwd(net, &x);
    print_matrix("closed form", &want);
    print_matrix("jacobian (reverse)", &rev);
    print_matrix("jacfwd (forward)", &fwd);
    ex.check(
        "network: jacobian vs closed form",
        max_diff(&rev, &want),
        0.0,
        1e-15,
    );
    ex.check(
        "network: jacfwd vs closed form",
        max_diff(&fwd, &want),
        0.0,
        1e-15,
    );
    ex.check_that(
        "network: check_jacobian passes",
        check_jacobian(net, &x).passed(),
    );
}

fn softmax_jacobian(ex: &mut Example) {
    let x = [1.0, 2.0, 0.5];
    println!("softmax at x = ({}, {}, {}):", x[0], x[1], x[2]);
    let e: Vec<f64> = x.iter().map(|v| v.exp()).collect();
    let total: f64 = e.iter().sum();
    let s: Vec<f64> = e.iter().map(|v| v / total).collect();
    let want: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            (0..3)
                .map(|j| if i == j { s[i] } else { 0.0 } - s[i] * s[j])
                .collect()
        })
        .collect();
    let rev = jacobian::<f64, _>(softmax, &x);
    let fwd = jacfwd(softmax, &x);
    let t = Tensor::from_vec(&[3], x.to_vec()).expect("three values");
    let op_rev = rows(&jacobian_tensor(|x| x.softmax(0), &t));
    let op_fwd = rows(&jacfwd_tensor(|x| x.softmax(0), &t));
    print_matrix("diag(s) - s sᵀ", &want);
    print_matrix("jacobian (scalars)", &rev);
    print_matrix("jacobian_tensor", &op_rev);
    for (what, m) in [
        ("scalars, jacobian", &rev),
        ("scalars, jacfwd", &fwd),
        ("tensor op, jacobian_tensor", &op_rev),
        ("tensor op, jacfwd_tensor", &op_fwd),
    ] {
        ex.check(
            &format!("softmax ({what}) vs diag(s) − s sᵀ"),
            max_diff(m, &want),
            0.0,
            1e-15,
        );
    }
    // every row sums to 0: the outputs always sum to 1
    let worst_row = rev
        .iter()
        .map(|r| r.iter().sum::<f64>().abs())
        .fold(0.0, f64::max);
    ex.check("softmax: each row of J sums to 0", worst_row, 0.0, 1e-15);
    ex.check_that(
        "softmax: check_jacobian passes",
        check_jacobian(softmax, &x).passed(),
    );
}

fn main() {
    let mut ex = Example::new("jacobians");
    polar_map(&mut ex);
    network(&mut ex);
    softmax_jacobian(&mut ex);
    ex.finish();
}
