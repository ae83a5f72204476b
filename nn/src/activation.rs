//! Activation functions, on tensors ([`TensorVar`]) and on scalars ([`Var`]).
//!
//! Each element-wise activation is an [`autograd::Func`], defined once in
//! `autograd::func` with its derivative; this file only names them. One
//! match (`Activation::visit`, private) maps each variant to its definition, and
//! every use (tensors, scalars, the fused dense layer, the names) goes
//! through it.

use crate::error::{Error, Result};
use autograd::{func, Func, Real, TensorVar, Var};
use std::fmt;
use std::str::FromStr;

/// The slope `leaky_relu` gets when its name is given without one.
pub const DEFAULT_LEAKY_SLOPE: f64 = 0.01;

/// The alpha `elu` gets when its name is given without one (PyTorch's).
pub const DEFAULT_ELU_ALPHA: f64 = 1.0;

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
/// | `Softplus` | ln(1 + e^z), without overflow | σ(z) | `softplus` |
/// | `Gelu` | z/2·(1 + tanh(√(2/π)(z + 0.044715z³))) (PyTorch's `approximate="tanh"`) | its derivative | `gelu` |
/// | `Silu` | z·σ(z) | σ(z)(1 + z(1 − σ(z))) | `silu` (or `swish`) |
/// | `Elu(α)` | z if z > 0, else α(e^z − 1) | 1, or g + α | `elu` (α = 1) or `elu(0.5)` |
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
/// let gelu: Activation = "gelu".parse().unwrap();
/// assert!((gelu.apply(z).value().data()[2] - 1.9545976940).abs() < 1e-9);
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
    /// ln(1 + e^z): a smooth ReLU, computed without overflow.
    Softplus,
    /// GELU in its tanh form, as PyTorch's `approximate="tanh"`.
    Gelu,
    /// SiLU (swish): z·σ(z).
    Silu,
    /// ELU: z for z > 0, else α(e^z − 1).
    Elu(f64),
    /// Softmax along the last axis: each row becomes a probability
    /// distribution. Not element-wise: on scalars use
    /// [`Activation::apply_vars`] with the whole vector.
    Softmax,
}

/// What to do with an activation, given its definition: the one place that
/// turns a variant into its [`Func`] is [`Activation::visit`].
trait Visit {
    type Out;
    /// g(z) = z (nothing is recorded).
    fn identity(self) -> Self::Out;
    /// Softmax along the last axis (not element-wise).
    fn softmax(self) -> Self::Out;
    /// An element-wise function, with its parameter for the name (a leaky
    /// ReLU's slope, ELU's alpha).
    fn func<F: Func>(self, f: F, param: Option<f64>) -> Self::Out;
}

/// Other names accepted by [`FromStr`] (after `-` → `_`).
const ALIASES: [(&str, Activation); 3] = [
    ("linear", Activation::Identity),
    ("leakyrelu", Activation::LeakyRelu(DEFAULT_LEAKY_SLOPE)),
    ("swish", Activation::Silu),
];

impl Activation {
    /// Every activation, parameterised ones with their default parameter,
    /// in the order their names are listed. [`FromStr`] finds names here.
    pub const ALL: [Activation; 11] = [
        Activation::Identity,
        Activation::Step,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(DEFAULT_LEAKY_SLOPE),
        Activation::Softmax,
        Activation::Softplus,
        Activation::Gelu,
        Activation::Silu,
        Activation::Elu(DEFAULT_ELU_ALPHA),
    ];

