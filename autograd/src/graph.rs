//! The tape as a graph: [`Tape::graph`] and [`Tape::graph_with_grads`]
//! read the recorded nodes into a [`Graph`] (one [`GraphNode`] per node
//! with its op, value and gradient; one [`GraphEdge`] per input with the
//! local partial derivative), and [`Graph::to_dot`] writes it as Graphviz
//! text. The labels both the DOT text and `nn`'s PNG drawing show come
//! from one place, [`GraphNode::lines`] and [`GraphEdge::label`].
//!
//! The chain rule can be read off the graph: a node's gradient is the sum,
//! over its outgoing edges, of the edge's partial × the gradient of the
//! node it points to ([`GraphEdge::sent`]); [`Graph::chain_rule_residual`]
//! checks exactly that.
//!
//! ```
//! use autograd::Tape;
//! // the course's bean, x = 0.4, y = 0.68, and the line y = w·x at w = 0.5
//! let tape = Tape::new();
//! tape.keep_graph(true);
//! let w = tape.var(0.5);
//! let e = (0.68 - w * 0.4).powi(2);
//! let graph = tape.graph_with_grads(e).unwrap();
//! let ops: Vec<&str> = graph.nodes.iter().map(|n| n.op).collect();
//! assert_eq!(ops, ["var", "mul", "sub", "powi"]);
//! // de/dh = 2h = 0.96, dh/dw = −x (through ∂(wx)/∂w = 0.4 and ∂(y − ·) = −1)
//! assert_eq!(graph.nodes[3].lines(), ["#3 powi", "value 0.2304", "grad 1"]);
//! assert_eq!(graph.edges[2].label(), "∂ 0.96");
//! assert_eq!(graph.nodes[0].lines(), ["#0 var", "value 0.5", "grad -0.384"]);
//! assert!(graph.chain_rule_residual() < 1e-15);
//! ```

use crate::backward::{sweep, Grads, Kept};
use crate::error::{Error, Result};
use crate::real::Real;
use crate::tape::{Input, Node, NodeId, Tape, CONST};
use crate::tensor::Tensor;
use std::fmt::Write as _;

/// Tensors of at most this many elements carry their values, gradients
/// and the gradients sent along their edges in a [`Graph`].
pub const SMALL_TENSOR: usize = 12;

/// Graphs of more nodes than this are summarised by op
/// ([`Graph::summarised`]) in the DOT text and in pictures.
pub const MAX_DRAWN_NODES: usize = 60;

/// What a node of a [`Graph`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A variable: a scalar from [`Tape::var`] or a tensor from
    /// [`Tape::tensor`].
    Input,
    /// A tensor constant (or a value computed from constants only).
    Constant,
    /// The result of an operation.
    Op,
    /// A group of nodes of one op ([`Graph::summarised`]).
    Group,
}

/// One node of a [`Graph`]. Values are shown as `f64`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphNode {
    /// Its index on the tape, and in [`Graph::nodes`] (for a group: in the
    /// summary's nodes, the groups in the order their ops first appear).
    pub id: usize,
    /// The op that made it: "var" for a scalar variable, "tensor" and
    /// "constant" for tensor leaves; "unary" or "binary" for a scalar op
    /// recorded while [`Tape::keep_graph`] was off.
    pub op: &'static str,
    /// Variable, constant, op result or group.
    pub kind: NodeKind,
    /// `None` for a scalar, the shape for a tensor.
    pub shape: Option<Vec<usize>>,
    /// The value (row-major); `None` for a tensor of more than
    /// [`SMALL_TENSOR`] elements, a scalar recorded while
    /// [`Tape::keep_graph`] was off, and a group.
    pub value: Option<Vec<f64>>,
    /// ∂output/∂node after [`Tape::graph_with_grads`], as `value`; `None`
    /// before, and for a tensor no gradient reached.
    pub grad: Option<Vec<f64>>,
    /// How many tape nodes it stands for (1, or a group's size).
    pub count: usize,
}

/// One edge of a [`Graph`]: input `from` of the op that made `to`.
#[derive(Clone, Debug, PartialEq)]
pub struct GraphEdge {
    /// The input node.
    pub from: usize,
    /// The node computed from it.
    pub to: usize,
    /// The local partial derivative ∂to/∂from, for scalar ops (a tensor
    /// op's is a Jacobian, not kept).
    pub partial: Option<f64>,
    /// After [`Tape::graph_with_grads`]: the gradient sent back along the
    /// edge, partial × the gradient of `to` for a scalar op, the op's
    /// vector-Jacobian product for a tensor op (shaped like `from`; `None`
    /// when larger than [`SMALL_TENSOR`]).
    pub sent: Option<Vec<f64>>,
    /// How many tape edges it stands for (1, or between groups their number).
    pub count: usize,
}

