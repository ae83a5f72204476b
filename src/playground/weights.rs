//! The weights file. `--save` writes the trained network through
//! [`nn::Mlp::save_with`] (PyTorch's `nn.Sequential` state dict, its
//! layers, activations and features in the metadata) with the run's data
//! settings, and `--onnx` through [`nn::Mlp::save_onnx`]; `--load` rebuilds the network
//! from the file alone, takes the data settings the command line leaves
//! out, and refuses a flag that contradicts the file.
//!
//! Files written before the network saved itself (metadata `sizes`,
//! `activations`, `features`, `problem`, `epochs`, activations spelled
//! `linear` and `leaky-relu:0.1`) load too: nn reads those spellings.

use super::args::{Args, LossKind, Problem};
use super::error::{Error, Result};
use super::train::{hidden_activations, Net};
use nn::data::PlaygroundSet;
use nn::Mlp;
use std::path::Path;
use std::str::FromStr;

/// The metadata key of the problem (`classification` or `regression`).
pub const PROBLEM_KEY: &str = "problem";
/// The metadata key of the number of epochs trained.
pub const EPOCHS_KEY: &str = "epochs";
/// The metadata key of the generated data set (`spiral`, …).
pub const DATASET_KEY: &str = "dataset";
/// The metadata key of the CSV file's name, for a network trained on one.
pub const DATA_KEY: &str = "data";
/// The metadata key of the noise in percent (generated sets).
pub const NOISE_KEY: &str = "noise";
/// The metadata key of the training share in percent.
pub const RATIO_KEY: &str = "ratio";
/// The metadata key of the seed of the data split.
pub const SEED_KEY: &str = "seed";

/// What a run records next to its network.
pub struct RunRecord<'a> {
    /// The problem.
    pub problem: Problem,
    /// Epochs trained.
    pub epochs: usize,
    /// The generated set, or `None` for a CSV file.
    pub dataset: Option<PlaygroundSet>,
    /// The CSV file's or the set's name.
    pub name: &'a str,
}

/// Writes `net` to `path` with the run's settings.
///
/// # Errors
/// [`Error::Save`] if the file cannot be written.
pub fn save(path: &Path, net: &Net, args: &Args, run: &RunRecord<'_>) -> Result<()> {
    let meta = metadata(args, run);
    let meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    net.mlp
        .save_with(path, &meta)
        .map_err(|source| Error::Save {
            path: path.to_path_buf(),
            source,
        })
}

/// Writes `net` to `path` as an ONNX model ([`nn::Mlp::save_onnx`]),
/// which computes the network's features from the raw (x1, x2).
///
/// # Errors
/// [`Error::Save`] if the file cannot be written.
pub fn save_onnx(path: &Path, net: &Net) -> Result<()> {
    net.mlp.save_onnx(path).map_err(|source| Error::Save {
        path: path.to_path_buf(),
        source,
    })
}

/// The bytes of the file [`save`] writes (the browser Playground's
/// download).
///
/// # Errors
/// [`Error::Nn`] if the network cannot be serialised.
pub fn to_bytes(net: &Net, args: &Args, run: &RunRecord<'_>) -> Result<Vec<u8>> {
    let meta = metadata(args, run);
    let meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(net.mlp.to_bytes_with(&meta)?)
}

/// The run's settings as the weights file records them.
fn metadata(args: &Args, run: &RunRecord<'_>) -> Vec<(&'static str, String)> {
    let mut meta = vec![
        (PROBLEM_KEY, run.problem.to_string()),
        (EPOCHS_KEY, run.epochs.to_string()),
        (RATIO_KEY, args.ratio.to_string()),
        (SEED_KEY, args.seed.to_string()),
    ];
    match run.dataset {
        Some(set) => {
            meta.push((DATASET_KEY, set.to_string()));
            meta.push((NOISE_KEY, args.noise.to_string()));
        }
        None => meta.push((DATA_KEY, run.name.to_string())),
    }
    meta
}

