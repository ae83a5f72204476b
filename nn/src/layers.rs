//! Neurons, layers and multi-layer perceptrons.
//!
//! A layer holds the [`ParamId`]s of its parameters, not their values: the
//! values live in a [`ParamStore`], and each forward pass reads them from the
//! store's binding to a tape ([`Bound`]). Inputs are batches: a `[n, inputs]`
//! tensor gives a `[n, outputs]` tensor, one row per sample.
//!
//! ```
//! use autograd::{Tape, Tensor};
//! use nn::prelude::*;
//! let mlp = Mlp::<f64>::new(&[2, 3, 1], &[Activation::Tanh, Activation::Sigmoid], Init::Xavier, 7).unwrap();
//! let tape = Tape::new();
//! let p = mlp.params().bind(&tape);
//! let x = tape.tensor_constant(Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap());
//! let y = mlp.forward(&p, x).unwrap();
//! assert_eq!(y.shape().as_slice(), &[4, 1]);
//! let loss = nn::loss::mse(y, tape.tensor_constant(Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap())).unwrap();
//! let grads = p.grads(&loss.backward());
//! assert_eq!(grads.len(), 4); // two weights, two biases
//! ```

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::{Init, Rng};
use crate::param::{Bound, ParamId, ParamStore};
use autograd::{Real, Tape, Tensor, TensorVar};
use std::fmt;

/// Anything with parameters and a forward pass: what the optimizers and the
/// training loop work on.
///
/// Implement it for your own model by returning its store and writing its
/// forward pass as tape arithmetic; [`Model::predict`] and the training loop
/// come for free.
///
/// ```
/// use autograd::{Tensor, TensorVar};
/// use nn::prelude::*;
/// use nn::Result;
///
/// /// y = a·x² + b·x + c, one input column.
/// struct Quadratic {
///     params: ParamStore,
///     coef: ParamId,
/// }
///
/// impl Model<f64> for Quadratic {
///     fn params(&self) -> &ParamStore { &self.params }
///     fn params_mut(&mut self) -> &mut ParamStore { &mut self.params }
///     fn forward<'t>(&self, p: &Bound<'t, f64>, x: TensorVar<'t, f64>) -> Result<TensorVar<'t, f64>> {
///         let features = TensorVar::try_concat(&[x * x, x, x * 0.0 + 1.0], 1)?; // [n, 3]
///         Ok(features.try_matmul(p[self.coef])?)
///     }
/// }
///
/// let mut params = ParamStore::new();
/// let coef = params.add("coef", Tensor::zeros(&[3, 1])).unwrap();
/// let mut model = Quadratic { params, coef };
/// let x = Tensor::from_vec(&[5, 1], vec![-2.0, -1.0, 0.0, 1.0, 2.0]).unwrap();
/// let y = x.map(|v| 0.5 * v * v - v + 2.0);
/// let mut opt = Sgd::new(0.05).unwrap();
/// Trainer::new(Loss::Mse).epochs(2000).batch_size(5).quiet()
///     .fit(&mut model, &mut opt, &x, &y).unwrap();
/// let c = model.params()[coef].to_vec();
/// assert!((c[0] - 0.5).abs() < 1e-3 && (c[1] + 1.0).abs() < 1e-3 && (c[2] - 2.0).abs() < 1e-3);
/// ```
pub trait Model<E: Real> {
    /// The parameters.
    fn params(&self) -> &ParamStore<E>;

    /// The parameters, mutable (for an optimizer).
    fn params_mut(&mut self) -> &mut ParamStore<E>;

    /// The output for a batch `x` ([n, inputs]), with the parameters read
    /// from `p` (this model's store bound to the tape `x` is on).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if `x` does not fit the model.
    fn forward<'t>(&self, p: &Bound<'t, E>, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>>;

    /// The output for a batch, computed without recording gradients.
    ///
    /// # Errors
    /// As [`Model::forward`].
    fn predict(&self, x: &Tensor<E>) -> Result<Tensor<E>> {
        let tape = Tape::<E>::default();
        tape.no_grad(|| {
            let p = self.params().bind(&tape);
            let y = self.forward(&p, tape.tensor_constant(x.clone()))?;
            Ok(y.value())
        })
    }
}

