//! The element types a tape computes with: `f32`, `f64`, and [`Dual`] for second derivatives.

use crate::pool::Pool;
use std::cell::RefCell;
use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};
use std::thread::LocalKey;

/// A real number the tape can compute with.
///
/// Implemented for `f32` (fast training), `f64` (gradient checks, the course's
/// exact numbers) and [`Dual`] (a value with a tangent, which turns the reverse
/// sweep into a Hessian-vector product; see [`crate::hessian`]).
///
/// Comparisons (`PartialOrd`) and [`Real::to_f64`] look at the value only.
pub trait Real:
    Copy
    + Debug
    + Display
    + Default
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + DivAssign
    + std::iter::Sum
    + Send
    + Sync
    + 'static
{
    /// Short name used in messages and files (`"f32"`, `"f64"`, `"dual"`).
    const NAME: &'static str;
    /// Converts from `f64` (rounding for `f32`; zero tangent for [`Dual`]).
    fn from_f64(x: f64) -> Self;
    /// The value as `f64` (for [`Dual`], the value part).
    fn to_f64(self) -> f64;
    /// 0
    fn zero() -> Self {
        Self::from_f64(0.0)
    }
    /// 1
    fn one() -> Self {
        Self::from_f64(1.0)
    }
    /// e^x
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// x^n for an integer n.
    fn powi(self, n: i32) -> Self;
    /// x^p for a real p.
    fn powf(self, p: Self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// |x|
    fn abs(self) -> Self;
    /// Whether the value (and, for [`Dual`], the tangent) is neither NaN nor infinite.
    fn is_finite(self) -> bool;
    /// The logistic function 1 / (1 + e^-x), computed without overflow for large |x|.
    fn sigmoid(self) -> Self {
        if self.to_f64() >= 0.0 {
            Self::one() / (Self::one() + (-self).exp())
        } else {
            let e = self.exp();
            e / (Self::one() + e)
        }
    }
    /// The larger of two values (the first one on ties).
    fn max(self, other: Self) -> Self {
        if other > self {
            other
        } else {
            self
        }
    }
    /// The smaller of two values (the first one on ties).
    fn min(self, other: Self) -> Self {
        if other < self {
            other
        } else {
            self
        }
    }
    /// This thread's cache of tensor buffers of this type (see
    /// [`crate::pool`]), or `None` (the default) to allocate and free every
    /// buffer with the system allocator.
    #[doc(hidden)]
    fn pool() -> Option<&'static LocalKey<RefCell<Pool<Self>>>> {
        None
    }

    /// Whether [`Real::gemm`] with `beta` = 0 only writes `c` and never reads
    /// it, so that `c` may be uninitialised memory (as both GEMM crates
    /// promise, and the default `gemm` does). Tensor kernels then skip
    /// zero-filling their outputs. Leave it `false` for a `gemm` of your own
    /// unless it makes the same promise.
    const GEMM_BETA_ZERO_WRITES_ONLY: bool = false;

    /// General matrix product `c = alpha * a·b + beta * c` on strided row/column layouts.
    ///
    /// `a` is m×k with strides (`rsa`, `csa`), `b` is k×n with strides (`rsb`,
    /// `csb`), `c` is m×n with strides (`rsc`, `csc`). `f32` and `f64` use the
    /// kernels of the `gemm` or `matrixmultiply` crate, whichever is faster
    /// for the shape ([`crate::gemm_crate_for`]), split over the cores for
    /// large products ([`crate::set_max_threads`]); other types use a plain
    /// loop.
    ///
    /// # Safety
    /// Every index reachable through the given dimensions and strides must lie
    /// inside the corresponding buffer, and `c` must not overlap `a` or `b`.
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        rsa: isize,
        csa: isize,
        b: *const Self,
        rsb: isize,
        csb: isize,
        beta: Self,
        c: *mut Self,
        rsc: isize,
        csc: isize,
    ) {
        for i in 0..m {
            for j in 0..n {
                let mut acc = Self::zero();
                for p in 0..k {
                    acc += *a.offset(i as isize * rsa + p as isize * csa)
                        * *b.offset(p as isize * rsb + j as isize * csb);
                }
                let cij = c.offset(i as isize * rsc + j as isize * csc);
                // with beta = 0, c is written without being read (it may be uninitialised)
                let v = if beta == Self::zero() {
                    alpha * acc
                } else {
                    alpha * acc + beta * *cij
                };
                cij.write(v);
            }
        }
    }

    /// ln(1 + x), accurate for x near 0 (where `(1 + x).ln()` loses digits).
    fn ln_1p(self) -> Self {
        (Self::one() + self).ln()
    }

    /// eˣ − 1, accurate for x near 0 (where `x.exp() - 1` loses digits).
    fn exp_m1(self) -> Self {
        self.exp() - Self::one()
    }
}

