//! [`Var`]: a scalar on the tape. Each operation computes its value and its
//! local partial derivative side by side and records one small node.

use crate::backward::Grads;
use crate::func::{self, Func};
use crate::real::Real;
use crate::tape::{Node, NodeId, PackedNode, Tape, CONST};
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// A scalar value on a [`Tape`]: a `Copy` handle (tape, node, value).
///
/// Arithmetic with other `Var`s and with `f64` constants on either side
/// records the operation; [`Var::backward`] returns the gradients.
///
/// ```
/// use autograd::Tape;
/// // a = sigmoid(wx + b), e = (y - a)²
/// let tape = Tape::new();
/// let (w, b) = (tape.var(0.5), tape.var(-0.2));
/// let (x, y) = (0.8, 1.0);
/// let a = (w * x + b).sigmoid();
/// let e = (y - a).powi(2);
/// let g = e.backward();
/// let av = a.value();
/// assert!((g[w] - (-2.0 * (y - av) * av * (1.0 - av) * x)).abs() < 1e-12);
/// assert!((g[b] - (-2.0 * (y - av) * av * (1.0 - av))).abs() < 1e-12);
/// ```
#[derive(Clone, Copy)]
pub struct Var<'t, E: Real = f64> {
    tape: &'t Tape<E>,
    node: NodeId,
    value: E,
}

impl<E: Real> fmt::Debug for Var<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_constant() {
            write!(f, "Var(const {})", self.value)
        } else {
            write!(f, "Var(#{} = {})", self.node, self.value)
        }
    }
}

impl<E: Real> fmt::Display for Var<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.value, f)
    }
}

impl<'t, E: Real> Var<'t, E> {
    pub(crate) fn new(tape: &'t Tape<E>, node: NodeId, value: E) -> Self {
        Var { tape, node, value }
    }

    pub(crate) fn constant(tape: &'t Tape<E>, value: E) -> Self {
        Var {
            tape,
            node: CONST,
            value,
        }
    }

    pub(crate) fn node(self) -> NodeId {
        self.node
    }

    /// The value.
    pub fn value(self) -> E {
        self.value
    }

    /// The value as `f64`.
    pub fn to_f64(self) -> f64 {
        self.value.to_f64()
    }

