//! One training run under the Playground's rules: the network, its loss and
//! optimizer, driven by nn's one training loop (the `Trainer`, in the
//! Playground's order).

use super::args::{LossKind, OptimizerKind, Problem, RegKind};
use super::error::Error;
use autograd::{check_tensor_grad, GradCheckReport, Tape, Tensor, TensorVar, Var};
use indicatif::ProgressBar;
use nn::data::Feature;
use nn::layers::{ParamPath, Visit, VisitMut};
use nn::loss::{
    bce_with_logits, half_squared_error, softmax_cross_entropy_with_probs, Objective, TargetVar,
};
use nn::metrics::Accuracy;
use nn::optim::{Adam, Optimizer, Regularization, Sgd};
use nn::train::{Evaluation, History, Order, StopReason, Trainer};
use nn::{Activation, Bound, Init, Mlp, Model};
use std::cell::RefCell;
use std::ops::ControlFlow;

/// The most weights and biases [`Net::check_grad`] checks (a 2-8-8-8-1
/// network has 177; two hidden layers of 30 have 1051).
pub const MAX_CHECKED_PARAMS: usize = 2000;

/// The loss the run minimises.
#[derive(Clone, Copy, Debug)]
pub struct PlaygroundLoss(pub LossKind);

impl Objective<f64> for PlaygroundLoss {
    /// `HalfSquared`: mean ½(o − t)² of the output o. `CrossEntropy`: the
    /// output is a logit z whose tanh is the Playground's output, so
    /// P(+1) = (1 + tanh z)/2 = σ(2z) and the loss is the binary
    /// cross-entropy of σ(2z) against (1 + t)/2, computed stably from 2z;
    /// with k outputs (k classes, one-hot targets) it is the softmax
    /// cross-entropy of the k logits.
    fn loss<'t>(
        &self,
        output: TensorVar<'t, f64>,
        target: &TargetVar<'t, f64>,
    ) -> nn::Result<Var<'t, f64>> {
        let t = target.to_values(output)?;
        match self.0 {
            LossKind::HalfSquared => half_squared_error(output, t),
            LossKind::CrossEntropy if output.shape()[1] > 1 => {
                softmax_cross_entropy_with_probs(output, t)
            }
            LossKind::CrossEntropy => bce_with_logits(output * 2.0, (t + 1.0) * 0.5),
        }
    }
}

/// The network and how to read its output.
#[derive(Clone, Debug)]
pub struct Net {
    /// The layers. With cross-entropy the last layer is linear (logits).
    pub mlp: Mlp,
    /// Whether the output is a logit whose tanh is shown (cross-entropy).
    pub logits: bool,
}

impl Net {
    /// A network over `features` with the given hidden widths and
    /// activation, and `outputs` output neurons (1, or one logit per class
    /// for k ≥ 3 classes) with [`Net::output_activation`]; Playground
    /// initialisation from `seed`.
    ///
    /// # Errors
    /// As [`Mlp::new`].
    pub fn new(
        features: &[Feature],
        hidden: &[usize],
        activation: Activation,
        problem: Problem,
        loss: LossKind,
        outputs: usize,
        seed: u64,
    ) -> nn::Result<Net> {
        let mut sizes = vec![features.len()];
        sizes.extend_from_slice(hidden);
        sizes.push(outputs);
        let mut acts = vec![activation; hidden.len()];
        acts.push(Net::output_activation(problem, loss));
        let mlp = Mlp::new(&sizes, &acts, Init::Playground, seed)?.with_features(features)?;
        Ok(Net {
            mlp,
            logits: loss == LossKind::CrossEntropy,
        })
    }

    /// The output neuron's activation: tanh for classification, linear for
    /// regression and for the logit that cross-entropy reads.
    pub fn output_activation(problem: Problem, loss: LossKind) -> Activation {
        match (problem, loss) {
            (Problem::Classification, LossKind::HalfSquared) => Activation::Tanh,
            _ => Activation::Identity,
        }
    }

    /// "2-8-8-8-1 relu": the widths and the hidden activation (each hidden
    /// layer's, comma-separated, if they differ).
    pub fn describe(&self) -> String {
        let sizes: Vec<String> = self.mlp.sizes().iter().map(ToString::to_string).collect();
        match hidden_activations(&self.mlp) {
            Some(acts) => format!("{} {acts}", sizes.join("-")),
            None => sizes.join("-"),
        }
    }

