//! The command line's tests: every parser, its refusals and its limits.

use super::*;

fn parse(flags: &[&str]) -> Result<Args, clap::Error> {
    Args::parse_args(std::iter::once("xiaolan").chain(flags.iter().copied()))
}

/// The one line a bad command line reports.
fn refusal(flags: &[&str]) -> String {
    error_line(&parse(flags).expect_err("refused"))
}

#[test]
fn parsers_accept_the_documented_spellings_and_refuse_the_rest() {
    let a = parse(&[
        "--dataset",
        "MultiGauss",
        "--ratio",
        "90",
        "--features",
        "x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2",
        "--hidden",
        "8, 8,8",
        "--activation",
        "leaky-relu:0.1",
        "--lr",
        "3",
    ])
    .unwrap();
    assert_eq!(a.dataset, PlaygroundSet::MultiGaussian);
    assert_eq!(a.ratio, 90);
    assert_eq!(a.features.0, Feature::ALL.to_vec());
    assert_eq!(a.hidden.0, vec![8, 8, 8]);
    assert_eq!(a.activation, Activation::LeakyRelu(0.1));
    assert_eq!(a.lr, 3.0);
    assert_eq!(
        parse(&["--hidden", "none"]).unwrap().hidden.0,
        Vec::<usize>::new()
    );
    assert_eq!(
        parse(&["--activation", "linear"]).unwrap().activation,
        Activation::Identity
    );
    assert!(refusal(&["--dataset", "moons"]).contains("unknown data set"));
    assert!(refusal(&["--ratio", "95"]).contains("from 10 to 90"));
    assert!(refusal(&["--ratio", "5"]).contains("from 10 to 90"));
    assert!(refusal(&["--noise", "55"]).contains("from 0 to 50"));
    assert!(refusal(&["--features", "x1,x1"]).contains("each feature at most once"));
    assert!(refusal(&["--features", "x3"]).contains("x3"));
    assert!(refusal(&["--hidden", "8,0"]).contains("layer 2 has width 0"));
    assert!(refusal(&["--activation", "relu:2"]).contains("activation"));
    for lr in ["-0.1", "NaN", "inf"] {
        assert!(refusal(&["--lr", lr]).contains("finite number ≥ 0"), "{lr}");
    }
}

#[test]
fn names_are_nn_names_and_round_trip() {
    let a = Activation::LeakyRelu(0.1);
    assert_eq!(a.to_string(), "leaky_relu(0.1)");
    let back = parse(&["--activation", &a.to_string()]).unwrap();
    assert_eq!(back.activation, a);
    for set in PlaygroundSet::ALL {
        assert_eq!(parse(&["--dataset", set.name()]).unwrap().dataset, set);
    }
    let f = Features(Feature::ALL.to_vec());
    assert_eq!(parse(&["--features", &f.to_string()]).unwrap().features, f);
    for h in [Hidden(vec![]), Hidden(vec![4, 2])] {
        assert_eq!(parse(&["--hidden", &h.to_string()]).unwrap().hidden, h);
    }
    for (kind, name) in [
        (LossKind::HalfSquared, "half-squared"),
        (LossKind::CrossEntropy, "cross-entropy"),
    ] {
        assert_eq!(kind.to_string(), name);
        assert_eq!(parse(&["--loss", name]).unwrap().loss, kind);
    }
    assert_eq!(Problem::Regression.to_string(), "regression");
    assert_eq!(OptimizerKind::Momentum.to_string(), "momentum");
    assert_eq!(RegKind::L2.to_string(), "l2");
}

