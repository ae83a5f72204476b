//! The optimizers' and schedules' tests.

use super::*;
use crate::layers::{Visit, VisitMut};
use crate::param::ParamStore;
use autograd::{Tape, TensorVar};

/// Parameters and nothing else: the optimizer tests give gradients as
/// values ([`Optimizer::step_with`]).
struct Params(ParamStore<f64>);

impl Model<f64> for Params {
    fn forward<'t>(&self, x: TensorVar<'t, f64>) -> Result<TensorVar<'t, f64>> {
        let p = self.0.bind(x.tape());
        Ok(p.iter().fold(x, |acc, (_, v)| acc * v.sum()))
    }
    fn visit_params(&self, path: &ParamPath<'_>, f: &mut Visit<'_, f64>) -> Result<()> {
        f(path, &self.0)
    }
    fn visit_params_mut(&mut self, path: &ParamPath<'_>, f: &mut VisitMut<'_, f64>) -> Result<()> {
        f(path, &mut self.0)
    }
}

fn store(w: &[f64], b: &[f64]) -> Params {
    let mut s = ParamStore::new();
    s.add("w", Tensor::from_f64(&[1, w.len()], w).unwrap())
        .unwrap();
    s.add("b", Tensor::from_f64(&[b.len()], b).unwrap())
        .unwrap();
    Params(s)
}

fn grads(w: &[f64], b: &[f64]) -> ParamGrads<f64> {
    ParamGrads::new(vec![
        Tensor::from_f64(&[1, w.len()], w).unwrap(),
        Tensor::from_f64(&[b.len()], b).unwrap(),
    ])
}

fn values(s: &Params) -> Vec<Vec<f64>> {
    s.0.iter().map(|(_, _, t)| t.to_vec()).collect()
}

#[test]
fn sgd_and_momentum_follow_their_formulas() {
    let mut s = store(&[1.0, -1.0], &[0.5]);
    let mut sgd = Sgd::new(0.1);
    sgd.step_with(&mut s, &grads(&[1.0, 2.0], &[-1.0])).unwrap();
    assert_eq!(values(&s), vec![vec![0.9, -1.2], vec![0.6]]);

    let mut s = store(&[0.0], &[0.0]);
    let mut m = Sgd::new(1.0).with_momentum(0.5);
    let g = grads(&[1.0], &[2.0]);
    m.step_with(&mut s, &g).unwrap(); // v = 1, 2
    m.step_with(&mut s, &g).unwrap(); // v = 1.5, 3
    assert_eq!(values(&s), vec![vec![-2.5], vec![-5.0]]);
}

#[test]
fn step_reads_the_gradients_through_the_forward_pass() {
    // out = x · Σw · Σb: d/dw = x·Σb, d/db = x·Σw
    let mut s = store(&[1.0, 2.0], &[0.5]);
    let mut sgd = Sgd::new(0.1);
    let tape = Tape::new();
    let x = tape.tensor_constant(Tensor::from_vec(&[1], vec![2.0]).unwrap());
    let g = s.forward(x).unwrap().sum().backward();
    sgd.step(&mut s, &g).unwrap();
    assert_eq!(
        values(&s),
        vec![
            vec![1.0 - 0.1 * 1.0, 2.0 - 0.1 * 1.0],
            vec![0.5 - 0.1 * 6.0]
        ]
    );
    // the step unbinds: the same gradients cannot be applied twice
    let e = sgd.step(&mut s, &g).unwrap_err().to_string();
    assert_eq!(
        e,
        "parameters: expected bound to a tape by a forward pass before the step, found no forward pass since they were created, loaded or updated"
    );
    // gradients of another tape are refused, and nothing changes
    let before = values(&s);
    let other = Tape::new();
    let _ = s.forward(tape.tensor_constant(Tensor::from_vec(&[1], vec![1.0]).unwrap()));
    let w = other.tensor(Tensor::from_vec(&[1], vec![1.0]).unwrap());
    let foreign = w.sum().backward();
    let e = sgd.step(&mut s, &foreign).unwrap_err().to_string();
    assert!(
        e.starts_with(
            "gradients: expected from the backward pass of the model's latest forward pass"
        ),
        "{e}"
    );
    assert_eq!(values(&s), before);
}

