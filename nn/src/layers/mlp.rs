//! Multi-layer perceptrons: fully connected layers, each with its own
//! activation, owning their parameters.

use super::linear::Linear;
use super::model::{Model, ParamPath, Visit, VisitMut};
use crate::activation::Activation;
use crate::data::Feature;
use crate::error::{Error, Result};
use crate::init::{Init, Rng};
use crate::param::{Bound, ParamId, ParamStore};
use autograd::{Real, Tape, Tensor, TensorVar};
use std::fmt;

/// One layer's values on the tape during a forward pass.
#[derive(Clone, Copy, Debug)]
pub struct LayerOutput<'t, E: Real = f64> {
    /// z = x·W + b, before the activation: [n, outputs].
    pub pre: TensorVar<'t, E>,
    /// a = g(z), the layer's output: [n, outputs].
    pub post: TensorVar<'t, E>,
}

/// One layer's values for a batch, as plain tensors (per-neuron heatmaps).
#[derive(Clone, Debug, PartialEq)]
pub struct LayerValues<E: Real = f64> {
    /// z = x·W + b, before the activation: [n, outputs].
    pub pre: Tensor<E>,
    /// a = g(z), the layer's output: [n, outputs].
    pub post: Tensor<E>,
}

/// A multi-layer perceptron: fully connected layers, each followed by its
/// own activation. It owns its parameters (`"layer0.weight"`,
/// `"layer0.bias"`, `"layer1.weight"`, …).
///
/// ```
/// use autograd::Tensor;
/// use nn::prelude::*;
/// use Activation::{Relu, Tanh};
/// // the Playground's 2-8-8-8-1 network
/// let mlp = Mlp::<f32>::new(&[2, 8, 8, 8, 1], &[Relu, Relu, Relu, Tanh], Init::Playground, 1).unwrap();
/// assert_eq!(mlp.params().num_scalars(), 24 + 72 + 72 + 9);
/// assert_eq!(mlp.to_string(), "Mlp 2-8-8-8-1 (relu, relu, relu, tanh), 177 parameters");
/// let y = mlp.predict(&Tensor::zeros(&[5, 2])).unwrap();
/// assert_eq!(y.shape(), &[5, 1]);
/// ```
#[derive(Clone, Debug)]
pub struct Mlp<E: Real = f64> {
    params: ParamStore<E>,
    layers: Vec<Linear>,
    activations: Vec<Activation>,
    features: Option<Vec<Feature>>,
}

impl<E: Real> Mlp<E> {
    /// A network with layer widths `sizes` (inputs first, outputs last) and
    /// one activation per layer (`sizes.len() − 1` of them), its parameters
    /// drawn by `init` from [`Rng::new(seed)`](Rng::new), layer by layer
    /// (weights, then biases).
    ///
    /// # Errors
    /// [`Error::Invalid`] for fewer than two sizes or a zero size;
    /// [`Error::Mismatch`] if the number of activations is not
    /// `sizes.len() − 1`.
    pub fn new(sizes: &[usize], activations: &[Activation], init: Init, seed: u64) -> Result<Self> {
        check_architecture(sizes, activations)?;
        let mut rng = Rng::new(seed);
        let mut params = ParamStore::new();
        let mut layers = Vec::with_capacity(activations.len());
        for (i, w) in sizes.windows(2).enumerate() {
            layers.push(Linear::new(
                &mut params,
                &format!("layer{i}"),
                w[0],
                w[1],
                init,
                &mut rng,
            )?);
        }
        Ok(Mlp {
            params,
            layers,
            activations: activations.to_vec(),
            features: None,
        })
    }

