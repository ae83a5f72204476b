//! Stochastic gradient descent, with momentum and the Playground's L1/L2.

use super::{check_learning_rate, state_for, Optimizer};
use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use std::fmt;

/// Weight regularisation applied by [`Sgd`] after each gradient step, the
/// TensorFlow Playground's way: only to weight matrices (parameters with two
/// or more axes), never to biases, with the derivative taken at the weight
/// before the step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularization {
    /// No regularisation.
    None,
    /// L1 at this rate: w ← w − lr·rate·sign(w). A weight the L1 step would
    /// push across zero is set to 0 and stays 0 for good (the Playground's
    /// "dead" link).
    L1(f64),
    /// L2 at this rate: w ← w − lr·rate·w (weight decay; with rate λ/n this
    /// is Nielsen's w ← (1 − ηλ/n)·w).
    L2(f64),
}

#[derive(Clone, Debug)]
struct SgdState<E: Real> {
    shape: Vec<usize>,
    velocity: Option<Tensor<E>>,
    dead: Option<Vec<bool>>,
}

/// Stochastic gradient descent: w ← w − lr·g, with optional momentum
/// (v ← μ·v + g, w ← w − lr·v) and optional [`Regularization`].
///
/// ```
/// use nn::optim::{Optimizer, Regularization, Sgd};
/// let sgd = Sgd::<f32>::new(0.03)
///     .with_momentum(0.9)
///     .with_regularization(Regularization::L2(0.001))
///     .build()
///     .unwrap();
/// assert_eq!(sgd.learning_rate(), 0.03);
/// let err = Sgd::<f32>::new(0.03).with_momentum(1.5).build().unwrap_err().to_string();
/// assert_eq!(err, "momentum: expected a number in [0, 1), found 1.5");
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<E: Real = f64> {
    lr: f64,
    momentum: f64,
    regularization: Regularization,
    state: Vec<Option<SgdState<E>>>,
}

impl<E: Real> Sgd<E> {
    /// Plain SGD with learning rate `lr` (checked by [`Sgd::build`] or at
    /// the first step: finite and ≥ 0).
    pub fn new(lr: f64) -> Self {
        Sgd {
            lr,
            momentum: 0.0,
            regularization: Regularization::None,
            state: Vec::new(),
        }
    }

    /// With momentum μ (checked: in [0, 1)).
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.momentum = momentum;
        self
    }

    /// With weight regularisation (checked: a rate finite and ≥ 0).
    pub fn with_regularization(mut self, regularization: Regularization) -> Self {
        self.regularization = regularization;
        self
    }

    /// The optimizer after checking its settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first bad setting: the learning rate
    /// (negative or not finite), the momentum (outside [0, 1)) or the
    /// regularization rate (negative or not finite).
    pub fn build(self) -> Result<Self> {
        self.check()?;
        Ok(self)
    }

    /// The momentum μ (0 for plain SGD).
    pub fn momentum(&self) -> f64 {
        self.momentum
    }

    /// The regularisation.
    pub fn regularization(&self) -> Regularization {
        self.regularization
    }
}

impl<E: Real> Optimizer<E> for Sgd<E> {
    fn check(&self) -> Result<()> {
        check_learning_rate(self.lr)?;
        if !(0.0..1.0).contains(&self.momentum) {
            return Err(Error::invalid(
                "momentum",
                "a number in [0, 1)",
                self.momentum,
            ));
        }
        if let Regularization::L1(rate) | Regularization::L2(rate) = self.regularization {
            if !rate.is_finite() || rate < 0.0 {
                return Err(Error::invalid(
                    "regularization rate",
                    "a finite number ≥ 0",
                    rate,
                ));
            }
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
        let lr = E::from_f64(self.lr);
        let mu = E::from_f64(self.momentum);
        let use_momentum = self.momentum > 0.0;
        let zero = E::zero();
        let regularized = w.ndim() >= 2 && self.regularization != Regularization::None;
        if !use_momentum && !regularized {
            // plain SGD keeps no state
            w.add_scaled(-lr, g);
            return Ok(());
        }
        let shape = w.shape();
        let st = state_for(
            &mut self.state,
            index,
            name,
            shape,
            |s| &s.shape,
            || SgdState {
                shape: shape.to_vec(),
                velocity: None,
                dead: None,
            },
        )?;
        let step: Tensor<E> = if use_momentum {
            let v = st.velocity.get_or_insert_with(|| Tensor::zeros(shape));
            for (v, &d) in v.data_mut().iter_mut().zip(g.data()) {
                *v = mu * *v + d;
            }
            v.clone()
        } else {
            g.clone()
        };
        let data = w.data_mut();
        match (regularized, self.regularization) {
            (true, Regularization::L2(rate)) => {
                let k = lr * E::from_f64(rate);
                for (x, &d) in data.iter_mut().zip(step.data()) {
                    let w0 = *x;
                    *x = w0 - lr * d - k * w0;
                }
            }
            (true, Regularization::L1(rate)) => {
                let k = lr * E::from_f64(rate);
                let dead = st.dead.get_or_insert_with(|| vec![false; data.len()]);
                for ((x, &d), dead) in data.iter_mut().zip(step.data()).zip(dead.iter_mut()) {
                    if *dead {
                        continue;
                    }
                    let w0 = *x;
                    let sign = if w0 > zero {
                        E::one()
                    } else if w0 < zero {
                        -E::one()
                    } else {
                        zero
                    };
                    let w1 = w0 - lr * d;
                    let w2 = w1 - k * sign;
                    if w1 * w2 < zero {
                        *x = zero;
                        *dead = true;
                    } else {
                        *x = w2;
                    }
                }
            }
            _ => {
                for (x, &d) in data.iter_mut().zip(step.data()) {
                    *x -= lr * d;
                }
            }
        }
        Ok(())
    }

    fn plain_rate(&self) -> Option<f64> {
        (self.momentum == 0.0 && self.regularization == Regularization::None).then_some(self.lr)
    }

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.lr = check_learning_rate(lr)?;
        Ok(())
    }
}
