//! What the page draws of a session: the view, the output and neuron
//! heatmaps, the weights with their last gradients, the metrics; and the
//! edits of a weight or a bias from the page.

use super::session::{PageError, Session};
use crate::playground::data::{self, Point};
use crate::playground::train::PlaygroundLoss;
use autograd::Tensor;
use base64::Engine;
use nn::metrics::ConfusionMatrix;
use serde_json::{json, Map, Value};

/// Grid of the output heatmap (cells per side).
pub const OUTPUT_GRID: usize = 50;
/// Grid of a neuron's thumbnail heatmap.
pub const NEURON_GRID: usize = 16;

/// The view [xmin, xmax, ymin, ymax]: the Playground's [−6, 6]² for its
/// sets, the points' range with a margin for the user's points.
pub fn view(s: &Session) -> [f64; 4] {
    if s.config().get("dataset").and_then(Value::as_str) != Some("csv") {
        return [-6.0, 6.0, -6.0, 6.0];
    }
    let all: Vec<&Point> = match s.user_points() {
        Some(p) if p.len() < 2 => p.iter().collect(),
        _ => s.split.train.iter().chain(&s.split.test).collect(),
    };
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in &all {
        x0 = x0.min(p.0);
        x1 = x1.max(p.0);
        y0 = y0.min(p.1);
        y1 = y1.max(p.1);
    }
    if all.is_empty() {
        return [-6.0, 6.0, -6.0, 6.0];
    }
    let pad = |a: f64, b: f64| ((b - a) * 0.1).max(0.5);
    let (px, py) = (pad(x0, x1), pad(y0, y1));
    [x0 - px, x1 + px, y0 - py, y1 + py]
}

/// The grid's points, row 0 at the top (largest x2), column 0 at the left.
fn grid(v: [f64; 4], n: usize) -> Vec<(f64, f64)> {
    let step = |a: f64, b: f64, i: usize| a + (b - a) * (i as f64 + 0.5) / n as f64;
    (0..n)
        .flat_map(|r| (0..n).map(move |c| (step(v[0], v[1], c), step(v[3], v[2], r))))
        .collect()
}

