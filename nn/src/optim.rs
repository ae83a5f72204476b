//! Optimizers: they update a model's parameters from the gradients of a
//! backward pass, and learning-rate schedules.
//!
//! Gradients are values returned by `backward()` and passed in; nothing is
//! stored on the parameters, so there is no `zero_grad`. A step looks each
//! parameter's gradient up through the model, which knows the tape values
//! its parameters were bound to in the forward pass. An optimizer's own
//! state (momentum, Adam's moments) is kept per parameter, in the model's
//! visiting order.
//!
//! Settings are chained without a `Result` per call; they are checked once,
//! by [`Sgd::build`] / [`Adam::build`] or at the first step, and the error
//! names the bad setting.
//!
//! ```
//! use autograd::{Tape, Tensor};
//! use nn::prelude::*;
//! // the course: minimise e(w) = (0.68 − 0.4·w)² by gradient descent
//! let mut model = Mlp::from_params(&[1, 1], &[Activation::Identity], {
//!     let mut s = ParamStore::new();
//!     s.add("layer0.weight", Tensor::from_vec(&[1, 1], vec![0.0]).unwrap()).unwrap();
//!     s.add("layer0.bias", Tensor::from_vec(&[1], vec![0.0]).unwrap()).unwrap();
//!     s
//! }).unwrap();
//! let mut sgd = Sgd::new(1.0);
//! let one = Tensor::from_vec(&[1, 1], vec![1.0]).unwrap();
//! for _ in 0..200 {
//!     let tape = Tape::new();
//!     let w = model.forward(tape.tensor_constant(one.clone())).unwrap(); // w·1 + b
//!     let e = (0.68 - w * 0.4).powi(2).sum();
//!     let g = e.backward();
//!     sgd.step(&mut model, &g).unwrap();
//! }
//! let (w, b) = (model.params()[model.layers()[0].weight()].item(), model.params()[model.layers()[0].bias()].item());
//! assert!((w + b - 1.7).abs() < 1e-6); // 0.68 / 0.4
//! ```

use crate::error::{Error, Result};
use crate::layers::{Model, ParamPath};
use crate::param::{foreign_grads, ParamGrads};
use autograd::{Grads, Real, Tensor};
use std::fmt;

/// Updates a model's parameters from their gradients.
///
/// An optimizer implements [`Optimizer::update`] for one parameter; the
/// provided [`Optimizer::step`] walks the model and finds every parameter's
/// gradient.
pub trait Optimizer<E: Real> {
    /// Applies one update to every parameter of `model` from `grads`, the
    /// gradients of a backward pass through the model's latest forward pass
    /// (a parameter the loss does not depend on gets a zero gradient).
    /// Nothing changes if anything is wrong.
    ///
    /// # Errors
    /// [`Error::Invalid`] for a bad setting (checked here if
    /// [`Sgd::build`] / [`Adam::build`] was not called);
    /// [`Error::Mismatch`] if the model ran no forward pass since its last
    /// update (so the same gradients are never applied twice), if the
    /// gradients come from another tape, or if a parameter's shape changed
    /// since the previous step.
    fn step(&mut self, model: &mut dyn Model<E>, grads: &Grads<E>) -> Result<()> {
        self.check()?;
        model.visit_params(&ParamPath::ROOT, &mut |path, store| {
            let keys = store.keys()?;
            for ((_, name, w), key) in store.iter().zip(keys) {
                if let Some(g) = grads.get(key).map_err(|_| foreign_grads())? {
                    check_shape(&Name(path, name), w, g)?;
                }
            }
            Ok(())
        })?;
        let mut index = 0;
        model.visit_params_mut(&ParamPath::ROOT, &mut |path, store| {
            let keys = store.keys()?;
            for ((_, name, w), key) in store.iter_mut().zip(keys) {
                let name = Name(path, name);
                match grads.get(key).map_err(|_| foreign_grads())? {
                    Some(g) => self.update(index, &name, w, g)?,
                    None => self.update(index, &name, w, &Tensor::zeros(w.shape()))?,
                }
                index += 1;
            }
            Ok(())
        })
    }

