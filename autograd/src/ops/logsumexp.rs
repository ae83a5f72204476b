//! ln Σ eˣ along one axis, computed stably (the lane's maximum is taken out
//! before exponentiating).

use super::axis::{check_axis, lane_starts, lanes};
use crate::error::Result;
use crate::op::{Backward, Op};
use crate::real::Real;
use crate::tensor::{ok, shape_of, Tensor, TensorVar};

/// y = ln Σ eˣ along `axis`, per lane: m + ln s with m the lane's maximum
/// and s = Σ e^(x−m). Backward: dx = dy · e^(x−m)/s, the softmax of the lane.
struct LogSumExp {
    axis: usize,
    keepdim: bool,
}

impl<E: Real> Op<E> for LogSumExp {
    fn name(&self) -> &'static str {
        "logsumexp"
    }

    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let x = xs[0];
        check_axis("logsumexp", x.shape(), self.axis)?;
        let (outer, n, inner) = lanes(x.shape(), self.axis);
        let mut shape = shape_of(x.shape());
        if self.keepdim {
            shape[self.axis] = 1;
        } else {
            shape.remove(self.axis);
        }
        let src = x.data();
        let mut y = Tensor::zeros(&shape);
        let out = y.data_mut();
        for (k, start) in lane_starts(outer, n, inner).enumerate() {
            out[k] = if n == 0 {
                // the sum of no terms is 0, and ln 0 = −∞ (as PyTorch)
                E::zero().ln()
            } else {
                let (m, s) = lane_stats(src, start, n, inner);
                m + s.ln()
            };
        }
        Ok(y)
    }

    fn backward(&self, cx: &mut Backward<'_, E>) {
        let x = cx.input(0);
        let (outer, n, inner) = lanes(x.shape(), self.axis);
        let (src, g) = (x.data(), cx.grad().data());
        let mut dx = Tensor::zeros(x.shape());
        let d = dx.data_mut();
        if n > 0 {
            for (k, start) in lane_starts(outer, n, inner).enumerate() {
                // e^(x−m)/s rather than e^(x−y): m + ln s has lost the digits
                // of ln s below m's last place
                let (m, s) = lane_stats(src, start, n, inner);
                for j in (0..n).map(|j| start + j * inner) {
                    d[j] = g[k] * ((src[j] - m).exp() / s);
                }
            }
        }
        cx.set_grad(0, dx);
    }
}

/// A non-empty lane's maximum m and Σ e^(x−m).
fn lane_stats<E: Real>(src: &[E], start: usize, n: usize, inner: usize) -> (E, E) {
    let lane = (0..n).map(|j| src[start + j * inner]);
    let m = lane.clone().fold(src[start], E::max);
    (m, lane.map(|v| (v - m).exp()).sum())
}

impl<'t, E: Real> TensorVar<'t, E> {
    /// ln Σ eˣ along `axis` (keeping it with size 1 if `keepdim`), computed
    /// as m + ln Σ e^(x−m) with m each lane's maximum, so logits of ±1000
    /// give finite values. The gradient is the softmax along the axis.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor(Tensor::from_vec(&[2, 2], vec![1000.0, 1000.0, 0.0, 0.0]).unwrap());
    /// let l = x.logsumexp(1, false);
    /// assert_eq!(l.value().data(), &[1000.0 + 2f64.ln(), 2f64.ln()]);
    /// assert_eq!(l.sum().backward()[x].data(), &[0.5; 4]); // the softmax
    /// ```
    ///
    /// # Errors
    /// [`crate::Error::OutOfRange`] if `axis` is not an axis of the tensor.
    pub fn try_logsumexp(self, axis: usize, keepdim: bool) -> Result<Self> {
        self.apply1(LogSumExp { axis, keepdim })
    }

    /// ln Σ eˣ along `axis` (see [`TensorVar::try_logsumexp`]).
    ///
    /// # Panics
    /// If `axis` is not an axis of the tensor; the message names
    /// `logsumexp`, the axis and the shape.
    #[track_caller]
    pub fn logsumexp(self, axis: usize, keepdim: bool) -> Self {
        ok(self.try_logsumexp(axis, keepdim))
    }
}
