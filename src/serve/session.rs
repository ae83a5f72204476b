//! One browser tab's experiment: its controls (the CLI's flags, checked by
//! the CLI's own parser), its points, its network and the run of nn's
//! training loop that trains it. A session answers each message from the
//! page with messages for the page; it never touches the file system.

use super::frame;
use crate::playground::args::{Args, Problem};
use crate::playground::data::{self, Csv, Point, Split};
use crate::playground::train::{self, Net, PlaygroundLoss, PlaygroundOptimizer};
use crate::playground::{Plan, Tensors};
use nn::param::ParamGrads;
use nn::train::{Run, Status};
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::ops::ControlFlow;
use std::path::Path;
use std::rc::Rc;

/// The most points a session holds (data set, CSV rows and clicked points).
pub const MAX_POINTS: usize = 10_000;

/// Config fields that are CLI flags but not Playground controls: they name
/// files or change what the command prints.
const NOT_CONTROLS: [&str; 8] = [
    "data", "save", "load", "gif", "json", "seeds", "out", "quiet",
];

/// Controls whose change keeps the network's weights (as in the original
/// Playground): the run starts again from the current weights.
const KEEP_NETWORK: [&str; 7] = [
    "lr",
    "regularization",
    "reg_rate",
    "batch_size",
    "shuffle",
    "optimizer",
    "epochs",
];

/// An error for the page: what was expected and what was found, and the
/// field at fault if one is.
#[derive(Debug, Clone, PartialEq)]
pub struct PageError {
    /// The message shown on the page.
    pub message: String,
    /// The config field or message field at fault.
    pub field: Option<String>,
}

impl PageError {
    fn new(message: impl Into<String>, field: Option<&str>) -> PageError {
        PageError {
            message: message.into(),
            field: field.map(str::to_string),
        }
    }

    /// The `error` message of the protocol.
    pub fn to_message(&self) -> Value {
        json!({"type": "error", "message": self.message, "field": self.field})
    }
}

impl From<crate::playground::Error> for PageError {
    fn from(e: crate::playground::Error) -> PageError {
        PageError::new(e.to_string(), None)
    }
}

impl From<nn::Error> for PageError {
    fn from(e: nn::Error) -> PageError {
        PageError::new(e.to_string(), None)
    }
}

/// The experiment of one tab.
pub struct Session {
    /// The applied controls, as the page sends them.
    config: Map<String, Value>,
    /// The user's points (uploaded or clicked), in place of a generated set.
    points: Option<Csv>,
    pub(super) plan: Plan,
    pub(super) split: Split,
    pub(super) tensors: Tensors,
    pub(super) net: Net,
    initial: Net,
    opt: PlaygroundOptimizer,
    run: Run<'static, f64, PlaygroundLoss, Net>,
    /// The gradients of the last step, from the run's step callback.
    pub(super) grads: Rc<RefCell<Option<ParamGrads<f64>>>>,
    /// Whether the page asked to train continuously.
    pub running: bool,
    /// History rows already sent to the page.
    sent_history: usize,
}

/// The controls of a new session: the CLI's defaults (read from its own
/// parser), with no epoch limit but `MAX_EPOCHS` (the page trains until
/// paused).
pub fn default_config() -> Map<String, Value> {
    let names = |v: Vec<String>| Value::from(v);
    let mut m = Map::new();
    let Ok(a) = Args::parse_args(["xiaolan"]) else {
        return m;
    };
    m.insert("dataset".into(), a.dataset.to_string().into());
    m.insert("noise".into(), a.noise.into());
    m.insert("ratio".into(), a.ratio.into());
    m.insert("seed".into(), a.seed.into());
    m.insert(
        "features".into(),
        names(a.features.0.iter().map(|f| f.name().to_string()).collect()),
    );
    m.insert("hidden".into(), a.hidden.0.clone().into());
    m.insert("activation".into(), a.activation.to_string().into());
    m.insert("loss".into(), a.loss.to_string().into());
    m.insert("lr".into(), a.lr.into());
    m.insert("regularization".into(), a.regularization.to_string().into());
    m.insert("reg_rate".into(), a.reg_rate.into());
    m.insert("batch_size".into(), a.batch_size.into());
    m.insert("shuffle".into(), a.shuffle.into());
    m.insert("optimizer".into(), a.optimizer.to_string().into());
    m.insert("epochs".into(), crate::playground::args::MAX_EPOCHS.into());
    m
}