macro_rules! impl_real_float {
    ($t:ty, $name:literal) => {
        impl Real for $t {
            const NAME: &'static str = $name;
            // neither GEMM crate reads c when beta is 0
            const GEMM_BETA_ZERO_WRITES_ONLY: bool = true;
            #[inline]
            fn pool() -> Option<&'static LocalKey<RefCell<Pool<Self>>>> {
                thread_local! {
                    static POOL: RefCell<Pool<$t>> = const { RefCell::new(Pool::new()) };
                }
                Some(&POOL)
            }
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn zero() -> Self {
                0.0
            }
            #[inline]
            fn one() -> Self {
                1.0
            }
            #[inline]
            fn exp(self) -> Self {
                <$t>::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                <$t>::ln(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                <$t>::powi(self, n)
            }
            #[inline]
            fn powf(self, p: Self) -> Self {
                <$t>::powf(self, p)
            }
            #[inline]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                <$t>::tanh(self)
            }
            #[inline]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                <$t>::is_finite(self)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                if other > self {
                    other
                } else {
                    self
                }
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                if other < self {
                    other
                } else {
                    self
                }
            }
            unsafe fn gemm(
                m: usize,
                k: usize,
                n: usize,
                alpha: Self,
                a: *const Self,
                rsa: isize,
                csa: isize,
                b: *const Self,
                rsb: isize,
                csb: isize,
                beta: Self,
                c: *mut Self,
                rsc: isize,
                csc: isize,
            ) {
                crate::gemm::gemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                <$t>::ln_1p(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                <$t>::exp_m1(self)
            }
        }
    };
}

impl_real_float!(f32, "f32");
impl_real_float!(f64, "f64");

/// A dual number `re + eps·ε` with ε² = 0: a value and its directional derivative.
///
/// Running the tape on `Dual` numbers whose tangents are a direction `v` makes
/// every recorded partial carry its own derivative along `v`, so the reverse
/// sweep returns both the gradient (`re`) and the Hessian-vector product
/// H·v (`eps`). [`crate::hessian`] and [`crate::hvp`] are built on this.
///
/// ```
/// use autograd::Dual;
/// let x = Dual::new(3.0, 1.0);
/// let y = x * x; // d(x²)/dx = 2x
/// assert_eq!((y.re, y.eps), (9.0, 6.0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Dual {
    /// The value.
    pub re: f64,
    /// The tangent (directional derivative).
    pub eps: f64,
}

impl Dual {
    /// A dual number with value `re` and tangent `eps`.
    pub const fn new(re: f64, eps: f64) -> Self {
        Dual { re, eps }
    }
    /// Applies a function with value `f` and derivative `df` at `self.re`.
    #[inline]
    fn chain(self, f: f64, df: f64) -> Self {
        Dual::new(f, df * self.eps)
    }
}

impl PartialOrd for Dual {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

impl Display for Dual {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{:+}ε", self.re, self.eps)
    }
}

