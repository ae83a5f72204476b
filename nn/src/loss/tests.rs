use super::*;
use autograd::check_tensor_grad;

fn t(shape: &[usize], data: &[f64]) -> Tensor<f64> {
    Tensor::from_f64(shape, data).unwrap()
}

#[test]
fn squared_losses_have_their_values() {
    let tape = Tape::new();
    let o = tape.tensor(t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
    let y = tape.tensor_constant(t(&[2, 2], &[0.0, 2.0, 1.0, 8.0]));
    // errors 1, 0, 2, −4: squares 1, 0, 4, 16
    assert_eq!(squared_error(o, y).unwrap().value(), 21.0);
    assert_eq!(mse(o, y).unwrap().value(), 5.25);
    assert_eq!(half_squared_error(o, y).unwrap().value(), 2.625);
    let g = half_squared_error(o, y).unwrap().backward();
    assert_eq!(g[o].data(), &[0.25, 0.0, 0.5, -1.0]); // (o − t)/n
}

#[test]
fn bce_with_logits_matches_the_textbook_formula_and_is_stable() {
    let zs = [-3.0, -0.5, 0.0, 0.7, 4.0];
    let ts = [0.0, 1.0, 1.0, 0.0, 1.0];
    let tape = Tape::new();
    let z = tape.tensor(t(&[5], &zs));
    let y = tape.tensor_constant(t(&[5], &ts));
    let loss = bce_with_logits(z, y).unwrap();
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    let expected: f64 = zs
        .iter()
        .zip(ts)
        .map(|(&z, t)| -(t * sig(z).ln() + (1.0 - t) * (1.0 - sig(z)).ln()))
        .sum::<f64>()
        / 5.0;
    assert!((loss.value() - expected).abs() < 1e-14);
    let g = loss.backward();
    let gz = g[z].to_vec();
    for (i, (&zi, ti)) in zs.iter().zip(ts).enumerate() {
        assert!((gz[i] - (sig(zi) - ti) / 5.0).abs() < 1e-15, "z = {zi}");
    }
    // logits of ±1000: finite loss, finite gradient
    let z = tape.tensor(t(&[2], &[1000.0, -1000.0]));
    let y = tape.tensor_constant(t(&[2], &[0.0, 1.0]));
    let l = bce_with_logits(z, y).unwrap();
    assert_eq!(l.value(), 1000.0);
    assert_eq!(l.backward()[z].data(), &[0.5, -0.5]);
}

#[test]
fn losses_pass_the_gradient_check() {
    let o = t(&[3, 2], &[0.3, -1.2, 0.0, 2.0, -0.4, 0.9]);
    let y = t(&[3, 2], &[1.0, 0.0, 1.0, 1.0, 0.0, 0.5]);
    type LossFn = for<'t> fn(TensorVar<'t, f64>, TensorVar<'t, f64>) -> Result<Var<'t, f64>>;
    let fns: [LossFn; 5] = [
        squared_error,
        mse,
        half_squared_error,
        bce_with_logits,
        softmax_cross_entropy_with_probs,
    ];
    for f in fns {
        let y = y.clone();
        check_tensor_grad(
            move |p| f(p[0], p[0].tape().tensor_constant(y.clone())).unwrap(),
            std::slice::from_ref(&o),
        )
        .assert_passed();
    }
    check_tensor_grad(
        |p| softmax_cross_entropy(p[0], &[1, 0, 1]).unwrap(),
        std::slice::from_ref(&o),
    )
    .assert_passed();
}

#[test]
fn class_and_one_hot_cross_entropy_agree() {
    let tape = Tape::new();
    let z = tape.tensor(t(&[2, 3], &[2.0, 1.0, 0.1, 0.5, 2.5, 0.3]));
    let a = softmax_cross_entropy(z, &[0, 1]).unwrap();
    let onehot = tape.tensor_constant(Tensor::one_hot(&[0, 1], 3).unwrap());
    let b = softmax_cross_entropy_with_probs(z, onehot).unwrap();
    assert!((a.value() - b.value()).abs() < 1e-15);
    assert!((a.value() - 0.3185).abs() < 1e-4);
}

#[test]
fn mismatched_shapes_and_classes_are_errors_naming_both() {
    let tape = Tape::new();
    let o = tape.tensor(Tensor::zeros(&[4, 1]));
    let y = tape.tensor_constant(Tensor::zeros(&[4]));
    for (f, name) in [
        (squared_error as fn(_, _) -> _, "squared_error"),
        (mse, "mse"),
        (half_squared_error, "half_squared_error"),
        (bce_with_logits, "bce_with_logits"),
    ] {
        let err = f(o, y).unwrap_err().to_string();
        assert_eq!(
            err,
            format!("{name}: target shape: expected [4, 1] (the predictions' shape), found [4]")
        );
    }
    let z = tape.tensor(Tensor::zeros(&[2, 3]));
    let err = softmax_cross_entropy(z, &[0]).unwrap_err().to_string();
    assert_eq!(
        err,
        "softmax_cross_entropy: class indices: expected 2 (one per row of logits [2, 3]), found 1"
    );
    // a model with one output: its width is named, not a batch position
    let one = tape.tensor(Tensor::zeros(&[3, 1]));
    let err = softmax_cross_entropy(one, &[1, 0, 1])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "softmax_cross_entropy: logits width (the model's outputs): expected one column per \
         class, at least 2, found 1 (logits [3, 1])"
    );
    let err = softmax_cross_entropy(o.reshape(&[4]), &[0; 4])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "softmax_cross_entropy: logits shape: expected [n, classes], found [4]"
    );
}