    /// Applies one update from gradients held as values, one per parameter
    /// in the model's visiting order (gradients accumulated over several
    /// batches; see [`ParamGrads::of`]).
    ///
    /// # Errors
    /// As [`Optimizer::step`]; [`Error::Mismatch`] if the gradients do not
    /// match the parameters in number or shape.
    fn step_with(&mut self, model: &mut dyn Model<E>, grads: &ParamGrads<E>) -> Result<()> {
        self.check()?;
        let mut count = 0;
        model.visit_params(&ParamPath::ROOT, &mut |path, store| {
            for (_, name, w) in store.iter() {
                if let Some(g) = grads.as_slice().get(count) {
                    check_shape(&Name(path, name), w, g)?;
                }
                count += 1;
            }
            Ok(())
        })?;
        if count != grads.len() {
            return Err(Error::mismatch(
                "gradients",
                format!("{count} tensors (one per parameter)"),
                format!("{} tensors", grads.len()),
            ));
        }
        let mut index = 0;
        model.visit_params_mut(&ParamPath::ROOT, &mut |path, store| {
            for (_, name, w) in store.iter_mut() {
                self.update(index, &Name(path, name), w, &grads.as_slice()[index])?;
                index += 1;
            }
            Ok(())
        })
    }

    /// Updates one parameter `w` (the `index`-th in the model's visiting
    /// order, named `name` for messages) from its gradient `g`, shaped like
    /// it.
    ///
    /// # Errors
    /// [`Error::Mismatch`] if the state kept for `index` has another shape
    /// (a different model).
    fn update(
        &mut self,
        index: usize,
        name: &dyn fmt::Display,
        w: &mut Tensor<E>,
        g: &Tensor<E>,
    ) -> Result<()>;

    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first bad setting and its value.
    fn check(&self) -> Result<()>;

    /// The current learning rate.
    fn learning_rate(&self) -> f64;

    /// Sets the learning rate (a schedule's hook).
    ///
    /// # Errors
    /// [`Error::Invalid`] if it is negative or not finite.
    fn set_learning_rate(&mut self, lr: f64) -> Result<()>;
}

/// A parameter's full name, spelled only for a message.
struct Name<'a>(&'a ParamPath<'a>, &'a str);

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_root() {
            f.write_str(self.1)
        } else {
            write!(f, "{}.{}", self.0, self.1)
        }
    }
}

fn check_shape<E: Real>(name: &dyn fmt::Display, w: &Tensor<E>, g: &Tensor<E>) -> Result<()> {
    if w.shape() != g.shape() {
        return Err(Error::mismatch(
            format!("gradient of `{name}` shape"),
            format!("{:?}", w.shape()),
            format!("{:?}", g.shape()),
        ));
    }
    Ok(())
}

fn check_learning_rate(lr: f64) -> Result<f64> {
    if !lr.is_finite() || lr < 0.0 {
        return Err(Error::invalid("learning rate", "a finite number ≥ 0", lr));
    }
    Ok(lr)
}