    /// The tape this value lives on.
    pub fn tape(self) -> &'t Tape<E> {
        self.tape
    }

    /// Whether this value is a constant (gets no gradient, recorded nothing).
    pub fn is_constant(self) -> bool {
        self.node == CONST
    }

    /// The same value, cut off from the graph: gradients do not flow through it.
    pub fn detach(self) -> Self {
        Var::constant(self.tape, self.value)
    }

    #[track_caller]
    #[inline]
    pub(crate) fn check_tape(self, tape: &Tape<E>, op: &str) {
        if !std::ptr::eq(self.tape, tape) {
            mixed_tapes(op);
        }
    }

    /// Records a one-input operation with value `y` and local derivative
    /// `dy_dx`: the building block of every scalar op, open to users.
    ///
    /// ```
    /// use autograd::Tape;
    /// let tape = Tape::new();
    /// let x = tape.var(2.0);
    /// // cube(x) with its derivative 3x²
    /// let y = x.unary("cube", 8.0, 12.0);
    /// assert_eq!(y.backward()[x], 12.0);
    /// ```
    #[inline(always)]
    pub fn unary(self, op: &'static str, y: E, dy_dx: E) -> Self {
        let node = (self.node != CONST).then(|| {
            Node::Unary {
                a: self.node,
                da: dy_dx,
            }
            .pack()
        });
        self.record(op, None, y, node)
    }

    /// Records a two-input operation with value `y` and local partials
    /// `[∂y/∂self, ∂y/∂rhs]`.
    ///
    /// # Panics
    /// If `rhs` is on another tape.
    #[inline(always)]
    #[track_caller]
    pub fn binary(self, op: &'static str, rhs: Self, y: E, d: [E; 2]) -> Self {
        if !std::ptr::eq(self.tape, rhs.tape) {
            mixed_tapes(op);
        }
        let node = match (self.node == CONST, rhs.node == CONST) {
            (true, true) => return self.record(op, Some(rhs), y, None),
            (false, true) => Node::Unary {
                a: self.node,
                da: d[0],
            },
            (true, false) => Node::Unary {
                a: rhs.node,
                da: d[1],
            },
            (false, false) => Node::Binary {
                a: self.node,
                b: rhs.node,
                da: d[0],
                db: d[1],
            },
        };
        self.record(op, Some(rhs), y, Some(node.pack()))
    }

    /// Records `node` (`None` when every operand is a constant) as the op
    /// `op` with value `y`: the one place `unary` and `binary` record.
    ///
    /// The common case (recording on, no anomaly detection, no kept graph,
    /// spare capacity) is one comparison, the node list's length against
    /// the tape's `room`, and the append; the rare cases are out of line in
    /// `record_slow`.
    #[inline(always)]
    #[track_caller]
    fn record(
        self,
        op: &'static str,
        rhs: Option<Self>,
        y: E,
        node: Option<PackedNode<E>>,
    ) -> Self {
        let tape = self.tape;
        // the fast path: the node appended (or nothing, for constants)
        let fast = match node {
            Some(node) => tape.try_push(node),
            None => tape.fast().then_some(CONST),
        };
        let id = if let Some(id) = fast {
            id
        } else {
            // In and out field by field, on purpose: a `Var` or node passed
            // or returned whole goes through memory, and would keep the
            // values of the fast path in memory too.
            let rhs = rhs.map(|r| r.value);
            let (a, b, d) = match node {
                Some(n) => (n.a, n.b, [n.da, n.db]),
                None => (CONST, CONST, [y, y]), // no node
            };
            record_slow(tape, op, [Some(self.value), rhs], y, a, b, d)
        };
        Var::new(tape, id, y)
    }

    /// Computes the gradient of this value with respect to everything on the tape.
    ///
    /// Look gradients up with `grads[var]` or [`Grads::wrt`].
    pub fn backward(self) -> Grads<E> {
        let mut g = Grads::empty();
        self.backward_into(&mut g);
        g
    }

    /// Adds this value's gradients into `grads` (accumulation across several
    /// backward calls on the same tape).
    ///
    /// # Panics
    /// If `grads` holds gradients from another tape (or from before a clear).
    pub fn backward_into(self, grads: &mut Grads<E>) {
        crate::backward::sweep(self.tape, self.node, None, E::one(), grads, None);
    }

    /// Gradients of this value with respect to `inputs`, in order (zero for
    /// constants and for inputs this value does not depend on).
    pub fn grad_wrt(self, inputs: &[Var<'t, E>]) -> Vec<E> {
        let g = self.backward();
        inputs.iter().map(|&x| g[x]).collect()
    }

    // ----- elementary functions: value and local derivative side by side -----

    /// y = f(x) for any element-wise [`Func`]: its value and its
    /// derivative, recorded as one [`Var::unary`] (no allocation).
    ///
    /// ```
    /// use autograd::{func, Tape};
    /// let tape = Tape::new();
    /// let x = tape.var(1.0);
    /// let y = x.map(func::Silu); // x·σ(x)
    /// assert!((y.value() - 0.7310585786300049).abs() < 1e-15);
    /// ```
    #[inline(always)]
    pub fn map<F: Func>(self, f: F) -> Self {
        self.map_as(F::NAME, f)
    }

    /// [`Var::map`] recorded under another op name (the operators').
    #[inline(always)]
    fn map_as<F: Func>(self, op: &'static str, f: F) -> Self {
        let x = self.value;
        let y = f.value(x);
        self.unary(op, y, f.deriv(x, y))
    }

    /// x^n for an integer n. d/dx = n·x^(n−1).
    pub fn powi(self, n: i32) -> Self {
        self.map(func::Powi { n })
    }

    /// x^y with both sides on the tape. ∂/∂x = y·x^(y−1), ∂/∂y = x^y·ln x.
    ///
    /// As for the tensor op, ∂/∂x is taken as 0 where y = 0 (x^0 = 1 for
    /// every x) and ∂/∂y as 0 where x = 0 and y ≥ 0 (the limit of
    /// x^y·ln x as x → 0⁺) instead of the 0·∞ = NaN of the formulas.
    pub fn pow(self, y: Self) -> Self {
        let (a, b) = (self.value, y.value);
        let v = a.powf(b);
        let zero = E::zero();
        let da = if b == zero {
            zero
        } else {
            b * a.powf(b - E::one())
        };
        let db = if a == zero && b >= zero {
            zero
        } else {
            v * a.ln()
        };
        self.binary("pow", y, v, [da, db])
    }

    /// The larger of two values; the gradient goes to the larger one, half
    /// to each on a tie (as PyTorch's `maximum`).
    ///
    /// ```
    /// use autograd::Tape;
    /// let tape = Tape::new();
    /// let (a, b) = (tape.var(2.0), tape.var(2.0));
    /// let g = a.max(b).backward();
    /// assert_eq!((g[a], g[b]), (0.5, 0.5));
    /// ```
    pub fn max(self, rhs: Self) -> Self {
        let v = if rhs.value > self.value {
            rhs.value
        } else {
            self.value
        };
        self.binary(
            "max",
            rhs,
            v,
            tie_split(rhs.value > self.value, self.value == rhs.value),
        )
    }

    /// The smaller of two values; the gradient goes to the smaller one, half
    /// to each on a tie (as PyTorch's `minimum`).
    pub fn min(self, rhs: Self) -> Self {
        let v = if rhs.value < self.value {
            rhs.value
        } else {
            self.value
        };
        self.binary(
            "min",
            rhs,
            v,
            tie_split(rhs.value < self.value, self.value == rhs.value),
        )
    }

    /// ln Σ e^xᵢ of several values, computed stably as m + ln Σ e^(xᵢ − m)
    /// with m the largest value (a constant shift: it changes neither the
    /// value nor the gradient, softmax(x)). `None` for no values.
    ///
    /// ```
    /// use autograd::{Tape, Var};
    /// let tape = Tape::new();
    /// let xs = tape.vars(&[1000.0, 1000.0]);
    /// let l = Var::logsumexp(&xs).unwrap();
    /// assert_eq!(l.value(), 1000.0 + 2f64.ln());
    /// assert_eq!(l.backward()[xs[0]], 0.5);
    /// ```
    pub fn logsumexp(items: &[Self]) -> Option<Self> {
        let first = items.first()?;
        let m = items.iter().map(|v| v.value).fold(first.value, E::max);
        let m = m.to_f64();
        let total = items.iter().map(|&v| (v - m).exp()).reduce(|a, b| a + b)?;
        Some(total.ln() + m)
    }

    /// Sum of several values as one expression (no intermediate nodes per
    /// pair are needed for correctness, but this is the plain fold).
    pub fn sum(items: &[Self]) -> Option<Self> {
        let mut it = items.iter().copied();
        let first = it.next()?;
        Some(it.fold(first, |a, b| a + b))
    }
}

