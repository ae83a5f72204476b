//! The TensorFlow Playground as a command: read the controls, check them,
//! train, draw, report.
//!
//! Everything that can be wrong with the input (flags, the CSV file, the
//! weights file, the output directory) is checked before training starts,
//! so a bad run stops with one line and writes nothing. Pictures and
//! weights are written atomically by `nn` (a temporary file renamed into
//! place).

pub mod args;
pub mod data;
pub mod render;
pub mod train;

use args::{activation_name, dataset_name, Args, LossKind, Problem};
use autograd::Tensor;
use data::{Point, Split};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nn::io::{self, TensorSpec};
use nn::plot::Panel;
use nn::ParamStore;
use serde_json::json;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use train::{Measured, Net, PlaygroundLoss, Run, Set};

/// Where the points come from.
enum Source {
    Generated(nn::data::PlaygroundSet),
    Csv(Vec<Point>),
}

/// The checked settings of a run.
struct Plan {
    args: Args,
    source: Source,
    problem: Problem,
    name: String,
    /// The names of the two coordinates and of the two classes.
    names: render::Names,
}

impl Plan {
    fn check(args: Args) -> Result<Plan, String> {
        let mut names = render::Names::default();
        let (source, problem, name) = match &args.data {
            Some(path) => {
                let csv = data::read_csv(path, args.problem)?;
                let name = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                names.axes = csv.columns;
                if csv.zero_labels {
                    names.classes = ["label 0".into(), "label 1".into()];
                }
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
                    return Err(format!(
                        "--problem classification needs a classification data set (circle, xor, gauss, spiral), not {}",
                        dataset_name(set)
                    ));
                }
                (
                    Source::Generated(set),
                    problem,
                    dataset_name(set).to_string(),
                )
            }
        };
        if problem == Problem::Regression && args.loss == LossKind::CrossEntropy {
            return Err("--loss cross-entropy needs a classification problem; use half-squared for regression".into());
        }
        if args.seeds.is_some() && (args.save.is_some() || args.load.is_some() || args.gif) {
            return Err(
                "--seeds runs several networks: it cannot be combined with --save, --load or --gif"
                    .into(),
            );
        }
        if let Some(save) = &args.save {
            let parent = save
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            if !parent.is_dir() {
                return Err(format!(
                    "cannot save weights to {}: directory {} does not exist",
                    save.display(),
                    parent.display()
                ));
            }
        }
        // the optimizer's settings, checked once here
        train::optimizer(args.optimizer, args.lr, args.regularization, args.reg_rate)?;
        Ok(Plan {
            args,
            source,
            problem,
            name,
            names,
        })
    }

    /// How the maps look: the Playground's window for its sets, a view
    /// fitted to a CSV's points.
    fn look(&self) -> render::Look {
        let (generated, points): (bool, &[Point]) = match &self.source {
            Source::Generated(_) => (true, &[]),
            Source::Csv(points) => (false, points),
        };
        render::Look::new(
            generated,
            points,
            self.names.clone(),
            self.classify(),
            &self.args.features.0,
        )
    }

    fn classify(&self) -> bool {
        self.problem == Problem::Classification
    }

    fn split(&self, seed: u64) -> Result<Split, String> {
        match &self.source {
            Source::Generated(set) => data::generated(*set, self.args.noise, self.args.ratio, seed),
            Source::Csv(points) => data::split(points, self.args.ratio, seed),
        }
    }

    fn net(&self, seed: u64) -> Result<Net, String> {
        let a = &self.args;
        Net::new(
            a.features.0.len(),
            &a.hidden.0,
            a.activation,
            self.problem,
            a.loss,
            seed,
        )
    }

    fn loss_name(&self) -> &'static str {
        match self.args.loss {
            LossKind::HalfSquared => "loss ½(o − t)²",
            LossKind::CrossEntropy => "cross-entropy",
        }
    }

    fn activation(&self) -> String {
        activation_name(self.args.activation)
    }
}