/// The command line of `config`: `--flag value` per field, lists joined by
/// commas, a boolean as a bare flag when true.
pub fn command_line(config: &Map<String, Value>) -> Result<Vec<String>, PageError> {
    let mut argv = vec!["xiaolan".to_string()];
    for (key, value) in config {
        if NOT_CONTROLS.contains(&key.as_str()) {
            return Err(PageError::new(
                format!(
                    "`{key}` is not a Playground control (it names a file or changes the output)"
                ),
                Some(key),
            ));
        }
        if key == "dataset" && value == "csv" {
            continue; // the points are the session's own
        }
        let flag = format!("--{}", key.replace('_', "-"));
        let text = match value {
            Value::Bool(true) => {
                argv.push(flag);
                continue;
            }
            Value::Bool(false) | Value::Null => continue,
            Value::Number(n) => n.to_string(),
            Value::String(s) => s.clone(),
            Value::Array(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => parts.push(s.clone()),
                        Value::Number(n) => parts.push(n.to_string()),
                        other => {
                            return Err(PageError::new(
                                format!("`{key}` expected a list of names or numbers, found an entry {other}"),
                                Some(key),
                            ))
                        }
                    }
                }
                if parts.is_empty() && key == "hidden" {
                    "none".to_string()
                } else {
                    parts.join(",")
                }
            }
            Value::Object(_) => {
                return Err(PageError::new(
                    format!("`{key}` expected a number, a name or a list, found an object"),
                    Some(key),
                ))
            }
        };
        argv.push(format!("{flag}={text}"));
    }
    Ok(argv)
}

