//! xiaolan's files read by the real readers: the safetensors state dict by
//! `safetensors.numpy` with a NumPy forward pass, the ONNX model by
//! `onnx.checker` and ONNX Runtime (`tests/python/check_interop.py`), for
//! the Playground's spiral net (trained by the CLI, `--save` and `--onnx`),
//! the browser Playground's export (through `xiaolan serve`), a net of
//! every activation and feature, and Nielsen's 784-30-10 MNIST net (trained
//! for one epoch when `MNIST_DIR` names the MNIST files).
//!
//! The interpreter is `XIAOLAN_PYTHON` (default `python3`). Without numpy,
//! safetensors, onnx and onnxruntime the test prints why and passes, unless
//! `XIAOLAN_REQUIRE_PYTHON=1` (as `.ci/run` sets), when it fails.

use autograd::Tensor;
use nn::data::{playground, Feature, Mnist, PlaygroundSet};
use nn::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/ws.rs"]
mod ws;

/// A fresh directory for one test's files: under `XIAOLAN_INTEROP_OUT` if
/// set (the files are kept there, for the one-time check with PyTorch in
/// `docs/interop.md`), else a temporary one.
fn scratch(name: &str) -> PathBuf {
    let dir = match std::env::var_os("XIAOLAN_INTEROP_OUT") {
        Some(out) if !out.is_empty() => PathBuf::from(out).join(name),
        _ => std::env::temp_dir().join(format!("xiaolan-interop-{}-{name}", std::process::id())),
    };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python() -> String {
    std::env::var("XIAOLAN_PYTHON")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "python3".into())
}

/// Whether the Python packages are there; `None` with the reason if not
/// (a failure instead when `XIAOLAN_REQUIRE_PYTHON=1`).
fn readers() -> Option<String> {
    let py = python();
    let probe = Command::new(&py)
        .args(["-c", "import numpy, safetensors, onnx, onnxruntime"])
        .output();
    let why = match probe {
        Ok(o) if o.status.success() => return Some(py),
        Ok(o) => format!(
            "{py} cannot import numpy, safetensors, onnx and onnxruntime: {}",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        ),
        Err(e) => format!("{py} cannot be run: {e}"),
    };
    if std::env::var("XIAOLAN_REQUIRE_PYTHON").as_deref() == Ok("1") {
        panic!("XIAOLAN_REQUIRE_PYTHON=1 but {why}");
    }
    eprintln!("skipping the check by the real readers: {why}");
    None
}

/// Writes the cases (`inputs`, `points`, xiaolan's `predictions`) and runs
/// the Python check on `model` (and `onnx`); returns its JSON report.
fn check(
    py: &str,
    dir: &Path,
    model: &Path,
    onnx: &Path,
    inputs: &Tensor<f64>,
    points: &Tensor<f64>,
    predictions: &Tensor<f64>,
) -> serde_json::Value {
    let cases = dir.join("cases.safetensors");
    nn::io::save(
        &cases,
        [
            ("inputs", inputs),
            ("points", points),
            ("predictions", predictions),
        ],
        &[],
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_interop.py");
    let o = Command::new(py)
        .arg(script)
        .args([model, &cases, onnx])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}: {out}\n{}",
        model.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    eprintln!("{}: {out}", model.display());
    serde_json::from_str(out.trim()).unwrap()
}

#[test]
fn the_cli_spiral_net_reads_the_same_in_numpy_and_onnx_runtime() {
    let dir = scratch("spiral");
    let (model, onnx) = (dir.join("spiral.safetensors"), dir.join("spiral.onnx"));
    let o = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
        .args(["--dataset", "spiral", "--features"])
        .arg("x1,x2,x1^2,x2^2,x1x2,sin(x1),sin(x2)")
        .args(["--hidden", "8,8", "--epochs", "40", "--quiet"])
        .arg("--save")
        .arg(&model)
        .arg("--onnx")
        .arg(&onnx)
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let net = Mlp::<f64>::load(&model).unwrap();
    // the file --onnx wrote is the network's export
    assert_eq!(std::fs::read(&onnx).unwrap(), net.to_onnx());
    let Some(py) = readers() else { return };
    let (_, test) = PlaygroundSet::Spiral.generate_split(0.0, 50, 1).unwrap();
    let inputs = playground::features(test.x(), net.features().unwrap()).unwrap();
    let predictions = net.predict(&inputs).unwrap();
    let report = check(&py, &dir, &model, &onnx, &inputs, test.x(), &predictions);
    assert_eq!(report["cases"], 250);
    assert_eq!(
        report["onnx_opset"],
        serde_json::json!([nn::layers::ONNX_OPSET])
    );
    assert_eq!(report["onnx_ir_version"], nn::layers::ONNX_IR_VERSION);
    let ops = report["onnx_ops"].to_string();
    for op in ["Gather", "Mul", "Sin", "Concat", "Gemm", "Tanh"] {
        assert!(ops.contains(op), "{ops}");
    }
}

