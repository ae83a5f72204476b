//! Random expression trees, over scalars and over tensors, differentiated
//! on the tape and by central differences (Richardson-extrapolated, in
//! `f64`), which must agree.
//!
//! Scalar trees (`common::exprs`, shared with the Jacobian tests) combine
//! every smooth scalar op, constants on both sides and reuse of
//! intermediate values. Tensor trees are built for a target shape:
//! every subtree's value broadcasts to it, so operands of different shapes
//! meet in broadcasting binary ops; they also reduce (sum/mean along an
//! axis, sum/mean to a scalar mixed back in), multiply matrices, transpose,
//! reshape, slice, concatenate and take (log-)softmax. Functions whose
//! domain is restricted get arguments that stay inside it: ln, sqrt, recip,
//! powf and pow see x² + ½, divisors are b² + ½.

mod common;

use autograd::{numel, Tape, Tensor, TensorVar, Var};
use common::exprs::{depth_s, eval_s, note_kink_sides, scalar_tree, take_kink_sides, S};
use common::{wsum, Rng};
use proptest::prelude::*;

/// Derivative of `f` at 0 by Ridders' method from the initial step `h`:
/// central differences with a shrinking step, extrapolated to step 0 (a
/// Richardson table). Returns the estimate and the table's error estimate.
fn ridders(f: &impl Fn(f64) -> f64, mut h: f64) -> (f64, f64) {
    const SHRINK: f64 = 1.4;
    const N: usize = 10;
    let d = |h: f64| (f(h) - f(-h)) / (2.0 * h);
    let mut table = [[0.0f64; N]; N];
    table[0][0] = d(h);
    let (mut best, mut err) = (table[0][0], f64::INFINITY);
    for i in 1..N {
        h /= SHRINK;
        table[0][i] = d(h);
        let mut fac = SHRINK * SHRINK;
        for j in 1..=i {
            table[j][i] = (table[j - 1][i] * fac - table[j - 1][i - 1]) / (fac - 1.0);
            fac *= SHRINK * SHRINK;
            let e = (table[j][i] - table[j - 1][i])
                .abs()
                .max((table[j][i] - table[j - 1][i - 1]).abs());
            if e <= err {
                err = e;
                best = table[j][i];
            }
        }
        if (table[i][i] - table[i - 1][i - 1]).abs() >= 2.0 * err {
            break;
        }
    }
    (best, err)
}

/// Derivative of `f` at 0 and an error estimate, from two Ridders tables
/// started at different steps. Deep trees can be so curved (sin of a cube,
/// 1/(s⁶ + ½)) that a fixed step's truncation error swamps the comparison,
/// and now and then one table settles on a wrong value with a small error
/// estimate; the two tables' disagreement counts as error too.
fn derivative(f: impl Fn(f64) -> f64) -> (f64, f64) {
    let (a, ea) = ridders(&f, 0.05);
    let (b, eb) = ridders(&f, 0.007);
    let best = if ea <= eb { a } else { b };
    (best, ea.min(eb).max((a - b).abs()))
}

/// [`derivative`] of `f` at 0, or `None` when a step of the difference
/// table moves some ELU argument across its kink: there the function is not
/// twice differentiable, the extrapolation's error estimate is too small
/// and the numeric value cannot judge the tape (a 1,000,000-graph run found
/// arguments 0.0008 and 0.0027 from the kink, well within the steps).
fn derivative_off_kinks(f: impl Fn(f64) -> f64) -> Option<(f64, f64)> {
    take_kink_sides();
    f(0.0);
    let base = take_kink_sides();
    let crossed = std::cell::Cell::new(false);
    let r = derivative(|h| {
        let v = f(h);
        if take_kink_sides() != base {
            crossed.set(true);
        }
        v
    });
    (!crossed.get()).then_some(r)
}

/// Whether the tape's derivative `a` agrees with the numeric `n` (whose
/// error estimate is `err`), given the size `scale` of the terms that make
/// up the derivative.
fn agree(a: f64, n: f64, err: f64, scale: f64) -> bool {
    (a - n).abs() <= 1e-7 * (1.0 + scale) + 1e-6 * n.abs() + 4.0 * err
}

/// Whether a numeric derivative is precise enough to judge the tape by.
fn trusted(n: f64, err: f64) -> bool {
    n.is_finite() && err <= 1e-5 * (1.0 + n.abs())
}