/// The command a user runs to reproduce `config` from the terminal.
pub fn shell_command(config: &Map<String, Value>) -> Result<String, PageError> {
    let argv = command_line(config)?;
    Ok(argv
        .iter()
        .map(|a| {
            if a.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_=.,/:".contains(c))
            {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" "))
}

impl Session {
    /// A session with the default controls.
    ///
    /// # Errors
    /// Only if the defaults were refused, which a test rules out.
    pub fn new() -> Result<Session, PageError> {
        Session::build(default_config(), None)
    }

    /// Checks `config` (every field through the CLI's parser, with its
    /// limits and messages) and builds the data, the network and its run.
    fn build(config: Map<String, Value>, points: Option<Csv>) -> Result<Session, PageError> {
        let argv = command_line(&config)?;
        let args = Args::parse_args(&argv)
            .map_err(|e| PageError::new(crate::playground::args::error_line(&e), None))?;
        let csv = points.clone().map(|c| (c, "your points".to_string()));
        let plan = Plan::checked(args, None, csv)?;
        let seed = plan.args.seed;
        let split = plan.split(seed)?;
        if split.train.len() + split.test.len() > MAX_POINTS {
            return Err(PageError::new(
                format!(
                    "expected at most {MAX_POINTS} points, found {}",
                    split.train.len() + split.test.len()
                ),
                Some("points"),
            ));
        }
        let net = plan.net(seed)?;
        let tensors = Tensors::new(&split, &plan.args.features.0);
        let opt = plan.optimizer.clone();
        let grads = Rc::new(RefCell::new(None));
        let run = start(&plan, &tensors, &net, &grads)?;
        Ok(Session {
            config,
            points,
            initial: net.clone(),
            plan,
            split,
            tensors,
            net,
            opt,
            run,
            grads,
            running: false,
            sent_history: 0,
        })
    }

    /// The applied controls.
    pub fn config(&self) -> &Map<String, Value> {
        &self.config
    }

    /// The user's points (uploaded or clicked), if they replace a set.
    pub fn user_points(&self) -> Option<&[Point]> {
        self.points.as_ref().map(|c| c.points.as_slice())
    }

    /// Handles one message from the page; returns the messages to send.
    pub fn handle(&mut self, msg: &Value) -> Vec<Value> {
        match self.try_handle(msg) {
            Ok(out) => out,
            Err(e) => vec![e.to_message()],
        }
    }

    fn try_handle(&mut self, msg: &Value) -> Result<Vec<Value>, PageError> {
        let obj = msg.as_object().ok_or_else(|| {
            PageError::new(
                format!("expected a JSON object, found {}", kind(msg)),
                Some("message"),
            )
        })?;
        let ty = obj.get("type").and_then(Value::as_str).ok_or_else(|| {
            PageError::new("expected a string field `type`, found none", Some("type"))
        })?;
        match ty {
            "config" => {
                let given = obj
                    .get("config")
                    .and_then(Value::as_object)
                    .ok_or_else(|| PageError::new("expected an object field `config`", Some("config")))?;
                let mut config = self.config.clone();
                for (k, v) in given {
                    config.insert(k.clone(), v.clone());
                }
                let points = if config.get("dataset").and_then(Value::as_str) == Some("csv") {
                    self.points.clone()
                } else {
                    None
                };
                let keeps_network = given.keys().all(|k| KEEP_NETWORK.contains(&k.as_str()));
                if !keeps_network {
                    return self.replace(config, points);
                }
                let mut next = Session::build(config, points)?;
                next.net = self.net.clone();
                next.initial = self.initial.clone();
                next.running = self.running;
                next.restart()?;
                *self = next;
                Ok(vec![self.state(), self.frame()?])
            }
            "play" => {
                self.running = self.run.stopped().is_none();
                Ok(vec![self.frame()?])
            }
            "pause" => {
                self.running = false;
                Ok(vec![self.frame()?])
            }
            "step" => {
                self.running = false;
                self.epoch()?;
                Ok(vec![self.frame()?])
            }
            "reset" => {
                self.net = self.initial.clone();
                self.restart()?;
                Ok(vec![self.frame()?])
            }
            "regenerate" => {
                let mut config = self.config.clone();
                let seed = self.plan.args.seed.wrapping_add(1) % (1 << 53);
                config.insert("seed".into(), json!(seed));
                self.replace(config, self.points.clone())
            }
            "set_weight" | "set_bias" => {
                frame::edit(self, ty, obj)?;
                Ok(vec![self.frame()?])
            }
            "add_point" => {
                let x1 = number(obj, "x1")?;
                let x2 = number(obj, "x2")?;
                let label = number(obj, "label")?;
                let mut csv = self.points.clone().unwrap_or_else(|| Csv {
                    points: Vec::new(),
                    problem: self.plan.problem,
                    columns: ["x1".into(), "x2".into()],
                    zero_labels: false,
                });
                if csv.points.len() >= MAX_POINTS {
                    return Err(PageError::new(
                        format!("expected at most {MAX_POINTS} points, found {} already", csv.points.len()),
                        Some("points"),
                    ));
                }
                let label = if csv.problem == Problem::Classification {
                    if label == 1.0 { 1.0 } else if label == -1.0 || label == 0.0 { -1.0 } else {
                        return Err(PageError::new(
                            format!("expected a class label -1, 0 or 1, found {label}"),
                            Some("label"),
                        ));
                    }
                } else {
                    label
                };
                csv.points.push((x1, x2, label));
                self.with_points(csv)
            }
            "clear_points" => {
                let csv = Csv {
                    points: Vec::new(),
                    problem: self.plan.problem,
                    columns: ["x1".into(), "x2".into()],
                    zero_labels: false,
                };
                self.points = Some(csv);
                self.config.insert("dataset".into(), json!("csv"));
                self.running = false;
                Ok(vec![self.state()])
            }
            "upload_csv" => {
                let text = obj
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| PageError::new("expected a string field `text` (the CSV)", Some("text")))?;
                let name = obj.get("name").and_then(Value::as_str).unwrap_or("upload.csv");
                let csv = data::parse_csv(text, Path::new(name), None)
                    .map_err(|e| PageError::new(e.to_string(), Some("text")))?;
                if csv.points.len() > MAX_POINTS {
                    return Err(PageError::new(
                        format!("expected at most {MAX_POINTS} points, found {}", csv.points.len()),
                        Some("points"),
                    ));
                }
                self.with_points(csv)
            }
            "export" => Ok(vec![self.export()?]),
            other => Err(PageError::new(
                format!("expected a message type config, play, pause, step, reset, regenerate, set_weight, set_bias, add_point, clear_points, upload_csv or export, found {other:?}"),
                Some("type"),
            )),
        }
    }

    /// Replaces the session by one built from `config` and `points`; on an
    /// error the session is unchanged.
    fn replace(
        &mut self,
        config: Map<String, Value>,
        points: Option<Csv>,
    ) -> Result<Vec<Value>, PageError> {
        let next = Session::build(config, points)?;
        *self = next;
        Ok(vec![self.state(), self.frame()?])
    }

    fn with_points(&mut self, csv: Csv) -> Result<Vec<Value>, PageError> {
        let mut config = self.config.clone();
        config.insert("dataset".into(), json!("csv"));
        config.remove("problem");
        if csv.points.len() < 2 {
            self.points = Some(csv);
            self.config = config;
            self.running = false;
            return Ok(vec![self.state()]);
        }
        self.replace(config, Some(csv))
    }

    /// Starts the run again for the current network (after a reset or an
    /// edit of the controls that keeps the network).
    fn restart(&mut self) -> Result<(), PageError> {
        self.run = start(&self.plan, &self.tensors, &self.net, &self.grads)?;
        self.opt = self.plan.optimizer.clone();
        *self.grads.borrow_mut() = None;
        self.sent_history = 0;
        Ok(())
    }

    /// Trains one epoch; stops continuous training when the run ends.
    pub fn epoch(&mut self) -> Result<(), PageError> {
        if self.run.stopped().is_some() {
            self.running = false;
            return Ok(());
        }
        match self.run.epoch(&mut self.net, self.opt.as_dyn_mut()) {
            Ok(Status::Stepped | Status::EpochEnded) => Ok(()),
            Ok(Status::Stopped(_)) => {
                self.running = false;
                Ok(())
            }
            Err(e) => {
                self.running = false;
                Err(e.into())
            }
        }
    }

    /// The `state` message: controls, points, view and network shape.
    /// While the user's points are too few to train, they are the training
    /// points shown (the network is the last one built).
    pub fn state(&self) -> Value {
        let rows = |p: &[Point]| p.iter().map(|q| json!([q.0, q.1, q.2])).collect::<Vec<_>>();
        let (train, test) = match &self.points {
            Some(c) if c.points.len() < 2 => (rows(&c.points), Vec::new()),
            _ => (rows(&self.split.train), rows(&self.split.test)),
        };
        json!({
            "type": "state",
            "config": self.config,
            "train": train,
            "test": test,
            "view": frame::view(self),
            "classes": if self.plan.classify() { 2 } else { 0 },
            "shape": self.net.mlp.sizes(),
        })
    }

    /// The `frame` message of the network as it is now.
    pub fn frame(&mut self) -> Result<Value, PageError> {
        let history = &self.run.history().epochs;
        let new: Vec<Value> = history[self.sent_history.min(history.len())..]
            .iter()
            .map(|e| json!([e.epoch + 1, e.train_loss, e.test_loss]))
            .collect();
        self.sent_history = history.len();
        frame::frame(self, new)
    }

    /// Epochs trained so far.
    pub fn epochs(&self) -> usize {
        self.run.epoch_index()
    }

    /// Optimizer steps so far.
    pub fn steps(&self) -> usize {
        self.run.steps()
    }

    /// Why the run stopped, for the page.
    pub fn stopped(&self) -> Option<&'static str> {
        self.run.stopped().map(|r| match r {
            nn::train::StopReason::NonFinite => "diverged",
            nn::train::StopReason::TargetLoss => "target_loss",
            nn::train::StopReason::TargetAccuracy => "target_accuracy",
            _ => "epochs",
        })
    }

    /// The evaluation after the last epoch (or before the first).
    pub fn last_evaluation(&self) -> Option<nn::train::Evaluation> {
        let h = self.run.history();
        h.last().map(|e| e.evaluation()).or(h.initial)
    }

    fn export(&self) -> Result<Value, PageError> {
        use base64::Engine;
        let bytes = crate::playground::weights::to_bytes(
            &self.net,
            &self.plan.args,
            &self.plan.record(self.epochs()),
        )?;
        Ok(json!({
            "type": "export",
            "safetensors": base64::engine::general_purpose::STANDARD.encode(bytes),
            "onnx": base64::engine::general_purpose::STANDARD.encode(self.net.mlp.to_onnx()),
            "command": shell_command(&self.config)?,
            "filename": "playground.safetensors",
        }))
    }
}

