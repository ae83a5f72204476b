//! The command line: every control of the TensorFlow Playground, and a few
//! beyond it. Each value is checked as it is parsed, so a bad one stops the
//! program before anything is trained or written.

use clap::Parser;
use nn::data::{Feature, PlaygroundSet};
use nn::Activation;
use std::path::PathBuf;

/// The TensorFlow Playground in a terminal: train a small network on a 2-D
/// data set and draw what it learned.
///
/// With no arguments it trains the course's spiral with 3 hidden layers of 8
/// ReLU neurons for 500 epochs under the Playground's rules (noise 0, half
/// the points for training, SGD at learning rate 0.03 in batches of 10,
/// ½(o − t)² loss, a tanh output, weights U(−0.5, 0.5) and biases 0.1), and
/// writes the decision heatmap, every hidden neuron's heatmap, the network
/// drawn as the Playground draws it and the loss curves into out/playground/.
#[derive(Debug, Parser)]
#[command(name = "xiaolan", version, max_term_width = 100)]
pub struct Args {
    /// Data set: circle, xor, gauss, spiral (classification); plane,
    /// multigauss (regression).
    #[arg(long, value_name = "NAME", default_value = "spiral", value_parser = parse_dataset)]
    pub dataset: PlaygroundSet,

    /// Your own data instead: a CSV file of x1,x2,label rows (a header line
    /// is allowed; labels ±1, or 0/1, for classification).
    #[arg(long, value_name = "FILE.csv", conflicts_with = "dataset")]
    pub data: Option<PathBuf>,

    /// Noise in percent, 0 to 50 (the Playground's slider).
    #[arg(long, value_name = "PERCENT", default_value = "0", value_parser = parse_noise)]
    pub noise: u32,

    /// Share of the points used for training, in percent, 10 to 90.
    #[arg(long, value_name = "PERCENT", default_value = "50", value_parser = parse_ratio)]
    pub ratio: u32,

    /// Seed of the data and of the initial weights.
    #[arg(long, default_value = "1")]
    pub seed: u64,

    /// classification or regression (default: from the data set).
    #[arg(long, value_name = "KIND", value_parser = parse_problem)]
    pub problem: Option<Problem>,

    /// Input features, comma-separated: x1, x2, x1sq, x2sq, x1x2, sinx1,
    /// sinx2.
    #[arg(long, value_name = "LIST", default_value = "x1,x2", value_parser = parse_features)]
    pub features: Features,

    /// Hidden layer widths, comma-separated (any number of layers; "none"
    /// for no hidden layer).
    #[arg(long, value_name = "WIDTHS", default_value = "8,8,8", value_parser = parse_hidden)]
    pub hidden: Hidden,

    /// Hidden activation: relu, tanh, sigmoid, linear, leaky-relu[:slope].
    #[arg(long, value_name = "NAME", default_value = "relu", value_parser = parse_activation)]
    pub activation: Activation,

    /// Learning rate.
    #[arg(long, value_name = "RATE", default_value = "0.03", allow_negative_numbers = true,
          value_parser = parse_learning_rate)]
    pub lr: f64,

    /// Weight regularisation: none, l1, l2 (biases are never regularised).
    #[arg(long, value_name = "KIND", default_value = "none", value_parser = parse_regularization)]
    pub regularization: RegKind,

    /// Regularisation rate.
    #[arg(long, value_name = "RATE", default_value = "0", allow_negative_numbers = true,
          value_parser = parse_rate)]
    pub reg_rate: f64,

    /// Samples per weight update.
    #[arg(long, value_name = "N", default_value = "10", value_parser = parse_batch)]
    pub batch_size: usize,

    /// Reshuffle the training points every epoch (as PyTorch's data loader
    /// does; the Playground walks them in one fixed order).
    #[arg(long)]
    pub shuffle: bool,

    /// Passes over the training set.
    #[arg(long, value_name = "N", default_value = "500")]
    pub epochs: usize,

    /// Loss: half-squared (the Playground's ½(o − t)²) or cross-entropy
    /// (classification only).
    #[arg(long, value_name = "KIND", default_value = "half-squared", value_parser = parse_loss)]
    pub loss: LossKind,

    /// Optimizer: sgd (the Playground's), momentum (0.9), adam.
    #[arg(long, value_name = "KIND", default_value = "sgd", value_parser = parse_optimizer)]
    pub optimizer: OptimizerKind,

    /// Save the trained weights to this file (safetensors).
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Start from the weights in this file (safetensors, saved by --save for
    /// the same features and layers).
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,

    /// Also write an animated GIF of the heatmap during training.
    #[arg(long)]
    pub gif: bool,

    /// Print the summary and the per-epoch losses as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Run this many seeds (--seed, --seed + 1, …) and print a table of test
    /// accuracy per seed.
    #[arg(long, value_name = "N", value_parser = parse_seeds)]
    pub seeds: Option<usize>,

    /// Directory for the pictures (created if missing).
    #[arg(long, value_name = "DIR", default_value = "out/playground")]
    pub out: PathBuf,

    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// Classification (±1 labels, tanh output) or regression (real targets,
/// linear output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Problem {
    /// ±1 labels; accuracy is the share of outputs with the label's sign.
    Classification,
    /// Real-valued targets.
    Regression,
}

