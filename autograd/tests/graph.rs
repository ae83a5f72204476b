//! The tape as a graph (`Tape::graph`, `Tape::graph_with_grads`,
//! `Graph::to_dot`): ops, values, gradients and the local partials on the
//! edges, checked against the chain rule written by hand, for scalars and
//! tensors; large tapes summarised by op; the DOT text.

mod common;

use autograd::{graph_number, Error, NodeKind, Tape, Tensor, MAX_DRAWN_NODES};
use common::panic_message;

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

#[test]
fn the_sigmoid_neuron_shows_every_number_of_its_chain_rule() {
    // the course's bean x = 0.4, y = 0.68 and e = (y − σ(wx + b))²
    let (x, y, w0, b0) = (0.4, 0.68, 0.8, -0.1);
    let tape = Tape::new();
    tape.keep_graph(true);
    let (w, b) = (tape.var(w0), tape.var(b0));
    let e = (y - (w * x + b).sigmoid()).powi(2);
    let g = tape.graph_with_grads(e).unwrap();
    let ops: Vec<&str> = g.nodes.iter().map(|n| n.op).collect();
    assert_eq!(ops, ["var", "var", "mul", "add", "sigmoid", "sub", "powi"]);
    assert_eq!(g.output, Some(6));
    // by hand
    let z = w0 * x + b0;
    let a = sigmoid(z);
    let de_da = -2.0 * (y - a);
    let da_dz = a * (1.0 - a);
    let values = [w0, b0, w0 * x, z, a, y - a, (y - a).powi(2)];
    let grads = [
        de_da * da_dz * x,
        de_da * da_dz,
        de_da * da_dz,
        de_da * da_dz,
        de_da,
        2.0 * (y - a),
        1.0,
    ];
    for (n, (v, gr)) in g.nodes.iter().zip(values.iter().zip(grads)) {
        assert_eq!(n.shape, None);
        let got = n.value.as_ref().unwrap()[0];
        assert!((got - v).abs() < 1e-15, "{n:?}: value {got}, by hand {v}");
        let got = n.grad.as_ref().unwrap()[0];
        assert!((got - gr).abs() < 1e-15, "{n:?}: grad {got}, by hand {gr}");
    }
    assert_eq!(g.nodes[0].kind, NodeKind::Input);
    assert_eq!(g.nodes[4].kind, NodeKind::Op);
    // the edges and their partials: ∂(wx)/∂w = x, ∂z/∂(wx) = ∂z/∂b = 1,
    // da/dz = a(1 − a), ∂(y − a)/∂a = −1, ∂h²/∂h = 2h
    let edges: Vec<(usize, usize, f64)> = g
        .edges
        .iter()
        .map(|e| (e.from, e.to, e.partial.unwrap()))
        .collect();
    let want = [
        (0, 2, x),
        (2, 3, 1.0),
        (1, 3, 1.0),
        (3, 4, da_dz),
        (4, 5, -1.0),
        (5, 6, 2.0 * (y - a)),
    ];
    assert_eq!(edges.len(), want.len());
    for (got, want) in edges.iter().zip(want) {
        assert_eq!((got.0, got.1), (want.0, want.1));
        assert!((got.2 - want.2).abs() < 1e-15, "{got:?} vs {want:?}");
    }
    for e in &g.edges {
        let sent = e.sent.as_ref().unwrap()[0];
        let down = g.nodes[e.to].grad.as_ref().unwrap()[0];
        assert_eq!(sent, e.partial.unwrap() * down);
    }
    assert!(g.chain_rule_residual() < 1e-16);
    // the labels the pictures show
    assert_eq!(
        g.nodes[4].lines(),
        [
            "#4 sigmoid".to_string(),
            format!("value {}", graph_number(a)),
            format!("grad {}", graph_number(de_da)),
        ]
    );
    assert_eq!(g.edges[3].label(), format!("∂ {}", graph_number(da_dz)));
}

#[test]
fn the_residual_catches_a_wrong_gradient() {
    let tape = Tape::new();
    tape.keep_graph(true);
    let w = tape.var(0.5);
    let e = (w * w).sin();
    let mut g = tape.graph_with_grads(e).unwrap();
    assert!(g.chain_rule_residual() < 1e-16);
    g.nodes[0].grad = Some(vec![g.nodes[0].grad.as_ref().unwrap()[0] * 1.01]);
    assert!(g.chain_rule_residual() > 1e-3);
}