    /// A network over existing parameters (a loaded model): `params` must
    /// hold exactly `layer{i}.weight` and `layer{i}.bias` for each layer,
    /// shaped for `sizes`.
    ///
    /// # Errors
    /// As [`Mlp::new`] for the architecture; [`Error::Mismatch`] naming the
    /// first parameter that is missing, extra or misshapen.
    pub fn from_params(
        sizes: &[usize],
        activations: &[Activation],
        params: ParamStore<E>,
    ) -> Result<Self> {
        check_architecture(sizes, activations)?;
        let mut layers = Vec::with_capacity(activations.len());
        for (i, w) in sizes.windows(2).enumerate() {
            let layer = Linear::from_store(&params, &format!("layer{i}"))?;
            if (layer.inputs(), layer.outputs()) != (w[0], w[1]) {
                return Err(Error::mismatch(
                    format!("layer `layer{i}` weight shape"),
                    format!("[{}, {}]", w[0], w[1]),
                    format!("[{}, {}]", layer.inputs(), layer.outputs()),
                ));
            }
            layers.push(layer);
        }
        if params.len() != 2 * layers.len() {
            let extra: Vec<&str> = params
                .names()
                .filter(|n| {
                    !layers.iter().any(|l| {
                        *n == format!("{}.weight", l.name()) || *n == format!("{}.bias", l.name())
                    })
                })
                .collect();
            return Err(Error::mismatch(
                "parameters",
                format!("{} tensors for {} layers", 2 * layers.len(), layers.len()),
                format!("{} tensors, extra: {}", params.len(), extra.join(", ")),
            ));
        }
        Ok(Mlp {
            params,
            layers,
            activations: activations.to_vec(),
            features: None,
        })
    }

    /// The layer widths, inputs first.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].inputs()];
        s.extend(self.layers.iter().map(Linear::outputs));
        s
    }

    /// The activation of each layer.
    pub fn activations(&self) -> &[Activation] {
        &self.activations
    }

    /// The layers.
    pub fn layers(&self) -> &[Linear] {
        &self.layers
    }

    /// The input width.
    pub fn inputs(&self) -> usize {
        self.layers[0].inputs()
    }

    /// The output width.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs()
    }

    /// The input features the network was built for (the Playground's x1,
    /// x2, x1², …), if given: informational, saved with the network. Its
    /// input is still the matrix of these features' values.
    pub fn features(&self) -> Option<&[Feature]> {
        self.features.as_deref()
    }

    /// The same network, recording that its inputs are these features.
    ///
    /// ```
    /// use nn::data::Feature;
    /// use nn::prelude::*;
    /// let mlp = Mlp::<f64>::new(&[2, 1], &[Activation::Tanh], Init::Zero, 0).unwrap();
    /// let mlp = mlp.with_features(&[Feature::X1, Feature::X2]).unwrap();
    /// assert_eq!(mlp.features(), Some(&[Feature::X1, Feature::X2][..]));
    /// let err = mlp.with_features(&[Feature::X1]).unwrap_err().to_string();
    /// assert_eq!(err, "input features: expected 2 (one per input), found 1");
    /// ```
    ///
    /// # Errors
    /// [`Error::Mismatch`] unless there is one feature per input.
    pub fn with_features(mut self, features: &[Feature]) -> Result<Self> {
        if features.len() != self.inputs() {
            return Err(Error::mismatch(
                "input features",
                format!("{} (one per input)", self.inputs()),
                features.len(),
            ));
        }
        self.features = Some(features.to_vec());
        Ok(self)
    }

    /// The parameters.
    pub fn params(&self) -> &ParamStore<E> {
        &self.params
    }

    /// The parameters, mutable.
    pub fn params_mut(&mut self) -> &mut ParamStore<E> {
        &mut self.params
    }

    /// The parameters, taken out of the network.
    pub fn into_params(self) -> ParamStore<E> {
        self.params
    }

    /// The ids of the weight matrices (not the biases): what L1/L2
    /// regularisation usually penalises.
    pub fn weight_ids(&self) -> Vec<ParamId> {
        self.layers.iter().map(Linear::weight).collect()
    }

    /// The output for a batch x ([n, inputs] → [n, outputs]), on the tape
    /// `x` is on, with the parameters bound to it (see [`Model`]).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if `x` is not [n, inputs] (the message names the
    /// first layer and both widths).
    pub fn forward<'t>(&self, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        self.forward_with(&self.params.bind(x.tape()), x)
    }

    /// The output for a batch x with the parameters `p` in place of the
    /// network's own (the same shapes, on x's tape; see
    /// [`Bound::from_vars`] for its use in a gradient check).
    ///
    /// # Errors
    /// As [`Mlp::forward`]; [`Error::Mismatch`] if `p` does not hold a
    /// layer's parameters with their shapes.
    pub fn forward_with<'t>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<TensorVar<'t, E>> {
        let mut a = x;
        for (layer, &act) in self.layers.iter().zip(&self.activations) {
            a = layer.forward_act(p, a, act)?;
        }
        Ok(a)
    }

    /// Every layer's pre- and post-activation values for a batch x, in order
    /// (the last `post` is the network's output).
    ///
    /// # Errors
    /// As [`Mlp::forward`].
    pub fn forward_all<'t>(&self, x: TensorVar<'t, E>) -> Result<Vec<LayerOutput<'t, E>>> {
        let p = self.params.bind(x.tape());
        let mut out = Vec::with_capacity(self.layers.len());
        let mut a = x;
        for (layer, act) in self.layers.iter().zip(&self.activations) {
            let pre = layer.forward(&p, a)?;
            a = act.try_apply(pre)?;
            out.push(LayerOutput { pre, post: a });
        }
        Ok(out)
    }

    /// The output for a batch, without recording gradients.
    ///
    /// # Errors
    /// As [`Mlp::forward`].
    pub fn predict(&self, x: &Tensor<E>) -> Result<Tensor<E>> {
        Model::predict(self, x)
    }

    /// Every layer's pre- and post-activation values for a batch, without
    /// recording gradients (for per-neuron heatmaps: column j of layer l's
    /// `post` is neuron j's output over the batch).
    ///
    /// # Errors
    /// As [`Mlp::forward`].
    pub fn predict_layers(&self, x: &Tensor<E>) -> Result<Vec<LayerValues<E>>> {
        let tape = Tape::<E>::default();
        tape.no_grad(|| {
            let outs = self.forward_all(tape.tensor_constant(x.clone()))?;
            Ok(outs
                .into_iter()
                .map(|o| LayerValues {
                    pre: o.pre.value(),
                    post: o.post.value(),
                })
                .collect())
        })
    }

    /// The same network in another element type (`f32` ↔ `f64`).
    pub fn cast<F: Real>(&self) -> Mlp<F> {
        Mlp {
            params: self.params.cast(),
            layers: self.layers.clone(),
            activations: self.activations.clone(),
            features: self.features.clone(),
        }
    }
}

