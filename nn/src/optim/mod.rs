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

mod adam;
mod schedule;
mod sgd;
#[cfg(test)]
mod tests;

pub use adam::Adam;
pub use schedule::{ExponentialDecay, LinearDecay, Schedule, StepDecay};
pub use sgd::{Regularization, Sgd};

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
                if let Some(g) = grads.shape_of(key).map_err(|_| foreign_grads())? {
                    check_shape(&Name(path, name), w.shape(), g)?;
                }
            }
            Ok(())
        })?;
        // plain SGD: w ← w − lr·g, each gradient added straight into its
        // parameter (a kept product multiplied into it; none: no change)
        let plain = self.plain_rate().map(|lr| -E::from_f64(lr));
        let mut index = 0;
        model.visit_params_mut(&ParamPath::ROOT, &mut |path, store| {
            let keys = store.keys()?;
            for ((_, name, w), key) in store.iter_mut().zip(keys) {
                if let Some(k) = plain {
                    grads
                        .add_scaled_to(key, k, w)
                        .map_err(|_| foreign_grads())?;
                    continue;
                }
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
                    check_shape(&Name(path, name), w.shape(), g.shape())?;
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

    /// `Some(lr)` if this optimizer's update of every parameter is
    /// w ← w − lr·g and keeps no state (plain SGD); `None` (the default)
    /// otherwise. [`Optimizer::step`] then has each gradient add itself
    /// into its parameter ([`Grads::add_scaled_to`]): a weight gradient
    /// the backward kept as a product (a dense layer's xᵀ·dz) is
    /// multiplied straight into the weights, with no gradient buffer and
    /// no second pass over them. The values are those of
    /// [`Optimizer::update`]'s `w.add_scaled(-lr, g)`, to the bit for the
    /// `f64` products of the fixed-order loop.
    fn plain_rate(&self) -> Option<f64> {
        None
    }

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

fn check_shape(name: &dyn fmt::Display, w: &[usize], g: &[usize]) -> Result<()> {
    if w != g {
        return Err(Error::mismatch(
            format!("gradient of `{name}` shape"),
            format!("{w:?}"),
            format!("{g:?}"),
        ));
    }
    Ok(())
}

pub(super) fn check_learning_rate(lr: f64) -> Result<f64> {
    if !lr.is_finite() || lr < 0.0 {
        return Err(Error::invalid("learning rate", "a finite number ≥ 0", lr));
    }
    Ok(lr)
}

/// The state kept for parameter `index` (created with `new` on first use),
/// after checking that the parameter kept its shape.
pub(super) fn state_for<'s, S>(
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