impl Problem {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Problem::Classification => "classification",
            Problem::Regression => "regression",
        }
    }
}

/// The chosen input features (a newtype so that clap takes the whole list
/// as one value).
#[derive(Clone, Debug, PartialEq)]
pub struct Features(pub Vec<Feature>);

/// The hidden layer widths (empty: no hidden layer).
#[derive(Clone, Debug, PartialEq)]
pub struct Hidden(pub Vec<usize>);

/// The regularisation kind; its rate comes from `--reg-rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegKind {
    /// None.
    None,
    /// L1: |w|.
    L1,
    /// L2: ½w².
    L2,
}

/// The loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LossKind {
    /// ½(o − t)², averaged over the batch (the Playground's only loss).
    HalfSquared,
    /// Binary cross-entropy of the tanh output read as a probability
    /// (1 + o)/2, computed from the logits.
    CrossEntropy,
}

/// The optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Plain SGD (the Playground's).
    Sgd,
    /// SGD with momentum 0.9.
    Momentum,
    /// Adam (β1 = 0.9, β2 = 0.999).
    Adam,
}

fn parse_dataset(s: &str) -> Result<PlaygroundSet, String> {
    let key = s.trim().to_ascii_lowercase();
    match key.as_str() {
        "circle" => Ok(PlaygroundSet::Circle),
        "xor" => Ok(PlaygroundSet::Xor),
        "gauss" => Ok(PlaygroundSet::Gauss),
        "spiral" => Ok(PlaygroundSet::Spiral),
        "plane" => Ok(PlaygroundSet::Plane),
        "multigauss" | "multi-gauss" | "multi-gaussian" => Ok(PlaygroundSet::MultiGaussian),
        _ => Err(
            "unknown data set: expected one of circle, xor, gauss, spiral, plane, multigauss"
                .into(),
        ),
    }
}

/// The command-line name of a generated data set.
pub fn dataset_name(set: PlaygroundSet) -> &'static str {
    match set {
        PlaygroundSet::MultiGaussian => "multigauss",
        other => other.name(),
    }
}

fn parse_percent(s: &str, lo: u32, hi: u32) -> Result<u32, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("expected a whole number of percent from {lo} to {hi}"))?;
    if !(f64::from(lo)..=f64::from(hi)).contains(&v) || v.fract() != 0.0 {
        return Err(format!(
            "expected a whole number of percent from {lo} to {hi}"
        ));
    }
    Ok(v as u32)
}

fn parse_noise(s: &str) -> Result<u32, String> {
    parse_percent(s, 0, 50)
}

fn parse_ratio(s: &str) -> Result<u32, String> {
    parse_percent(s, 10, 90)
}

fn parse_problem(s: &str) -> Result<Problem, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "classification" => Ok(Problem::Classification),
        "regression" => Ok(Problem::Regression),
        _ => Err("expected classification or regression".into()),
    }
}

fn parse_features(s: &str) -> Result<Features, String> {
    // the short spellings of the command line, then nn's names
    let names: Vec<String> = s
        .split(',')
        .map(|part| {
            let key = part.trim().to_ascii_lowercase();
            match key.as_str() {
                "x1sq" => "x1^2".to_string(),
                "x2sq" => "x2^2".to_string(),
                _ => key,
            }
        })
        .collect();
    Feature::parse_list(&names.join(","))
        .map(Features)
        .map_err(|_| {
            "expected a list of distinct features from x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2"
                .to_string()
        })
}

fn parse_hidden(s: &str) -> Result<Hidden, String> {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("none") {
        return Ok(Hidden(Vec::new()));
    }
    let mut widths = Vec::new();
    for (i, part) in s.split(',').enumerate() {
        let w: usize = part.trim().parse().map_err(|_| {
            format!(
                "hidden layer {} width {:?} is not a whole number",
                i + 1,
                part.trim()
            )
        })?;
        if w == 0 {
            return Err(format!(
                "hidden layer {} has width 0: every layer needs at least 1 neuron",
                i + 1
            ));
        }
        widths.push(w);
    }
    Ok(Hidden(widths))
}