impl Add for Dual {
    type Output = Dual;
    #[inline]
    fn add(self, o: Dual) -> Dual {
        Dual::new(self.re + o.re, self.eps + o.eps)
    }
}
impl Sub for Dual {
    type Output = Dual;
    #[inline]
    fn sub(self, o: Dual) -> Dual {
        Dual::new(self.re - o.re, self.eps - o.eps)
    }
}
impl Mul for Dual {
    type Output = Dual;
    #[inline]
    fn mul(self, o: Dual) -> Dual {
        Dual::new(self.re * o.re, self.re * o.eps + self.eps * o.re)
    }
}
impl Div for Dual {
    type Output = Dual;
    #[inline]
    fn div(self, o: Dual) -> Dual {
        Dual::new(
            self.re / o.re,
            (self.eps * o.re - self.re * o.eps) / (o.re * o.re),
        )
    }
}
impl Neg for Dual {
    type Output = Dual;
    #[inline]
    fn neg(self) -> Dual {
        Dual::new(-self.re, -self.eps)
    }
}
impl AddAssign for Dual {
    fn add_assign(&mut self, o: Dual) {
        *self = *self + o;
    }
}
impl SubAssign for Dual {
    fn sub_assign(&mut self, o: Dual) {
        *self = *self - o;
    }
}
impl MulAssign for Dual {
    fn mul_assign(&mut self, o: Dual) {
        *self = *self * o;
    }
}
impl DivAssign for Dual {
    fn div_assign(&mut self, o: Dual) {
        *self = *self / o;
    }
}
impl std::iter::Sum for Dual {
    fn sum<I: Iterator<Item = Dual>>(iter: I) -> Dual {
        iter.fold(Dual::default(), |a, b| a + b)
    }
}

impl Real for Dual {
    const NAME: &'static str = "dual";
    // the default `gemm` assigns every element of c without reading it when beta = 0
    const GEMM_BETA_ZERO_WRITES_ONLY: bool = true;
    fn from_f64(x: f64) -> Self {
        Dual::new(x, 0.0)
    }
    fn to_f64(self) -> f64 {
        self.re
    }
    fn exp(self) -> Self {
        let e = self.re.exp();
        self.chain(e, e)
    }
    fn ln(self) -> Self {
        self.chain(self.re.ln(), 1.0 / self.re)
    }
    fn sqrt(self) -> Self {
        let s = self.re.sqrt();
        self.chain(s, 0.5 / s)
    }
    fn powi(self, n: i32) -> Self {
        self.chain(self.re.powi(n), n as f64 * self.re.powi(n - 1))
    }
    fn powf(self, p: Self) -> Self {
        // d(x^p) = p x^(p-1) dx + x^p ln(x) dp
        let y = self.re.powf(p.re);
        let dx = if p.re == 0.0 {
            0.0
        } else {
            p.re * self.re.powf(p.re - 1.0)
        };
        let dp = if p.eps == 0.0 { 0.0 } else { y * self.re.ln() };
        Dual::new(y, dx * self.eps + dp * p.eps)
    }
    fn sin(self) -> Self {
        self.chain(self.re.sin(), self.re.cos())
    }
    fn cos(self) -> Self {
        self.chain(self.re.cos(), -self.re.sin())
    }
    fn tanh(self) -> Self {
        let t = self.re.tanh();
        self.chain(t, 1.0 - t * t)
    }
    fn abs(self) -> Self {
        if self.re < 0.0 {
            -self
        } else {
            self
        }
    }
    fn is_finite(self) -> bool {
        self.re.is_finite() && self.eps.is_finite()
    }
    fn sigmoid(self) -> Self {
        let s = self.re.sigmoid();
        self.chain(s, s * (1.0 - s))
    }
    fn ln_1p(self) -> Self {
        self.chain(self.re.ln_1p(), 1.0 / (1.0 + self.re))
    }
    fn exp_m1(self) -> Self {
        self.chain(self.re.exp_m1(), self.re.exp())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dual_rules_match_calculus() {
        let x = Dual::new(0.7, 1.0);
        let cases: [(Dual, f64); 7] = [
            (x.exp(), 0.7f64.exp()),
            (x.ln(), 1.0 / 0.7),
            (x.sqrt(), 0.5 / 0.7f64.sqrt()),
            (x.powi(3), 3.0 * 0.49),
            (x.sin(), 0.7f64.cos()),
            (x.tanh(), 1.0 - 0.7f64.tanh().powi(2)),
            (x / (x + Dual::from_f64(1.0)), 1.0 / 1.7f64.powi(2)),
        ];
        for (y, d) in cases {
            assert!((y.eps - d).abs() < 1e-12, "{y} vs {d}");
        }
    }

    #[test]
    fn sigmoid_is_stable_at_extremes() {
        assert_eq!(1000.0f64.sigmoid(), 1.0);
        assert_eq!((-1000.0f64).sigmoid(), 0.0);
        assert!(((-1000.0f32).sigmoid()).is_finite());
    }
}
