//! The tensor `Mlp` and the scalar `ScalarMlp` built from the same weights
//! compute the same outputs, losses and gradients (f64, to 1e-12), though
//! they reach them by entirely different routes through the tape: a few
//! matrix ops per layer against one scalar node per multiply-add.

use autograd::{Tape, Tensor, Var};
use nn::activation::Activation::{self, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Tanh};
use nn::init::{Init, Rng};
use nn::layers::Mlp;
use nn::loss;
use nn::param::ParamGrads;
use nn::scalar_net::ScalarMlp;
use proptest::prelude::*;

const TOL: f64 = 1e-12;

/// A batch of `n` samples of width `d`, seeded.
fn batch(n: usize, d: usize, seed: u64) -> Tensor<f64> {
    let mut rng = Rng::new(seed);
    let data = (0..n * d).map(|_| rng.uniform(-2.0, 2.0)).collect();
    Tensor::from_vec(&[n, d], data).unwrap()
}

/// Runs the tensor network and the scalar network on the same batch with a
/// loss written both ways; returns (tensor loss, tensor grads, scalar loss,
/// scalar grads).
fn both<FT, FS>(
    mlp: &Mlp<f64>,
    x: &Tensor<f64>,
    tensor_loss: FT,
    scalar_loss: FS,
) -> (f64, ParamGrads<f64>, f64, ParamGrads<f64>)
where
    FT: for<'t> Fn(autograd::TensorVar<'t, f64>) -> Var<'t, f64>,
    FS: for<'t> Fn(usize, &[Var<'t, f64>]) -> Var<'t, f64>,
{
    let tape = Tape::new();
    let out = mlp.forward(tape.tensor_constant(x.clone())).unwrap();
    let lt = tensor_loss(out);
    let gt = ParamGrads::of(mlp, &lt.backward()).unwrap();

    let net = ScalarMlp::from_mlp(mlp);
    let tape = Tape::new();
    let p = net.bind(&tape);
    let d = x.shape()[1];
    let mut total = tape.constant(0.0);
    for i in 0..x.shape()[0] {
        // inputs are data, not parameters: constants on the tape
        let xi: Vec<Var<'_, f64>> = x.data()[i * d..(i + 1) * d]
            .iter()
            .map(|&v| tape.constant(v))
            .collect();
        let y = net.forward(&p, &xi).unwrap();
        total = total + scalar_loss(i, &y);
    }
    let gs = p.grads(&total.backward());
    (lt.value(), gt, total.value(), gs)
}

fn assert_same(lt: f64, gt: &ParamGrads<f64>, ls: f64, gs: &ParamGrads<f64>) {
    assert!((lt - ls).abs() < TOL, "loss: tensor {lt} vs scalar {ls}");
    let diff = gt.max_abs_diff(gs);
    assert!(diff < TOL, "gradients differ by {diff}:\n{gt:?}\n{gs:?}");
    assert!(
        gt.global_norm() > 0.0,
        "a test with zero gradients checks nothing"
    );
}

#[test]
fn squared_error_through_mixed_activations() {
    let mlp = Mlp::new(
        &[3, 5, 4, 2],
        &[Tanh, LeakyRelu(0.1), Sigmoid],
        Init::Nielsen,
        11,
    )
    .unwrap();
    let x = batch(6, 3, 1);
    let t = batch(6, 2, 2);
    let tt = t.clone();
    let (lt, gt, ls, gs) = both(
        &mlp,
        &x,
        move |o| loss::squared_error(o, o.tape().tensor_constant(tt.clone())).unwrap(),
        |i, y| {
            let row = &t.data()[i * 2..i * 2 + 2];
            y.iter()
                .zip(row)
                .fold(y[0].tape().constant(0.0), |s, (&yj, &tj)| {
                    s + (yj - tj).powi(2)
                })
        },
    );
    assert_same(lt, &gt, ls, &gs);
}

#[test]
fn softmax_cross_entropy_on_logits() {
    let mlp = Mlp::new(&[2, 6, 3], &[Relu, Identity], Init::He, 5).unwrap();
    let x = batch(5, 2, 3);
    let classes = [0usize, 2, 1, 1, 0];
    let n = classes.len() as f64;
    let (lt, gt, ls, gs) = both(
        &mlp,
        &x,
        |o| loss::softmax_cross_entropy(o, &classes).unwrap(),
        |i, z| {
            let p = Activation::Softmax.apply_vars(z);
            -(p[classes[i]].ln()) / n
        },
    );
    assert_same(lt, &gt, ls, &gs);
}

#[test]
fn softmax_layer_with_mse() {
    let mlp = Mlp::new(&[4, 3, 3], &[Sigmoid, Softmax], Init::Xavier, 8).unwrap();
    let x = batch(4, 4, 9);
    let t = Tensor::one_hot(&[2, 0, 1, 2], 3).unwrap();
    let tt = t.clone();
    let (lt, gt, ls, gs) = both(
        &mlp,
        &x,
        move |o| loss::mse(o, o.tape().tensor_constant(tt.clone())).unwrap(),
        |i, y| {
            let row = &t.data()[i * 3..i * 3 + 3];
            y.iter()
                .zip(row)
                .fold(y[0].tape().constant(0.0), |s, (&yj, &tj)| {
                    s + (yj - tj).powi(2)
                })
                / 12.0
        },
    );
    assert_same(lt, &gt, ls, &gs);
}

