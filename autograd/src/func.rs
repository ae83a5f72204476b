//! Element-wise functions, each defined once: its value and its derivative
//! side by side.
//!
//! A [`Func`] is a small `Copy` value (a zero-sized type, or a struct holding
//! a constant such as a slope). That one definition serves every place an
//! element-wise function is computed:
//!
//! - scalars: [`Var::map`](crate::Var::map) records y = f(x) with dy/dx;
//! - tensors: [`TensorVar::map`](crate::TensorVar::map) records one op whose
//!   forward and backward loops call `value` and `deriv`;
//! - the fused dense layer [`TensorVar::matmul_bias_act`](crate::TensorVar::matmul_bias_act),
//!   which keeps only the output y when [`Func::deriv_from_output`] says y
//!   is enough, and the pre-activation z as well otherwise;
//! - `Dual` numbers (second derivatives), since `value` and `deriv` are
//!   written with [`Real`] arithmetic only.
//!
//! Every method is generic over the element type and inlined, so a tensor
//! loop over a `Func` compiles to the same code as a loop written by hand
//! (no dynamic dispatch, no per-element match).
//!
//! A function of your own is one `impl`:
//!
//! ```
//! use autograd::{Func, Real, Tape};
//! /// x³, with d/dx = 3x².
//! #[derive(Clone, Copy)]
//! struct Cube;
//! impl Func for Cube {
//!     const NAME: &'static str = "cube";
//!     fn value<E: Real>(&self, x: E) -> E {
//!         x * x * x
//!     }
//!     fn deriv<E: Real>(&self, x: E, _y: E) -> E {
//!         E::from_f64(3.0) * x * x
//!     }
//! }
//! let tape = Tape::new();
//! let x = tape.var(2.0);
//! let y = x.map(Cube);
//! assert_eq!((y.value(), y.backward()[x]), (8.0, 12.0));
//! ```
//!
//! A function of the library is one definition here (`zst_func!`, or
//! `param_func!` for one holding a constant) plus one line in the
//! `elementwise_methods!` list at the end of this file, which writes its
//! method on [`Var`](crate::Var) and on [`TensorVar`](crate::TensorVar) (a
//! plain `self.map(..)`), and its tests in `autograd/tests/gradcheck_ops.rs`
//! and `autograd/tests/proptest_exprs.rs`. A new activation also touches
//! `nn/src/activation.rs` (its variant, `visit` arm and `Activation::ALL`
//! entry) and `nn/src/activation/tests.rs`: the checklist is in
//! `docs/architecture.md`.

use crate::real::Real;

/// An element-wise function y = f(x) with its derivative dy/dx.
pub trait Func: Copy + Send + Sync + 'static {
    /// The op name in error messages and anomaly reports.
    const NAME: &'static str;

    /// y = f(x).
    fn value<E: Real>(&self, x: E) -> E;

    /// dy/dx at the input `x`, given the output `y = f(x)` (a definition
    /// reads whichever is cheaper; see [`Func::deriv_from_output`]).
    fn deriv<E: Real>(&self, x: E, y: E) -> E;

    /// Whether the output alone determines the derivative: whether
    /// `deriv(y, y) == deriv(x, y)` for every x (true for a derivative
    /// written in y alone, as tanh's 1 − y², and for ReLU's x > 0, which
    /// y > 0 tells as well). A fused op then keeps only y; otherwise it
    /// keeps the input too. The default, `false`, is always correct.
    fn deriv_from_output(&self) -> bool {
        false
    }
}

/// 1 for x > 0, 0 otherwise (NaN included): the test behind ReLU, the step
/// and ELU.
#[inline(always)]
fn positive<E: Real>(x: E) -> bool {
    x > E::zero()
}