/// A fully connected layer: y = x·W + b for x of shape [n, inputs], with
/// weight W of shape `[inputs, outputs]` and bias b of shape `[outputs]`
/// (broadcast over the rows).
///
/// ```
/// use autograd::{Tape, Tensor};
/// use nn::init::{Init, Rng};
/// use nn::layers::Linear;
/// use nn::param::ParamStore;
/// let mut store = ParamStore::new();
/// let layer = Linear::new(&mut store, "fc", 3, 2, Init::Zero, &mut Rng::new(0)).unwrap();
/// let tape = Tape::new();
/// let p = store.bind(&tape);
/// let bad = tape.tensor_constant(Tensor::zeros(&[5, 4]));
/// let err = layer.forward(&p, bad).unwrap_err().to_string();
/// assert_eq!(err, "layer `fc` input width: expected 3, found 4");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linear {
    name: String,
    weight: ParamId,
    bias: ParamId,
    inputs: usize,
    outputs: usize,
}

impl Linear {
    /// Adds a layer's parameters to `store` as `"{name}.weight"` ([inputs,
    /// outputs]) and `"{name}.bias"` (`[outputs]`), drawn by `init` from `rng`.
    ///
    /// # Errors
    /// [`Error::Invalid`] if a size is 0 or a name is already in the store.
    pub fn new<E: Real>(
        store: &mut ParamStore<E>,
        name: &str,
        inputs: usize,
        outputs: usize,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        check_size(name, "input width", inputs)?;
        check_size(name, "output width", outputs)?;
        let w = init.weights(rng, inputs, outputs);
        let b = init.biases(rng, outputs);
        let weight = store.add(format!("{name}.weight"), w)?;
        let bias = store.add(format!("{name}.bias"), b)?;
        Ok(Linear {
            name: name.to_string(),
            weight,
            bias,
            inputs,
            outputs,
        })
    }

    /// The layer whose parameters `"{name}.weight"` and `"{name}.bias"` are
    /// already in `store` (for a loaded model).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if either is missing or their shapes are not
    /// `[inputs, outputs]` and `[outputs]`.
    pub fn from_store<E: Real>(store: &ParamStore<E>, name: &str) -> Result<Self> {
        let find = |suffix: &str| {
            let key = format!("{name}.{suffix}");
            store
                .id(&key)
                .map(|id| (id, store[id].shape().to_vec()))
                .ok_or_else(|| {
                    Error::mismatch(
                        format!("layer `{name}`"),
                        format!("a parameter `{key}`"),
                        "none in the store",
                    )
                })
        };
        let (weight, ws) = find("weight")?;
        let (bias, bs) = find("bias")?;
        if ws.len() != 2 || ws.contains(&0) {
            return Err(Error::mismatch(
                format!("layer `{name}` weight shape"),
                "[inputs, outputs], both positive",
                format!("{ws:?}"),
            ));
        }
        if bs.as_slice() != [ws[1]] {
            return Err(Error::mismatch(
                format!("layer `{name}` bias shape"),
                format!("[{}]", ws[1]),
                format!("{bs:?}"),
            ));
        }
        Ok(Linear {
            name: name.to_string(),
            weight,
            bias,
            inputs: ws[0],
            outputs: ws[1],
        })
    }

