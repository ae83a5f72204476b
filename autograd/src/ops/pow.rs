//! x^y element by element for two tensors, with NumPy broadcasting.

use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{broadcast_shape, ok, Tensor, TensorVar};

/// z = x^y for equal shapes (the front end broadcasts first).
///
/// ∂z/∂x = y·x^(y−1), taken as 0 where y = 0 (z is then constant in x);
/// ∂z/∂y = x^y·ln x, taken as 0 where x = 0 and y ≥ 0 (the limit of
/// x^y·ln x as x → 0⁺). For x < 0, x^y is real only at integer y and
/// ∂z/∂y is NaN, as in PyTorch.
struct Pow;

impl<E: Real> Op<E> for Pow {
    fn name(&self) -> &'static str {
        "pow"
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        crate::tape::same_shape("pow", xs[0], xs[1])?;
        Ok(xs[0].zip_map(xs[1], |x, y| x.powf(y)))
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (x, y, z, dz) = (cx.input(0), cx.input(1), cx.output(), cx.grad());
        let zero = E::zero();
        let dx = cx.needs_grad(0).then(|| {
            dz.zip3_map(x, y, |g, x, y| {
                if y == zero {
                    zero
                } else {
                    g * y * x.powf(y - E::one())
                }
            })
        });
        let dy = cx.needs_grad(1).then(|| {
            let gz = dz.zip_map(z, |g, z| g * z);
            gz.zip3_map(x, y, |gz, x, y| {
                if x == zero && y >= zero {
                    zero
                } else {
                    gz * x.ln()
                }
            })
        });
        if let Some(dx) = dx {
            cx.set_grad(0, dx);
        }
        if let Some(dy) = dy {
            cx.set_grad(1, dy);
        }
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// x^y element by element, both tensors, with NumPy broadcasting (use
    /// [`TensorVar::powf`] or [`TensorVar::powi`] for a constant exponent).
    ///
    /// ∂/∂x = y·x^(y−1) and ∂/∂y = x^y·ln x. Where y = 0 the first is taken
    /// as 0, and where x = 0 and y ≥ 0 the second is taken as 0 (its limit);
    /// for x < 0 the gradient with respect to y is NaN.
    ///
    /// # Errors
    /// [`crate::Error::Shape`] if the shapes do not broadcast.
    pub fn try_pow(self, exponent: Self) -> Result<Self> {
        let (sa, sb) = (self.shape(), exponent.shape());
        let target = broadcast_shape("pow", &sa, &sb)?;
        let a = if sa == target {
            self
        } else {
            self.try_broadcast_to(&target)?
        };
        let b = if sb == target {
            exponent
        } else {
            exponent.try_broadcast_to(&target)?
        };
        a.apply2(Pow, b)
    }