    /// The number of classes the network tells apart by its outputs: k for
    /// k ≥ 3 outputs, else 1 (one output: two classes or a regression).
    pub fn outputs(&self) -> usize {
        self.mlp.outputs()
    }

    /// The Playground's output for each row of `x`: in [−1, 1] for two
    /// classes, the predicted class 0 … k−1 (the largest logit) for k, the
    /// value for a regression.
    ///
    /// # Errors
    /// As [`Mlp::predict`].
    pub fn output(&self, x: &Tensor<f64>) -> nn::Result<Vec<f64>> {
        let y = self.mlp.predict(x)?;
        if self.outputs() > 1 {
            return Ok(y.argmax_rows()?.into_iter().map(|c| c as f64).collect());
        }
        Ok(if self.logits {
            y.data().iter().map(|&z| autograd::Real::tanh(z)).collect()
        } else {
            y.data().to_vec()
        })
    }

    /// Each class's probability for each row of `x` (the softmax of the k
    /// logits, [n, k]); for one output, the probability of +1.
    ///
    /// # Errors
    /// As [`Mlp::predict`].
    pub fn probabilities(&self, x: &Tensor<f64>) -> nn::Result<Tensor<f64>> {
        let y = self.mlp.predict(x)?;
        if self.outputs() > 1 {
            return Ok(Tape::new().tensor(y).softmax(1).value());
        }
        let p = self
            .output(x)?
            .into_iter()
            .map(|o| (1.0 + o) / 2.0)
            .collect();
        Ok(Tensor::from_vec(&[y.shape()[0], 1], p)?)
    }

    /// The tape's gradient of the loss at the points `x` (their features,
    /// [n, inputs]) with targets `y` ([n, 1], or one-hot rows) against central differences
    /// (autograd's [`check_tensor_grad`]), for every weight and bias: entry
    /// `input` is the parameter's store index, `index` its `[from, to]`
    /// (a weight) or `[node]` (a bias). Refused above
    /// [`MAX_CHECKED_PARAMS`] parameters: every one costs two more
    /// forward passes.
    ///
    /// # Errors
    /// [`nn::Error::Invalid`] for too many parameters; as [`Mlp::forward`]
    /// and the loss for `x` or `y` of the wrong shape.
    pub fn check_grad(
        &self,
        loss: PlaygroundLoss,
        x: &Tensor<f64>,
        y: &Tensor<f64>,
    ) -> nn::Result<GradCheckReport> {
        let n = self.mlp.params().num_scalars();
        if n > MAX_CHECKED_PARAMS {
            return Err(nn::Error::invalid(
                "gradient check",
                format!("a network of at most {MAX_CHECKED_PARAMS} weights and biases"),
                format!("{n} ({})", self.describe()),
            ));
        }
        let at: Vec<Tensor<f64>> = self
            .mlp
            .params()
            .iter()
            .map(|(_, _, t)| t.clone())
            .collect();
        // the shapes are checked once here, so the check's passes cannot fail
        let tape = Tape::new();
        let vars: Vec<_> = at.iter().map(|t| tape.tensor(t.clone())).collect();
        self.loss_with(loss, &vars, x, y)?;
        Ok(check_tensor_grad(
            |p: &[TensorVar]| self.loss_with(loss, p, x, y).expect("shapes checked above"),
            &at,
        ))
    }

    /// The loss at `x`, `y` with the parameters `p` (on one tape, in store
    /// order) in place of the network's.
    fn loss_with<'t>(
        &self,
        loss: PlaygroundLoss,
        p: &[TensorVar<'t, f64>],
        x: &Tensor<f64>,
        y: &Tensor<f64>,
    ) -> nn::Result<Var<'t, f64>> {
        let tape = p[0].tape();
        let out = self
            .mlp
            .forward_with(&Bound::from_vars(tape, p), tape.tensor_constant(x.clone()))?;
        loss.loss(out, &TargetVar::Values(tape.tensor_constant(y.clone())))
    }

    /// Every hidden neuron's output for each row of `x`: one [n, width]
    /// tensor per hidden layer.
    ///
    /// # Errors
    /// As [`Mlp::predict_layers`].
    pub fn hidden_outputs(&self, x: &Tensor<f64>) -> nn::Result<Vec<Tensor<f64>>> {
        let mut layers = self.mlp.predict_layers(x)?;
        layers.pop();
        Ok(layers.into_iter().map(|l| l.post).collect())
    }
}

