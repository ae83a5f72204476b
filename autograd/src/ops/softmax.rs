//! Softmax and log-softmax along one axis, computed stably: the maximum of
//! each lane is subtracted before exponentiating, so logits of ±1000 give
//! finite values and finite gradients.

use super::axis::{check_axis, lane_starts, lanes};
use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{ok, Tensor, TensorVar};

/// y = softmax(x) (or log-softmax) along `axis`.
///
/// Forward, per lane: m = max x, s = Σ e^(x−m);
/// softmax y = e^(x−m) / s, log-softmax y = x − m − ln s.
///
/// Backward, per lane (the output is saved, so nothing is recomputed):
/// softmax dx = y ⊙ (dy − Σ dy ⊙ y);
/// log-softmax dx = dy − e^y ⊙ Σ dy (e^y is the softmax, at most 1).
struct Softmax {
    axis: usize,
    log: bool,
}

impl<E: Real> Op<E> for Softmax {
    fn name(&self) -> &'static str {
        if self.log {
            "log_softmax"
        } else {
            "softmax"
        }
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let x = xs[0];
        check_axis(<Self as Op<E>>::name(self), x.shape(), self.axis)?;
        let (outer, n, inner) = lanes(x.shape(), self.axis);
        let src = x.data();
        let mut y = Tensor::zeros(x.shape());
        let out = y.data_mut();
        if n > 0 {
            for start in lane_starts(outer, n, inner) {
                let lane = (0..n).map(|k| start + k * inner);
                let m = lane.clone().map(|j| src[j]).fold(src[start], E::max);
                let mut s = E::zero();
                for j in lane.clone() {
                    let d = src[j] - m;
                    let e = d.exp();
                    s += e;
                    out[j] = if self.log { d } else { e };
                }
                if self.log {
                    let ls = s.ln();
                    lane.for_each(|j| out[j] -= ls);
                } else {
                    lane.for_each(|j| out[j] /= s);
                }
            }
        }
        Ok(y)
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (y, dy) = (cx.output(), cx.grad());
        let (outer, n, inner) = lanes(y.shape(), self.axis);
        let (yd, gd) = (y.data(), dy.data());
        let mut dxt = Tensor::zeros(y.shape());
        let dx = dxt.data_mut();
        if n > 0 {
            for start in lane_starts(outer, n, inner) {
                let lane = (0..n).map(|k| start + k * inner);
                if self.log {
                    let total: E = lane.clone().map(|j| gd[j]).sum();
                    lane.for_each(|j| dx[j] = gd[j] - yd[j].exp() * total);
                } else {
                    let dot: E = lane.clone().map(|j| gd[j] * yd[j]).sum();
                    lane.for_each(|j| dx[j] = yd[j] * (gd[j] - dot));
                }
            }
        }
        cx.set_grad(0, dxt);
    }
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// Softmax along `axis`: e^x / Σ e^x over each lane, so every lane is a
    /// probability distribution. Computed as e^(x−max) / Σ e^(x−max), which
    /// neither overflows nor underflows to 0/0 for large logits.
    ///
    /// The gradient is dx = y ⊙ (dy − Σ dy ⊙ y) along the axis.
    ///
    /// # Errors
    /// [`crate::Error::OutOfRange`] if `axis` is not an axis of the tensor.
    pub fn try_softmax(self, axis: usize) -> Result<Self> {
        self.apply1(Softmax { axis, log: false })
    }

    /// Softmax along `axis` (see [`TensorVar::try_softmax`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let logits = Tensor::from_vec(&[2, 3], vec![1.0, 2.0, 3.0, 1000.0, 1000.0, 1000.0]).unwrap();
    /// let p = tape.tensor(logits).softmax(1).value();
    /// assert!((p.at(&[0, 2]) - 0.665241).abs() < 1e-6);
    /// assert!((p.at(&[1, 0]) - 1.0 / 3.0).abs() < 1e-12); // no overflow
    /// ```
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names `softmax`,
    /// the axis and the shape.
    #[track_caller]
    pub fn softmax(self, axis: usize) -> Self {
        ok(self.try_softmax(axis))
    }

    /// Log-softmax along `axis`: x − ln Σ e^x over each lane, computed as
    /// x − max − ln Σ e^(x−max). Finite for any finite input (logits of ±1000
    /// included), unlike `softmax(axis).ln()`, which gives −∞ where the
    /// softmax underflows.
    ///
    /// The gradient is dx = dy − softmax(x) ⊙ Σ dy along the axis.
    ///
    /// # Errors
    /// [`crate::Error::OutOfRange`] if `axis` is not an axis of the tensor.
    pub fn try_log_softmax(self, axis: usize) -> Result<Self> {
        self.apply1(Softmax { axis, log: true })
    }

    /// Log-softmax along `axis` (see [`TensorVar::try_log_softmax`]).
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2], vec![1000.0, -1000.0]).unwrap());
    /// let y = x.log_softmax(0);
    /// assert_eq!(y.value().data(), &[0.0, -2000.0]);
    /// let g = y.sum().backward();
    /// assert_eq!(g[x].data(), &[-1.0, 1.0]); // 1 − 2·softmax
    /// ```
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names
    /// `log_softmax`, the axis and the shape.
    #[track_caller]
    pub fn log_softmax(self, axis: usize) -> Self {
        ok(self.try_log_softmax(axis))
    }
}

