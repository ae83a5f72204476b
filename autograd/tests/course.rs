//! The course's formulas, checked on the tape at several points: the bean's
//! cost e(w) = (0.68 − 0.4w)² and its derivative, the chain rule for the
//! sigmoid neuron, the second derivative 0.32, the perceptron's NAND, and
//! micrograd's two published test expressions.

mod common;

use autograd::{hessian, hessian_tensor, hvp, Dual, Real, Tape, Tensor, TensorVar, Var};
use common::assert_close;

/// Points to evaluate at, spread over the "error valley".
const WS: [f64; 7] = [-2.0, -0.5, 0.0, 0.3, 1.0, 1.7, 3.25];

/// The bean of the first chapter: size x = 0.4, true toxicity y = 0.68.
const X: f64 = 0.4;
const Y: f64 = 0.68;

/// e(w) = (y − wx)², written once for any element type.
fn cost<'t, E: Real>(w: Var<'t, E>) -> Var<'t, E> {
    (Y - w * X).powi(2)
}

#[test]
fn bean_cost_expands_to_the_course_polynomial() {
    for w0 in WS {
        let tape = Tape::new();
        let w = tape.var(w0);
        let e = cost(w);
        let poly = 0.16 * w0 * w0 - 0.544 * w0 + 0.4624;
        assert_close(e.value(), poly, 1e-12, "e(w) = 0.16w² − 0.544w + 0.4624");
    }
}

#[test]
fn bean_cost_derivative_is_minus_2x_times_the_error() {
    for w0 in WS {
        let tape = Tape::new();
        let w = tape.var(w0);
        let g = cost(w).backward();
        let chain = -2.0 * X * (Y - w0 * X);
        assert_close(g[w], chain, 1e-12, "de/dw = −2x(y − wx)");
        // the same from the expanded polynomial: 0.32w − 0.544
        assert_close(g[w], 0.32 * w0 - 0.544, 1e-12, "de/dw = 0.32w − 0.544");
    }
    // the valley's floor: de/dw = 0 at w = y/x = 1.7
    let tape = Tape::new();
    let w = tape.var(1.7);
    assert_close(cost(w).backward()[w], 0.0, 1e-12, "de/dw at the floor");
}

#[test]
fn bean_cost_chain_rule_by_parts() {
    // h = y − wx, e = h²: de/dh = 2h, dh/dw = −x, de/dw = 2h·(−x)
    for w0 in WS {
        let tape = Tape::new();
        let w = tape.var(w0);
        let h = Y - w * X;
        let e = h * h;
        let g = e.backward();
        assert_close(g[h], 2.0 * h.value(), 1e-12, "de/dh = 2h");
        assert_close(g[w], 2.0 * h.value() * -X, 1e-12, "de/dw = (de/dh)(dh/dw)");
    }
}

#[test]
fn bean_cost_second_derivative_is_0_32() {
    for w0 in WS {
        let h = hessian(|p: &[Var<Dual>]| cost(p[0]), &[w0]);
        assert_close(h[0][0], 0.32, 1e-12, "d²e/dw² = 2x² = 0.32");
        let r = hvp(|p: &[Var<Dual>]| cost(p[0]), &[w0], &[1.0]);
        assert_close(r.value, (Y - w0 * X).powi(2), 1e-12, "hvp value");
        assert_close(r.grad[0], -2.0 * X * (Y - w0 * X), 1e-12, "hvp gradient");
        assert_close(r.hv[0], 0.32, 1e-12, "hvp");
    }
}

#[test]
fn gradient_descent_walks_down_the_valley_to_1_7() {
    // new w = old w − α·de/dw, from the course's starting side of the valley
    let mut w0 = 0.0;
    let alpha = 1.5;
    for _ in 0..200 {
        let tape = Tape::new();
        let w = tape.var(w0);
        let g = cost(w).backward();
        w0 -= alpha * g[w];
    }
    assert_close(w0, 1.7, 1e-9, "the minimum of e(w)");
}

