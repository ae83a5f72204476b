//! Gradient checking: the tape's gradient against central differences, in `f64`.
//!
//! [`check_grad`] checks a function of scalars and [`check_tensor_grad`] a
//! function of tensors; both return a [`GradCheckReport`] with, for every
//! input element, the analytic and numeric derivatives, their absolute and
//! relative errors and whether they agree within the [`GradCheck`] tolerance.
//! The report prints as a table.
//!
//! ```
//! use autograd::{check_grad, Var};
//! // e(w, b) = (y − sigmoid(wx + b))² for the bean x = 0.4, y = 0.68
//! let report = check_grad(
//!     |p: &[Var]| (0.68 - (p[0] * 0.4 + p[1]).sigmoid()).powi(2),
//!     &[0.3, -0.1],
//! );
//! assert!(report.passed(), "{report}");
//! println!("{report}");
//! ```
//!
//! A NaN or infinite derivative, analytic or numeric, fails its row and
//! shows in the summary: the maximum errors are NaN and the count of
//! non-finite entries is printed (`check_grad(|p| p[0].sqrt(), &[0.0])`
//! fails). [`crate::check_jacobian`] prints through the same code.
//!
//! # Conventions at the kinks
//!
//! Where a function has no derivative, the tape does what PyTorch does
//! (central differences straddle the kink and cannot judge these points):
//!
//! | function | point | gradient |
//! |---|---|---|
//! | `relu`, `step` | x = 0 | 0 |
//! | `abs` | x = 0 | 0 |
//! | `leaky_relu(slope)` | x = 0 | `slope` |
//! | `elu(alpha)` | x = 0 | `alpha` |
//! | `clamp(lo, hi)` | x = lo or x = hi | 1 (bounds inside) |
//! | `maximum`/`minimum`, scalar `max`/`min` | a = b | ½ to each operand |
//! | `max_all`/`min_all` (whole tensor) | k tied elements | 1/k to each |
//! | `max_axis`/`min_axis` | ties in a lane | all to the first index |
//!
//! ```
//! use autograd::{Tape, Tensor};
//! let tape = Tape::new();
//! let x = tape.tensor(Tensor::from_vec(&[3], vec![2.0, 1.0, 2.0]).unwrap());
//! assert_eq!(x.max_all().backward()[x].data(), &[0.5, 0.0, 0.5]);
//! assert_eq!(x.max_axis(0, false).sum().backward()[x].data(), &[1.0, 0.0, 0.0]);
//! ```
//!
//! Pass the function inline (as above) or as a `fn` item: a closure stored
//! in a `let` first gets a lifetime tied to one tape and is rejected
//! ("lifetime may not live long enough"). A generic function such as
//! `fn cost<'t, E: Real>(p: &[Var<'t, E>]) -> Var<'t, E>` can be passed as
//! `cost` here and to [`crate::hessian`] alike.

use crate::scalar::Var;
use crate::tape::Tape;
use crate::tensor::{Tensor, TensorVar};
use std::fmt;

/// Settings for a gradient check: finite-difference step and tolerances.
///
/// An element passes when `|analytic − numeric| ≤ abs_tol + rel_tol·|numeric|`
/// (the rule PyTorch's `gradcheck` uses, with its defaults).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCheck {
    /// Step h of the central difference (f(x+h) − f(x−h)) / 2h.
    pub eps: f64,
    /// Absolute tolerance.
    pub abs_tol: f64,
    /// Relative tolerance.
    pub rel_tol: f64,
}

impl Default for GradCheck {
    fn default() -> Self {
        GradCheck {
            eps: 1e-6,
            abs_tol: 1e-5,
            rel_tol: 1e-3,
        }
    }
}

/// One checked input element.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckEntry {
    /// Which input (argument position).
    pub input: usize,
    /// The element's multi-index within that input (empty for scalars).
    pub index: Vec<usize>,
    /// The input element's value.
    pub at: f64,
    /// The derivative from the tape.
    pub analytic: f64,
    /// The derivative from central differences.
    pub numeric: f64,
    /// |analytic − numeric|
    pub abs_err: f64,
    /// |analytic − numeric| / max(|analytic|, |numeric|), 0 when both are 0.
    pub rel_err: f64,
    /// Whether this element is within tolerance.
    pub passed: bool,
}

/// The result of a gradient check: one [`GradCheckEntry`] per input element.
#[derive(Clone, Debug, PartialEq)]
pub struct GradCheckReport {
    /// The function's value at the checked point.
    pub value: f64,
    /// The settings used.
    pub settings: GradCheck,
    /// Every input element, in order.
    pub entries: Vec<GradCheckEntry>,
}

