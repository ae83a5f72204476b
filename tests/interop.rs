//! xiaolan's files read by the real readers: the safetensors state dict by
//! `safetensors.numpy` with a NumPy forward pass, the ONNX model by
//! `onnx.checker` and ONNX Runtime (`tests/python/check_interop.py`), for
//! the Playground's spiral net (trained by the CLI, `--save` and `--onnx`),
//! a net of every activation and feature, and Nielsen's 784-30-10 MNIST net.
//!
//! The interpreter is `XIAOLAN_PYTHON` (default `python3`). Without numpy,
//! safetensors, onnx and onnxruntime the test prints why and passes, unless
//! `XIAOLAN_REQUIRE_PYTHON=1` (as `.ci/run` sets), when it fails.

use autograd::Tensor;
use nn::data::{playground, Feature, Mnist, PlaygroundSet};
use nn::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

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

#[test]
fn nielsens_mnist_net_reads_the_same_in_numpy_and_onnx_runtime() {
    let Some(py) = readers() else { return };
    let dir = scratch("mnist");
    // random weights (Nielsen's initialisation): the interop check needs
    // the architecture and the numbers, not a trained net
    let net = Mlp::<f32>::new(
        &[784, 30, 10],
        &[Activation::Sigmoid, Activation::Sigmoid],
        Init::Nielsen,
        1,
    )
    .unwrap();
    let images: Tensor<f32> = match std::env::var_os(nn::data::mnist::ENV_VAR) {
        Some(d) if !d.is_empty() => {
            let test = Mnist::<f32>::load(&d).unwrap().test;
            let n = 100;
            Tensor::from_vec(&[n, 784], test.x().data()[..n * 784].to_vec()).unwrap()
        }
        _ => {
            eprintln!("MNIST_DIR is not set: checking on made-up images");
            Tensor::from_fn(&[100, 784], |i| {
                ((i[0] * 31 + i[1] * 17) % 256) as f32 / 255.0
            })
        }
    };
    let (model, onnx) = (dir.join("mnist.safetensors"), dir.join("mnist.onnx"));
    net.save(&model).unwrap();
    net.save_onnx(&onnx).unwrap();
    let predictions = net.predict(&images).unwrap().cast::<f64>();
    let x = images.cast::<f64>();
    let report = check(&py, &dir, &model, &onnx, &x, &x, &predictions);
    assert_eq!(report["numpy_dtype"], "float32");
    assert_eq!(report["cases"], 100);
}
