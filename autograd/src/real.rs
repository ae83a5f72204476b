//! The element types a tape computes with: `f32`, `f64`, and [`Dual`] for second derivatives.

use std::fmt::{Debug, Display};
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// A real number the tape can compute with.
///
/// Implemented for `f32` (fast training), `f64` (gradient checks, the course's
/// exact numbers) and [`Dual`] (a value with a tangent, which turns the reverse
/// sweep into a Hessian-vector product; see [`crate::hessian`]).
///
/// Comparisons (`PartialOrd`) and [`Real::to_f64`] look at the value only.
///
/// The trait says only what a number is: arithmetic, the math functions,
/// conversions, a name. How tensors of a type are stored and multiplied is
/// the engine's business, chosen by the type:
///
/// - `f32` tensors, and `f64` products of at least
///   [`crate::PARALLEL_MIN_MACS`] multiply-adds, multiply on the kernels of
///   the `gemm` and `matrixmultiply` crates, split over the cores for large
///   products ([`crate::gemm_crate_for`], [`crate::set_max_threads`]); the
///   buffers of both types are reused through a per-thread cache
///   ([`crate::pool`]);
/// - smaller `f64` products and every other type, [`Dual`] or one of your
///   own, multiply matrices with a fixed-order loop on the calling thread
///   (summing over the inner dimension in order, no fused multiply-add), so
///   that `f64`'s small products are the same bits on every CPU, as are its
///   `exp`, `ln`, `sin`, `tanh`, … (the pure-Rust `libm` crate's, where
///   `f32` uses the platform's); the other types allocate and free their buffers with the system
///   allocator ([`crate::pool::stats`] is `None` for it).
///
/// A type of your own implements the required methods; the others have
/// defaults. A number on a fixed grid of 1/1024, say:
///
/// ```
/// use autograd::{Real, Tape, Tensor};
/// use std::ops::*;
///
/// #[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
/// struct Fixed(f64);
/// impl Fixed {
///     fn round(x: f64) -> Fixed {
///         Fixed((x * 1024.0).round() / 1024.0)
///     }
/// }
/// impl std::fmt::Display for Fixed {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         write!(f, "{}", self.0)
///     }
/// }
/// macro_rules! op {
///     ($tr:ident, $f:ident, $tra:ident, $fa:ident, $o:tt) => {
///         impl $tr for Fixed {
///             type Output = Fixed;
///             fn $f(self, o: Fixed) -> Fixed { Fixed::round(self.0 $o o.0) }
///         }
///         impl $tra for Fixed {
///             fn $fa(&mut self, o: Fixed) { *self = *self $o o; }
///         }
///     };
/// }
/// op!(Add, add, AddAssign, add_assign, +);
/// op!(Sub, sub, SubAssign, sub_assign, -);
/// op!(Mul, mul, MulAssign, mul_assign, *);
/// op!(Div, div, DivAssign, div_assign, /);
/// impl Neg for Fixed {
///     type Output = Fixed;
///     fn neg(self) -> Fixed { Fixed(-self.0) }
/// }
/// impl std::iter::Sum for Fixed {
///     fn sum<I: Iterator<Item = Fixed>>(it: I) -> Fixed { it.fold(Fixed(0.0), |a, b| a + b) }
/// }
/// impl Real for Fixed {
///     const NAME: &'static str = "fixed";
///     fn from_f64(x: f64) -> Self { Fixed::round(x) }
///     fn to_f64(self) -> f64 { self.0 }
///     fn exp(self) -> Self { Fixed::round(self.0.exp()) }
///     fn ln(self) -> Self { Fixed::round(self.0.ln()) }
///     fn sqrt(self) -> Self { Fixed::round(self.0.sqrt()) }
///     fn powi(self, n: i32) -> Self { Fixed::round(self.0.powi(n)) }
///     fn powf(self, p: Self) -> Self { Fixed::round(self.0.powf(p.0)) }
///     fn sin(self) -> Self { Fixed::round(self.0.sin()) }
///     fn cos(self) -> Self { Fixed::round(self.0.cos()) }
///     fn tanh(self) -> Self { Fixed::round(self.0.tanh()) }
///     fn abs(self) -> Self { Fixed(self.0.abs()) }
///     fn is_finite(self) -> bool { self.0.is_finite() }
/// }
///
/// // a product and its gradient on the tape, with the plain-loop GEMM
/// let tape = Tape::<Fixed>::default();
/// let a = tape.tensor(Tensor::from_f64(&[1, 2], &[1.5, 2.0]).unwrap());
/// let b = tape.tensor(Tensor::from_f64(&[2, 1], &[0.5, 0.25]).unwrap());
/// let y = a.matmul(b).sum();
/// assert_eq!(y.value(), Fixed(1.25));
/// let g = y.backward();
/// assert_eq!(g[a].data(), &[Fixed(0.5), Fixed(0.25)]);
/// assert!(autograd::pool::stats::<Fixed>().is_none());
/// ```
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
    /// Whether training in this type flushes subnormal numbers to zero
    /// (see [`crate::FlushSubnormals::for_training`]): true for `f32`, whose
    /// saturating gradients underflow and stall the CPU; false (the
    /// default) for `f64` and [`Dual`], which keep IEEE arithmetic exactly.
    const FLUSH_SUBNORMALS_IN_TRAINING: bool = false;
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
    ///
    /// One exponential, e = e^-|x| (at most 1, so it never overflows), then
    /// 1 / (1 + e) for x ≥ 0 and e / (1 + e) below: the branch only picks a
    /// quotient, so however the compiler treats it (a jump, or a select of
    /// both sides) a value costs one exponential, not two. The same bits as
    /// the two-branch form with e^-x and e^x, since -|x| is -x or x exactly.
    fn sigmoid(self) -> Self {
        let e = (-self.abs()).exp();
        if self.to_f64() >= 0.0 {
            Self::one() / (Self::one() + e)
        } else {
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

    /// ln(1 + x), accurate for x near 0 (where `(1 + x).ln()` loses digits).
    fn ln_1p(self) -> Self {
        (Self::one() + self).ln()
    }

    /// eˣ − 1, accurate for x near 0 (where `x.exp() - 1` loses digits).
    fn exp_m1(self) -> Self {
        self.exp() - Self::one()
    }
}

/// `f32`'s transcendental functions: the platform's (glibc's on Linux,
/// which picks an AVX2/FMA variant at run time on CPUs that have one).
/// f32 is the training type, where speed matters and the last bit may
/// differ by CPU (docs/performance.md).
mod std_f32 {
    macro_rules! std_fns {
        ($($f:ident),*) => { $(#[inline] pub fn $f(x: f32) -> f32 { x.$f() })* };
    }
    std_fns!(exp, ln, sin, cos, tanh, ln_1p, exp_m1);
    #[inline]
    pub fn powf(x: f32, p: f32) -> f32 {
        x.powf(p)
    }
}

/// `f64`'s transcendental functions, from the pure-Rust `libm` crate
/// (a port of musl's): the same instructions on every x86-64 CPU, so the
/// same bits. glibc's, which std calls, choose an FMA variant of `exp`,
/// `log`, `pow`, `sin`, `cos`, … at run time by CPU: the Playground's test
/// accuracies moved by up to 1.6 points between its FMA and non-FMA
/// variants on one machine. f64 is the type of the Playground, the
/// course's examples and the gradient checks. (`libm` is within an ulp of
/// the exact value, not correctly rounded.)
mod pure_f64 {
    pub use libm::{cos, exp, expm1 as exp_m1, log as ln, log1p as ln_1p, sin, tanh};
    #[inline]
    pub fn powf(x: f64, p: f64) -> f64 {
        libm::pow(x, p)
    }
}

macro_rules! impl_real_float {
    ($t:ty, $name:literal, $m:ident, $flush:literal) => {
        impl Real for $t {
            const NAME: &'static str = $name;
            const FLUSH_SUBNORMALS_IN_TRAINING: bool = $flush;
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
                $m::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                $m::ln(self)
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
                $m::powf(self, p)
            }
            #[inline]
            fn sin(self) -> Self {
                $m::sin(self)
            }
            #[inline]
            fn cos(self) -> Self {
                $m::cos(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                $m::tanh(self)
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
            #[inline]
            fn ln_1p(self) -> Self {
                $m::ln_1p(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                $m::exp_m1(self)
            }
        }
    };
}

impl_real_float!(f32, "f32", std_f32, true);
impl_real_float!(f64, "f64", pure_f64, false);

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
    fn from_f64(x: f64) -> Self {
        Dual::new(x, 0.0)
    }
    fn to_f64(self) -> f64 {
        self.re
    }
    fn exp(self) -> Self {
        let e = Real::exp(self.re);
        self.chain(e, e)
    }
    fn ln(self) -> Self {
        self.chain(Real::ln(self.re), 1.0 / self.re)
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
        let y = Real::powf(self.re, p.re);
        let dx = if p.re == 0.0 {
            0.0
        } else {
            p.re * Real::powf(self.re, p.re - 1.0)
        };
        let dp = if p.eps == 0.0 {
            0.0
        } else {
            y * Real::ln(self.re)
        };
        Dual::new(y, dx * self.eps + dp * p.eps)
    }
    fn sin(self) -> Self {
        self.chain(Real::sin(self.re), Real::cos(self.re))
    }
    fn cos(self) -> Self {
        self.chain(Real::cos(self.re), -Real::sin(self.re))
    }
    fn tanh(self) -> Self {
        let t = Real::tanh(self.re);
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
        self.chain(Real::ln_1p(self.re), 1.0 / (1.0 + self.re))
    }
    fn exp_m1(self) -> Self {
        self.chain(Real::exp_m1(self.re), Real::exp(self.re))
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

    /// The one-exponential form gives the two-exponential form's values
    /// bit for bit (e^-|x| is e^-x above zero and e^x below).
    #[test]
    fn sigmoid_matches_the_two_branch_formula() {
        fn two_branch(x: f32) -> f32 {
            if x >= 0.0 {
                1.0 / (1.0 + (-x).exp())
            } else {
                let e = x.exp();
                e / (1.0 + e)
            }
        }
        let mut x = -120.0f32;
        while x < 120.0 {
            assert_eq!(x.sigmoid().to_bits(), two_branch(x).to_bits(), "at {x}");
            x += 0.0137;
        }
        for x in [
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::MAX,
            f32::MIN,
        ] {
            assert_eq!(x.sigmoid().to_bits(), two_branch(x).to_bits(), "at {x}");
        }
        assert!(f32::NAN.sigmoid().is_nan());
        // and in f64, the course's exact numbers
        let mut x = -800.0f64;
        while x < 800.0 {
            let two = if x >= 0.0 {
                1.0 / (1.0 + Real::exp(-x))
            } else {
                let e = Real::exp(x);
                e / (1.0 + e)
            };
            assert_eq!(x.sigmoid().to_bits(), two.to_bits(), "at {x}");
            x += 0.0913;
        }
    }
}