impl<E: Real> Model<E> for Mlp<E> {
    fn forward<'t>(&self, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        Mlp::forward(self, x)
    }
    fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, E>) -> Result<()> {
        f(path, &self.params)
    }
    fn visit_params_mut(&mut self, path: &ParamPath<'_>, f: &mut VisitMut<'_, E>) -> Result<()> {
        f(path, &mut self.params)
    }
}

impl<E: Real> fmt::Display for Mlp<E> {
    /// `Mlp 2-8-1 (tanh, tanh), 33 parameters`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: Vec<String> = self.sizes().iter().map(ToString::to_string).collect();
        let acts: Vec<String> = self.activations.iter().map(ToString::to_string).collect();
        write!(
            f,
            "Mlp {} ({}), {} parameters",
            sizes.join("-"),
            acts.join(", "),
            self.params.num_scalars()
        )
    }
}

fn check_architecture(sizes: &[usize], activations: &[Activation]) -> Result<()> {
    if sizes.len() < 2 {
        return Err(Error::invalid(
            "layer sizes",
            "at least two (inputs and outputs)",
            format!("{sizes:?}"),
        ));
    }
    if let Some(i) = sizes.iter().position(|&s| s == 0) {
        return Err(Error::invalid(
            format!("layer size #{i}"),
            "at least 1",
            format!("0 in {sizes:?}"),
        ));
    }
    if activations.len() != sizes.len() - 1 {
        return Err(Error::mismatch(
            "activations",
            format!("{} (one per layer for sizes {sizes:?})", sizes.len() - 1),
            activations.len(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Activation::{Identity, Relu, Sigmoid, Tanh};

    #[test]
    fn architecture_errors_say_what_is_wrong() {
        let e = Mlp::<f64>::new(&[2], &[], Init::Xavier, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer sizes: expected at least two (inputs and outputs), found [2]"
        );
        let e = Mlp::<f64>::new(&[2, 0, 1], &[Relu, Relu], Init::Xavier, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer size #1: expected at least 1, found 0 in [2, 0, 1]"
        );
        let e = Mlp::<f64>::new(&[2, 3, 1], &[Relu], Init::Xavier, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "activations: expected 2 (one per layer for sizes [2, 3, 1]), found 1"
        );
    }

    #[test]
    fn forward_is_matmul_plus_bias_then_activation() {
        let mut store = ParamStore::new();
        store
            .add(
                "layer0.weight",
                Tensor::from_vec(&[2, 2], vec![1.0, -1.0, 2.0, 0.5]).unwrap(),
            )
            .unwrap();
        store
            .add(
                "layer0.bias",
                Tensor::from_vec(&[2], vec![0.5, -3.0]).unwrap(),
            )
            .unwrap();
        let mlp = Mlp::from_params(&[2, 2], &[Relu], store).unwrap();
        let x = Tensor::from_vec(&[2, 2], vec![1.0, 1.0, -1.0, 2.0]).unwrap();
        // row 0: [1+2+0.5, -1+0.5-3] = [3.5, -3.5]; row 1: [-1+4+0.5, 1+1-3] = [3.5, -1]
        let layers = mlp.predict_layers(&x).unwrap();
        assert_eq!(layers[0].pre.data(), &[3.5, -3.5, 3.5, -1.0]);
        assert_eq!(layers[0].post.data(), &[3.5, 0.0, 3.5, 0.0]);
        assert_eq!(mlp.predict(&x).unwrap(), layers[0].post);
    }

    #[test]
    fn same_seed_same_network_and_casts_keep_values() {
        let a = Mlp::<f64>::new(&[3, 4, 2], &[Tanh, Identity], Init::He, 9).unwrap();
        let b = Mlp::<f64>::new(&[3, 4, 2], &[Tanh, Identity], Init::He, 9).unwrap();
        let c = Mlp::<f64>::new(&[3, 4, 2], &[Tanh, Identity], Init::He, 10).unwrap();
        assert_eq!(
            a.params()[a.layers()[0].weight()],
            b.params()[b.layers()[0].weight()]
        );
        assert_ne!(
            a.params()[a.layers()[0].weight()],
            c.params()[c.layers()[0].weight()]
        );
        let f: Mlp<f32> = a.cast();
        let x = Tensor::from_vec(&[1, 3], vec![0.1, 0.2, 0.3]).unwrap();
        let ya = a.predict(&x).unwrap();
        let yf = f.predict(&x.cast()).unwrap().cast::<f64>();
        assert!(ya.max_abs_diff(&yf) < 1e-6);
        assert_eq!(a.sizes(), vec![3, 4, 2]);
        assert_eq!((a.inputs(), a.outputs()), (3, 2));
        assert_eq!(a.weight_ids().len(), 2);
    }

    #[test]
    fn from_params_refuses_other_architectures() {
        let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Sigmoid, Sigmoid], Init::Nielsen, 1).unwrap();
        let params = mlp.clone().into_params();
        let ok = Mlp::from_params(&[2, 3, 1], &[Sigmoid, Sigmoid], params.clone()).unwrap();
        let x = Tensor::from_vec(&[1, 2], vec![0.3, -0.4]).unwrap();
        assert_eq!(ok.predict(&x).unwrap(), mlp.predict(&x).unwrap());
        let e = Mlp::from_params(&[2, 4, 1], &[Sigmoid, Sigmoid], params.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` weight shape: expected [2, 4], found [2, 3]"
        );
        let e = Mlp::from_params(&[2, 3, 1, 1], &[Sigmoid; 3], params.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer2`: expected a parameter `layer2.weight`, found none in the store"
        );
        let mut extra = params;
        extra.add("other", Tensor::zeros(&[1])).unwrap();
        let e = Mlp::from_params(&[2, 3, 1], &[Sigmoid, Sigmoid], extra).unwrap_err();
        assert_eq!(
            e.to_string(),
            "parameters: expected 4 tensors for 2 layers, found 5 tensors, extra: other"
        );
    }

    #[test]
    fn wrong_input_and_wrong_store_are_errors() {
        let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Relu, Identity], Init::Xavier, 1).unwrap();
        let e = mlp.predict(&Tensor::zeros(&[4, 3])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` input width: expected 2, found 3"
        );
        let e = mlp.predict(&Tensor::zeros(&[2])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` input shape: expected a batch [n, 2], found [2]"
        );
        let other = Mlp::<f64>::new(&[2, 5, 1], &[Relu, Identity], Init::Xavier, 1).unwrap();
        let tape = Tape::new();
        let p = other.params().bind(&tape);
        let e = mlp.layers()[0]
            .forward(&p, tape.tensor_constant(Tensor::zeros(&[1, 2])))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` weight shape (is the right store bound?): expected [2, 3], found [2, 5]"
        );
        let empty = ParamStore::<f64>::new();
        let p = empty.bind(&tape);
        let e = mlp.layers()[0]
            .forward(&p, tape.tensor_constant(Tensor::zeros(&[1, 2])))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` weight: expected parameter #0 in the bound store, found a store of 0 parameters"
        );
    }
}
