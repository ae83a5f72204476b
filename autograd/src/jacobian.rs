//! Derivatives of vector-valued functions: Jacobians, Jacobian-vector
//! products and vector-Jacobian products, on the one tape.
//!
//! - Reverse mode: [`jacobian`] runs the function once and sweeps back once
//!   per output (row i = ∇yᵢ); [`vjp`] sweeps back once from a seed u and
//!   returns uᵀJ. The better choice when outputs are fewer than inputs.
//! - Forward mode, by running the tape on [`Dual`] numbers: [`jvp`] seeds
//!   the inputs with a tangent v and reads J·v off the outputs in one
//!   forward pass; [`jacfwd`] is one such pass per input (column j = J·eⱼ).
//!   The better choice when inputs are fewer than outputs.
//! - Tensor forms of all four, for a function of one tensor returning one
//!   tensor: the Jacobian is an `[out_numel, in_numel]` tensor (row-major
//!   flattening of both).
//! - [`check_jacobian`] compares the reverse-mode Jacobian with central
//!   differences, element by element, as [`crate::check_grad`] does.
//!
//! Polar to Cartesian, (r, θ) ↦ (r cos θ, r sin θ), has
//! J = [[cos θ, −r sin θ], [sin θ, r cos θ]]:
//!
//! ```
//! use autograd::{jacfwd, jacobian, Dual, Var};
//! // at r = 2, θ = π/6: cos θ = √3/2, sin θ = 1/2
//! let at = [2.0, std::f64::consts::FRAC_PI_6];
//! let j = jacobian(|p: &[Var]| vec![p[0] * p[1].cos(), p[0] * p[1].sin()], &at);
//! let want = [[0.8660254037844387, -1.0], [0.5, 1.7320508075688772]];
//! for (row, want) in j.iter().zip(want) {
//!     for (&got, want) in row.iter().zip(want) {
//!         assert!((got - want).abs() < 1e-15, "{j:?}");
//!     }
//! }
//! // forward mode gives the same matrix, one column per pass
//! let jf = jacfwd(|p: &[Var<Dual>]| vec![p[0] * p[1].cos(), p[0] * p[1].sin()], &at);
//! assert_eq!(j, jf);
//! ```
//!
//! As with [`crate::check_grad`], pass the function inline or as a `fn`
//! item; a generic `fn map<'t, E: Real>(p: &[Var<'t, E>]) -> Vec<Var<'t, E>>`
//! serves the reverse forms (any `E`) and the forward forms (`E = Dual`).

use crate::check::{GradCheck, GradCheckEntry, GradCheckReport};
use crate::hessian::{dual_tensor, dual_vars, split_dual, unit};
use crate::real::{Dual, Real};
use crate::scalar::Var;
use crate::tape::Tape;
use crate::tensor::{Tensor, TensorVar};
use std::fmt;

/// Values and Jacobian-vector product J·v of a vector-valued function (from
/// [`jvp`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Jvp {
    /// f(at), one entry per output
    pub value: Vec<f64>,
    /// J(at)·v, one entry per output
    pub jv: Vec<f64>,
}

/// Values and vector-Jacobian product uᵀJ of a vector-valued function (from
/// [`vjp`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Vjp<E: Real = f64> {
    /// f(at), one entry per output
    pub value: Vec<E>,
    /// uᵀJ(at), one entry per input
    pub vj: Vec<E>,
}

