//! Wrong input gives an error that says what was expected and what was
//! found, never a silent wrong answer.

use autograd::{Tape, Tensor};
use nn::loss::{self, Targets};
use nn::prelude::*;
use nn::Error;
use Activation::{Identity, Relu, Sigmoid, Tanh};

fn message<T: std::fmt::Debug>(r: nn::Result<T>) -> String {
    r.unwrap_err().to_string()
}

#[test]
fn a_layer_given_the_wrong_width_names_layer_and_widths() {
    let mlp = Mlp::<f64>::new(&[2, 4, 1], &[Relu, Sigmoid], Init::Xavier, 0).unwrap();
    let err = mlp.predict(&Tensor::zeros(&[3, 5])).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "layer `layer0` input width: expected 2, found 5"
    );

    let mut store = ParamStore::<f32>::new();
    let layer = Linear::new(&mut store, "hidden", 3, 2, Init::He, &mut Rng::new(1)).unwrap();
    let tape = Tape::<f32>::default();
    let p = store.bind(&tape);
    let x = tape.tensor_constant(Tensor::zeros(&[4, 7]));
    assert_eq!(
        message(layer.forward(&p, x)),
        "layer `hidden` input width: expected 3, found 7"
    );
    let x = tape.tensor_constant(Tensor::zeros(&[3]));
    assert_eq!(
        message(layer.forward(&p, x)),
        "layer `hidden` input shape: expected a batch [n, 3], found [3]"
    );
}

#[test]
fn a_loss_given_mismatched_shapes_names_both() {
    let tape = Tape::new();
    let o = tape.tensor(Tensor::zeros(&[8, 1]));
    let t = tape.tensor_constant(Tensor::zeros(&[8, 2]));
    let err = loss::mse(o, t).unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "mse: target shape: expected [8, 1] (the predictions' shape), found [8, 2]"
    );
    assert_eq!(
        message(loss::bce_with_logits(o, t)),
        "bce_with_logits: target shape: expected [8, 1] (the predictions' shape), found [8, 2]"
    );
    let logits = tape.tensor(Tensor::zeros(&[2, 3]));
    assert_eq!(
        message(loss::softmax_cross_entropy(logits, &[0, 5])),
        "class index at position 1: expected below 3 (the number of classes), found 5"
    );
}

#[test]
fn a_non_finite_or_negative_learning_rate_is_refused() {
    for (lr, shown) in [(f64::NAN, "NaN"), (f64::INFINITY, "inf"), (-0.5, "-0.5")] {
        let expected = format!("learning rate: expected a finite number ≥ 0, found {shown}");
        let err = Sgd::<f64>::new(lr).build().unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
        assert_eq!(err.to_string(), expected);
        assert_eq!(message(Adam::<f32>::new(lr).build()), expected);
    }
    // a schedule that produces a bad rate stops training with the same error
    let x = Tensor::from_vec(&[2, 1], vec![0.0, 1.0]).unwrap();
    let y = x.clone();
    let mut mlp = Mlp::new(&[1, 1], &[Identity], Init::Zero, 0).unwrap();
    let mut opt = Sgd::new(0.1);
    let err = Trainer::new(Loss::Mse)
        .epochs(3)
        .schedule(|k: usize, base: f64| if k == 2 { f64::INFINITY } else { base })
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "learning rate: expected a finite number ≥ 0, found inf"
    );
}

#[test]
fn an_empty_or_mismatched_data_set_is_refused() {
    let mut mlp = Mlp::<f64>::new(&[2, 1], &[Tanh], Init::Playground, 0).unwrap();
    let mut opt = Sgd::new(0.03);
    let empty = Tensor::zeros(&[0, 2]);
    let none = Tensor::zeros(&[0, 1]);
    let err = Trainer::new(Loss::HalfSquaredError)
        .quiet()
        .fit(&mut mlp, &mut opt, &empty, &none)
        .unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "training set: expected at least one sample, found 0 samples (inputs of shape [0, 2])"
    );

    let x = Tensor::zeros(&[5, 2]);
    let y = Tensor::zeros(&[4, 1]);
    let err = Trainer::new(Loss::HalfSquaredError)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap_err();
    assert!(matches!(err, Error::Mismatch { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "training set targets: expected 5 (one per sample of inputs [5, 2]), found 4"
    );

    let y = Tensor::zeros(&[5, 1]);
    let classes = vec![0usize; 3];
    let err = Trainer::new(Loss::HalfSquaredError)
        .test(&empty, &classes)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "test set: expected at least one sample, found 0 samples (inputs of shape [0, 2])"
    );
    let err = Trainer::new(Loss::HalfSquaredError)
        .batch_size(0)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap_err();
    assert_eq!(err.to_string(), "batch size: expected at least 1, found 0");
    // targets that do not fit the model's output
    let wide = Tensor::zeros(&[5, 3]);
    let err = Trainer::new(Loss::HalfSquaredError)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &wide)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "half_squared_error: target shape: expected [5, 1] (the predictions' shape), found [5, 3]"
    );
    // the model was not touched by any of the refused runs
    let fresh = Mlp::<f64>::new(&[2, 1], &[Tanh], Init::Playground, 0).unwrap();
    assert_eq!(mlp.predict(&x).unwrap(), fresh.predict(&x).unwrap());
    let err = nn::train::evaluate(
        &mlp,
        &Loss::Mse,
        &x,
        Targets::Classes(&[0; 5]),
        Some(Accuracy::Argmax),
    )
    .map(|_| ())
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "accuracy: output shape for argmax: expected [n, classes] with at least 2 classes (use Accuracy::Threshold for one output), found [5, 1]"
    );
}

#[test]
fn unknown_names_list_the_valid_ones() {
    assert_eq!(
        message("mish".parse::<Activation>()),
        "activation: expected one of identity (or linear), step, sigmoid, tanh, relu, leaky_relu, leaky_relu(<slope>), softmax, softplus, gelu, silu (or swish), elu, elu(<alpha>), found `mish`"
    );
    assert_eq!(
        message("uniform".parse::<Init>()),
        "initialisation: expected one of playground, zero, nielsen, nielsen_scaled, xavier, he, found `uniform`"
    );
    assert_eq!(
        message("l1".parse::<Loss>()),
        "loss: expected one of squared_error, mse, half_squared_error, bce_with_logits, softmax_cross_entropy, found `l1`"
    );
}

#[test]
fn a_saved_model_of_another_architecture_is_refused() {
    let params = Mlp::<f32>::new(&[784, 30, 10], &[Sigmoid, Sigmoid], Init::NielsenScaled, 1)
        .unwrap()
        .into_params();
    assert_eq!(
        message(Mlp::from_params(
            &[784, 100, 10],
            &[Sigmoid, Sigmoid],
            params.clone()
        )),
        "layer `layer0` weight shape: expected [784, 100], found [784, 30]"
    );
    assert_eq!(
        message(Mlp::from_params(&[784, 30, 10], &[Sigmoid], params)),
        "activations: expected 2 (one per layer for sizes [784, 30, 10]), found 1"
    );
}