#[test]
fn line_with_bias_partial_derivatives() {
    // y_pred = wx + b, e = (y − y_pred)²: ∂e/∂w = −2x(y − wx − b), ∂e/∂b = −2(y − wx − b)
    for (w0, b0, x, y) in [
        (0.5, 0.1, 0.4, 0.68),
        (-1.0, 0.3, 1.2, 0.2),
        (2.0, -0.7, 0.9, 0.95),
    ] {
        let tape = Tape::new();
        let (w, b) = (tape.var(w0), tape.var(b0));
        let e = (y - (w * x + b)).powi(2);
        let g = e.backward();
        let r = y - w0 * x - b0;
        assert_close(e.value(), r * r, 1e-12, "e(w, b)");
        assert_close(g[w], -2.0 * x * r, 1e-12, "∂e/∂w");
        assert_close(g[b], -2.0 * r, 1e-12, "∂e/∂b");
        // the bowl's Hessian: 2·[[x², x], [x, 1]]
        let h = hessian(|p: &[Var<Dual>]| (y - (p[0] * x + p[1])).powi(2), &[w0, b0]);
        let want = [[2.0 * x * x, 2.0 * x], [2.0 * x, 2.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert_close(h[i][j], want[i][j], 1e-12, "Hessian of e(w, b)");
            }
        }
    }
}

#[test]
fn sigmoid_neuron_partial_derivatives() {
    // a = sigmoid(wx + b), e = (y − a)²:
    // ∂e/∂w = −2(y − a)·a(1 − a)·x, ∂e/∂b = −2(y − a)·a(1 − a)
    let points = [
        (0.5, -0.2, 0.8, 1.0),
        (0.0, 0.0, 0.4, 0.68),
        (-1.5, 0.7, 1.3, 0.0),
        (3.0, -2.0, 0.25, 0.5),
        (0.1, 4.0, -2.0, 1.0),
    ];
    for (w0, b0, x, y) in points {
        let tape = Tape::new();
        let (w, b) = (tape.var(w0), tape.var(b0));
        let a = (w * x + b).sigmoid();
        let e = (y - a).powi(2);
        let g = e.backward();
        let av = 1.0 / (1.0 + (-(w0 * x + b0)).exp());
        assert_close(a.value(), av, 1e-15, "a = sigmoid(wx + b)");
        let dz = -2.0 * (y - av) * av * (1.0 - av);
        assert_close(g[w], dz * x, 1e-12, "∂e/∂w");
        assert_close(g[b], dz, 1e-12, "∂e/∂b");
        // ∂e/∂a = −2(y − a) and ∂a/∂z = a(1 − a), read off the tape
        assert_close(g[a], -2.0 * (y - av), 1e-12, "∂e/∂a");
    }
}

#[test]
fn sigmoid_neuron_on_a_batch_of_beans_matches_the_per_bean_sum() {
    // the tensor form (a batch of beans, mean squared error) gives the mean
    // of the per-bean gradients of the scalar form
    let xs = [0.1, 0.4, 0.7, 1.1, 1.6];
    let ys = [0.0, 0.68, 0.3, 1.0, 0.9];
    let (w0, b0) = (0.8, -0.3);
    let tape = Tape::new();
    let w = tape.tensor(Tensor::from_vec(&[1, 1], vec![w0]).unwrap());
    let b = tape.tensor(Tensor::from_vec(&[1], vec![b0]).unwrap());
    let x = tape.tensor_constant(Tensor::from_vec(&[5, 1], xs.to_vec()).unwrap());
    let y = tape.tensor_constant(Tensor::from_vec(&[5, 1], ys.to_vec()).unwrap());
    let a = (x.matmul(w) + b).sigmoid();
    let loss = (y - a).powi(2).mean();
    let g = loss.backward();
    let (mut gw, mut gb, mut l) = (0.0, 0.0, 0.0);
    for (&x, &y) in xs.iter().zip(&ys) {
        let tape = Tape::new();
        let (w, b) = (tape.var(w0), tape.var(b0));
        let e = (y - (w * x + b).sigmoid()).powi(2);
        let ge = e.backward();
        gw += ge[w] / 5.0;
        gb += ge[b] / 5.0;
        l += e.value() / 5.0;
    }
    assert_close(loss.value(), l, 1e-14, "batch loss");
    assert_close(g[w].item(), gw, 1e-14, "batch ∂/∂w");
    assert_close(g[b].item(), gb, 1e-14, "batch ∂/∂b");
}

