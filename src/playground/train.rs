//! One training run under the Playground's rules: the network, its loss and
//! optimizer, the epoch loop (nn's `PlaygroundEpochs`) and what each epoch
//! measured.

use super::args::{LossKind, OptimizerKind, Problem, RegKind};
use super::error::Error;
use autograd::{Tensor, TensorVar, Var};
use indicatif::ProgressBar;
use nn::data::Feature;
use nn::loss::{bce_with_logits, half_squared_error, Objective, TargetVar, Targets};
use nn::metrics::Accuracy;
use nn::optim::{Adam, Optimizer, Regularization, Sgd};
use nn::train::playground::PlaygroundEpochs;
use nn::{Activation, Init, Mlp};

/// The loss the run minimises.
#[derive(Clone, Copy, Debug)]
pub struct PlaygroundLoss(pub LossKind);

impl Objective<f64> for PlaygroundLoss {
    /// `HalfSquared`: mean ½(o − t)² of the output o. `CrossEntropy`: the
    /// output is a logit z whose tanh is the Playground's output, so
    /// P(+1) = (1 + tanh z)/2 = σ(2z) and the loss is the binary
    /// cross-entropy of σ(2z) against (1 + t)/2, computed stably from 2z.
    fn loss<'t>(
        &self,
        output: TensorVar<'t, f64>,
        target: &TargetVar<'t, f64>,
    ) -> nn::Result<Var<'t, f64>> {
        let t = target.to_values(output)?;
        match self.0 {
            LossKind::HalfSquared => half_squared_error(output, t),
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
    /// activation, and an output neuron ([`Net::output_activation`]);
    /// Playground initialisation from `seed`.
    ///
    /// # Errors
    /// As [`Mlp::new`].
    pub fn new(
        features: &[Feature],
        hidden: &[usize],
        activation: Activation,
        problem: Problem,
        loss: LossKind,
        seed: u64,
    ) -> nn::Result<Net> {
        let mut sizes = vec![features.len()];
        sizes.extend_from_slice(hidden);
        sizes.push(1);
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

    /// The Playground's output (in [−1, 1] for classification) for each row
    /// of `x`.
    ///
    /// # Errors
    /// As [`Mlp::predict`].
    pub fn output(&self, x: &Tensor<f64>) -> nn::Result<Vec<f64>> {
        let y = self.mlp.predict(x)?;
        Ok(if self.logits {
            y.data().iter().map(|z| z.tanh()).collect()
        } else {
            y.data().to_vec()
        })
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

/// What was measured after an epoch (epoch 0: before training).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    /// The epoch.
    pub epoch: usize,
    /// Loss on the training set.
    pub train_loss: f64,
    /// Loss on the test set.
    pub test_loss: f64,
    /// Accuracy on the training set (classification).
    pub train_accuracy: Option<f64>,
    /// Accuracy on the test set (classification).
    pub test_accuracy: Option<f64>,
}

/// A set's inputs and targets.
pub struct Set<'a> {
    /// Features [n, f].
    pub x: &'a Tensor<f64>,
    /// Targets [n, 1].
    pub y: &'a Tensor<f64>,
}

/// The loss and (for classification) the accuracy of `net` on a set.
pub fn measure(
    net: &Net,
    loss: &PlaygroundLoss,
    set: &Set<'_>,
    classify: bool,
) -> nn::Result<(f64, Option<f64>)> {
    // a tanh output and a logit have the same sign: threshold 0 for both
    let mode = classify.then_some(Accuracy::Threshold(0.0));
    nn::train::evaluate(&net.mlp, loss, set.x, Targets::Values(set.y), mode)
}

/// How a run ended.
#[derive(Clone, Debug)]
pub struct Run {
    /// Epoch 0 (before training), then one entry per epoch trained.
    pub history: Vec<Measured>,
    /// Seconds spent training and measuring.
    pub seconds: f64,
    /// The epoch at which a loss stopped being finite, if one did.
    pub diverged_at: Option<usize>,
}

/// Trains `net` for `epochs` epochs the Playground's way (or reshuffling
/// every epoch with `shuffle`'s seed), measuring both
/// sets after each; `after_epoch` sees the network after every epoch (for
/// GIF frames).
#[allow(clippy::too_many_arguments)]
pub fn train(
    net: &mut Net,
    opt: &mut dyn Optimizer<f64>,
    loss: &PlaygroundLoss,
    batch_size: usize,
    shuffle: Option<u64>,
    epochs: usize,
    train: &Set<'_>,
    test: &Set<'_>,
    classify: bool,
    bar: Option<&ProgressBar>,
    mut after_epoch: impl FnMut(usize, &Net, &Measured) -> nn::Result<()>,
) -> nn::Result<Run> {
    let start = std::time::Instant::now();
    let mut loop_ = PlaygroundEpochs::new(batch_size)?;
    if let Some(seed) = shuffle {
        loop_ = loop_.reshuffle(seed);
    }
    let m = |net: &Net, epoch: usize| -> nn::Result<Measured> {
        let (train_loss, train_accuracy) = measure(net, loss, train, classify)?;
        let (test_loss, test_accuracy) = measure(net, loss, test, classify)?;
        Ok(Measured {
            epoch,
            train_loss,
            test_loss,
            train_accuracy,
            test_accuracy,
        })
    };
    let first = m(net, 0)?;
    after_epoch(0, net, &first)?;
    let mut history = vec![first];
    let mut diverged_at = None;
    for epoch in 1..=epochs {
        let run = loop_.epoch(&mut net.mlp, opt, loss, train.x, Targets::Values(train.y))?;
        if !run.finite {
            diverged_at = Some(epoch);
            break;
        }
        let now = m(net, epoch)?;
        history.push(now);
        if let Some(bar) = bar {
            bar.inc(1);
            bar.set_message(format!(
                "epoch {epoch}/{epochs} train loss {:.4} test loss {:.4}",
                now.train_loss, now.test_loss
            ));
        }
        after_epoch(epoch, net, &now)?;
        if !now.train_loss.is_finite() {
            diverged_at = Some(epoch);
            break;
        }
    }
    Ok(Run {
        history,
        seconds: start.elapsed().as_secs_f64(),
        diverged_at,
    })
}