impl GradCheckReport {
    /// Whether every element is within tolerance (and every value finite).
    pub fn passed(&self) -> bool {
        self.value.is_finite() && self.entries.iter().all(|e| e.passed)
    }

    /// The elements outside tolerance.
    pub fn failures(&self) -> impl Iterator<Item = &GradCheckEntry> {
        self.entries.iter().filter(|e| !e.passed)
    }

    /// The largest absolute error over all elements; NaN when any element's
    /// analytic or numeric derivative is NaN (a NaN is never hidden by a
    /// maximum).
    pub fn max_abs_err(&self) -> f64 {
        worst(self.entries.iter().map(|e| e.abs_err))
    }

    /// The largest relative error over all elements; NaN as for
    /// [`GradCheckReport::max_abs_err`].
    pub fn max_rel_err(&self) -> f64 {
        worst(self.entries.iter().map(|e| e.rel_err))
    }

    /// The elements whose analytic or numeric derivative is NaN or infinite
    /// (each also fails).
    pub fn non_finite(&self) -> impl Iterator<Item = &GradCheckEntry> {
        self.entries
            .iter()
            .filter(|e| !(e.analytic.is_finite() && e.numeric.is_finite()))
    }

    /// Panics with the whole table if any element fails.
    ///
    /// # Panics
    /// If [`GradCheckReport::passed`] is false.
    #[track_caller]
    pub fn assert_passed(&self) {
        if !self.passed() {
            panic!("gradient check failed:\n{self}");
        }
    }
}

impl fmt::Display for GradCheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "gradient check at f = {:.6e} (h = {:e}, pass if |a−n| ≤ {:e} + {:e}·|n|)",
            self.value, self.settings.eps, self.settings.abs_tol, self.settings.rel_tol
        )?;
        writeln!(
            f,
            "{:<14} {:>13} {:>16} {:>16} {:>10} {:>10}  ok",
            "input", "at", "analytic", "numeric", "abs err", "rel err"
        )?;
        for e in &self.entries {
            let name = if e.index.is_empty() {
                format!("x{}", e.input)
            } else {
                format!("x{}{:?}", e.input, e.index)
            };
            writeln!(
                f,
                "{:<14} {:>13.6} {:>16.9e} {:>16.9e} {:>10.2e} {:>10.2e}  {}",
                name,
                e.at,
                e.analytic,
                e.numeric,
                e.abs_err,
                e.rel_err,
                if e.passed { "pass" } else { "FAIL" }
            )?;
        }
        let failed = self.failures().count();
        write!(
            f,
            "{} of {} elements pass; max abs err {:.2e}, max rel err {:.2e}",
            self.entries.len() - failed,
            self.entries.len(),
            self.max_abs_err(),
            self.max_rel_err()
        )?;
        let non_finite = self.non_finite().count();
        if non_finite > 0 {
            write!(
                f,
                "; {non_finite} with a non-finite analytic or numeric derivative"
            )?;
        }
        if !self.value.is_finite() {
            write!(f, "; FAIL: the value f = {} is not finite", self.value)?;
        }
        Ok(())
    }
}

/// The largest of some errors, NaN if any is NaN (`f64::max` would drop it),
/// 0 for none. Every maximum a check report prints goes through it.
pub(crate) fn worst(errs: impl Iterator<Item = f64>) -> f64 {
    errs.fold(0.0, |m, e| {
        if m.is_nan() || e.is_nan() {
            f64::NAN
        } else {
            m.max(e)
        }
    })
}

impl GradCheck {
    /// One element's comparison under these tolerances (shared with the
    /// Jacobian check).
    pub(crate) fn entry(
        &self,
        input: usize,
        index: Vec<usize>,
        at: f64,
        analytic: f64,
        numeric: f64,
    ) -> GradCheckEntry {
        let abs_err = (analytic - numeric).abs();
        let scale = analytic.abs().max(numeric.abs());
        let rel_err = if scale == 0.0 { 0.0 } else { abs_err / scale };
        let passed = analytic.is_finite()
            && numeric.is_finite()
            && abs_err <= self.abs_tol + self.rel_tol * numeric.abs();
        GradCheckEntry {
            input,
            index,
            at,
            analytic,
            numeric,
            abs_err,
            rel_err,
            passed,
        }
    }