#[test]
fn without_keep_graph_scalar_nodes_show_only_their_kind_and_partials() {
    let tape = Tape::new();
    let w = tape.var(0.5);
    let e = (w * w).sin();
    let g = tape.graph();
    let ops: Vec<&str> = g.nodes.iter().map(|n| n.op).collect();
    assert_eq!(ops, ["var", "binary", "unary"]);
    assert!(g
        .nodes
        .iter()
        .all(|n| n.value.is_none() && n.grad.is_none()));
    assert_eq!(g.nodes[1].lines(), ["#1 binary", "value not kept"]);
    assert_eq!(g.edges.len(), 3);
    assert_eq!(g.edges[0].partial, Some(0.5));
    assert_eq!(g.edges[2].partial, Some(0.25f64.cos()));
    assert!(g.edges.iter().all(|e| e.sent.is_none()));
    // switching it on later keeps the nodes recorded from then on
    tape.keep_graph(true);
    let f = e * 2.0;
    let g = tape.graph_with_grads(f).unwrap();
    assert_eq!(g.nodes[3].op, "mul");
    assert_eq!(g.nodes[3].value, Some(vec![f.value()]));
    assert_eq!(g.nodes[2].value, None);
    assert_eq!(g.nodes[2].grad, Some(vec![2.0]));
    // and clear forgets the kept labels with the nodes
    let mut tape = tape;
    tape.clear();
    let v = tape.var(3.0);
    assert_eq!(tape.graph().nodes[0].value, Some(vec![v.value()]));
}

#[test]
fn tensor_nodes_show_shapes_small_values_and_the_gradients_sent() {
    let tape = Tape::new();
    let w = tape.tensor(Tensor::from_vec(&[2, 2], vec![0.5, -1.0, 2.0, 0.25]).unwrap());
    let x = tape.tensor_constant(Tensor::from_vec(&[1, 2], vec![0.4, 0.6]).unwrap());
    let big = tape.tensor(Tensor::ones(&[4, 4]));
    let y = x.matmul(w).tanh(); // [1, 2]
    let loss = y.sum() + big.sum() * 0.0;
    let g = tape.graph_with_grads(loss).unwrap();
    let kinds: Vec<(&str, NodeKind)> = g.nodes.iter().map(|n| (n.op, n.kind)).collect();
    assert_eq!(kinds[0], ("tensor", NodeKind::Input));
    assert_eq!(kinds[1], ("constant", NodeKind::Constant));
    assert_eq!(kinds[3].1, NodeKind::Op);
    let wn = &g.nodes[0];
    assert_eq!(wn.shape, Some(vec![2, 2]));
    assert_eq!(wn.value, Some(vec![0.5, -1.0, 2.0, 0.25]));
    // d(Σ tanh(xW))/dW[i][j] = x[i] (1 − tanh²((xW)[j]))
    let xw = [0.4 * 0.5 + 0.6 * 2.0, -0.4 + 0.6 * 0.25];
    let d: Vec<f64> = xw.iter().map(|v: &f64| 1.0 - v.tanh().powi(2)).collect();
    let want = [0.4 * d[0], 0.4 * d[1], 0.6 * d[0], 0.6 * d[1]];
    let got = wn.grad.as_ref().unwrap();
    for (a, b) in got.iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{got:?} vs {want:?}");
    }
    // more than SMALL_TENSOR elements: shape only
    let bn = &g.nodes[2];
    assert_eq!(bn.shape, Some(vec![4, 4]));
    assert_eq!((bn.value.as_ref(), bn.grad.as_ref()), (None, None));
    assert_eq!(bn.lines(), ["#2 tensor", "shape [4, 4]"]);
    // the matmul's edges: the constant x sends nothing, W gets its gradient
    let into_matmul: Vec<_> = g.edges.iter().filter(|e| e.to == 3).collect();
    assert_eq!(into_matmul.len(), 2);
    assert_eq!(
        (into_matmul[0].from, into_matmul[0].sent.as_ref()),
        (1, None)
    );
    assert_eq!(into_matmul[1].from, 0);
    assert_eq!(into_matmul[1].sent.as_ref(), Some(got));
    assert!(into_matmul[1].partial.is_none());
    assert!(
        into_matmul[1].label().starts_with("sends ["),
        "{}",
        into_matmul[1].label()
    );
    assert_eq!(
        wn.lines()[2..],
        [
            format!("value [{}, {}]", graph_number(0.5), graph_number(-1.0)),
            format!("      [{}, {}]", graph_number(2.0), graph_number(0.25)),
            format!(
                "grad [{}, {}]",
                graph_number(want[0]),
                graph_number(want[1])
            ),
            format!(
                "     [{}, {}]",
                graph_number(want[2]),
                graph_number(want[3])
            ),
        ]
    );
    assert!(g.chain_rule_residual() < 1e-15);
}