/// The Jacobian of `f` at `at` by reverse mode: one run of `f`, then one
/// backward sweep per output. Row i holds ∂yᵢ/∂x (one entry per input); an
/// output that does not depend on an input (or is a constant) gives zeros.
///
/// Softmax's Jacobian is diag(s) − s sᵀ; at x = (0, ln 2, ln 3),
/// s = (1, 2, 3)/6:
///
/// ```
/// use autograd::{jacobian, Var};
/// let at = [0.0, 2f64.ln(), 3f64.ln()];
/// let j = jacobian(
///     |x: &[Var]| {
///         let e: Vec<Var> = x.iter().map(|x| x.exp()).collect();
///         let sum = e[0] + e[1] + e[2];
///         e.iter().map(|&e| e / sum).collect()
///     },
///     &at,
/// );
/// let want = [[5.0, -2.0, -3.0], [-2.0, 8.0, -6.0], [-3.0, -6.0, 9.0]];
/// for (row, want) in j.iter().zip(want) {
///     for (&got, want) in row.iter().zip(want) {
///         assert!((got - want / 36.0).abs() < 1e-15, "{j:?}");
///     }
/// }
/// ```
pub fn jacobian<E, F>(f: F, at: &[f64]) -> Vec<Vec<E>>
where
    E: Real,
    F: for<'t> Fn(&[Var<'t, E>]) -> Vec<Var<'t, E>>,
{
    let tape: Tape<E> = Tape::default();
    let xs = tape.vars(at);
    f(&xs).into_iter().map(|y| y.grad_wrt(&xs)).collect()
}

/// The vector-Jacobian product uᵀJ of `f` at `at` in one backward sweep,
/// seeded with u (one entry per output), with the values.
///
/// ```
/// use autograd::{vjp, Var};
/// // f(x, y) = (x·y, x + y): J = [[y, x], [1, 1]], uᵀJ = (u₀y + u₁, u₀x + u₁)
/// let out = vjp(|p: &[Var]| vec![p[0] * p[1], p[0] + p[1]], &[3.0, 5.0], &[2.0, -1.0]);
/// assert_eq!(out.value, [15.0, 8.0]);
/// assert_eq!(out.vj, [9.0, 5.0]);
/// ```
///
/// # Panics
/// If `u` does not have one entry per output of `f`.
pub fn vjp<E, F>(f: F, at: &[f64], u: &[f64]) -> Vjp<E>
where
    E: Real,
    F: for<'t> Fn(&[Var<'t, E>]) -> Vec<Var<'t, E>>,
{
    let tape: Tape<E> = Tape::default();
    let xs = tape.vars(at);
    let ys = f(&xs);
    assert_eq!(
        ys.len(),
        u.len(),
        "vjp: expected a seed with one entry per output ({}), found {}",
        ys.len(),
        u.len()
    );
    let value = ys.iter().map(|y| y.value()).collect();
    let Ok(stacked) = tape.stack(&ys) else {
        // no outputs: uᵀJ is a sum of nothing
        return Vjp {
            value,
            vj: vec![E::zero(); at.len()],
        };
    };
    let seed = Tensor::from_f64(&[u.len()], u).expect("one entry per output");
    let g = stacked
        .backward_with(seed)
        .expect("the seed has the stacked outputs' shape");
    Vjp {
        value,
        vj: xs.iter().map(|&x| g[x]).collect(),
    }
}

/// Runs `f` once on a [`Dual`] tape whose inputs are `at` with tangents `v`.
fn forward_pass<F>(f: &F, at: &[f64], v: &[f64]) -> Jvp
where
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Vec<Var<'t, Dual>>,
{
    let tape: Tape<Dual> = Tape::default();
    let ys = f(&dual_vars(&tape, at, v));
    Jvp {
        value: ys.iter().map(|y| y.value().re).collect(),
        jv: ys.iter().map(|y| y.value().eps).collect(),
    }
}

/// The Jacobian-vector product J·v of `f` at `at` in one forward pass on
/// [`Dual`] numbers (no backward sweep), with the values.
///
/// ```
/// use autograd::{jvp, Dual, Var};
/// // f(x, y) = (x·y, x + y): J·v = (y v₀ + x v₁, v₀ + v₁)
/// let out = jvp(|p: &[Var<Dual>]| vec![p[0] * p[1], p[0] + p[1]], &[3.0, 5.0], &[2.0, -1.0]);
/// assert_eq!(out.value, [15.0, 8.0]);
/// assert_eq!(out.jv, [7.0, 1.0]);
/// ```
///
/// # Panics
/// If `at` and `v` differ in length.
pub fn jvp<F>(f: F, at: &[f64], v: &[f64]) -> Jvp
where
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Vec<Var<'t, Dual>>,
{
    assert_eq!(
        at.len(),
        v.len(),
        "jvp: expected a tangent with {} elements, found {}",
        at.len(),
        v.len()
    );
    forward_pass(&f, at, v)
}