#[test]
fn value_enums_list_what_they_accept() {
    for (flags, expected) in [
        (
            ["--loss", "hinge"],
            "expected one of half-squared, cross-entropy",
        ),
        (
            ["--optimizer", "rmsprop"],
            "expected one of sgd, momentum, adam",
        ),
        (["--regularization", "l3"], "expected one of none, l1, l2"),
        (
            ["--problem", "ranking"],
            "expected one of classification, regression",
        ),
    ] {
        let line = refusal(&flags);
        assert!(line.contains(expected), "{line}");
        assert!(line.contains(&format!("'{}'", flags[1])), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
}

#[test]
fn ranged_parsers_refuse_out_of_range_values_in_one_line() {
    for (flags, expected) in [
        (
            ["--epochs", "-5"],
            "expected a whole number from 0 to 1000000, found -5",
        ),
        (["--epochs", "1000001"], "from 0 to 1000000, found 1000001"),
        (["--seeds", "1001"], "from 1 to 1000, found 1001"),
        (
            ["--noise", "60"],
            "expected a whole number of percent from 0 to 50, found 60",
        ),
        (["--noise", "-1"], "from 0 to 50, found -1"),
        (["--ratio", "12.5"], "from 10 to 90, found 12.5"),
        (
            ["--batch-size", "0"],
            "expected a whole number ≥ 1, found 0",
        ),
        (
            ["--batch-size", "ten"],
            "expected a whole number ≥ 1, found ten",
        ),
        (
            ["--seeds", "0"],
            "expected a whole number from 1 to 1000, found 0",
        ),
    ] {
        let line = refusal(&flags);
        assert!(line.contains(expected), "{line}");
        assert!(line.contains(flags[0]), "{line}");
        assert!(!line.contains("unexpected argument"), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
    let a = parse(&[
        "--epochs",
        "0",
        "--batch-size",
        "1",
        "--noise",
        "50",
        "--seeds",
        "2",
    ])
    .unwrap();
    assert_eq!(
        (a.epochs, a.batch_size, a.noise, a.seeds),
        (0, 1, 50, Some(2))
    );
}

#[test]
fn given_flags_are_told_from_defaults() {
    let a = parse(&["--hidden", "8", "--gif"]).unwrap();
    assert!(a.given("hidden") && a.given("gif"));
    assert!(!a.given("activation") && !a.given("features") && !a.given("quiet"));
    assert_eq!(a.activation, Activation::Relu);
}

#[test]
fn limits_are_refused_in_one_line_and_named_in_the_help() {
    for (hidden, expected) in [
        (
            "8,100000".to_string(),
            "hidden layer 2 has width 100000: expected at most 4096 neurons".to_string(),
        ),
        (
            vec!["2"; MAX_HIDDEN_LAYERS + 1].join(","),
            format!("expected at most {MAX_HIDDEN_LAYERS} hidden layers, found 101"),
        ),
        (
            "4096,4096,2".to_string(),
            format!("hold 16785408 weights between them: expected at most {MAX_HIDDEN_WEIGHTS}"),
        ),
    ] {
        let line = refusal(&["--hidden", &hidden]);
        assert!(line.contains(&expected), "{line}");
        assert_eq!(line.lines().count(), 1);
    }
    let widest = format!("{MAX_WIDTH},{MAX_WIDTH}");
    let at_limits = [
        "--hidden", &widest, "--epochs", "1000000", "--seeds", "1000",
    ];
    let a = parse(&at_limits).unwrap();
    assert_eq!(
        (a.hidden.0, a.epochs, a.seeds),
        (vec![MAX_WIDTH; 2], MAX_EPOCHS, Some(MAX_SEEDS))
    );
    // --help states each limit as the constants set it
    let help = Args::command().render_help().to_string();
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for stated in [
        format!("training set, at most {MAX_EPOCHS} "),
        format!("at most {MAX_HIDDEN_LAYERS} layers of at most {MAX_WIDTH} neurons"),
        format!("at most {MAX_HIDDEN_WEIGHTS} weights"),
        format!("(at most {MAX_SEEDS})"),
        format!("at most {} MiB", MAX_CSV_BYTES >> 20),
    ] {
        assert!(help.contains(&stated), "{stated:?} not in {help}");
    }
}

#[test]
fn a_rate_without_a_regularization_and_a_negative_slope_are_refused() {
    let plan = |flags: &[&str]| {
        crate::playground::Plan::checked(parse(flags).unwrap(), None, None)
            .map(drop)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        plan(&["--reg-rate", "0.1"]).unwrap_err(),
        "--reg-rate 0.1 cannot be combined with --regularization none (the default): the rate \
         weighs an l1 or l2 penalty; add --regularization l1 or l2"
    );
    assert!(plan(&["--reg-rate", "0.1", "--regularization", "l2"]).is_ok());
    // a rate of 0 changes nothing; the page always gives both controls
    assert!(plan(&["--reg-rate", "0"]).is_ok());
    assert!(plan(&["--reg-rate", "0.1", "--regularization", "none"]).is_ok());
    let msg = refusal(&["--activation", "leaky_relu(-1)"]);
    assert!(
        msg.contains("leaky_relu slope: expected a finite number ≥ 0, found -1"),
        "{msg}"
    );
}

#[test]
fn control_characters_in_a_value_are_shown_escaped() {
    // found by the command_line fuzz target: a carriage return in an
    // unknown argument made a second line (or overwrote the first)
    let line = refusal(&["e,\r\tx"]);
    assert!(!line.contains(['\r', '\n', '\t']), "{line:?}");
    assert!(line.contains("'e,\\r\\tx'"), "{line:?}");
    // a line break in a value (one argument of a real command line) is
    // shown too, not cut at: the line goes on after it
    let line = refusal(&["--hidden", "4\n\u{1b}[2J"]);
    assert!(
        line.starts_with("error: invalid value '4\\n' for '--hidden <WIDTHS>': hidden layer 1 width \"4\\n\\u{1b}[2J\" is not a whole number"),
        "{line:?}"
    );
    // found by the command_line fuzz target: the settings' checks named
    // the `--save` file as given, carriage return and all
    let err = crate::playground::Plan::checked(
        parse(&["--save", "no\r/such/w.safetensors"]).unwrap(),
        None,
        None,
    )
    .err()
    .expect("refused")
    .to_string();
    assert_eq!(
        err,
        "cannot save weights to no\\r/such/w.safetensors: directory no\\r/such does not exist"
    );
}