/// Declares a zero-sized [`Func`]: its doc line, name, value, derivative
/// and whether the derivative reads the output only.
macro_rules! zst_func {
    ($(#[$doc:meta])* $ty:ident, $name:literal, |$x:ident| $value:expr,
     |$dx:pat_param, $dy:pat_param| $deriv:expr, from_output: $out:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $ty;

        impl Func for $ty {
            const NAME: &'static str = $name;
            #[inline(always)]
            fn value<E: Real>(&self, $x: E) -> E {
                $value
            }
            #[inline(always)]
            fn deriv<E: Real>(&self, $dx: E, $dy: E) -> E {
                $deriv
            }
            #[inline(always)]
            fn deriv_from_output(&self) -> bool {
                $out
            }
        }
    };
}

zst_func!(
    /// y = x; dy/dx = 1.
    Identity, "identity", |x| x, |_, _| E::one(), from_output: true
);
zst_func!(
    /// y = −x; dy/dx = −1.
    Neg, "neg", |x| -x, |_, _| -E::one(), from_output: true
);
zst_func!(
    /// y = eˣ; dy/dx = y.
    Exp, "exp", |x| x.exp(), |_, y| y, from_output: true
);
zst_func!(
    /// y = ln x; dy/dx = 1/x.
    Ln, "ln", |x| x.ln(), |x, _| E::one() / x, from_output: false
);
zst_func!(
    /// y = ln(1 + x), accurate for small x; dy/dx = 1/(1 + x).
    Log1p, "log1p", |x| x.ln_1p(), |x, _| E::one() / (E::one() + x), from_output: false
);
zst_func!(
    /// y = √x; dy/dx = 1/(2y).
    Sqrt, "sqrt", |x| x.sqrt(), |_, y| E::from_f64(0.5) / y, from_output: true
);
zst_func!(
    /// y = 1/x; dy/dx = −1/x² = −y².
    Recip, "recip", |x| E::one() / x, |_, y| -y * y, from_output: true
);
zst_func!(
    /// y = x²; dy/dx = 2x (x·x and x + x: exact roundings, no `powi` call).
    Square, "square", |x| x * x, |x, _| x + x, from_output: false
);
zst_func!(
    /// y = |x|; dy/dx = sign(x), taken as 0 at 0.
    Abs, "abs", |x| x.abs(),
    |x, _| if x > E::zero() {
        E::one()
    } else if x < E::zero() {
        -E::one()
    } else {
        E::zero()
    },
    from_output: false
);
zst_func!(
    /// y = sin x; dy/dx = cos x.
    Sin, "sin", |x| x.sin(), |x, _| x.cos(), from_output: false
);
zst_func!(
    /// y = cos x; dy/dx = −sin x.
    Cos, "cos", |x| x.cos(), |x, _| -x.sin(), from_output: false
);
zst_func!(
    /// y = tanh x; dy/dx = 1 − y².
    Tanh, "tanh", |x| x.tanh(), |_, y| E::one() - y * y, from_output: true
);
zst_func!(
    /// y = σ(x) = 1/(1 + e⁻ˣ), without overflow for large |x|; dy/dx = y(1 − y).
    Sigmoid, "sigmoid", |x| x.sigmoid(), |_, y| y * (E::one() - y), from_output: true
);
zst_func!(
    /// y = max(x, 0); dy/dx = 1 for x > 0, else 0 (0 at the kink, like
    /// PyTorch). y > 0 exactly where x > 0, so the output tells the
    /// derivative.
    Relu, "relu", |x| if positive(x) { x } else { E::zero() },
    |x, _| if positive(x) { E::one() } else { E::zero() },
    from_output: true
);
zst_func!(
    /// The perceptron's step: y = 1 if x > 0, else 0. dy/dx = 0 wherever it
    /// exists, so no gradient flows (see [`StepSte`]).
    Step, "step", |x| if positive(x) { E::one() } else { E::zero() },
    |_, _| E::zero(), from_output: true
);
zst_func!(
    /// The step with a straight-through gradient: forward as [`Step`],
    /// dy/dx taken as 1.
    StepSte, "step_ste", |x| if positive(x) { E::one() } else { E::zero() },
    |_, _| E::one(), from_output: true
);
zst_func!(
    /// softplus(x) = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^−|x|):
    /// no overflow for large x, no loss of the tail for very negative x.
    /// dy/dx = σ(x).
    Softplus, "softplus", |x| x.max(E::zero()) + (-x.abs()).exp().ln_1p(),
    |x, _| x.sigmoid(), from_output: false
);
zst_func!(
    /// SiLU (swish): y = x·σ(x); dy/dx = σ(x)·(1 + x·(1 − σ(x))).
    Silu, "silu", |x| x * x.sigmoid(),
    |x, _| {
        let s = x.sigmoid();
        s * (E::one() + x * (E::one() - s))
    },
    from_output: false
);

/// √(2/π), GELU's tanh-form coefficient.
const GELU_K: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of GELU's tanh form.
const GELU_C: f64 = 0.044_715;

zst_func!(
    /// GELU in its tanh form (PyTorch's `approximate="tanh"`):
    /// y = x/2·(1 + tanh u) with u = √(2/π)·(x + 0.044715x³);
    /// dy/dx = (1 + t)/2 + x/2·(1 − t²)·√(2/π)·(1 + 3·0.044715x²), t = tanh u.
    Gelu, "gelu", |x| {
        let u = E::from_f64(GELU_K) * (x + E::from_f64(GELU_C) * (x * x * x));
        E::from_f64(0.5) * x * (E::one() + u.tanh())
    },
    |x, _| {
        let (k, c, half) = (E::from_f64(GELU_K), E::from_f64(GELU_C), E::from_f64(0.5));
        let t = (k * (x + c * (x * x * x))).tanh();
        let du = k * (E::one() + E::from_f64(3.0) * c * x * x);
        half * (E::one() + t) + half * x * (E::one() - t * t) * du
    },
    from_output: false
);

/// Declares a [`Func`] holding constants (`f64` fields, converted to the
/// element type where used).
macro_rules! param_func {
    ($(#[$doc:meta])* $ty:ident { $($field:ident),+ }, $name:literal,
     |$s:ident, $x:ident| $value:expr, |$ds:ident, $dx:pat_param, $dy:pat_param| $deriv:expr,
     from_output: |$os:ident| $out:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $ty {
            $(
                #[allow(missing_docs)]
                pub $field: f64,
            )+
        }

        impl Func for $ty {
            const NAME: &'static str = $name;
            #[inline(always)]
            fn value<E: Real>(&self, $x: E) -> E {
                let $s = self;
                $value
            }
            #[inline(always)]
            fn deriv<E: Real>(&self, $dx: E, $dy: E) -> E {
                let $ds = self;
                $deriv
            }
            #[inline(always)]
            fn deriv_from_output(&self) -> bool {
                let $os = self;
                $out
            }
        }
    };
}

param_func!(
    /// Leaky ReLU: y = x for x > 0, else `slope`·x; dy/dx = 1 or `slope`.
    /// With a slope ≥ 0, y > 0 exactly where x > 0, so the output tells the
    /// derivative.
    LeakyRelu { slope }, "leaky_relu",
    |p, x| if positive(x) { x } else { E::from_f64(p.slope) * x },
    |p, x, _| if positive(x) { E::one() } else { E::from_f64(p.slope) },
    from_output: |p| p.slope >= 0.0
);
param_func!(
    /// ELU: y = x for x > 0, else `alpha`·(eˣ − 1) (PyTorch's default
    /// alpha is 1); dy/dx = 1, or y + alpha = alpha·eˣ. With alpha ≥ 0, y > 0
    /// exactly where x > 0, so the output tells the derivative.
    Elu { alpha }, "elu",
    |p, x| if positive(x) { x } else { E::from_f64(p.alpha) * x.exp_m1() },
    |p, x, y| if positive(x) { E::one() } else { y + E::from_f64(p.alpha) },
    from_output: |p| p.alpha >= 0.0
);
param_func!(
    /// y = x^p for a constant real p; dy/dx = p·x^(p−1).
    Powf { p }, "powf",
    |s, x| x.powf(E::from_f64(s.p)),
    |s, x, _| {
        let p = E::from_f64(s.p);
        p * x.powf(p - E::one())
    },
    from_output: |_s| false
);
param_func!(
    /// y = x limited to [lo, hi]; dy/dx = 1 inside (bounds included), 0
    /// outside.
    Clamp { lo, hi }, "clamp",
    |s, x| {
        let (lo, hi) = (E::from_f64(s.lo), E::from_f64(s.hi));
        if x < lo {
            lo
        } else if x > hi {
            hi
        } else {
            x
        }
    },
    |s, x, _| if x < E::from_f64(s.lo) || x > E::from_f64(s.hi) {
        E::zero()
    } else {
        E::one()
    },
    from_output: |_s| false
);
param_func!(
    /// y = x·k for a constant k; dy/dx = k.
    Scale { k }, "scale",
    |s, x| x * E::from_f64(s.k), |s, _, _| E::from_f64(s.k),
    from_output: |_s| true
);
param_func!(
    /// y = x + c for a constant c; dy/dx = 1.
    Shift { c }, "shift",
    |s, x| x + E::from_f64(s.c), |_s, _, _| E::one(),
    from_output: |_s| true
);
param_func!(
    /// y = c − x for a constant c; dy/dx = −1.
    Rsub { c }, "rsub",
    |s, x| E::from_f64(s.c) - x, |_s, _, _| -E::one(),
    from_output: |_s| true
);
param_func!(
    /// y = c / x for a constant c; dy/dx = −c/x² = −y/x.
    Rdiv { c }, "rdiv",
    |s, x| E::from_f64(s.c) / x, |_s, x, y| -y / x,
    from_output: |_s| false
);

/// y = xⁿ for an integer n; dy/dx = n·xⁿ⁻¹. n = 0, 1 and 2 are exact
/// (1 and 0; x and 1; [`Square`]), without the `powi` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Powi {
    /// The exponent.
    pub n: i32,
}

impl Func for Powi {
    const NAME: &'static str = "powi";
    #[inline(always)]
    fn value<E: Real>(&self, x: E) -> E {
        match self.n {
            0 => E::one(),
            1 => x,
            2 => Square.value(x),
            n => x.powi(n),
        }
    }
    #[inline(always)]
    fn deriv<E: Real>(&self, x: E, y: E) -> E {
        match self.n {
            0 => E::zero(),
            1 => E::one(),
            2 => Square.deriv(x, y),
            n => E::from_f64(n as f64) * x.powi(n - 1),
        }
    }
}

/// The methods that apply one [`Func`] as `self.map(..)`, listed once and
/// written out for both handles: `func::elementwise_methods!(Var)` in
/// `scalar.rs` and `func::elementwise_methods!(TensorVar)` in
/// `ops/elementwise.rs`. Each line is the method's doc, its name and
/// parameters, and the `Func` it maps (a parameter sets the field of the
/// same name). A new function is its definition above plus one line here.
///
/// A doc that links to another method of the handle builds the link from
/// `$Self` (`concat!` with `stringify!($Self)`), so each copy links to its
/// own type's method.
macro_rules! elementwise_methods {
    ($Self:ident) => {
        $crate::func::elementwise_methods! { @impl $Self;
            /// e^x. d/dx = e^x.
            exp() => Exp;
            /// ln x. d/dx = 1/x.
            ln() => Ln;
            /// ln(1 + x), accurate near 0. d/dx = 1/(1 + x).
            log1p() => Log1p;
            /// √x. d/dx = 1/(2√x).
            sqrt() => Sqrt;
            /// 1/x. d/dx = −1/x².
            recip() => Recip;
            /// x². d/dx = 2x.
            square() => Square;
            /// |x|. d/dx = sign(x), taken as 0 at 0.
            abs() => Abs;
            /// sin x. d/dx = cos x.
            sin() => Sin;
            /// cos x. d/dx = −sin x.
            cos() => Cos;
            /// tanh x. d/dx = 1 − tanh²x.
            tanh() => Tanh;
            /// σ(x) = 1/(1 + e^−x), stable for large |x|. d/dx = σ(x)(1 − σ(x)).
            sigmoid() => Sigmoid;
            /// max(x, 0). d/dx = 1 for x > 0, else 0 (0 at the kink, like PyTorch).
            relu() => Relu;
            /// x for x > 0, else slope·x. d/dx = 1 or slope.
            leaky_relu(slope: f64) => LeakyRelu { slope };
            /// softplus(x) = ln(1 + e^x), without overflow for large x. d/dx = σ(x).
            softplus() => Softplus;
            /// GELU, tanh form (PyTorch's `approximate="tanh"`); see [`func::Gelu`].
            gelu() => Gelu;
            /// SiLU (swish): x·σ(x). d/dx = σ(x)(1 + x(1 − σ(x))).
            silu() => Silu;
            /// ELU: x for x > 0, else alpha·(e^x − 1). d/dx = 1, or alpha·e^x.
            elu(alpha: f64) => Elu { alpha };
            /// The perceptron's step: 1 where x > 0, else 0. Its derivative is 0
            /// wherever it exists, so no gradient flows through it (use
            #[doc = concat!("[`", stringify!($Self), "::step_ste`] for a straight-through gradient).")]
            step() => Step;
            /// The step with a straight-through gradient: forward as
            #[doc = concat!("[`", stringify!($Self), "::step`], backward as the identity (d/dx taken as 1).")]
            step_ste() => StepSte;
            /// x^p for a constant real p. d/dx = p·x^(p−1).
            powf(p: f64) => Powf { p };
            /// x limited to [lo, hi]. d/dx = 1 inside (bounds included), 0 outside.
            clamp(lo: f64, hi: f64) => Clamp { lo, hi };
        }
    };
    (@impl $Self:ident;
     $($(#[doc = $doc:expr])* $name:ident($($p:ident: $t:ty),*) => $f:ident $({ $($field:ident),* })?;)*) => {
        impl<'t, E: $crate::Real> $Self<'t, E> {
            $(
                $(#[doc = $doc])*
                pub fn $name(self $(, $p: $t)*) -> Self {
                    self.map($crate::func::$f $({ $($field),* })?)
                }
            )*
        }
    };
}
pub(crate) use elementwise_methods;

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks `deriv_from_output`'s promise on a grid of inputs.
    fn output_tells<F: Func>(f: F) {
        if !f.deriv_from_output() {
            return;
        }
        for i in -40..=40 {
            let x = i as f64 * 0.1;
            let y = f.value(x);
            let (a, b) = (f.deriv(x, y), f.deriv(y, y));
            assert!(a == b || (a.is_nan() && b.is_nan()), "{} at {x}", F::NAME);
        }
    }

    #[test]
    fn functions_that_claim_it_get_their_derivative_from_the_output() {
        output_tells(Identity);
        output_tells(Neg);
        output_tells(Exp);
        output_tells(Sqrt);
        output_tells(Recip);
        output_tells(Tanh);
        output_tells(Sigmoid);
        output_tells(Relu);
        output_tells(Step);
        output_tells(StepSte);
        output_tells(LeakyRelu { slope: 0.1 });
        output_tells(LeakyRelu { slope: 0.0 });
        output_tells(Elu { alpha: 1.0 });
        output_tells(Elu { alpha: 0.0 });
        output_tells(Scale { k: -2.0 });
        output_tells(Shift { c: 3.0 });
        output_tells(Rsub { c: 3.0 });
        assert!(!LeakyRelu { slope: -0.5 }.deriv_from_output());
        assert!(!Elu { alpha: -1.0 }.deriv_from_output());
    }

    #[test]
    fn powi_special_cases_are_exact() {
        for x in [-1.5, 0.0, 2.0] {
            assert_eq!(Powi { n: 0 }.value(x), 1.0);
            assert_eq!(Powi { n: 0 }.deriv(x, 1.0), 0.0);
            assert_eq!(Powi { n: 1 }.value(x), x);
            assert_eq!(Powi { n: 1 }.deriv(x, x), 1.0);
            assert_eq!(Powi { n: 2 }.value(x), x * x);
            assert_eq!(Powi { n: 3 }.deriv(x, 0.0), 3.0 * x * x);
        }
    }
}
