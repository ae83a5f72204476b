//! The TensorFlow Playground as a command: read the controls, check them,
//! train, save, report, draw.
//!
//! Everything that can be wrong with the input (flags, the CSV file, the
//! weights file, the output directory) is checked before training starts,
//! so a bad run stops with one line and writes nothing. After training the
//! weights are saved and the summary printed before any picture is drawn,
//! so a picture cannot lose the run. Pictures and weights are written
//! atomically by `nn` (a temporary file renamed into place).

pub mod args;
pub mod data;
pub mod error;
pub mod out;
pub mod plan;
pub mod render;
pub mod train;
pub mod weights;

use args::Args;
use data::Split;
pub use error::{Error, Result};
use indicatif::ProgressBar;
use nn::error::escaped;
use nn::plot::Panel;
use nn::train::{Evaluation, History};
use out::{progress_bar, say, tell};
pub(crate) use plan::{Plan, Tensors};
use serde_json::json;
use std::path::{Path, PathBuf};
use train::{Net, PlaygroundLoss};

/// Creates the output directory and checks that a file can be written in it.
fn prepare_out(dir: &Path) -> Result<()> {
    let fail = |action, source| Error::Output {
        dir: dir.to_path_buf(),
        action,
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| fail("create", e))?;
    let probe = dir.join(format!(".xiaolan-write-check-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| fail("write in", e))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

fn percent(a: Option<f64>) -> String {
    a.map_or_else(|| "n/a".to_string(), |a| format!("{:.1}%", 100.0 * a))
}

/// Runs the command.
///
/// # Errors
/// An [`Error`] whose one line says what was wrong with the input or what
/// could not be written.
pub fn run(args: Args) -> Result<()> {
    let plan = Plan::check(args)?;
    match plan.args.seeds {
        Some(n) => run_seeds(&plan, n),
        None => run_one(&plan),
    }
}

/// Trains one network; returns its record and the seconds spent training
/// and evaluating.
fn train_seed(
    plan: &Plan,
    seed: u64,
    net: &mut Net,
    split: &Split,
    bar: Option<&ProgressBar>,
    frames: Option<&mut Vec<Panel>>,
) -> Result<(History, f64)> {
    let a = &plan.args;
    let t = Tensors::new(split, &a.features.0, plan.classes);
    let mut opt = plan.optimizer.clone();
    let small = match frames {
        Some(_) => Some(render::small_grid(&plan.look())?),
        None => None,
    };
    let every = (a.epochs / 60).max(1);
    let mut frames = frames;
    let start = std::time::Instant::now();
    let history = train::train(
        net,
        opt.as_dyn_mut(),
        PlaygroundLoss(a.loss),
        a.batch_size,
        a.shuffle.then_some(seed),
        train::Stop::of(a),
        (&t.train_x, &t.train_y),
        (&t.test_x, &t.test_y),
        plan.classes,
        bar,
        |epoch, net, m| {
            if let (Some(frames), Some(grid)) = (frames.as_mut(), small.as_ref()) {
                if epoch % every == 0 || epoch == a.epochs {
                    let title = format!("epoch {epoch}  test loss {:.4}", test_loss(m));
                    frames.push(render::frame(net, grid, title, &split.train)?);
                }
            }
            Ok(())
        },
    )?;
    Ok((history, start.elapsed().as_secs_f64()))
}

/// The test loss of an evaluation (the Playground always has a test set).
fn test_loss(e: &Evaluation) -> f64 {
    e.test_loss.unwrap_or(f64::NAN)
}

/// The last evaluation and the number of epochs trained before it.
fn last_evaluation(history: &History) -> (usize, Evaluation) {
    *history
        .evaluations()
        .last()
        .expect("the network is evaluated before training")
}

fn summary_line(plan: &Plan, network: &str, history: &History, seconds: f64) -> String {
    let (epoch, last) = last_evaluation(history);
    let mut s = format!(
        "{} · {} · {} epochs · train loss {:.4} · test loss {:.4}",
        plan.name,
        network,
        epoch,
        last.train_loss,
        test_loss(&last)
    );
    if plan.classify() {
        s.push_str(&format!(" · test accuracy {}", percent(last.test_accuracy)));
    }
    s.push_str(&format!(" · {seconds:.1} s"));
    s
}

fn history_json(history: &History) -> serde_json::Value {
    history
        .evaluations()
        .iter()
        .map(|(epoch, m)| {
            json!({
                "epoch": epoch,
                "train_loss": m.train_loss,
                "test_loss": test_loss(m),
                "train_accuracy": m.train_accuracy,
                "test_accuracy": m.test_accuracy,
            })
        })
        .collect()
}

/// The pictures of one run, in the order they are drawn.
fn picture_paths(plan: &Plan, history: &History) -> Vec<PathBuf> {
    let out = &plan.args.out;
    let mut paths = vec![
        out.join("decision.png"),
        out.join("neurons.png"),
        out.join("network.png"),
    ];
    if history.evaluations().len() > 1 {
        paths.push(out.join("loss.png"));
    }
    if plan.args.gif {
        paths.push(out.join("training.gif"));
    }
    paths
}

fn run_one(plan: &Plan) -> Result<()> {
    let a = &plan.args;
    let split = plan.split(a.seed)?;
    let mut net = plan.net(a.seed)?;
    prepare_out(&a.out)?;
    let network = net.describe();

    let bar = progress_bar(a, a.epochs as u64);
    let mut frames = Vec::new();
    let (history, seconds) = train_seed(
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
    let (last_epoch, last) = last_evaluation(&history);
    let diverged_at = train::diverged_at(&history);

    // the result first: the weights, then the summary; the pictures after
    let mut written: Vec<PathBuf> = Vec::new();
    if let Some(save) = &a.save {
        weights::save(save, &net, a, &plan.record(last_epoch))?;
        written.push(save.clone());
    }
    if let Some(onnx) = &a.onnx {
        weights::save_onnx(onnx, &net)?;
        written.push(onnx.clone());
    }
    if let Some(epoch) = diverged_at {
        tell(&format!(
            "note: training stopped at epoch {epoch}: the loss is not finite (diverged); try a smaller --lr"
        ));
    }
    if let Some(target) = train::target_reached(&history, a) {
        tell(&format!(
            "note: training stopped at epoch {last_epoch}: {target}"
        ));
    }
    let pictures = picture_paths(plan, &history);
    if a.json {
        let out = json!({
            "dataset": plan.name,
            "problem": plan.problem.to_string(),
            "network": network,
            "sizes": net.mlp.sizes(),
            "activation": train::hidden_activations(&net.mlp),
            "epochs": last_epoch,
            "train_loss": last.train_loss,
            "test_loss": test_loss(&last),
            "train_accuracy": last.train_accuracy,
            "test_accuracy": last.test_accuracy,
            "seconds": seconds,
            "diverged_at": diverged_at,
            "stopped": train::stop_name(history.stop),
            "files": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "pictures": pictures.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "history": history_json(&history),
        });
        say!("{out}")?;
    } else {
        say!("{}", summary_line(plan, &network, &history, seconds))?;
        for p in &written {
            say!("wrote {}", escaped(p.display()))?;
        }
    }
    draw(plan, &net, &split, &history, &network, &frames, &pictures)
}

/// Draws the pictures of [`picture_paths`], saying each one written (in
/// text mode); a picture that cannot be drawn is a warning naming it, and
/// the run (already saved and reported) goes on.
fn draw(
    plan: &Plan,
    net: &Net,
    split: &Split,
    history: &History,
    network: &str,
    frames: &[Panel],
    paths: &[PathBuf],
) -> Result<()> {
    let a = &plan.args;
    let (last_epoch, last) = last_evaluation(history);
    let look = plan.look();
    let title = match last.test_accuracy {
        Some(acc) => format!(
            "{} {} · epoch {} · test accuracy {}",
            plan.name,
            network,
            last_epoch,
            percent(Some(acc))
        ),
        None => format!(
            "{} {} · epoch {} · test loss {}",
            plan.name,
            network,
            last_epoch,
            render::number(test_loss(&last))
        ),
    };
    let mut pictures = render::Pictures::default();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        pictures.draw(path.clone(), |path| match name {
            "decision.png" => {
                let grid = look.grid(Panel::PLAYGROUND_DENSITY)?;
                let panel =
                    render::decision_panel(net, &grid, title.clone(), &split.train, &split.test)?;
                render::decision(path, &look, &panel)
            }
            "neurons.png" => {
                let grid = look.grid(Panel::PLAYGROUND_DENSITY)?;
                render::neurons(path, &look, net, &grid, &split.train)
            }
            "network.png" => render::network_picture(path, &look, net, &title, &split.train),
            "loss.png" => {
                let title = format!("{} {}: loss per epoch", plan.name, network);
                let evaluations = history.evaluations();
                let train: Vec<f64> = evaluations.iter().map(|(_, e)| e.train_loss).collect();
                let test: Vec<f64> = evaluations.iter().map(|(_, e)| test_loss(e)).collect();
                render::losses(path, &title, plan.loss_name(), &train, &test)
            }
            _ => render::gif(path, &look, frames),
        });
        if !a.json && pictures.written.last() == Some(path) {
            say!("wrote {}", escaped(path.display()))?;
        }
    }
    for note in &pictures.notes {
        tell(&format!("note: {}", escaped(note)));
    }
    for warning in &pictures.warnings {
        tell(&format!("warning: {}", escaped(warning)));
    }
    Ok(())
}

fn run_seeds(plan: &Plan, n: usize) -> Result<()> {
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
        network = net.describe();
        let (history, seconds) = train_seed(plan, seed, &mut net, &split, bar.as_ref(), None)?;
        let (_, last) = last_evaluation(&history);
        let title = format!(
            "seed {seed}: {}",
            match last.test_accuracy {
                Some(acc) => percent(Some(acc)),
                None => format!("test loss {:.4}", test_loss(&last)),
            }
        );
        panels.push(render::frame(&net, &grid, title, &split.train)?.test(&split.test));
        rows.push((seed, last, seconds, train::diverged_at(&history)));
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut pictures = render::Pictures::default();
    pictures.draw(a.out.join("seeds.png"), |path| {
        render::seeds(path, &look, &panels)
    });
    for warning in &pictures.warnings {
        tell(&format!("warning: {}", escaped(warning)));
    }
    let accs: Vec<f64> = rows.iter().filter_map(|r| r.1.test_accuracy).collect();
    if a.json {
        let out = json!({
            "dataset": plan.name,
            "problem": plan.problem.to_string(),
            "network": network,
            "epochs": a.epochs,
            "runs": rows.iter().map(|(seed, m, secs, div)| json!({
                "seed": seed,
                "train_loss": m.train_loss,
                "test_loss": test_loss(m),
                "train_accuracy": m.train_accuracy,
                "test_accuracy": m.test_accuracy,
                "seconds": secs,
                "diverged_at": div,
            })).collect::<Vec<_>>(),
            "files": pictures.written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        });
        say!("{out}")?;
        return Ok(());
    }
    say!(
        "{} · {} · {} epochs · {} seeds",
        plan.name,
        network,
        a.epochs,
        n
    )?;
    say!(
        "{:>6}  {:>10}  {:>10}  {:>13}",
        "seed",
        "train loss",
        "test loss",
        "test accuracy"
    )?;
    for (seed, m, _, div) in &rows {
        let flag = if div.is_some() { "  (diverged)" } else { "" };
        say!(
            "{:>6}  {:>10.4}  {:>10.4}  {:>13}{flag}",
            seed,
            m.train_loss,
            test_loss(m),
            percent(m.test_accuracy)
        )?;
    }
    if !accs.is_empty() {
        let min = accs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = accs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = accs.iter().sum::<f64>() / accs.len() as f64;
        say!(
            "test accuracy: min {} · mean {} · max {}",
            percent(Some(min)),
            percent(Some(mean)),
            percent(Some(max))
        )?;
    }
    for path in &pictures.written {
        say!("wrote {}", escaped(path.display()))?;
    }
    Ok(())
}