#[test]
fn a_large_tape_is_summarised_by_op() {
    let tape = Tape::new();
    tape.keep_graph(true);
    let mut v = tape.var(0.1);
    for _ in 0..40 {
        v = (v * 1.01).tanh() + 0.1;
    }
    let g = tape.graph();
    assert_eq!(g.nodes.len(), 121);
    assert_eq!(
        g.summary(),
        [("var", 1), ("mul", 40), ("tanh", 40), ("add", 40)]
    );
    let s = g.summarised();
    assert_eq!(s.nodes.len(), 4);
    assert!(s.nodes.iter().all(|n| n.kind == NodeKind::Group));
    assert_eq!(s.nodes[2].lines(), ["tanh", "× 40 nodes"]);
    assert_eq!(s.nodes[0].lines(), ["var", "× 1 node"]);
    // var → mul once, mul → tanh 40 times, tanh → add 40, add → mul 39
    let edges: Vec<(usize, usize, usize)> =
        s.edges.iter().map(|e| (e.from, e.to, e.count)).collect();
    assert_eq!(edges, [(0, 1, 1), (1, 2, 40), (2, 3, 40), (3, 1, 39)]);
    assert_eq!(s.edges[1].label(), "× 40");
    let dot = tape.to_dot();
    assert!(dot.contains("n2 [label=\"tanh\\n× 40 nodes\"];"), "{dot}");
    assert_eq!(dot.matches("->").count(), 4);
    // a small one is its own summary
    let small = Tape::new();
    let x = small.var(1.0);
    let _ = x.exp();
    assert_eq!(small.graph().summarised(), small.graph());
    const { assert!(MAX_DRAWN_NODES < 121) };
}

#[test]
fn dot_text_has_a_box_per_node_and_a_labelled_arrow_per_edge() {
    let tape = Tape::new();
    tape.keep_graph(true);
    let w = tape.var(0.5);
    let e = (0.68 - w * 0.4).powi(2);
    let dot = tape.graph_with_grads(e).unwrap().to_dot();
    let want = "digraph tape {
  rankdir=LR;
  node [shape=box, fontname=\"DejaVu Sans\"];
  n0 [label=\"#0 var\\nvalue 0.5\\ngrad -0.384\", style=filled, fillcolor=\"#dbe9f6\"];
  n1 [label=\"#1 mul\\nvalue 0.2\\ngrad -0.96\"];
  n2 [label=\"#2 sub\\nvalue 0.48\\ngrad 0.96\"];
  n3 [label=\"#3 powi\\nvalue 0.2304\\ngrad 1\"];
  n0 -> n1 [label=\"∂ 0.4\"];
  n1 -> n2 [label=\"∂ -1\"];
  n2 -> n3 [label=\"∂ 0.96\"];
}
";
    assert_eq!(dot, want);
}

#[test]
fn bad_outputs_are_refused() {
    let tape = Tape::new();
    let t = tape.tensor(Tensor::ones(&[3]));
    match tape.graph_with_grads(t) {
        Err(Error::NotScalar { shape }) => assert_eq!(shape, [3]),
        other => panic!("expected NotScalar, got {other:?}"),
    }
    let other = Tape::new();
    let v = other.var(1.0);
    let msg = panic_message(|| {
        let _ = tape.graph_with_grads(v);
    });
    assert!(msg.contains("graph_with_grads"), "{msg}");
    // a constant output: no gradients reach anything
    let c = tape.constant(2.0);
    let g = tape.graph_with_grads(c).unwrap();
    assert_eq!(g.output, None);
    assert_eq!(g.nodes[0].grad, None);
}
