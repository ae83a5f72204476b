//! End-to-end training: small networks learn what they should, runs are
//! reproducible from their seeds, and a training step updates the
//! parameters in place on a reused tape.

use autograd::{Tape, Tensor};
use nn::loss::Targets;
use nn::metrics::{accuracy, predicted_classes, ConfusionMatrix};
use nn::prelude::*;
use nn::train::{evaluate, train_step, StopReason};
use Activation::{Identity, Sigmoid, Tanh};

fn xor() -> (Tensor<f64>, Tensor<f64>) {
    let x = Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap();
    let y = Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap();
    (x, y)
}

/// XOR is the course's example of what one neuron cannot do and two layers
/// can: a 2-2-1 sigmoid network, seeded, trained by SGD on the squared error.
#[test]
fn xor_2_2_1_sigmoid_reaches_full_accuracy() {
    let (x, y) = xor();
    let mut mlp = Mlp::new(&[2, 2, 1], &[Sigmoid, Sigmoid], Init::Nielsen, 3).unwrap();
    let before = accuracy(
        &mlp.predict(&x).unwrap(),
        Targets::Values(&y),
        Accuracy::Threshold(0.5),
    )
    .unwrap();
    let mut opt = Sgd::new(2.0);
    let history = Trainer::new(Loss::SquaredError)
        .epochs(5000)
        .batch_size(4)
        .accuracy(Accuracy::Threshold(0.5))
        .target_loss(0.01)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(history.stop, StopReason::TargetLoss, "{last:?}");
    assert_eq!(last.train_accuracy, Some(1.0));
    assert!(
        before < 1.0,
        "the untrained network already solves XOR: the test shows nothing"
    );
    let out = mlp.predict(&x).unwrap();
    for (o, t) in out.data().iter().zip(y.data()) {
        assert!((o - t).abs() < 0.1, "output {o} for target {t}");
    }
    // the loss went down along the way
    let losses = history.train_losses();
    assert!(losses[0] > 10.0 * losses[losses.len() - 1]);
}

/// The same problem in f32 with Adam, mini-batches of 2 and ±1 labels on a
/// tanh output (the Playground's set-up).
#[test]
fn xor_f32_tanh_with_adam() {
    let (x, y) = xor();
    let x: Tensor<f32> = x.cast();
    let y: Tensor<f32> = y.map(|t| 2.0 * t - 1.0).cast();
    let mut mlp = Mlp::<f32>::new(&[2, 4, 1], &[Tanh, Tanh], Init::Playground, 1).unwrap();
    let mut opt = Adam::new(0.05);
    let history = Trainer::new(Loss::HalfSquaredError)
        .epochs(400)
        .batch_size(2)
        .seed(7)
        .accuracy(Accuracy::Threshold(0.0))
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.train_accuracy, Some(1.0), "{last:?}");
    assert!(last.train_loss < 0.01, "{last:?}");
    assert_eq!(last.steps, 2);
}

/// Three Gaussian blobs, class indices, softmax cross-entropy on logits,
/// evaluated on a held-out test set.
#[test]
fn three_classes_with_softmax_cross_entropy() {
    let centres = [(-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)];
    let mut rng = Rng::new(42);
    let mut blob = |n: usize| {
        let mut x = Vec::new();
        let mut c = Vec::new();
        for i in 0..n {
            let k = i % 3;
            x.push(centres[k].0 + rng.normal(0.0, 0.5));
            x.push(centres[k].1 + rng.normal(0.0, 0.5));
            c.push(k);
        }
        (Tensor::from_vec(&[n, 2], x).unwrap(), c)
    };
    let (x, classes) = blob(150);
    let (tx, tclasses) = blob(60);
    let mut mlp = Mlp::new(&[2, 8, 3], &[Tanh, Identity], Init::Xavier, 5).unwrap();
    let mut opt = Sgd::new(0.1).with_momentum(0.9);
    let history = Trainer::new(Loss::SoftmaxCrossEntropy)
        .epochs(30)
        .batch_size(16)
        .test(&tx, &tclasses)
        .accuracy(Accuracy::Argmax)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &classes)
        .unwrap();
    let last = history.last().unwrap();
    assert!(last.test_accuracy.unwrap() >= 0.95, "{last:?}");
    assert_eq!(history.test_losses().len(), 30);
    assert!(history.test_losses()[29] < history.test_losses()[0]);
    let predicted = predicted_classes(&mlp.predict(&tx).unwrap()).unwrap();
    let m = ConfusionMatrix::new(&predicted, &tclasses, 3).unwrap();
    assert!((m.accuracy() - last.test_accuracy.unwrap()).abs() < 1e-15);
    let (loss, acc) = evaluate(
        &mlp,
        &Loss::SoftmaxCrossEntropy,
        &tx,
        Targets::Classes(&tclasses),
        Some(Accuracy::Argmax),
    )
    .unwrap();
    assert_eq!((Some(loss), acc), (last.test_loss, last.test_accuracy));
}

