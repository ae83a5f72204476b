//! The command line: every control of the TensorFlow Playground, and a few
//! beyond it. Each value is checked as it is parsed, so a bad one stops the
//! program before anything is trained or written.

use clap::builder::{RangedI64ValueParser, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};
use nn::data::{Feature, PlaygroundSet};
use nn::Activation;
use std::ffi::OsString;
use std::fmt;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::LazyLock;

/// The most epochs `--epochs` takes (its help says so).
pub const MAX_EPOCHS: usize = 1_000_000;

/// The widest hidden layer `--hidden` takes (its help says so).
pub const MAX_WIDTH: usize = 4096;

/// The most hidden layers `--hidden` takes (its help says so).
pub const MAX_HIDDEN_LAYERS: usize = 100;

/// The most weights between hidden layers `--hidden` takes, the sum of the
/// products of neighbouring widths: two layers of [`MAX_WIDTH`] (its help
/// says so).
pub const MAX_HIDDEN_WEIGHTS: usize = MAX_WIDTH * MAX_WIDTH;

/// The most seeds `--seeds` runs (its help says so).
pub const MAX_SEEDS: usize = 1000;

/// The most classes of a `--data` file whose labels are 0 … k−1 (its help
/// says so): as many as the pictures' and the page's class colours.
pub const MAX_CLASSES: usize = 8;

/// The largest `--data` file read: 16 MiB (its help says so); a larger file
/// is refused before it is read, and no more than this is ever read.
pub const MAX_CSV_BYTES: u64 = 16 << 20;

/// `--activation`'s help, from nn's list of names: a new activation shows
/// up here without an edit.
static ACTIVATION_HELP: LazyLock<String> =
    LazyLock::new(|| format!("Hidden activation: {}.", Activation::valid_names()));

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
    /// multi-gaussian (regression).
    #[arg(long, value_name = "NAME", default_value = "spiral", value_parser = PlaygroundSet::from_str)]
    pub dataset: PlaygroundSet,

    /// Your own data instead: a CSV file of x1,x2,label rows (a header line
    /// is allowed; labels ±1, or 0/1, for two classes, 0 to k-1 for k
    /// classes with 3 ≤ k ≤ 8, any other numbers for regression), at most
    /// 16 MiB.
    #[arg(long, value_name = "FILE.csv", conflicts_with = "dataset")]
    pub data: Option<PathBuf>,

    /// Noise in percent, 0 to 50 (the Playground's slider).
    #[arg(long, value_name = "PERCENT", default_value = "0", allow_negative_numbers = true,
          value_parser = Whole::<u32>::new(0, 50).percent())]
    pub noise: u32,

    /// Share of the points used for training, in percent, 10 to 90.
    #[arg(long, value_name = "PERCENT", default_value = "50", allow_negative_numbers = true,
          value_parser = Whole::<u32>::new(10, 90).percent())]
    pub ratio: u32,

    /// Seed of the data and of the initial weights.
    #[arg(long, default_value = "1")]
    pub seed: u64,

    /// classification or regression (default: from the data set, or from
    /// the --load file).
    #[arg(long, value_name = "KIND", value_enum)]
    pub problem: Option<Problem>,

    /// Input features, comma-separated: x1, x2, x1^2 (or x1sq), x2^2 (or
    /// x2sq), x1x2, sin(x1) (or sinx1), sin(x2) (or sinx2).
    #[arg(long, value_name = "LIST", default_value = "x1,x2", value_parser = Features::from_str)]
    pub features: Features,

    /// Hidden layer widths, comma-separated ("none" for no hidden layer): at
    /// most 100 layers of at most 4096 neurons, and at most 16777216 weights
    /// between them (two layers of 4096).
    #[arg(long, value_name = "WIDTHS", default_value = "8,8,8", value_parser = parse_hidden)]
    pub hidden: Hidden,

    /// Hidden activation (the help lists every name nn's parser takes).
    #[arg(long, value_name = "NAME", default_value = "relu", value_parser = Activation::from_str,
          help = ACTIVATION_HELP.as_str())]
    pub activation: Activation,

    /// Learning rate.
    #[arg(long, value_name = "RATE", default_value = "0.03", allow_negative_numbers = true,
          value_parser = non_negative)]
    pub lr: f64,

    /// Weight regularisation: none, l1, l2 (biases are never regularised).
    #[arg(long, value_name = "KIND", default_value = "none", value_enum)]
    pub regularization: RegKind,

    /// Regularisation rate.
    #[arg(long, value_name = "RATE", default_value = "0", allow_negative_numbers = true,
          value_parser = non_negative)]
    pub reg_rate: f64,

    /// Samples per weight update.
    #[arg(long, value_name = "N", default_value = "10", allow_negative_numbers = true,
          value_parser = Whole::<usize>::new(1, i64::MAX))]
    pub batch_size: usize,

    /// Reshuffle the training points every epoch (as PyTorch's data loader
    /// does; the Playground walks them in one fixed order).
    #[arg(long)]
    pub shuffle: bool,

    /// Passes over the training set, at most 1000000.
    #[arg(long, value_name = "N", default_value = "500", allow_negative_numbers = true,
          value_parser = Whole::<usize>::new(0, MAX_EPOCHS as i64))]
    pub epochs: usize,

    /// Stop as soon as the training loss is at or below this (a number
    /// > 0), even before --epochs.
    #[arg(long, value_name = "LOSS", allow_negative_numbers = true, value_parser = positive)]
    pub target_loss: Option<f64>,

    /// Stop as soon as the training accuracy reaches this fraction, above 0
    /// and at most 1 (0.95 for 95%; classification only), even before
    /// --epochs.
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true, value_parser = fraction)]
    pub target_accuracy: Option<f64>,

    /// Loss: half-squared (the Playground's ½(o − t)²) or cross-entropy
    /// (classification only).
    #[arg(long, value_name = "KIND", default_value = "half-squared", value_enum)]
    pub loss: LossKind,

    /// Optimizer: sgd (the Playground's), momentum (0.9), adam.
    #[arg(long, value_name = "KIND", default_value = "sgd", value_enum)]
    pub optimizer: OptimizerKind,

    /// Save the trained network to this file (safetensors, PyTorch's
    /// nn.Sequential state dict): its weights, layers, activations and
    /// features, and the run's data settings.
    #[arg(long, value_name = "FILE")]
    pub save: Option<PathBuf>,

    /// Export the trained network to this file as an ONNX model (opset 17,
    /// float32), which takes the raw points (x1, x2) and computes the
    /// features itself.
    #[arg(long, value_name = "FILE")]
    pub onnx: Option<PathBuf>,

    /// Start from the network in this file (saved by --save): its layers,
    /// activations and features, and (unless given) its data set, noise,
    /// ratio and seed. A flag that contradicts the file is refused.
    #[arg(long, value_name = "FILE")]
    pub load: Option<PathBuf>,

    /// Also write an animated GIF of the heatmap during training.
    #[arg(long)]
    pub gif: bool,

    /// Print the summary and the per-epoch losses as JSON on stdout.
    #[arg(long)]
    pub json: bool,

    /// Run this many seeds (--seed, --seed + 1, …) and print a table of test
    /// accuracy per seed (at most 1000).
    #[arg(long, value_name = "N", allow_negative_numbers = true,
          value_parser = Whole::<usize>::new(1, MAX_SEEDS as i64))]
    pub seeds: Option<usize>,

    /// Directory for the pictures (created if missing).
    #[arg(long, value_name = "DIR", default_value = "out/playground")]
    pub out: PathBuf,

    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,

    /// The ids of the flags given on the command line (not defaulted).
    #[arg(skip)]
    given: Vec<String>,
}

