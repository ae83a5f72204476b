//! Element-wise functions of one tensor: value and derivative side by side.

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{ok, Tensor, TensorVar};

/// y = f(x) element by element, with dy/dx = df(x, y). `p` carries constant
/// parameters (a slope, an exponent, bounds). Generic over the two functions
/// (not function pointers), so each op's loops inline them.
struct Map<E: Real, F, D> {
    name: &'static str,
    p: [E; 2],
    f: F,
    df: D,
}

impl<E, F, D> Op<E> for Map<E, F, D>
where
    E: Real,
    F: Fn(E, &[E; 2]) -> E + 'static,
    D: Fn(E, E, &[E; 2]) -> E + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Ok(xs[0].map(|x| (self.f)(x, &self.p)))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let dx = cx.input(0).zip3_map(cx.output(), cx.grad(), |x, y, dy| {
            dy * (self.df)(x, y, &self.p)
        });
        cx.set_grad(0, dx);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    #[track_caller]
    fn map_op(
        self,
        name: &'static str,
        p: [E; 2],
        f: impl Fn(E, &[E; 2]) -> E + 'static,
        df: impl Fn(E, E, &[E; 2]) -> E + 'static,
    ) -> Self {
        ok(self.apply1(Map { name, p, f, df }))
    }

    /// −x. d/dx = −1. (Also the unary `-` operator.)
    pub fn negate(self) -> Self {
        self.map_op("neg", [E::zero(); 2], |x, _| -x, |_, _, _| -E::one())
    }

    /// e^x. d/dx = e^x.
    pub fn exp(self) -> Self {
        self.map_op("exp", [E::zero(); 2], |x, _| x.exp(), |_, y, _| y)
    }

    /// ln x. d/dx = 1/x.
    pub fn ln(self) -> Self {
        self.map_op("ln", [E::zero(); 2], |x, _| x.ln(), |x, _, _| E::one() / x)
    }

    /// √x. d/dx = 1/(2√x).
    pub fn sqrt(self) -> Self {
        self.map_op(
            "sqrt",
            [E::zero(); 2],
            |x, _| x.sqrt(),
            |_, y, _| E::from_f64(0.5) / y,
        )
    }

    /// 1/x. d/dx = −1/x².
    pub fn recip(self) -> Self {
        self.map_op(
            "recip",
            [E::zero(); 2],
            |x, _| E::one() / x,
            |_, y, _| -y * y,
        )
    }

    /// |x|. d/dx = sign(x), 0 at 0.
    pub fn abs(self) -> Self {
        self.map_op(
            "abs",
            [E::zero(); 2],
            |x, _| x.abs(),
            |x, _, _| {
                if x > E::zero() {
                    E::one()
                } else if x < E::zero() {
                    -E::one()
                } else {
                    E::zero()
                }
            },
        )
    }

    /// sin x. d/dx = cos x.
    pub fn sin(self) -> Self {
        self.map_op("sin", [E::zero(); 2], |x, _| x.sin(), |x, _, _| x.cos())
    }

    /// cos x. d/dx = −sin x.
    pub fn cos(self) -> Self {
        self.map_op("cos", [E::zero(); 2], |x, _| x.cos(), |x, _, _| -x.sin())
    }

    /// tanh x. d/dx = 1 − tanh²x.
    pub fn tanh(self) -> Self {
        self.map_op(
            "tanh",
            [E::zero(); 2],
            |x, _| x.tanh(),
            |_, y, _| E::one() - y * y,
        )
    }

    /// σ(x) = 1/(1 + e^−x), stable for large |x|. d/dx = σ(x)(1 − σ(x)).
    pub fn sigmoid(self) -> Self {
        self.map_op(
            "sigmoid",
            [E::zero(); 2],
            |x, _| x.sigmoid(),
            |_, y, _| y * (E::one() - y),
        )
    }

    /// max(x, 0). d/dx = 1 for x > 0, else 0 (0 at the kink).
    pub fn relu(self) -> Self {
        self.map_op(
            "relu",
            [E::zero(); 2],
            |x, _| if x > E::zero() { x } else { E::zero() },
            |x, _, _| if x > E::zero() { E::one() } else { E::zero() },
        )
    }

    /// x for x > 0, else slope·x. d/dx = 1 or slope.
    pub fn leaky_relu(self, slope: f64) -> Self {
        self.map_op(
            "leaky_relu",
            [E::from_f64(slope), E::zero()],
            |x, p| if x > E::zero() { x } else { p[0] * x },
            |x, _, p| if x > E::zero() { E::one() } else { p[0] },
        )
    }

    /// The perceptron's step: 1 where x > 0, else 0. Its derivative is 0
    /// wherever it exists, so no gradient flows through it (use
    /// [`TensorVar::step_ste`] for a straight-through gradient).
    pub fn step(self) -> Self {
        self.map_op(
            "step",
            [E::zero(); 2],
            |x, _| if x > E::zero() { E::one() } else { E::zero() },
            |_, _, _| E::zero(),
        )
    }

    /// The step with a straight-through gradient: forward as
    /// [`TensorVar::step`], backward as the identity (d/dx taken as 1).
    pub fn step_ste(self) -> Self {
        self.map_op(
            "step_ste",
            [E::zero(); 2],
            |x, _| if x > E::zero() { E::one() } else { E::zero() },
            |_, _, _| E::one(),
        )
    }

    /// x^n for an integer n. d/dx = n·x^(n−1).
    pub fn powi(self, n: i32) -> Self {
        let pn = [E::from_f64(n as f64), E::zero()];
        match n {
            // squaring by a multiply: `powi` with an exponent only known at
            // run time is a libcall per element (`__powisf2`); x·x is the
            // same correctly rounded value
            2 => self.map_op("powi", pn, |x, _| x * x, |x, _, _| x + x),
            _ => self.map_op(
                "powi",
                pn,
                |x, p| x.powi(p[0].to_f64() as i32),
                |x, _, p| {
                    let n = p[0].to_f64() as i32;
                    if n == 0 {
                        E::zero()
                    } else {
                        p[0] * x.powi(n - 1)
                    }
                },
            ),
        }
    }

    /// x^p for a constant real p. d/dx = p·x^(p−1).
    pub fn powf(self, p: f64) -> Self {
        self.map_op(
            "powf",
            [E::from_f64(p), E::zero()],
            |x, p| x.powf(p[0]),
            |x, _, p| p[0] * x.powf(p[0] - E::one()),
        )
    }

    /// x limited to [lo, hi]. d/dx = 1 strictly inside, 0 outside.
    pub fn clamp(self, lo: f64, hi: f64) -> Self {
        self.map_op(
            "clamp",
            [E::from_f64(lo), E::from_f64(hi)],
            |x, p| {
                if x < p[0] {
                    p[0]
                } else if x > p[1] {
                    p[1]
                } else {
                    x
                }
            },
            |x, _, p| {
                if x < p[0] || x > p[1] {
                    E::zero()
                } else {
                    E::one()
                }
            },
        )
    }

    /// x·k for a constant k. d/dx = k.
    pub fn scale(self, k: f64) -> Self {
        self.map_op(
            "scale",
            [E::from_f64(k), E::zero()],
            |x, p| x * p[0],
            |_, _, p| p[0],
        )
    }

    /// x + c for a constant c. d/dx = 1.
    pub fn shift(self, c: f64) -> Self {
        self.map_op(
            "shift",
            [E::from_f64(c), E::zero()],
            |x, p| x + p[0],
            |_, _, _| E::one(),
        )
    }

    /// c − x for a constant c. d/dx = −1.
    pub fn rsub(self, c: f64) -> Self {
        self.map_op(
            "rsub",
            [E::from_f64(c), E::zero()],
            |x, p| p[0] - x,
            |_, _, _| -E::one(),
        )
    }

    /// c / x for a constant c. d/dx = −c/x².
    pub fn rdiv(self, c: f64) -> Self {
        self.map_op(
            "rdiv",
            [E::from_f64(c), E::zero()],
            |x, p| p[0] / x,
            |x, y, _| -y / x,
        )
    }
}
