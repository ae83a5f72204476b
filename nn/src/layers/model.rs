//! The [`Model`] trait: a forward pass and the parameter stores it reads,
//! visited by name prefix so that models nest.

use crate::error::Result;
use crate::param::ParamStore;
use autograd::{Real, Tape, Tensor, TensorVar};
use std::fmt;

/// Where a parameter store sits in a model: the chain of names from the
/// outermost model down (`encoder`, then `encoder.block`), empty for a
/// model's own store. Built on the stack, so visiting a model allocates
/// nothing; it spells itself only when displayed or [joined](Self::join).
///
/// ```
/// use nn::layers::ParamPath;
/// let root = ParamPath::ROOT;
/// let encoder = root.child("encoder");
/// let block = encoder.child("block");
/// assert_eq!(block.to_string(), "encoder.block");
/// assert_eq!(block.join("layer0.weight"), "encoder.block.layer0.weight");
/// assert_eq!(root.join("layer0.weight"), "layer0.weight");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParamPath<'a> {
    parent: Option<&'a ParamPath<'a>>,
    name: &'a str,
}

impl ParamPath<'static> {
    /// The outermost model: no prefix.
    pub const ROOT: ParamPath<'static> = ParamPath {
        parent: None,
        name: "",
    };
}

impl<'a> ParamPath<'a> {
    /// The path of a part named `name` inside this one.
    pub fn child<'b>(&'b self, name: &'b str) -> ParamPath<'b> {
        ParamPath {
            parent: Some(self),
            name,
        }
    }

    /// Whether this is the outermost model (no prefix).
    pub fn is_root(&self) -> bool {
        self.name.is_empty() && self.parent.is_none_or(ParamPath::is_root)
    }

    /// The full name of parameter `name` of the store at this path
    /// (`"encoder.layer0.weight"`).
    pub fn join(&self, name: &str) -> String {
        if self.is_root() {
            name.to_string()
        } else {
            format!("{self}.{name}")
        }
    }
}

impl fmt::Display for ParamPath<'_> {
    /// The names joined by dots (nothing for the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.parent {
            Some(p) if !p.is_root() => write!(f, "{p}.{}", self.name),
            _ => f.write_str(self.name),
        }
    }
}

/// A visitor of parameter stores ([`Model::visit_params`]).
pub type Visit<'v, E> = dyn FnMut(&ParamPath<'_>, &ParamStore<E>) -> Result<()> + 'v;

/// A visitor of parameter stores that may change them
/// ([`Model::visit_params_mut`]).
pub type VisitMut<'v, E> = dyn FnMut(&ParamPath<'_>, &mut ParamStore<E>) -> Result<()> + 'v;

/// Anything with parameters and a forward pass: what the optimizers and the
/// training loop work on.
///
/// A model owns one or more [`ParamStore`]s. Its forward pass binds each to
/// the tape of its input ([`ParamStore::bind`]), which remembers the tape
/// values the parameters became; after `backward()`, an optimizer's
/// [`step`](crate::Optimizer::step) visits the stores
/// ([`Model::visit_params_mut`]) and looks each parameter's gradient up
/// through them. A model made of models visits each part under its name, so
/// its parameters are named `"encoder.layer0.weight"`, … (see the nesting
/// example on [`Mlp`](crate::Mlp)).
///
/// ```
/// use autograd::{Tape, Tensor, TensorVar};
/// use nn::layers::{ParamPath, Visit, VisitMut};
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
///     fn forward<'t>(&self, x: TensorVar<'t, f64>) -> Result<TensorVar<'t, f64>> {
///         let p = self.params.bind(x.tape());
///         let features = TensorVar::try_concat(&[x * x, x, x * 0.0 + 1.0], 1)?; // [n, 3]
///         Ok(features.try_matmul(p[self.coef])?)
///     }
///     fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, f64>) -> Result<()> {
///         f(path, &self.params)
///     }
///     fn visit_params_mut(&mut self, path: &ParamPath<'_>, f: &mut VisitMut<'_, f64>) -> Result<()> {
///         f(path, &mut self.params)
///     }
/// }
///
/// let mut params = ParamStore::new();
/// let coef = params.add("coef", Tensor::zeros(&[3, 1])).unwrap();
/// let mut model = Quadratic { params, coef };
/// let x = Tensor::from_vec(&[5, 1], vec![-2.0, -1.0, 0.0, 1.0, 2.0]).unwrap();
/// let y = x.map(|v| 0.5 * v * v - v + 2.0);
/// // one step by hand ...
/// let mut opt = Sgd::new(0.05);
/// let tape = Tape::new();
/// let out = model.forward(tape.tensor_constant(x.clone())).unwrap();
/// let loss = nn::loss::mse(out, tape.tensor_constant(y.clone())).unwrap();
/// let g = loss.backward();
/// opt.step(&mut model, &g).unwrap();
/// // ... and the rest with the training loop
/// Trainer::new(Loss::Mse).epochs(2000).batch_size(5).quiet()
///     .fit(&mut model, &mut opt, &x, &y).unwrap();
/// let c = model.params[coef].to_vec();
/// assert!((c[0] - 0.5).abs() < 1e-3 && (c[1] + 1.0).abs() < 1e-3 && (c[2] - 2.0).abs() < 1e-3);
/// assert_eq!(model.num_scalars(), 3);
/// ```
pub trait Model<E: Real> {
    /// The output for a batch `x` ([n, inputs]), on the tape `x` is on. The
    /// parameters are bound to that tape, so that after `backward()` an
    /// optimizer finds their gradients.
    ///
    /// # Errors
    /// [`crate::Error::Mismatch`] if `x` does not fit the model.
    fn forward<'t>(&self, x: TensorVar<'t, E>) -> Result<TensorVar<'t, E>>;

    /// Calls `f` with every parameter store of the model, each with its
    /// place in the model (`path` for the model's own store,
    /// `path.child("part")` for a part's), in a fixed order; stops at the
    /// first error.
    ///
    /// # Errors
    /// The first error `f` returns.
    fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, E>) -> Result<()>;

    /// As [`Model::visit_params`], with the stores mutable (an optimizer's
    /// update), in the same order.
    ///
    /// # Errors
    /// The first error `f` returns.
    fn visit_params_mut(&mut self, path: &ParamPath<'_>, f: &mut VisitMut<'_, E>) -> Result<()>;

    /// The output for a batch, computed without recording gradients.
    ///
    /// # Errors
    /// As [`Model::forward`].
    fn predict(&self, x: &Tensor<E>) -> Result<Tensor<E>> {
        let tape = Tape::<E>::default();
        tape.no_grad(|| Ok(self.forward(tape.tensor_constant(x.clone()))?.value()))
    }

    /// The number of scalars over all parameters.
    fn num_scalars(&self) -> usize {
        let mut n = 0;
        let counted = self.visit_params(&ParamPath::ROOT, &mut |_, s| {
            n += s.num_scalars();
            Ok(())
        });
        debug_assert!(counted.is_ok(), "counting never fails");
        n
    }

    /// Every parameter by its full name (`"encoder.layer0.weight"`), in
    /// visiting order: what a file of the model holds.
    fn named_params(&self) -> Vec<(String, Tensor<E>)> {
        let mut out = Vec::new();
        let listed = self.visit_params(&ParamPath::ROOT, &mut |path, s| {
            out.extend(s.iter().map(|(_, n, t)| (path.join(n), t.clone())));
            Ok(())
        });
        debug_assert!(listed.is_ok(), "listing never fails");
        out
    }
}