impl Args {
    /// Parses the process's command line.
    ///
    /// # Errors
    /// clap's error for a bad or unknown flag, or for `--help`/`--version`.
    pub fn parse_command_line() -> Result<Args, clap::Error> {
        Args::parse_args(std::env::args_os())
    }

    /// Parses a command line (the program's name first), recording which
    /// flags it gave.
    ///
    /// # Errors
    /// As [`Args::parse_command_line`].
    pub fn parse_args<I, T>(args: I) -> Result<Args, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let matches = Args::command().try_get_matches_from(args)?;
        let mut parsed = Args::from_arg_matches(&matches)?;
        parsed.given = matches
            .ids()
            .filter(|id| matches.value_source(id.as_str()) == Some(ValueSource::CommandLine))
            .map(|id| id.as_str().to_string())
            .collect();
        Ok(parsed)
    }

    /// Whether the flag of field `id` (such as `"hidden"`) was given on the
    /// command line rather than left at its default.
    pub fn given(&self, id: &str) -> bool {
        self.given.iter().any(|g| g == id)
    }
}

/// The one line that reports a bad command line: clap's message (without
/// its usage and tips), with the valid values when the value was not one of
/// them, and the control characters of a value it quotes shown
/// [escaped](nn::error::escaped).
pub fn error_line(e: &clap::Error) -> String {
    let text = e.to_string();
    // clap's message is its first paragraph (usage and tips follow a blank
    // line); a line break in a value quoted in it is shown escaped below,
    // so the line neither stops at it nor starts another
    let mut line = text
        .split("\n\n")
        .next()
        .map(|m| m.trim_end_matches('\n'))
        .filter(|m| !m.trim().is_empty())
        .unwrap_or("error: bad arguments")
        .to_string();
    if e.kind() == ErrorKind::InvalidValue {
        if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
            if !valid.is_empty() {
                line.push_str(&format!(": expected one of {}", valid.join(", ")));
            }
        }
    }
    // no control character is left to break the line or overwrite it on a
    // terminal
    let line = nn::error::escaped(line);
    format!("{line} (see --help)")
}

/// Classification (±1 labels, tanh output) or regression (real targets,
/// linear output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Problem {
    /// ±1 labels; accuracy is the share of outputs with the label's sign.
    Classification,
    /// Real-valued targets.
    Regression,
}

/// The chosen input features (a newtype so that clap takes the whole list
/// as one value), in nn's vocabulary ([`Feature::parse_list`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Features(pub Vec<Feature>);