/// The Jacobian of `f` at `at` by forward mode: one [`jvp`] pass per input,
/// column j = J·eⱼ. Laid out as [`jacobian`]'s result (row i = ∂yᵢ/∂x).
///
/// ```
/// use autograd::{jacfwd, Dual, Var};
/// // f(x, y) = (x·y, x + y, x²) has three outputs and two inputs: two passes
/// let j = jacfwd(|p: &[Var<Dual>]| vec![p[0] * p[1], p[0] + p[1], p[0] * p[0]], &[3.0, 5.0]);
/// assert_eq!(j, [[5.0, 3.0], [1.0, 1.0], [6.0, 0.0]]);
/// ```
pub fn jacfwd<F>(f: F, at: &[f64]) -> Vec<Vec<f64>>
where
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Vec<Var<'t, Dual>>,
{
    let n = at.len();
    let columns: Vec<Vec<f64>> = (0..n)
        .map(|j| forward_pass(&f, at, &unit(n, j)).jv)
        .collect();
    let m = columns
        .first()
        .map_or_else(|| forward_pass(&f, at, &[]).jv.len(), Vec::len);
    (0..m)
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

/// The Jacobian of a function of one tensor returning one tensor, by reverse
/// mode: one run of `f`, then one backward sweep per output element, each
/// seeded with that element's one-hot tensor. Shape `[out_numel, in_numel]`.
///
/// ```
/// use autograd::{jacobian_tensor, Tensor};
/// // softmax at (0, ln 2, ln 3) is s = (1, 2, 3)/6; J = diag(s) − s sᵀ
/// let x = Tensor::from_vec(&[3], vec![0.0, 2f64.ln(), 3f64.ln()]).unwrap();
/// let j = jacobian_tensor(|x| x.softmax(0), &x);
/// assert_eq!(j.shape(), [3, 3]);
/// let want = [5.0, -2.0, -3.0, -2.0, 8.0, -6.0, -3.0, -6.0, 9.0];
/// for (&got, want) in j.data().iter().zip(want) {
///     assert!((got - want / 36.0).abs() < 1e-15, "{j:?}");
/// }
/// ```
pub fn jacobian_tensor<E, F>(f: F, at: &Tensor<E>) -> Tensor<E>
where
    E: Real,
    F: for<'t> Fn(TensorVar<'t, E>) -> TensorVar<'t, E>,
{
    let tape: Tape<E> = Tape::default();
    let x = tape.tensor(at.clone());
    let y = f(x);
    let (m, n) = (y.len(), at.len());
    let out_shape = y.shape();
    let mut out = Vec::with_capacity(m * n);
    for i in 0..m {
        let mut seed = Tensor::zeros(&out_shape);
        seed.data_mut()[i] = E::one();
        out.extend_from_slice(&reverse_row(y, x, seed, at));
    }
    Tensor::from_vec(&[m, n], out).expect("m·n elements")
}

/// One backward sweep from `y` seeded with `seed`: the gradient of x,
/// flattened (zeros where the output does not depend on it).
fn reverse_row<E: Real>(
    y: TensorVar<'_, E>,
    x: TensorVar<'_, E>,
    seed: Tensor<E>,
    at: &Tensor<E>,
) -> Vec<E> {
    let g = y
        .backward_with(seed)
        .expect("the seed has the output's shape");
    match g.wrt(x) {
        Some(gx) => gx.to_vec(),
        None => vec![E::zero(); at.len()],
    }
}

