//! # xiaolan nn
//!
//! Neurons, layers, activations, losses, optimizers, data sets, training and
//! save/load, all built on the [`autograd`] tape: nothing here hand-codes a
//! derivative.
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
    pub use crate::param::{Bound, ParamGrads, ParamId, ParamStore};
    pub use crate::scalar_net::ScalarMlp;
    pub use crate::train::{History, Trainer};
}
