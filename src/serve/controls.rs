//! A session's controls as the CLI's command line: the page's Config
//! object becomes `xiaolan --flag=value …`, which the CLI's own parser
//! checks, and the same line is the command an export prints.

use super::session::PageError;
use crate::playground::args::Args;
use serde_json::{Map, Value};

/// Config fields that are CLI flags but not Playground controls: they name
/// files or change what the command prints.
const NOT_CONTROLS: [&str; 8] = [
    "data", "save", "load", "gif", "json", "seeds", "out", "quiet",
];

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
