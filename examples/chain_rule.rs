//! The chain rule (链式法则) read off the tape. The course's bean x = 0.4,
//! y = 0.68 goes through two models, and the tape of each is drawn with
//! every number on it: each box is one recorded operation with its value
//! and its gradient ∂e/∂(box), each arrow carries the local partial
//! derivative, and each gradient is the sum over the box's outgoing arrows
//! of arrow × the gradient at the arrow's head.
//!
//! - The sigmoid neuron, e = (y − σ(wx + b))²: the chain
//!   ∂e/∂w = ∂e/∂a · ∂a/∂z · ∂z/∂w = −2(y − a) · a(1 − a) · x.
//! - The 1-2-1 network of chapter 6: two sigmoid hidden neurons
//!   a₁ = σ(w₁₁x + b₁), a₂ = σ(w₁₂x + b₂) and a sigmoid output
//!   a = σ(w₂₁a₁ + w₂₂a₂ + b), the same cost.
//!
//! For each model the example computes every value, gradient and partial
//! by hand, as the course writes the chain rule, and checks the tape's
//! numbers (the ones in the picture) against them; then it checks the
//! leaves' gradients against central differences. It writes the pictures
//! (PNG) and the Graphviz text (`.dot`, for `dot -Tsvg`).
//!
//! ```sh
//! cargo run --release --example chain_rule [-- [--out DIR] [--quick]]
//! ```

mod common;

use autograd::{graph_number, numeric_derivative, Graph, Tape, Var};
use common::Example;
use nn::plot::tape_graph;

const X: f64 = 0.4;
const Y: f64 = 0.68;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// What the chain rule by hand says one node holds: its op, value and
/// gradient ∂e/∂node.
struct Hand {
    name: &'static str,
    op: &'static str,
    value: f64,
    grad: f64,
}

fn hand(name: &'static str, op: &'static str, value: f64, grad: f64) -> Hand {
    Hand {
        name,
        op,
        value,
        grad,
    }
}

/// Checks every node and edge of `graph` against the hand-made lists (in
/// recording order), prints them as a table and records one check per
/// kind of number.
fn check_graph(
    ex: &mut Example,
    what: &str,
    graph: &Graph,
    nodes: &[Hand],
    edges: &[(usize, usize, f64)],
) {
    println!("{what}: the tape, node by node (tape | chain rule by hand)");
    println!(
        "  {:>3} {:<8} {:<5} {:>10} {:>10} | {:>10} {:>10}",
        "#", "op", "name", "value", "grad", "value", "grad"
    );
    let (mut worst_value, mut worst_grad) = (0.0f64, 0.0f64);
    let ops_match = graph.nodes.len() == nodes.len()
        && graph.nodes.iter().zip(nodes).all(|(n, h)| n.op == h.op);
    for (n, h) in graph.nodes.iter().zip(nodes) {
        let v = n.value.as_ref().map_or(f64::NAN, |v| v[0]);
        let g = n.grad.as_ref().map_or(f64::NAN, |g| g[0]);
        println!(
            "  {:>3} {:<8} {:<5} {:>10} {:>10} | {:>10} {:>10}",
            n.id,
            n.op,
            h.name,
            graph_number(v),
            graph_number(g),
            graph_number(h.value),
            graph_number(h.grad)
        );
        worst_value = worst_value.max((v - h.value).abs());
        worst_grad = worst_grad.max((g - h.grad).abs());
        if worst_value.is_nan() || worst_grad.is_nan() {
            worst_value = f64::INFINITY;
        }
    }
    ex.check_that(
        &format!("{what}: the tape records the ops of the formula"),
        ops_match,
    );
    ex.check(
        &format!("{what}: every value vs by hand"),
        worst_value,
        0.0,
        1e-15,
    );
    ex.check(
        &format!("{what}: every gradient vs the chain rule by hand"),
        worst_grad,
        0.0,
        1e-15,
    );
    println!("{what}: the arrows (local partial derivatives)");
    let edges_match = graph.edges.len() == edges.len()
        && graph
            .edges
            .iter()
            .zip(edges)
            .all(|(e, &(f, t, _))| (e.from, e.to) == (f, t));
    let mut worst = 0.0f64;
    for (e, &(f, t, p)) in graph.edges.iter().zip(edges) {
        let got = e.partial.unwrap_or(f64::NAN);
        println!(
            "  #{f:<2} -> #{t:<2} {:<5} -> {:<5} tape {:>8}  by hand {:>8}",
            nodes[f].name,
            nodes[t].name,
            graph_number(got),
            graph_number(p)
        );
        worst = if got.is_nan() {
            f64::INFINITY
        } else {
            worst.max((got - p).abs())
        };
    }
    ex.check_that(
        &format!("{what}: the arrows join the formula's terms"),
        edges_match,
    );
    ex.check(
        &format!("{what}: every partial vs by hand"),
        worst,
        0.0,
        1e-15,
    );
    ex.check(
        &format!("{what}: each gradient = sum over its arrows of partial × gradient downstream"),
        graph.chain_rule_residual(),
        0.0,
        1e-15,
    );
}

