//! Fully connected layers and single neurons, reading their parameters
//! from a store bound to the tape.

use crate::activation::Activation;
use crate::error::{Error, Result};
use crate::init::{Init, Rng};
use crate::param::{Bound, ParamId, ParamStore};
use autograd::{Real, TensorVar};

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

#[cfg(test)]
mod tests {
    use super::*;
    use autograd::{Tape, Tensor};
    use Activation::Tanh;

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