#[test]
fn playground_regularization_spares_biases_and_kills_crossing_weights() {
    // L2: w ← w − lr·g − lr·rate·w0
    let mut s = store(&[2.0], &[2.0]);
    let mut sgd = Sgd::new(0.5).with_regularization(Regularization::L2(0.1));
    sgd.step_with(&mut s, &grads(&[1.0], &[1.0])).unwrap();
    assert_eq!(values(&s), vec![vec![2.0 - 0.5 - 0.1], vec![1.5]]);
    // L1: the weight 0.05 would cross zero: it is set to 0 and stays dead
    let mut s = store(&[0.05, 1.0], &[0.0]);
    let mut sgd = Sgd::new(0.1).with_regularization(Regularization::L1(1.0));
    sgd.step_with(&mut s, &grads(&[0.0, 0.0], &[0.0])).unwrap();
    assert_eq!(values(&s)[0], vec![0.0, 0.9]);
    sgd.step_with(&mut s, &grads(&[-5.0, 0.0], &[0.0])).unwrap();
    assert_eq!(values(&s)[0], vec![0.0, 0.8]);
}

#[test]
fn adam_first_step_moves_each_weight_by_lr() {
    let mut s = store(&[1.0, 1.0], &[0.0]);
    let mut adam = Adam::new(0.1);
    adam.step_with(&mut s, &grads(&[3.0, -0.001], &[0.0]))
        .unwrap();
    let v = values(&s);
    assert!(
        (v[0][0] - 0.9).abs() < 1e-7 && (v[0][1] - 1.1).abs() < 1e-4,
        "{v:?}"
    );
    assert_eq!(v[1], vec![0.0]);
}

#[test]
fn adam_minimises_a_quadratic() {
    let mut s = store(&[5.0], &[-3.0]);
    let mut adam = Adam::new(0.1);
    for _ in 0..500 {
        let v = values(&s);
        let g = grads(&[2.0 * (v[0][0] - 1.0)], &[2.0 * (v[1][0] + 2.0)]);
        adam.step_with(&mut s, &g).unwrap();
    }
    let v = values(&s);
    assert!(
        (v[0][0] - 1.0).abs() < 1e-2 && (v[1][0] + 2.0).abs() < 1e-2,
        "{v:?}"
    );
}

#[test]
fn bad_settings_and_mismatched_gradients_are_errors() {
    for lr in [f64::INFINITY, -0.1, f64::NAN] {
        let e = Sgd::<f64>::new(lr).build().unwrap_err().to_string();
        assert_eq!(
            e,
            format!("learning rate: expected a finite number ≥ 0, found {lr}")
        );
        assert!(Adam::<f64>::new(lr).build().is_err());
        // without build, the first step says the same and changes nothing
        let mut s = store(&[1.0], &[1.0]);
        let e = Sgd::new(lr)
            .step_with(&mut s, &grads(&[1.0], &[1.0]))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!("learning rate: expected a finite number ≥ 0, found {lr}")
        );
        assert_eq!(values(&s), vec![vec![1.0], vec![1.0]]);
    }
    let mut sgd = Sgd::<f64>::new(0.1);
    let e = sgd
        .set_learning_rate(f64::NEG_INFINITY)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "learning rate: expected a finite number ≥ 0, found -inf");
    assert_eq!(sgd.learning_rate(), 0.1);
    let e = Sgd::<f64>::new(0.1)
        .with_momentum(1.0)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(e, "momentum: expected a number in [0, 1), found 1");
    let e = Sgd::<f64>::new(0.1)
        .with_regularization(Regularization::L1(-1.0))
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "regularization rate: expected a finite number ≥ 0, found -1"
    );
    let e = Adam::<f64>::new(0.1)
        .with_eps(0.0)
        .build()
        .unwrap_err()
        .to_string();
    assert_eq!(e, "eps: expected a finite number > 0, found 0");

    let mut s = store(&[1.0], &[1.0]);
    let e = sgd
        .step_with(&mut s, &ParamGrads::new(vec![]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "gradients: expected 2 tensors (one per parameter), found 0 tensors"
    );
    let e = sgd
        .step_with(&mut s, &grads(&[1.0, 2.0], &[1.0]))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "gradient of `w` shape: expected [1, 1], found [1, 2]");
    let mut adam = Adam::new(0.1);
    adam.step_with(&mut s, &grads(&[1.0], &[1.0])).unwrap();
    let mut other = store(&[1.0, 2.0], &[1.0]);
    let e = adam
        .step_with(&mut other, &grads(&[1.0, 1.0], &[1.0]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "optimizer state of `w` shape (a different model?): expected [1, 1], found [1, 2]"
    );
}