    /// y = x·W + b: [n, inputs] → [n, outputs].
    ///
    /// # Errors
    /// [`Error::Mismatch`] if `x` is not 2-D, if its width is not the
    /// layer's input width (the message names the layer and both widths),
    /// or if `p` does not hold this layer's parameters with their shapes.
    pub fn forward<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<TensorVar<'t, E>> {
        let (w, b) = self.checked_params(p, x)?;
        // one fused op: x·W and the bias row in one output buffer
        Ok(x.try_matmul_bias(w, b)?)
    }

    /// a = act(x·W + b): the layer followed by an activation, recorded as
    /// one fused op for an element-wise activation ([`Activation::try_apply_dense`]),
    /// with the same value and gradients as [`Linear::forward`] then
    /// [`Activation::try_apply`].
    ///
    /// # Errors
    /// As [`Linear::forward`].
    pub fn forward_act<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
        act: Activation,
    ) -> Result<TensorVar<'t, E>> {
        let (w, b) = self.checked_params(p, x)?;
        act.try_apply_dense(x, w, b)
    }

    /// The weight and bias after checking that `x` fits the layer.
    fn checked_params<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<(TensorVar<'t, E>, TensorVar<'t, E>)> {
        let shape = x.shape();
        if shape.len() != 2 {
            return Err(Error::mismatch(
                format!("layer `{}` input shape", self.name),
                format!("a batch [n, {}]", self.inputs),
                format!("{:?}", shape.as_slice()),
            ));
        }
        if shape[1] != self.inputs {
            return Err(Error::mismatch(
                format!("layer `{}` input width", self.name),
                self.inputs,
                shape[1],
            ));
        }
        let w = self.param(p, self.weight, "weight", &[self.inputs, self.outputs])?;
        let b = self.param(p, self.bias, "bias", &[self.outputs])?;
        Ok((w, b))
    }

    fn param<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        id: ParamId,
        what: &str,
        shape: &[usize],
    ) -> Result<TensorVar<'t, E>> {
        let v = p.get(id).ok_or_else(|| {
            Error::mismatch(
                format!("layer `{}` {what}", self.name),
                format!("parameter {id} in the bound store"),
                format!("a store of {} parameters", p.len()),
            )
        })?;
        let found = v.shape();
        if found.as_slice() != shape {
            return Err(Error::mismatch(
                format!(
                    "layer `{}` {what} shape (is the right store bound?)",
                    self.name
                ),
                format!("{shape:?}"),
                format!("{:?}", found.as_slice()),
            ));
        }
        Ok(v)
    }

    /// The layer's name (the prefix of its parameter names).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The id of the weight, [inputs, outputs].
    pub fn weight(&self) -> ParamId {
        self.weight
    }

    /// The id of the bias, `[outputs]`.
    pub fn bias(&self) -> ParamId {
        self.bias
    }

    /// The input width.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The output width (the number of neurons).
    pub fn outputs(&self) -> usize {
        self.outputs
    }
}

fn check_size(layer: &str, what: &str, n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::invalid(
            format!("layer `{layer}` {what}"),
            "at least 1",
            0,
        ));
    }
    Ok(())
}

/// One neuron: a = g(x·w + b), with weights w ([inputs, 1]), a bias b (`[1]`)
/// and an activation g. On a batch x of shape [n, inputs] it gives [n, 1].
///
/// ```
/// use autograd::{Tape, Tensor};
/// use nn::prelude::*;
/// // the course's bean neuron: toxicity = sigmoid(w·size + b)
/// let mut store = ParamStore::new();
/// let neuron = Neuron::new(&mut store, "bean", 1, Activation::Sigmoid, Init::Zero, &mut Rng::new(0)).unwrap();
/// let tape = Tape::new();
/// let p = store.bind(&tape);
/// let sizes = tape.tensor_constant(Tensor::from_vec(&[2, 1], vec![0.5, 1.5]).unwrap());
/// let a = neuron.forward(&p, sizes).unwrap();
/// assert_eq!(a.value().data(), &[0.5, 0.5]); // sigmoid(0)
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Neuron {
    linear: Linear,
    activation: Activation,
}

impl Neuron {
    /// Adds a neuron's parameters to `store` (`"{name}.weight"`,
    /// `"{name}.bias"`), drawn by `init` from `rng`.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `inputs` is 0 or a name is taken.
    pub fn new<E: Real>(
        store: &mut ParamStore<E>,
        name: &str,
        inputs: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Self> {
        Ok(Neuron {
            linear: Linear::new(store, name, inputs, 1, init, rng)?,
            activation,
        })
    }

    /// z = x·w + b, before the activation: [n, inputs] → [n, 1].
    ///
    /// # Errors
    /// As [`Linear::forward`].
    pub fn pre_activation<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<TensorVar<'t, E>> {
        self.linear.forward(p, x)
    }

    /// a = g(x·w + b): [n, inputs] → [n, 1].
    ///
    /// # Errors
    /// As [`Linear::forward`].
    pub fn forward<'t, E: Real>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<TensorVar<'t, E>> {
        self.linear.forward_act(p, x, self.activation)
    }