/// The vector-Jacobian product of a function of one tensor in one backward
/// sweep: returns (f(at), uᵀJ), the second shaped like `at`.
///
/// ```
/// use autograd::{vjp_tensor, Tensor};
/// // y = x² element-wise: uᵀJ = 2x·u
/// let x = Tensor::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
/// let u = Tensor::from_vec(&[3], vec![1.0, 0.5, -1.0]).unwrap();
/// let (y, vj) = vjp_tensor(|x| x * x, &x, &u);
/// assert_eq!(y.data(), [1.0, 4.0, 9.0]);
/// assert_eq!(vj.data(), [2.0, 2.0, -6.0]);
/// ```
///
/// # Panics
/// If `seed` is not shaped like `f`'s output.
pub fn vjp_tensor<E, F>(f: F, at: &Tensor<E>, seed: &Tensor<E>) -> (Tensor<E>, Tensor<E>)
where
    E: Real,
    F: for<'t> Fn(TensorVar<'t, E>) -> TensorVar<'t, E>,
{
    let tape: Tape<E> = Tape::default();
    let x = tape.tensor(at.clone());
    let y = f(x);
    if y.shape().as_slice() != seed.shape() {
        panic!(
            "vjp_tensor: expected a seed of the output's shape {:?}, found {:?}",
            y.shape().as_slice(),
            seed.shape()
        );
    }
    let vj = reverse_row(y, x, seed.clone(), at);
    (
        y.value(),
        Tensor::from_vec(at.shape(), vj).expect("same shape"),
    )
}

/// Runs a tensor function once on a [`Dual`] tape whose input is `at` with
/// tangent `v`: returns (f(at), J·v), both shaped like the output.
fn forward_pass_tensor<F>(f: &F, at: &Tensor<f64>, v: &[f64]) -> (Tensor<f64>, Tensor<f64>)
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> TensorVar<'t, Dual>,
{
    let tape: Tape<Dual> = Tape::default();
    split_dual(&f(tape.tensor(dual_tensor(at, v))).value())
}

/// The Jacobian-vector product of a function of one tensor in one forward
/// pass on [`Dual`]: returns (f(at), J·v), both shaped like the output.
///
/// ```
/// use autograd::{jvp_tensor, Tensor};
/// // y = Σ x² has J = 2xᵀ: J·v = 2x·v
/// let x = Tensor::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
/// let v = Tensor::from_vec(&[3], vec![1.0, 0.5, -1.0]).unwrap();
/// let (y, jv) = jvp_tensor(|x| (x * x).sum_axis(0, false), &x, &v);
/// assert_eq!((y.data(), jv.data()), (&[14.0][..], &[-2.0][..]));
/// ```
///
/// # Panics
/// If `v` is not shaped like `at`.
pub fn jvp_tensor<F>(f: F, at: &Tensor<f64>, v: &Tensor<f64>) -> (Tensor<f64>, Tensor<f64>)
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> TensorVar<'t, Dual>,
{
    assert_eq!(
        at.shape(),
        v.shape(),
        "jvp_tensor: the tangent must have the point's shape"
    );
    forward_pass_tensor(&f, at, v.data())
}

/// The Jacobian of a function of one tensor by forward mode, one pass per
/// input element; laid out as [`jacobian_tensor`]'s, `[out_numel, in_numel]`.
///
/// ```
/// use autograd::{jacfwd_tensor, Tensor};
/// // the sums of the rows of a [2, 2] matrix: J = [[1, 1, 0, 0], [0, 0, 1, 1]]
/// let x = Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
/// let j = jacfwd_tensor(|x| x.sum_axis(1, false), &x);
/// assert_eq!(j.shape(), [2, 4]);
/// assert_eq!(j.data(), [1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
/// ```
pub fn jacfwd_tensor<F>(f: F, at: &Tensor<f64>) -> Tensor<f64>
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> TensorVar<'t, Dual>,
{
    let n = at.len();
    let columns: Vec<Tensor<f64>> = (0..n)
        .map(|j| forward_pass_tensor(&f, at, &unit(n, j)).1)
        .collect();
    let m = columns
        .first()
        .map_or_else(|| forward_pass_tensor(&f, at, &[]).1.len(), Tensor::len);
    let out = (0..m)
        .flat_map(|i| columns.iter().map(move |c| c.data()[i]))
        .collect();
    Tensor::from_vec(&[m, n], out).expect("m·n elements")
}

/// The result of a Jacobian check: row i is the gradient check of output i
/// (its value and, per input, the analytic and numeric derivatives).
#[derive(Clone, Debug, PartialEq)]
pub struct JacobianCheckReport {
    /// One gradient-check report per output, in order.
    pub rows: Vec<GradCheckReport>,
}