/// Largest magnitude a checked value or gradient may reach (beyond it the
/// case says nothing about derivatives and is rejected).
const LIMIT: f64 = 1e5;

/// Checks every input's derivative of a scalar tree.
fn check_scalar_tree(e: &S, at: &[f64]) -> Result<(), TestCaseError> {
    let value = |p: &[f64]| {
        let tape = Tape::new();
        let xs = tape.vars(p);
        eval_s(e, &xs).value()
    };
    let tape = Tape::new();
    let xs = tape.vars(at);
    let y = eval_s(e, &xs);
    prop_assume!(y.value().is_finite() && y.value().abs() < LIMIT);
    let g = y.backward();
    for i in 0..at.len() {
        let a = g[xs[i]];
        prop_assume!(a.is_finite() && a.abs() < LIMIT);
        let numeric = derivative_off_kinks(|h| {
            let mut p = at.to_vec();
            p[i] += h;
            value(&p)
        });
        prop_assume!(numeric.is_some());
        let (n, err) = numeric.expect("checked");
        prop_assume!(trusted(n, err));
        prop_assert!(
            agree(a, n, err, a.abs().max(y.value().abs())),
            "input {i}: tape {a}, numeric {n} ± {err:e} (diff {:e}) for {e:?} at {at:?}",
            (a - n).abs()
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// tensor trees
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum TUn {
    Neg,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Exp,
    Ln,
    Sqrt,
    Recip,
    Square,
    Cube,
    Powf(f64),
    Scale(f64),
    Shift(f64),
    CSub(f64),
    CDiv(f64),
    Softplus,
    Gelu,
    Silu,
    /// ELU with alpha 1 (its derivative is continuous only then)
    Elu,
    /// ln(1 + (x² + ½))
    Log1p,
    /// `square`, the function (`Square` is `powi(2)`)
    SquareFn,
    /// v·v − v for the same intermediate v
    Reuse,
}

#[derive(Clone, Copy, Debug)]
enum TBin {
    Add,
    Sub,
    Mul,
    /// a / (b² + ½)
    Div,
    /// a / −(b² + ½): a negative divisor
    DivNeg,
    Pow,
}

/// How a scalar reduced from one subtree meets the tensor of another.
#[derive(Clone, Copy, Debug)]
enum Mix {
    /// t + Σ u
    AddSum,
    /// mean(u) · t
    MeanMul,
    /// t − sin(mean u)
    SubSin,
    /// Σ u / (t² + ½), the scalar on the left
    DivBy,
}

#[derive(Clone, Debug)]
enum T {
    /// A tensor input.
    Leaf(Tensor),
    Un(TUn, Box<T>),
    Bin(TBin, Box<T>, Box<T>),
    Mix(Mix, Box<T>, Box<T>),
    /// sum or mean along an axis (chosen modulo the rank), kept with size 1
    SumKeep(usize, Box<T>),
    MeanKeep(usize, Box<T>),
    /// sum over the leading axis, dropping it
    SumLead(Box<T>),
    /// a·b after broadcasting a to [m, k] and b to [k, n]
    MatMul([usize; 2], Box<T>, [usize; 2], Box<T>),
    /// broadcast to [q, p], then transpose
    Transpose([usize; 2], Box<T>),
    /// broadcast to `shape`, flatten, tanh, and back
    Flat(Vec<usize>, Box<T>),
    /// broadcast to `shape` (last axis longer), take `len` from `start`
    Slice(Vec<usize>, usize, usize, Box<T>),
    /// broadcast each to its shape and join along the last axis
    Concat(Vec<usize>, Box<T>, Vec<usize>, Box<T>),
    /// (log-)softmax along the last axis (identity on 0-d values)
    Softmax(bool, Box<T>),
    /// x − logsumexp(x) along the last axis, kept with size 1 and broadcast
    /// back (identity on 0-d values)
    MinusLse(Box<T>),
}

fn tun() -> impl Strategy<Value = TUn> {
    let c = -2.0..2.0f64;
    prop_oneof![
        Just(TUn::Neg),
        Just(TUn::Sin),
        Just(TUn::Cos),
        Just(TUn::Tanh),
        Just(TUn::Sigmoid),
        Just(TUn::Exp),
        Just(TUn::Ln),
        Just(TUn::Sqrt),
        Just(TUn::Recip),
        Just(TUn::Square),
        Just(TUn::Cube),
        (-1.5..2.5f64).prop_map(TUn::Powf),
        Just(TUn::Softplus),
        Just(TUn::Gelu),
        Just(TUn::Silu),
        Just(TUn::Elu),
        Just(TUn::Log1p),
        Just(TUn::SquareFn),
        c.clone().prop_map(TUn::Scale),
        c.clone().prop_map(TUn::Shift),
        c.clone().prop_map(TUn::CSub),
        c.prop_map(TUn::CDiv),
        Just(TUn::Reuse),
    ]
}

fn tbin() -> impl Strategy<Value = TBin> {
    prop_oneof![
        Just(TBin::Add),
        Just(TBin::Sub),
        Just(TBin::Mul),
        Just(TBin::Div),
        Just(TBin::DivNeg),
        Just(TBin::Pow),
    ]
}

fn mix() -> impl Strategy<Value = Mix> {
    prop_oneof![
        Just(Mix::AddSum),
        Just(Mix::MeanMul),
        Just(Mix::SubSin),
        Just(Mix::DivBy),
    ]
}

/// A leaf whose shape broadcasts to `target`: some leading axes dropped,
/// some others set to 1.
fn leaf(target: Vec<usize>) -> BoxedStrategy<T> {
    let r = target.len();
    let drop = prop_oneof![3 => Just(0usize), 1 => 0..=r];
    (drop, prop::collection::vec(prop::bool::weighted(0.25), r))
        .prop_flat_map(move |(drop, ones)| {
            let shape: Vec<usize> = target[drop..]
                .iter()
                .zip(&ones[drop..])
                .map(|(&d, &one)| if one { 1 } else { d })
                .collect();
            prop::collection::vec(-1.5..1.5f64, numel(&shape))
                .prop_map(move |data| T::Leaf(Tensor::from_vec(&shape, data).unwrap()))
        })
        .boxed()
}

fn b(t: T) -> Box<T> {
    Box::new(t)
}

/// A tree whose value broadcasts to `target`, at most `depth` deep.
fn tree(target: Vec<usize>, depth: u32) -> BoxedStrategy<T> {
    if depth == 0 {
        return leaf(target);
    }
    let d = depth - 1;
    let sub = || tree(target.clone(), d);
    let mut options: Vec<(u32, BoxedStrategy<T>)> = vec![
        (2, leaf(target.clone())),
        (
            4,
            (tun(), sub()).prop_map(|(op, a)| T::Un(op, b(a))).boxed(),
        ),
        (
            4,
            (tbin(), sub(), sub())
                .prop_map(|(op, x, y)| T::Bin(op, b(x), b(y)))
                .boxed(),
        ),
        (
            1,
            (mix(), sub(), tree(vec![2, 2], d.min(1)))
                .prop_map(|(m, x, y)| T::Mix(m, b(x), b(y)))
                .boxed(),
        ),
        (
            1,
            (0..3usize, sub(), any::<bool>())
                .prop_map(|(ax, x, mean)| {
                    if mean {
                        T::MeanKeep(ax, b(x))
                    } else {
                        T::SumKeep(ax, b(x))
                    }
                })
                .boxed(),
        ),
        (
            1,
            (1..=3usize)
                .prop_flat_map({
                    let target = target.clone();
                    move |k| {
                        let mut t = vec![k];
                        t.extend_from_slice(&target);
                        tree(t, d).prop_map(|x| T::SumLead(b(x)))
                    }
                })
                .boxed(),
        ),
        (
            1,
            (any::<bool>(), sub())
                .prop_map(|(log, x)| T::Softmax(log, b(x)))
                .boxed(),
        ),
        (1, sub().prop_map(|x| T::MinusLse(b(x))).boxed()),
        (
            1,
            sub()
                .prop_map({
                    let target = target.clone();
                    move |x| T::Flat(target.clone(), b(x))
                })
                .boxed(),
        ),
    ];
    if let Some(&last) = target.last() {
        // slice from a longer last axis
        let t2 = target.clone();
        options.push((
            1,
            (1..=2usize, 0..=2usize)
                .prop_flat_map(move |(extra, start)| {
                    let start = start.min(extra);
                    let mut wide = t2.clone();
                    *wide.last_mut().unwrap() = last + extra;
                    tree(wide.clone(), d)
                        .prop_map(move |x| T::Slice(wide.clone(), start, last, b(x)))
                })
                .boxed(),
        ));
        if last >= 2 {
            // concat of two parts of the last axis
            let t3 = target.clone();
            options.push((
                1,
                (1..last)
                    .prop_flat_map(move |a| {
                        let (mut sa, mut sb) = (t3.clone(), t3.clone());
                        *sa.last_mut().unwrap() = a;
                        *sb.last_mut().unwrap() = last - a;
                        (tree(sa.clone(), d), tree(sb.clone(), d))
                            .prop_map(move |(x, y)| T::Concat(sa.clone(), b(x), sb.clone(), b(y)))
                    })
                    .boxed(),
            ));
        }
    }
    if let [p, q] = target[..] {
        // matmul: [m, k]·[k, n] with m ∈ {p, 1}, n ∈ {q, 1}
        options.push((
            3,
            (1..=3usize, any::<bool>(), any::<bool>())
                .prop_flat_map(move |(k, m1, n1)| {
                    let m = if m1 { 1 } else { p };
                    let n = if n1 { 1 } else { q };
                    (tree(vec![m, k], d), tree(vec![k, n], d))
                        .prop_map(move |(x, y)| T::MatMul([m, k], b(x), [k, n], b(y)))
                })
                .boxed(),
        ));
        options.push((
            1,
            tree(vec![q, p], d)
                .prop_map(move |x| T::Transpose([q, p], b(x)))
                .boxed(),
        ));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

/// Inputs in the order [`eval_t`] consumes them.
fn leaves(e: &T, out: &mut Vec<Tensor>) {
    match e {
        T::Leaf(t) => out.push(t.clone()),
        T::Un(_, a)
        | T::SumKeep(_, a)
        | T::MeanKeep(_, a)
        | T::SumLead(a)
        | T::Transpose(_, a)
        | T::Flat(_, a)
        | T::Slice(_, _, _, a)
        | T::Softmax(_, a)
        | T::MinusLse(a) => leaves(a, out),
        T::Bin(_, a, c) | T::Mix(_, a, c) | T::MatMul(_, a, _, c) | T::Concat(_, a, _, c) => {
            leaves(a, out);
            leaves(c, out);
        }
    }
}

fn tpos<'t>(x: TensorVar<'t>) -> TensorVar<'t> {
    x * x + 0.5
}

fn eval_t<'t>(e: &T, inputs: &[TensorVar<'t>], next: &mut usize) -> TensorVar<'t> {
    match e {
        T::Leaf(_) => {
            *next += 1;
            inputs[*next - 1]
        }
        T::Un(op, a) => {
            let a = eval_t(a, inputs, next);
            match *op {
                TUn::Neg => -a,
                TUn::Sin => a.sin(),
                TUn::Cos => a.cos(),
                TUn::Tanh => a.tanh(),
                TUn::Sigmoid => a.sigmoid(),
                TUn::Exp => a.exp(),
                TUn::Ln => tpos(a).ln(),
                TUn::Sqrt => tpos(a).sqrt(),
                TUn::Recip => tpos(a).recip(),
                TUn::Square => a.powi(2),
                TUn::Cube => a.powi(3),
                TUn::Powf(p) => tpos(a).powf(p),
                TUn::Softplus => a.softplus(),
                TUn::Gelu => a.gelu(),
                TUn::Silu => a.silu(),
                TUn::Elu => {
                    note_kink_sides(a.value().data().iter().copied());
                    a.elu(1.0)
                }
                TUn::Log1p => tpos(a).log1p(),
                TUn::SquareFn => a.square(),
                TUn::Scale(c) => a.scale(c),
                TUn::Shift(c) => a.shift(c),
                TUn::CSub(c) => c - a,
                TUn::CDiv(c) => c / tpos(a),
                TUn::Reuse => a * a - a,
            }
        }
        T::Bin(op, a, c) => {
            let (x, y) = (eval_t(a, inputs, next), eval_t(c, inputs, next));
            match op {
                TBin::Add => x + y,
                TBin::Sub => x - y,
                TBin::Mul => x * y,
                TBin::Div => x / tpos(y),
                TBin::DivNeg => x / -tpos(y),
                TBin::Pow => tpos(x).pow(y.tanh()),
            }
        }
        T::Mix(m, a, c) => {
            let (x, u) = (eval_t(a, inputs, next), eval_t(c, inputs, next));
            match m {
                Mix::AddSum => x + u.sum(),
                Mix::MeanMul => u.mean() * x,
                Mix::SubSin => x - u.mean().sin(),
                Mix::DivBy => u.sum() / tpos(x),
            }
        }
        T::SumKeep(ax, a) | T::MeanKeep(ax, a) => {
            let x = eval_t(a, inputs, next);
            let n = x.ndim();
            if n == 0 {
                return x;
            }
            if matches!(e, T::SumKeep(..)) {
                x.sum_axis(ax % n, true)
            } else {
                x.mean_axis(ax % n, true)
            }
        }
        T::SumLead(a) => {
            let x = eval_t(a, inputs, next);
            if x.ndim() == 0 {
                x
            } else {
                x.sum_axis(0, false)
            }
        }
        T::MatMul(sa, a, sb, c) => {
            let x = eval_t(a, inputs, next).broadcast_to(sa);
            let y = eval_t(c, inputs, next).broadcast_to(sb);
            x.matmul(y)
        }
        T::Transpose(s, a) => eval_t(a, inputs, next).broadcast_to(s).t(),
        T::Flat(s, a) => eval_t(a, inputs, next)
            .broadcast_to(s)
            .reshape(&[numel(s)])
            .tanh()
            .reshape(s),
        T::Slice(s, start, len, a) => {
            let x = eval_t(a, inputs, next).broadcast_to(s);
            x.slice(s.len() - 1, *start, start + len)
        }
        T::Concat(sa, a, sb, c) => {
            let x = eval_t(a, inputs, next).broadcast_to(sa);
            let y = eval_t(c, inputs, next).broadcast_to(sb);
            TensorVar::concat(&[x, y], sa.len() - 1)
        }
        T::Softmax(log, a) => {
            let x = eval_t(a, inputs, next);
            match (x.ndim(), log) {
                (0, _) => x,
                (n, false) => x.softmax(n - 1),
                (n, true) => x.log_softmax(n - 1),
            }
        }
        T::MinusLse(a) => {
            let x = eval_t(a, inputs, next);
            match x.ndim() {
                0 => x,
                n => x - x.logsumexp(n - 1, true),
            }
        }
    }
}