/// Two runs with the same seeds give bit-identical histories and weights;
/// another shuffle seed gives another run.
#[test]
fn runs_are_reproducible_from_their_seeds() {
    let mut rng = Rng::new(1);
    let x = Tensor::from_vec(&[40, 2], (0..80).map(|_| rng.uniform(-1.0, 1.0)).collect()).unwrap();
    let y = x.clone().reshape(&[80]).unwrap();
    let y = Tensor::from_vec(&[40, 1], y.data().chunks(2).map(|r| r[0] * r[1]).collect()).unwrap();
    let run = |shuffle: u64| {
        let mut mlp = Mlp::<f64>::new(&[2, 5, 1], &[Tanh, Identity], Init::Xavier, 9).unwrap();
        let mut opt = Sgd::new(0.1);
        let h = Trainer::new(Loss::Mse)
            .epochs(5)
            .batch_size(8)
            .seed(shuffle)
            .quiet()
            .fit(&mut mlp, &mut opt, &x, &y)
            .unwrap();
        let w: Vec<f64> = mlp
            .params()
            .iter()
            .flat_map(|(_, _, t)| t.to_vec())
            .collect();
        (h.train_losses(), w)
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3).1, run(4).1);
}

/// A step leaves the tape empty and updates the weights in their own
/// buffers: the tape no longer holds them, so nothing is copied.
#[test]
fn a_step_updates_parameters_in_place_on_a_reused_tape() {
    let (x, y) = xor();
    let mut mlp = Mlp::<f64>::new(&[2, 3, 1], &[Tanh, Sigmoid], Init::Xavier, 2).unwrap();
    let mut opt = Sgd::new(0.5);
    let mut tape = Tape::new();
    let w = mlp.layers()[0].weight();
    let mut previous = mlp.params()[w].to_vec();
    for _ in 0..3 {
        let ptr = mlp.params()[w].data().as_ptr();
        let loss = train_step(
            &mut tape,
            &mut mlp,
            &mut opt,
            &Loss::Mse,
            &x,
            Targets::Values(&y),
        )
        .unwrap();
        assert!(loss.is_finite());
        assert!(tape.is_empty());
        assert_eq!(
            mlp.params()[w].data().as_ptr(),
            ptr,
            "the weight buffer was copied"
        );
        assert_ne!(
            mlp.params()[w].to_vec(),
            previous,
            "the weights did not move"
        );
        previous = mlp.params()[w].to_vec();
    }
}

/// A custom loss written as a closure trains like the built-in one.
#[test]
fn a_custom_closure_loss_trains() {
    let x = Tensor::from_vec(&[4, 1], vec![0.0, 1.0, 2.0, 3.0]).unwrap();
    let y = Tensor::from_vec(&[4, 1], vec![1.0, 3.0, 5.0, 7.0]).unwrap();
    let mut mlp = Mlp::new(&[1, 1], &[Identity], Init::Zero, 0).unwrap();
    let mut opt = Sgd::new(0.05);
    let mae_plus_mse = nn::loss::custom(|o, t| (o - t).abs().mean() * 0.1 + (o - t).powi(2).mean());
    let h = Trainer::new(mae_plus_mse)
        .epochs(2000)
        .batch_size(4)
        .quiet()
        .fit(&mut mlp, &mut opt, &x, &y)
        .unwrap();
    assert!(h.last().unwrap().train_loss < 1e-2, "{:?}", h.last());
    let pred = mlp
        .predict(&Tensor::from_vec(&[1, 1], vec![10.0]).unwrap())
        .unwrap();
    assert!((pred.item() - 21.0).abs() < 0.1, "{pred:?}");
}

/// An epoch count of 10¹² or `usize::MAX` (and a batch size of `usize::MAX`)
/// reserves nothing from the number: the run stops when told and its
/// history holds the epochs that ran.
#[test]
fn huge_epoch_counts_and_batch_sizes_reserve_nothing() {
    let (x, y) = xor();
    for epochs in [1_000_000_000_000, usize::MAX] {
        let mut mlp = Mlp::new(&[2, 3, 1], &[Tanh, Sigmoid], Init::Xavier, 1).unwrap();
        let mut opt = Sgd::new(0.1);
        let h = Trainer::new(Loss::Mse)
            .epochs(epochs)
            .batch_size(usize::MAX)
            .on_epoch(|s, _| {
                if s.epoch == 2 {
                    std::ops::ControlFlow::Break(())
                } else {
                    std::ops::ControlFlow::Continue(())
                }
            })
            .quiet()
            .fit(&mut mlp, &mut opt, &x, &y)
            .unwrap();
        assert_eq!(h.stop, StopReason::Callback);
        assert_eq!(h.epochs.len(), 3);
        assert!(h.epochs.capacity() <= 1024, "{}", h.epochs.capacity());
    }
}