/// [`Var::record`] with recording off, anomaly detection on or the graph
/// kept: the op `op` on the operand values `x` gave `y`, and the node
/// `PackedNode { a, b, da: d[0], db: d[1] }` is to be recorded (nothing when
/// `a` is [`CONST`]). Returns the index of the node recorded, or `CONST`.
/// Cold and out of line, so that its code (the anomaly report's formatting
/// above all) stays out of every inlined `unary`/`binary`.
#[cold]
#[inline(never)]
#[track_caller]
fn record_slow<E: Real>(
    tape: &Tape<E>,
    op: &'static str,
    x: [Option<E>; 2],
    y: E,
    a: NodeId,
    b: NodeId,
    d: [E; 2],
) -> NodeId {
    let node = (a != CONST).then_some(PackedNode {
        a,
        b,
        da: d[0],
        db: d[1],
    });
    if tape.anomaly_detection() {
        anomaly_check(tape, op, x, y, node);
    }
    match node {
        Some(node) if tape.grad_enabled() => tape.push(node, op, y),
        _ => CONST,
    }
}

/// With anomaly detection on: panics, naming `op`, if the value `y` or a
/// local derivative that will be recorded (those of `node`) is not
/// finite. A finite value with an infinite derivative (√x at 0) would
/// otherwise turn the gradient into inf/NaN silently.
#[track_caller]
fn anomaly_check<E: Real>(
    tape: &Tape<E>,
    op: &'static str,
    x: [Option<E>; 2],
    y: E,
    node: Option<PackedNode<E>>,
) {
    let (d, n) = match node.map(PackedNode::unpack) {
        Some(Node::Unary { da, .. }) => ([da, da], 1),
        Some(Node::Binary { da, db, .. }) => ([da, db], 2),
        _ => ([y, y], 0),
    };
    let d = &d[..n];
    let bad_d = d.iter().any(|x| !x.is_finite());
    if y.is_finite() && (!tape.grad_enabled() || !bad_d) {
        return;
    }
    let inputs: Vec<String> = x.iter().flatten().map(|x| format!("scalar {x}")).collect();
    let mut out = y.to_string();
    if bad_d {
        let ds: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        out = format!("{out}, local derivatives {}", ds.join(", "));
    }
    tape.report_non_finite(op, &inputs, &out);
}