impl JacobianCheckReport {
    /// Whether every element of every row is within tolerance (and every
    /// value finite).
    pub fn passed(&self) -> bool {
        self.rows.iter().all(GradCheckReport::passed)
    }

    /// The elements outside tolerance, with the output they belong to.
    pub fn failures(&self) -> impl Iterator<Item = (usize, &GradCheckEntry)> {
        self.rows
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.failures().map(move |e| (i, e)))
    }

    /// The largest absolute error over all elements.
    pub fn max_abs_err(&self) -> f64 {
        crate::check::worst(self.rows.iter().map(GradCheckReport::max_abs_err))
    }

    /// The largest relative error over all elements.
    pub fn max_rel_err(&self) -> f64 {
        crate::check::worst(self.rows.iter().map(GradCheckReport::max_rel_err))
    }

    /// Panics with the whole table if any element fails.
    ///
    /// # Panics
    /// If [`JacobianCheckReport::passed`] is false.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("Jacobian check failed:\n{self}");
        }
    }
}

impl fmt::Display for JacobianCheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, row) in self.rows.iter().enumerate() {
            writeln!(f, "output y{i}: {row}")?;
        }
        let failed = self.failures().count();
        let total: usize = self.rows.iter().map(|r| r.entries.len()).sum();
        write!(
            f,
            "Jacobian: {} outputs, {} of {} elements pass",
            self.rows.len(),
            total - failed,
            total
        )
    }
}

impl GradCheck {
    /// Checks the reverse-mode Jacobian of a vector-valued function of
    /// scalars at `at` against central differences, with these settings.
    ///
    /// # Panics
    /// If `f` returns a different number of outputs at a shifted point.
    pub fn jacobian<F>(&self, f: F, at: &[f64]) -> JacobianCheckReport
    where
        F: for<'t> Fn(&[Var<'t, f64>]) -> Vec<Var<'t, f64>>,
    {
        let values: Vec<f64> = {
            let tape = Tape::new();
            f(&tape.vars(at)).iter().map(|y| y.value()).collect()
        };
        let analytic = jacobian(&f, at);
        let eval = |p: &[f64]| -> Vec<f64> {
            let tape = Tape::new();
            let ys: Vec<f64> = f(&tape.vars(p)).iter().map(|y| y.value()).collect();
            assert_eq!(
                ys.len(),
                values.len(),
                "check_jacobian: the function returned {} outputs at {at:?} but {} at {p:?}",
                values.len(),
                ys.len()
            );
            ys
        };
        let mut p = at.to_vec();
        let numeric: Vec<Vec<f64>> = (0..at.len())
            .map(|j| {
                p[j] = at[j] + self.eps;
                let fp = eval(&p);
                p[j] = at[j] - self.eps;
                let fm = eval(&p);
                p[j] = at[j];
                fp.iter()
                    .zip(&fm)
                    .map(|(a, b)| (a - b) / (2.0 * self.eps))
                    .collect()
            })
            .collect();
        let rows = values
            .iter()
            .enumerate()
            .map(|(i, &value)| GradCheckReport {
                value,
                settings: *self,
                entries: (0..at.len())
                    .map(|j| self.entry(j, Vec::new(), at[j], analytic[i][j], numeric[j][i]))
                    .collect(),
            })
            .collect();
        JacobianCheckReport { rows }
    }
}

/// Checks the reverse-mode Jacobian of a vector-valued function of scalars
/// against central differences, element by element, with the default
/// [`GradCheck`] settings (PyTorch's tolerances; a non-finite value or
/// derivative always fails). The report prints one table per output.
///
/// ```
/// use autograd::{check_jacobian, Var};
/// let report = check_jacobian(
///     |p: &[Var]| vec![p[0] * p[1].cos(), p[0] * p[1].sin()],
///     &[2.0, 0.5],
/// );
/// report.assert_passed();
/// assert_eq!(report.rows.len(), 2);
/// assert_eq!(report.rows[0].entries.len(), 2);
/// println!("{report}");
/// ```
pub fn check_jacobian<F>(f: F, at: &[f64]) -> JacobianCheckReport
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Vec<Var<'t, f64>>,
{
    GradCheck::default().jacobian(f, at)
}
