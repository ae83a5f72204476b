//! Learning-rate schedules.

/// A learning-rate schedule: the rate for an epoch (counted from 0) given
/// the base rate the optimizer started with.
///
/// Any `Fn(usize, f64) -> f64` is a schedule:
///
/// ```
/// use nn::optim::{LinearDecay, Schedule};
/// // micrograd's demo: lr = 1.0 − 0.9·k/100
/// let by_hand = |k: usize, base: f64| base * (1.0 - 0.9 * k as f64 / 100.0);
/// let linear = LinearDecay { epochs: 100, final_fraction: 0.1 };
/// assert!((by_hand.lr(40, 1.0) - linear.lr(40, 1.0)).abs() < 1e-15);
/// ```
pub trait Schedule {
    /// The learning rate for `epoch`.
    fn lr(&self, epoch: usize, base: f64) -> f64;
}

impl<F: Fn(usize, f64) -> f64> Schedule for F {
    fn lr(&self, epoch: usize, base: f64) -> f64 {
        self(epoch, base)
    }
}

/// Multiplies the rate by `factor` every `every` epochs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepDecay {
    /// Epochs between two decays (0 means never).
    pub every: usize,
    /// The factor applied at each decay.
    pub factor: f64,
}

impl Schedule for StepDecay {
    fn lr(&self, epoch: usize, base: f64) -> f64 {
        match epoch.checked_div(self.every) {
            Some(k) => base * self.factor.powi(k.min(i32::MAX as usize) as i32),
            None => base,
        }
    }
}

/// base·γ^epoch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExponentialDecay {
    /// The factor per epoch.
    pub gamma: f64,
}

impl Schedule for ExponentialDecay {
    fn lr(&self, epoch: usize, base: f64) -> f64 {
        base * self.gamma.powi(epoch.min(i32::MAX as usize) as i32)
    }
}

/// Falls linearly from base to base·`final_fraction` over `epochs` epochs,
/// then stays there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearDecay {
    /// Epochs of the decay.
    pub epochs: usize,
    /// The fraction of the base rate reached at the end.
    pub final_fraction: f64,
}

impl Schedule for LinearDecay {
    fn lr(&self, epoch: usize, base: f64) -> f64 {
        if self.epochs == 0 {
            return base * self.final_fraction;
        }
        let k = epoch.min(self.epochs) as f64 / self.epochs as f64;
        base * (1.0 - (1.0 - self.final_fraction) * k)
    }
}