/// Loads the network of `--load` and makes `args` describe it: its
/// features, hidden widths and activation replace the flags' (a flag given
/// on the command line must agree), and the data set, noise, ratio, seed and
/// problem it was trained with fill in the flags that were not given.
///
/// # Errors
/// [`Error::Load`] if the file cannot be read, holds no network or not a
/// Playground one (one output neuron, or one per class of a k-class CSV,
/// which `Plan::checked` matches with the data); [`Error::Contradicts`] naming the
/// first flag that disagrees with it.
pub fn restore(args: &mut Args, path: &Path) -> Result<Mlp> {
    let load = |source: nn::Error| Error::Load {
        path: path.to_path_buf(),
        source,
    };
    let mut mlp = Mlp::<f64>::load(path).map_err(load)?;
    let meta = nn::io::read_header(path).map_err(load)?;
    let sizes = mlp.sizes();
    let outputs = mlp.outputs();
    if outputs == 2 || outputs > super::args::MAX_CLASSES {
        return Err(load(nn::Error::mismatch(
            "output layer",
            format!(
                "1 neuron (the Playground's output) or one per class (3 to {})",
                super::args::MAX_CLASSES
            ),
            format!("{outputs} neurons"),
        )));
    }
    let contradicts = |flag: &'static str, given: String, saved: String| Error::Contradicts {
        flag,
        given,
        file: path.to_path_buf(),
        saved,
    };

    match mlp.features() {
        Some(f) => {
            let f = super::args::Features(f.to_vec());
            if args.given("features") && args.features != f {
                return Err(contradicts(
                    "--features",
                    args.features.to_string(),
                    format!("features {f}"),
                ));
            }
            args.features = f;
        }
        None if args.features.0.len() != mlp.inputs() => {
            if args.given("features") {
                return Err(contradicts(
                    "--features",
                    args.features.to_string(),
                    format!("{} inputs", mlp.inputs()),
                ));
            }
            return Err(load(nn::Error::mismatch(
                "input features",
                format!(
                    "--features naming {} features (the file does not say which)",
                    mlp.inputs()
                ),
                "none in the metadata",
            )));
        }
        None => mlp = mlp.with_features(&args.features.0)?,
    }

    let hidden = super::args::Hidden(sizes[1..sizes.len() - 1].to_vec());
    if args.given("hidden") && args.hidden != hidden {
        return Err(contradicts(
            "--hidden",
            args.hidden.to_string(),
            format!("hidden layers {hidden}"),
        ));
    }
    args.hidden = hidden;

    let acts = mlp.activations();
    let hidden_acts = &acts[..acts.len() - 1];
    if let (Some(&first), Some(names)) = (hidden_acts.first(), hidden_activations(&mlp)) {
        if args.given("activation") && hidden_acts.iter().any(|&a| a != args.activation) {
            return Err(contradicts(
                "--activation",
                args.activation.to_string(),
                format!("activation {names}"),
            ));
        }
        args.activation = first;
    }

    // the data the network was trained on, unless the command line says
    let restore_data = !args.given("dataset") && !args.given("data");
    if restore_data {
        if let Some(set) = value::<PlaygroundSet>(path, &meta, DATASET_KEY)? {
            args.dataset = set;
        }
        if !args.given("noise") {
            if let Some(noise) = value(path, &meta, NOISE_KEY)? {
                args.noise = noise;
            }
        }
        if !args.given("problem") {
            if let Some(Saved(problem)) = value::<Saved<Problem>>(path, &meta, PROBLEM_KEY)? {
                args.problem = Some(problem);
            }
        }
    }
    if !args.given("ratio") {
        if let Some(ratio) = value(path, &meta, RATIO_KEY)? {
            args.ratio = ratio;
        }
    }
    if !args.given("seed") {
        if let Some(seed) = value(path, &meta, SEED_KEY)? {
            args.seed = seed;
        }
    }
    Ok(mlp)
}

/// Checks the loaded network's output neuron against the problem and the
/// loss: tanh for classification with ½(o − t)², linear for regression and
/// for cross-entropy's logit. Without `--loss` the output decides it.
///
/// # Errors
/// [`Error::Contradicts`] naming `--loss`, or the flag the problem comes
/// from, when the output does not fit.
pub fn check_output(args: &mut Args, mlp: &Mlp, problem: Problem, path: &Path) -> Result<()> {
    let out = *mlp.activations().last().expect("a network has a layer");
    if Net::output_activation(problem, args.loss) == out {
        return Ok(());
    }
    let other = match args.loss {
        LossKind::HalfSquared => LossKind::CrossEntropy,
        LossKind::CrossEntropy => LossKind::HalfSquared,
    };
    if problem == Problem::Classification
        && !args.given("loss")
        && Net::output_activation(problem, other) == out
    {
        args.loss = other;
        return Ok(());
    }
    let (flag, given) = if args.given("loss") && problem == Problem::Classification {
        ("--loss", args.loss.to_string())
    } else if args.given("problem") {
        ("--problem", problem.to_string())
    } else if let Some(data) = &args.data {
        ("--data", format!("{} ({problem})", data.display()))
    } else {
        ("--dataset", format!("{} ({problem})", args.dataset))
    };
    Err(Error::Contradicts {
        flag,
        given,
        file: path.to_path_buf(),
        saved: format!("a {out} output neuron"),
    })
}

/// A value of the command's own vocabulary read from metadata.
struct Saved<T>(T);

impl<T: clap::ValueEnum> FromStr for Saved<T> {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        T::from_str(s, true).map(Saved)
    }
}

/// Metadata `key`, read with `T`'s `FromStr`, if the file has it.
fn value<T: FromStr>(path: &Path, meta: &nn::io::Header, key: &str) -> Result<Option<T>> {
    let Some(text) = meta.metadata.get(key) else {
        return Ok(None);
    };
    text.trim().parse().map(Some).map_err(|_| Error::Load {
        path: path.to_path_buf(),
        source: nn::Error::mismatch(
            format!("metadata `{key}`"),
            format!("a value of --{key}"),
            format!("`{text}`"),
        ),
    })
}