/// A run of nn's training loop for `net` under the plan's settings, its
/// step callback keeping the last step's gradients in `grads`.
fn start(
    plan: &Plan,
    t: &Tensors,
    net: &Net,
    grads: &Rc<RefCell<Option<ParamGrads<f64>>>>,
) -> Result<Run<'static, f64, PlaygroundLoss, Net>, PageError> {
    let a = &plan.args;
    let keep = Rc::clone(grads);
    let trainer = train::trainer(
        PlaygroundLoss(a.loss),
        a.batch_size,
        a.shuffle.then_some(a.seed),
        a.epochs,
        (&t.test_x, &t.test_y),
        plan.classify(),
    )
    .on_step(move |s, _| {
        *keep.borrow_mut() = Some(s.grads.clone());
        ControlFlow::Continue(())
    });
    Ok(trainer.start(net, &t.train_x, &t.train_y)?)
}

fn number(obj: &Map<String, Value>, key: &str) -> Result<f64, PageError> {
    match obj.get(key).and_then(Value::as_f64) {
        Some(v) if v.is_finite() => Ok(v),
        _ => Err(PageError::new(
            format!(
                "expected a finite number `{key}`, found {}",
                obj.get(key).map_or("nothing".to_string(), kind)
            ),
            Some(key),
        )),
    }
}

/// What a JSON value is, for a message.
pub fn kind(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("the string {:?}", s.chars().take(40).collect::<String>()),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
