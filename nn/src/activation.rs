//! Activation functions, on tensors ([`TensorVar`]) and on scalars ([`Var`]).
//!
//! Each one is an expression on the tape; its derivative comes from
//! `autograd`, never from this file.

use crate::error::{Error, Result};
use autograd::{Real, TensorVar, Var};
use std::fmt;
use std::str::FromStr;

/// The slope `leaky_relu` gets when its name is given without one.
pub const DEFAULT_LEAKY_SLOPE: f64 = 0.01;

/// A neuron's activation function a = g(z).
///
/// | variant | g(z) | g′(z) | name |
/// |---|---|---|---|
/// | `Identity` | z | 1 | `identity` (or `linear`) |
/// | `Step` | 1 if z > 0, else 0 | 0 (no gradient flows: the perceptron cannot learn by gradient descent) | `step` |
/// | `Sigmoid` | 1 / (1 + e^−z) | g(1 − g) | `sigmoid` |
/// | `Tanh` | tanh z | 1 − g² | `tanh` |
/// | `Relu` | max(z, 0) | 1 if z > 0, else 0 | `relu` |
/// | `LeakyRelu(s)` | z if z > 0, else s·z | 1 or s | `leaky_relu` (slope 0.01) or `leaky_relu(0.1)` |
/// | `Softmax` | e^z / Σ e^z along the last axis | (a Jacobian, not element-wise) | `softmax` |
///
/// ```
/// use autograd::{Tape, Tensor};
/// use nn::activation::Activation;
/// let tape = Tape::new();
/// let z = tape.tensor(Tensor::from_vec(&[3], vec![-1.0, 0.0, 2.0]).unwrap());
/// let a = Activation::Relu.apply(z);
/// assert_eq!(a.value().data(), &[0.0, 0.0, 2.0]);
/// let act: Activation = "leaky_relu(0.1)".parse().unwrap();
/// assert_eq!(act.apply(z).value().data(), &[-0.1, 0.0, 2.0]);
/// assert_eq!(act.to_string(), "leaky_relu(0.1)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Activation {
    /// g(z) = z: a linear neuron (the Playground's "Linear").
    Identity,
    /// The perceptron's step: 1 if z > 0, else 0. Its derivative is zero
    /// wherever it exists, so no gradient flows through it: a network of
    /// step units does not learn by gradient descent (the course's reason
    /// for sigmoid neurons).
    Step,
    /// The logistic function 1 / (1 + e^−z), computed without overflow.
    Sigmoid,
    /// The hyperbolic tangent (the Playground's default).
    Tanh,
    /// max(z, 0); its derivative is taken as 0 at z = 0.
    Relu,
    /// z for z > 0, else slope·z: keeps a small gradient where ReLU has none.
    LeakyRelu(f64),
    /// Softmax along the last axis: each row becomes a probability
    /// distribution. Not element-wise: on scalars use
    /// [`Activation::apply_vars`] with the whole vector.
    Softmax,
}

impl Activation {
    /// The valid names, as accepted by [`FromStr`].
    pub const NAMES: [&'static str; 8] = [
        "identity",
        "linear",
        "step",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "softmax",
    ];

