//! Element-wise functions of two tensors, with NumPy broadcasting, and the
//! arithmetic operators for tensors, scalars and constants.
//!
//! The kernels here see equal shapes: the front end inserts a
//! [`broadcast_to`](TensorVar::broadcast_to) node for an operand whose shape
//! differs, and that node's backward is the only place gradients are summed
//! back to an input's shape.

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::scalar::Var;
use crate::tensor::{broadcast_shape, ok, Tensor, TensorVar};
use std::ops::{Add, Div, Mul, Neg, Sub};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Add,
    Sub,
    Mul,
    Div,
    Max,
    Min,
}

struct Binary(Kind);

impl<E: Real> Op<E> for Binary {
    fn name(&self) -> &'static str {
        match self.0 {
            Kind::Add => "add",
            Kind::Sub => "sub",
            Kind::Mul => "mul",
            Kind::Div => "div",
            Kind::Max => "maximum",
            Kind::Min => "minimum",
        }
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        crate::tape::same_shape(<Self as Op<E>>::name(self), xs[0], xs[1])?;
        let (a, b) = (xs[0], xs[1]);
        Ok(match self.0 {
            Kind::Add => a.zip_map(b, |x, y| x + y),
            Kind::Sub => a.zip_map(b, |x, y| x - y),
            Kind::Mul => a.zip_map(b, |x, y| x * y),
            Kind::Div => a.zip_map(b, |x, y| x / y),
            Kind::Max => a.zip_map(b, |x, y| if y > x { y } else { x }),
            Kind::Min => a.zip_map(b, |x, y| if y < x { y } else { x }),
        })
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (a, b, dy) = (cx.input(0), cx.input(1), cx.grad());
        let (need_a, need_b) = (cx.needs_grad(0), cx.needs_grad(1));
        let z = E::zero();
        let (da, db) = match self.0 {
            Kind::Add => (Some(dy.clone()), Some(dy.clone())),
            Kind::Sub => (Some(dy.clone()), need_b.then(|| dy.map(|g| -g))),
            Kind::Mul => (
                need_a.then(|| dy.zip_map(b, |g, y| g * y)),
                need_b.then(|| dy.zip_map(a, |g, x| g * x)),
            ),
            Kind::Div => (
                need_a.then(|| dy.zip_map(b, |g, y| g / y)),
                need_b.then(|| dy.zip3_map(a, b, |g, x, y| -g * x / (y * y))),
            ),
            // the gradient goes to the larger (smaller) operand, half to
            // each on ties (PyTorch's `maximum`/`minimum`)
            Kind::Max | Kind::Min => {
                let max = self.0 == Kind::Max;
                let half = E::from_f64(0.5);
                // a's share of g: all if a wins, half on a tie, none if b wins
                let share = move |g: E, x: E, y: E| {
                    let b_wins = if max { y > x } else { y < x };
                    if b_wins {
                        z
                    } else if x == y {
                        g * half
                    } else {
                        g
                    }
                };
                (
                    need_a.then(|| dy.zip3_map(a, b, share)),
                    need_b.then(|| dy.zip3_map(b, a, share)),
                )
            }
        };
        if let Some(da) = da {
            cx.set_grad(0, da);
        }
        if let Some(db) = db {
            cx.set_grad(1, db);
        }
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// Broadcasts both operands to their common shape and applies `kind`.
    #[track_caller]
    fn try_binary(self, rhs: Self, kind: Kind) -> Result<Self> {
        let (sa, sb) = (self.shape(), rhs.shape());
        let op = Binary(kind);
        let name = <Binary as Op<E>>::name(&op);
        let target = broadcast_shape(name, &sa, &sb)?;
        let a = if sa == target {
            self
        } else {
            self.try_broadcast_to(&target)?
        };
        let b = if sb == target {
            rhs
        } else {
            rhs.try_broadcast_to(&target)?
        };
        a.apply2(op, b)
    }