#[test]
fn every_activation_and_feature_reads_the_same_in_numpy_and_onnx_runtime() {
    let Some(py) = readers() else { return };
    let dir = scratch("all");
    let acts = Activation::ALL;
    let mut sizes = vec![Feature::ALL.len()];
    sizes.extend(std::iter::repeat_n(5, acts.len() - 1));
    sizes.push(3);
    let acts: Vec<Activation> = acts
        .iter()
        .map(|&a| match a {
            Activation::LeakyRelu(_) => Activation::LeakyRelu(0.2),
            Activation::Elu(_) => Activation::Elu(0.5),
            other => other,
        })
        .collect();
    let net = Mlp::<f64>::new(&sizes, &acts, Init::Xavier, 5)
        .unwrap()
        .with_features(&Feature::ALL)
        .unwrap();
    let (model, onnx) = (dir.join("all.safetensors"), dir.join("all.onnx"));
    net.save(&model).unwrap();
    net.save_onnx(&onnx).unwrap();
    let points = Tensor::from_fn(&[64, 2], |i| {
        ((i[0] * 7 + i[1] * 3) % 23) as f64 * 0.5 - 5.5
    });
    let inputs = playground::features(&points, &Feature::ALL).unwrap();
    let predictions = net.predict(&inputs).unwrap();
    let report = check(&py, &dir, &model, &onnx, &inputs, &points, &predictions);
    let ops = report["onnx_ops"].to_string();
    for op in [
        "Greater",
        "Cast",
        "Sigmoid",
        "LeakyRelu",
        "Softmax",
        "Softplus",
        "Elu",
        "Relu",
    ] {
        assert!(ops.contains(op), "{ops}");
    }
}

/// Nielsen's chapter 1 protocol for the MNIST check: mini-batches of 10,
/// η = 3 on his cost ½‖a − y‖² per image averaged over the batch, which is
/// nn's `Loss::SquaredError` (Σ (a − y)² over the batch) with η / (2 · 10).
const MNIST_BATCH: usize = 10;
const MNIST_ETA: f64 = 3.0;
/// One epoch on the first 30,000 training images (3,000 SGD steps), tested
/// on the first 1,000 test images, which the readers then check.
const MNIST_TRAIN: usize = 30_000;
const MNIST_TEST: usize = 1_000;

/// Nielsen's 784-30-10 net trained as the `mnist_nielsen` example trains
/// it (nn's `Trainer`, his initialisation, seed 1), but for one epoch on
/// `MNIST_TRAIN` images; returns it with the `MNIST_TEST` test images and
/// its accuracy on them.
fn trained_mnist_net(dir: &std::ffi::OsStr) -> (Mlp<f32>, Tensor<f32>, f64) {
    let mnist = Mnist::<f32>::load(dir).unwrap();
    let train = mnist
        .train
        .select(&(0..MNIST_TRAIN).collect::<Vec<_>>())
        .unwrap();
    let test = mnist
        .test
        .select(&(0..MNIST_TEST).collect::<Vec<_>>())
        .unwrap();
    let mut net = Mlp::<f32>::new(
        &[784, 30, 10],
        &[Activation::Sigmoid, Activation::Sigmoid],
        Init::Nielsen,
        1,
    )
    .unwrap();
    let mut sgd = Sgd::<f32>::new(MNIST_ETA / (2.0 * MNIST_BATCH as f64))
        .build()
        .unwrap();
    let history = Trainer::new(Loss::SquaredError)
        .epochs(1)
        .batch_size(MNIST_BATCH)
        .seed(1)
        .test(test.x(), Targets::Classes(test.classes().unwrap()))
        .accuracy(Accuracy::Argmax)
        .evaluate_train(false)
        .fit(
            &mut net,
            &mut sgd,
            train.x(),
            Targets::Classes(train.classes().unwrap()),
        )
        .unwrap();
    let accuracy = history.test_accuracies()[0];
    (net, test.x().clone(), accuracy)
}

