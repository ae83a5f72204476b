//! A micrograd-style network made of scalar [`Var`]s: every weight is its
//! own value on the tape, every multiply-add its own node.
//!
//! Slow on purpose: it is the teaching tool (each neuron is literally
//! Σ wᵢxᵢ + b, then an activation) and the test oracle for the tensor
//! [`Mlp`]: built from an `Mlp`'s weights it gives the same outputs, loss and
//! gradients (to rounding), by a completely different route through the tape.
//!
//! ```
//! use autograd::Tape;
//! use nn::prelude::*;
//! let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Identity], Init::Xavier, 1).unwrap();
//! let net = ScalarMlp::from_mlp(&mlp);
//! let tape = Tape::new();
//! let p = net.bind(&tape);
//! let y = net.forward(&p, &tape.vars(&[0.5, -1.0])).unwrap();
//! let e = (y[0] - 1.0).powi(2);
//! let grads = p.grads(&e.backward()); // laid out like the Mlp's parameters
//! assert_eq!(grads.len(), mlp.params().len());
//! ```

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::Init;
use crate::layers::Mlp;
use crate::param::ParamGrads;
use autograd::{Grads, Real, Tape, Tensor, Var};

/// One neuron's parameters: a weight per input and a bias.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarNeuron<E: Real = f64> {
    /// The weight of each input.
    pub w: Vec<E>,
    /// The bias.
    pub b: E,
}

/// A layer of neurons sharing one activation.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarLayer<E: Real = f64> {
    /// The neurons, one per output.
    pub neurons: Vec<ScalarNeuron<E>>,
    /// The activation applied to the layer's outputs.
    pub activation: Activation,
}

/// A multi-layer perceptron of scalar neurons (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct ScalarMlp<E: Real = f64> {
    /// The layers, inputs first.
    pub layers: Vec<ScalarLayer<E>>,
}

/// A [`ScalarMlp`]'s parameters on a tape: for each layer, each neuron's
/// weights and bias as [`Var`]s.
#[derive(Clone, Debug)]
pub struct ScalarBound<'t, E: Real = f64> {
    layers: Vec<Vec<NeuronVars<'t, E>>>,
}

/// One neuron's weights and bias on the tape.
type NeuronVars<'t, E> = (Vec<Var<'t, E>>, Var<'t, E>);

impl<E: Real> ScalarMlp<E> {
    /// The network with the same weights as `mlp`: neuron j of layer l has
    /// weights W_l\[·, j\] and bias b_l\[j\].
    pub fn from_mlp(mlp: &Mlp<E>) -> Self {
        let layers = mlp
            .layers()
            .iter()
            .zip(mlp.activations())
            .map(|(layer, &activation)| {
                let w = &mlp.params()[layer.weight()];
                let b = &mlp.params()[layer.bias()];
                let (inputs, outputs) = (layer.inputs(), layer.outputs());
                let neurons = (0..outputs)
                    .map(|j| ScalarNeuron {
                        w: (0..inputs).map(|i| w.data()[i * outputs + j]).collect(),
                        b: b.data()[j],
                    })
                    .collect();
                ScalarLayer {
                    neurons,
                    activation,
                }
            })
            .collect();
        ScalarMlp { layers }
    }

    /// A network with the same parameters as [`Mlp::new`] with these
    /// arguments.
    ///
    /// # Errors
    /// As [`Mlp::new`].
    pub fn new(sizes: &[usize], activations: &[Activation], init: Init, seed: u64) -> Result<Self> {
        Ok(Self::from_mlp(&Mlp::new(sizes, activations, init, seed)?))
    }

