use super::*;

fn send(s: &mut Session, v: Value) -> Vec<Value> {
    s.handle(&v)
}

fn only_error(out: &[Value]) -> String {
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["type"], "error", "{out:?}");
    out[0]["message"].as_str().unwrap().to_string()
}

#[test]
fn the_defaults_are_the_clis_and_reproduce_from_the_command() {
    let s = Session::new().unwrap();
    let cmd = command_line(s.config()).unwrap();
    let args = Args::parse_args(&cmd).unwrap();
    assert_eq!(args.hidden.0, [8, 8, 8]);
    assert_eq!(args.dataset.to_string(), "spiral");
    assert_eq!(s.state()["shape"], json!([2, 8, 8, 8, 1]));
    assert!(shell_command(s.config()).unwrap().starts_with("xiaolan "));
}

#[test]
fn a_step_trains_one_epoch_and_reset_returns_the_identical_weights() {
    let mut s = Session::new().unwrap();
    let before = s.frame().unwrap();
    let out = send(&mut s, json!({"type": "step"}));
    assert_eq!(out[0]["type"], "frame");
    assert_eq!(out[0]["epoch"], 1);
    assert_ne!(out[0]["weights"], before["weights"]);
    assert!(out[0]["grads"]["weights"].is_array());
    let out = send(&mut s, json!({"type": "reset"}));
    assert_eq!(out[0]["epoch"], 0);
    assert_eq!(out[0]["weights"], before["weights"]);
}

#[test]
fn a_frame_has_the_heatmaps_weights_and_metrics_the_page_draws() {
    let mut s = Session::new().unwrap();
    let f = s.frame().unwrap();
    let data = f["heatmap"]["data"][0].as_str().unwrap();
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .unwrap();
    assert_eq!(bytes.len(), frame::OUTPUT_GRID * frame::OUTPUT_GRID);
    // the inputs as layer 0, then three hidden layers of 8
    let neurons = f["neurons"].as_array().unwrap();
    assert_eq!(neurons.len(), 4);
    assert_eq!(neurons[1].as_array().unwrap().len(), 8);
    // weights[l][j][i]: into node j of layer l+1 from node i of layer l
    assert_eq!(f["weights"][0].as_array().unwrap().len(), 8);
    assert_eq!(f["weights"][0][0].as_array().unwrap().len(), 2);
    assert!(f["metrics"]["accuracy"].as_f64().is_some());
    assert_eq!(f["dead"].as_array().unwrap().len(), 3);
}

#[test]
fn controls_are_checked_by_the_clis_parser() {
    let mut s = Session::new().unwrap();
    let m = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"hidden": [0]}}),
    ));
    assert!(m.contains("width 0"), "{m}");
    let m = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"noise": 80}}),
    ));
    assert!(m.contains("noise"), "{m}");
    let m = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"activation": "swish9"}}),
    ));
    assert!(m.contains("swish9"), "{m}");
    let m = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"save": "/etc/passwd"}}),
    ));
    assert!(m.contains("not a Playground control"), "{m}");
    let m = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"lr": {"a": 1}}}),
    ));
    assert!(m.contains("found an object"), "{m}");
    // the session is unchanged and still trains
    assert_eq!(s.state()["shape"], json!([2, 8, 8, 8, 1]));
    let out = send(
        &mut s,
        json!({"type": "config", "config": {"hidden": [4], "dataset": "circle", "lr": 0.1}}),
    );
    assert_eq!(out[0]["type"], "state");
    assert_eq!(out[0]["shape"], json!([2, 4, 1]));
}