    /// Element-wise sum with broadcasting.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_add(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Add)
    }
    /// Element-wise difference with broadcasting.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_sub(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Sub)
    }
    /// Element-wise product with broadcasting.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_mul(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Mul)
    }
    /// Element-wise quotient with broadcasting.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_div(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Div)
    }
    /// Element-wise maximum with broadcasting; the gradient goes to the
    /// larger operand, half to each on ties (as PyTorch's `maximum`).
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_maximum(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Max)
    }
    /// Element-wise minimum with broadcasting; the gradient goes to the
    /// smaller operand, half to each on ties (as PyTorch's `minimum`).
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_minimum(self, rhs: Self) -> Result<Self> {
        self.try_binary(rhs, Kind::Min)
    }

    /// Element-wise maximum with broadcasting.
    ///
    /// # Panics
    /// If the shapes do not broadcast (the message names the op and both shapes).
    #[track_caller]
    pub fn maximum(self, rhs: Self) -> Self {
        ok(self.try_maximum(rhs))
    }

    /// Element-wise minimum with broadcasting.
    ///
    /// # Panics
    /// If the shapes do not broadcast (the message names the op and both shapes).
    #[track_caller]
    pub fn minimum(self, rhs: Self) -> Self {
        ok(self.try_minimum(rhs))
    }
}

macro_rules! tensor_operator {
    ($trait:ident, $method:ident, $try:ident, $cf:expr, $fc:expr) => {
        /// Element-wise, with NumPy broadcasting.
        ///
        /// # Panics
        /// If the shapes do not broadcast; the message names the op and both shapes.
        impl<'t, E: Real> $trait for TensorVar<'t, E> {
            type Output = TensorVar<'t, E>;
            #[track_caller]
            fn $method(self, rhs: Self) -> Self {
                ok(self.$try(rhs))
            }
        }
        /// Tensor and scalar on the same tape: the scalar is broadcast.
        impl<'t, E: Real> $trait<Var<'t, E>> for TensorVar<'t, E> {
            type Output = TensorVar<'t, E>;
            #[track_caller]
            fn $method(self, rhs: Var<'t, E>) -> Self {
                ok(self.$try(rhs.to_tensor()))
            }
        }
        /// Scalar and tensor on the same tape: the scalar is broadcast.
        impl<'t, E: Real> $trait<TensorVar<'t, E>> for Var<'t, E> {
            type Output = TensorVar<'t, E>;
            #[track_caller]
            fn $method(self, rhs: TensorVar<'t, E>) -> TensorVar<'t, E> {
                ok(self.to_tensor().$try(rhs))
            }
        }
        /// Tensor and constant.
        impl<'t, E: Real> $trait<f64> for TensorVar<'t, E> {
            type Output = TensorVar<'t, E>;
            fn $method(self, c: f64) -> Self {
                let f: fn(TensorVar<'t, E>, f64) -> TensorVar<'t, E> = $cf;
                f(self, c)
            }
        }
        /// Constant and tensor.
        impl<'t, E: Real> $trait<TensorVar<'t, E>> for f64 {
            type Output = TensorVar<'t, E>;
            fn $method(self, t: TensorVar<'t, E>) -> TensorVar<'t, E> {
                let f: fn(f64, TensorVar<'t, E>) -> TensorVar<'t, E> = $fc;
                f(self, t)
            }
        }
    };
}

tensor_operator!(Add, add, try_add, |t, c| t.shift(c), |c, t| t.shift(c));
tensor_operator!(Sub, sub, try_sub, |t, c| t.shift(-c), |c, t| t.rsub(c));
tensor_operator!(Mul, mul, try_mul, |t, c| t.scale(c), |c, t| t.scale(c));
tensor_operator!(Div, div, try_div, |t, c| t.scale(1.0 / c), |c, t| t.rdiv(c));

impl<'t, E: Real> Neg for TensorVar<'t, E> {
    type Output = TensorVar<'t, E>;
    fn neg(self) -> Self {
        self.negate()
    }
}
