//! Adam.

use super::{check_learning_rate, state_for, Optimizer};
use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use std::fmt;

#[derive(Clone, Debug)]
struct AdamState<E: Real> {
    shape: Vec<usize>,
    steps: i32,
    m: Tensor<E>,
    v: Tensor<E>,
}

/// Adam (Kingma & Ba): per-parameter step sizes from running averages of
/// the gradient (m) and of its square (v), with bias correction:
/// m ← β1·m + (1 − β1)·g, v ← β2·v + (1 − β2)·g²,
/// w ← w − lr·m̂ / (√v̂ + ε) with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t).
///
/// ```
/// use nn::optim::Adam;
/// let adam = Adam::<f64>::new(0.01);
/// assert_eq!(adam.betas(), (0.9, 0.999));
/// assert_eq!(adam.eps(), 1e-8);
/// let err = Adam::<f64>::new(0.01).with_betas(1.0, 0.999).build().unwrap_err().to_string();
/// assert_eq!(err, "beta1: expected a number in [0, 1), found 1");
/// ```
#[derive(Clone, Debug)]
pub struct Adam<E: Real = f64> {
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    state: Vec<Option<AdamState<E>>>,
}

impl<E: Real> Adam<E> {
    /// Adam with learning rate `lr` (checked by [`Adam::build`] or at the
    /// first step: finite and ≥ 0) and β1 = 0.9, β2 = 0.999, ε = 1e-8.
    pub fn new(lr: f64) -> Self {
        Adam {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            state: Vec::new(),
        }
    }

    /// With other decay rates β1, β2 (checked: in [0, 1)).
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// With another ε, added to √v̂ to avoid dividing by zero (checked:
    /// finite and > 0).
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// The optimizer after checking its settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first bad setting: the learning rate,
    /// `beta1`, `beta2` or `eps`.
    pub fn build(self) -> Result<Self> {
        self.check()?;
        Ok(self)
    }

    /// (β1, β2).
    pub fn betas(&self) -> (f64, f64) {
        (self.beta1, self.beta2)
    }

    /// ε.
    pub fn eps(&self) -> f64 {
        self.eps
    }
}

impl<E: Real> Optimizer<E> for Adam<E> {
    fn check(&self) -> Result<()> {
        check_learning_rate(self.lr)?;
        for (name, b) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(Error::invalid(name, "a number in [0, 1)", b));
            }
        }
        if !self.eps.is_finite() || self.eps <= 0.0 {
            return Err(Error::invalid("eps", "a finite number > 0", self.eps));
        }
        Ok(())
    }

    fn update(
        &mut self,
        index: usize,
        name: &dyn fmt::Display,
        w: &mut Tensor<E>,
        g: &Tensor<E>,
    ) -> Result<()> {
        let (b1, b2) = (E::from_f64(self.beta1), E::from_f64(self.beta2));
        let (c1, c2) = (E::one() - b1, E::one() - b2);
        let eps = E::from_f64(self.eps);
        let shape = w.shape();
        let st = state_for(
            &mut self.state,
            index,
            name,
            shape,
            |s| &s.shape,
            || AdamState {
                shape: shape.to_vec(),
                steps: 0,
                m: Tensor::zeros(shape),
                v: Tensor::zeros(shape),
            },
        )?;
        st.steps = st.steps.saturating_add(1);
        let t = st.steps;
        let step = E::from_f64(self.lr / (1.0 - self.beta1.powi(t)));
        let v_corr = E::from_f64(1.0 / (1.0 - self.beta2.powi(t)));
        let (m, v) = (st.m.data_mut(), st.v.data_mut());
        for (((x, &d), m), v) in w.data_mut().iter_mut().zip(g.data()).zip(m).zip(v) {
            *m = b1 * *m + c1 * d;
            *v = b2 * *v + c2 * d * d;
            *x -= step * *m / ((*v * v_corr).sqrt() + eps);
        }
        Ok(())
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.lr = check_learning_rate(lr)?;
        Ok(())
    }
}
