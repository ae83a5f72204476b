//! The `xiaolan` binary run as a user runs it: a default-style run at small
//! size, a regression run, JSON, seeds, save/load, and each kind of bad
//! input (one line on stderr, a non-zero exit, nothing written).

use nn::Activation;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xiaolan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xiaolan"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xiaolan-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The height of a picture's key of one line (swatches, boundary, markers).
const KEY: u32 = 30;
/// The height of one more line of the key (a note).
const NOTE: u32 = 18;

/// Decodes a PNG and returns its size.
fn png_size(path: &Path) -> (u32, u32) {
    let img = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (img.width(), img.height())
}

/// Runs the binary with bad input and checks the failure: non-zero exit,
/// exactly one line on stderr containing `expect`, no panic, nothing on
/// stdout, no output directory created.
fn fails(name: &str, args: &[&str], expect: &str) {
    let dir = scratch(name);
    let out = dir.join("out");
    let out_s = out.to_str().unwrap().to_string();
    let mut all: Vec<&str> = vec!["--epochs", "2", "--out", &out_s];
    all.extend_from_slice(args);
    let o = xiaolan(&all);
    let err = stderr(&o);
    assert!(
        !o.status.success(),
        "{name}: should fail; stdout {}",
        stdout(&o)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{name}: one line, got {err:?}"
    );
    assert!(
        err.contains(expect),
        "{name}: expected {expect:?} in {err:?}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "{name}: {}", stdout(&o));
    assert!(!out.exists(), "{name}: nothing may be written");
}

#[test]
fn a_small_default_run_writes_pictures_that_decode() {
    let dir = scratch("default");
    let out = dir.join("pics");
    let o = xiaolan(&["--epochs", "20", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let summary = text.lines().next().unwrap();
    for part in [
        "spiral",
        "2-8-8-8-1 relu",
        "20 epochs",
        "train loss",
        "test loss",
        "test accuracy",
        " s",
    ] {
        assert!(summary.contains(part), "{part:?} in {summary:?}");
    }
    for (file, size) in [
        ("decision.png", (520, 560)),
        ("loss.png", (800, 600)),
        // 2 inputs, 3 layers of 8, the output: 5 rows of 200×214, 8 wide,
        // and under them the key (the colours, the boundary)
        ("neurons.png", (8 * 200, 5 * 214 + KEY)),
    ] {
        let path = out.join(file);
        assert!(
            text.contains(&format!("wrote {}", path.display())),
            "{text}"
        );
        assert_eq!(png_size(&path), size, "{file}");
    }
    // the network as the Playground draws it
    let network = out.join("network.png");
    assert!(
        text.contains(&format!("wrote {}", network.display())),
        "{text}"
    );
    let (w, h) = png_size(&network);
    assert!(w > 5 * 56 && h > 8 * 56, "network.png is {w}×{h}");
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn a_regression_run_on_the_plane_learns_it() {
    let dir = scratch("plane");
    let o = xiaolan(&[
        "--dataset",
        "plane",
        "--hidden",
        "3",
        "--activation",
        "tanh",
        "--epochs",
        "30",
        "--json",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert_eq!(v["problem"], "regression");
    assert_eq!(v["network"], "2-3-1 tanh");
    assert!(v["test_accuracy"].is_null());
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 31); // epoch 0 and 30 epochs
    let first = history[0]["test_loss"].as_f64().unwrap();
    let last = v["test_loss"].as_f64().unwrap();
    assert!(
        last < 0.005 && last < first / 5.0,
        "plane test loss {first} -> {last}"
    );
    assert_eq!(png_size(&dir.join("decision.png")), (520, 560));
}

#[test]
fn features_optimizers_losses_and_the_gif() {
    let dir = scratch("options");
    let o = xiaolan(&[
        "--dataset",
        "circle",
        "--features",
        "x1sq,x2sq",
        "--hidden",
        "none",
        "--loss",
        "cross-entropy",
        "--optimizer",
        "adam",
        "--lr",
        "0.1",
        "--epochs",
        "40",
        "--gif",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    // x1² and x2² make the circle linearly separable
    assert!(text.contains("circle · 2-1 · 40 epochs"), "{text}");
    assert!(
        text.contains("test accuracy 100.0%") || text.contains("test accuracy 99."),
        "{text}"
    );
    let gif = std::fs::read(dir.join("training.gif")).unwrap();
    assert_eq!(&gif[..6], b"GIF89a");
    let o = xiaolan(&[
        "--dataset",
        "xor",
        "--optimizer",
        "momentum",
        "--regularization",
        "l1",
        "--reg-rate",
        "0.001",
        "--activation",
        "leaky_relu(0.1)",
        "--hidden",
        "4",
        "--epochs",
        "5",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // the activations nn names, under nn's names, fused in the layers
    for act in ["gelu", "silu", "softplus", "elu(0.5)"] {
        let o = xiaolan(&[
            "--dataset",
            "xor",
            "--activation",
            act,
            "--hidden",
            "4",
            "--epochs",
            "5",
            "--json",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{act}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
        assert_eq!(v["activation"], act);
    }
}

#[test]
fn seeds_print_a_table_of_test_accuracy() {
    let dir = scratch("seeds");
    let o = xiaolan(&[
        "--dataset",
        "gauss",
        "--hidden",
        "2",
        "--epochs",
        "5",
        "--seeds",
        "3",
        "--seed",
        "7",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("test accuracy"), "{text}");
    for seed in ["7", "8", "9"] {
        assert!(
            text.lines()
                .any(|l| l.trim_start().starts_with(seed) && l.ends_with('%')),
            "seed {seed}: {text}"
        );
    }
    assert_eq!(png_size(&dir.join("seeds.png")), (3 * 320, 344 + KEY));
}

#[test]
fn saved_weights_load_back_and_give_the_same_network() {
    let dir = scratch("save");
    let weights = dir.join("net.safetensors");
    let w = weights.to_str().unwrap();
    let args = [
        "--dataset",
        "xor",
        "--hidden",
        "4,2",
        "--activation",
        "tanh",
        "--json",
    ];
    let run = |extra: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(extra);
        all.extend_from_slice(&["--out", dir.to_str().unwrap()]);
        let o = xiaolan(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()
    };
    let trained = run(&["--epochs", "30", "--save", w]);
    let loaded = run(&["--epochs", "0", "--load", w]);
    assert_eq!(trained["test_loss"], loaded["test_loss"]);
    assert_eq!(trained["test_accuracy"], loaded["test_accuracy"]);
    // a file whose tensors do not fit its architecture is refused, naming
    // the difference
    let bad = dir.join("bad.safetensors");
    let mlp = nn::Mlp::<f64>::new(
        &[2, 4, 2, 1],
        &[Activation::Tanh, Activation::Tanh, Activation::Tanh],
        nn::Init::Playground,
        1,
    )
    .unwrap();
    let meta = [("sizes", "2,3,1"), ("activations", "tanh,tanh")];
    nn::io::save(&bad, mlp.params().iter().map(|(_, n, t)| (n, t)), &meta).unwrap();
    fails(
        "load-other",
        &["--dataset", "xor", "--load", bad.to_str().unwrap()],
        "layer0.weight",
    );
}

/// Runs the binary with `args` and `--json --out dir`, and reads its JSON.
fn json_run(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--json", "--out", dir.to_str().unwrap()]);
    let o = xiaolan(&all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stdout(&o)))
}

#[test]
fn load_alone_restores_the_network_and_its_data() {
    let dir = scratch("roundtrip");
    let weights = dir.join("w.safetensors");
    let w = weights.to_str().unwrap();
    let trained = json_run(
        &dir,
        &[
            "--hidden",
            "4,4",
            "--activation",
            "tanh",
            "--epochs",
            "40",
            "--save",
            w,
        ],
    );
    let loaded = json_run(&dir, &["--load", w, "--epochs", "0"]);
    assert_eq!(loaded["network"], "2-4-4-1 tanh");
    for key in [
        "network",
        "dataset",
        "test_loss",
        "test_accuracy",
        "train_loss",
    ] {
        assert_eq!(trained[key], loaded[key], "{key}");
    }
    assert!(trained["test_accuracy"].as_f64().unwrap() > 0.5);
    // the data settings come back too: another set, noise, ratio and seed
    let other = [
        "--dataset",
        "circle",
        "--features",
        "x1sq,x2sq,x1x2",
        "--noise",
        "20",
        "--ratio",
        "70",
        "--seed",
        "9",
        "--hidden",
        "3",
        "--loss",
        "cross-entropy",
        "--epochs",
        "20",
    ];
    let mut save = other.to_vec();
    save.extend_from_slice(&["--save", w]);
    let trained = json_run(&dir, &save);
    let loaded = json_run(&dir, &["--load", w, "--epochs", "0"]);
    for key in [
        "network",
        "dataset",
        "test_loss",
        "test_accuracy",
        "train_loss",
    ] {
        assert_eq!(trained[key], loaded[key], "{key}");
    }
    // flags that agree with the file are accepted
    let mut agree = other[..other.len() - 2].to_vec(); // all but --epochs 20
    agree.extend_from_slice(&["--load", w, "--epochs", "0"]);
    let again = json_run(&dir, &agree);
    assert_eq!(again["test_loss"], trained["test_loss"]);
}

#[test]
fn load_refuses_flags_that_contradict_the_file() {
    let dir = scratch("contradict");
    let weights = dir.join("w.safetensors");
    let w = weights.to_str().unwrap();
    json_run(
        &dir,
        &[
            "--hidden",
            "4,4",
            "--activation",
            "tanh",
            "--epochs",
            "1",
            "--save",
            w,
        ],
    );
    for (name, flags, expect) in [
        (
            "activation",
            &["--activation", "relu"][..],
            "--activation relu contradicts the network in",
        ),
        ("hidden", &["--hidden", "8"][..], "--hidden 8 contradicts"),
        (
            "features",
            &["--features", "x1,x2,x1x2"][..],
            "--features x1,x2,x1x2 contradicts",
        ),
        (
            "loss",
            &["--loss", "cross-entropy"][..],
            "--loss cross-entropy contradicts",
        ),
        (
            "regression",
            &["--dataset", "plane"][..],
            "--dataset plane (regression) contradicts",
        ),
    ] {
        let mut all = flags.to_vec();
        all.extend_from_slice(&["--load", w]);
        fails(&format!("contradict-{name}"), &all, expect);
    }
    // the line names the file's value as well as the flag's
    let o = xiaolan(&["--load", w, "--activation", "relu", "--hidden", "4,4"]);
    let err = stderr(&o);
    assert!(err.contains("which has activation tanh"), "{err}");
    let o = xiaolan(&["--load", w, "--hidden", "8"]);
    assert!(
        stderr(&o).contains("which has hidden layers 4,4"),
        "{}",
        stderr(&o)
    );
    let o = xiaolan(&["--load", w, "--features", "x1,x2,x1x2"]);
    assert!(
        stderr(&o).contains("which has features x1,x2"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_file_of_the_older_layout_still_loads() {
    let dir = scratch("old-layout");
    // as --save wrote it before the network saved itself: the command's
    // spellings of the activations, no data set
    let old = dir.join("old.safetensors");
    let mlp = nn::Mlp::<f64>::new(
        &[2, 3, 1],
        &[Activation::LeakyRelu(0.1), Activation::Tanh],
        nn::Init::Playground,
        1,
    )
    .unwrap();
    let meta = [
        ("sizes", "2,3,1"),
        ("activations", "leaky-relu:0.1,tanh"),
        ("features", "x1,x2"),
        ("problem", "classification"),
        ("epochs", "0"),
    ];
    nn::io::save(&old, mlp.params().iter().map(|(_, n, t)| (n, t)), &meta).unwrap();
    let o = old.to_str().unwrap();
    let loaded = json_run(&dir, &["--dataset", "xor", "--load", o, "--epochs", "0"]);
    let fresh = json_run(
        &dir,
        &[
            "--dataset",
            "xor",
            "--hidden",
            "3",
            "--activation",
            "leaky-relu:0.1",
            "--epochs",
            "0",
        ],
    );
    assert_eq!(loaded["network"], "2-3-1 leaky_relu(0.1)");
    assert_eq!(loaded["test_loss"], fresh["test_loss"]);
    // a regression network with linear neurons
    let mlp = nn::Mlp::<f64>::new(
        &[2, 2, 1],
        &[Activation::Identity, Activation::Identity],
        nn::Init::Playground,
        1,
    )
    .unwrap();
    let meta = [
        ("sizes", "2,2,1"),
        ("activations", "linear,linear"),
        ("features", "x1,x2"),
        ("problem", "regression"),
        ("epochs", "3"),
    ];
    nn::io::save(&old, mlp.params().iter().map(|(_, n, t)| (n, t)), &meta).unwrap();
    let loaded = json_run(&dir, &["--dataset", "plane", "--load", o, "--epochs", "0"]);
    assert_eq!(loaded["network"], "2-2-1 identity");
    assert_eq!(loaded["problem"], "regression");
    // a network saved without its features needs --features to say them
    let bare = dir.join("bare.safetensors");
    nn::Mlp::<f64>::new(&[3, 1], &[Activation::Tanh], nn::Init::Playground, 1)
        .unwrap()
        .save(&bare)
        .unwrap();
    let b = bare.to_str().unwrap();
    fails(
        "bare-features",
        &["--load", b],
        "input features: expected --features naming 3 features",
    );
    let loaded = json_run(
        &dir,
        &["--load", b, "--features", "x1,x2,x1x2", "--epochs", "0"],
    );
    assert_eq!(loaded["network"], "3-1");
}

#[test]
fn a_wide_layer_is_drawn_in_part_after_the_result_is_saved_and_reported() {
    let dir = scratch("wide");
    let weights = dir.join("w.safetensors");
    let o = xiaolan(&[
        "--hidden",
        "1000",
        "--epochs",
        "1",
        "--save",
        weights.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(weights.exists(), "the weights are kept");
    // the result first: the summary, then the weights, then the pictures
    let text = stdout(&o);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap_or("")
            .starts_with("spiral · 2-1000-1 relu · 1 epochs"),
        "{text}"
    );
    assert_eq!(
        lines.next(),
        Some(format!("wrote {}", weights.display()).as_str()),
        "{text}"
    );
    let back = nn::Mlp::<f64>::load(&weights).unwrap();
    assert_eq!(back.sizes(), [2, 1000, 1]);
    assert!(
        err.contains("neurons.png: layer 1: the first 24 of 1000 neurons are drawn"),
        "{err}"
    );
    assert!(
        err.contains("network.png: layer 1: the first 16 of 1000 units are drawn"),
        "{err}"
    );
    assert!(!err.contains("warning"), "{err}");
    // 2 inputs, 2 rows of 12 of the 1000, the output; the key with the note
    assert_eq!(
        png_size(&dir.join("neurons.png")),
        (12 * 200, 4 * 214 + KEY + NOTE)
    );
}

#[test]
fn a_picture_that_cannot_be_drawn_is_a_warning_not_a_lost_run() {
    // 80 hidden layers: neurons.png would be 82 rows of 214 pixels, over
    // the 16384-pixel limit of a picture
    let dir = scratch("tall");
    let weights = dir.join("w.safetensors");
    let hidden = vec!["1"; 80].join(",");
    let o = xiaolan(&[
        "--hidden",
        &hidden,
        "--epochs",
        "1",
        "--save",
        weights.to_str().unwrap(),
        "--out",
        dir.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(weights.exists(), "the weights are kept");
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("neurons.png was not drawn"), "{err}");
    assert!(!dir.join("neurons.png").exists());
    let text = stdout(&o);
    assert!(text.lines().next().unwrap().contains("1 epochs"), "{text}");
    assert!(!text.contains("neurons.png"), "{text}");
    assert_eq!(png_size(&dir.join("decision.png")), (520, 560));
}

#[test]
fn a_user_csv_trains_and_a_bad_row_names_its_line() {
    let dir = scratch("csv");
    let good = dir.join("points.csv");
    let mut text = String::from("x1,x2,label\n");
    for i in 0..40 {
        let x = i as f64 / 4.0 - 5.0;
        text.push_str(&format!(
            "{x},{},{}\n",
            x / 2.0,
            if x > 0.0 { 1 } else { -1 }
        ));
    }
    std::fs::write(&good, &text).unwrap();
    let o = xiaolan(&[
        "--data",
        good.to_str().unwrap(),
        "--hidden",
        "2",
        "--epochs",
        "10",
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("points.csv · 2-2-1 relu · 10 epochs"),
        "{}",
        stdout(&o)
    );

    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "x1,x2,label\n1,2,1\n3,four,-1\n").unwrap();
    fails(
        "csv-bad-number",
        &["--data", bad.to_str().unwrap()],
        "bad.csv line 3: x2 is \"four\", expected a number",
    );
    std::fs::write(&bad, "1,2,1\n3,4\n").unwrap();
    fails(
        "csv-bad-fields",
        &["--data", bad.to_str().unwrap()],
        "line 2: expected 3 comma-separated fields",
    );
}

#[test]
fn bad_input_is_one_line_and_a_non_zero_exit() {
    fails("dataset", &["--dataset", "moons"], "unknown data set");
    fails(
        "activation",
        &["--activation", "mish"],
        "activation: expected one of identity (or linear)",
    );
    fails(
        "zero-width",
        &["--hidden", "8,0,8"],
        "hidden layer 2 has width 0",
    );
    fails("negative-lr", &["--lr", "-0.1"], "finite number ≥ 0");
    fails("nan-lr", &["--lr", "NaN"], "finite number ≥ 0");
    fails("inf-lr", &["--lr=inf"], "finite number ≥ 0");
    fails("ratio-high", &["--ratio", "95"], "from 10 to 90");
    fails("ratio-low", &["--ratio", "5"], "from 10 to 90");
    fails("noise", &["--noise", "60"], "from 0 to 50");
    fails("features", &["--features", "x1,x3"], "features");
    fails(
        "ce-regression",
        &["--dataset", "plane", "--loss", "cross-entropy"],
        "classification",
    );
    fails(
        "missing-csv",
        &["--data", "no-such-file.csv"],
        "cannot read data file no-such-file.csv",
    );
    fails("unknown-flag", &["--colour", "blue"], "--colour");
    fails(
        "batch-size",
        &["--batch-size", "0"],
        "expected a whole number ≥ 1, found 0",
    );
    fails(
        "seeds",
        &["--seeds", "0"],
        "expected a whole number from 1 to 1000, found 0",
    );
    fails(
        "seeds-limit",
        &["--seeds", "1001"],
        "expected a whole number from 1 to 1000, found 1001",
    );
    fails(
        "hidden-limit",
        &["--hidden", "100000"],
        "hidden layer 1 has width 100000: expected at most 4096 neurons",
    );
    fails(
        "hidden-weights",
        &["--hidden", "4096,4096,4096"],
        "hold 33554432 weights between them: expected at most 16777216",
    );
    fails(
        "loss",
        &["--loss", "hinge"],
        "expected one of half-squared, cross-entropy",
    );
    fails(
        "optimizer",
        &["--optimizer", "rmsprop"],
        "expected one of sgd, momentum, adam",
    );
    fails(
        "adam-l2",
        &["--optimizer", "adam", "--regularization", "l2"],
        "--regularization l2 cannot be combined with --optimizer adam",
    );
    // a negative count is a bad value, not an unknown flag
    let dir = scratch("negative-epochs");
    let out = dir.join("out");
    let o = xiaolan(&["--epochs", "-5", "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
    assert!(
        err.contains("'--epochs <N>': expected a whole number from 0 to 1000000, found -5"),
        "{err}"
    );
    assert!(!err.contains("unexpected argument"), "{err}");
    assert!(!out.exists());
    // beyond the limit: --hidden 100000 or --epochs 10^12 would take the
    // machine's memory or its lifetime
    let o = xiaolan(&["--epochs", "1000000000000", "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
    assert!(
        err.contains("expected a whole number from 0 to 1000000, found 1000000000000"),
        "{err}"
    );
    assert!(!out.exists());
}

/// A data file over the size limit is refused before it is read (a sparse
/// file: it takes no disk).
#[test]
fn a_csv_over_the_size_limit_is_refused_in_one_line() {
    let dir = scratch("huge-csv-file");
    let csv = dir.join("huge.csv");
    let f = std::fs::File::create(&csv).unwrap();
    f.set_len((16 << 20) + 1).unwrap();
    drop(f);
    fails(
        "huge-csv",
        &["--data", csv.to_str().unwrap()],
        "expected at most 16777216 bytes (16 MiB) of data, found 16777217 bytes",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader that goes away (`xiaolan | head -1`) ends the output quietly:
/// no panic, the usual exit code, the pictures still written.
#[test]
fn a_broken_pipe_ends_the_output_quietly() {
    use std::process::Stdio;
    let dir = scratch("broken-pipe");
    let out = dir.join("out");
    for args in [
        vec![
            "--epochs",
            "2",
            "--hidden",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["--help"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader is gone before the first line
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(o.status.success(), "{args:?}: {:?} {err}", o.status);
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{err}"
        );
    }
    assert!(out.join("decision.png").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A standard error whose reader is gone (`xiaolan 2>&1 | head -1`) ends
/// its notes, warnings and errors quietly too: no panic (exit code 101),
/// the exit code the run would have had.
#[test]
fn a_standard_error_without_a_reader_is_no_panic() {
    let dir = scratch("stderr-gone");
    let out = dir.join("out");
    let out = out.to_str().unwrap();
    for (args, code) in [
        // a note after training
        (
            vec!["--epochs", "3", "--target-loss", "10", "--out", out],
            0,
        ),
        // a bad command line, and an error of the run
        (vec!["--epochs", "-5"], 2),
        (vec!["--load", "no-such.safetensors", "--out", out], 1),
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader); // gone before the first line
        let o = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
            .args(&args)
            .stderr(writer)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(code), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_output_directory_that_cannot_be_written_is_refused_before_training() {
    let dir = scratch("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, "not a directory").unwrap();
    let out = file.join("pictures");
    let o = xiaolan(&["--epochs", "2", "--out", out.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(!o.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err:?}");
    assert!(err.contains("cannot create output directory"), "{err}");
    assert!(stdout(&o).is_empty());
    // --save into a missing directory is refused before training too
    let o = xiaolan(&[
        "--epochs",
        "2",
        "--out",
        dir.join("ok").to_str().unwrap(),
        "--save",
        dir.join("missing/net.safetensors").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
    assert!(!dir.join("ok").exists());
    // and --onnx
    let missing = dir.join("missing/net.onnx");
    fails(
        "onnx-dir",
        &["--onnx", missing.to_str().unwrap()],
        "directory",
    );
    fails(
        "onnx-seeds",
        &["--seeds", "2", "--onnx", "net.onnx"],
        "--onnx",
    );
    assert!(!Path::new("net.onnx").exists());
}

/// Three separated blobs of 30 points, labels 0, 1 and 2.
fn three_blobs() -> String {
    let mut text = String::from("x1,x2,class\n");
    for i in 0..90 {
        let (c, a) = (i % 3, i as f64 * 0.37);
        let (cx, cy) = [(-3.0, -2.0), (3.0, -2.0), (0.0, 3.0)][c];
        text.push_str(&format!("{},{},{c}\n", cx + a.sin(), cy + a.cos()));
    }
    text
}

#[test]
fn a_csv_of_three_classes_is_a_softmax_problem_with_its_own_pictures() {
    let dir = scratch("three-classes");
    let data = dir.join("three.csv");
    std::fs::write(&data, three_blobs()).unwrap();
    let out = dir.join("out");
    let v = json_run(&dir, &["--data", data.to_str().unwrap(), "--epochs", "60"]);
    assert_eq!(v["sizes"], serde_json::json!([2, 8, 8, 8, 3]));
    assert_eq!(v["activation"], "relu");
    let acc = v["test_accuracy"].as_f64().unwrap();
    assert!(acc > 0.9, "test accuracy {acc}");
    assert_eq!(png_size(&dir.join("decision.png")), (520, 560));
    // the weights save and load back as a 3-class network
    let net = dir.join("three.safetensors");
    let o = xiaolan(&[
        "--data",
        data.to_str().unwrap(),
        "--epochs",
        "5",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
        "--save",
        net.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = xiaolan(&[
        "--data",
        data.to_str().unwrap(),
        "--load",
        net.to_str().unwrap(),
        "--epochs",
        "0",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2-8-8-8-3 relu · 0 epochs"),
        "{}",
        stdout(&o)
    );
    fails(
        "three-half-squared",
        &["--data", data.to_str().unwrap(), "--loss", "half-squared"],
        "three.csv (3 classes): k classes train with --loss cross-entropy",
    );
    let bad = dir.join("labels.csv");
    std::fs::write(&bad, "x1,x2,c\n0,0,0\n1,1,2\n2,2,9\n").unwrap();
    fails(
        "nine-classes",
        &["--data", bad.to_str().unwrap()],
        "labels.csv line 4: label 9 would make 10 classes, more than 8: expected class labels",
    );
    std::fs::write(&bad, "x1,x2,c\n0,0,1\n1,1,-1\n2,2,3\n").unwrap();
    fails(
        "minus-one-among-classes",
        &["--data", bad.to_str().unwrap()],
        "labels.csv line 3: label -1 among labels up to 3",
    );
}

#[test]
fn training_stops_at_a_target_loss_or_accuracy() {
    let dir = scratch("targets");
    let out = dir.join("out");
    let v = json_run(
        &dir,
        &[
            "--dataset",
            "circle",
            "--hidden",
            "4",
            "--lr",
            "0.1",
            "--epochs",
            "500",
            "--target-accuracy",
            "0.8",
        ],
    );
    assert_eq!(v["stopped"], "target_accuracy");
    let epochs = v["epochs"].as_u64().unwrap();
    assert!(epochs < 500, "{epochs}");
    assert!(v["train_accuracy"].as_f64().unwrap() >= 0.8, "{v}");
    let v = json_run(&dir, &["--epochs", "500", "--target-loss", "0.3"]);
    assert_eq!(v["stopped"], "target_loss");
    assert!(v["train_loss"].as_f64().unwrap() <= 0.3, "{v}");
    let o = xiaolan(&[
        "--epochs",
        "50",
        "--target-loss",
        "10",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("note: training stopped at epoch 1: the training loss"),
        "{}",
        stderr(&o)
    );
    fails(
        "target-loss-zero",
        &["--target-loss", "0"],
        "expected a finite number > 0, found 0",
    );
    fails(
        "target-accuracy-percent",
        &["--target-accuracy", "95"],
        "(0.95 for 95%), found 95",
    );
    fails(
        "target-accuracy-regression",
        &["--dataset", "plane", "--target-accuracy", "0.9"],
        "--target-accuracy 0.9 cannot be combined with a regression problem",
    );
}
