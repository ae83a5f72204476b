//! Settings read from environment variables whose value is one of a few
//! names (`XIAOLAN_SUBNORMALS`, `XIAOLAN_GEMM`): an unknown name is
//! reported once on standard error, saying what was expected and what was
//! found, and the default is used.

use std::io::Write;

/// The setting `value` (of the environment variable `var`, which sets
/// `what`) names among `choices` (name, setting); the first choice is the
/// default, also for an unset or empty variable.
///
/// # Errors
/// A message naming the variable, the names expected and the value found.
pub(crate) fn parse<T: Copy>(
    var: &str,
    what: &str,
    choices: &[(&str, T)],
    value: Option<&str>,
) -> Result<T, String> {
    let v = value.map(str::trim).unwrap_or("");
    if v.is_empty() {
        return Ok(choices[0].1);
    }
    match choices.iter().find(|(name, _)| *name == v) {
        Some(&(_, setting)) => Ok(setting),
        None => {
            let names: Vec<String> = choices.iter().map(|(n, _)| format!("`{n}`")).collect();
            let expected = match names.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => String::new(),
            };
            Err(format!("{var}: expected {expected} ({what}), found {v:?}"))
        }
    }
}

/// The setting the environment variable `var` names (see [`parse`]); a
/// value that names none is reported on standard error and the default
/// (the first choice) is used.
pub(crate) fn read<T: Copy>(var: &str, what: &str, choices: &[(&str, T)]) -> T {
    let value = std::env::var(var).ok();
    parse(var, what, choices, value.as_deref()).unwrap_or_else(|e| {
        // a standard error with no reader is no reason to stop
        let _ = writeln!(std::io::stderr(), "warning: {e}; using `{}`", choices[0].0);
        choices[0].1
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_name_gives_its_setting_and_anything_else_says_what_was_expected() {
        let choices = [("a", 1), ("b", 2), ("c", 3)];
        assert_eq!(parse("V", "x", &choices, None), Ok(1));
        assert_eq!(parse("V", "x", &choices, Some(" ")), Ok(1));
        assert_eq!(parse("V", "x", &choices, Some(" c ")), Ok(3));
        assert_eq!(
            parse("V", "x", &choices, Some("d")),
            Err("V: expected `a`, `b` or `c` (x), found \"d\"".to_string())
        );
        assert_eq!(
            parse("V", "x", &choices[..1], Some("d")),
            Err("V: expected `a` (x), found \"d\"".to_string())
        );
    }
}
