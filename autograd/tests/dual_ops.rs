//! Every tensor op, fused op and element-wise function runs on `Dual`
//! elements: for each one the Hessian from `hessian_tensor` (forward over
//! reverse) equals the central differences of the gradient, in f64, and is
//! symmetric. The loss wraps each op's output in a smooth function with
//! position-dependent weights, so a linear op still has a non-zero Hessian
//! and a wrong second-order partial anywhere would show.

use autograd::{func, hessian_tensor, hvp_tensor, Dual, Tensor, TensorVar, Var};

/// The step of the central differences of the gradient.
const H: f64 = 1e-5;

/// A smooth scalar of any tensor: Σ wᵢ·tanh(yᵢ), wᵢ differing by position.
fn loss<'t>(y: TensorVar<'t, Dual>) -> Var<'t, Dual> {
    let n = y.len();
    let w: Vec<f64> = (0..n).map(|i| 0.5 + 0.37 * i as f64).collect();
    let w = y.tape().tensor_from(&y.shape(), &w).expect("weights");
    (y.tanh() * w).sum()
}

/// A constant on the tape of `x`.
fn constant<'t>(x: TensorVar<'t, Dual>, shape: &[usize], data: &[f64]) -> TensorVar<'t, Dual> {
    x.tape().tensor_from(shape, data).expect("constant")
}

/// The Hessian of `f` at `at` against the central differences of its
/// gradient, element by element, and its symmetry.
fn check<F>(what: &str, f: F, at: &Tensor<f64>)
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> Var<'t, Dual>,
{
    let n = at.len();
    let h = hessian_tensor(&f, at);
    assert_eq!(h.shape(), &[n, n], "{what}: Hessian shape");
    let zero = Tensor::zeros(at.shape());
    let grad_at = |d: &[f64]| {
        let p = Tensor::from_vec(at.shape(), d.to_vec()).expect("shape");
        hvp_tensor(&f, &p, &zero).0
    };
    let mut nonzero = false;
    for j in 0..n {
        let (mut plus, mut minus) = (at.data().to_vec(), at.data().to_vec());
        plus[j] += H;
        minus[j] -= H;
        let (gp, gm) = (grad_at(&plus), grad_at(&minus));
        for i in 0..n {
            let want = (gp.data()[i] - gm.data()[i]) / (2.0 * H);
            let got = h.at(&[i, j]);
            assert!(got.is_finite(), "{what}: H[{i}][{j}] = {got}");
            assert!(
                (got - want).abs() <= 1e-6 * (1.0 + want.abs()),
                "{what}: H[{i}][{j}] = {got}, central differences of the gradient give {want}"
            );
            assert!(
                (got - h.at(&[j, i])).abs() <= 1e-10 * (1.0 + got.abs()),
                "{what}: H is not symmetric at [{i}][{j}]"
            );
            nonzero |= got.abs() > 1e-3;
        }
    }
    assert!(
        nonzero,
        "{what}: the Hessian is all zero, the test shows nothing"
    );
}

/// Six distinct values away from kinks and zero, shaped [2, 3].
fn point() -> Tensor<f64> {
    Tensor::from_vec(&[2, 3], vec![0.3, -0.7, 1.1, -0.4, 0.9, 0.55]).expect("point")
}

#[test]
fn element_wise_functions_have_their_hessian_on_dual() {
    let at = point();
    let positive = Tensor::from_vec(&[2, 3], vec![0.3, 0.7, 1.1, 0.4, 0.9, 0.55]).unwrap();
    check("exp", |x| loss(x.exp()), &at);
    check("ln", |x| loss(x.ln()), &positive);
    check("log1p", |x| loss(x.log1p()), &positive);
    check("sqrt", |x| loss(x.sqrt()), &positive);
    check("recip", |x| loss(x.recip()), &at);
    check("square", |x| loss(x.square()), &at);
    check("abs", |x| loss(x.abs()), &at);
    check("sin", |x| loss(x.sin()), &at);
    check("cos", |x| loss(x.cos()), &at);
    check("tanh", |x| loss(x.tanh()), &at);
    check("sigmoid", |x| loss(x.sigmoid()), &at);
    check("relu", |x| loss(x.relu()), &at);
    check("leaky_relu", |x| loss(x.leaky_relu(0.1)), &at);
    check("softplus", |x| loss(x.softplus()), &at);
    check("gelu", |x| loss(x.gelu()), &at);
    check("silu", |x| loss(x.silu()), &at);
    check("elu", |x| loss(x.elu(0.8)), &at);
    check("step_ste", |x| loss(x.step_ste() + x), &at);
    check("powf", |x| loss(x.powf(1.7)), &positive);
    check("powi", |x| loss(x.powi(3)), &at);
    check("clamp", |x| loss(x.clamp(-0.5, 1.0)), &at);
    check("scale/shift", |x| loss(x.scale(-1.3).shift(0.2)), &at);
    check("rsub/rdiv", |x| loss(x.rsub(2.0) + x.rdiv(0.5)), &at);
    check("negate", |x| loss(x.negate()), &at);
}