/// The recorded nodes and edges of a tape, in recording order (a
/// topological order: every edge goes from an earlier node to a later one,
/// except between groups of a summary).
#[derive(Clone, Debug, PartialEq)]
pub struct Graph {
    /// The nodes, by tape index.
    pub nodes: Vec<GraphNode>,
    /// The edges, by the node they point to.
    pub edges: Vec<GraphEdge>,
    /// The node the gradients were computed for (index into `nodes`).
    pub output: Option<usize>,
}

impl<E: Real> Tape<E> {
    /// Every node recorded so far as a [`Graph`], without gradients.
    /// Scalar nodes show their op and value only when recorded with
    /// [`Tape::keep_graph`] on.
    pub fn graph(&self) -> Graph {
        self.build_graph(None, None)
    }

    /// The graph with every node's gradient ∂out/∂node and the gradient
    /// sent along every edge, from one reverse sweep from `out` (the same
    /// sweep as [`crate::Var::backward`]). See [`Graph::to_dot`] for an example.
    ///
    /// # Errors
    /// [`Error::NotScalar`] if `out` is a tensor of more than one element.
    ///
    /// # Panics
    /// If `out` is on another tape.
    #[track_caller]
    pub fn graph_with_grads<'t>(&'t self, out: impl Into<Input<'t, E>>) -> Result<Graph> {
        let (node, seed) = match out.into() {
            Input::Scalar(v) => {
                v.check_tape(self, "graph_with_grads");
                (v.node(), None)
            }
            Input::Tensor(t) => {
                t.check_tape(self, "graph_with_grads");
                let v = t.value();
                if v.len() != 1 {
                    return Err(Error::NotScalar {
                        shape: v.shape().to_vec(),
                    });
                }
                let node = if t.is_constant() { CONST } else { t.node() };
                (node, Some(Tensor::ones(v.shape())))
            }
        };
        let mut grads = Grads::empty();
        let mut kept = Kept::default();
        sweep(self, node, seed, E::one(), &mut grads, Some(&mut kept));
        let out = (node != CONST).then_some(node as usize);
        Ok(self.build_graph(Some((&grads, &kept)), out))
    }

    /// The graph as Graphviz text (`dot -Tpng`), summarised by op when
    /// larger than [`MAX_DRAWN_NODES`]: [`Graph::to_dot`] of [`Tape::graph`].
    pub fn to_dot(&self) -> String {
        self.graph().to_dot()
    }

    fn build_graph(&self, grads: Option<(&Grads<E>, &Kept<E>)>, output: Option<usize>) -> Graph {
        let inner = self.inner.borrow();
        let tape_nodes = self.nodes();
        let small = |t: &Tensor<E>| (t.len() <= SMALL_TENSOR).then(|| t.to_f64_vec());
        let label = |i: usize| {
            inner
                .labels
                .binary_search_by_key(&(i as NodeId), |l| l.0)
                .ok()
                .map(|k| inner.labels[k])
        };
        let mut nodes = Vec::with_capacity(tape_nodes.len());
        let mut edges = Vec::new();
        let scalar_grad = |i: usize| grads.map(|(g, _)| vec![g.scalar[i].to_f64()]);
        for (i, node) in tape_nodes.iter().enumerate() {
            let mut edge = |from: NodeId, partial: Option<f64>| {
                edges.push(GraphEdge {
                    from: from as usize,
                    to: i,
                    partial,
                    sent: None,
                    count: 1,
                })
            };
            let node = node.unpack();
            let (op, kind, shape, value, grad) = match node {
                Node::Leaf | Node::Unary { .. } | Node::Binary { .. } => {
                    let (op, kind) = match node {
                        Node::Leaf => ("var", NodeKind::Input),
                        Node::Unary { a, da } => {
                            edge(a, Some(da.to_f64()));
                            ("unary", NodeKind::Op)
                        }
                        Node::Binary { a, b, da, db } => {
                            edge(a, Some(da.to_f64()));
                            edge(b, Some(db.to_f64()));
                            ("binary", NodeKind::Op)
                        }
                        Node::Tensor { .. } => unreachable!("matched above"),
                    };
                    let kept = label(i);
                    let op = kept.map_or(op, |l| l.1);
                    let value = kept.map(|l| vec![l.2.to_f64()]);
                    (op, kind, None, value, scalar_grad(i))
                }
                Node::Tensor { rec } => {
                    let r = &inner.records[rec as usize];
                    let (op, kind) = match (&r.op, r.tracked) {
                        (Some(op), _) => (op.name(), NodeKind::Op),
                        (None, true) => ("tensor", NodeKind::Input),
                        (None, false) => ("constant", NodeKind::Constant),
                    };
                    for &n in r.inputs.iter().filter(|&&n| n != CONST) {
                        edge(n, None);
                    }
                    let grad = grads.and_then(|(_, k)| k.grads[rec as usize].as_ref());
                    let shape = Some(r.value.shape().to_vec());
                    (op, kind, shape, small(&r.value), grad.and_then(small))
                }
            };
            nodes.push(GraphNode {
                id: i,
                op,
                kind,
                shape,
                value,
                grad,
                count: 1,
            });
        }
        if let Some((_, kept)) = grads {
            // a scalar op's edge sends its partial × the op's gradient
            for e in edges.iter_mut() {
                let g = nodes[e.to].grad.as_ref();
                e.sent = e.partial.zip(g).map(|(p, g)| vec![p * g[0]]);
            }
            // a tensor op's edges, in input order, get what its backward sent
            for (to, j, dx) in &kept.sent {
                let Node::Tensor { rec } = tape_nodes[*to as usize].unpack() else {
                    continue;
                };
                let from = inner.records[rec as usize].inputs[*j] as usize;
                let to = *to as usize;
                let edge = edges
                    .iter_mut()
                    .find(|e| e.to == to && e.from == from && e.sent.is_none());
                if let Some(e) = edge {
                    e.sent = small(dx);
                }
            }
        }
        Graph {
            nodes,
            edges,
            output,
        }
    }
}