fn parse_activation(s: &str) -> Result<Activation, String> {
    let key = s.trim().to_ascii_lowercase().replace('_', "-");
    let (name, slope) = match key.split_once(':') {
        Some((n, slope)) => (n.to_string(), Some(slope.to_string())),
        None => (key.clone(), None),
    };
    let unknown = || {
        "unknown activation: expected relu, tanh, sigmoid, linear or leaky-relu[:slope]".to_string()
    };
    match (name.as_str(), slope) {
        ("relu", None) => Ok(Activation::Relu),
        ("tanh", None) => Ok(Activation::Tanh),
        ("sigmoid", None) => Ok(Activation::Sigmoid),
        ("linear", None) => Ok(Activation::Identity),
        ("leaky-relu", None) => Ok(Activation::LeakyRelu(nn::activation::DEFAULT_LEAKY_SLOPE)),
        ("leaky-relu", Some(slope)) => match slope.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Activation::LeakyRelu(v)),
            _ => Err(format!("leaky-relu slope {slope:?} is not a finite number")),
        },
        _ => Err(unknown()),
    }
}

/// The command-line name of an activation.
pub fn activation_name(a: Activation) -> String {
    match a {
        Activation::Identity => "linear".into(),
        Activation::LeakyRelu(s) => format!("leaky-relu:{s}"),
        other => other.to_string(),
    }
}

fn parse_learning_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        Ok(_) => Err("the learning rate must be a finite number ≥ 0".into()),
        Err(_) => Err("the learning rate must be a number".into()),
    }
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err("the regularisation rate must be a finite number ≥ 0".into()),
    }
}

fn parse_regularization(s: &str) -> Result<RegKind, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" => Ok(RegKind::None),
        "l1" => Ok(RegKind::L1),
        "l2" => Ok(RegKind::L2),
        _ => Err("expected none, l1 or l2".into()),
    }
}

fn parse_batch(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err("the batch size must be a whole number ≥ 1".into()),
    }
}

fn parse_seeds(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(v) if v >= 1 => Ok(v),
        _ => Err("the number of seeds must be a whole number ≥ 1".into()),
    }
}

fn parse_loss(s: &str) -> Result<LossKind, String> {
    match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
        "half-squared" => Ok(LossKind::HalfSquared),
        "cross-entropy" => Ok(LossKind::CrossEntropy),
        _ => Err("expected half-squared or cross-entropy".into()),
    }
}

fn parse_optimizer(s: &str) -> Result<OptimizerKind, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "sgd" => Ok(OptimizerKind::Sgd),
        "momentum" => Ok(OptimizerKind::Momentum),
        "adam" => Ok(OptimizerKind::Adam),
        _ => Err("expected sgd, momentum or adam".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_accept_the_documented_spellings_and_refuse_the_rest() {
        assert_eq!(
            parse_dataset("MultiGauss").unwrap(),
            PlaygroundSet::MultiGaussian
        );
        assert!(parse_dataset("moons").is_err());
        assert_eq!(parse_ratio("90").unwrap(), 90);
        assert!(parse_ratio("95").is_err() && parse_ratio("5").is_err());
        assert!(parse_noise("55").is_err());
        let f = parse_features("x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2").unwrap();
        assert_eq!(f.0, Feature::ALL.to_vec());
        assert!(parse_features("x1,x1").is_err() && parse_features("x3").is_err());
        assert_eq!(parse_hidden("8, 8,8").unwrap().0, vec![8, 8, 8]);
        assert_eq!(parse_hidden("none").unwrap().0, Vec::<usize>::new());
        assert!(parse_hidden("8,0")
            .unwrap_err()
            .contains("layer 2 has width 0"));
        assert_eq!(
            parse_activation("leaky-relu:0.1").unwrap(),
            Activation::LeakyRelu(0.1)
        );
        assert_eq!(parse_activation("linear").unwrap(), Activation::Identity);
        assert!(parse_activation("swish").is_err() && parse_activation("relu:2").is_err());
        assert!(parse_learning_rate("-0.1").is_err());
        assert!(parse_learning_rate("NaN").is_err() && parse_learning_rate("inf").is_err());
        assert_eq!(parse_learning_rate("3").unwrap(), 3.0);
        assert_eq!(
            activation_name(Activation::LeakyRelu(0.1)),
            "leaky-relu:0.1"
        );
    }
}
