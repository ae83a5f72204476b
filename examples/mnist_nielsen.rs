//! 手写数字识别 (handwritten digit recognition): Michael Nielsen's network
//! from chapter 1 of *Neural Networks and Deep Learning*, on MNIST.
//!
//! The default configuration is his `network.py` protocol: 784-30-10,
//! sigmoid everywhere, the quadratic cost C = ½‖a − y‖² per image averaged
//! over the mini-batch, plain SGD with mini-batches of 10 and η = 3.0,
//! 30 epochs, weights and biases drawn from N(0, 1), f32. Training uses his
//! split: the first 50,000 training images (the last 10,000 are the
//! validation set), and the test accuracy is printed after every epoch.
//! He reports 95.42 % as the best of three runs.
//!
//! `--config ce-l2` is his chapter 3 network (`network2.py`): 784-100-10,
//! sigmoid outputs with the cross-entropy cost summed over the ten outputs
//! (−y·ln a − (1 − y)·ln(1 − a) for each output, not a softmax), L2
//! regularisation λ = 5.0 applied as weight decay w ← (1 − ηλ/n)·w with n
//! the number of training images, η = 0.5, weights N(0, 1/n_in), biases
//! N(0, 1), 30 epochs. He reports 97.92 % on the validation set (98.04 %
//! with η = 0.1 for 60 epochs: `--eta 0.1 --epochs 60`).
//!
//! The four MNIST files (IDX format, gzipped or not) are read from
//! `--data DIR`, else from the directory in `MNIST_DIR`.
//!
//! ```sh
//! MNIST_DIR=path/to/mnist cargo run --release --example mnist_nielsen
//! cargo run --release --example mnist_nielsen -- --data path/to/mnist --config ce-l2
//! cargo run --release --example mnist_nielsen -- --subset 1000 --epochs 2   # a quick look
//! ```
//!
//! Options: `--out DIR` (pictures, default `out/mnist_nielsen`), `--seed N`
//! (initial weights and shuffles, default 1), `--epochs N`, `--eta X`,
//! `--subset N` (train on the first N training images only), `--quick`
//! (`--subset 1000 --epochs 2`).
//!
//! It writes the test accuracy per epoch (`accuracy.png`, or
//! `accuracy_ce_l2.png`) and a grid of misclassified test digits captioned
//! "true → predicted" (`misclassified.png` / `misclassified_ce_l2.png`).

use autograd::{TensorVar, Var};
use nn::data::{Dataset, Mnist};
use nn::loss::{bce_with_logits, custom_for, Targets};
use nn::metrics::{accuracy, predicted_classes};
use nn::plot::{digit_grid, line_chart, ChartOptions, Color, DigitGridOptions, Legend, Series};
use nn::prelude::*;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

const NAME: &str = "mnist_nielsen";

const USAGE: &str = "usage: cargo run --release --example mnist_nielsen -- [options]
  --data DIR        directory of the four MNIST IDX files (default: $MNIST_DIR)
  --config NAME     quadratic (784-30-10, Nielsen ch. 1; default) or ce-l2 (784-100-10, ch. 3)
  --seed N          seed of the initial weights and of the shuffles (default 1)
  --epochs N        epochs (default 30)
  --eta X           learning rate (default 3.0 for quadratic, 0.5 for ce-l2)
  --subset N        train on the first N training images only
  --quick           --subset 1000 --epochs 2
  --out DIR         where the pictures go (default out/mnist_nielsen)";

/// Which of Nielsen's two networks to train.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Config {
    /// Chapter 1: 784-30-10, quadratic cost, N(0, 1) init, η = 3.
    Quadratic,
    /// Chapter 3: 784-100-10, cross-entropy, L2 λ = 5, N(0, 1/n_in) init, η = 0.5.
    CeL2,
}

struct Args {
    data: Option<PathBuf>,
    out: PathBuf,
    config: Config,
    seed: u64,
    epochs: usize,
    eta: Option<f64>,
    subset: Option<usize>,
}

fn fail(msg: impl std::fmt::Display) -> ! {
    eprintln!("{NAME}: {msg}");
    std::process::exit(1);
}

fn usage_error(msg: impl std::fmt::Display) -> ! {
    eprintln!("{NAME}: {msg}\n{USAGE}");
    std::process::exit(2);
}