/// Values in [−1, 1] as bytes (b/255·2−1), base64.
fn encode(values: impl Iterator<Item = f64>) -> String {
    let bytes: Vec<u8> = values
        .map(|v| {
            let v = if v.is_nan() { 0.0 } else { v.clamp(-1.0, 1.0) };
            ((v + 1.0) * 127.5).round() as u8
        })
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The `frame` message, with the history rows not sent before.
pub fn frame(s: &mut Session, history: Vec<Value>) -> Result<Value, PageError> {
    let v = view(s);
    let features = &s.plan.args.features.0;
    let out_x = data::inputs(grid(v, OUTPUT_GRID), features);
    let heat = heatmap(s, &out_x)?;
    let small = grid(v, NEURON_GRID);
    let small_x = data::inputs(small.clone(), features);
    let mut neurons = vec![columns(&small_x)];
    for layer in s.net.hidden_outputs(&small_x)? {
        neurons.push(columns(&layer));
    }
    let (weights, biases) = params(s, |s, id| s.net.mlp.params().get(id).cloned());
    let grads = s.grads.borrow().clone();
    let grads = grads.map(|g| {
        let (w, b) = params(s, |_, id| g.get(id).cloned());
        json!({"weights": w, "biases": b})
    });
    let dead = nn::plot::dead_units(&s.net.mlp, &s.tensors.train_x)?;
    let e = s.last_evaluation();
    Ok(json!({
        "type": "frame",
        "epoch": s.epochs(),
        "steps": s.steps(),
        "train_loss": e.map(|e| e.train_loss),
        "test_loss": e.and_then(|e| e.test_loss),
        "running": s.running,
        "stopped": s.stopped(),
        "metrics": metrics(s)?,
        "heatmap": {"size": OUTPUT_GRID, "data": heat},
        "neurons": neurons,
        "weights": weights,
        "biases": biases,
        "grads": grads,
        "dead": dead,
        "history": history,
    }))
}

/// The output heatmap's planes: the output in [−1, 1] (two classes, or a
/// regression), or each class's probability (k classes, byte b/255).
fn heatmap(s: &Session, x: &Tensor<f64>) -> Result<Vec<String>, PageError> {
    if s.plan.classes < 3 {
        return Ok(vec![encode(s.net.output(x)?.into_iter())]);
    }
    let p = s.net.probabilities(x)?;
    let (n, k) = (p.shape()[0], p.shape()[1]);
    let d = p.data();
    Ok((0..k)
        .map(|c| encode((0..n).map(|i| 2.0 * d[i * k + c] - 1.0)))
        .collect())
}

/// One thumbnail per column of `t` ([n, width]).
fn columns(t: &Tensor<f64>) -> Vec<Value> {
    let (n, w) = (t.shape()[0], t.shape()[1]);
    let d = t.data();
    (0..w)
        .map(|j| json!({"size": NEURON_GRID, "data": encode((0..n).map(|i| d[i * w + j]))}))
        .collect()
}

/// `weights[l][j][i]` (into node j of layer l+1 from node i of layer l)
/// and `biases[l][j]`, read from per-parameter tensors.
fn params(
    s: &Session,
    get: impl Fn(&Session, nn::param::ParamId) -> Option<Tensor<f64>>,
) -> (Vec<Vec<Vec<f64>>>, Vec<Vec<f64>>) {
    let mut weights = Vec::new();
    let mut biases = Vec::new();
    for layer in s.net.mlp.layers() {
        let (n_in, n_out) = (layer.inputs(), layer.outputs());
        let w = get(s, layer.weight())
            .map(|t| t.data().to_vec())
            .unwrap_or_default();
        let b = get(s, layer.bias())
            .map(|t| t.data().to_vec())
            .unwrap_or_default();
        weights.push(
            (0..n_out)
                .map(|j| {
                    (0..n_in)
                        .map(|i| w.get(i * n_out + j).copied().unwrap_or(0.0))
                        .collect()
                })
                .collect(),
        );
        biases.push(
            (0..n_out)
                .map(|j| b.get(j).copied().unwrap_or(0.0))
                .collect(),
        );
    }
    (weights, biases)
}

/// Accuracy and confusion matrix on the test set for classification,
/// RMSE and R² for regression.
fn metrics(s: &Session) -> Result<Value, PageError> {
    let out = s.net.output(&s.tensors.test_x)?;
    let t = s.tensors.test_y.data();
    if s.plan.classify() {
        let k = s.plan.classes;
        // two classes: the output's sign; k: the largest logit (the output)
        let class = |v: f64| {
            if k >= 3 {
                v as usize
            } else {
                usize::from(v > 0.0)
            }
        };
        let predicted: Vec<usize> = out.iter().map(|&v| class(v)).collect();
        let actual: Vec<usize> = s.split.test.iter().map(|p| class(p.2)).collect();
        let c = ConfusionMatrix::new(&predicted, &actual, k)?;
        let rows: Vec<Vec<usize>> = (0..k)
            .map(|a| (0..k).map(|p| c.get(a, p)).collect())
            .collect();
        Ok(json!({"accuracy": c.accuracy(), "confusion": rows}))
    } else {
        let n = t.len().max(1) as f64;
        let mean = t.iter().sum::<f64>() / n;
        let sse: f64 = out.iter().zip(t).map(|(o, y)| (o - y).powi(2)).sum();
        let sst: f64 = t.iter().map(|y| (y - mean).powi(2)).sum();
        let r2 = if sst > 0.0 { 1.0 - sse / sst } else { 0.0 };
        Ok(json!({"rmse": (sse / n).sqrt(), "r2": r2}))
    }
}

fn index(obj: &Map<String, Value>, key: &str, below: usize) -> Result<usize, PageError> {
    match obj.get(key).and_then(Value::as_u64) {
        Some(i) if (i as usize) < below => Ok(i as usize),
        other => Err(PageError {
            message: format!(
                "expected `{key}` a whole number in 0..{below}, found {}",
                other.map_or_else(
                    || obj.get(key).map_or("nothing".into(), super::session::kind),
                    |i| i.to_string()
                )
            ),
            field: Some(key.to_string()),
        }),
    }
}

/// Sets one weight (`set_weight`: layer, to, from) or bias (`set_bias`:
/// layer, node) to `value`.
pub fn edit(s: &mut Session, ty: &str, obj: &Map<String, Value>) -> Result<(), PageError> {
    let layers = s.net.mlp.layers().len();
    let l = index(obj, "layer", layers)?;
    let value = match obj.get("value").and_then(Value::as_f64) {
        Some(v) if v.is_finite() => v,
        _ => {
            return Err(PageError {
                message: "expected a finite number `value`".into(),
                field: Some("value".into()),
            })
        }
    };
    let layer = &s.net.mlp.layers()[l];
    let (n_in, n_out) = (layer.inputs(), layer.outputs());
    let (id, at) = if ty == "set_weight" {
        let j = index(obj, "to", n_out)?;
        let i = index(obj, "from", n_in)?;
        (layer.weight(), i * n_out + j)
    } else {
        (layer.bias(), index(obj, "node", n_out)?)
    };
    let mut t = s
        .net
        .mlp
        .params()
        .get(id)
        .cloned()
        .ok_or_else(|| PageError {
            message: "the network has no such parameter".into(),
            field: None,
        })?;
    let mut d = t.data().to_vec();
    d[at] = value;
    t = Tensor::from_vec(t.shape(), d).map_err(|e| PageError {
        message: e.to_string(),
        field: None,
    })?;
    s.net.mlp.params_mut().set(id, t)?;
    Ok(())
}

/// The `grad_check` message: the live network's loss at the points chosen
/// (the training point `point`; `x1`, `x2` with `label`, by default the
/// label of the nearest training point; or `set: "train"`, the mean loss
/// over the whole training set), its analytic gradient against central
/// differences for every weight and bias ([`Net::check_grad`]).
///
/// [`Net::check_grad`]: crate::playground::train::Net::check_grad
pub fn grad_check(s: &Session, obj: &Map<String, Value>) -> Result<Value, PageError> {
    let train = &s.split.train;
    let (points, chosen): (Vec<Point>, Option<usize>) = match obj.get("set") {
        Some(v) if v == "train" => (train.clone(), None),
        Some(v) => {
            return Err(PageError::new(
                format!(
                    "expected `set` \"train\" (the whole training set), found {}",
                    super::session::kind(v)
                ),
                Some("set"),
            ))
        }
        None if obj.contains_key("point") => {
            let i = index(obj, "point", train.len())?;
            (vec![train[i]], Some(i))
        }
        None if obj.contains_key("x1") || obj.contains_key("x2") => {
            let x1 = super::session::number(obj, "x1")?;
            let x2 = super::session::number(obj, "x2")?;
            let label = if obj.contains_key("label") {
                super::session::number(obj, "label")?
            } else {
                let d = |q: &Point| (q.0 - x1).powi(2) + (q.1 - x2).powi(2);
                train
                    .iter()
                    .min_by(|a, b| d(a).total_cmp(&d(b)))
                    .map_or(0.0, |q| q.2)
            };
            let label = super::session::class_label(s.plan.classes, label)?;
            (vec![(x1, x2, label)], None)
        }
        None => {
            return Err(PageError::new(
                "expected `point` (the index of a training point), `x1` and `x2`, or `set` \"train\", found none of them",
                Some("point"),
            ))
        }
    };
    if points.is_empty() {
        return Err(PageError::new(
            "expected training points to check the gradients at, found none",
            Some("set"),
        ));
    }
    let whole = obj.contains_key("set");
    let x = data::inputs(points.iter().map(|p| (p.0, p.1)), &s.plan.args.features.0);
    let y = data::targets(&points, s.plan.classes);
    let report = s
        .net
        .check_grad(PlaygroundLoss(s.plan.args.loss), &x, &y)
        .map_err(|e| PageError::new(e.to_string(), Some("check_grad")))?;
    let layers = s.net.mlp.layers();
    let rows: Vec<Value> = report
        .entries
        .iter()
        .map(|e| {
            let id = |l: &nn::Linear| (l.weight().index(), l.bias().index());
            let (l, weight) = layers
                .iter()
                .enumerate()
                .find_map(|(l, layer)| {
                    let (w, b) = id(layer);
                    (w == e.input || b == e.input).then_some((l, w == e.input))
                })
                .unwrap_or((0, true));
            let (kind, name) = if weight {
                let (i, j) = (e.index[0], e.index[1]);
                ("weight", format!("w{l} {i}→{j}"))
            } else {
                ("bias", format!("b{l} {}", e.index[0]))
            };
            json!({
                "name": name, "layer": l, "kind": kind, "index": e.index,
                "analytic": e.analytic, "numeric": e.numeric,
                "abs_err": e.abs_err, "rel_err": e.rel_err, "ok": e.passed,
            })
        })
        .collect();
    Ok(json!({
        "type": "grad_check",
        "point": (!whole).then(|| [points[0].0, points[0].1, points[0].2]),
        "index": chosen,
        "points": points.len(),
        "loss": report.value,
        "rows": rows,
        "ok": report.passed(),
        "passed": report.entries.len() - report.failures().count(),
        "max_abs_err": report.max_abs_err(),
        "max_rel_err": report.max_rel_err(),
        "limit": crate::playground::train::MAX_CHECKED_PARAMS,
    }))
}
