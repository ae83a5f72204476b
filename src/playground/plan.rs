//! The checked settings of a run (the command's flags, or the browser
//! Playground's controls turned into them) and the tensors of its data.

use super::args::{Args, LossKind, Problem};
use super::data::{self, Point, Split};
use super::error::{Error, Result};
use super::render;
use super::train::{Net, PlaygroundOptimizer};
use super::weights;
use autograd::Tensor;
use nn::Mlp;
use std::path::Path;

/// Where the points come from.
pub(crate) enum Source {
    Generated(nn::data::PlaygroundSet),
    Csv(Vec<Point>),
}

/// The checked settings of a run.
pub(crate) struct Plan {
    pub(crate) args: Args,
    pub(crate) source: Source,
    pub(crate) problem: Problem,
    pub(crate) name: String,
    /// Built once; each network trains with a copy.
    pub(crate) optimizer: PlaygroundOptimizer,
    /// The network of `--load`.
    pub(crate) loaded: Option<Mlp>,
    /// The names of the two coordinates and of the two classes.
    pub(crate) names: render::Names,
    /// 2 for two classes (labels ±1), k ≥ 3 for k classes (labels 0 …
    /// k−1, one logit each, softmax cross-entropy), 0 for a regression.
    pub(crate) classes: usize,
}