    /// The layer widths, inputs first.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers.first().map_or(0, |l| l.neurons[0].w.len())];
        s.extend(self.layers.iter().map(|l| l.neurons.len()));
        s
    }

    /// The number of scalar parameters.
    pub fn num_params(&self) -> usize {
        self.layers
            .iter()
            .flat_map(|l| &l.neurons)
            .map(|n| n.w.len() + 1)
            .sum()
    }

    /// Puts every weight and bias on `tape` as a scalar variable.
    pub fn bind<'t>(&self, tape: &'t Tape<E>) -> ScalarBound<'t, E> {
        ScalarBound {
            layers: self
                .layers
                .iter()
                .map(|l| {
                    l.neurons
                        .iter()
                        .map(|n| {
                            let w = n.w.iter().map(|&w| tape.var_e(w)).collect();
                            (w, tape.var_e(n.b))
                        })
                        .collect()
                })
                .collect(),
        }
    }

    /// The outputs for one sample: each neuron computes Σ wᵢxᵢ + b, then
    /// each layer applies its activation.
    ///
    /// # Errors
    /// [`Error::Mismatch`] if `x` does not have one value per input, or `p`
    /// is not this network's binding.
    pub fn forward<'t>(&self, p: &ScalarBound<'t, E>, x: &[Var<'t, E>]) -> Result<Vec<Var<'t, E>>> {
        if p.layers.len() != self.layers.len() {
            return Err(Error::mismatch(
                "scalar network binding",
                format!("{} layers", self.layers.len()),
                format!("{} layers", p.layers.len()),
            ));
        }
        let mut a: Vec<Var<'t, E>> = x.to_vec();
        for (l, (layer, neurons)) in self.layers.iter().zip(&p.layers).enumerate() {
            let inputs = layer.neurons[0].w.len();
            if a.len() != inputs {
                return Err(Error::mismatch(
                    format!("scalar layer {l} input width"),
                    inputs,
                    a.len(),
                ));
            }
            let z: Vec<Var<'t, E>> = neurons
                .iter()
                .map(|(w, b)| w.iter().zip(&a).fold(*b, |s, (&wi, &xi)| s + wi * xi))
                .collect();
            a = layer.activation.apply_vars(&z);
        }
        Ok(a)
    }

    /// The outputs for one sample given as numbers, without recording
    /// gradients.
    ///
    /// # Errors
    /// As [`ScalarMlp::forward`].
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        let tape = Tape::<E>::default();
        tape.no_grad(|| {
            let p = self.bind(&tape);
            let xs: Vec<Var<'_, E>> = x.iter().map(|&v| tape.constant(v)).collect();
            Ok(self.forward(&p, &xs)?.iter().map(|v| v.to_f64()).collect())
        })
    }
}

impl<'t, E: Real> ScalarBound<'t, E> {
    /// Every parameter as a scalar variable, in [`Mlp`] store order (per
    /// layer: the weight matrix row-major as [inputs, outputs], then the
    /// biases).
    pub fn vars(&self) -> Vec<Var<'t, E>> {
        let mut out = Vec::new();
        for neurons in &self.layers {
            let outputs = neurons.len();
            let inputs = neurons.first().map_or(0, |n| n.0.len());
            for i in 0..inputs {
                out.extend((0..outputs).map(|j| neurons[j].0[i]));
            }
            out.extend(neurons.iter().map(|n| n.1));
        }
        out
    }

    /// The gradients of every parameter, laid out like an [`Mlp`]'s
    /// parameters (per layer a [inputs, outputs] weight gradient and an
    /// `[outputs]` bias gradient), so they compare directly with the tensor
    /// network's [`ParamGrads`].
    pub fn grads(&self, grads: &Grads<E>) -> ParamGrads<E> {
        let mut out = Vec::with_capacity(2 * self.layers.len());
        for neurons in &self.layers {
            let outputs = neurons.len();
            let inputs = neurons.first().map_or(0, |n| n.0.len());
            let w = Tensor::from_fn(&[inputs, outputs], |ix| grads[neurons[ix[1]].0[ix[0]]]);
            let b = Tensor::from_fn(&[outputs], |ix| grads[neurons[ix[0]].1]);
            out.push(w);
            out.push(b);
        }
        ParamGrads::new(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Activation::{Relu, Sigmoid, Tanh};

    #[test]
    fn same_outputs_as_the_tensor_network() {
        let mlp = Mlp::<f64>::new(&[3, 4, 2], &[Relu, Sigmoid], Init::Nielsen, 5).unwrap();
        let net = ScalarMlp::from_mlp(&mlp);
        assert_eq!(net.sizes(), vec![3, 4, 2]);
        assert_eq!(net.num_params(), mlp.params().num_scalars());
        let x = [0.3, -0.8, 1.5];
        let y = mlp
            .predict(&Tensor::from_vec(&[1, 3], x.to_vec()).unwrap())
            .unwrap();
        let ys = net.predict(&x).unwrap();
        for (a, b) in y.data().iter().zip(&ys) {
            assert!((a - b).abs() < 1e-14);
        }
        assert_eq!(
            ScalarMlp::new(&[3, 4, 2], &[Relu, Sigmoid], Init::Nielsen, 5).unwrap(),
            net
        );
    }

    #[test]
    fn vars_follow_the_store_order() {
        let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Tanh, Tanh], Init::Xavier, 2).unwrap();
        let net = ScalarMlp::from_mlp(&mlp);
        let tape = Tape::new();
        let vals: Vec<f64> = net.bind(&tape).vars().iter().map(|v| v.value()).collect();
        let flat: Vec<f64> = mlp
            .params()
            .iter()
            .flat_map(|(_, _, t)| t.to_vec())
            .collect();
        assert_eq!(vals, flat);
    }

    #[test]
    fn wrong_width_is_an_error() {
        let net = ScalarMlp::<f64>::new(&[2, 1], &[Tanh], Init::Xavier, 2).unwrap();
        let e = net.predict(&[1.0, 2.0, 3.0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "scalar layer 0 input width: expected 2, found 3"
        );
    }
}