#[test]
fn sigmoid_neuron_hessian_in_tensor_form_matches_scalar_form() {
    let (x, y) = (0.9, 0.3);
    let at = Tensor::from_vec(&[2], vec![0.4, -0.1]).unwrap();
    let ht = hessian_tensor(
        |p: TensorVar<Dual>| {
            let xb = p
                .tape()
                .tensor_constant(Tensor::from_f64(&[2], &[x, 1.0]).unwrap());
            let z = (p * xb).sum();
            (y - z.sigmoid()).powi(2)
        },
        &at,
    );
    let hs = hessian(
        |p: &[Var<Dual>]| (y - (p[0] * x + p[1]).sigmoid()).powi(2),
        &[0.4, -0.1],
    );
    for (i, row) in hs.iter().enumerate() {
        for (j, &h) in row.iter().enumerate() {
            assert_close(ht.at(&[i, j]), h, 1e-12, "Hessian");
        }
    }
    assert_close(hs[0][1], hs[1][0], 1e-15, "symmetric");
}

#[test]
fn mcculloch_pitts_weighted_sum() {
    // inputs x1..x3 with the course's weights 1.5, 1.2, 0.6: ∂(Σ wᵢxᵢ)/∂wᵢ = xᵢ
    let tape = Tape::new();
    let w = tape.vars(&[1.5, 1.2, 0.6]);
    let x = [0.9, 0.5, 0.2];
    let s = w[0] * x[0] + w[1] * x[1] + w[2] * x[2];
    assert_close(s.value(), 1.35 + 0.6 + 0.12, 1e-12, "weighted sum");
    let g = s.backward();
    for i in 0..3 {
        assert_eq!(g[w[i]], x[i]);
    }
}

#[test]
fn perceptron_with_weights_minus_2_and_threshold_3_is_nand() {
    // output 1 when x1·(−2) + x2·(−2) + 3 > 0, else 0
    let tape = Tape::new();
    for (x1, x2, want) in [
        (0.0, 0.0, 1.0),
        (0.0, 1.0, 1.0),
        (1.0, 0.0, 1.0),
        (1.0, 1.0, 0.0),
    ] {
        let (a, b) = (tape.var(x1), tape.var(x2));
        let z = a * -2.0 + b * -2.0 + 3.0;
        let out = z.step();
        assert_eq!(out.value(), want, "NAND({x1}, {x2})");
        if (x1, x2) == (1.0, 1.0) {
            assert_eq!(z.value(), -1.0, "the course's −4 + 3 = −1");
        }
        // the step passes no gradient: why the course moves on to sigmoid
        let g = out.backward();
        assert_eq!((g[a], g[b]), (0.0, 0.0));
    }
}

#[test]
fn micrograd_sanity_check() {
    let tape = Tape::new();
    let x = tape.var(-4.0);
    let z = 2.0 * x + 2.0 + x;
    let q = z.relu() + z * x;
    let h = (z * z).relu();
    let y = h + q + q * x;
    let g = y.backward();
    assert_eq!(y.value(), -20.0);
    assert_eq!(g[x], 46.0);
}

#[test]
fn micrograd_more_ops() {
    let tape = Tape::new();
    let a = tape.var(-4.0);
    let b = tape.var(2.0);
    let c = a + b;
    let d = a * b + b.powi(3);
    let c = c + (c + 1.0);
    let c = c + (1.0 + c + (-a));
    let d = d + (d * 2.0 + (b + a).relu());
    let d = d + (3.0 * d + (b - a).relu());
    let e = c - d;
    let f = e.powi(2);
    let g = f / 2.0;
    let g = g + 10.0 / f;
    let grads = g.backward();
    assert_close(g.value(), 24.70408163265306, 1e-12, "g");
    assert_close(grads[a], 138.83381924198252, 1e-10, "dg/da");
    assert_close(grads[b], 645.5772594752186, 1e-10, "dg/db");
}

#[test]
fn micrograd_values_in_f32() {
    // the same expression on an f32 tape, within f32 precision
    let tape: Tape<f32> = Tape::default();
    let a = tape.var(-4.0);
    let b = tape.var(2.0);
    let c = a + b;
    let d = a * b + b.powi(3);
    let c = c + (c + 1.0);
    let c = c + (1.0 + c + (-a));
    let d = d + (d * 2.0 + (b + a).relu());
    let d = d + (3.0 * d + (b - a).relu());
    let f = (c - d).powi(2);
    let g = f / 2.0 + 10.0 / f;
    let grads = g.backward();
    assert_close(g.to_f64(), 24.70408163265306, 1e-4, "g (f32)");
    assert_close(grads[a] as f64, 138.83381924198252, 1e-3, "dg/da (f32)");
    assert_close(grads[b] as f64, 645.5772594752186, 1e-3, "dg/db (f32)");
}
