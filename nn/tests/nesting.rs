//! Models made of models: an `Mlp` inside a larger model, its parameters
//! under the part's name, trained through one optimizer.

use autograd::{Tape, Tensor, TensorVar};
use nn::layers::{ParamPath, Visit, VisitMut};
use nn::prelude::*;
use nn::Result;

/// An encoder network feeding a head network.
#[derive(Clone)]
struct TwoPart {
    encoder: Mlp,
    head: Mlp,
}

impl Model<f64> for TwoPart {
    fn forward<'t>(&self, x: TensorVar<'t, f64>) -> Result<TensorVar<'t, f64>> {
        self.head.forward(self.encoder.forward(x)?)
    }
    fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, f64>) -> Result<()> {
        self.encoder.visit_params(&path.child("encoder"), f)?;
        self.head.visit_params(&path.child("head"), f)
    }
    fn visit_params_mut(&mut self, path: &ParamPath<'_>, f: &mut VisitMut<'_, f64>) -> Result<()> {
        self.encoder.visit_params_mut(&path.child("encoder"), f)?;
        self.head.visit_params_mut(&path.child("head"), f)
    }
}

/// A 2-4-3-1 network, and the same parameters as a 2-4-3 encoder and a
/// 3-1 head.
fn both() -> (Mlp, TwoPart) {
    use Activation::{Sigmoid, Tanh};
    let whole = Mlp::new(&[2, 4, 3, 1], &[Tanh, Tanh, Sigmoid], Init::Xavier, 11).unwrap();
    let p = whole.params();
    let mut enc = ParamStore::new();
    for name in [
        "layer0.weight",
        "layer0.bias",
        "layer1.weight",
        "layer1.bias",
    ] {
        enc.add(name, p.by_name(name).unwrap().clone()).unwrap();
    }
    let mut head = ParamStore::new();
    head.add("layer0.weight", p.by_name("layer2.weight").unwrap().clone())
        .unwrap();
    head.add("layer0.bias", p.by_name("layer2.bias").unwrap().clone())
        .unwrap();
    let two = TwoPart {
        encoder: Mlp::from_params(&[2, 4, 3], &[Tanh, Tanh], enc).unwrap(),
        head: Mlp::from_params(&[3, 1], &[Sigmoid], head).unwrap(),
    };
    (whole, two)
}

fn xor() -> (Tensor, Tensor) {
    (
        Tensor::from_vec(&[4, 2], vec![0., 0., 0., 1., 1., 0., 1., 1.]).unwrap(),
        Tensor::from_vec(&[4, 1], vec![0., 1., 1., 0.]).unwrap(),
    )
}

#[test]
fn parts_are_named_under_their_prefix() {
    let (whole, two) = both();
    let names: Vec<String> = two.named_params().into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "encoder.layer0.weight",
            "encoder.layer0.bias",
            "encoder.layer1.weight",
            "encoder.layer1.bias",
            "head.layer0.weight",
            "head.layer0.bias"
        ]
    );
    assert_eq!(two.num_scalars(), whole.num_scalars());
    let (x, _) = xor();
    assert_eq!(two.predict(&x).unwrap(), whole.predict(&x).unwrap());
}

#[test]
fn a_two_part_model_trains_like_the_whole_through_one_optimizer() {
    let (x, y) = xor();
    for momentum in [0.0, 0.9] {
        let (mut whole, mut two) = both();
        let mut a = Sgd::new(0.5).with_momentum(momentum);
        let mut b = a.clone();
        for _ in 0..50 {
            let tape = Tape::new();
            let out = whole.forward(tape.tensor_constant(x.clone())).unwrap();
            let g = nn::loss::mse(out, tape.tensor_constant(y.clone()))
                .unwrap()
                .backward();
            a.step(&mut whole, &g).unwrap();

            let tape = Tape::new();
            let out = two.forward(tape.tensor_constant(x.clone())).unwrap();
            let g = nn::loss::mse(out, tape.tensor_constant(y.clone()))
                .unwrap()
                .backward();
            b.step(&mut two, &g).unwrap();
        }
        // bit for bit: the same arithmetic on the same parameters
        let w: Vec<Tensor> = whole.named_params().into_iter().map(|(_, t)| t).collect();
        let t: Vec<Tensor> = two.named_params().into_iter().map(|(_, t)| t).collect();
        assert_eq!(w, t, "momentum {momentum}");
    }
}

#[test]
fn the_training_loop_and_adam_train_a_nested_model() {
    let (x, y) = xor();
    let (_, mut two) = both();
    let before = two.clone();
    let mut adam = Adam::new(0.05).build().unwrap();
    let h = Trainer::new(Loss::Mse)
        .epochs(400)
        .batch_size(4)
        .accuracy(Accuracy::Threshold(0.5))
        .quiet()
        .fit(&mut two, &mut adam, &x, &y)
        .unwrap();
    assert_eq!(
        h.last().unwrap().train_accuracy,
        Some(1.0),
        "{:?}",
        h.last()
    );
    // both parts learned
    assert_ne!(
        two.encoder.params()[two.encoder.layers()[0].weight()],
        before.encoder.params()[before.encoder.layers()[0].weight()]
    );
    assert_ne!(
        two.head.params()[two.head.layers()[0].weight()],
        before.head.params()[before.head.layers()[0].weight()]
    );
}

#[test]
fn accumulated_gradients_of_a_nested_model_apply_in_visiting_order() {
    let (x, y) = xor();
    let (_, mut two) = both();
    let mut by_tape = two.clone();
    let tape = Tape::new();
    let out = two.forward(tape.tensor_constant(x.clone())).unwrap();
    let g = nn::loss::mse(out, tape.tensor_constant(y.clone()))
        .unwrap()
        .backward();
    let values = ParamGrads::of(&two, &g).unwrap();
    assert_eq!(values.len(), 6);
    Sgd::new(0.1).step_with(&mut two, &values).unwrap();
    let tape = Tape::new();
    let out = by_tape.forward(tape.tensor_constant(x.clone())).unwrap();
    let g = nn::loss::mse(out, tape.tensor_constant(y))
        .unwrap()
        .backward();
    Sgd::new(0.1).step(&mut by_tape, &g).unwrap();
    assert_eq!(two.named_params(), by_tape.named_params());
}