#[test]
fn bad_messages_get_errors_and_the_session_goes_on() {
    let mut s = Session::new().unwrap();
    for (m, want) in [
        (json!([1, 2]), "JSON object"),
        (json!({"kind": "step"}), "`type`"),
        (json!({"type": "fly"}), "\"fly\""),
        (
            json!({"type": "set_weight", "layer": 9, "to": 0, "from": 0, "value": 1}),
            "layer",
        ),
        (
            json!({"type": "set_weight", "layer": 0, "to": 0, "from": 0, "value": "x"}),
            "value",
        ),
        (
            json!({"type": "set_bias", "layer": 0, "node": 99, "value": 1}),
            "node",
        ),
        (
            json!({"type": "add_point", "x1": 1, "x2": "a", "label": 1}),
            "x2",
        ),
        (
            json!({"type": "add_point", "x1": 1, "x2": 1, "label": 7}),
            "label",
        ),
        (
            json!({"type": "upload_csv", "name": "a.csv", "text": "1,2,1\n3,x,1\n"}),
            "a.csv line 2",
        ),
        (json!({"type": "upload_csv", "name": "a.csv"}), "text"),
    ] {
        let e = only_error(&s.handle(&m));
        assert!(e.contains(want), "{m}: {e}");
    }
    assert_eq!(send(&mut s, json!({"type": "step"}))[0]["epoch"], 1);
}

#[test]
fn an_edited_weight_is_in_the_next_frame() {
    let mut s = Session::new().unwrap();
    let out = send(
        &mut s,
        json!({"type": "set_weight", "layer": 1, "to": 2, "from": 3, "value": 0.5}),
    );
    assert_eq!(out[0]["weights"][1][2][3], 0.5);
    let out = send(
        &mut s,
        json!({"type": "set_bias", "layer": 3, "node": 0, "value": -0.25}),
    );
    assert_eq!(out[0]["biases"][3][0], -0.25);
}

#[test]
fn uploaded_and_clicked_points_are_the_data() {
    let mut s = Session::new().unwrap();
    let mut text = String::from("a,b,label\n");
    for i in 0..40 {
        let x = i as f64 / 4.0;
        text += &format!("{x},{},{}\n", 20.0 - x, if i % 2 == 0 { 1 } else { -1 });
    }
    let out = send(
        &mut s,
        json!({"type": "upload_csv", "name": "mine.csv", "text": text}),
    );
    assert_eq!(out[0]["type"], "state", "{out:?}");
    assert_eq!(out[0]["config"]["dataset"], "csv");
    let n = out[0]["train"].as_array().unwrap().len() + out[0]["test"].as_array().unwrap().len();
    assert_eq!(n, 40);
    // the view fits the points, with a margin
    let view = out[0]["view"].as_array().unwrap();
    assert!(view[0].as_f64().unwrap() < 0.0 && view[1].as_f64().unwrap() > 9.75);
    let out = send(
        &mut s,
        json!({"type": "add_point", "x1": 3, "x2": 3, "label": 1}),
    );
    let n = out[0]["train"].as_array().unwrap().len() + out[0]["test"].as_array().unwrap().len();
    assert_eq!(n, 41);
    assert_eq!(
        send(&mut s, json!({"type": "clear_points"}))[0]["train"],
        json!([])
    );
}

#[test]
fn the_export_loads_back_as_the_trained_network() {
    let mut s = Session::new().unwrap();
    send(&mut s, json!({"type": "step"}));
    let out = send(&mut s, json!({"type": "export"}));
    assert_eq!(out[0]["type"], "export");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out[0]["safetensors"].as_str().unwrap())
        .unwrap();
    let back = nn::Mlp::<f64>::from_bytes(&bytes).unwrap();
    let x = &s.tensors.test_x;
    assert_eq!(back.predict(x).unwrap(), s.net.mlp.predict(x).unwrap());
    let cmd = out[0]["command"].as_str().unwrap();
    assert!(
        cmd.contains("--hidden=8,8,8") && cmd.contains("--dataset=spiral"),
        "{cmd}"
    );
}

#[test]
fn a_new_learning_rate_keeps_the_weights_a_new_layer_resets_them() {
    let mut s = Session::new().unwrap();
    send(&mut s, json!({"type": "step"}));
    let trained = s.frame().unwrap()["weights"].clone();
    let out = send(&mut s, json!({"type": "config", "config": {"lr": 0.1}}));
    assert_eq!(out[1]["weights"], trained);
    assert_eq!(s.plan.args.lr, 0.1);
    let out = send(
        &mut s,
        json!({"type": "config", "config": {"activation": "tanh"}}),
    );
    assert_ne!(out[1]["weights"], trained);
}
