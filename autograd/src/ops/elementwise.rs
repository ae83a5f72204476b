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

func::elementwise_methods!(TensorVar);