#[test]
fn nielsens_mnist_net_reads_the_same_in_numpy_and_onnx_runtime() {
    let Some(py) = readers() else { return };
    let dir = scratch("mnist");
    let (net, images) = match std::env::var_os(nn::data::mnist::ENV_VAR) {
        Some(d) if !d.is_empty() => {
            let (net, images, accuracy) = trained_mnist_net(&d);
            eprintln!(
                "784-30-10 after one epoch on {MNIST_TRAIN} images: {:.1}% of the first {MNIST_TEST} test images",
                100.0 * accuracy
            );
            // a trained net: an untrained one is at about 10 %
            assert!(
                accuracy > 0.85,
                "expected a trained net above 85 % on the first {MNIST_TEST} test images, found {:.1} %",
                100.0 * accuracy
            );
            (net, images)
        }
        _ => {
            eprintln!(
                "MNIST_DIR is not set: checking an untrained 784-30-10 net (Nielsen's random \
                 initialisation) on made-up images; this checks the files and the graph, \
                 not a trained net"
            );
            let net = Mlp::<f32>::new(
                &[784, 30, 10],
                &[Activation::Sigmoid, Activation::Sigmoid],
                Init::Nielsen,
                1,
            )
            .unwrap();
            let images = Tensor::from_fn(&[MNIST_TEST, 784], |i| {
                ((i[0] * 31 + i[1] * 17) % 256) as f32 / 255.0
            });
            (net, images)
        }
    };
    let (model, onnx) = (dir.join("mnist.safetensors"), dir.join("mnist.onnx"));
    net.save(&model).unwrap();
    net.save_onnx(&onnx).unwrap();
    let predictions = net.predict(&images).unwrap().cast::<f64>();
    let x = images.cast::<f64>();
    let report = check(&py, &dir, &model, &onnx, &x, &x, &predictions);
    assert_eq!(report["numpy_dtype"], "float32");
    assert_eq!(report["cases"], MNIST_TEST);
}

#[test]
fn the_browser_playgrounds_export_reads_the_same_in_onnx_runtime() {
    use base64::Engine;
    let server = ws::Server::start(env!("CARGO_BIN_EXE_xiaolan"));
    let mut page = ws::Ws::open(&server.addr);
    page.expect("hello");
    page.expect("state");
    page.text(
        r#"{"type":"config","config":{"features":["x1","x2","x1^2","x2^2","x1x2","sin(x1)","sin(x2)"],"hidden":[6,4],"activation":"tanh"}}"#,
    );
    let state = page.expect("state");
    assert_eq!(state["shape"], serde_json::json!([7, 6, 4, 1]));
    for _ in 0..10 {
        page.text(r#"{"type":"step"}"#);
    }
    page.text(r#"{"type":"export"}"#);
    let export = page.expect("export");
    let bytes = |key: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(export[key].as_str().unwrap())
            .unwrap()
    };
    let (weights, onnx_bytes) = (bytes("safetensors"), bytes("onnx"));
    // the weights export is the session's network (src/serve's
    // `the_export_loads_back_as_the_trained_network` compares their
    // predictions exactly), and the ONNX export is that network's model
    let net = Mlp::<f64>::from_bytes(&weights).unwrap();
    assert_eq!(onnx_bytes, net.to_onnx());
    let test: Vec<f64> = state["test"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let points = Tensor::from_vec(&[test.len() / 2, 2], test).unwrap();
    let inputs = playground::features(&points, net.features().unwrap()).unwrap();
    let predictions = net.predict(&inputs).unwrap();
    let Some(py) = readers() else { return };
    let dir = scratch("browser");
    let (model, onnx) = (dir.join("browser.safetensors"), dir.join("browser.onnx"));
    std::fs::write(&model, &weights).unwrap();
    std::fs::write(&onnx, &onnx_bytes).unwrap();
    let report = check(&py, &dir, &model, &onnx, &inputs, &points, &predictions);
    assert_eq!(report["cases"], points.shape()[0]);
    let ops = report["onnx_ops"].to_string();
    for op in ["Gather", "Mul", "Sin", "Concat", "Gemm", "Tanh"] {
        assert!(ops.contains(op), "{ops}");
    }
}