#[cold]
#[track_caller]
pub(crate) fn mixed_tapes(op: &str) -> ! {
    panic!("{op}: values from two different tapes were mixed; every value in one expression must come from the same Tape")
}

// ----- operators: Var ⊕ Var, Var ⊕ f64, f64 ⊕ Var -----

func::elementwise_methods!(Var);

impl<'t, E: Real> Add for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    #[track_caller]
    fn add(self, rhs: Self) -> Self {
        self.binary("add", rhs, self.value + rhs.value, [E::one(), E::one()])
    }
}
impl<'t, E: Real> Sub for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    #[track_caller]
    fn sub(self, rhs: Self) -> Self {
        self.binary("sub", rhs, self.value - rhs.value, [E::one(), -E::one()])
    }
}
impl<'t, E: Real> Mul for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    #[track_caller]
    fn mul(self, rhs: Self) -> Self {
        self.binary("mul", rhs, self.value * rhs.value, [rhs.value, self.value])
    }
}
impl<'t, E: Real> Div for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    #[track_caller]
    fn div(self, rhs: Self) -> Self {
        let inv = E::one() / rhs.value;
        let y = self.value * inv;
        self.binary("div", rhs, y, [inv, -y * inv])
    }
}
impl<'t, E: Real> Neg for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    fn neg(self) -> Self {
        self.map(func::Neg)
    }
}

impl<'t, E: Real> Add<f64> for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    fn add(self, c: f64) -> Self {
        self.map_as("add", func::Shift { c })
    }
}
impl<'t, E: Real> Sub<f64> for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    fn sub(self, c: f64) -> Self {
        self.unary("sub", self.value - E::from_f64(c), E::one())
    }
}
impl<'t, E: Real> Mul<f64> for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    fn mul(self, k: f64) -> Self {
        self.map_as("mul", func::Scale { k })
    }
}
impl<'t, E: Real> Div<f64> for Var<'t, E> {
    type Output = Var<'t, E>;
    #[inline]
    fn div(self, c: f64) -> Self {
        let inv = E::one() / E::from_f64(c);
        self.unary("div", self.value * inv, inv)
    }
}
impl<'t, E: Real> Add<Var<'t, E>> for f64 {
    type Output = Var<'t, E>;
    #[inline]
    fn add(self, v: Var<'t, E>) -> Var<'t, E> {
        v + self
    }
}
impl<'t, E: Real> Sub<Var<'t, E>> for f64 {
    type Output = Var<'t, E>;
    #[inline]
    fn sub(self, v: Var<'t, E>) -> Var<'t, E> {
        v.map_as("sub", func::Rsub { c: self })
    }
}
impl<'t, E: Real> Mul<Var<'t, E>> for f64 {
    type Output = Var<'t, E>;
    #[inline]
    fn mul(self, v: Var<'t, E>) -> Var<'t, E> {
        v * self
    }
}
impl<'t, E: Real> Div<Var<'t, E>> for f64 {
    type Output = Var<'t, E>;
    #[inline]
    fn div(self, v: Var<'t, E>) -> Var<'t, E> {
        let inv = E::one() / v.value;
        let y = E::from_f64(self) * inv;
        v.unary("div", y, -y * inv)
    }
}

impl<'t, E: Real> std::iter::Sum<Var<'t, E>> for Option<Var<'t, E>> {
    fn sum<I: Iterator<Item = Var<'t, E>>>(iter: I) -> Self {
        iter.reduce(|a, b| a + b)
    }
}

/// The local derivatives of a max or min with respect to its two operands:
/// (0, 1) if the second wins, (½, ½) on a tie, (1, 0) otherwise.
fn tie_split<E: Real>(second_wins: bool, tie: bool) -> [E; 2] {
    if second_wins {
        [E::zero(), E::one()]
    } else if tie {
        let half = E::from_f64(0.5);
        [half, half]
    } else {
        [E::one(), E::zero()]
    }
}

#[cfg(test)]
mod tests {
    use crate::Tape;

    #[test]
    fn course_first_gradient() {
        let tape = Tape::new();
        let w = tape.var(0.0);
        let e = (0.68 - w * 0.4).powi(2);
        assert!((e.value() - 0.4624).abs() < 1e-12);
        let g = e.backward();
        assert!((g[w] + 0.544).abs() < 1e-12);
    }

    #[test]
    fn constants_record_nothing() {
        let tape: Tape = Tape::new();
        let c = tape.constant(3.0);
        let y = c * c + 1.0;
        assert!(y.is_constant());
        assert!(tape.is_empty());
    }
}