/// The network trains as its layers do; its output is read by
/// [`Net::output`].
impl Model<f64> for Net {
    fn forward<'t>(&self, x: TensorVar<'t, f64>) -> nn::Result<TensorVar<'t, f64>> {
        self.mlp.forward(x)
    }

    fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, f64>) -> nn::Result<()> {
        self.mlp.visit_params(path, f)
    }

    fn visit_params_mut(
        &mut self,
        path: &ParamPath<'_>,
        f: &mut VisitMut<'_, f64>,
    ) -> nn::Result<()> {
        self.mlp.visit_params_mut(path, f)
    }
}

/// The hidden layers' activation names ("relu", or "relu,tanh" if they
/// differ), or `None` without a hidden layer.
pub fn hidden_activations(mlp: &Mlp) -> Option<String> {
    let acts = mlp.activations();
    let hidden = &acts[..acts.len() - 1];
    let first = hidden.first()?;
    Some(if hidden.iter().all(|a| a == first) {
        first.to_string()
    } else {
        let names: Vec<String> = hidden.iter().map(ToString::to_string).collect();
        names.join(",")
    })
}

/// The run's optimizer, built and checked once; every network trained
/// starts from a copy of it (no state yet).
#[derive(Clone, Debug)]
pub enum PlaygroundOptimizer {
    /// SGD, with or without momentum.
    Sgd(Sgd<f64>),
    /// Adam.
    Adam(Adam<f64>),
}

impl PlaygroundOptimizer {
    /// Builds the optimizer of `--optimizer`, `--lr`, `--regularization`
    /// and `--reg-rate`.
    ///
    /// # Errors
    /// [`Error::Incompatible`] for a regularisation with Adam (the penalty
    /// is applied by SGD); [`Error::Nn`] for a setting the optimizer
    /// refuses.
    pub fn new(
        kind: OptimizerKind,
        lr: f64,
        reg: RegKind,
        rate: f64,
    ) -> Result<PlaygroundOptimizer, Error> {
        let regularization = match reg {
            RegKind::None => Regularization::None,
            RegKind::L1 => Regularization::L1(rate),
            RegKind::L2 => Regularization::L2(rate),
        };
        let sgd = Sgd::new(lr).with_regularization(regularization);
        Ok(match kind {
            OptimizerKind::Sgd => PlaygroundOptimizer::Sgd(sgd.build()?),
            OptimizerKind::Momentum => PlaygroundOptimizer::Sgd(sgd.with_momentum(0.9).build()?),
            OptimizerKind::Adam => {
                if reg != RegKind::None {
                    return Err(Error::Incompatible {
                        flag: format!("--regularization {reg}"),
                        with: "--optimizer adam".into(),
                        why: "the penalty is applied by --optimizer sgd or momentum".into(),
                    });
                }
                PlaygroundOptimizer::Adam(Adam::new(lr).build()?)
            }
        })
    }

    /// The optimizer to step with.
    pub fn as_dyn_mut(&mut self) -> &mut dyn Optimizer<f64> {
        match self {
            PlaygroundOptimizer::Sgd(o) => o,
            PlaygroundOptimizer::Adam(o) => o,
        }
    }
}

/// When a run stops: after `epochs` epochs, or as soon as the training
/// loss is at most `target_loss` or the training accuracy at least
/// `target_accuracy` (`--epochs`, `--target-loss`, `--target-accuracy`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stop {
    /// The most epochs.
    pub epochs: usize,
    /// Stop when the training loss is at most this.
    pub target_loss: Option<f64>,
    /// Stop when the training accuracy is at least this (a fraction).
    pub target_accuracy: Option<f64>,
}

impl Stop {
    /// The stop conditions of the command's flags.
    pub fn of(a: &super::args::Args) -> Stop {
        Stop {
            epochs: a.epochs,
            target_loss: a.target_loss,
            target_accuracy: a.target_accuracy,
        }
    }
}

