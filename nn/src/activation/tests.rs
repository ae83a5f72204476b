use super::*;
use autograd::{check_tensor_grad, Tape, Tensor};

#[test]
fn tensor_and_scalar_forms_agree() {
    let xs = [-1.5, -0.2, 0.3, 2.0];
    for act in [
        Activation::Identity,
        Activation::Step,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.2),
        Activation::Softmax,
        Activation::Softplus,
        Activation::Gelu,
        Activation::Silu,
        Activation::Elu(1.0),
        Activation::Elu(0.5),
    ] {
        let weights = [0.5, -1.0, 2.0, 0.25];
        let tape = Tape::new();
        let z = tape.tensor(Tensor::from_f64(&[4], &xs).unwrap());
        let a = act.apply(z);
        let c = tape.tensor_constant(Tensor::from_f64(&[4], &weights).unwrap());
        let tensor_grad = (a * c).sum().backward()[z].to_vec();
        let zs = tape.vars(&xs);
        let vs = act.apply_vars(&zs);
        let values: Vec<f64> = vs.iter().map(|v| v.value()).collect();
        let loss = vs
            .iter()
            .zip(weights)
            .fold(tape.constant(0.0), |s, (&v, w)| s + v * w);
        let g = loss.backward();
        let scalar_grad: Vec<f64> = zs.iter().map(|&z| g[z]).collect();
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-15);
        assert!(close(&a.value().to_vec(), &values), "{act}");
        assert!(
            close(&tensor_grad, &scalar_grad),
            "{act}: {tensor_grad:?} vs {scalar_grad:?}"
        );
    }
}

#[test]
fn gradients_match_central_differences() {
    let x = Tensor::from_vec(&[2, 3], vec![-1.2, 0.4, 2.0, 0.7, -0.3, 1.1]).unwrap();
    let w = Tensor::from_vec(&[2, 3], vec![0.3, -1.0, 0.5, 2.0, 0.1, -0.7]).unwrap();
    for act in [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.1),
        Activation::Softmax,
        Activation::Softplus,
        Activation::Gelu,
        Activation::Silu,
        Activation::Elu(1.0),
        Activation::Elu(0.3),
    ] {
        let w = w.clone();
        check_tensor_grad(
            move |p| {
                let c = p[0].tape().tensor_constant(w.clone());
                (act.apply(p[0]) * c).sum()
            },
            std::slice::from_ref(&x),
        )
        .assert_passed();
    }
}

#[test]
fn dense_layers_fuse_every_elementwise_activation_bit_for_bit() {
    let x = Tensor::from_vec(&[2, 3], vec![-1.2, 0.4, 2.0, 0.7, -0.3, 1.1]).unwrap();
    let w = Tensor::from_vec(&[3, 2], vec![0.3, -1.0, 0.5, 2.0, 0.1, -0.7]).unwrap();
    let b = Tensor::from_vec(&[2], vec![0.1, -0.2]).unwrap();
    for act in [
        Activation::Identity,
        Activation::Step,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.1),
        Activation::LeakyRelu(-0.1),
        Activation::Softmax,
        Activation::Softplus,
        Activation::Gelu,
        Activation::Silu,
        Activation::Elu(1.0),
    ] {
        let tape = Tape::new();
        let (xv, wv, bv) = (
            tape.tensor(x.clone()),
            tape.tensor(w.clone()),
            tape.tensor(b.clone()),
        );
        let fused = act.try_apply_dense(xv, wv, bv).unwrap();
        let plain = act.apply(xv.matmul_bias(wv, bv));
        assert_eq!(fused.value(), plain.value(), "{act}");
        let (gf, gp) = (
            (fused * fused).sum().backward(),
            (plain * plain).sum().backward(),
        );
        for v in [xv, wv, bv] {
            assert_eq!(gf[v], gp[v], "{act}");
        }
    }
}