    /// x^y element by element with broadcasting (see [`TensorVar::try_pow`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2], vec![2.0, 3.0]).unwrap());
    /// let y = tape.tensor(Tensor::from_vec(&[1], vec![2.0]).unwrap());
    /// let z = x.pow(y);
    /// assert_eq!(z.value().data(), &[4.0, 9.0]);
    /// let g = z.sum().backward();
    /// assert_eq!(g[x].data(), &[4.0, 6.0]); // y·x^(y−1)
    /// let dy = 4.0 * 2f64.ln() + 9.0 * 3f64.ln(); // Σ x^y·ln x
    /// assert!((g[y].data()[0] - dy).abs() < 1e-12);
    /// ```
    ///
    /// # Panics
    /// If the shapes do not broadcast; the message names `pow` and both shapes.
    #[track_caller]
    pub fn pow(self, exponent: Self) -> Self {
        ok(self.try_pow(exponent))
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, hessian_tensor, Error, Tape, Tensor, TensorVar};

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    #[test]
    fn values_and_gradients_by_hand() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[3], &[2.0, 4.0, 9.0]));
        let y = tape.tensor(t(&[3], &[3.0, 0.5, -1.0]));
        let z = x.pow(y);
        assert_eq!(z.value().data(), &[8.0, 2.0, 1.0 / 9.0]);
        let g = z.sum().backward();
        // y·x^(y−1): 3·4, 0.5/√4, −1/81
        assert_eq!(g[x].data(), &[12.0, 0.25, -1.0 / 81.0]);
        // x^y·ln x: 8 ln 2, 2 ln 4, ln 9 / 9
        let want = [8.0 * 2f64.ln(), 2.0 * 4f64.ln(), 9f64.ln() / 9.0];
        assert!(g[y].max_abs_diff(&t(&[3], &want)) < 1e-14);
    }

    #[test]
    fn broadcasts_like_numpy() {
        let tape = Tape::new();
        let base = tape.tensor(t(&[2, 1], &[2.0, 3.0]));
        let exps = tape.tensor(t(&[3], &[0.0, 1.0, 2.0]));
        let z = base.pow(exps);
        assert_eq!(z.shape().as_slice(), &[2, 3]);
        assert_eq!(z.value().data(), &[1.0, 2.0, 4.0, 1.0, 3.0, 9.0]);
        let g = z.sum().backward();
        assert_eq!(g[base].shape(), &[2, 1]);
        // Σ_y y·x^(y−1) = 0 + 1 + 2x
        assert_eq!(g[base].data(), &[5.0, 7.0]);
        assert_eq!(g[exps].shape(), &[3]);
    }

    #[test]
    fn gradients_match_central_differences() {
        let x = t(&[2, 3], &[0.5, 1.2, 2.0, 0.8, 1.7, 3.1]);
        let y = t(&[2, 3], &[1.5, -0.7, 2.2, 0.3, 1.0, -1.4]);
        check_tensor_grad(
            |p: &[TensorVar]| p[0].pow(p[1]).sum(),
            &[x.clone(), y.clone()],
        )
        .assert_passed();
        let row = t(&[3], &[0.4, 1.3, -0.6]);
        check_tensor_grad(|p: &[TensorVar]| (p[0].pow(p[1]) * p[0]).sum(), &[x, row])
            .assert_passed();
    }

    #[test]
    fn edge_cases_at_zero() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[3], &[0.0, 0.0, 5.0]));
        let y = tape.tensor(t(&[3], &[2.0, 0.0, 0.0]));
        let z = x.pow(y);
        assert_eq!(z.value().data(), &[0.0, 1.0, 1.0]);
        let g = z.sum().backward();
        assert_eq!(g[x].data(), &[0.0, 0.0, 0.0]);
        assert_eq!(g[y].data(), &[0.0, 0.0, 5f64.ln()]);
        // a negative base has no real derivative in the exponent
        let n = tape.tensor(t(&[1], &[-2.0]));
        let e = tape.tensor(t(&[1], &[3.0]));
        let g = n.pow(e).sum().backward();
        assert_eq!(g[n].data(), &[12.0]);
        assert!(g[e].data()[0].is_nan());
    }

    #[test]
    fn a_constant_exponent_skips_its_gradient() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[2], &[-2.0, 3.0]));
        let y = tape.tensor_constant(t(&[2], &[2.0, 2.0]));
        let g = x.pow(y).sum().backward();
        assert_eq!(g[x].data(), &[-4.0, 6.0]);
        assert!(g.wrt(y).is_none());
    }

    #[test]
    fn second_derivative_through_dual() {
        // f(x) = Σ x^x; f''(x) = x^x·((ln x + 1)² + 1/x) on the diagonal
        let at = t(&[2], &[0.7, 1.9]);
        let h = hessian_tensor(|x| x.pow(x).sum(), &at);
        for (i, &x) in at.data().iter().enumerate() {
            let want = x.powf(x) * ((x.ln() + 1.0).powi(2) + 1.0 / x);
            assert!((h.at(&[i, i]) - want).abs() < 1e-12, "{h:?}");
        }
        assert_eq!(h.at(&[0, 1]), 0.0);
    }

    #[test]
    fn shape_error_names_both_shapes() {
        let tape = Tape::new();
        let a = tape.tensor(Tensor::zeros(&[2, 3]));
        let b = tape.tensor(Tensor::zeros(&[4]));
        let err = a.try_pow(b).unwrap_err();
        assert!(matches!(err, Error::Shape { op: "pow", .. }));
        assert_eq!(
            err.to_string(),
            "pow: shapes must be equal or broadcastable (axis 1 from the left has sizes 3 and 4), found shapes [2, 3] and [4]"
        );
    }

    #[test]
    #[should_panic(expected = "pow: shapes must be equal or broadcastable")]
    fn pow_panics_on_shape_mismatch() {
        let tape = Tape::new();
        let a = tape.tensor(Tensor::zeros(&[2]));
        a.pow(tape.tensor(Tensor::zeros(&[3])));
    }

    #[test]
    fn runs_on_f32() {
        let tape = Tape::<f32>::default();
        let x = tape.tensor(Tensor::from_f64(&[2], &[2.0, 3.0]).unwrap());
        let y = tape.tensor(Tensor::from_f64(&[2], &[3.0, 2.0]).unwrap());
        let z = x.pow(y);
        assert_eq!(z.value().data(), &[8.0f32, 9.0]);
        let g = z.sum().backward();
        assert_eq!(g[x].data(), &[12.0f32, 6.0]);
        assert!((g[y].data()[1] - 9.0 * 3f32.ln()).abs() < 1e-5);
    }
}