    /// The valid names, as accepted by [`FromStr`]: each activation's name
    /// and its aliases (`linear`, `leakyrelu`, `swish`); parameterised ones
    /// are also accepted as `name(<value>)`.
    pub fn names() -> impl Iterator<Item = &'static str> {
        let names = Self::ALL.into_iter().map(|a| a.name_and_param().0);
        names.chain(ALIASES.iter().map(|&(n, _)| n))
    }

    /// The one dispatch from a variant to its definition.
    fn visit<V: Visit>(self, v: V) -> V::Out {
        match self {
            Activation::Identity => v.identity(),
            Activation::Softmax => v.softmax(),
            Activation::Step => v.func(func::Step, None),
            Activation::Sigmoid => v.func(func::Sigmoid, None),
            Activation::Tanh => v.func(func::Tanh, None),
            Activation::Relu => v.func(func::Relu, None),
            Activation::LeakyRelu(slope) => v.func(func::LeakyRelu { slope }, Some(slope)),
            Activation::Softplus => v.func(func::Softplus, None),
            Activation::Gelu => v.func(func::Gelu, None),
            Activation::Silu => v.func(func::Silu, None),
            Activation::Elu(alpha) => v.func(func::Elu { alpha }, Some(alpha)),
        }
    }

    /// The same activation with parameter `p`, if it takes one.
    fn with_param(self, p: f64) -> Option<Self> {
        match self {
            Activation::LeakyRelu(_) => Some(Activation::LeakyRelu(p)),
            Activation::Elu(_) => Some(Activation::Elu(p)),
            _ => None,
        }
    }

    /// The name (without its parameter) and the parameter, if any.
    fn name_and_param(self) -> (&'static str, Option<f64>) {
        struct Name;
        impl Visit for Name {
            type Out = (&'static str, Option<f64>);
            fn identity(self) -> Self::Out {
                ("identity", None)
            }
            fn softmax(self) -> Self::Out {
                ("softmax", None)
            }
            fn func<F: Func>(self, _: F, param: Option<f64>) -> Self::Out {
                (F::NAME, param)
            }
        }
        self.visit(Name)
    }

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

    /// Applies the function to a tensor.
    ///
    /// # Errors
    /// [`Error::Mismatch`] for `Softmax` on a 0-dimensional tensor.
    pub fn try_apply<'t, E: Real>(self, z: TensorVar<'t, E>) -> Result<TensorVar<'t, E>> {
        struct Apply<'t, E: Real>(TensorVar<'t, E>);
        impl<'t, E: Real> Visit for Apply<'t, E> {
            type Out = Result<TensorVar<'t, E>>;
            fn identity(self) -> Self::Out {
                Ok(self.0)
            }
            fn softmax(self) -> Self::Out {
                softmax_last(self.0)
            }
            fn func<F: Func>(self, f: F, _: Option<f64>) -> Self::Out {
                Ok(self.0.map(f))
            }
        }
        self.visit(Apply(z))
    }

    /// act(x·w + b): a dense layer with this activation, recorded as one
    /// fused op ([`TensorVar::try_matmul_bias_act`]) for an element-wise
    /// activation, with the same value and gradients as
    /// `x.try_matmul_bias(w, b)` then [`Activation::try_apply`].
    ///
    /// # Errors
    /// The shape errors of [`TensorVar::try_matmul_bias`];
    /// [`Activation::try_apply`]'s for `Softmax`.
    pub fn try_apply_dense<'t, E: Real>(
        self,
        x: TensorVar<'t, E>,
        w: TensorVar<'t, E>,
        b: TensorVar<'t, E>,
    ) -> Result<TensorVar<'t, E>> {
        struct Dense<'t, E: Real>([TensorVar<'t, E>; 3]);
        impl<'t, E: Real> Visit for Dense<'t, E> {
            type Out = Result<TensorVar<'t, E>>;
            fn identity(self) -> Self::Out {
                let [x, w, b] = self.0;
                Ok(x.try_matmul_bias(w, b)?)
            }
            fn softmax(self) -> Self::Out {
                let [x, w, b] = self.0;
                softmax_last(x.try_matmul_bias(w, b)?)
            }
            fn func<F: Func>(self, f: F, _: Option<f64>) -> Self::Out {
                let [x, w, b] = self.0;
                Ok(x.try_matmul_bias_act(w, b, f)?)
            }
        }
        self.visit(Dense([x, w, b]))
    }

    /// Applies an element-wise function to one scalar.
    ///
    /// # Panics
    /// For `Softmax`, which needs the whole vector: use
    /// [`Activation::apply_vars`].
    #[track_caller]
    pub fn apply_var<'t, E: Real>(self, z: Var<'t, E>) -> Var<'t, E> {
        struct ApplyVar<'t, E: Real>(Var<'t, E>);
        impl<'t, E: Real> Visit for ApplyVar<'t, E> {
            type Out = Var<'t, E>;
            fn identity(self) -> Self::Out {
                self.0
            }
            #[track_caller]
            fn softmax(self) -> Self::Out {
                panic!(
                    "softmax is not element-wise: apply it to the whole vector with Activation::apply_vars"
                )
            }
            fn func<F: Func>(self, f: F, _: Option<f64>) -> Self::Out {
                self.0.map(f)
            }
        }
        self.visit(ApplyVar(z))
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