fn parse_args() -> Args {
    let mut a = Args {
        data: None,
        out: PathBuf::from("out").join(NAME),
        config: Config::Quadratic,
        seed: 1,
        epochs: 30,
        eta: None,
        subset: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = |what: &str| {
            args.next().unwrap_or_else(|| {
                usage_error(format!("expected {what} after {flag}, found nothing"))
            })
        };
        fn number<T: std::str::FromStr>(flag: &str, what: &str, s: String) -> T {
            s.parse()
                .unwrap_or_else(|_| usage_error(format!("{flag}: expected {what}, found {s:?}")))
        }
        match flag.as_str() {
            "--data" => a.data = Some(PathBuf::from(value("a directory"))),
            "--out" => a.out = PathBuf::from(value("a directory")),
            "--seed" => a.seed = number(&flag, "a whole number", value("a seed")),
            "--epochs" => a.epochs = number(&flag, "a whole number", value("a number")),
            "--eta" => a.eta = Some(number(&flag, "a number", value("a learning rate"))),
            "--subset" => a.subset = Some(number(&flag, "a whole number", value("a number"))),
            "--config" => {
                let v = value("a configuration");
                a.config = match v.as_str() {
                    "quadratic" => Config::Quadratic,
                    "ce-l2" => Config::CeL2,
                    _ => usage_error(format!(
                        "--config: expected quadratic or ce-l2, found {v:?}"
                    )),
                }
            }
            "--quick" => {
                a.subset = Some(1000);
                a.epochs = 2;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => usage_error(format!("unknown argument {other:?}")),
        }
    }
    if a.epochs == 0 {
        usage_error("--epochs: expected at least 1, found 0");
    }
    if a.subset == Some(0) {
        usage_error("--subset: expected at least 1 image, found 0");
    }
    a
}

/// Nielsen's quadratic cost: ½‖a − y‖² per image, averaged over the batch
/// (his update is w ← w − (η/m)·Σ∇C_x). Note the factor: the mean over all
/// 10·m output values (`half_squared_error`) would be 10 times smaller.
fn quadratic_cost<'t>(a: TensorVar<'t, f32>, y: TensorVar<'t, f32>) -> Var<'t, f32> {
    let m = a.shape()[0] as f64;
    (a - y).powi(2).sum() * (0.5 / m)
}

/// Nielsen's cross-entropy: Σ_j −y_j·ln a_j − (1 − y_j)·ln(1 − a_j) per
/// image with a = σ(z), averaged over the batch. `bce_with_logits` averages
/// over every output value, so it is multiplied back by the number of outputs.
fn cross_entropy_cost<'t>(z: TensorVar<'t, f32>, y: TensorVar<'t, f32>) -> Var<'t, f32> {
    let outputs = z.shape()[1] as f64;
    bce_with_logits(z, y).expect("outputs and one-hot targets have the same shape") * outputs
}

fn main() {
    let args = parse_args();
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        fail(format!(
            "cannot create output directory {}: {e}",
            args.out.display()
        ));
    }
    let started = Instant::now();
    let loaded = match &args.data {
        Some(dir) => Mnist::<f32>::load(dir),
        None => Mnist::<f32>::from_env_or(None::<&Path>),
    };
    let mnist = loaded.unwrap_or_else(|e| {
        // where to look is the question only when a file is missing or
        // unreadable; a file with bad contents was found where it was looked for
        let hint = match (&e, &args.data) {
            (nn::Error::Io { .. }, _) | (nn::Error::Invalid { .. }, None) => {
                " (give the directory with --data DIR or set MNIST_DIR)"
            }
            _ => "",
        };
        fail(format!("cannot read MNIST: {e}{hint}"))
    });
    let train: Dataset<f32> = match args.subset {
        Some(n) if n < mnist.train.len() => mnist
            .train
            .select(&(0..n).collect::<Vec<_>>())
            .unwrap_or_else(|e| fail(e)),
        _ => mnist.train.clone(),
    };
    let full = train.len() == mnist.train.len();
    println!(
        "MNIST: {} training images{}, {} validation, {} test (read in {:.1} s)",
        train.len(),
        if full { "" } else { " (a subset)" },
        mnist.validation.len(),
        mnist.test.len(),
        started.elapsed().as_secs_f64()
    );

    let n = train.len() as f64;
    let (sizes, activations, init, eta, tag) = match args.config {
        Config::Quadratic => (
            [784, 30, 10],
            [Activation::Sigmoid, Activation::Sigmoid],
            Init::Nielsen,
            args.eta.unwrap_or(3.0),
            "",
        ),
        // The output layer gives logits z; the cost applies the sigmoid.
        Config::CeL2 => (
            [784, 100, 10],
            [Activation::Sigmoid, Activation::Identity],
            Init::NielsenScaled,
            args.eta.unwrap_or(0.5),
            "_ce_l2",
        ),
    };
    let lambda = 5.0;
    let mut model =
        Mlp::<f32>::new(&sizes, &activations, init, args.seed).unwrap_or_else(|e| fail(e));
    let mut sgd = Sgd::<f32>::new(eta);
    let description = match args.config {
        Config::Quadratic => format!(
            "784-30-10 sigmoid, quadratic cost, N(0,1) init, SGD eta = {eta}, mini-batch 10"
        ),
        Config::CeL2 => {
            sgd = sgd.with_regularization(Regularization::L2(lambda / n));
            format!(
                "784-100-10 sigmoid, cross-entropy per output, L2 lambda = {lambda} \
                 (w <- (1 - eta*lambda/n) w, n = {n}), N(0,1/n_in) init, SGD eta = {eta}, mini-batch 10"
            )
        }
    };
    let mut sgd = sgd.build().unwrap_or_else(|e| fail(e));
    println!(
        "network: {description}; {} epochs, seed {}",
        args.epochs, args.seed
    );

    let test_classes = mnist.test.classes().expect("MNIST has class labels");
    let n_test = mnist.test.len();
    let train_classes = train.classes().expect("MNIST has class labels");
    let mut epoch_clock = Instant::now();
    let mut wall = Vec::with_capacity(args.epochs);
    let on_epoch = |s: &nn::train::EpochStats, _: &Mlp<f32>| {
        let acc = s.test_accuracy.unwrap_or(f64::NAN);
        let secs = epoch_clock.elapsed().as_secs_f64();
        epoch_clock = Instant::now();
        wall.push(secs);
        println!(
            "epoch {:>2}: test accuracy {:>5}/{} = {:.2}%  ({:.3} s training, {:.3} s with evaluation)",
            s.epoch + 1,
            (acc * n_test as f64).round(),
            n_test,
            100.0 * acc,
            n / s.samples_per_second.max(1e-9),
            secs
        );
        ControlFlow::Continue(())
    };
    let fitted = match args.config {
        Config::Quadratic => Trainer::new(custom_for::<f32, _>(quadratic_cost))
            .epochs(args.epochs)
            .batch_size(10)
            .seed(args.seed)
            .test(mnist.test.x(), Targets::Classes(test_classes))
            .accuracy(Accuracy::Argmax)
            .evaluate_train(false)
            .on_epoch(on_epoch)
            .fit(
                &mut model,
                &mut sgd,
                train.x(),
                Targets::Classes(train_classes),
            ),
        Config::CeL2 => Trainer::new(custom_for::<f32, _>(cross_entropy_cost))
            .epochs(args.epochs)
            .batch_size(10)
            .seed(args.seed)
            .test(mnist.test.x(), Targets::Classes(test_classes))
            .accuracy(Accuracy::Argmax)
            .evaluate_train(false)
            .on_epoch(on_epoch)
            .fit(
                &mut model,
                &mut sgd,
                train.x(),
                Targets::Classes(train_classes),
            ),
    };
    let history = fitted.unwrap_or_else(|e| fail(e));
    let accs = history.test_accuracies();
    if accs.is_empty() {
        fail(format!(
            "training stopped before the first epoch ended: {}",
            history.stop
        ));
    }
    let (best_epoch, best) =
        accs.iter()
            .copied()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (i, a)| if a > b.1 { (i, a) } else { b },
            );
    let train_secs: Vec<f64> = history
        .epochs
        .iter()
        .map(|s| n / s.samples_per_second.max(1e-9))
        .collect();
    let mean_train = train_secs.iter().sum::<f64>() / train_secs.len() as f64;
    let total: f64 = wall.iter().sum();
    println!(
        "best: epoch {}, test accuracy {:.2}% (last epoch {:.2}%); {}",
        best_epoch + 1,
        100.0 * best,
        100.0 * accs[accs.len() - 1],
        history.stop
    );
    println!(
        "time: {mean_train:.2} s per epoch of training ({:.0} images/s), {:.2} s per epoch with the test evaluation, {total:.1} s for {} epochs",
        n / mean_train,
        total / wall.len() as f64,
        wall.len()
    );
    let val_pred = model
        .predict(mnist.validation.x())
        .unwrap_or_else(|e| fail(e));
    let val_acc = accuracy(
        &val_pred,
        Targets::Classes(mnist.validation.classes().expect("labels")),
        Accuracy::Argmax,
    )
    .unwrap_or_else(|e| fail(e));
    println!(
        "validation accuracy after the last epoch: {:.2}%",
        100.0 * val_acc
    );

    // accuracy per epoch
    let acc_path = args.out.join(format!("accuracy{tag}.png"));
    let mut series = vec![Series::per_epoch("test accuracy", &pct(&accs))
        .color(Color::BLUE)
        .marker(nn::plot::Marker::Circle)];
    let (published, label) = match args.config {
        Config::Quadratic => (95.42, "Nielsen's best of three: 95.42%"),
        Config::CeL2 => (97.92, "Nielsen (validation, 30 epochs): 97.92%"),
    };
    if full {
        let last = accs.len().max(2) as f64;
        series.push(
            Series::line(label, [(1.0, published), (last, published)])
                .color(Color::RED)
                .dashed(),
        );
    }
    let title = match args.config {
        Config::Quadratic => format!(
            "784-30-10, quadratic cost, eta = {eta} (seed {})",
            args.seed
        ),
        Config::CeL2 => format!(
            "784-100-10, cross-entropy + L2, eta = {eta} (seed {})",
            args.seed
        ),
    };
    line_chart(
        &acc_path,
        &title,
        "epoch",
        "test accuracy (%)",
        &series,
        &ChartOptions {
            legend: Legend::LowerRight,
            ..ChartOptions::default()
        },
    )
    .unwrap_or_else(|e| fail(e));
    println!("wrote {}", acc_path.display());

    // misclassified test digits
    let out = model.predict(mnist.test.x()).unwrap_or_else(|e| fail(e));
    let predicted = predicted_classes(&out).unwrap_or_else(|e| fail(e));
    let wrong: Vec<usize> = (0..n_test)
        .filter(|&i| predicted[i] != test_classes[i])
        .collect();
    println!(
        "{} of {n_test} test digits misclassified; the first {} are drawn",
        wrong.len(),
        wrong.len().min(40)
    );
    let shown = &wrong[..wrong.len().min(40)];
    if !shown.is_empty() {
        let images: Vec<Vec<f64>> = shown
            .iter()
            .map(|&i| mnist.test.x_row(i).iter().map(|&v| f64::from(v)).collect())
            .collect();
        let refs: Vec<&[f64]> = images.iter().map(Vec::as_slice).collect();
        let captions: Vec<String> = shown
            .iter()
            .map(|&i| format!("{} → {}", test_classes[i], predicted[i]))
            .collect();
        let grid_path = args.out.join(format!("misclassified{tag}.png"));
        digit_grid(
            &grid_path,
            &refs,
            28,
            &captions,
            10,
            &DigitGridOptions {
                image_px: 84,
                value_range: Some((0.0, 1.0)),
                title: "misclassified test digits: true → predicted".to_string(),
                ..DigitGridOptions::default()
            },
        )
        .unwrap_or_else(|e| fail(e));
        println!("wrote {}", grid_path.display());
    }

    // Sanity only: a full run of either network is far above 90 %.
    let (floor, why) = if full && args.epochs >= 5 {
        (0.90, "a full run of 5 or more epochs")
    } else {
        (0.20, "a short or subset run (twice chance)")
    };
    if best > floor {
        println!(
            "check best test accuracy {:.2}% > {:.0}% ({why}): ok",
            100.0 * best,
            100.0 * floor
        );
        println!("{NAME}: all 1 checks passed");
    } else {
        eprintln!(
            "{NAME}: check failed: best test accuracy {:.2}%, expected above {:.0}% for {why}",
            100.0 * best,
            100.0 * floor
        );
        std::process::exit(1);
    }
}

fn pct(v: &[f64]) -> Vec<f64> {
    v.iter().map(|a| 100.0 * a).collect()
}