    /// The id of the weights, [inputs, 1].
    pub fn weight(&self) -> ParamId {
        self.linear.weight()
    }

    /// The id of the bias, `[1]`.
    pub fn bias(&self) -> ParamId {
        self.linear.bias()
    }

    /// The activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The number of inputs.
    pub fn inputs(&self) -> usize {
        self.linear.inputs()
    }
}

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
            if (layer.inputs, layer.outputs) != (w[0], w[1]) {
                return Err(Error::mismatch(
                    format!("layer `layer{i}` weight shape"),
                    format!("[{}, {}]", w[0], w[1]),
                    format!("[{}, {}]", layer.inputs, layer.outputs),
                ));
            }
            layers.push(layer);
        }
        if params.len() != 2 * layers.len() {
            let extra: Vec<&str> = params
                .names()
                .filter(|n| {
                    !layers.iter().any(|l| {
                        *n == format!("{}.weight", l.name) || *n == format!("{}.bias", l.name)
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
        })
    }

    /// The layer widths, inputs first.
    pub fn sizes(&self) -> Vec<usize> {
        let mut s = vec![self.layers[0].inputs];
        s.extend(self.layers.iter().map(|l| l.outputs));
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
        self.layers[0].inputs
    }

    /// The output width.
    pub fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
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

    /// The output for a batch x ([n, inputs] → [n, outputs]).
    ///
    /// # Errors
    /// [`Error::Mismatch`] if `x` is not [n, inputs] (the message names the
    /// first layer and both widths).
    pub fn forward<'t>(&self, p: &Bound<'t, E>, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
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
    pub fn forward_all<'t>(
        &self,
        p: &Bound<'t, E>,
        x: TensorVar<'t, E>,
    ) -> Result<Vec<LayerOutput<'t, E>>> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut a = x;
        for (layer, act) in self.layers.iter().zip(&self.activations) {
            let pre = layer.forward(p, a)?;
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
            let p = self.params.bind(&tape);
            let outs = self.forward_all(&p, tape.tensor_constant(x.clone()))?;
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
        }
    }
}

impl<E: Real> Model<E> for Mlp<E> {
    fn params(&self) -> &ParamStore<E> {
        &self.params
    }
    fn params_mut(&mut self) -> &mut ParamStore<E> {
        &mut self.params
    }
    fn forward<'t>(&self, p: &Bound<'t, E>, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        Mlp::forward(self, p, x)
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
        let e = mlp
            .forward(&p, tape.tensor_constant(Tensor::zeros(&[1, 2])))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` weight shape (is the right store bound?): expected [2, 3], found [2, 5]"
        );
        let empty = ParamStore::<f64>::new();
        let p = empty.bind(&tape);
        let e = mlp
            .forward(&p, tape.tensor_constant(Tensor::zeros(&[1, 2])))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `layer0` weight: expected parameter #0 in the bound store, found a store of 0 parameters"
        );
    }

    #[test]
    fn neuron_is_a_one_output_layer_with_an_activation() {
        let mut store = ParamStore::new();
        let mut rng = Rng::new(3);
        let n = Neuron::new(&mut store, "n", 2, Tanh, Init::Nielsen, &mut rng).unwrap();
        assert_eq!(store[n.weight()].shape(), &[2, 1]);
        assert_eq!(store[n.bias()].shape(), &[1]);
        let tape = Tape::new();
        let p = store.bind(&tape);
        let x = tape.tensor_constant(Tensor::from_vec(&[1, 2], vec![0.5, -1.0]).unwrap());
        let z = n.pre_activation(&p, x).unwrap().value().item();
        let (w, b) = (store[n.weight()].data(), store[n.bias()].data()[0]);
        assert!((z - (0.5 * w[0] - w[1] + b)).abs() < 1e-15);
        assert_eq!(n.forward(&p, x).unwrap().value().item(), z.tanh());
        assert_eq!((n.inputs(), n.activation()), (2, Tanh));
        let e = Neuron::new(&mut store, "m", 0, Tanh, Init::Nielsen, &mut rng).unwrap_err();
        assert_eq!(
            e.to_string(),
            "layer `m` input width: expected at least 1, found 0"
        );
    }
}