/// The tree reduced to a scalar with fixed weights.
fn loss<'t>(e: &T, inputs: &[TensorVar<'t>]) -> Var<'t> {
    let mut next = 0;
    let y = eval_t(e, inputs, &mut next);
    assert_eq!(next, inputs.len(), "every input is used once");
    wsum(y)
}

fn size_t(e: &T) -> usize {
    match e {
        T::Leaf(_) => 1,
        T::Un(_, a)
        | T::SumKeep(_, a)
        | T::MeanKeep(_, a)
        | T::SumLead(a)
        | T::Transpose(_, a)
        | T::Flat(_, a)
        | T::Slice(_, _, _, a)
        | T::Softmax(_, a)
        | T::MinusLse(a) => 1 + size_t(a),
        T::Bin(_, a, c) | T::Mix(_, a, c) | T::MatMul(_, a, _, c) | T::Concat(_, a, _, c) => {
            1 + size_t(a) + size_t(c)
        }
    }
}

/// Directions along which the tensor tree's gradient is checked.
const DIRECTIONS: usize = 3;

/// Checks ⟨∇f, v⟩ against the numeric derivative of f(x + t·v) for a few
/// random directions v, and the gradients' shapes.
fn check_tensor_tree(e: &T, seed: u64) -> Result<(), TestCaseError> {
    let mut at = Vec::new();
    leaves(e, &mut at);
    let tape = Tape::new();
    let xs: Vec<_> = at.iter().map(|t| tape.tensor(t.clone())).collect();
    let y = loss(e, &xs);
    prop_assume!(y.value().is_finite() && y.value().abs() < LIMIT);
    let g = y.backward();
    let grads: Vec<Tensor> = xs
        .iter()
        .zip(&at)
        .map(|(&x, t)| {
            g.wrt(x)
                .cloned()
                .unwrap_or_else(|| Tensor::zeros(t.shape()))
        })
        .collect();
    for (gr, t) in grads.iter().zip(&at) {
        prop_assert_eq!(gr.shape(), t.shape());
        prop_assume!(gr.data().iter().all(|v| v.is_finite() && v.abs() < LIMIT));
    }
    let mut rng = Rng::new(seed);
    for dir in 0..DIRECTIONS {
        let v: Vec<Tensor> = at
            .iter()
            .map(|t| rng.tensor(t.shape(), |r| r.uniform(-1.0, 1.0)))
            .collect();
        let (mut analytic, mut scale) = (0.0, 0.0);
        for (gr, vk) in grads.iter().zip(&v) {
            for (&a, &b) in gr.data().iter().zip(vk.data()) {
                analytic += a * b;
                scale += (a * b).abs();
            }
        }
        let numeric = derivative_off_kinks(|h| {
            let tape = Tape::new();
            let moved: Vec<_> = at
                .iter()
                .zip(&v)
                .map(|(t, vk)| tape.tensor(t.zip_map(vk, |x, d| x + h * d)))
                .collect();
            loss(e, &moved).value()
        });
        prop_assume!(numeric.is_some());
        let (numeric, err) = numeric.expect("checked");
        prop_assume!(trusted(numeric, err));
        prop_assert!(
            agree(analytic, numeric, err, scale.max(y.value().abs())),
            "direction {dir}: tape {analytic}, numeric {numeric} ± {err:e} (diff {:e}) for {e:?}",
            (analytic - numeric).abs()
        );
    }
    Ok(())
}