    /// Applies the function to a tensor (element-wise, or along the last
    /// axis for `Softmax`).
    ///
    /// # Panics
    /// `Softmax` on a 0-dimensional tensor (it has no last axis).
    #[track_caller]
    pub fn apply<'t, E: Real>(self, z: TensorVar<'t, E>) -> TensorVar<'t, E> {
        match self.try_apply(z) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }

    /// The same activation as the engine's fusable [`autograd::Act`] (its
    /// derivative is a function of its output), or `None` for the step and
    /// softmax (and a leaky ReLU with a negative slope), which a layer
    /// applies as an op of its own.
    pub fn fused(self) -> Option<autograd::Act> {
        Some(match self {
            Activation::Identity => autograd::Act::Identity,
            Activation::Sigmoid => autograd::Act::Sigmoid,
            Activation::Tanh => autograd::Act::Tanh,
            Activation::Relu => autograd::Act::Relu,
            Activation::LeakyRelu(s) if s >= 0.0 => autograd::Act::LeakyRelu(s),
            Activation::LeakyRelu(_) | Activation::Step | Activation::Softmax => return None,
        })
    }

    /// Applies the function to a tensor.
    ///
    /// # Errors
    /// [`Error::Mismatch`] for `Softmax` on a 0-dimensional tensor.
    pub fn try_apply<'t, E: Real>(self, z: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        Ok(match self {
            Activation::Identity => z,
            Activation::Step => z.step(),
            Activation::Sigmoid => z.sigmoid(),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.relu(),
            Activation::LeakyRelu(slope) => z.leaky_relu(slope),
            Activation::Softmax => {
                let ndim = z.ndim();
                if ndim == 0 {
                    return Err(Error::mismatch(
                        "softmax input",
                        "a tensor with at least one axis",
                        "a 0-dimensional tensor",
                    ));
                }
                z.try_softmax(ndim - 1)?
            }
        })
    }

    /// Applies an element-wise function to one scalar.
    ///
    /// # Panics
    /// For `Softmax`, which needs the whole vector: use
    /// [`Activation::apply_vars`].
    #[track_caller]
    pub fn apply_var<'t, E: Real>(self, z: Var<'t, E>) -> Var<'t, E> {
        match self {
            Activation::Identity => z,
            Activation::Step => z.step(),
            Activation::Sigmoid => z.sigmoid(),
            Activation::Tanh => z.tanh(),
            Activation::Relu => z.relu(),
            Activation::LeakyRelu(slope) => z.leaky_relu(slope),
            Activation::Softmax => panic!(
                "softmax is not element-wise: apply it to the whole vector with Activation::apply_vars"
            ),
        }
    }

    /// Applies the function to a vector of scalars (one layer's outputs):
    /// element by element, or as a whole for `Softmax`, where the largest
    /// value is subtracted first (a constant shift, which leaves the softmax
    /// and its gradient unchanged and keeps e^z from overflowing).
    pub fn apply_vars<'t, E: Real>(self, z: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
        match self {
            Activation::Softmax => {
                let Some(first) = z.first() else {
                    return Vec::new();
                };
                let max =
                    z.iter()
                        .map(|v| v.value())
                        .fold(first.value(), |a, b| if b > a { b } else { a });
                let shift = max.to_f64();
                let e: Vec<Var<'t, E>> = z.iter().map(|&v| (v - shift).exp()).collect();
                let total = e[1..].iter().fold(e[0], |a, &b| a + b);
                e.into_iter().map(|v| v / total).collect()
            }
            _ => z.iter().map(|&v| self.apply_var(v)).collect(),
        }
    }

    /// Whether the function acts on each value alone (all but `Softmax`).
    pub fn is_elementwise(self) -> bool {
        !matches!(self, Activation::Softmax)
    }
}

impl fmt::Display for Activation {
    /// The name accepted by [`FromStr`]: `identity`, `step`, `sigmoid`,
    /// `tanh`, `relu`, `leaky_relu` (with the slope in parentheses unless it
    /// is 0.01), `softmax`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Activation::Identity => f.write_str("identity"),
            Activation::Step => f.write_str("step"),
            Activation::Sigmoid => f.write_str("sigmoid"),
            Activation::Tanh => f.write_str("tanh"),
            Activation::Relu => f.write_str("relu"),
            Activation::LeakyRelu(s) if *s == DEFAULT_LEAKY_SLOPE => f.write_str("leaky_relu"),
            Activation::LeakyRelu(s) => write!(f, "leaky_relu({s})"),
            Activation::Softmax => f.write_str("softmax"),
        }
    }
}

impl FromStr for Activation {
    type Err = Error;