impl FromStr for Features {
    type Err = nn::Error;

    fn from_str(s: &str) -> nn::Result<Features> {
        Feature::parse_list(s).map(Features)
    }
}

impl fmt::Display for Features {
    /// The names, comma-separated, as [`Feature::parse_list`] reads them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|x| x.name()).collect();
        f.write_str(&names.join(","))
    }
}

/// The hidden layer widths (empty: no hidden layer).
#[derive(Clone, Debug, PartialEq)]
pub struct Hidden(pub Vec<usize>);

impl fmt::Display for Hidden {
    /// The widths, comma-separated, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        let widths: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&widths.join(","))
    }
}

/// The regularisation kind; its rate comes from `--reg-rate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RegKind {
    /// None.
    None,
    /// L1: |w|.
    L1,
    /// L2: ½w².
    L2,
}

/// The loss.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LossKind {
    /// ½(o − t)², averaged over the batch (the Playground's only loss).
    HalfSquared,
    /// Binary cross-entropy of the tanh output read as a probability
    /// (1 + o)/2, computed from the logits.
    CrossEntropy,
}

/// The optimizer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OptimizerKind {
    /// Plain SGD (the Playground's).
    Sgd,
    /// SGD with momentum 0.9.
    Momentum,
    /// Adam (β1 = 0.9, β2 = 0.999).
    Adam,
}

/// `Display` as the name the command line accepts (clap's value name).
macro_rules! display_as_flag_value {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let value = self.to_possible_value().expect("no variant is skipped");
                f.write_str(value.get_name())
            }
        }
    )*};
}

display_as_flag_value!(Problem, RegKind, LossKind, OptimizerKind);

/// clap's ranged parser of whole numbers from `lo` to `hi`, its refusal
/// worded as every message of the command: what was expected, what was
/// found.
#[derive(Clone, Copy, Debug)]
pub struct Whole<T> {
    lo: i64,
    hi: i64,
    percent: bool,
    value: PhantomData<fn() -> T>,
}

impl<T> Whole<T> {
    /// Whole numbers from `lo` to `hi` inclusive (`i64::MAX`: no upper
    /// bound).
    pub const fn new(lo: i64, hi: i64) -> Self {
        Whole {
            lo,
            hi,
            percent: false,
            value: PhantomData,
        }
    }

    /// The same range, in percent.
    pub const fn percent(self) -> Self {
        Whole {
            percent: true,
            ..self
        }
    }

    /// What the parser accepts, e.g. "a whole number from 10 to 90".
    pub fn expected(&self) -> String {
        let unit = if self.percent { " of percent" } else { "" };
        if self.hi == i64::MAX {
            format!("a whole number{unit} ≥ {}", self.lo)
        } else {
            format!("a whole number{unit} from {} to {}", self.lo, self.hi)
        }
    }
}

impl<T> TypedValueParser for Whole<T>
where
    T: TryFrom<i64> + Clone + Send + Sync + 'static,
    <T as TryFrom<i64>>::Error: Send + Sync + 'static + std::error::Error + ToString,
{
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<T, clap::Error> {
        RangedI64ValueParser::<T>::new()
            .range(self.lo..=self.hi)
            .parse_ref(cmd, arg, value)
            .map_err(|_| {
                let flag = arg.map_or_else(|| "...".to_string(), ToString::to_string);
                let found = value.to_string_lossy();
                clap::Error::raw(
                    ErrorKind::ValueValidation,
                    format!(
                        "invalid value '{found}' for '{flag}': expected {}, found {found}\n",
                        self.expected()
                    ),
                )
                .with_cmd(cmd)
            })
    }
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
        if w > MAX_WIDTH {
            return Err(format!(
                "hidden layer {} has width {w}: expected at most {MAX_WIDTH} neurons",
                i + 1
            ));
        }
        widths.push(w);
    }
    if widths.len() > MAX_HIDDEN_LAYERS {
        return Err(format!(
            "expected at most {MAX_HIDDEN_LAYERS} hidden layers, found {}",
            widths.len()
        ));
    }
    let weights: usize = widths.windows(2).map(|p| p[0] * p[1]).sum();
    if weights > MAX_HIDDEN_WEIGHTS {
        return Err(format!(
            "the hidden layers {s} hold {weights} weights between them: expected at most \
             {MAX_HIDDEN_WEIGHTS} (two layers of {MAX_WIDTH})"
        ));
    }
    Ok(Hidden(widths))
}

/// A target loss: a finite number > 0.
fn positive(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("expected a finite number > 0, found {}", s.trim())),
    }
}

/// A target accuracy: a fraction above 0 and at most 1.
fn fraction(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1.0 => Ok(v),
        _ => Err(format!(
            "expected a fraction above 0 and at most 1 (0.95 for 95%), found {}",
            s.trim()
        )),
    }
}

/// A rate (`--lr`, `--reg-rate`): a finite number ≥ 0.
fn non_negative(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(format!("expected a finite number ≥ 0, found {}", s.trim())),
    }
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