/// Softmax along the last axis.
fn softmax_last<E: Real>(z: TensorVar<'_, E>) -> Result<TensorVar<'_, E>> {
    let ndim = z.ndim();
    if ndim == 0 {
        return Err(Error::mismatch(
            "softmax input",
            "a tensor with at least one axis",
            "a 0-dimensional tensor",
        ));
    }
    Ok(z.try_softmax(ndim - 1)?)
}

impl fmt::Display for Activation {
    /// The name accepted by [`FromStr`]: `identity`, `step`, `sigmoid`,
    /// `tanh`, `relu`, `leaky_relu`, `softmax`, `softplus`, `gelu`, `silu`,
    /// `elu`, with the parameter in parentheses unless it is the default
    /// (`leaky_relu(0.1)`, `elu(0.5)`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, param) = self.name_and_param();
        let default = Activation::ALL
            .iter()
            .find(|a| a.name_and_param().0 == name);
        match param {
            Some(p) if default.map(|d| d.name_and_param().1) != Some(Some(p)) => {
                write!(f, "{name}({p})")
            }
            _ => f.write_str(name),
        }
    }
}

impl FromStr for Activation {
    type Err = Error;

    /// Parses a name (case-insensitive; `-` may replace `_`): `identity` or
    /// `linear`, `step`, `sigmoid`, `tanh`, `relu`, `leaky_relu` (slope 0.01)
    /// or `leaky_relu(<slope>)`, `softmax`, `softplus`, `gelu`, `silu` or
    /// `swish`, `elu` (alpha 1) or `elu(<alpha>)`; `name:<parameter>` (the command
    /// line's older spelling, `leaky-relu:0.1`) is read too. The error lists them.
    fn from_str(s: &str) -> Result<Self> {
        // `-` may replace `_` in the name, not in the parameter (a sign)
        let key = s.trim().to_ascii_lowercase();
        let invalid = || {
            Error::invalid(
                "activation",
                format!("one of {}", valid_names()),
                format!("`{s}`"),
            )
        };
        let (name, param) = match key.split_once('(') {
            Some((name, rest)) => {
                let p = rest.strip_suffix(')').ok_or_else(invalid)?;
                (name.trim(), Some(p.trim()))
            }
            // `leaky_relu:<slope>` is the older spelling of the command line
            None => match key.split_once(':') {
                Some((name, p)) => (name.trim(), Some(p.trim())),
                None => (key.as_str(), None),
            },
        };
        let name = name.replace('-', "_");
        let name = name.as_str();
        let base = Activation::ALL
            .into_iter()
            .find(|a| a.name_and_param().0 == name)
            .or_else(|| ALIASES.iter().find(|(n, _)| *n == name).map(|&(_, a)| a))
            .ok_or_else(invalid)?;
        let Some(p) = param else {
            return Ok(base);
        };
        let p: f64 = p.parse().map_err(|_| invalid())?;
        let what = || format!("{} {}", base.name_and_param().0, param_name(base));
        if !p.is_finite() {
            return Err(Error::invalid(what(), "a finite number", p));
        }
        // a negative slope turns the negative half upside down
        if matches!(base, Activation::LeakyRelu(_)) && p < 0.0 {
            return Err(Error::invalid(what(), "a finite number ≥ 0", p));
        }
        base.with_param(p).ok_or_else(invalid)
    }
}

/// What a parameterised activation calls its parameter.
fn param_name(a: Activation) -> &'static str {
    match a {
        Activation::Elu(_) => "alpha",
        _ => "slope",
    }
}

impl Activation {
    /// The names [`FromStr`] accepts, for its error and for a front end's
    /// help: each with its aliases in parentheses, and `name(<parameter>)`
    /// after a parameterised one.
    ///
    /// ```
    /// use nn::Activation;
    /// assert!(Activation::valid_names().starts_with("identity (or linear), step, sigmoid"));
    /// ```
    pub fn valid_names() -> String {
        valid_names()
    }
}

fn valid_names() -> String {
    let mut out: Vec<String> = Vec::new();
    for a in Activation::ALL {
        let (name, param) = a.name_and_param();
        let aliases: Vec<&str> = ALIASES
            .iter()
            .filter(|(n, b)| {
                b.name_and_param().0 == name && !n.replace('_', "").eq(&name.replace('_', ""))
            })
            .map(|(n, _)| *n)
            .collect();
        if aliases.is_empty() {
            out.push(name.to_string());
        } else {
            out.push(format!("{name} (or {})", aliases.join(", ")));
        }
        if param.is_some() {
            out.push(format!("{name}(<{}>)", param_name(a)));
        }
    }
    out.join(", ")
}

#[cfg(test)]
mod tests;
