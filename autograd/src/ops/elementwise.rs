//! Element-wise functions of one tensor: one op, [`Map`], running any
//! [`Func`] (value and derivative defined once, in [`crate::func`]).

use crate::error::Result;
use crate::func::{self, Func};
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{ok, Tensor, TensorVar};

/// y = f(x) element by element, with dy/dx = f′(x, y). Generic over the
/// function (not a function pointer), so its loops inline `value` and
/// `deriv`.
struct Map<F> {
    name: &'static str,
    f: F,
}

impl<E: Real, F: Func> Op<E> for Map<F> {
    fn name(&self) -> &'static str {
        self.name
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let f = self.f;
        Ok(xs[0].map(|x| f.value(x)))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let f = self.f;
        let dx = cx
            .input(0)
            .zip3_map(cx.output(), cx.grad(), |x, y, dy| dy * f.deriv(x, y));
        cx.set_grad(0, dx);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// y = f(x) element by element, for any [`Func`]: one op whose forward
    /// and backward run the function's `value` and `deriv`.
    ///
    /// ```
    /// use autograd::{func, Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2], vec![0.0, 1.0]).unwrap());
    /// let y = x.map(func::Softplus);
    /// assert_eq!(y.value().data()[0], 2f64.ln());
    /// assert_eq!(y.sum().backward()[x].data()[0], 0.5); // σ(0)
    /// ```
    pub fn map<F: Func>(self, f: F) -> Self {
        self.map_as(F::NAME, f)
    }

    /// [`TensorVar::map`] recorded under another op name.
    #[track_caller]
    pub(crate) fn map_as<F: Func>(self, name: &'static str, f: F) -> Self {
        ok(self.apply1(Map { name, f }))
    }

    /// −x. d/dx = −1. (Also the unary `-` operator.)
    pub fn negate(self) -> Self {
        self.map(func::Neg)
    }

    /// e^x. d/dx = e^x.
    pub fn exp(self) -> Self {
        self.map(func::Exp)
    }

    /// ln x. d/dx = 1/x.
    pub fn ln(self) -> Self {
        self.map(func::Ln)
    }

    /// ln(1 + x), accurate near 0. d/dx = 1/(1 + x).
    pub fn log1p(self) -> Self {
        self.map(func::Log1p)
    }

    /// √x. d/dx = 1/(2√x).
    pub fn sqrt(self) -> Self {
        self.map(func::Sqrt)
    }

    /// 1/x. d/dx = −1/x².
    pub fn recip(self) -> Self {
        self.map(func::Recip)
    }

    /// x². d/dx = 2x.
    pub fn square(self) -> Self {
        self.map(func::Square)
    }

    /// |x|. d/dx = sign(x), 0 at 0.
    pub fn abs(self) -> Self {
        self.map(func::Abs)
    }

    /// sin x. d/dx = cos x.
    pub fn sin(self) -> Self {
        self.map(func::Sin)
    }

    /// cos x. d/dx = −sin x.
    pub fn cos(self) -> Self {
        self.map(func::Cos)
    }

    /// tanh x. d/dx = 1 − tanh²x.
    pub fn tanh(self) -> Self {
        self.map(func::Tanh)
    }

    /// σ(x) = 1/(1 + e^−x), stable for large |x|. d/dx = σ(x)(1 − σ(x)).
    pub fn sigmoid(self) -> Self {
        self.map(func::Sigmoid)
    }

    /// max(x, 0). d/dx = 1 for x > 0, else 0 (0 at the kink).
    pub fn relu(self) -> Self {
        self.map(func::Relu)
    }

    /// x for x > 0, else slope·x. d/dx = 1 or slope.
    pub fn leaky_relu(self, slope: f64) -> Self {
        self.map(func::LeakyRelu { slope })
    }

    /// softplus(x) = ln(1 + e^x), without overflow for large x. d/dx = σ(x).
    pub fn softplus(self) -> Self {
        self.map(func::Softplus)
    }

    /// GELU, tanh form (PyTorch's `approximate="tanh"`); see [`func::Gelu`].
    pub fn gelu(self) -> Self {
        self.map(func::Gelu)
    }

    /// SiLU (swish): x·σ(x). d/dx = σ(x)(1 + x(1 − σ(x))).
    pub fn silu(self) -> Self {
        self.map(func::Silu)
    }

    /// ELU: x for x > 0, else alpha·(e^x − 1). d/dx = 1, or alpha·e^x.
    pub fn elu(self, alpha: f64) -> Self {
        self.map(func::Elu { alpha })
    }

    /// The perceptron's step: 1 where x > 0, else 0. Its derivative is 0
    /// wherever it exists, so no gradient flows through it (use
    /// [`TensorVar::step_ste`] for a straight-through gradient).
    pub fn step(self) -> Self {
        self.map(func::Step)
    }

    /// The step with a straight-through gradient: forward as
    /// [`TensorVar::step`], backward as the identity (d/dx taken as 1).
    pub fn step_ste(self) -> Self {
        self.map(func::StepSte)
    }

    /// x^n for an integer n. d/dx = n·x^(n−1).
    pub fn powi(self, n: i32) -> Self {
        match n {
            // squaring by a multiply, in a loop of its own: `powi` with an
            // exponent only known at run time is a libcall per element
            // (`__powisf2`); x·x is the same correctly rounded value
            2 => self.map_as(func::Powi::NAME, func::Square),
            _ => self.map(func::Powi { n }),
        }
    }

    /// x^p for a constant real p. d/dx = p·x^(p−1).
    pub fn powf(self, p: f64) -> Self {
        self.map(func::Powf { p })
    }

    /// x limited to [lo, hi]. d/dx = 1 inside (bounds included), 0 outside.
    pub fn clamp(self, lo: f64, hi: f64) -> Self {
        self.map(func::Clamp { lo, hi })
    }

    /// x·k for a constant k. d/dx = k.
    pub fn scale(self, k: f64) -> Self {
        self.map(func::Scale { k })
    }

    /// x + c for a constant c. d/dx = 1.
    pub fn shift(self, c: f64) -> Self {
        self.map(func::Shift { c })
    }

    /// c − x for a constant c. d/dx = −1.
    pub fn rsub(self, c: f64) -> Self {
        self.map(func::Rsub { c })
    }

    /// c / x for a constant c. d/dx = −c/x².
    pub fn rdiv(self, c: f64) -> Self {
        self.map(func::Rdiv { c })
    }
}