/// Writes the picture and the DOT text of `graph`.
fn draw(ex: &mut Example, graph: &Graph, file: &str, title: &str) {
    let png = ex.path(&format!("{file}.png"));
    match tape_graph(&png, graph, title) {
        Ok(()) => ex.wrote(&png),
        Err(e) => ex.check_that(&format!("drawing {file}.png: {e}"), false),
    }
    let dot = ex.path(&format!("{file}.dot"));
    let text = graph.to_dot();
    match nn::io::write_atomic(&dot, |w| w.write_all(text.as_bytes())) {
        Ok(()) => ex.wrote(&dot),
        Err(e) => ex.check_that(&format!("writing {file}.dot: {e}"), false),
    }
}

/// The sigmoid neuron e = (y − σ(wx + b))² at w, b.
fn neuron<'t>(w: Var<'t>, b: Var<'t>) -> Var<'t> {
    (Y - (w * X + b).sigmoid()).powi(2)
}

fn sigmoid_neuron(ex: &mut Example) {
    let (w0, b0) = (0.5, 0.1);
    let tape = Tape::new();
    tape.keep_graph(true);
    let (w, b) = (tape.var(w0), tape.var(b0));
    let e = neuron(w, b);
    let graph = tape.graph_with_grads(e).expect("e is a scalar");
    // the chain rule by hand, as the course writes it
    let z = w0 * X + b0;
    let a = sigmoid(z);
    let de_da = -2.0 * (Y - a);
    let da_dz = a * (1.0 - a);
    let de_dz = de_da * da_dz;
    println!(
        "sigmoid neuron at w = {w0}, b = {b0}: z = wx + b = {}, a = σ(z) = {}, e = (y − a)² = {}",
        graph_number(z),
        graph_number(a),
        graph_number((Y - a).powi(2))
    );
    println!(
        "  ∂e/∂w = −2(y − a) · a(1 − a) · x = {} · {} · {X} = {}",
        graph_number(de_da),
        graph_number(da_dz),
        graph_number(de_dz * X)
    );
    let nodes = [
        hand("w", "var", w0, de_dz * X),
        hand("b", "var", b0, de_dz),
        hand("wx", "mul", w0 * X, de_dz),
        hand("z", "add", z, de_dz),
        hand("a", "sigmoid", a, de_da),
        hand("y-a", "sub", Y - a, 2.0 * (Y - a)),
        hand("e", "powi", (Y - a).powi(2), 1.0),
    ];
    let edges = [
        (0, 2, X),
        (2, 3, 1.0),
        (1, 3, 1.0),
        (3, 4, da_dz),
        (4, 5, -1.0),
        (5, 6, 2.0 * (Y - a)),
    ];
    check_graph(ex, "neuron", &graph, &nodes, &edges);
    let numeric_w = numeric_derivative(|w| (Y - sigmoid(w * X + b0)).powi(2), w0, 1e-6);
    let numeric_b = numeric_derivative(|b| (Y - sigmoid(w0 * X + b)).powi(2), b0, 1e-6);
    let g = e.backward();
    ex.check(
        "neuron: ∂e/∂w vs central differences",
        g[w],
        numeric_w,
        1e-9,
    );
    ex.check(
        "neuron: ∂e/∂b vs central differences",
        g[b],
        numeric_b,
        1e-9,
    );
    draw(
        ex,
        &graph,
        "chain_rule_neuron",
        &format!("The sigmoid neuron e = (y − σ(wx + b))² on the bean x = 0.4, y = 0.68, at w = {w0}, b = {b0}"),
    );
}

/// The 1-2-1 network's parameters: w₁₁, b₁, w₁₂, b₂, w₂₁, w₂₂, b.
const NET: [f64; 7] = [1.5, -0.5, -1.0, 0.3, 2.0, -1.5, 0.2];