/// The scalar side uses the textbook −t·ln σ(z) − (1 − t)·ln(1 − σ(z)); the
/// tensor side the stable form with its kinks. With all-zero weights every
/// logit is exactly 0, the kink itself: the gradients must still agree.
#[test]
fn bce_with_logits_matches_the_textbook_form_even_at_zero_logits() {
    for init in [Init::Xavier, Init::Zero] {
        let mlp = Mlp::new(&[2, 3, 1], &[Tanh, Identity], init, 4).unwrap();
        let x = batch(4, 2, 6);
        let t = [1.0, 0.0, 0.0, 0.0];
        let tt = Tensor::from_vec(&[4, 1], t.to_vec()).unwrap();
        let (lt, gt, ls, gs) = both(
            &mlp,
            &x,
            move |z| loss::bce_with_logits(z, z.tape().tensor_constant(tt.clone())).unwrap(),
            |i, z| {
                let s = z[0].sigmoid();
                -(s.ln() * t[i] + (1.0 - s).ln() * (1.0 - t[i])) / 4.0
            },
        );
        assert_same(lt, &gt, ls, &gs);
    }
}

#[test]
fn half_squared_error_and_l2_penalty() {
    let mlp = Mlp::new(&[2, 4, 1], &[Sigmoid, Tanh], Init::Playground, 2).unwrap();
    let x = batch(3, 2, 4);
    let t = [1.0, -1.0, 1.0];
    let tt = Tensor::from_vec(&[3, 1], t.to_vec()).unwrap();
    let tape = Tape::new();
    let out = mlp.forward(tape.tensor_constant(x.clone())).unwrap();
    // binding again in the same step gives the forward pass's parameters
    let p = mlp.params().bind(&tape);
    let lt = loss::half_squared_error(out, tape.tensor_constant(tt)).unwrap()
        + loss::l2_penalty(&p, &mlp.weight_ids()).unwrap() * 0.01;
    let gt = ParamGrads::of(&mlp, &lt.backward()).unwrap();

    let net = ScalarMlp::from_mlp(&mlp);
    let tape = Tape::new();
    let sp = net.bind(&tape);
    let mut total = tape.constant(0.0);
    for (i, &ti) in t.iter().enumerate() {
        let xi: Vec<Var<'_, f64>> = x.data()[i * 2..i * 2 + 2]
            .iter()
            .map(|&v| tape.constant(v))
            .collect();
        let y = net.forward(&sp, &xi).unwrap();
        total = total + (y[0] - ti).powi(2) * (0.5 / 3.0);
    }
    // ½·0.01·Σw² over the weights (not the biases), from the bound scalars
    let vars = sp.vars();
    let mut k = 0;
    for layer in &net.layers {
        let (inputs, outputs) = (layer.neurons[0].w.len(), layer.neurons.len());
        for v in &vars[k..k + inputs * outputs] {
            total = total + v.powi(2) * 0.005;
        }
        k += inputs * outputs + outputs;
    }
    let gs = sp.grads(&total.backward());
    assert_same(lt.value(), &gt, total.value(), &gs);
}

/// f32 and f64 networks with the same weights agree to f32 precision.
#[test]
fn f32_and_f64_agree() {
    let mlp = Mlp::<f64>::new(&[3, 8, 2], &[Tanh, Sigmoid], Init::Xavier, 3).unwrap();
    let single: Mlp<f32> = mlp.cast();
    let x = batch(7, 3, 5);
    let a = mlp.predict(&x).unwrap();
    let b = single.predict(&x.cast()).unwrap().cast::<f64>();
    assert!(a.max_abs_diff(&b) < 1e-6);
}

fn activation() -> impl Strategy<Value = Activation> {
    prop_oneof![
        Just(Identity),
        Just(Sigmoid),
        Just(Tanh),
        Just(Relu),
        Just(LeakyRelu(0.05)),
        Just(Softmax),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Random architectures, activations, seeds and batches.
    #[test]
    fn random_networks_agree(
        sizes in prop::collection::vec(1usize..5, 2..5),
        acts in prop::collection::vec(activation(), 4),
        seed in 0u64..1000,
        n in 1usize..5,
    ) {
        let acts = &acts[..sizes.len() - 1];
        let mlp = Mlp::new(&sizes, acts, Init::Xavier, seed).unwrap();
        let d = sizes[0];
        let k = *sizes.last().unwrap();
        let x = batch(n, d, seed + 1);
        let t = batch(n, k, seed + 2);
        let tt = t.clone();
        let (lt, gt, ls, gs) = both(
            &mlp,
            &x,
            move |o| loss::squared_error(o, o.tape().tensor_constant(tt.clone())).unwrap(),
            |i, y| {
                let row = &t.data()[i * k..(i + 1) * k];
                y.iter().zip(row).fold(y[0].tape().constant(0.0), |s, (&yj, &tj)| s + (yj - tj).powi(2))
            },
        );
        prop_assert!((lt - ls).abs() < TOL, "loss {} vs {}", lt, ls);
        prop_assert!(gt.max_abs_diff(&gs) < TOL, "gradients differ by {}", gt.max_abs_diff(&gs));
    }
}
