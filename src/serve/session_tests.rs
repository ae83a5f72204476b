use super::*;
use crate::serve::controls::{command_line, shell_command};

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
fn the_exports_onnx_is_the_model_xiaolan_writes_for_the_trained_network() {
    use base64::Engine;
    use nn::io::onnx_proto::ModelProto;
    let mut s = Session::new().unwrap();
    send(
        &mut s,
        json!({"type": "config", "config": {"features": ["x1", "x2", "x1x2", "sin(x1)"]}}),
    );
    send(&mut s, json!({"type": "step"}));
    let out = send(&mut s, json!({"type": "export"}));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(out[0]["onnx"].as_str().unwrap())
        .unwrap();
    let model = ModelProto::from_bytes(&bytes).unwrap();
    let own = s.net.mlp.to_onnx();
    assert_eq!(model, ModelProto::from_bytes(&own).unwrap());
    assert_eq!(bytes, own, "the export is to_onnx of the session's network");
    assert_eq!(model.to_bytes(), bytes);
    // what the page's download gives ONNX Runtime: the raw (x1, x2) in,
    // the features computed in the graph, one output
    assert_eq!(model.ir_version, Some(nn::layers::ONNX_IR_VERSION));
    assert_eq!(model.opset_import[0].version, Some(nn::layers::ONNX_OPSET));
    let graph = model.graph.unwrap();
    let width = |v: &nn::io::onnx_proto::ValueInfoProto| {
        let t = v.r#type.as_ref().unwrap().tensor_type.as_ref().unwrap();
        t.shape.as_ref().unwrap().dim[1].dim_value
    };
    assert_eq!(
        (graph.input[0].name.as_str(), width(&graph.input[0])),
        ("x", Some(2))
    );
    assert_eq!(
        (graph.output[0].name.as_str(), width(&graph.output[0])),
        ("y", Some(1))
    );
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
    assert_eq!(ops.iter().filter(|&&o| o == "Gemm").count(), 4, "{ops:?}");
    for op in ["Gather", "Mul", "Sin", "Concat"] {
        assert!(ops.contains(&op), "{op} missing from {ops:?}");
    }
    // the trained weights, not the initial ones: the first layer's
    // weight as float32, [in, out] as Gemm takes it
    let w = &s.net.mlp.params()[s.net.mlp.layers()[0].weight()];
    let stored = &graph
        .initializer
        .iter()
        .find(|t| t.name.ends_with(".weight"))
        .unwrap();
    assert_eq!(stored.dims, [4, 8]);
    let floats: Vec<f32> = stored
        .raw_data
        .as_ref()
        .unwrap()
        .chunks(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    let want: Vec<f32> = w.data().iter().map(|&v| v as f32).collect();
    assert_eq!(floats, want);
    assert_ne!(
        s.initial.mlp.params()[s.initial.mlp.layers()[0].weight()],
        *w
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

#[test]
fn check_grad_compares_every_weight_and_bias_and_refuses_big_networks() {
    let mut s = Session::new().unwrap();
    // the whole training set: its mean loss is the training loss evaluated
    // before the first epoch
    let out = send(&mut s, json!({"type": "check_grad", "set": "train"}));
    let g = &out[0];
    assert_eq!(g["type"], "grad_check", "{g}");
    assert_eq!(g["ok"], true, "{g}");
    assert_eq!(g["point"], Value::Null, "{g}");
    assert_eq!(g["index"], Value::Null, "{g}");
    assert_eq!(g["points"], s.split.train.len());
    let before = s.last_evaluation().unwrap().train_loss;
    assert!(
        (g["loss"].as_f64().unwrap() - before).abs() < 1e-12,
        "{} against {before}",
        g["loss"]
    );
    send(&mut s, json!({"type": "step"}));
    let out = send(&mut s, json!({"type": "check_grad", "point": 3}));
    let g = &out[0];
    assert_eq!(g["type"], "grad_check", "{g}");
    assert_eq!(
        (g["index"].clone(), g["points"].clone()),
        (json!(3), json!(1))
    );
    let rows = g["rows"].as_array().unwrap();
    assert_eq!(rows.len(), (16 + 64 + 64 + 8) + (8 + 8 + 8 + 1));
    assert_eq!(g["ok"], true, "{g}");
    assert_eq!(g["point"][0], json!(s.split.train[3].0));
    // rows name the layer and the edge (from → to) as set_weight does
    let w = rows
        .iter()
        .find(|r| r["kind"] == "weight" && r["layer"] == 1)
        .unwrap();
    assert_eq!(w["index"].as_array().unwrap().len(), 2);
    assert!(w["name"].as_str().unwrap().starts_with("w1 "), "{w}");
    let b = rows
        .iter()
        .find(|r| r["kind"] == "bias" && r["layer"] == 3)
        .unwrap();
    assert_eq!(b["name"], "b3 0");
    // the analytic column is the tape's gradient of the loss at that point
    let some = rows
        .iter()
        .filter(|r| r["analytic"].as_f64().unwrap() != 0.0)
        .count();
    assert!(some > 10, "{some} non-zero gradients");
    for r in rows {
        let (a, n) = (
            r["analytic"].as_f64().unwrap(),
            r["numeric"].as_f64().unwrap(),
        );
        assert!((a - n).abs() <= 1e-5 + 1e-3 * n.abs(), "{r}");
    }
    // a chosen point, its label from the nearest training point
    let out = send(&mut s, json!({"type": "check_grad", "x1": 1.5, "x2": -2}));
    assert_eq!(out[0]["type"], "grad_check", "{out:?}");
    assert_eq!(out[0]["point"][1], -2.0);
    for (m, want) in [
        (json!({"type": "check_grad"}), "`point`"),
        (
            json!({"type": "check_grad", "set": "test"}),
            "`set` \"train\"",
        ),
        (json!({"type": "check_grad", "point": 100000}), "point"),
        (
            json!({"type": "check_grad", "x1": 1, "x2": 1, "label": 0.5}),
            "class label",
        ),
    ] {
        let e = only_error(&s.handle(&m));
        assert!(e.contains(want), "{m}: {e}");
    }
    send(
        &mut s,
        json!({"type": "config", "config": {"hidden": [50, 50]}}),
    );
    let e = only_error(&send(&mut s, json!({"type": "check_grad", "point": 0})));
    assert!(
        e.contains("at most 2000 weights and biases") && e.contains("2751"),
        "{e}"
    );
}

/// Three separated blobs, labels 0, 1, 2.
fn three_blobs() -> String {
    let mut text = String::from("x1,x2,class\n");
    for i in 0..90 {
        let (c, a) = (i % 3, i as f64 * 0.37);
        let (cx, cy) = [(-3.0, -2.0), (3.0, -2.0), (0.0, 3.0)][c];
        text += &format!("{},{},{c}\n", cx + a.sin(), cy + a.cos());
    }
    text
}

#[test]
fn a_csv_of_three_classes_trains_a_softmax_network() {
    let mut s = Session::new().unwrap();
    let out = send(
        &mut s,
        json!({"type": "upload_csv", "name": "three.csv", "text": three_blobs()}),
    );
    assert_eq!(out[0]["type"], "state", "{out:?}");
    assert_eq!(out[0]["classes"], 3);
    assert_eq!(out[0]["shape"], json!([2, 8, 8, 8, 3]));
    assert_eq!(out[0]["config"]["loss"], "cross-entropy");
    for _ in 0..40 {
        s.epoch().unwrap();
    }
    let f = s.frame().unwrap();
    assert_eq!(f["heatmap"]["data"].as_array().unwrap().len(), 3);
    let confusion = f["metrics"]["confusion"].as_array().unwrap();
    assert_eq!(confusion.len(), 3);
    assert_eq!(confusion[0].as_array().unwrap().len(), 3);
    let total: u64 = confusion
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total as usize, s.split.test.len());
    let acc = f["metrics"]["accuracy"].as_f64().unwrap();
    assert!(acc > 0.9, "test accuracy {acc}");
    // per cell the three probabilities sum to one (bytes b/255)
    use base64::Engine;
    let planes: Vec<Vec<u8>> = f["heatmap"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            base64::engine::general_purpose::STANDARD
                .decode(d.as_str().unwrap())
                .unwrap()
        })
        .collect();
    let sum: u32 = planes.iter().map(|p| u32::from(p[0])).sum();
    assert!((253..=257).contains(&sum), "{sum}");
    // a point of class 2 is taken, a class 5 is not; half-squared is refused
    let out = send(
        &mut s,
        json!({"type": "add_point", "x1": 0, "x2": 4, "label": 2}),
    );
    assert_eq!(out[0]["classes"], 3, "{out:?}");
    let e = only_error(&send(
        &mut s,
        json!({"type": "add_point", "x1": 0, "x2": 4, "label": 5}),
    ));
    assert!(e.contains("expected a class label 0 to 2, found 5"), "{e}");
    let e = only_error(&send(
        &mut s,
        json!({"type": "config", "config": {"loss": "half-squared"}}),
    ));
    assert!(e.contains("cross-entropy"), "{e}");
    let out = send(&mut s, json!({"type": "check_grad", "point": 0}));
    assert_eq!(out[0]["ok"], true, "{out:?}");
    let e = only_error(&send(
        &mut s,
        json!({"type": "upload_csv", "name": "bad.csv", "text": "0,0,0\n1,1,2\n2,2,-1\n"}),
    ));
    assert!(
        e.contains("bad.csv line 3: label -1 among labels up to 2"),
        "{e}"
    );
}

#[test]
fn training_stops_at_a_target_and_says_why() {
    let mut s = Session::new().unwrap();
    send(
        &mut s,
        json!({"type": "config", "config": {"dataset": "circle", "hidden": [4], "lr": 0.1, "target_accuracy": 0.8}}),
    );
    s.running = true;
    let mut n = 0;
    while s.running && n < 2000 {
        s.epoch().unwrap();
        n += 1;
    }
    assert_eq!(s.stopped(), Some("target_accuracy"));
    let f = s.frame().unwrap();
    assert_eq!(f["stopped"], "target_accuracy");
    assert_eq!(f["running"], false);
    let e = s.last_evaluation().unwrap();
    assert!(e.train_accuracy.unwrap() >= 0.8, "{e:?}");
    // a target loss already met stops after the next epoch
    send(
        &mut s,
        json!({"type": "config", "config": {"target_accuracy": null, "target_loss": 10.0}}),
    );
    s.epoch().unwrap();
    assert_eq!(s.stopped(), Some("target_loss"));
    for (config, want) in [
        (
            json!({"target_accuracy": 1.5}),
            "fraction above 0 and at most 1",
        ),
        (json!({"target_loss": -1}), "finite number > 0"),
        (
            json!({"dataset": "plane", "target_accuracy": 0.9}),
            "classification",
        ),
    ] {
        let e = only_error(&send(&mut s, json!({"type": "config", "config": config})));
        assert!(e.contains(want), "{config}: {e}");
    }
}

#[test]
fn a_control_that_keeps_the_network_keeps_counting_epochs() {
    let mut s = Session::new().unwrap();
    for _ in 0..3 {
        send(&mut s, json!({"type": "step"}));
    }
    // the page sends every control; only the changed ones count
    let mut all = s.config().clone();
    all.insert("batch_size".into(), json!(5));
    let out = send(&mut s, json!({"type": "config", "config": all}));
    assert_eq!(out[0]["kept"], true);
    assert_eq!(out[1]["epoch"], 3);
    let out = send(&mut s, json!({"type": "step"}));
    assert_eq!(out[0]["epoch"], 4);
    let rows = out[0]["history"].as_array().unwrap();
    assert_eq!(rows.last().unwrap()[0], 4, "{rows:?}");
    // --epochs counts every epoch since the network was built
    send(&mut s, json!({"type": "config", "config": {"epochs": 5}}));
    s.running = true;
    while s.running {
        s.epoch().unwrap();
    }
    assert_eq!((s.epochs(), s.stopped()), (5, Some("epochs")));
    // a cleared field goes back to its default (no epoch limit but the largest)
    send(
        &mut s,
        json!({"type": "config", "config": {"epochs": null}}),
    );
    assert_eq!(s.plan.args.epochs, crate::playground::args::MAX_EPOCHS);
    assert_eq!(s.stopped(), None);
    let out = send(&mut s, json!({"type": "reset"}));
    assert_eq!(out[0]["epoch"], 0);
    let out = send(&mut s, json!({"type": "config", "config": {"hidden": [3]}}));
    assert_eq!(out[0]["kept"], false);
}