    /// Checks a function of scalars at the point `at`.
    pub fn scalars<F>(&self, f: F, at: &[f64]) -> GradCheckReport
    where
        F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
    {
        let tape = Tape::new();
        let xs = tape.vars(at);
        let y = f(&xs);
        let g = y.backward();
        let analytic: Vec<f64> = xs.iter().map(|&x| g[x]).collect();
        let value = y.value();
        drop(g);
        let eval = |p: &[f64]| {
            let tape = Tape::new();
            let xs = tape.vars(p);
            f(&xs).value()
        };
        let mut p = at.to_vec();
        let entries = (0..at.len())
            .map(|i| {
                let x0 = p[i];
                p[i] = x0 + self.eps;
                let fp = eval(&p);
                p[i] = x0 - self.eps;
                let fm = eval(&p);
                p[i] = x0;
                self.entry(i, Vec::new(), x0, analytic[i], (fp - fm) / (2.0 * self.eps))
            })
            .collect();
        GradCheckReport {
            value,
            settings: *self,
            entries,
        }
    }

    /// Checks a function of tensors at the point `at` (one tensor per input).
    pub fn tensors<F>(&self, f: F, at: &[Tensor<f64>]) -> GradCheckReport
    where
        F: for<'t> Fn(&[TensorVar<'t, f64>]) -> Var<'t, f64>,
    {
        let tape = Tape::new();
        let xs: Vec<_> = at.iter().map(|t| tape.tensor(t.clone())).collect();
        let y = f(&xs);
        let value = y.value();
        let g = y.backward();
        let analytic: Vec<Tensor<f64>> = xs
            .iter()
            .zip(at)
            .map(|(&x, t)| {
                g.wrt(x)
                    .cloned()
                    .unwrap_or_else(|| Tensor::zeros(t.shape()))
            })
            .collect();
        drop(g);
        let eval = |p: &[Tensor<f64>]| {
            let tape = Tape::new();
            let xs: Vec<_> = p.iter().map(|t| tape.tensor(t.clone())).collect();
            f(&xs).value()
        };
        let mut point: Vec<Tensor<f64>> = at.to_vec();
        let mut entries = Vec::new();
        for (i, t) in at.iter().enumerate() {
            let shape = t.shape().to_vec();
            let base = t.to_vec();
            for k in 0..base.len() {
                let mut data = base.clone();
                data[k] = base[k] + self.eps;
                point[i] = Tensor::from_vec(&shape, data.clone()).expect("same shape");
                let fp = eval(&point);
                data[k] = base[k] - self.eps;
                point[i] = Tensor::from_vec(&shape, data).expect("same shape");
                let fm = eval(&point);
                point[i] = t.clone();
                let index = unravel(k, &shape);
                entries.push(self.entry(
                    i,
                    index,
                    base[k],
                    analytic[i].data()[k],
                    (fp - fm) / (2.0 * self.eps),
                ));
            }
        }
        GradCheckReport {
            value,
            settings: *self,
            entries,
        }
    }
}

fn unravel(mut k: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for ax in (0..shape.len()).rev() {
        idx[ax] = k % shape[ax];
        k /= shape[ax];
    }
    idx
}

/// Checks the tape's gradient of a function of scalars against central
/// differences, with the default [`GradCheck`] settings.
pub fn check_grad<F>(f: F, at: &[f64]) -> GradCheckReport
where
    F: for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
{
    GradCheck::default().scalars(f, at)
}

/// Checks the tape's gradient of a function of tensors against central
/// differences, with the default [`GradCheck`] settings.
///
/// ```
/// use autograd::{check_tensor_grad, Tensor, TensorVar};
/// let x = Tensor::from_vec(&[2, 3], vec![0.1, -0.4, 0.3, 0.8, -0.2, 0.5]).unwrap();
/// let w = Tensor::from_vec(&[3, 1], vec![0.7, -0.3, 0.2]).unwrap();
/// let report = check_tensor_grad(
///     |p: &[TensorVar]| p[0].matmul(p[1]).tanh().powi(2).sum(),
///     &[x, w],
/// );
/// report.assert_passed();
/// assert_eq!(report.entries.len(), 9);
/// ```
pub fn check_tensor_grad<F>(f: F, at: &[Tensor<f64>]) -> GradCheckReport
where
    F: for<'t> Fn(&[TensorVar<'t, f64>]) -> Var<'t, f64>,
{
    GradCheck::default().tensors(f, at)
}

/// Central-difference derivative of any `f64` function (a building block for
/// checks that do not go through the tape).
pub fn numeric_derivative(f: impl Fn(f64) -> f64, x: f64, eps: f64) -> f64 {
    (f(x + eps) - f(x - eps)) / (2.0 * eps)
}