/// A number as the graph shows it: 4 significant digits, trailing zeros
/// dropped, in scientific notation below 0.001 and from 10,000.
///
/// ```
/// use autograd::graph_number;
/// assert_eq!(graph_number(0.68), "0.68");
/// assert_eq!(graph_number(-0.10872345), "-0.1087");
/// assert_eq!(graph_number(123.456), "123.5");
/// assert_eq!(graph_number(0.00012346), "1.235e-4");
/// assert_eq!(graph_number(0.0), "0");
/// ```
pub fn graph_number(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if !(1e-3..1e4).contains(&a) {
        let s = format!("{v:.3e}");
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        return format!("{}e{e}", trim(m));
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    trim(&format!("{v:.digits$}")).to_string()
}

/// Drops trailing zeros after a decimal point (and the point).
fn trim(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Values as text: one number, or rows of a tensor in brackets.
fn value_lines(name: &str, values: &[f64], shape: Option<&[usize]>) -> Vec<String> {
    let row = |vs: &[f64]| {
        let parts: Vec<String> = vs.iter().map(|&v| graph_number(v)).collect();
        format!("[{}]", parts.join(", "))
    };
    match shape {
        None => vec![format!("{name} {}", graph_number(values[0]))],
        Some(s) if s.len() <= 1 => vec![format!("{name} {}", row(values))],
        Some(s) => {
            let width = s[s.len() - 1].max(1);
            let pad = " ".repeat(name.len());
            values
                .chunks(width)
                .enumerate()
                .map(|(k, c)| format!("{} {}", if k == 0 { name } else { &pad }, row(c)))
                .collect()
        }
    }
}

impl GraphNode {
    /// The lines a picture shows in the node's box: "#id op", then for a
    /// tensor its shape, then "value …" and, after
    /// [`Tape::graph_with_grads`], "grad …" (a tensor's values only when it
    /// has at most [`SMALL_TENSOR`] elements). A group: "op", "× count".
    pub fn lines(&self) -> Vec<String> {
        if self.kind == NodeKind::Group {
            let what = if self.count == 1 { "node" } else { "nodes" };
            return vec![self.op.to_string(), format!("× {} {what}", self.count)];
        }
        let mut out = vec![format!("#{} {}", self.id, self.op)];
        let shape = self.shape.as_deref();
        if let Some(s) = shape {
            out.push(format!("shape {s:?}"));
        }
        match &self.value {
            Some(v) => out.extend(value_lines("value", v, shape)),
            None if shape.is_none() => out.push("value not kept".into()),
            None => {}
        }
        if let Some(g) = &self.grad {
            out.extend(value_lines("grad", g, shape));
        }
        out
    }
}

impl GraphEdge {
    /// The edge's label: "∂ p" for a scalar op's partial; for a tensor op
    /// after [`Tape::graph_with_grads`], "sends […]" (small inputs only);
    /// between groups, "× count".
    pub fn label(&self) -> String {
        if self.count > 1 {
            return format!("× {}", self.count);
        }
        match (self.partial, &self.sent) {
            (Some(p), _) => format!("∂ {}", graph_number(p)),
            (None, Some(s)) if s.len() == 1 => format!("sends {}", graph_number(s[0])),
            (None, Some(s)) => {
                let parts: Vec<String> = s.iter().map(|&v| graph_number(v)).collect();
                format!("sends [{}]", parts.join(", "))
            }
            (None, None) => String::new(),
        }
    }
}

impl Graph {
    /// How many nodes each op made, in the order the ops first appear.
    pub fn summary(&self) -> Vec<(&'static str, usize)> {
        let mut out: Vec<(&'static str, usize)> = Vec::new();
        for n in &self.nodes {
            match out.iter_mut().find(|(op, _)| *op == n.op) {
                Some((_, c)) => *c += n.count,
                None => out.push((n.op, n.count)),
            }
        }
        out
    }

    /// The graph itself when it has at most [`MAX_DRAWN_NODES`] nodes;
    /// otherwise one [`NodeKind::Group`] node per op (its count, no
    /// values) and one edge per pair of groups that edges join (their
    /// count; edges within a group are left out).
    pub fn summarised(&self) -> Graph {
        if self.nodes.len() <= MAX_DRAWN_NODES {
            return self.clone();
        }
        let groups = self.summary();
        let group_of = |i: usize| {
            groups
                .iter()
                .position(|(op, _)| *op == self.nodes[i].op)
                .expect("every op has a group")
        };
        let nodes = groups
            .iter()
            .enumerate()
            .map(|(id, &(op, count))| GraphNode {
                id,
                op,
                kind: NodeKind::Group,
                shape: None,
                value: None,
                grad: None,
                count,
            })
            .collect();
        let mut edges: Vec<GraphEdge> = Vec::new();
        for e in &self.edges {
            let (from, to) = (group_of(e.from), group_of(e.to));
            if from == to {
                continue;
            }
            match edges.iter_mut().find(|g| g.from == from && g.to == to) {
                Some(g) => g.count += 1,
                None => edges.push(GraphEdge {
                    from,
                    to,
                    partial: None,
                    sent: None,
                    count: 1,
                }),
            }
        }
        Graph {
            nodes,
            edges,
            output: None,
        }
    }

    /// The largest difference, over the nodes whose gradient and outgoing
    /// gradients are all known, between a node's gradient and the sum of
    /// what its outgoing edges send back (plus the seed 1 at the output):
    /// the chain rule, checked on the picture's own numbers. Zero when
    /// nothing can be checked.
    pub fn chain_rule_residual(&self) -> f64 {
        let mut worst = 0.0f64;
        'nodes: for n in &self.nodes {
            let Some(g) = &n.grad else { continue };
            let mut sum = vec![0.0; g.len()];
            if self.output == Some(n.id) {
                sum.iter_mut().for_each(|s| *s += 1.0);
            }
            for e in self.edges.iter().filter(|e| e.from == n.id) {
                match &e.sent {
                    Some(s) if s.len() == sum.len() => {
                        sum.iter_mut().zip(s).for_each(|(a, b)| *a += b);
                    }
                    _ => continue 'nodes,
                }
            }
            for (a, b) in g.iter().zip(&sum) {
                worst = worst.max((a - b).abs());
            }
        }
        worst
    }

    /// Graphviz text, left to right, one box per node with its
    /// [`GraphNode::lines`] and one arrow per edge with its
    /// [`GraphEdge::label`]; [`Graph::summarised`] first.
    ///
    /// ```
    /// use autograd::Tape;
    /// let tape = Tape::new();
    /// tape.keep_graph(true);
    /// let x = tape.var(2.0);
    /// let y = x.sin();
    /// let dot = tape.graph_with_grads(y).unwrap().to_dot();
    /// assert!(dot.starts_with("digraph tape {"));
    /// assert!(dot.contains("n1 [label=\"#1 sin\\nvalue 0.9093\\ngrad 1\"];"));
    /// assert!(dot.contains("n0 -> n1 [label=\"∂ -0.4161\"];"));
    /// ```
    pub fn to_dot(&self) -> String {
        let g = self.summarised();
        let mut s = String::from(
            "digraph tape {\n  rankdir=LR;\n  node [shape=box, fontname=\"DejaVu Sans\"];\n",
        );
        let quote = |t: &str| t.replace('\\', "\\\\").replace('"', "\\\"");
        for n in &g.nodes {
            let id = n.id;
            let lines: Vec<String> = n.lines().iter().map(|l| quote(l)).collect();
            let style = match n.kind {
                NodeKind::Input => ", style=filled, fillcolor=\"#dbe9f6\"",
                NodeKind::Constant => ", style=filled, fillcolor=\"#eeeeee\"",
                _ => "",
            };
            let _ = writeln!(s, "  n{id} [label=\"{}\"{style}];", lines.join("\\n"));
        }
        for e in &g.edges {
            let _ = writeln!(
                s,
                "  n{} -> n{} [label=\"{}\"];",
                e.from,
                e.to,
                quote(&e.label())
            );
        }
        s.push_str("}\n");
        s
    }
}
