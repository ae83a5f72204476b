//! Random scalar expression trees, shared by the property tests: every
//! smooth scalar op, constants on both sides and reuse of intermediate
//! values, evaluated on any element type (`f64`, `f32`, `Dual`). Functions
//! whose domain is restricted get arguments that stay inside it: ln, sqrt,
//! recip, powf and pow see x² + ½, divisors are b² + ½.

use autograd::{Real, Var};
use proptest::prelude::*;

thread_local! {
    /// The sign of every argument of a kinked function (ELU: its second
    /// derivative jumps at 0), in evaluation order, since the last `take`.
    static KINK_SIDES: std::cell::RefCell<Vec<bool>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Records which side of its kink at 0 each of `args` is on.
pub fn note_kink_sides(args: impl Iterator<Item = f64>) {
    KINK_SIDES.with(|k| k.borrow_mut().extend(args.map(|a| a > 0.0)));
}

/// The sides recorded since the last call, forgetting them.
pub fn take_kink_sides() -> Vec<bool> {
    KINK_SIDES.with(|k| std::mem::take(&mut *k.borrow_mut()))
}

// ---------------------------------------------------------------------------
// scalar trees
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
pub enum SUn {
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
    InvSquare,
    Powf(f64),
    Softplus,
    Gelu,
    Silu,
    /// ELU with alpha 1 (its derivative is continuous only then)
    Elu,
    /// ln(1 + (x² + ½))
    Log1p,
    /// `square`, the function (`Square` is `powi(2)`)
    SquareFn,
    /// x ⊕ c, c ⊕ x for the four operators
    AddC(f64),
    CSub(f64),
    MulC(f64),
    CDiv(f64),
    SubC(f64),
    DivC(f64),
    /// x · (a constant Var)
    MulConstVar(f64),
    /// v·v + sin v for the same intermediate v
    Reuse,
}

#[derive(Clone, Copy, Debug)]
pub enum SBin {
    Add,
    Sub,
    Mul,
    /// a / (b² + ½)
    Div,
    /// a / −(b² + ½): a negative divisor
    DivNeg,
    Pow,
    /// ln(eᵃ + eᵇ), `Var::logsumexp` of the two
    LogSumExp,
}

#[derive(Clone, Debug)]
pub enum S {
    Var(usize),
    Const(f64),
    Un(SUn, Box<S>),
    Bin(SBin, Box<S>, Box<S>),
}

/// Number of scalar inputs.
pub const NVARS: usize = 3;

pub fn sun() -> impl Strategy<Value = SUn> {
    let c = -2.0..2.0f64;
    let nz = prop_oneof![-2.0..-0.5f64, 0.5..2.0f64];
    prop_oneof![
        Just(SUn::Neg),
        Just(SUn::Sin),
        Just(SUn::Cos),
        Just(SUn::Tanh),
        Just(SUn::Sigmoid),
        Just(SUn::Exp),
        Just(SUn::Ln),
        Just(SUn::Sqrt),
        Just(SUn::Recip),
        Just(SUn::Square),
        Just(SUn::Cube),
        Just(SUn::InvSquare),
        (-1.5..2.5f64).prop_map(SUn::Powf),
        Just(SUn::Softplus),
        Just(SUn::Gelu),
        Just(SUn::Silu),
        Just(SUn::Elu),
        Just(SUn::Log1p),
        Just(SUn::SquareFn),
        c.clone().prop_map(SUn::AddC),
        c.clone().prop_map(SUn::CSub),
        c.clone().prop_map(SUn::MulC),
        c.clone().prop_map(SUn::CDiv),
        c.clone().prop_map(SUn::SubC),
        nz.prop_map(SUn::DivC),
        c.prop_map(SUn::MulConstVar),
        Just(SUn::Reuse),
    ]
}

pub fn sbin() -> impl Strategy<Value = SBin> {
    prop_oneof![
        Just(SBin::Add),
        Just(SBin::Sub),
        Just(SBin::Mul),
        Just(SBin::Div),
        Just(SBin::DivNeg),
        Just(SBin::Pow),
        Just(SBin::LogSumExp),
    ]
}

pub fn scalar_tree() -> impl Strategy<Value = S> {
    let leaf = prop_oneof![
        4 => (0..NVARS).prop_map(S::Var),
        1 => (-2.0..2.0f64).prop_map(S::Const),
    ];
    leaf.prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            (sun(), inner.clone()).prop_map(|(op, e)| S::Un(op, Box::new(e))),
            (sbin(), inner.clone(), inner).prop_map(|(op, a, b)| S::Bin(
                op,
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

/// x² + ½: a value that is safe for ln, sqrt, recip and powers.
pub fn pos<'t, E: Real>(x: Var<'t, E>) -> Var<'t, E> {
    x * x + 0.5
}

pub fn eval_s<'t, E: Real>(e: &S, x: &[Var<'t, E>]) -> Var<'t, E> {
    match e {
        S::Var(i) => x[*i],
        S::Const(c) => x[0].tape().constant(*c),
        S::Un(op, a) => {
            let a = eval_s(a, x);
            match *op {
                SUn::Neg => -a,
                SUn::Sin => a.sin(),
                SUn::Cos => a.cos(),
                SUn::Tanh => a.tanh(),
                SUn::Sigmoid => a.sigmoid(),
                SUn::Exp => a.exp(),
                SUn::Ln => pos(a).ln(),
                SUn::Sqrt => pos(a).sqrt(),
                SUn::Recip => pos(a).recip(),
                SUn::Square => a.powi(2),
                SUn::Cube => a.powi(3),
                SUn::InvSquare => pos(a).powi(-2),
                SUn::Powf(p) => pos(a).powf(p),
                SUn::Softplus => a.softplus(),
                SUn::Gelu => a.gelu(),
                SUn::Silu => a.silu(),
                SUn::Elu => {
                    note_kink_sides(std::iter::once(a.value().to_f64()));
                    a.elu(1.0)
                }
                SUn::Log1p => pos(a).log1p(),
                SUn::SquareFn => a.square(),
                SUn::AddC(c) => a + c,
                SUn::CSub(c) => c - a,
                SUn::MulC(c) => c * a,
                SUn::CDiv(c) => c / pos(a),
                SUn::SubC(c) => a - c,
                SUn::DivC(c) => a / c,
                SUn::MulConstVar(c) => a * a.tape().constant(c),
                SUn::Reuse => a * a + a.sin(),
            }
        }
        S::Bin(op, a, b) => {
            let (a, b) = (eval_s(a, x), eval_s(b, x));
            match op {
                SBin::Add => a + b,
                SBin::Sub => a - b,
                SBin::Mul => a * b,
                SBin::Div => a / pos(b),
                SBin::DivNeg => a / -pos(b),
                SBin::Pow => pos(a).pow(b.tanh() * 2.0),
                SBin::LogSumExp => Var::logsumexp(&[a, b]).expect("two values"),
            }
        }
    }
}

pub fn depth_s(e: &S) -> usize {
    match e {
        S::Var(_) | S::Const(_) => 0,
        S::Un(_, a) => 1 + depth_s(a),
        S::Bin(_, a, b) => 1 + depth_s(a).max(depth_s(b)),
    }
}