/// e = (y − a)² of the 1-2-1 network with parameters `p`.
fn network_cost<'t>(p: &[Var<'t>]) -> Var<'t> {
    let a1 = (p[0] * X + p[1]).sigmoid();
    let a2 = (p[2] * X + p[3]).sigmoid();
    let a = (p[4] * a1 + p[5] * a2 + p[6]).sigmoid();
    (Y - a).powi(2)
}

fn network(ex: &mut Example) {
    let tape = Tape::new();
    tape.keep_graph(true);
    let p = tape.vars(&NET);
    let e = network_cost(&p);
    let graph = tape.graph_with_grads(e).expect("e is a scalar");
    let [w11, b1, w12, b2, w21, w22, b] = NET;
    // forward, by hand
    let (z1, z2) = (w11 * X + b1, w12 * X + b2);
    let (a1, a2) = (sigmoid(z1), sigmoid(z2));
    let z = w21 * a1 + w22 * a2 + b;
    let a = sigmoid(z);
    // backward, by hand: δ = ∂e/∂z at the output, δ₁, δ₂ at the hidden neurons
    let de_da = -2.0 * (Y - a);
    let delta = de_da * a * (1.0 - a);
    let (de_da1, de_da2) = (delta * w21, delta * w22);
    let delta1 = de_da1 * a1 * (1.0 - a1);
    let delta2 = de_da2 * a2 * (1.0 - a2);
    println!(
        "1-2-1 network: a1 = {}, a2 = {}, a = {}, e = {}; δ = {}, δ1 = {}, δ2 = {}",
        graph_number(a1),
        graph_number(a2),
        graph_number(a),
        graph_number((Y - a).powi(2)),
        graph_number(delta),
        graph_number(delta1),
        graph_number(delta2)
    );
    let nodes = [
        hand("w11", "var", w11, delta1 * X),
        hand("b1", "var", b1, delta1),
        hand("w12", "var", w12, delta2 * X),
        hand("b2", "var", b2, delta2),
        hand("w21", "var", w21, delta * a1),
        hand("w22", "var", w22, delta * a2),
        hand("b", "var", b, delta),
        hand("w11x", "mul", w11 * X, delta1),
        hand("z1", "add", z1, delta1),
        hand("a1", "sigmoid", a1, de_da1),
        hand("w12x", "mul", w12 * X, delta2),
        hand("z2", "add", z2, delta2),
        hand("a2", "sigmoid", a2, de_da2),
        hand("w21a1", "mul", w21 * a1, delta),
        hand("w22a2", "mul", w22 * a2, delta),
        hand("sum", "add", w21 * a1 + w22 * a2, delta),
        hand("z", "add", z, delta),
        hand("a", "sigmoid", a, de_da),
        hand("y-a", "sub", Y - a, 2.0 * (Y - a)),
        hand("e", "powi", (Y - a).powi(2), 1.0),
    ];
    let edges = [
        (0, 7, X),
        (7, 8, 1.0),
        (1, 8, 1.0),
        (8, 9, a1 * (1.0 - a1)),
        (2, 10, X),
        (10, 11, 1.0),
        (3, 11, 1.0),
        (11, 12, a2 * (1.0 - a2)),
        (4, 13, a1),
        (9, 13, w21),
        (5, 14, a2),
        (12, 14, w22),
        (13, 15, 1.0),
        (14, 15, 1.0),
        (15, 16, 1.0),
        (6, 16, 1.0),
        (16, 17, a * (1.0 - a)),
        (17, 18, -1.0),
        (18, 19, 2.0 * (Y - a)),
    ];
    check_graph(ex, "network", &graph, &nodes, &edges);
    let g = e.backward();
    let mut worst = 0.0f64;
    for i in 0..NET.len() {
        let numeric = numeric_derivative(
            |v| {
                let t = Tape::new();
                let mut q = NET;
                q[i] = v;
                network_cost(&t.vars(&q)).value()
            },
            NET[i],
            1e-6,
        );
        worst = worst.max((g[p[i]] - numeric).abs());
    }
    ex.check(
        "network: the 7 parameters' gradients vs central differences",
        worst,
        0.0,
        1e-9,
    );
    draw(
        ex,
        &graph,
        "chain_rule_network",
        "The 1-2-1 network a = σ(w21·σ(w11·x + b1) + w22·σ(w12·x + b2) + b), e = (y − a)², on the bean x = 0.4, y = 0.68",
    );
}

fn main() {
    let mut ex = Example::new("chain_rule");
    sigmoid_neuron(&mut ex);
    network(&mut ex);
    ex.finish();
}