#[test]
fn binary_ops_with_broadcasting_have_their_hessian_on_dual() {
    let at = point();
    let row = [0.8, -1.2, 0.45];
    check("t * t", |x| loss(x * x.t().t()), &at);
    check("t + row", |x| loss(x + constant(x, &[3], &row)), &at);
    check("row - t", |x| loss(constant(x, &[3], &row) - x), &at);
    check("t * row", |x| loss(x * constant(x, &[1, 3], &row)), &at);
    check("t / t", |x| loss(x / x.square().shift(1.0)), &at);
    check("row / t", |x| loss(constant(x, &[3], &row) / x), &at);
    check("pow", |x| loss(x.square().shift(0.5).pow(x)), &at);
    check("maximum", |x| loss(x.maximum(x.scale(-0.5))), &at);
    check("minimum", |x| loss(x.minimum(x.scale(-0.5))), &at);
}

#[test]
fn shape_index_and_reduction_ops_have_their_hessian_on_dual() {
    let at = point();
    check("t", |x| loss(x.t()), &at);
    check("reshape", |x| loss(x.reshape(&[3, 2])), &at);
    check("slice", |x| loss(x.slice(1, 1, 3)), &at);
    check(
        "concat",
        |x| loss(TensorVar::concat(&[x, x.square()], 0)),
        &at,
    );
    check("gather", |x| loss(x.gather(&[2, 0])), &at);
    check("broadcast_to", |x| loss(x.broadcast_to(&[2, 2, 3])), &at);
    check("sum_axis", |x| loss(x.sum_axis(0, false)), &at);
    check("mean_axis", |x| loss(x.mean_axis(1, true)), &at);
    check("mean", |x| x.square().mean().tanh(), &at);
    check("max_axis", |x| loss(x.max_axis(1, false)), &at);
    check("min_axis", |x| loss(x.min_axis(0, true)), &at);
    check("max_all", |x| x.max_all().tanh() + loss(x), &at);
    check("min_all", |x| x.min_all().sin() + loss(x), &at);
    check("softmax", |x| loss(x.softmax(1)), &at);
    check("log_softmax", |x| loss(x.log_softmax(0)), &at);
    check("logsumexp", |x| loss(x.logsumexp(1, false)), &at);
    check("matmul", |x| loss(x.matmul(x.t())), &at);
}

/// A fused dense layer x·w + b with its activation chosen.
type Dense = for<'a> fn(
    TensorVar<'a, Dual>,
    TensorVar<'a, Dual>,
    TensorVar<'a, Dual>,
) -> TensorVar<'a, Dual>;

#[test]
fn fused_ops_have_their_hessian_on_dual() {
    let at = point();
    let w = [0.5, -0.3, 0.8, 0.1, -0.6, 0.4];
    let b = [0.2, -0.1];
    // x [2,3] as the batch, w [3,2], b [2]: and x as the weights too
    check(
        "matmul_bias",
        |x| loss(x.matmul_bias(constant(x, &[3, 2], &w), constant(x, &[2], &b))),
        &at,
    );
    let acts: [(&str, Dense); 6] = [
        ("tanh", |x, w, b| x.matmul_bias_act(w, b, func::Tanh)),
        ("sigmoid", |x, w, b| x.matmul_bias_act(w, b, func::Sigmoid)),
        ("softplus", |x, w, b| {
            x.matmul_bias_act(w, b, func::Softplus)
        }),
        ("gelu", |x, w, b| x.matmul_bias_act(w, b, func::Gelu)),
        ("silu", |x, w, b| x.matmul_bias_act(w, b, func::Silu)),
        ("elu", |x, w, b| {
            x.matmul_bias_act(w, b, func::Elu { alpha: 0.8 })
        }),
    ];
    for (name, act) in acts {
        check(
            &format!("matmul_bias_act {name}, batch"),
            |x| loss(act(x, constant(x, &[3, 2], &w), constant(x, &[2], &b))),
            &at,
        );
        check(
            &format!("matmul_bias_act {name}, weights"),
            |x| {
                let batch = constant(x, &[2, 2], &[0.4, -0.9, 1.3, 0.2]);
                loss(act(batch, x, constant(x, &[3], &[0.1, 0.0, -0.2])))
            },
            &at,
        );
    }
    let target = [0.1, 0.5, -0.3, 0.7, 0.2, 0.0];
    check(
        "sum_sq_diff",
        |x| x.tanh().sum_sq_diff(constant(x, &[2, 3], &target)),
        &at,
    );
    check(
        "softmax_cross_entropy",
        |x| x.softmax_cross_entropy(&[2, 0]),
        &at,
    );
}