#[test]
fn step_passes_no_gradient() {
    let tape = Tape::new();
    let z = tape.tensor(Tensor::from_vec(&[2], vec![-1.0, 1.0]).unwrap());
    let g = Activation::Step.apply(z).sum().backward();
    assert_eq!(g[z].data(), &[0.0, 0.0]);
}

#[test]
fn softmax_rows_sum_to_one_without_overflow() {
    let tape = Tape::new();
    let z = Tensor::from_vec(&[2, 2], vec![1000.0, 1000.0, 0.0, 1.0]).unwrap();
    let a = Activation::Softmax.apply(tape.tensor(z)).value();
    assert_eq!(a.at(&[0, 0]), 0.5);
    assert!((a.at(&[1, 0]) + a.at(&[1, 1]) - 1.0).abs() < 1e-15);
    let v = Activation::Softmax.apply_vars(&tape.vars(&[1000.0, 1000.0]));
    assert_eq!(v[0].value(), 0.5);
    assert!(Activation::Softmax.apply_vars::<f64>(&[]).is_empty());
    let scalar = tape.tensor(Tensor::scalar(1.0));
    let err = Activation::Softmax
        .try_apply(scalar)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "softmax input: expected a tensor with at least one axis, found a 0-dimensional tensor"
    );
}

#[test]
#[should_panic(expected = "softmax is not element-wise")]
fn softmax_on_one_scalar_panics() {
    let tape = Tape::new();
    Activation::Softmax.apply_var(tape.var(1.0));
}

#[test]
fn names_round_trip_and_bad_names_are_listed() {
    for act in [
        Activation::Identity,
        Activation::Step,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu(0.01),
        Activation::LeakyRelu(0.2),
        Activation::Softmax,
        Activation::Softplus,
        Activation::Gelu,
        Activation::Silu,
        Activation::Elu(1.0),
        Activation::Elu(0.5),
    ] {
        assert_eq!(act.to_string().parse::<Activation>().unwrap(), act);
    }
    assert_eq!(Activation::Elu(1.0).to_string(), "elu");
    assert_eq!(Activation::Elu(0.5).to_string(), "elu(0.5)");
    assert_eq!("swish".parse::<Activation>().unwrap(), Activation::Silu);
    assert_eq!("GELU".parse::<Activation>().unwrap(), Activation::Gelu);
    assert!("gelu(2)".parse::<Activation>().is_err());
    assert_eq!(
        "Linear".parse::<Activation>().unwrap(),
        Activation::Identity
    );
    assert_eq!(
        "leaky-relu( 0.3 )".parse::<Activation>().unwrap(),
        Activation::LeakyRelu(0.3)
    );
    assert_eq!(
        "leaky-relu:0.1".parse::<Activation>().unwrap(),
        Activation::LeakyRelu(0.1)
    );
    for name in Activation::names() {
        assert!(name.parse::<Activation>().is_ok(), "{name}");
    }
    let err = "mish".parse::<Activation>().unwrap_err().to_string();
    assert_eq!(
        err,
        "activation: expected one of identity (or linear), step, sigmoid, tanh, relu, leaky_relu, leaky_relu(<slope>), softmax, softplus, gelu, silu (or swish), elu, elu(<alpha>), found `mish`"
    );
    assert!("leaky_relu(abc)".parse::<Activation>().is_err());
    let err = "leaky_relu(inf)"
        .parse::<Activation>()
        .unwrap_err()
        .to_string();
    assert_eq!(err, "leaky_relu slope: expected a finite number, found inf");
    let err = "elu(nan)".parse::<Activation>().unwrap_err().to_string();
    assert_eq!(err, "elu alpha: expected a finite number, found NaN");
    // a negative slope is refused; 0 (relu) is a slope
    let err = "leaky_relu(-0.5)"
        .parse::<Activation>()
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "leaky_relu slope: expected a finite number ≥ 0, found -0.5"
    );
    assert!("leaky-relu:-1".parse::<Activation>().is_err());
    assert_eq!(
        "leaky_relu(0)".parse::<Activation>().unwrap(),
        Activation::LeakyRelu(0.0)
    );
}