    /// Parses a name (case-insensitive; `-` may replace `_`): `identity` or
    /// `linear`, `step`, `sigmoid`, `tanh`, `relu`, `leaky_relu` (slope 0.01)
    /// or `leaky_relu(<slope>)` (or `leaky_relu:<slope>`), `softmax`.
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        let invalid = || {
            Error::invalid(
                "activation",
                "one of identity (or linear), step, sigmoid, tanh, relu, leaky_relu, leaky_relu(<slope>), softmax",
                format!("`{s}`"),
            )
        };
        Ok(match key.as_str() {
            "identity" | "linear" => Activation::Identity,
            "step" => Activation::Step,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "relu" => Activation::Relu,
            "leaky_relu" | "leakyrelu" => Activation::LeakyRelu(DEFAULT_LEAKY_SLOPE),
            "softmax" => Activation::Softmax,
            _ => {
                // `leaky_relu:<slope>` is the older spelling of the command line
                let slope = key
                    .strip_prefix("leaky_relu(")
                    .and_then(|rest| rest.strip_suffix(')'))
                    .or_else(|| key.strip_prefix("leaky_relu:"))
                    .ok_or_else(invalid)?;
                let slope: f64 = slope.trim().parse().map_err(|_| invalid())?;
                if !slope.is_finite() {
                    return Err(Error::invalid("leaky_relu slope", "a finite number", slope));
                }
                Activation::LeakyRelu(slope)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use autograd::{check_tensor_grad, Tape, Tensor};

    #[test]
    fn tensor_and_scalar_forms_agree() {
        let xs = [-1.5, -0.2, 0.3, 2.0];
        for act in [
            Activation::Identity,
            Activation::Step,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::LeakyRelu(0.2),
            Activation::Softmax,
        ] {
            let weights = [0.5, -1.0, 2.0, 0.25];
            let tape = Tape::new();
            let z = tape.tensor(Tensor::from_f64(&[4], &xs).unwrap());
            let a = act.apply(z);
            let c = tape.tensor_constant(Tensor::from_f64(&[4], &weights).unwrap());
            let tensor_grad = (a * c).sum().backward()[z].to_vec();
            let zs = tape.vars(&xs);
            let vs = act.apply_vars(&zs);
            let values: Vec<f64> = vs.iter().map(|v| v.value()).collect();
            let loss = vs
                .iter()
                .zip(weights)
                .fold(tape.constant(0.0), |s, (&v, w)| s + v * w);
            let g = loss.backward();
            let scalar_grad: Vec<f64> = zs.iter().map(|&z| g[z]).collect();
            let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
            assert!(close(&a.value().to_vec(), &values), "{act}");
            assert!(
                close(&tensor_grad, &scalar_grad),
                "{act}: {tensor_grad:?} vs {scalar_grad:?}"
            );
        }
    }

    #[test]
    fn gradients_match_central_differences() {
        let x = Tensor::from_vec(&[2, 3], vec![-1.2, 0.4, 2.0, 0.7, -0.3, 1.1]).unwrap();
        let w = Tensor::from_vec(&[2, 3], vec![0.3, -1.0, 0.5, 2.0, 0.1, -0.7]).unwrap();
        for act in [
            Activation::Identity,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::LeakyRelu(0.1),
            Activation::Softmax,
        ] {
            let w = w.clone();
            check_tensor_grad(
                move |p| {
                    let c = p[0].tape().tensor_constant(w.clone());
                    (act.apply(p[0]) * c).sum()
                },
                std::slice::from_ref(&x),
            )
            .assert_passed();
        }
    }

    #[test]
    fn step_passes_no_gradient() {
        let tape = Tape::new();
        let z = tape.tensor(Tensor::from_vec(&[2], vec![-1.0, 1.0]).unwrap());
        let g = Activation::Step.apply(z).sum().backward();
        assert_eq!(g[z].data(), &[0.0, 0.0]);
    }

    #[test]
    fn softmax_rows_sum_to_one_without_overflow() {
        let tape = Tape::new();
        let z = Tensor::from_vec(&[2, 2], vec![1000.0, 1000.0, 0.0, 1.0]).unwrap();
        let a = Activation::Softmax.apply(tape.tensor(z)).value();
        assert_eq!(a.at(&[0, 0]), 0.5);
        assert!((a.at(&[1, 0]) + a.at(&[1, 1]) - 1.0).abs() < 1e-15);
        let v = Activation::Softmax.apply_vars(&tape.vars(&[1000.0, 1000.0]));
        assert_eq!(v[0].value(), 0.5);
        assert!(Activation::Softmax.apply_vars::<f64>(&[]).is_empty());
        let scalar = tape.tensor(Tensor::scalar(1.0));
        let err = Activation::Softmax
            .try_apply(scalar)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "softmax input: expected a tensor with at least one axis, found a 0-dimensional tensor"
        );
    }

    #[test]
    #[should_panic(expected = "softmax is not element-wise")]
    fn softmax_on_one_scalar_panics() {
        let tape = Tape::new();
        Activation::Softmax.apply_var(tape.var(1.0));
    }

    #[test]
    fn names_round_trip_and_bad_names_are_listed() {
        for act in [
            Activation::Identity,
            Activation::Step,
            Activation::Sigmoid,
            Activation::Tanh,
            Activation::Relu,
            Activation::LeakyRelu(0.01),
            Activation::LeakyRelu(0.2),
            Activation::Softmax,
        ] {
            assert_eq!(act.to_string().parse::<Activation>().unwrap(), act);
        }
        assert_eq!(
            "Linear".parse::<Activation>().unwrap(),
            Activation::Identity
        );
        assert_eq!(
            "leaky-relu( 0.3 )".parse::<Activation>().unwrap(),
            Activation::LeakyRelu(0.3)
        );
        assert_eq!(
            "leaky-relu:0.1".parse::<Activation>().unwrap(),
            Activation::LeakyRelu(0.1)
        );
        for name in Activation::NAMES {
            assert!(name.parse::<Activation>().is_ok(), "{name}");
        }
        let err = "swish".parse::<Activation>().unwrap_err().to_string();
        assert_eq!(
            err,
            "activation: expected one of identity (or linear), step, sigmoid, tanh, relu, leaky_relu, leaky_relu(<slope>), softmax, found `swish`"
        );
        assert!("leaky_relu(abc)".parse::<Activation>().is_err());
        let err = "leaky_relu(inf)"
            .parse::<Activation>()
            .unwrap_err()
            .to_string();
        assert_eq!(err, "leaky_relu slope: expected a finite number, found inf");
    }
}