#[cfg(test)]
mod tests {
    use crate::{check_tensor_grad, hessian_tensor, Error, Tape, Tensor, TensorVar};

    fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
        Tensor::from_f64(shape, data).unwrap()
    }

    fn close(a: &[f64], b: &[f64], tol: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn values_match_hand_computation() {
        // Σ e^x = e + e² + e³ = 30.192874; ln of it = 3.407606
        let tape = Tape::new();
        let x = tape.tensor(t(&[3], &[1.0, 2.0, 3.0]));
        let p = x.softmax(0).value();
        assert!(close(
            p.data(),
            &[0.090_030_573, 0.244_728_471, 0.665_240_956],
            1e-9
        ));
        let lp = x.log_softmax(0).value();
        assert!(close(
            lp.data(),
            &[-2.407_605_964, -1.407_605_964, -0.407_605_964],
            1e-9
        ));
    }

    #[test]
    fn works_along_any_axis() {
        let tape = Tape::new();
        let x = tape.tensor(t(&[2, 3], &[1.0, 2.0, 3.0, 3.0, 2.0, 1.0]));
        // along axis 0, each column [a, b] gives [σ(a−b), σ(b−a)]
        let p = x.softmax(0).value();
        let s = 1.0 / (1.0 + 2f64.exp()); // σ(−2)
        assert!(close(p.data(), &[s, 0.5, 1.0 - s, 1.0 - s, 0.5, s], 1e-12));
        let q = x.softmax(1).value();
        assert!(close(
            q.sum_axis(1, false).unwrap().data(),
            &[1.0, 1.0],
            1e-12
        ));
        assert!(close(
            &[q.at(&[0, 0]), q.at(&[1, 2])],
            &[0.090_030_573, 0.090_030_573],
            1e-9
        ));
        // a 3-D tensor along its middle axis
        let x3 = tape.tensor(Tensor::from_fn(&[2, 3, 2], |i| {
            (i[0] + 2 * i[1] + i[2]) as f64
        }));
        let lp = x3.log_softmax(1).value();
        let expect = [-4.142_931_6, -2.142_931_6, -0.142_931_6];
        for o in 0..2 {
            for i in 0..2 {
                let lane: Vec<f64> = (0..3).map(|k| lp.at(&[o, k, i])).collect();
                assert!(close(&lane, &expect, 1e-7), "{lane:?}");
            }
        }
    }

    #[test]
    fn gradients_match_central_differences() {
        let x = t(&[2, 3], &[0.3, -1.2, 0.8, 1.5, 0.1, -0.4]);
        let w = t(&[2, 3], &[0.7, -0.2, 1.1, -0.5, 0.9, 0.4]);
        for axis in 0..2 {
            check_tensor_grad(
                |p: &[TensorVar]| (p[0].softmax(axis) * p[1]).sum(),
                &[x.clone(), w.clone()],
            )
            .assert_passed();
            check_tensor_grad(
                |p: &[TensorVar]| (p[0].log_softmax(axis) * p[1]).sum(),
                &[x.clone(), w.clone()],
            )
            .assert_passed();
        }
        let x3 = Tensor::from_fn(&[2, 3, 2], |i| {
            ((i[0] * 7 + i[1] * 3 + i[2]) % 5) as f64 * 0.3
        });
        check_tensor_grad(|p: &[TensorVar]| p[0].log_softmax(1).powi(2).sum(), &[x3])
            .assert_passed();
    }

    #[test]
    fn stable_at_plus_minus_1000() {
        let tape = Tape::new();
        let x = tape.tensor(t(
            &[2, 3],
            &[1000.0, -1000.0, 0.0, -1000.0, -1000.0, -1000.0],
        ));
        let lp = x.log_softmax(1);
        // the engine's own ln (the `libm` crate's, within an ulp of the exact value)
        let third = -crate::Real::ln(3f64);
        assert_eq!(
            lp.value().data(),
            &[0.0, -2000.0, -1000.0, third, third, third]
        );
        // Σ log_softmax: dx = 1 − 3·softmax
        let g = lp.sum().backward();
        assert!(close(g[x].data(), &[-2.0, 1.0, 1.0, 0.0, 0.0, 0.0], 1e-12));

        let p = x.softmax(1);
        assert!(close(
            p.value().data(),
            &[1.0, 0.0, 0.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
            1e-15
        ));
        let w = tape.tensor_constant(t(&[2, 3], &[2.0, 1.0, 0.0, 1.0, 2.0, 3.0]));
        let g = (p * w).sum().backward();
        assert!(g[x].data().iter().all(|v| v.is_finite()));
        // second row: y ⊙ (w − Σ w ⊙ y) = (1/3)·(w − 2)
        assert!(close(
            &g[x].data()[3..],
            &[-1.0 / 3.0, 0.0, 1.0 / 3.0],
            1e-12
        ));
        // the cross-entropy of a confidently wrong prediction stays finite
        let loss = -(lp.value().at(&[0, 1]));
        assert_eq!(loss, 2000.0);
    }

    #[test]
    fn runs_on_f32() {
        let tape = Tape::<f32>::default();
        let x = tape.tensor(Tensor::from_f64(&[2, 2], &[0.0, 88.0, -500.0, 500.0]).unwrap());
        let y = x.log_softmax(1);
        let v = y.value();
        assert!(v.data().iter().all(|v| v.is_finite()), "{v:?}");
        assert!((v.at(&[0, 0]) + 88.0).abs() < 1e-3);
        assert_eq!(v.at(&[1, 0]), -1000.0);
        let g = y.sum().backward();
        assert_eq!(g[x].data(), &[1.0, -1.0, 1.0, -1.0]);
        let p = x.softmax(1).value();
        assert!((p.at(&[0, 0]) - (-88f32).exp()).abs() < 1e-40);
        assert_eq!(&p.data()[1..], &[1.0, 0.0, 1.0]);
    }

    #[test]
    fn hessian_of_cross_entropy_is_diag_p_minus_ppt() {
        // −log softmax(x)[0] = logsumexp(x) − x₀, whose Hessian is diag(p) − ppᵀ
        let x = t(&[3], &[0.5, -0.3, 1.2]);
        let h = hessian_tensor(
            |x| {
                let mask = x
                    .tape()
                    .tensor_constant(Tensor::from_f64(&[3], &[1.0, 0.0, 0.0]).unwrap());
                -(x.log_softmax(0) * mask).sum()
            },
            &x,
        );
        let tape = Tape::new();
        let p = tape.tensor(x.clone()).softmax(0).value();
        let p = p.data();
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { p[i] } else { 0.0 } - p[i] * p[j];
                assert!((h.at(&[i, j]) - want).abs() < 1e-12, "H[{i}][{j}]");
            }
        }
    }

    #[test]
    fn axis_out_of_range_is_an_error() {
        let tape = Tape::new();
        let x = tape.tensor(Tensor::zeros(&[2, 3]));
        let err = x.try_softmax(2).unwrap_err();
        assert!(matches!(err, Error::OutOfRange { op: "softmax", .. }));
        assert_eq!(
            err.to_string(),
            "softmax: axis 2 is out of range for shape [2, 3] (2 axes)"
        );
        let s = tape.tensor(Tensor::scalar(1.0));
        assert_eq!(
            s.try_log_softmax(0).unwrap_err().to_string(),
            "log_softmax: axis 0 is out of range for shape [] (0 axes)"
        );
    }

    #[test]
    #[should_panic(expected = "log_softmax: axis 5 is out of range for shape [3] (1 axes)")]
    fn panicking_twin_reports_the_error() {
        let tape = Tape::new();
        tape.tensor(Tensor::zeros(&[3])).log_softmax(5);
    }
}