impl Plan {
    pub(crate) fn check(mut args: Args) -> Result<Plan> {
        if args.seeds.is_some() {
            for (flag, on) in [
                ("--save", args.save.is_some()),
                ("--onnx", args.onnx.is_some()),
                ("--load", args.load.is_some()),
                ("--gif", args.gif),
            ] {
                if on {
                    return Err(Error::Incompatible {
                        flag: "--seeds".into(),
                        with: flag.into(),
                        why: "--seeds runs several networks".into(),
                    });
                }
            }
        }
        let loaded = match args.load.clone() {
            Some(path) => Some(weights::restore(&mut args, &path)?),
            None => None,
        };
        let csv = match &args.data {
            Some(path) => {
                let csv = data::read_csv(path, args.problem)?;
                // the file's name titles the run's lines and pictures
                let name = nn::error::escaped(path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ));
                Some((csv, name))
            }
            None => None,
        };
        Plan::checked(args, loaded, csv)
    }

    /// Checks `args` with the points of `csv` (read from `--data`, or
    /// given by the browser Playground) in place of a generated set.
    pub(crate) fn checked(
        mut args: Args,
        loaded: Option<Mlp>,
        csv: Option<(data::Csv, String)>,
    ) -> Result<Plan> {
        let mut names = render::Names::default();
        let mut classes = 2;
        let (source, problem, name) = match csv {
            Some((csv, name)) => {
                names.axes = csv.columns;
                if csv.zero_labels {
                    names.classes = ["label 0".into(), "label 1".into()];
                }
                classes = csv.classes;
                (Source::Csv(csv.points), csv.problem, name)
            }
            None => {
                let set = args.dataset;
                let natural = if set.is_regression() {
                    Problem::Regression
                } else {
                    Problem::Classification
                };
                let problem = args.problem.unwrap_or(natural);
                if set.is_regression() && problem == Problem::Classification {
                    return Err(Error::Incompatible {
                        flag: "--problem classification".into(),
                        with: format!("--dataset {set}"),
                        why: "it needs a classification data set (circle, xor, gauss, spiral)"
                            .into(),
                    });
                }
                (Source::Generated(set), problem, set.to_string())
            }
        };
        if let (Some(mlp), Some(path)) = (&loaded, args.load.clone()) {
            weights::check_output(&mut args, mlp, problem, &path)?;
        }
        if problem == Problem::Regression {
            classes = 0;
        }
        if let (Some(mlp), Some(path)) = (&loaded, &args.load) {
            let outputs = if classes >= 3 { classes } else { 1 };
            if mlp.outputs() != outputs {
                return Err(Error::Contradicts {
                    flag: "--data",
                    given: format!("{name} (a network of {outputs} outputs)"),
                    file: path.clone(),
                    saved: format!("a network of {} outputs", mlp.outputs()),
                });
            }
        }
        if classes >= 3 && args.loss == LossKind::HalfSquared {
            if args.given("loss") {
                return Err(Error::Incompatible {
                    flag: "--loss half-squared".into(),
                    with: format!("{name} ({classes} classes)"),
                    why: "k classes train with --loss cross-entropy (softmax over k outputs)"
                        .into(),
                });
            }
            args.loss = LossKind::CrossEntropy;
        }
        if problem == Problem::Regression && args.loss == LossKind::CrossEntropy {
            return Err(Error::Incompatible {
                flag: "--loss cross-entropy".into(),
                with: "a regression problem".into(),
                why: "it needs a classification problem; use half-squared for regression".into(),
            });
        }
        if let (Some(t), Problem::Regression) = (args.target_accuracy, problem) {
            return Err(Error::Incompatible {
                flag: format!("--target-accuracy {t}"),
                with: "a regression problem".into(),
                why: "accuracy is measured for classification; use --target-loss".into(),
            });
        }
        if args.given("reg_rate") && !args.given("regularization") && args.reg_rate != 0.0 {
            return Err(Error::Incompatible {
                flag: format!("--reg-rate {}", args.reg_rate),
                with: format!("--regularization {} (the default)", args.regularization),
                why: "the rate weighs an l1 or l2 penalty; add --regularization l1 or l2".into(),
            });
        }
        for save in args.save.iter().chain(&args.onnx) {
            let parent = save
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(Error::SaveDir {
                    path: save.clone(),
                    dir: parent.to_path_buf(),
                });
            }
        }
        let optimizer =
            PlaygroundOptimizer::new(args.optimizer, args.lr, args.regularization, args.reg_rate)?;
        Ok(Plan {
            args,
            source,
            problem,
            name,
            optimizer,
            loaded,
            names,
            classes,
        })
    }

    /// How the maps look: the Playground's window for its sets, a view
    /// fitted to a CSV's points.
    pub(crate) fn look(&self) -> render::Look {
        let (generated, points): (bool, &[Point]) = match &self.source {
            Source::Generated(_) => (true, &[]),
            Source::Csv(points) => (false, points),
        };
        render::Look::new(
            generated,
            points,
            self.names.clone(),
            self.classes,
            &self.args.features.0,
        )
    }

    pub(crate) fn classify(&self) -> bool {
        self.problem == Problem::Classification
    }

    pub(crate) fn split(&self, seed: u64) -> Result<Split> {
        match &self.source {
            Source::Generated(set) => data::generated(*set, self.args.noise, self.args.ratio, seed),
            Source::Csv(points) => data::split(points, self.args.ratio, seed),
        }
    }

    pub(crate) fn net(&self, seed: u64) -> Result<Net> {
        let a = &self.args;
        Ok(match &self.loaded {
            Some(mlp) => Net {
                mlp: mlp.clone(),
                logits: a.loss == LossKind::CrossEntropy,
            },
            None => Net::new(
                &a.features.0,
                &a.hidden.0,
                a.activation,
                self.problem,
                a.loss,
                if self.classes >= 3 { self.classes } else { 1 },
                seed,
            )?,
        })
    }

    pub(crate) fn loss_name(&self) -> &'static str {
        match self.args.loss {
            LossKind::HalfSquared => "loss ½(o − t)²",
            LossKind::CrossEntropy => "cross-entropy",
        }
    }

    /// What a weights file records of a run of this plan.
    pub(crate) fn record(&self, epochs: usize) -> weights::RunRecord<'_> {
        weights::RunRecord {
            problem: self.problem,
            epochs,
            dataset: self.dataset(),
            name: &self.name,
        }
    }

    pub(crate) fn dataset(&self) -> Option<nn::data::PlaygroundSet> {
        match self.source {
            Source::Generated(set) => Some(set),
            Source::Csv(_) => None,
        }
    }
}

/// The sets' tensors for a split.
pub(crate) struct Tensors {
    pub(crate) train_x: Tensor<f64>,
    pub(crate) train_y: Tensor<f64>,
    pub(crate) test_x: Tensor<f64>,
    pub(crate) test_y: Tensor<f64>,
}

impl Tensors {
    /// The tensors of `split` (targets one-hot for `classes` ≥ 3).
    pub(crate) fn new(split: &Split, features: &[nn::data::Feature], classes: usize) -> Tensors {
        let xy = |p: &[Point]| p.iter().map(|q| (q.0, q.1)).collect::<Vec<_>>();
        Tensors {
            train_x: data::inputs(xy(&split.train), features),
            train_y: data::targets(&split.train, classes),
            test_x: data::inputs(xy(&split.test), features),
            test_y: data::targets(&split.test, classes),
        }
    }
}