/// Target shapes: rank 0 to 3, each axis 1 to 3, rank 2 most often (the
/// rank that admits matrix products).
fn target() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![
        1 => Just(vec![]),
        2 => prop::collection::vec(1..=3usize, 1),
        4 => prop::collection::vec(1..=3usize, 2),
        2 => prop::collection::vec(1..=3usize, 3),
    ]
}

fn tensor_case(depth: u32) -> impl Strategy<Value = (T, u64)> {
    target().prop_flat_map(move |t| (tree(t, depth), any::<u64>()))
}

/// Random graphs per run, all three tests together: 10,000 by default,
/// `XIAOLAN_GRAPHS=N` for a long run.
const GRAPHS: u32 = 10_000;

/// The number of cases for a test that takes `share` parts in a thousand
/// of the run's graphs.
fn cases(share: u32) -> ProptestConfig {
    let total = std::env::var("XIAOLAN_GRAPHS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(u64::from(GRAPHS));
    let n = (total * u64::from(share)).div_ceil(1000);
    ProptestConfig {
        max_global_rejects: u32::try_from(n).unwrap_or(u32::MAX).saturating_mul(4),
        ..ProptestConfig::with_cases(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

proptest! {
    #![proptest_config(cases(600))]

    #[test]
    fn scalar_expression_trees(e in scalar_tree(), at in prop::array::uniform3(-2.0..2.0f64)) {
        prop_assume!(depth_s(&e) >= 1);
        check_scalar_tree(&e, &at)?;
    }
}

proptest! {
    #![proptest_config(cases(380))]

    #[test]
    fn tensor_expression_trees((e, seed) in tensor_case(3)) {
        prop_assume!(size_t(&e) >= 2);
        check_tensor_tree(&e, seed)?;
    }
}

proptest! {
    #![proptest_config(cases(20))]

    #[test]
    fn deeper_tensor_expression_trees((e, seed) in tensor_case(5)) {
        check_tensor_tree(&e, seed)?;
    }
}

/// The checker itself: it accepts the true derivative and rejects wrong ones.
#[test]
fn the_directional_check_detects_a_wrong_derivative() {
    let tape = Tape::new();
    let x0 = Tensor::from_vec(&[2], vec![0.3, -0.7]).unwrap();
    let x = tape.tensor(x0.clone());
    let y = (x * x).sum();
    let g = y.backward();
    // the tape's answer against the numeric one: agree
    let v = Tensor::from_vec(&[2], vec![1.0, 0.5]).unwrap();
    let analytic: f64 = g[x].data().iter().zip(v.data()).map(|(a, b)| a * b).sum();
    let (numeric, err) = derivative(|h| {
        let tape = Tape::new();
        let m = tape.tensor(x0.zip_map(&v, |a, d| a + h * d));
        (m * m).sum().value()
    });
    assert!(trusted(numeric, err));
    assert!(agree(analytic, numeric, err, analytic.abs()));
    // half the true derivative (a typical missing factor 2): disagree
    assert!(!agree(analytic / 2.0, numeric, err, analytic.abs()));
    // and a small relative error of 1e-4 is caught too
    assert!(!agree(
        analytic * (1.0 + 1e-4),
        numeric,
        err,
        analytic.abs()
    ));
    // a steep function: sin(x³) near x = 3 is still differentiated precisely
    let (n, err) = derivative(|h| (3.0f64 + h).powi(3).sin());
    let want = 27.0 * 27f64.cos();
    assert!(trusted(n, err), "{n} ± {err}");
    assert!((n - want).abs() < 1e-8 * want.abs(), "{n} vs {want}");
}
