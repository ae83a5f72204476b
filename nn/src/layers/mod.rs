//! Neurons, layers, multi-layer perceptrons, and the [`Model`] trait.
//!
//! A layer ([`Linear`], [`Neuron`]) holds the [`ParamId`]s of its
//! parameters, not their values: the values live in a [`ParamStore`], and
//! each forward pass reads them from the store's binding to a tape
//! ([`Bound`]). A model ([`Mlp`], or your own) owns its stores and binds
//! them itself, so that a training step reads as the idea: forward, loss,
//! backward, step. Inputs are batches: a `[n, inputs]` tensor gives a
//! `[n, outputs]` tensor, one row per sample.
//!
//! ```
//! use autograd::{Tape, Tensor};
//! use nn::prelude::*;
//! let mut mlp = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 7).unwrap();
//! let mut opt = Sgd::new(0.5);
//! let x = Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
//! let t = Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap();
//! let tape = Tape::new();
//! let y = mlp.forward(tape.tensor_constant(x.clone())).unwrap();
//! assert_eq!(y.shape().as_slice(), &[4, 1]);
//! let loss = nn::loss::mse(y, tape.tensor_constant(t)).unwrap();
//! let grads = loss.backward();
//! let before = mlp.predict(&x).unwrap();
//! opt.step(&mut mlp, &grads).unwrap();
//! assert_ne!(mlp.predict(&x).unwrap(), before);
//! ```
//!
//! [`ParamId`]: crate::param::ParamId
//! [`ParamStore`]: crate::param::ParamStore
//! [`Bound`]: crate::param::Bound

mod linear;
mod mlp;
mod mlp_file;
mod mlp_onnx;
mod model;

pub use linear::{Linear, Neuron};
pub use mlp::{LayerOutput, LayerValues, Mlp};
pub use mlp_file::{Layout, ACTIVATIONS_KEY, FEATURES_KEY, LAYOUT_KEY, SIZES_KEY};
pub use mlp_onnx::{ONNX_IR_VERSION, ONNX_OPSET};
pub use model::{Model, ParamPath, Visit, VisitMut};
