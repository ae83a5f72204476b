//! # xiaolan nn
//!
//! Neurons, layers, activations, losses, optimizers, data sets, training and
//! save/load, all built on the [`autograd`] tape: nothing here hand-codes a
//! derivative.
//!
//! One training step, written by hand, reads as the idea: a forward pass on
//! a tape, a loss, `backward()`, and the optimizer's step, which finds each
//! parameter's gradient through the model ([`Trainer`] runs such steps over
//! epochs).
//!
//! ```
//! use autograd::{Tape, Tensor};
//! use nn::prelude::*;
//! let mut model = Mlp::<f64>::new(&[2, 4, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 1).unwrap();
//! let mut opt = Sgd::new(0.5).with_momentum(0.9).build().unwrap();
//! let x = Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
//! let y = Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap();
//! let mut first = None;
//! for _ in 0..300 {
//!     let tape = Tape::new();
//!     let out = model.forward(tape.tensor_constant(x.clone())).unwrap();
//!     let loss = nn::loss::mse(out, tape.tensor_constant(y.clone())).unwrap();
//!     first.get_or_insert(loss.value());
//!     let grads = loss.backward();
//!     opt.step(&mut model, &grads).unwrap();
//! }
//! let (last, _) = nn::train::evaluate(&model, &Loss::Mse, &x, (&y).into(), None).unwrap();
//! assert!(last < first.unwrap() / 10.0);
//! ```
#![warn(missing_docs)]
#![doc(test(attr(deny(warnings))))]

pub mod activation;
pub mod data;
pub mod error;
pub mod init;
pub mod io;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod optim;
pub mod param;
#[cfg(feature = "plot")]
pub mod plot;
pub mod scalar_net;
pub mod train;

pub use activation::Activation;
pub use error::{Error, Result};
pub use init::{Init, Rng};
pub use layers::{Linear, Mlp, Model, Neuron};
pub use loss::{Loss, Objective, Targets};
pub use metrics::{Accuracy, ConfusionMatrix};
pub use optim::{Adam, Optimizer, Regularization, Schedule, Sgd};
pub use param::{Bound, ParamGrads, ParamId, ParamStore};
pub use scalar_net::ScalarMlp;
pub use train::{History, Trainer};

/// The names a training program needs: `use nn::prelude::*;`.
pub mod prelude {
    pub use crate::activation::Activation;
    pub use crate::init::{Init, Rng};
    pub use crate::layers::{Linear, Mlp, Model, Neuron};
    pub use crate::loss::{Loss, Objective, Targets};
    pub use crate::metrics::{Accuracy, ConfusionMatrix};
    pub use crate::optim::{Adam, Optimizer, Regularization, Schedule, Sgd};
    pub use crate::param::{ParamGrads, ParamId, ParamStore};
    pub use crate::scalar_net::ScalarMlp;
    pub use crate::train::{History, Trainer};
}