#[test]
fn schedules() {
    let step = StepDecay {
        every: 10,
        factor: 0.5,
    };
    assert_eq!(step.lr(9, 1.0), 1.0);
    assert_eq!(step.lr(25, 1.0), 0.25);
    assert_eq!(
        StepDecay {
            every: 0,
            factor: 0.5
        }
        .lr(25, 1.0),
        1.0
    );
    assert!((ExponentialDecay { gamma: 0.9 }.lr(2, 2.0) - 1.62).abs() < 1e-12);
    let lin = LinearDecay {
        epochs: 100,
        final_fraction: 0.1,
    };
    assert_eq!(lin.lr(0, 1.0), 1.0);
    assert!((lin.lr(100, 1.0) - 0.1).abs() < 1e-15);
    assert!((lin.lr(500, 1.0) - 0.1).abs() < 1e-15);
}

/// Plain SGD's `step` adds each weight gradient straight into the weights
/// (kept as a product by the backward pass): in f64 the same bits as the
/// same gradients, made dense, applied by `update` (`step_with`); and an
/// SGD with momentum still takes the `update` path.
#[test]
fn plain_sgd_step_gives_the_bits_of_update() {
    use crate::{Activation, Init, Mlp};
    let acts = [Activation::Tanh, Activation::Identity];
    let net = Mlp::<f64>::new(&[3, 4, 2], &acts, Init::He, 1).unwrap();
    let x = Tensor::from_vec(&[5, 3], (0..15).map(|i| (i as f64 * 0.37).sin()).collect()).unwrap();
    let loss = |m: &Mlp<f64>, t: &Tape<f64>| {
        m.forward(t.tensor_constant(x.clone()))
            .unwrap()
            .powi(2)
            .sum()
            .backward()
    };
    for momentum in [0.0, 0.5] {
        let (mut a, mut b) = (net.clone(), net.clone());
        let mut sgd = Sgd::new(0.1).with_momentum(momentum);
        assert_eq!(sgd.plain_rate().is_some(), momentum == 0.0);
        let ta = Tape::new();
        let ga = loss(&a, &ta);
        sgd.step(&mut a, &ga).unwrap();
        let tb = Tape::new();
        let gb = loss(&b, &tb);
        let dense = ParamGrads::of(&b, &gb).unwrap();
        Sgd::new(0.1)
            .with_momentum(momentum)
            .step_with(&mut b, &dense)
            .unwrap();
        let bits = |m: &Mlp<f64>| -> Vec<u64> {
            m.params()
                .iter()
                .flat_map(|(_, _, t)| t.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>())
                .collect()
        };
        assert_eq!(bits(&a), bits(&b), "momentum {momentum}");
        assert_ne!(bits(&a), bits(&net), "the step moved the weights");
    }
}