#[test]
fn loss_enum_and_custom_closures_use_the_same_functions() {
    let tape = Tape::new();
    let o = tape.tensor(t(&[2, 2], &[0.2, 0.8, 0.6, 0.1]));
    let classes = TargetVar::Classes(&[1, 0]);
    let onehot = TargetVar::Values(tape.tensor_constant(t(&[2, 2], &[0.0, 1.0, 1.0, 0.0])));
    for loss in Loss::ALL {
        let a = loss.loss(o, &classes).unwrap().value();
        let b = loss.loss(o, &onehot).unwrap().value();
        assert!((a - b).abs() < 1e-15, "{loss}");
        assert_eq!(loss.to_string().parse::<Loss>().unwrap(), loss);
    }
    let sse = custom(|o, t| (o - t).powi(2).sum());
    let a = sse.loss(o, &classes).unwrap().value();
    assert!((a - Loss::SquaredError.loss(o, &classes).unwrap().value()).abs() < 1e-15);
    // one output: the class itself is the target
    let single = tape.tensor(t(&[2, 1], &[0.3, 0.9]));
    let l = Loss::SquaredError
        .loss(single, &TargetVar::Classes(&[0, 1]))
        .unwrap();
    assert!((l.value() - (0.09 + 0.01)).abs() < 1e-15);
    let err = Loss::Mse
        .loss(single, &TargetVar::Classes(&[0, 2]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "class index at position 1: expected below 2 (the number of classes), found 2"
    );
    let err = "hinge".parse::<Loss>().unwrap_err().to_string();
    assert_eq!(
        err,
        "loss: expected one of squared_error, mse, half_squared_error, bce_with_logits, softmax_cross_entropy, found `hinge`"
    );
}

#[test]
fn penalties_sum_over_the_given_parameters() {
    let mut store = crate::param::ParamStore::new();
    let w = store.add("w", t(&[2], &[1.0, -2.0])).unwrap();
    let b = store.add("b", t(&[1], &[5.0])).unwrap();
    let tape = Tape::new();
    let p = store.bind(&tape);
    assert_eq!(l1_penalty(&p, &[w]).unwrap().value(), 3.0);
    assert_eq!(l2_penalty(&p, &[w, b]).unwrap().value(), 15.0);
    assert_eq!(l2_penalty(&p, &[]).unwrap().value(), 0.0);
    let g = p.grads(&l1_penalty(&p, &[w]).unwrap().backward());
    assert_eq!(g[w].data(), &[1.0, -1.0]);
    assert_eq!(g[b].data(), &[0.0]);
    let other = crate::param::ParamStore::<f64>::new();
    let err = l1_penalty(&other.bind(&tape), &[w])
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "penalised parameter: expected an id below 0 (the bound store's size), found #0"
    );
}
