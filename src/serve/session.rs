//! One browser tab's experiment: its controls (the CLI's flags, checked by
//! the CLI's own parser), its points, its network and the run of nn's
//! training loop that trains it. A session answers each message from the
//! page with messages for the page; it never touches the file system.

use super::controls::{command_line, default_config, shell_command};
use super::frame;
use crate::playground::args::{Args, LossKind};
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

/// Controls whose change keeps the network's weights (as in the original
/// Playground): the run starts again from the current weights.
const KEEP_NETWORK: [&str; 9] = [
    "lr",
    "regularization",
    "reg_rate",
    "batch_size",
    "shuffle",
    "optimizer",
    "epochs",
    "target_loss",
    "target_accuracy",
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
    pub(super) fn new(message: impl Into<String>, field: Option<&str>) -> PageError {
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
    /// Epochs and steps trained before the run under way began: a control
    /// that keeps the network starts a new run, and the count goes on.
    offset: (usize, usize),
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
        let tensors = Tensors::new(&split, &plan.args.features.0, plan.classes);
        let opt = plan.optimizer.clone();
        let grads = Rc::new(RefCell::new(None));
        let run = start(&plan, &tensors, &net, &grads, 0)?;
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
            offset: (0, 0),
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
                // null clears a control: back to its default, or off (a target)
                let defaults = default_config();
                let mut config = self.config.clone();
                for (k, v) in given {
                    let v = match (v, defaults.get(k)) {
                        (Value::Null, Some(d)) => d.clone(),
                        _ => v.clone(),
                    };
                    config.insert(k.clone(), v);
                }
                let points = if config.get("dataset").and_then(Value::as_str) == Some("csv") {
                    self.points.clone()
                } else {
                    None
                };
                // the page sends every control: what changed decides
                let keeps_network = config
                    .iter()
                    .filter(|(k, v)| self.config.get(k.as_str()) != Some(v))
                    .all(|(k, _)| KEEP_NETWORK.contains(&k.as_str()));
                if !keeps_network {
                    return self.replace(config, points);
                }
                let mut next = Session::build(config, points)?;
                next.net = self.net.clone();
                next.initial = self.initial.clone();
                next.running = self.running;
                next.offset = (self.epochs(), self.steps());
                next.restart()?;
                *self = next;
                let mut state = self.state();
                state["kept"] = json!(true);
                Ok(vec![state, self.frame()?])
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
                self.offset = (0, 0);
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
                let mut csv = self.points.clone().unwrap_or_else(|| self.no_points());
                if csv.points.len() >= MAX_POINTS {
                    return Err(PageError::new(
                        format!("expected at most {MAX_POINTS} points, found {} already", csv.points.len()),
                        Some("points"),
                    ));
                }
                csv.points.push((x1, x2, class_label(csv.classes, label)?));
                self.with_points(csv)
            }
            "clear_points" => {
                self.points = Some(self.no_points());
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
            "check_grad" => Ok(vec![frame::grad_check(self, obj)?]),
            "export" => Ok(vec![self.export()?]),
            other => Err(PageError::new(
                format!("expected a message type config, play, pause, step, reset, regenerate, set_weight, set_bias, add_point, clear_points, upload_csv, check_grad or export, found {other:?}"),
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

    /// An empty set of the user's points, of the problem and classes now
    /// trained.
    fn no_points(&self) -> Csv {
        Csv {
            points: Vec::new(),
            problem: self.plan.problem,
            columns: ["x1".into(), "x2".into()],
            zero_labels: false,
            classes: self.plan.classes,
        }
    }

    fn with_points(&mut self, csv: Csv) -> Result<Vec<Value>, PageError> {
        let mut config = self.config.clone();
        config.insert("dataset".into(), json!("csv"));
        config.remove("problem");
        if csv.classes >= 3 {
            // k classes train with softmax cross-entropy
            config.insert("loss".into(), json!(LossKind::CrossEntropy.to_string()));
        }
        if csv.points.len() < 2 {
            self.points = Some(csv);
            self.config = config;
            self.running = false;
            return Ok(vec![self.state()]);
        }
        self.replace(config, Some(csv))
    }

    /// Starts the run again for the current network (after a reset or an
    /// edit of the controls that keeps the network), counting on from
    /// `offset`.
    fn restart(&mut self) -> Result<(), PageError> {
        self.run = start(
            &self.plan,
            &self.tensors,
            &self.net,
            &self.grads,
            self.offset.0,
        )?;
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
            "classes": self.plan.classes,
            "shape": self.net.mlp.sizes(),
            "kept": false,
        })
    }

    /// The `frame` message of the network as it is now.
    pub fn frame(&mut self) -> Result<Value, PageError> {
        let history = &self.run.history().epochs;
        let new: Vec<Value> = history[self.sent_history.min(history.len())..]
            .iter()
            .map(|e| json!([self.offset.0 + e.epoch + 1, e.train_loss, e.test_loss]))
            .collect();
        self.sent_history = history.len();
        frame::frame(self, new)
    }

    /// Epochs trained so far (since the network was built or reset).
    pub fn epochs(&self) -> usize {
        self.offset.0 + self.run.epoch_index()
    }

    /// Optimizer steps so far (since the network was built or reset).
    pub fn steps(&self) -> usize {
        self.offset.1 + self.run.steps()
    }

    /// Why the run stopped, for the page.
    pub fn stopped(&self) -> Option<&'static str> {
        self.run.stopped().map(train::stop_name)
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
/// step callback keeping the last step's gradients in `grads`; `done`
/// epochs were trained before it, so it trains at most `--epochs` − `done`.
fn start(
    plan: &Plan,
    t: &Tensors,
    net: &Net,
    grads: &Rc<RefCell<Option<ParamGrads<f64>>>>,
    done: usize,
) -> Result<Run<'static, f64, PlaygroundLoss, Net>, PageError> {
    let a = &plan.args;
    let stop = train::Stop {
        epochs: a.epochs.saturating_sub(done),
        ..train::Stop::of(a)
    };
    let keep = Rc::clone(grads);
    let trainer = train::trainer(
        PlaygroundLoss(a.loss),
        a.batch_size,
        a.shuffle.then_some(a.seed),
        stop,
        (&t.test_x, &t.test_y),
        plan.classes,
    )
    .on_step(move |s, _| {
        *keep.borrow_mut() = Some(s.grads.clone());
        ControlFlow::Continue(())
    });
    Ok(trainer.start(net, &t.train_x, &t.train_y)?)
}

/// A point's label as the session stores it: for two classes ±1 (0 read
/// as −1), for k classes the index 0 … k−1, for a regression (0 classes)
/// the value itself.
pub(super) fn class_label(classes: usize, label: f64) -> Result<f64, PageError> {
    let ok = match classes {
        0 => Some(label),
        2 if label == 1.0 => Some(1.0),
        2 if label == -1.0 || label == 0.0 => Some(-1.0),
        2 => None,
        k => (label.fract() == 0.0 && (0.0..k as f64).contains(&label)).then_some(label),
    };
    ok.ok_or_else(|| {
        let expected = if classes == 2 {
            "-1, 0 or 1".to_string()
        } else {
            format!("0 to {}", classes - 1)
        };
        PageError::new(
            format!("expected a class label {expected}, found {label}"),
            Some("label"),
        )
    })
}

pub(super) fn number(obj: &Map<String, Value>, key: &str) -> Result<f64, PageError> {
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