/// Creates the output directory and checks that a file can be written in it.
fn prepare_out(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create output directory {}: {e}", dir.display()))?;
    let probe = dir.join(format!(".xiaolan-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .map_err(|e| format!("cannot write in output directory {}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Replaces the network's parameters by those saved in `path`.
fn load_weights(net: &mut Net, path: &Path) -> Result<(), String> {
    let expected: Vec<TensorSpec> = net
        .mlp
        .params()
        .iter()
        .map(|(_, name, t)| TensorSpec::of::<f64>(name, t))
        .collect();
    let mut tensors = io::load_checked::<f64>(path, &expected)
        .map_err(|e| format!("cannot load weights from {}: {e}", path.display()))?;
    let mut store = ParamStore::new();
    for spec in &expected {
        let t = tensors
            .shift_remove(&spec.name)
            .expect("checked against the expected tensors");
        store.add(spec.name.clone(), t).map_err(|e| e.to_string())?;
    }
    let sizes = net.mlp.sizes();
    let acts = net.mlp.activations().to_vec();
    net.mlp = nn::Mlp::from_params(&sizes, &acts, store).map_err(|e| e.to_string())?;
    Ok(())
}

fn progress_bar(args: &Args, len: u64) -> Option<ProgressBar> {
    if args.quiet || args.json || !std::io::stderr().is_terminal() {
        return None;
    }
    let style = ProgressStyle::with_template("{bar:30} {pos}/{len} epochs {msg} [{elapsed}<{eta}]")
        .expect("a valid template");
    Some(ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr()).with_style(style))
}

fn percent(a: Option<f64>) -> String {
    a.map_or_else(|| "n/a".to_string(), |a| format!("{:.1}%", 100.0 * a))
}

/// The sets' tensors for a split.
struct Tensors {
    train_x: Tensor<f64>,
    train_y: Tensor<f64>,
    test_x: Tensor<f64>,
    test_y: Tensor<f64>,
}

impl Tensors {
    fn new(split: &Split, features: &[nn::data::Feature]) -> Tensors {
        let xy = |p: &[Point]| p.iter().map(|q| (q.0, q.1)).collect::<Vec<_>>();
        Tensors {
            train_x: data::inputs(xy(&split.train), features),
            train_y: data::targets(&split.train),
            test_x: data::inputs(xy(&split.test), features),
            test_y: data::targets(&split.test),
        }
    }
}

/// Runs the command.
///
/// # Errors
/// One line saying what was wrong with the input or what could not be
/// written.
pub fn run(args: Args) -> Result<(), String> {
    let plan = Plan::check(args)?;
    match plan.args.seeds {
        Some(n) => run_seeds(&plan, n),
        None => run_one(&plan),
    }
}

fn train_seed(
    plan: &Plan,
    seed: u64,
    net: &mut Net,
    split: &Split,
    bar: Option<&ProgressBar>,
    frames: Option<&mut Vec<Panel>>,
) -> Result<Run, String> {
    let a = &plan.args;
    let t = Tensors::new(split, &a.features.0);
    let mut opt = train::optimizer(a.optimizer, a.lr, a.regularization, a.reg_rate)?;
    let loss = PlaygroundLoss(a.loss);
    let small = match frames {
        Some(_) => Some(render::small_grid(&plan.look())?),
        None => None,
    };
    let every = (a.epochs / 60).max(1);
    let mut frames = frames;
    train::train(
        net,
        opt.as_mut(),
        &loss,
        a.batch_size,
        a.shuffle.then_some(seed),
        a.epochs,
        &Set {
            x: &t.train_x,
            y: &t.train_y,
        },
        &Set {
            x: &t.test_x,
            y: &t.test_y,
        },
        plan.classify(),
        bar,
        |epoch, net, m| {
            if let (Some(frames), Some(grid)) = (frames.as_mut(), small.as_ref()) {
                if epoch % every == 0 || epoch == a.epochs {
                    let title = format!("epoch {epoch}  test loss {:.4}", m.test_loss);
                    frames.push(render::frame(net, grid, title, &split.train)?);
                }
            }
            Ok(())
        },
    )
}

fn summary_line(plan: &Plan, network: &str, run: &Run) -> String {
    let last = run.history.last().expect("epoch 0 is always measured");
    let mut s = format!(
        "{} · {} · {} epochs · train loss {:.4} · test loss {:.4}",
        plan.name, network, last.epoch, last.train_loss, last.test_loss
    );
    if plan.classify() {
        s.push_str(&format!(" · test accuracy {}", percent(last.test_accuracy)));
    }
    s.push_str(&format!(" · {:.1} s", run.seconds));
    s
}

fn history_json(history: &[Measured]) -> serde_json::Value {
    history
        .iter()
        .map(|m| {
            json!({
                "epoch": m.epoch,
                "train_loss": m.train_loss,
                "test_loss": m.test_loss,
                "train_accuracy": m.train_accuracy,
                "test_accuracy": m.test_accuracy,
            })
        })
        .collect()
}

fn run_one(plan: &Plan) -> Result<(), String> {
    let a = &plan.args;
    let split = plan.split(a.seed)?;
    let mut net = plan.net(a.seed)?;
    if let Some(path) = &a.load {
        load_weights(&mut net, path)?;
    }
    prepare_out(&a.out)?;
    let network = net.describe(&plan.activation());

    let bar = progress_bar(a, a.epochs as u64);
    let mut frames = Vec::new();
    let run = train_seed(
        plan,
        a.seed,
        &mut net,
        &split,
        bar.as_ref(),
        a.gif.then_some(&mut frames),
    )?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let last = *run.history.last().expect("epoch 0 is always measured");

    // The trained result first: the weights, then (in text) the summary;
    // a picture that cannot be drawn afterwards is only a warning.
    let mut written: Vec<PathBuf> = Vec::new();
    if let Some(save) = &a.save {
        save_weights(plan, &net, save, last.epoch)?;
        written.push(save.clone());
    }
    if !a.json {
        println!("{}", summary_line(plan, &network, &run));
    }
    let mut notes: Vec<String> = Vec::new();
    if let Some(epoch) = run.diverged_at {
        notes.push(format!(
            "training stopped at epoch {epoch}: the loss is not finite (diverged); try a smaller --lr"
        ));
    }
    let pictures = draw_pictures(plan, &net, &network, &run, &split, &frames);
    notes.extend(pictures.notes.iter().cloned());
    written.extend(pictures.written.iter().cloned());

    for note in &notes {
        eprintln!("note: {note}");
    }
    for warning in &pictures.warnings {
        eprintln!("warning: {warning}");
    }
    if a.json {
        let out = json!({
            "dataset": plan.name,
            "problem": plan.problem.name(),
            "network": network,
            "sizes": net.mlp.sizes(),
            "activation": plan.activation(),
            "epochs": last.epoch,
            "train_loss": last.train_loss,
            "test_loss": last.test_loss,
            "train_accuracy": last.train_accuracy,
            "test_accuracy": last.test_accuracy,
            "seconds": run.seconds,
            "diverged_at": run.diverged_at,
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "warnings": pictures.warnings,
            "history": history_json(&run.history),
        });
        println!("{out}");
    } else {
        for p in &written {
            println!("wrote {}", p.display());
        }
    }
    Ok(())
}

/// Saves the trained weights with the architecture in the metadata.
fn save_weights(plan: &Plan, net: &Net, save: &Path, epochs: usize) -> Result<(), String> {
    let a = &plan.args;
    let tensors: Vec<(&str, &Tensor<f64>)> =
        net.mlp.params().iter().map(|(_, n, t)| (n, t)).collect();
    let sizes: Vec<String> = net.mlp.sizes().iter().map(ToString::to_string).collect();
    let acts: Vec<String> = net
        .mlp
        .activations()
        .iter()
        .map(|&x| activation_name(x))
        .collect();
    let features: Vec<String> = a.features.0.iter().map(ToString::to_string).collect();
    let meta = [
        ("sizes", sizes.join(",")),
        ("activations", acts.join(",")),
        ("features", features.join(",")),
        ("problem", plan.problem.name().to_string()),
        ("epochs", epochs.to_string()),
    ];
    let meta: Vec<(&str, &str)> = meta.iter().map(|(k, v)| (*k, v.as_str())).collect();
    io::save(save, tensors, &meta).map_err(|e| format!("cannot save weights: {e}"))
}

/// Draws decision.png, neurons.png, network.png, loss.png and (with --gif)
/// training.gif; each one that fails is a warning in the result.
fn draw_pictures(
    plan: &Plan,
    net: &Net,
    network: &str,
    run: &Run,
    split: &Split,
    frames: &[Panel],
) -> render::Pictures {
    let a = &plan.args;
    let last = run.history.last().expect("epoch 0 is always measured");
    let look = plan.look();
    let mut pictures = render::Pictures::default();
    let title = match last.test_accuracy {
        Some(acc) => format!(
            "{} {} · epoch {} · test accuracy {}",
            plan.name,
            network,
            last.epoch,
            percent(Some(acc))
        ),
        None => format!(
            "{} {} · epoch {} · test loss {}",
            plan.name,
            network,
            last.epoch,
            render::number(last.test_loss)
        ),
    };
    let grid = look.grid(Panel::PLAYGROUND_DENSITY);
    pictures.draw(a.out.join("decision.png"), |path| {
        let grid = grid.as_ref().map_err(Clone::clone)?;
        let panel = render::decision_panel(net, grid, title.clone(), &split.train, &split.test)?;
        render::decision(path, &look, &panel)
    });
    pictures.draw(a.out.join("neurons.png"), |path| {
        let grid = grid.as_ref().map_err(Clone::clone)?;
        render::neurons(path, &look, net, grid, &split.train)
    });
    pictures.draw(a.out.join("network.png"), |path| {
        render::network_picture(path, &look, net, &title, &split.train)
    });
    if run.history.len() > 1 {
        let title = format!("{} {}: loss per epoch", plan.name, network);
        let train: Vec<f64> = run.history.iter().map(|m| m.train_loss).collect();
        let test: Vec<f64> = run.history.iter().map(|m| m.test_loss).collect();
        pictures.draw(a.out.join("loss.png"), |path| {
            render::losses(path, &title, plan.loss_name(), &train, &test)
        });
    }
    if a.gif {
        pictures.draw(a.out.join("training.gif"), |path| {
            render::gif(path, &look, frames)
        });
    }
    pictures
}

fn run_seeds(plan: &Plan, n: usize) -> Result<(), String> {
    let a = &plan.args;
    prepare_out(&a.out)?;
    let bar = progress_bar(a, (a.epochs * n) as u64);
    let look = plan.look();
    let grid = render::small_grid(&look)?;
    let mut rows = Vec::new();
    let mut panels = Vec::new();
    let mut network = String::new();
    for k in 0..n {
        let seed = a.seed.wrapping_add(k as u64);
        let split = plan.split(seed)?;
        let mut net = plan.net(seed)?;
        network = net.describe(&plan.activation());
        let run = train_seed(plan, seed, &mut net, &split, bar.as_ref(), None)?;
        let last = *run.history.last().expect("epoch 0 is always measured");
        let title = format!(
            "seed {seed}: {}",
            match last.test_accuracy {
                Some(acc) => percent(Some(acc)),
                None => format!("test loss {:.4}", last.test_loss),
            }
        );
        panels.push(render::frame(&net, &grid, title, &split.train)?.test(&split.test));
        rows.push((seed, last, run.seconds, run.diverged_at));
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut pictures = render::Pictures::default();
    pictures.draw(a.out.join("seeds.png"), |path| {
        render::seeds(path, &look, &panels)
    });
    for warning in &pictures.warnings {
        eprintln!("warning: {warning}");
    }
    let accs: Vec<f64> = rows.iter().filter_map(|r| r.1.test_accuracy).collect();
    if a.json {
        let out = json!({
            "dataset": plan.name,
            "problem": plan.problem.name(),
            "network": network,
            "epochs": a.epochs,
            "runs": rows.iter().map(|(seed, m, secs, div)| json!({
                "seed": seed,
                "train_loss": m.train_loss,
                "test_loss": m.test_loss,
                "train_accuracy": m.train_accuracy,
                "test_accuracy": m.test_accuracy,
                "seconds": secs,
                "diverged_at": div,
            })).collect::<Vec<_>>(),
            "files": pictures.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "warnings": pictures.warnings,
        });
        println!("{out}");
        return Ok(());
    }
    println!(
        "{} · {} · {} epochs · {} seeds",
        plan.name, network, a.epochs, n
    );
    println!(
        "{:>6}  {:>10}  {:>10}  {:>13}",
        "seed", "train loss", "test loss", "test accuracy"
    );
    for (seed, m, _, div) in &rows {
        let flag = if div.is_some() { "  (diverged)" } else { "" };
        println!(
            "{:>6}  {:>10.4}  {:>10.4}  {:>13}{flag}",
            seed,
            m.train_loss,
            m.test_loss,
            percent(m.test_accuracy)
        );
    }
    if !accs.is_empty() {
        let min = accs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = accs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        println!(
            "test accuracy: min {} · mean {} · max {}",
            percent(Some(min)),
            percent(Some(mean)),
            percent(Some(max))
        );
    }
    for path in &pictures.written {
        println!("wrote {}", path.display());
    }
    Ok(())
}