/// The state kept for parameter `index` (created with `new` on first use),
/// after checking that the parameter kept its shape.
fn state_for<'s, S>(
    state: &'s mut Vec<Option<S>>,
    index: usize,
    name: &dyn fmt::Display,
    shape: &[usize],
    shape_of: impl Fn(&S) -> &[usize],
    new: impl FnOnce() -> S,
) -> Result<&'s mut S> {
    if state.len() <= index {
        state.resize_with(index + 1, || None);
    }
    let s = state[index].get_or_insert_with(new);
    if shape_of(s) != shape {
        return Err(Error::mismatch(
            format!("optimizer state of `{name}` shape (a different model?)"),
            format!("{:?}", shape_of(s)),
            format!("{shape:?}"),
        ));
    }
    Ok(s)
}

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

    fn learning_rate(&self) -> f64 {
        self.lr
    }

    fn set_learning_rate(&mut self, lr: f64) -> Result<()> {
        self.lr = check_learning_rate(lr)?;
        Ok(())
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::{Visit, VisitMut};
    use crate::param::ParamStore;
    use autograd::{Tape, TensorVar};

    /// Parameters and nothing else: the optimizer tests give gradients as
    /// values ([`Optimizer::step_with`]).
    struct Params(ParamStore<f64>);

    impl Model<f64> for Params {
        fn forward<'t>(&self, x: TensorVar<'t, f64>) -> Result<TensorVar<'t, f64>> {
            let p = self.0.bind(x.tape());
            Ok(p.iter().fold(x, |acc, (_, v)| acc * v.sum()))
        }
        fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, f64>) -> Result<()> {
            f(path, &self.0)
        }
        fn visit_params_mut(
            &mut self,
            path: &ParamPath<'_>,
            f: &mut VisitMut<'_, f64>,
        ) -> Result<()> {
            f(path, &mut self.0)
        }
    }

    fn store(w: &[f64], b: &[f64]) -> Params {
        let mut s = ParamStore::new();
        s.add("w", Tensor::from_f64(&[1, w.len()], w).unwrap())
            .unwrap();
        s.add("b", Tensor::from_f64(&[b.len()], b).unwrap())
            .unwrap();
        Params(s)
    }

    fn grads(w: &[f64], b: &[f64]) -> ParamGrads<f64> {
        ParamGrads::new(vec![
            Tensor::from_f64(&[1, w.len()], w).unwrap(),
            Tensor::from_f64(&[b.len()], b).unwrap(),
        ])
    }

    fn values(s: &Params) -> Vec<Vec<f64>> {
        s.0.iter().map(|(_, _, t)| t.to_vec()).collect()
    }

    #[test]
    fn sgd_and_momentum_follow_their_formulas() {
        let mut s = store(&[1.0, -1.0], &[0.5]);
        let mut sgd = Sgd::new(0.1);
        sgd.step_with(&mut s, &grads(&[1.0, 2.0], &[-1.0])).unwrap();
        assert_eq!(values(&s), vec![vec![0.9, -1.2], vec![0.6]]);

        let mut s = store(&[0.0], &[0.0]);
        let mut m = Sgd::new(1.0).with_momentum(0.5);
        let g = grads(&[1.0], &[2.0]);
        m.step_with(&mut s, &g).unwrap(); // v = 1, 2
        m.step_with(&mut s, &g).unwrap(); // v = 1.5, 3
        assert_eq!(values(&s), vec![vec![-2.5], vec![-5.0]]);
    }

    #[test]
    fn step_reads_the_gradients_through_the_forward_pass() {
        // out = x · Σw · Σb: d/dw = x·Σb, d/db = x·Σw
        let mut s = store(&[1.0, 2.0], &[0.5]);
        let mut sgd = Sgd::new(0.1);
        let tape = Tape::new();
        let x = tape.tensor_constant(Tensor::from_vec(&[1], vec![2.0]).unwrap());
        let g = s.forward(x).unwrap().sum().backward();
        sgd.step(&mut s, &g).unwrap();
        assert_eq!(
            values(&s),
            vec![
                vec![1.0 - 0.1 * 1.0, 2.0 - 0.1 * 1.0],
                vec![0.5 - 0.1 * 6.0]
            ]
        );
        // the step unbinds: the same gradients cannot be applied twice
        let e = sgd.step(&mut s, &g).unwrap_err().to_string();
        assert_eq!(
            e,
            "parameters: expected bound to a tape by a forward pass before the step, found no forward pass since they were created, loaded or updated"
        );
        // gradients of another tape are refused, and nothing changes
        let before = values(&s);
        let other = Tape::new();
        let _ = s.forward(tape.tensor_constant(Tensor::from_vec(&[1], vec![1.0]).unwrap()));
        let w = other.tensor(Tensor::from_vec(&[1], vec![1.0]).unwrap());
        let foreign = w.sum().backward();
        let e = sgd.step(&mut s, &foreign).unwrap_err().to_string();
        assert!(
            e.starts_with(
                "gradients: expected from the backward pass of the model's latest forward pass"
            ),
            "{e}"
        );
        assert_eq!(values(&s), before);
    }

    #[test]
    fn playground_regularization_spares_biases_and_kills_crossing_weights() {
        // L2: w ← w − lr·g − lr·rate·w0
        let mut s = store(&[2.0], &[2.0]);
        let mut sgd = Sgd::new(0.5).with_regularization(Regularization::L2(0.1));
        sgd.step_with(&mut s, &grads(&[1.0], &[1.0])).unwrap();
        assert_eq!(values(&s), vec![vec![2.0 - 0.5 - 0.1], vec![1.5]]);
        // L1: the weight 0.05 would cross zero: it is set to 0 and stays dead
        let mut s = store(&[0.05, 1.0], &[0.0]);
        let mut sgd = Sgd::new(0.1).with_regularization(Regularization::L1(1.0));
        sgd.step_with(&mut s, &grads(&[0.0, 0.0], &[0.0])).unwrap();
        assert_eq!(values(&s)[0], vec![0.0, 0.9]);
        sgd.step_with(&mut s, &grads(&[-5.0, 0.0], &[0.0])).unwrap();
        assert_eq!(values(&s)[0], vec![0.0, 0.8]);
    }

    #[test]
    fn adam_first_step_moves_each_weight_by_lr() {
        let mut s = store(&[1.0, 1.0], &[0.0]);
        let mut adam = Adam::new(0.1);
        adam.step_with(&mut s, &grads(&[3.0, -0.001], &[0.0]))
            .unwrap();
        let v = values(&s);
        assert!(
            (v[0][0] - 0.9).abs() < 1e-7 && (v[0][1] - 1.1).abs() < 1e-4,
            "{v:?}"
        );
        assert_eq!(v[1], vec![0.0]);
    }

    #[test]
    fn adam_minimises_a_quadratic() {
        let mut s = store(&[5.0], &[-3.0]);
        let mut adam = Adam::new(0.1);
        for _ in 0..500 {
            let v = values(&s);
            let g = grads(&[2.0 * (v[0][0] - 1.0)], &[2.0 * (v[1][0] + 2.0)]);
            adam.step_with(&mut s, &g).unwrap();
        }
        let v = values(&s);
        assert!(
            (v[0][0] - 1.0).abs() < 1e-2 && (v[1][0] + 2.0).abs() < 1e-2,
            "{v:?}"
        );
    }

    #[test]
    fn bad_settings_and_mismatched_gradients_are_errors() {
        for lr in [f64::INFINITY, -0.1, f64::NAN] {
            let e = Sgd::<f64>::new(lr).build().unwrap_err().to_string();
            assert_eq!(
                e,
                format!("learning rate: expected a finite number ≥ 0, found {lr}")
            );
            assert!(Adam::<f64>::new(lr).build().is_err());
            // without build, the first step says the same and changes nothing
            let mut s = store(&[1.0], &[1.0]);
            let e = Sgd::new(lr)
                .step_with(&mut s, &grads(&[1.0], &[1.0]))
                .unwrap_err()
                .to_string();
            assert_eq!(
                e,
                format!("learning rate: expected a finite number ≥ 0, found {lr}")
            );
            assert_eq!(values(&s), vec![vec![1.0], vec![1.0]]);
        }
        let mut sgd = Sgd::<f64>::new(0.1);
        let e = sgd
            .set_learning_rate(f64::NEG_INFINITY)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "learning rate: expected a finite number ≥ 0, found -inf");
        assert_eq!(sgd.learning_rate(), 0.1);
        let e = Sgd::<f64>::new(0.1)
            .with_momentum(1.0)
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(e, "momentum: expected a number in [0, 1), found 1");
        let e = Sgd::<f64>::new(0.1)
            .with_regularization(Regularization::L1(-1.0))
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "regularization rate: expected a finite number ≥ 0, found -1"
        );
        let e = Adam::<f64>::new(0.1)
            .with_eps(0.0)
            .build()
            .unwrap_err()
            .to_string();
        assert_eq!(e, "eps: expected a finite number > 0, found 0");

        let mut s = store(&[1.0], &[1.0]);
        let e = sgd
            .step_with(&mut s, &ParamGrads::new(vec![]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "gradients: expected 2 tensors (one per parameter), found 0 tensors"
        );
        let e = sgd
            .step_with(&mut s, &grads(&[1.0, 2.0], &[1.0]))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "gradient of `w` shape: expected [1, 1], found [1, 2]");
        let mut adam = Adam::new(0.1);
        adam.step_with(&mut s, &grads(&[1.0], &[1.0])).unwrap();
        let mut other = store(&[1.0, 2.0], &[1.0]);
        let e = adam
            .step_with(&mut other, &grads(&[1.0, 1.0], &[1.0]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "optimizer state of `w` shape (a different model?): expected [1, 1], found [1, 2]"
        );
    }

    #[test]
    fn schedules() {
        let step = StepDecay {
            every: 10,
            factor: 0.5,
        };
        assert_eq!(step.lr(9, 1.0), 1.0);
        assert_eq!(step.lr(25, 1.0), 0.25);
        assert_eq!(
            StepDecay {
                every: 0,
                factor: 0.5
            }
            .lr(25, 1.0),
            1.0
        );
        assert!((ExponentialDecay { gamma: 0.9 }.lr(2, 2.0) - 1.62).abs() < 1e-12);
        let lin = LinearDecay {
            epochs: 100,
            final_fraction: 0.1,
        };
        assert_eq!(lin.lr(0, 1.0), 1.0);
        assert!((lin.lr(100, 1.0) - 0.1).abs() < 1e-15);
        assert!((lin.lr(500, 1.0) - 0.1).abs() < 1e-15);
    }
}
