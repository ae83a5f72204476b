//! The Playground's two classic results, under its own rules: noise 0, half
//! the points for training, SGD at learning rate 0.03 in batches of 10,
//! ½(o − t)² loss, a tanh output neuron, weights U(−0.5, 0.5) and biases 0.1
//! (`Init::Playground`), the training set walked in one fixed order with the
//! leftover gradients carried over (`Order::Playground`).
//!
//! - circle, one hidden layer of 4 tanh neurons (the Playground's default
//!   activation): ≥ 95 % test accuracy;
//! - spiral, 3 hidden layers of 8 ReLU neurons, 500 epochs: ≥ 95 %.

use nn::data::PlaygroundSet;
use nn::loss::{Loss, Targets};
use nn::prelude::*;
use nn::train::evaluate;
use nn::train::{Order, StopReason};

/// Trains on `set` (seed `seed` for data and weights) and returns the test
/// accuracy.
fn playground_run(
    set: PlaygroundSet,
    hidden: &[usize],
    activation: Activation,
    epochs: usize,
    seed: u64,
) -> f64 {
    let (train, test) = set.generate_split(0.0, 50, seed).unwrap();
    let mut sizes = vec![2];
    sizes.extend_from_slice(hidden);
    sizes.push(1);
    let mut acts = vec![activation; hidden.len()];
    acts.push(Activation::Tanh);
    let mut mlp = Mlp::new(&sizes, &acts, Init::Playground, seed).unwrap();
    let mut sgd = Sgd::new(0.03);
    let loss = Loss::HalfSquaredError;
    let h = Trainer::new(loss)
        .order(Order::Playground)
        .batch_size(10)
        .epochs(epochs)
        .evaluate_train(false)
        .quiet()
        .fit(&mut mlp, &mut sgd, train.x(), Targets::Values(train.y()))
        .unwrap();
    assert_eq!(h.stop, StopReason::Completed, "{h:?}");
    assert!(
        h.epochs.iter().all(|e| e.completed && e.steps == 25),
        "{h:?}"
    );
    let (_, acc) = evaluate(
        &mlp,
        &loss,
        test.x(),
        Targets::Values(test.y()),
        Some(Accuracy::Threshold(0.0)),
    )
    .unwrap();
    acc.unwrap()
}

#[test]
fn circle_with_four_tanh_neurons_reaches_95_percent() {
    let acc = playground_run(PlaygroundSet::Circle, &[4], Activation::Tanh, 200, 1);
    assert!(
        acc >= 0.95,
        "circle 2-4-1 tanh, 200 epochs: test accuracy {acc}"
    );
}

#[test]
fn spiral_with_three_layers_of_eight_relu_reaches_95_percent() {
    let acc = playground_run(PlaygroundSet::Spiral, &[8, 8, 8], Activation::Relu, 500, 1);
    assert!(
        acc >= 0.95,
        "spiral 2-8-8-8-1 relu, 500 epochs: test accuracy {acc}"
    );
}