/// Trains `net` for at most `stop.epochs` epochs with nn's training loop under the
/// Playground's rules ([`Order::Playground`], or
/// [`Order::PlaygroundShuffled`] from `shuffle`'s seed), evaluating the
/// training and test sets (`(inputs, targets)`) before training and after
/// every epoch; `after_epoch` sees the network after each evaluation, with
/// the number of epochs trained (0: before training), for GIF frames.
#[allow(clippy::too_many_arguments)]
pub fn train(
    net: &mut Net,
    opt: &mut dyn Optimizer<f64>,
    loss: PlaygroundLoss,
    batch_size: usize,
    shuffle: Option<u64>,
    stop: Stop,
    train: (&Tensor<f64>, &Tensor<f64>),
    test: (&Tensor<f64>, &Tensor<f64>),
    classes: usize,
    bar: Option<&ProgressBar>,
    after_epoch: impl FnMut(usize, &Net, &Evaluation) -> nn::Result<()>,
) -> nn::Result<History> {
    let after_epoch = RefCell::new(after_epoch);
    let mut failed = None;
    let trainer =
        trainer(loss, batch_size, shuffle, stop, test, classes).on_epoch(|stats, net: &Net| {
            if !stats.completed {
                // a non-finite batch loss stopped the epoch: nothing to show
                return ControlFlow::Continue(());
            }
            let epoch = stats.epoch + 1;
            if let Some(bar) = bar {
                bar.inc(1);
                bar.set_message(format!(
                    "epoch {epoch}/{} train loss {:.4} test loss {:.4}",
                    stop.epochs,
                    stats.train_loss,
                    stats.test_loss.unwrap_or(f64::NAN)
                ));
            }
            match after_epoch.borrow_mut()(epoch, net, &stats.evaluation()) {
                Ok(()) => ControlFlow::Continue(()),
                Err(e) => {
                    failed = Some(e);
                    ControlFlow::Break(())
                }
            }
        });
    let mut run = trainer.start(net, train.0, train.1)?;
    let initial = run.history().initial.expect("evaluated before training");
    after_epoch.borrow_mut()(0, net, &initial)?;
    run.finish(net, opt)?;
    let history = run.into_history();
    match failed {
        Some(e) => Err(e),
        None => Ok(history),
    }
}

/// The Playground's training settings for nn's one training loop, before
/// any callback: [`Order::Playground`] (or [`Order::PlaygroundShuffled`]
/// from `shuffle`'s seed), the batch size, the [`Stop`] conditions, the test set
/// evaluated after every epoch (and before the first), and for
/// `classes` 2 the accuracy of the output's sign, for k ≥ 3 of the largest
/// logit (0: a regression, no accuracy). [`train`] and the
/// browser Playground's sessions both start their runs from it.
pub fn trainer<'a>(
    loss: PlaygroundLoss,
    batch_size: usize,
    shuffle: Option<u64>,
    stop: Stop,
    test: (&Tensor<f64>, &Tensor<f64>),
    classes: usize,
) -> Trainer<'a, f64, PlaygroundLoss, Net> {
    let mut trainer = Trainer::new(loss)
        .order(match shuffle {
            Some(_) => Order::PlaygroundShuffled,
            None => Order::Playground,
        })
        .seed(shuffle.unwrap_or(0))
        .batch_size(batch_size)
        .epochs(stop.epochs)
        .test(test.0, test.1)
        .evaluate_before(true)
        .quiet();
    if let Some(l) = stop.target_loss {
        trainer = trainer.target_loss(l);
    }
    if let Some(a) = stop.target_accuracy {
        trainer = trainer.target_accuracy(a);
    }
    match classes {
        0 | 1 => trainer,
        // a tanh output and a logit have the same sign: threshold 0 for both
        2 => trainer.accuracy(Accuracy::Threshold(0.0)),
        _ => trainer.accuracy(Accuracy::Argmax),
    }
}

/// The epoch (counted from 1) in which the loss stopped being finite, if it
/// did.
pub fn diverged_at(history: &History) -> Option<usize> {
    (history.stop == StopReason::NonFinite).then(|| history.last().map_or(0, |e| e.epoch + 1))
}

/// The name of why a run stopped, as the browser Playground's frames and
/// the command's JSON say it: `epochs`, `target_loss`, `target_accuracy`
/// or `diverged`.
pub fn stop_name(reason: StopReason) -> &'static str {
    match reason {
        StopReason::NonFinite => "diverged",
        StopReason::TargetLoss => "target_loss",
        StopReason::TargetAccuracy => "target_accuracy",
        _ => "epochs",
    }
}

/// What a run that stopped at a target reached ("the training loss 0.0093
/// reached --target-loss 0.01"), or `None` if it did not stop at one.
pub fn target_reached(history: &History, a: &super::args::Args) -> Option<String> {
    let last = history.last()?;
    match history.stop {
        StopReason::TargetLoss => Some(format!(
            "the training loss {:.4} reached --target-loss {}",
            last.train_loss, a.target_loss?
        )),
        StopReason::TargetAccuracy => Some(format!(
            "the training accuracy {:.1}% reached --target-accuracy {}",
            100.0 * last.train_accuracy?,
            a.target_accuracy?
        )),
        _ => None,
    }
}
