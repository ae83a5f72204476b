//! A gradient check for every op, scalar and tensor, in `f64`: the tape's
//! derivative against central differences at seeded random points chosen
//! away from kinks (relu at 0, abs at 0, clamp at its bounds, max/min at
//! ties). Ops whose derivative is a convention rather than a limit (step,
//! step_ste, ties) are checked for exactly the documented value.

mod common;

use autograd::{check_grad, check_tensor_grad, func, Func, Tape, Tensor, TensorVar, Var};
use common::{assert_close, check_mixed, weight, wsum, Rng};

/// Random points per op.
const POINTS: usize = 6;

/// Checks `f(vars, consts)` at [`POINTS`] points drawn by `sample`, which
/// returns the variables' values and any constants the expression uses.
#[track_caller]
fn scalar_op<S, F>(name: &str, seed: u64, sample: S, f: F)
where
    S: Fn(&mut Rng) -> (Vec<f64>, Vec<f64>),
    F: for<'t> Fn(&[Var<'t>], &[f64]) -> Var<'t>,
{
    let mut rng = Rng::new(seed);
    for _ in 0..POINTS {
        let (at, consts) = sample(&mut rng);
        let report = check_grad(|p: &[Var]| f(p, &consts), &at);
        assert!(
            report.passed(),
            "{name} at {at:?} with constants {consts:?}:\n{report}"
        );
    }
}

/// Checks `wsum(f(tensors, consts))`-style functions of tensors of the given
/// shapes, with elements drawn by `elem(input index, rng)`.
#[track_caller]
fn tensor_op<S, F>(name: &str, seed: u64, shapes: &[&[usize]], elem: S, consts: &[f64], f: F)
where
    S: Fn(usize, &mut Rng) -> f64,
    F: for<'t> Fn(&[TensorVar<'t>], &[f64]) -> Var<'t>,
{
    let mut rng = Rng::new(seed);
    for _ in 0..POINTS / 2 {
        let at: Vec<Tensor> = shapes
            .iter()
            .enumerate()
            .map(|(i, s)| rng.tensor(s, |r| elem(i, r)))
            .collect();
        let report = check_tensor_grad(|p: &[TensorVar]| f(p, consts), &at);
        assert!(
            report.passed(),
            "{name} with shapes {shapes:?}, constants {consts:?}:\n{report}"
        );
    }
}

fn any(r: &mut Rng) -> f64 {
    r.uniform(-2.0, 2.0)
}

fn nonzero(r: &mut Rng) -> f64 {
    r.signed(0.3, 2.0)
}

fn positive(r: &mut Rng) -> f64 {
    r.uniform(0.2, 3.0)
}

// ---------------------------------------------------------------------------
// scalar ops
// ---------------------------------------------------------------------------

#[test]
fn scalar_arithmetic_between_vars() {
    let two = |r: &mut Rng| (vec![any(r), any(r)], vec![]);
    scalar_op("a + b", 1, two, |p, _| p[0] + p[1]);
    scalar_op("a - b", 2, two, |p, _| p[0] - p[1]);
    scalar_op("a * b", 3, two, |p, _| p[0] * p[1]);
    let den = |r: &mut Rng| (vec![any(r), nonzero(r)], vec![]);
    scalar_op("a / b", 4, den, |p, _| p[0] / p[1]);
    scalar_op("-a", 5, two, |p, _| -p[0]);
}

#[test]
fn scalar_arithmetic_with_constants_on_both_sides() {
    let one = |r: &mut Rng| (vec![any(r)], vec![any(r)]);
    scalar_op("a + c", 11, one, |p, c| p[0] + c[0]);
    scalar_op("c + a", 12, one, |p, c| c[0] + p[0]);
    scalar_op("a - c", 13, one, |p, c| p[0] - c[0]);
    scalar_op("c - a", 14, one, |p, c| c[0] - p[0]);
    scalar_op("a * c", 15, one, |p, c| p[0] * c[0]);
    scalar_op("c * a", 16, one, |p, c| c[0] * p[0]);
    let div = |r: &mut Rng| (vec![nonzero(r)], vec![nonzero(r)]);
    scalar_op("a / c", 17, div, |p, c| p[0] / c[0]);
    scalar_op("c / a", 18, div, |p, c| c[0] / p[0]);
    // constant Vars (tape.constant) on either side behave like f64s
    scalar_op("a * const", 19, div, |p, c| {
        p[0] * p[0].tape().constant(c[0]) + p[0].tape().constant(c[0]) / p[0]
    });
}

#[test]
fn scalar_powers() {
    for n in [-3, -2, -1, 0, 1, 2, 3, 5] {
        scalar_op(
            &format!("powi({n})"),
            (30 + n) as u64,
            |r| (vec![r.signed(0.3, 1.8)], vec![]),
            |p, _| p[0].powi(n),
        );
    }
    scalar_op(
        "powf",
        31,
        |r| (vec![positive(r)], vec![r.uniform(-2.0, 3.0)]),
        |p, c| p[0].powf(c[0]),
    );
    scalar_op(
        "pow",
        32,
        |r| (vec![positive(r), r.uniform(-2.0, 3.0)], vec![]),
        |p, _| p[0].pow(p[1]),
    );
}

#[test]
fn scalar_elementary_functions() {
    let on = |lo: f64, hi: f64| move |r: &mut Rng| (vec![r.uniform(lo, hi)], vec![]);
    scalar_op("exp", 41, on(-3.0, 3.0), |p, _| p[0].exp());
    scalar_op("ln", 42, on(0.1, 5.0), |p, _| p[0].ln());
    scalar_op("sqrt", 43, on(0.1, 5.0), |p, _| p[0].sqrt());
    scalar_op(
        "recip",
        44,
        |r| (vec![r.signed(0.2, 3.0)], vec![]),
        |p, _| p[0].recip(),
    );
    scalar_op("sin", 45, on(-5.0, 5.0), |p, _| p[0].sin());
    scalar_op("cos", 46, on(-5.0, 5.0), |p, _| p[0].cos());
    scalar_op("tanh", 47, on(-3.0, 3.0), |p, _| p[0].tanh());
    scalar_op("sigmoid", 48, on(-6.0, 6.0), |p, _| p[0].sigmoid());
}

#[test]
fn scalar_piecewise_functions_away_from_kinks() {
    let kinked = |r: &mut Rng| (vec![r.signed(0.05, 3.0)], vec![r.uniform(0.01, 0.5)]);
    scalar_op("abs", 51, kinked, |p, _| p[0].abs());
    scalar_op("relu", 52, kinked, |p, _| p[0].relu());
    scalar_op("leaky_relu", 53, kinked, |p, c| p[0].leaky_relu(c[0]));
    // max/min: the two operands at least 0.05 apart, either order
    let apart = |r: &mut Rng| {
        let a = any(r);
        (vec![a, a + r.signed(0.05, 1.0)], vec![])
    };
    scalar_op("max", 54, apart, |p, _| p[0].max(p[1]));
    scalar_op("min", 55, apart, |p, _| p[0].min(p[1]));
    // clamp: x below, inside and above [lo, hi], at least 0.05 from a bound
    let around = |r: &mut Rng| {
        let lo = r.uniform(-1.0, 0.0);
        let hi = lo + r.uniform(0.5, 1.5);
        let x = match r.int(0, 2) {
            0 => lo - r.uniform(0.05, 1.0),
            1 => r.uniform(lo + 0.05, hi - 0.05),
            _ => hi + r.uniform(0.05, 1.0),
        };
        (vec![x], vec![lo, hi])
    };
    scalar_op("clamp", 56, around, |p, c| p[0].clamp(c[0], c[1]));
}

#[test]
fn scalar_conventions_at_kinks_and_ties() {
    let tape = Tape::new();
    let z = tape.var(0.0);
    let g = (z.relu() + z.abs()).backward();
    assert_eq!(g[z], 0.0, "relu and abs take derivative 0 at 0");
    let (a, b) = (tape.var(1.5), tape.var(1.5));
    let g = (a.max(b) * 3.0 + a.min(b) * 5.0).backward();
    assert_eq!(
        (g[a], g[b]),
        (4.0, 4.0),
        "ties split the gradient half and half"
    );
    let g = (b.max(a) * 3.0).backward();
    assert_eq!((g[a], g[b]), (1.5, 1.5));
    let c = tape.var(1.0);
    let g = (c.max(a) * 3.0 + c.min(a)).backward();
    assert_eq!((g[a], g[c]), (3.0, 1.0), "no tie: all to the winner");
    let x = tape.var(0.5);
    let g = (x.clamp(0.5, 1.0) * 2.0 + x.clamp(-1.0, 0.5) * 7.0).backward();
    assert_eq!(g[x], 9.0, "clamp passes the gradient at its bounds");
}

#[test]
fn scalar_step_has_exactly_zero_gradient() {
    let mut rng = Rng::new(61);
    for _ in 0..20 {
        let v = rng.signed(0.01, 3.0);
        let tape = Tape::new();
        let x = tape.var(v);
        let y = x.step();
        assert_eq!(y.value(), if v > 0.0 { 1.0 } else { 0.0 });
        let g = (y * 3.0 + x * 2.0).backward();
        assert_eq!(g[x], 2.0, "step contributes no gradient at {v}");
        assert_eq!(y.backward()[x], 0.0);
    }
    let tape = Tape::new();
    let x = tape.var(0.0);
    assert_eq!(x.step().value(), 0.0, "step(0) = 0");
    assert_eq!(x.step().backward()[x], 0.0);
}

#[test]
fn scalar_step_ste_passes_the_gradient_straight_through() {
    let mut rng = Rng::new(62);
    for _ in 0..20 {
        let v = rng.signed(0.01, 3.0);
        let k = rng.uniform(-2.0, 2.0);
        let tape = Tape::new();
        let x = tape.var(v);
        let y = x.step_ste();
        assert_eq!(y.value(), if v > 0.0 { 1.0 } else { 0.0 });
        // d/dx (k · step_ste(x)²) = k · 2·step(x) · 1
        let g = (y.powi(2) * k).backward();
        assert_eq!(g[x], k * 2.0 * y.value(), "at {v}");
        assert_eq!(y.backward()[x], 1.0);
    }
}

#[test]
fn scalar_sum_of_many() {
    scalar_op(
        "Var::sum",
        63,
        |r| ((0..5).map(|_| any(r)).collect(), vec![]),
        |p, _| Var::sum(&[p[0], p[1] * p[2], p[3].sin(), p[4], p[0]]).unwrap(),
    );
    let tape = Tape::new();
    assert!(Var::sum(&tape.vars(&[])).is_none());
}

#[test]
fn scalar_composite_of_all_ops() {
    scalar_op(
        "composite",
        64,
        |r| (vec![positive(r), any(r), nonzero(r)], vec![]),
        |p, _| {
            let (x, y, z) = (p[0], p[1], p[2]);
            let a = x.ln() * y.sigmoid() + (y * z).tanh() - z.recip() * x.sqrt();
            let b = (a.exp() + 1.0).powf(0.5) / (z * z + 1.0) + x.pow(y.cos());
            b * y.sin() - (-b).powi(3) * 0.1
        },
    );
}

// ---------------------------------------------------------------------------
// tensor ops: element-wise
// ---------------------------------------------------------------------------

const ELEMENTWISE_SHAPES: [&[usize]; 4] = [&[2, 3], &[4], &[], &[2, 1, 3]];

/// Checks an element-wise tensor op on several shapes.
#[track_caller]
fn elementwise<S, F>(name: &str, seed: u64, elem: S, consts: &[f64], f: F)
where
    S: Fn(&mut Rng) -> f64 + Copy,
    F: for<'t> Fn(TensorVar<'t>, &[f64]) -> TensorVar<'t>,
{
    for (k, shape) in ELEMENTWISE_SHAPES.iter().enumerate() {
        tensor_op(
            name,
            seed * 100 + k as u64,
            &[shape],
            |_, r| elem(r),
            consts,
            |p, c| {
                let y = f(p[0], c);
                assert_eq!(y.shape().as_slice(), *shape, "{name} keeps the shape");
                wsum(y)
            },
        );
    }
}

#[test]
fn tensor_elementwise_smooth_functions() {
    let on = |lo: f64, hi: f64| move |r: &mut Rng| r.uniform(lo, hi);
    elementwise("neg", 101, any, &[], |x, _| -x);
    elementwise("negate", 102, any, &[], |x, _| x.negate());
    elementwise("exp", 103, on(-3.0, 3.0), &[], |x, _| x.exp());
    elementwise("ln", 104, on(0.1, 5.0), &[], |x, _| x.ln());
    elementwise("sqrt", 105, on(0.1, 5.0), &[], |x, _| x.sqrt());
    elementwise("recip", 106, |r| r.signed(0.2, 3.0), &[], |x, _| x.recip());
    elementwise("sin", 107, on(-5.0, 5.0), &[], |x, _| x.sin());
    elementwise("cos", 108, on(-5.0, 5.0), &[], |x, _| x.cos());
    elementwise("tanh", 109, on(-3.0, 3.0), &[], |x, _| x.tanh());
    elementwise("sigmoid", 110, on(-6.0, 6.0), &[], |x, _| x.sigmoid());
    for n in [-2, 0, 1, 2, 3] {
        elementwise(
            "powi",
            111,
            |r| r.signed(0.3, 1.8),
            &[],
            move |x, _| x.powi(n),
        );
    }
    elementwise("powf", 112, positive, &[1.7], |x, c| x.powf(c[0]));
    elementwise("powf", 113, positive, &[-0.5], |x, c| x.powf(c[0]));
}

#[test]
fn tensor_elementwise_piecewise_functions_away_from_kinks() {
    let kinked = |r: &mut Rng| r.signed(0.05, 3.0);
    elementwise("abs", 121, kinked, &[], |x, _| x.abs());
    elementwise("relu", 122, kinked, &[], |x, _| x.relu());
    elementwise("leaky_relu", 123, kinked, &[0.2], |x, c| x.leaky_relu(c[0]));
    // clamp to [-0.5, 0.75]; elements drawn off the bounds
    let off_bounds = |r: &mut Rng| match r.int(0, 2) {
        0 => r.uniform(-2.0, -0.55),
        1 => r.uniform(-0.45, 0.7),
        _ => r.uniform(0.8, 2.0),
    };
    elementwise("clamp", 124, off_bounds, &[-0.5, 0.75], |x, c| {
        x.clamp(c[0], c[1])
    });
}

#[test]
fn new_functions_pass_the_gradient_check() {
    let on = |lo: f64, hi: f64| move |r: &mut Rng| (vec![r.uniform(lo, hi)], vec![]);
    scalar_op("softplus", 71, on(-6.0, 6.0), |p, _| p[0].softplus());
    scalar_op("gelu", 72, on(-4.0, 4.0), |p, _| p[0].gelu());
    scalar_op("silu", 73, on(-6.0, 6.0), |p, _| p[0].silu());
    scalar_op("log1p", 74, on(-0.9, 5.0), |p, _| p[0].log1p());
    scalar_op("square", 75, on(-3.0, 3.0), |p, _| p[0].square());
    // ELU: its derivative jumps at 0 unless alpha = 1; points away from 0
    let kinked = |r: &mut Rng| (vec![r.signed(0.05, 3.0)], vec![r.uniform(0.1, 2.0)]);
    scalar_op("elu", 76, kinked, |p, c| p[0].elu(c[0]));
    scalar_op(
        "Var::logsumexp",
        77,
        |r| ((0..3).map(|_| r.uniform(-3.0, 3.0)).collect(), vec![]),
        |p, _| Var::logsumexp(p).unwrap(),
    );
    let t_on = |lo: f64, hi: f64| move |r: &mut Rng| r.uniform(lo, hi);
    elementwise("softplus", 171, t_on(-6.0, 6.0), &[], |x, _| x.softplus());
    elementwise("gelu", 172, t_on(-4.0, 4.0), &[], |x, _| x.gelu());
    elementwise("silu", 173, t_on(-6.0, 6.0), &[], |x, _| x.silu());
    elementwise("log1p", 174, t_on(-0.9, 5.0), &[], |x, _| x.log1p());
    elementwise("square", 175, t_on(-3.0, 3.0), &[], |x, _| x.square());
    let t_kinked = |r: &mut Rng| r.signed(0.05, 3.0);
    elementwise("elu", 176, t_kinked, &[1.0], |x, c| x.elu(c[0]));
    elementwise("elu", 177, t_kinked, &[0.4], |x, c| x.elu(c[0]));
    for (k, shape) in [&[5usize][..], &[3, 4], &[2, 3, 2]].into_iter().enumerate() {
        for axis in 0..shape.len() {
            for keepdim in [false, true] {
                tensor_op(
                    "logsumexp",
                    180 + 8 * k as u64 + 2 * axis as u64 + keepdim as u64,
                    &[shape],
                    |_, r| r.uniform(-3.0, 3.0),
                    &[],
                    |p, _| wsum(p[0].logsumexp(axis, keepdim)),
                );
            }
        }
    }
}

/// Values PyTorch gives (`torch.nn.functional` in f64).
#[test]
fn new_functions_have_their_closed_form_values() {
    let tape = Tape::new();
    let v = |x: f64| tape.var(x);
    assert_eq!(v(0.0).softplus().value(), 2f64.ln());
    assert_close(
        v(1.0).softplus().value(),
        1.3132616875182228,
        1e-15,
        "softplus(1)",
    );
    // no overflow for large x, no lost tail for very negative x
    assert_eq!(v(1000.0).softplus().value(), 1000.0);
    assert_close(
        v(-50.0).softplus().value(),
        (-50f64).exp(),
        1e-35,
        "softplus(-50)",
    );
    assert_eq!(v(1000.0).softplus().backward()[tape.var(0.0)], 0.0);
    assert_close(v(1.0).gelu().value(), 0.8411919906082768, 1e-15, "gelu(1)");
    assert_close(
        v(-1.0).gelu().value(),
        -0.15880800939172324,
        1e-15,
        "gelu(-1)",
    );
    assert_close(v(2.0).gelu().value(), 1.9545976940877752, 1e-15, "gelu(2)");
    assert_eq!(v(0.0).gelu().value(), 0.0);
    assert_close(v(1.0).silu().value(), 0.7310585786300049, 1e-15, "silu(1)");
    assert_close(
        v(-2.0).silu().value(),
        -0.23840584404423515,
        1e-15,
        "silu(-2)",
    );
    assert_close(
        v(-1.0).elu(1.0).value(),
        -0.6321205588285577,
        1e-15,
        "elu(-1)",
    );
    assert_close(
        v(-1.0).elu(0.5).value(),
        -0.31606027941427883,
        1e-15,
        "elu(-1, 0.5)",
    );
    assert_eq!(v(2.0).elu(1.0).value(), 2.0);
    assert_eq!(v(1e-20).log1p().value(), 1e-20);
    assert_eq!(v(-3.0).square().value(), 9.0);
    // derivatives at known points
    let x = v(0.0);
    assert_eq!(x.softplus().backward()[x], 0.5);
    assert_eq!(x.gelu().backward()[x], 0.5);
    assert_eq!(x.silu().backward()[x], 0.5);
    let x = v(-1.0);
    assert_close(x.elu(1.0).backward()[x], (-1f64).exp(), 1e-16, "elu'(-1)");
    let x = v(1.0);
    assert_close(
        x.gelu().backward()[x],
        1.0829640838457826,
        1e-15,
        "gelu'(1)",
    );
    // logsumexp: stable for large values, −∞ for an empty lane
    let t = tape.tensor(Tensor::from_vec(&[2, 2], vec![1000.0, 1000.0, -1000.0, 0.0]).unwrap());
    let l = t.logsumexp(1, false).value();
    assert_eq!(l.data()[0], 1000.0 + 2f64.ln());
    assert_close(
        l.data()[1],
        (-1000f64).exp().ln_1p(),
        1e-300,
        "lse(-1000, 0)",
    );
    let empty = tape.tensor(Tensor::zeros(&[2, 0]));
    assert_eq!(
        empty.logsumexp(1, true).value().data(),
        &[f64::NEG_INFINITY; 2]
    );
    assert_eq!(empty.logsumexp(1, true).shape().as_slice(), &[2, 1]);
    assert!(Var::<f64>::logsumexp(&[]).is_none());
    let e = t.try_logsumexp(2, false).unwrap_err().to_string();
    assert_eq!(
        e,
        "logsumexp: axis 2 is out of range for shape [2, 2] (2 axes)"
    );
}

/// Second derivatives through `Dual`: the Hessian of Σ f(xᵢ) is diagonal
/// with f″, checked against central differences of the closed-form f′.
#[test]
fn new_functions_have_second_derivatives_on_dual() {
    fn check(
        name: &str,
        f: for<'t> fn(Var<'t, autograd::Dual>) -> Var<'t, autograd::Dual>,
        d1: fn(f64) -> f64,
    ) {
        let at = [-1.3, -0.4, 0.6, 1.7];
        let h = autograd::hessian(
            |p: &[Var<autograd::Dual>]| {
                Var::sum(&p.iter().map(|&x| f(x)).collect::<Vec<_>>()).unwrap()
            },
            &at,
        );
        for (i, &x) in at.iter().enumerate() {
            let e = 1e-5;
            let want = (d1(x + e) - d1(x - e)) / (2.0 * e);
            assert_close(h[i][i], want, 1e-7, name);
            for (j, hij) in h[i].iter().enumerate() {
                if j != i {
                    assert_eq!(*hij, 0.0, "{name}");
                }
            }
        }
    }
    let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
    check("softplus", |x| x.softplus(), |x| 1.0 / (1.0 + (-x).exp()));
    check(
        "silu",
        |x| x.silu(),
        |x| {
            let s = 1.0 / (1.0 + (-x).exp());
            s * (1.0 + x * (1.0 - s))
        },
    );
    check(
        "gelu",
        |x| x.gelu(),
        |x| {
            let (k, c) = ((2.0 / std::f64::consts::PI).sqrt(), 0.044715);
            let t = (k * (x + c * x * x * x)).tanh();
            0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * k * (1.0 + 3.0 * c * x * x)
        },
    );
    check(
        "elu",
        |x| x.elu(0.8),
        |x| if x > 0.0 { 1.0 } else { 0.8 * x.exp() },
    );
    check("log1p", |x| (x * x).log1p(), |x| 2.0 * x / (1.0 + x * x));
    check("square", |x| x.square(), |x| 2.0 * x);
    assert!(sig(0.0) == 0.5);
    // the tensor forms give the same Hessian
    let at = Tensor::from_vec(&[3], vec![-0.7, 0.2, 1.1]).unwrap();
    let ht = autograd::hessian_tensor(
        |t| (t.gelu() + t.silu() + t.softplus() + t.elu(0.8)).sum(),
        &at,
    );
    let hs = autograd::hessian(
        |p: &[Var<autograd::Dual>]| {
            let terms: Vec<_> = p
                .iter()
                .map(|&x| x.gelu() + x.silu() + x.softplus() + x.elu(0.8))
                .collect();
            Var::sum(&terms).unwrap()
        },
        at.data(),
    );
    for (i, row) in hs.iter().enumerate() {
        for (j, &hij) in row.iter().enumerate() {
            assert_close(ht.at(&[i, j]), hij, 1e-14, "tensor vs scalar Hessian");
        }
    }
    // logsumexp's Hessian is diag(p) − p pᵀ, p its softmax
    let at = Tensor::from_vec(&[3], vec![0.3, -1.0, 2.0]).unwrap();
    let h = autograd::hessian_tensor(|t| t.logsumexp(0, false).sum(), &at);
    let z: f64 = at.data().iter().map(|x| x.exp()).sum();
    let p: Vec<f64> = at.data().iter().map(|x| x.exp() / z).collect();
    for i in 0..3 {
        for j in 0..3 {
            let want = if i == j { p[i] } else { 0.0 } - p[i] * p[j];
            assert_close(h.at(&[i, j]), want, 1e-14, "logsumexp Hessian");
        }
    }
}

#[test]
fn tensor_scale_shift_and_constant_operators() {
    elementwise("scale", 131, any, &[-1.3], |x, c| x.scale(c[0]));
    elementwise("shift", 132, any, &[0.7], |x, c| x.shift(c[0]));
    elementwise("t + c", 133, any, &[0.7], |x, c| x + c[0]);
    elementwise("c + t", 134, any, &[0.7], |x, c| c[0] + x);
    elementwise("t - c", 135, any, &[0.7], |x, c| x - c[0]);
    elementwise("c - t", 136, any, &[0.7], |x, c| c[0] - x);
    elementwise("t * c", 137, any, &[-1.3], |x, c| x * c[0]);
    elementwise("c * t", 138, any, &[-1.3], |x, c| c[0] * x);
    elementwise("t / c", 139, any, &[-1.3], |x, c| x / c[0]);
    elementwise("c / t", 140, nonzero, &[-1.3], |x, c| c[0] / x);
}

/// The tensor form of a unary op gives, element by element, the same value
/// and the same derivative as the scalar form.
#[test]
fn tensor_elementwise_ops_agree_with_scalar_ops() {
    type Pair = (
        &'static str,
        for<'t> fn(Var<'t>) -> Var<'t>,
        for<'t> fn(TensorVar<'t>) -> TensorVar<'t>,
    );
    let ops: [Pair; 27] = [
        ("neg", |x| -x, |x| -x),
        ("exp", |x| x.exp(), |x| x.exp()),
        ("ln", |x| x.abs().ln(), |x| x.abs().ln()),
        ("sqrt", |x| x.abs().sqrt(), |x| x.abs().sqrt()),
        ("recip", |x| x.recip(), |x| x.recip()),
        ("abs", |x| x.abs(), |x| x.abs()),
        ("sin", |x| x.sin(), |x| x.sin()),
        ("cos", |x| x.cos(), |x| x.cos()),
        ("tanh", |x| x.tanh(), |x| x.tanh()),
        ("sigmoid", |x| x.sigmoid(), |x| x.sigmoid()),
        ("relu", |x| x.relu(), |x| x.relu()),
        ("leaky_relu", |x| x.leaky_relu(0.1), |x| x.leaky_relu(0.1)),
        ("step", |x| x.step(), |x| x.step()),
        ("step_ste", |x| x.step_ste(), |x| x.step_ste()),
        ("powi", |x| x.powi(3), |x| x.powi(3)),
        ("powf", |x| x.abs().powf(1.5), |x| x.abs().powf(1.5)),
        ("clamp", |x| x.clamp(-0.5, 0.5), |x| x.clamp(-0.5, 0.5)),
        ("c / x", |x| 2.0 / x, |x| 2.0 / x),
        ("c - x", |x| 2.0 - x, |x| 2.0 - x),
        ("x * c + c", |x| x * 3.0 + 1.0, |x| x * 3.0 + 1.0),
        ("softplus", |x| x.softplus(), |x| x.softplus()),
        ("gelu", |x| x.gelu(), |x| x.gelu()),
        ("silu", |x| x.silu(), |x| x.silu()),
        ("elu", |x| x.elu(0.7), |x| x.elu(0.7)),
        ("log1p", |x| x.abs().log1p(), |x| x.abs().log1p()),
        ("square", |x| x.square(), |x| x.square()),
        ("powi(1)", |x| x.powi(1), |x| x.powi(1)),
    ];
    let mut rng = Rng::new(150);
    let xs: Vec<f64> = (0..12).map(|_| rng.signed(0.1, 2.0)).collect();
    for (name, scalar, tensor) in ops {
        let tape = Tape::new();
        let t = tape.tensor(Tensor::from_vec(&[3, 4], xs.clone()).unwrap());
        let y = tensor(t);
        let g = wsum(y).backward();
        let gt = g[t].clone();
        for (k, &x) in xs.iter().enumerate() {
            let tape = Tape::new();
            let v = tape.var(x);
            let s = scalar(v);
            let w = weight(&[k / 4, k % 4]);
            let gs = (s * w).backward()[v];
            assert_close(y.value().data()[k], s.value(), 1e-14, name);
            assert_close(gt.data()[k], gs, 1e-12 * (1.0 + gs.abs()), name);
        }
    }
}

#[test]
fn tensor_step_has_exactly_zero_gradient_and_step_ste_passes_through() {
    let tape = Tape::new();
    let data = vec![-1.5, -0.01, 0.0, 0.01, 2.0, 7.0];
    let x = tape.tensor(Tensor::from_vec(&[2, 3], data.clone()).unwrap());
    let s = x.step();
    assert_eq!(s.value().data(), &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let g = (wsum(s) + (x * 2.0).sum()).backward();
    assert!(g[x].data().iter().all(|&d| d == 2.0), "{:?}", g[x]);
    let g = wsum(s).backward();
    assert!(
        g.wrt(x).is_none_or(|t| t.data().iter().all(|&d| d == 0.0)),
        "step passes no gradient"
    );
    let ste = x.step_ste();
    assert_eq!(ste.value().data(), s.value().data());
    let g = wsum(ste).backward();
    let want = Tensor::from_fn(&[2, 3], weight);
    assert_eq!(
        g[x], want,
        "step_ste passes the upstream gradient unchanged"
    );
}

// ---------------------------------------------------------------------------
// tensor ops: binary with broadcasting
// ---------------------------------------------------------------------------

/// Shape pairs that broadcast (lhs, rhs).
const BROADCASTS: [(&[usize], &[usize]); 11] = [
    (&[2, 3], &[2, 3]),
    (&[2, 3], &[3]),
    (&[3], &[2, 3]),
    (&[2, 3], &[1, 3]),
    (&[2, 1], &[1, 3]),
    (&[2, 3], &[]),
    (&[], &[2, 3]),
    (&[2, 1, 3], &[4, 1]),
    (&[4, 1], &[2, 1, 3]),
    (&[1], &[2, 2]),
    (&[3, 1, 2], &[3, 4, 1]),
];

/// Checks a binary tensor op on every pair of [`BROADCASTS`], both through
/// the operator and its `try_` twin (which must give the same value).
#[track_caller]
fn binary<S, F, G>(name: &str, seed: u64, elem: S, f: F, try_f: G)
where
    S: Fn(usize, &mut Rng) -> f64 + Copy,
    F: for<'t> Fn(TensorVar<'t>, TensorVar<'t>) -> TensorVar<'t>,
    G: for<'t> Fn(TensorVar<'t>, TensorVar<'t>) -> autograd::Result<TensorVar<'t>>,
{
    for (k, (a, b)) in BROADCASTS.iter().enumerate() {
        let want = autograd::broadcast_shape("test", a, b).unwrap();
        tensor_op(name, seed * 100 + k as u64, &[a, b], elem, &[], |p, _| {
            let y = f(p[0], p[1]);
            assert_eq!(y.shape(), want, "{name}: {a:?} with {b:?}");
            let y2 = try_f(p[0], p[1]).unwrap();
            assert_eq!(y.value(), y2.value(), "{name}: operator and try_ agree");
            wsum(y)
        });
    }
}

#[test]
fn tensor_add_sub_mul_div_broadcast() {
    let any2 = |_: usize, r: &mut Rng| any(r);
    binary("add", 201, any2, |a, b| a + b, |a, b| a.try_add(b));
    binary("sub", 202, any2, |a, b| a - b, |a, b| a.try_sub(b));
    binary("mul", 203, any2, |a, b| a * b, |a, b| a.try_mul(b));
    let den = |i: usize, r: &mut Rng| if i == 1 { nonzero(r) } else { any(r) };
    binary("div", 204, den, |a, b| a / b, |a, b| a.try_div(b));
}

#[test]
fn tensor_maximum_minimum_broadcast() {
    // lhs on the grid 0.2·k + 0.1, rhs on 0.2·k: every pair is 0.1 apart
    let grid = |i: usize, r: &mut Rng| 0.2 * r.int(-10, 10) as f64 + if i == 0 { 0.1 } else { 0.0 };
    binary(
        "maximum",
        211,
        grid,
        |a, b| a.maximum(b),
        |a, b| a.try_maximum(b),
    );
    binary(
        "minimum",
        212,
        grid,
        |a, b| a.minimum(b),
        |a, b| a.try_minimum(b),
    );
}

#[test]
fn tensor_maximum_minimum_ties_split_the_gradient() {
    let tape = Tape::new();
    let a = tape.tensor(Tensor::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap());
    let b = tape.tensor(Tensor::from_vec(&[3], vec![1.0, 5.0, 0.0]).unwrap());
    let g = a.maximum(b).sum().backward();
    assert_eq!(g[a].data(), &[0.5, 0.0, 1.0]);
    assert_eq!(g[b].data(), &[0.5, 1.0, 0.0]);
    let g = a.minimum(b).sum().backward();
    assert_eq!(g[a].data(), &[0.5, 1.0, 0.0]);
    assert_eq!(g[b].data(), &[0.5, 0.0, 1.0]);
}

#[test]
fn tensor_broadcast_gradient_is_summed_back_exactly() {
    // d/db Σ w ⊙ (a + b) for b of shape [3] broadcast over 4 rows: Σ over rows of w
    let tape = Tape::new();
    let a = tape.tensor(Tensor::zeros(&[4, 3]));
    let b = tape.tensor(Tensor::zeros(&[3]));
    let c = tape.tensor(Tensor::zeros(&[4, 1]));
    let g = wsum(a + b + c).backward();
    for j in 0..3 {
        let want: f64 = (0..4).map(|i| weight(&[i, j])).sum();
        assert_close(g[b].data()[j], want, 1e-15, "column sum");
    }
    for i in 0..4 {
        let want: f64 = (0..3).map(|j| weight(&[i, j])).sum();
        assert_close(g[c].data()[i], want, 1e-15, "row sum");
    }
    assert_eq!(g[a], Tensor::from_fn(&[4, 3], weight));
}

// ---------------------------------------------------------------------------
// tensor ops: matmul, shape ops, reductions
// ---------------------------------------------------------------------------

#[test]
fn tensor_matmul() {
    let shapes: [(&[usize], &[usize]); 5] = [
        (&[2, 3], &[3, 4]),
        (&[1, 5], &[5, 1]),
        (&[4, 1], &[1, 3]),
        (&[3, 3], &[3, 3]),
        (&[5, 2], &[2, 1]),
    ];
    for (k, (a, b)) in shapes.iter().enumerate() {
        tensor_op(
            "matmul",
            300 + k as u64,
            &[a, b],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].matmul(p[1]);
                assert_eq!(y.shape().as_slice(), &[a[0], b[1]]);
                let y2 = p[0].try_matmul(p[1]).unwrap();
                assert_eq!(y.value(), y2.value());
                wsum(y)
            },
        );
    }
    // transposed operands: aᵀ·b and a·bᵀ
    tensor_op(
        "t().matmul",
        310,
        &[&[3, 2], &[3, 4]],
        |_, r| any(r),
        &[],
        |p, _| wsum(p[0].t().matmul(p[1])),
    );
    tensor_op(
        "matmul(t())",
        311,
        &[&[2, 3], &[4, 3]],
        |_, r| any(r),
        &[],
        |p, _| wsum(p[0].matmul(p[1].t())),
    );
    // the same matrix on both sides
    tensor_op(
        "a·a",
        312,
        &[&[3, 3]],
        |_, r| any(r),
        &[],
        |p, _| wsum(p[0].matmul(p[0])),
    );
}

#[test]
fn tensor_matmul_values_and_gradients_are_exact_on_a_small_case() {
    let tape = Tape::new();
    let a = tape.tensor(Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap());
    let b = tape.tensor(Tensor::from_vec(&[2, 1], vec![5.0, 6.0]).unwrap());
    let y = a.matmul(b);
    assert_eq!(y.value().data(), &[17.0, 39.0]);
    let g = y.sum().backward();
    // ∂/∂a = 1·bᵀ per row, ∂/∂b = column sums of a
    assert_eq!(g[a].data(), &[5.0, 6.0, 5.0, 6.0]);
    assert_eq!(g[b].data(), &[4.0, 6.0]);
}

#[test]
fn tensor_transpose() {
    for (k, shape) in [&[2usize, 3][..], &[1, 4], &[3, 3], &[4, 1]]
        .iter()
        .enumerate()
    {
        tensor_op(
            "t",
            320 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].t();
                assert_eq!(y.shape().as_slice(), &[shape[1], shape[0]]);
                assert_eq!(y.value(), p[0].try_t().unwrap().value());
                wsum(y)
            },
        );
    }
}

#[test]
fn tensor_reshape() {
    let cases: [(&[usize], &[usize], &[usize]); 7] = [
        (&[2, 3], &[3, 2], &[3, 2]),
        (&[2, 3], &[6], &[6]),
        (&[6], &[2, 3], &[2, 3]),
        (&[2, 3], &[usize::MAX, 2], &[3, 2]),
        (&[2, 3, 4], &[4, usize::MAX], &[4, 6]),
        (&[1], &[], &[]),
        (&[], &[1, 1], &[1, 1]),
    ];
    for (k, (from, to, want)) in cases.iter().enumerate() {
        tensor_op(
            "reshape",
            330 + k as u64,
            &[from],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].reshape(to);
                assert_eq!(y.shape().as_slice(), *want, "reshape {from:?} to {to:?}");
                assert_eq!(y.value().data(), p[0].value().data());
                assert_eq!(y.value(), p[0].try_reshape(to).unwrap().value());
                wsum(y)
            },
        );
    }
}

#[test]
fn tensor_broadcast_to() {
    let cases: [(&[usize], &[usize]); 6] = [
        (&[3], &[2, 3]),
        (&[2, 1], &[2, 3]),
        (&[1], &[2, 2]),
        (&[], &[2, 3]),
        (&[2, 1, 3], &[4, 2, 5, 3]),
        (&[2, 3], &[2, 3]),
    ];
    for (k, (from, to)) in cases.iter().enumerate() {
        tensor_op(
            "broadcast_to",
            340 + k as u64,
            &[from],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].broadcast_to(to);
                assert_eq!(y.shape().as_slice(), *to);
                assert_eq!(y.value(), p[0].try_broadcast_to(to).unwrap().value());
                wsum(y)
            },
        );
    }
}

#[test]
fn tensor_sum_and_mean() {
    for (k, shape) in [&[2usize, 3][..], &[5], &[], &[2, 3, 4]].iter().enumerate() {
        tensor_op(
            "sum",
            350 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| p[0].sum() * 1.5,
        );
        tensor_op(
            "mean",
            360 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| p[0].mean().powi(2) + p[0].try_mean().unwrap(),
        );
        // sum and mean feed scalar arithmetic and get the right gradient back
        tensor_op(
            "sum·mean",
            370 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| p[0].sum() * p[0].mean() + p[0].sum().sin(),
        );
    }
    let tape = Tape::new();
    let x = tape.tensor(Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 6.0]).unwrap());
    assert_eq!(x.sum().value(), 12.0);
    assert_eq!(x.mean().value(), 3.0);
    let g = x.mean().backward();
    assert_eq!(g[x].data(), &[0.25; 4]);
}

#[test]
fn tensor_sum_axis_and_mean_axis() {
    let shapes: [&[usize]; 3] = [&[2, 3, 4], &[5], &[3, 1]];
    let mut seed = 380;
    for shape in shapes {
        for axis in 0..shape.len() {
            for keepdim in [false, true] {
                let mut want = shape.to_vec();
                if keepdim {
                    want[axis] = 1;
                } else {
                    want.remove(axis);
                }
                seed += 1;
                tensor_op(
                    "sum_axis",
                    seed,
                    &[shape],
                    |_, r| any(r),
                    &[],
                    |p, _| {
                        let y = p[0].sum_axis(axis, keepdim);
                        assert_eq!(y.shape().as_slice(), &want[..]);
                        assert_eq!(y.value(), p[0].try_sum_axis(axis, keepdim).unwrap().value());
                        wsum(y)
                    },
                );
                tensor_op(
                    "mean_axis",
                    seed,
                    &[shape],
                    |_, r| any(r),
                    &[],
                    |p, _| {
                        let y = p[0].mean_axis(axis, keepdim);
                        assert_eq!(y.shape().as_slice(), &want[..]);
                        let s = p[0].sum_axis(axis, keepdim).value();
                        let n = shape[axis] as f64;
                        assert!(y.value().max_abs_diff(&s.map(|v| v / n)) < 1e-14);
                        assert_eq!(
                            y.value(),
                            p[0].try_mean_axis(axis, keepdim).unwrap().value()
                        );
                        wsum(y)
                    },
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// scalars and tensors together
// ---------------------------------------------------------------------------

#[test]
fn var_and_tensor_var_mixes() {
    let mut rng = Rng::new(400);
    for shape in [&[2usize, 3][..], &[4], &[]] {
        for _ in 0..2 {
            let s = vec![rng.signed(0.3, 2.0)];
            let t = vec![rng.tensor(shape, |r| r.signed(0.3, 2.0))];
            check_mixed("v + t", &s, &t, |v, t| wsum(v[0] + t[0]));
            check_mixed("t + v", &s, &t, |v, t| wsum(t[0] + v[0]));
            check_mixed("v - t", &s, &t, |v, t| wsum(v[0] - t[0]));
            check_mixed("t - v", &s, &t, |v, t| wsum(t[0] - v[0]));
            check_mixed("v * t", &s, &t, |v, t| wsum(v[0] * t[0]));
            check_mixed("t * v", &s, &t, |v, t| wsum(t[0] * v[0]));
            check_mixed("v / t", &s, &t, |v, t| wsum(v[0] / t[0]));
            check_mixed("t / v", &s, &t, |v, t| wsum(t[0] / v[0]));
            check_mixed("v · t, t reduced into scalar ops", &s, &t, |v, t| {
                let m = t[0].mean();
                wsum((v[0] * m).sin() * t[0]) + m * v[0].exp()
            });
            check_mixed("v.to_tensor()", &s, &t, |v, t| {
                wsum(v[0].to_tensor() * t[0] + v[0].powi(2).to_tensor())
            });
        }
    }
}

#[test]
fn stack_and_to_var() {
    let mut rng = Rng::new(410);
    for _ in 0..3 {
        let s: Vec<f64> = (0..4).map(|_| any(&mut rng)).collect();
        let t = vec![rng.tensor(&[1], any), rng.tensor(&[], any)];
        check_mixed("stack", &s, &t, |v, _| {
            let x = v[0]
                .tape()
                .stack(&[v[0], v[1] * v[2], v[3].tanh()])
                .unwrap();
            assert_eq!(x.shape().as_slice(), &[3]);
            wsum(x.exp())
        });
        check_mixed("to_var", &s, &t, |v, t| {
            let a = t[0].to_var();
            let b = t[1].to_var();
            a * v[0] + (b * a).sin() + t[0].sum() * b
        });
        check_mixed("stack of the same var", &s, &t, |v, _| {
            let x = v[0].tape().stack(&[v[0], v[0], v[1]]).unwrap();
            wsum(x * x)
        });
    }
}

#[test]
fn tensor_composite_model() {
    // a two-layer network with a squared-error loss, every parameter checked
    let mut rng = Rng::new(420);
    let at = vec![
        rng.tensor(&[5, 3], any),
        rng.tensor(&[3, 4], |r| r.uniform(-1.0, 1.0)),
        rng.tensor(&[4], |r| r.uniform(-0.5, 0.5)),
        rng.tensor(&[4, 1], |r| r.uniform(-1.0, 1.0)),
        rng.tensor(&[1], |r| r.uniform(-0.5, 0.5)),
        rng.tensor(&[5, 1], |r| r.uniform(0.0, 1.0)),
    ];
    check_tensor_grad(
        |p: &[TensorVar]| {
            let h = (p[0].matmul(p[1]) + p[2]).tanh();
            let y = (h.matmul(p[3]) + p[4]).sigmoid();
            (y - p[5]).powi(2).mean()
        },
        &at,
    )
    .assert_passed();
}

// ---------------------------------------------------------------------------
// softmax, log_softmax, gather, one_hot, argmax_rows
// ---------------------------------------------------------------------------

/// (shape, axis) pairs for the ops that work along one axis.
const AXES: [(&[usize], usize); 7] = [
    (&[4], 0),
    (&[2, 3], 0),
    (&[2, 3], 1),
    (&[2, 3, 2], 0),
    (&[2, 3, 2], 1),
    (&[2, 3, 2], 2),
    (&[3, 1], 1),
];

#[test]
fn softmax_and_log_softmax_along_every_axis() {
    for (k, (shape, axis)) in AXES.iter().enumerate() {
        let axis = *axis;
        tensor_op(
            "softmax",
            500 + k as u64,
            &[shape],
            |_, r| r.uniform(-3.0, 3.0),
            &[],
            |p, _| {
                let y = p[0].softmax(axis);
                assert_eq!(y.shape().as_slice(), *shape);
                assert_eq!(y.value(), p[0].try_softmax(axis).unwrap().value());
                wsum(y)
            },
        );
        tensor_op(
            "log_softmax",
            510 + k as u64,
            &[shape],
            |_, r| r.uniform(-3.0, 3.0),
            &[],
            |p, _| {
                let y = p[0].log_softmax(axis);
                assert_eq!(y.value(), p[0].try_log_softmax(axis).unwrap().value());
                wsum(y)
            },
        );
        // composed: softmax feeding a nonlinearity, log_softmax of a product
        tensor_op(
            "softmax composed",
            520 + k as u64,
            &[shape, shape],
            |_, r| any(r),
            &[],
            |p, _| {
                wsum((p[0] * p[1]).softmax(axis).sqrt()) + wsum(p[1].log_softmax(axis).exp().ln())
            },
        );
    }
}

#[test]
fn softmax_values_sum_to_one_and_are_stable() {
    let tape = Tape::new();
    // logits far beyond exp's range: naive exp(1000) overflows
    let x = tape.tensor(
        Tensor::from_vec(
            &[2, 3],
            vec![1000.0, 999.0, 998.0, -1000.0, -1001.0, -1002.0],
        )
        .unwrap(),
    );
    let p = x.softmax(1).value();
    let lp = x.log_softmax(1).value();
    let want = [
        0.665_240_955_774_821_6,
        0.244_728_471_054_797_6,
        0.090_030_573_170_380_46,
    ];
    for i in 0..2 {
        let s: f64 = (0..3).map(|j| p.at(&[i, j])).sum();
        assert_close(s, 1.0, 1e-15, "softmax row sum");
        for (j, &w) in want.iter().enumerate() {
            assert_close(p.at(&[i, j]), w, 1e-15, "softmax value");
            assert_close(lp.at(&[i, j]), w.ln(), 1e-13, "log_softmax value");
        }
    }
    let g = wsum(x.log_softmax(1)).backward();
    assert!(g[x].data().iter().all(|v| v.is_finite()), "{:?}", g[x]);
    // shifting a lane by a constant changes nothing
    let shifted = tape.tensor(x.value().map(|v| v + 7.5));
    assert!(shifted.softmax(1).value().max_abs_diff(&p) < 1e-15);
}

#[test]
fn softmax_gradient_sums_to_zero_along_the_axis() {
    // Σ_k softmax(x)_k = 1, so every vector–Jacobian product sums to 0 per lane
    let mut rng = Rng::new(530);
    for (shape, axis) in AXES {
        let tape = Tape::new();
        let x = tape.tensor(rng.tensor(shape, any));
        for y in [x.softmax(axis), x.log_softmax(axis).exp()] {
            let g = wsum(y).backward();
            let lane_sums = g[x].sum_axis(axis, false).unwrap();
            assert!(
                lane_sums.data().iter().all(|s| s.abs() < 1e-14),
                "{shape:?} axis {axis}: {lane_sums:?}"
            );
        }
    }
}

#[test]
fn gather_picks_one_element_per_row() {
    let cases: [(&[usize], &[usize]); 4] = [
        (&[3, 4], &[0, 3, 1]),
        (&[2, 2], &[1, 1]),
        (&[1, 5], &[4]),
        (&[4, 1], &[0, 0, 0, 0]),
    ];
    for (k, (shape, idx)) in cases.iter().enumerate() {
        tensor_op(
            "gather",
            540 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].gather(idx);
                assert_eq!(y.shape().as_slice(), &[shape[0]]);
                let v = p[0].value();
                for (i, &c) in idx.iter().enumerate() {
                    assert_eq!(y.value().data()[i], v.at(&[i, c]));
                }
                assert_eq!(y.value(), p[0].try_gather(idx).unwrap().value());
                wsum(y)
            },
        );
    }
    // the gradient lands exactly on the picked elements
    let tape = Tape::new();
    let x = tape.tensor(Tensor::zeros(&[2, 3]));
    let g = (x.gather(&[2, 0]) * 5.0).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 5.0, 5.0, 0.0, 0.0]);
}

#[test]
fn softmax_cross_entropy_gradient_is_probabilities_minus_one_hot() {
    let mut rng = Rng::new(550);
    let labels = [2usize, 0, 1, 2, 1];
    let tape = Tape::new();
    let logits = tape.tensor(rng.tensor(&[5, 3], |r| r.uniform(-2.0, 2.0)));
    let loss = -logits.log_softmax(1).gather(&labels).mean();
    let g = loss.backward();
    let p = logits.softmax(1).value();
    let y: Tensor = Tensor::one_hot(&labels, 3).unwrap();
    for i in 0..5 {
        for j in 0..3 {
            let want = (p.at(&[i, j]) - y.at(&[i, j])) / 5.0;
            assert_close(g[logits].at(&[i, j]), want, 1e-15, "(softmax − one_hot)/n");
        }
    }
    // the same loss through one_hot: −mean Σ y ⊙ log_softmax
    let yv = tape.tensor_constant(y);
    let loss2 = -(yv * logits.log_softmax(1)).sum() / 5.0;
    assert_close(loss2.value(), loss.value(), 1e-15, "one_hot form");
    let g2 = loss2.backward();
    assert!(g2[logits].max_abs_diff(&g[logits]) < 1e-15);
    check_tensor_grad(
        |p: &[TensorVar]| -p[0].log_softmax(1).gather(&labels).mean(),
        &[logits.value()],
    )
    .assert_passed();
}

#[test]
fn one_hot_and_argmax_rows() {
    let y: Tensor = Tensor::one_hot(&[1, 0, 3], 4).unwrap();
    assert_eq!(y.shape(), &[3, 4]);
    assert_eq!(y.data(), &[0., 1., 0., 0., 1., 0., 0., 0., 0., 0., 0., 1.]);
    assert_eq!(y.argmax_rows().unwrap(), vec![1, 0, 3]);
    let empty: Tensor = Tensor::one_hot(&[], 3).unwrap();
    assert_eq!(empty.shape(), &[0, 3]);
    assert_eq!(empty.argmax_rows().unwrap(), Vec::<usize>::new());
    // ties go to the first column
    let t = Tensor::from_vec(&[2, 3], vec![1.0, 1.0, 0.0, -2.0, -1.0, -1.0]).unwrap();
    assert_eq!(t.argmax_rows().unwrap(), vec![0, 1]);
    let mut rng = Rng::new(560);
    for _ in 0..10 {
        let t = rng.tensor(&[4, 5], any);
        let labels = t.argmax_rows().unwrap();
        for (i, &c) in labels.iter().enumerate() {
            for j in 0..5 {
                assert!(t.at(&[i, c]) >= t.at(&[i, j]));
            }
        }
        // one_hot of the argmax picks each row's maximum
        let oh: Tensor = Tensor::one_hot(&labels, 5).unwrap();
        let picked = oh.zip_map(&t, |a, b| a * b).sum_axis(1, false).unwrap();
        let tape = Tape::new();
        let m = tape.tensor(t.clone()).max_axis(1, false).value();
        assert_eq!(picked, m);
    }
}

// ---------------------------------------------------------------------------
// concat and slice
// ---------------------------------------------------------------------------

#[test]
fn concat_along_each_axis() {
    let cases: [(&[&[usize]], usize); 5] = [
        (&[&[2, 1], &[2, 3]], 1),
        (&[&[1, 3], &[2, 3], &[1, 3]], 0),
        (&[&[3], &[2]], 0),
        (&[&[2, 1, 2], &[2, 2, 2]], 1),
        (&[&[2, 2], &[2, 2]], 0),
    ];
    for (k, (shapes, axis)) in cases.iter().enumerate() {
        let axis = *axis;
        let mut want: Vec<usize> = shapes[0].to_vec();
        want[axis] = shapes.iter().map(|s| s[axis]).sum();
        tensor_op(
            "concat",
            570 + k as u64,
            shapes,
            |_, r| any(r),
            &[],
            |p, _| {
                let y = TensorVar::concat(p, axis);
                assert_eq!(y.shape().as_slice(), &want[..]);
                assert_eq!(y.value(), TensorVar::try_concat(p, axis).unwrap().value());
                wsum(y.tanh())
            },
        );
    }
    // the same tensor twice, and a constant in the list
    tensor_op(
        "concat reuse",
        580,
        &[&[2, 2]],
        |_, r| any(r),
        &[],
        |p, _| {
            let c = p[0].tape().tensor_constant(Tensor::ones(&[2, 2]));
            wsum(TensorVar::concat(&[p[0], c, p[0].exp()], 1))
        },
    );
}

#[test]
fn slice_any_range_of_any_axis() {
    let cases: [(&[usize], usize, usize, usize); 7] = [
        (&[5], 0, 1, 4),
        (&[5], 0, 0, 5),
        (&[3, 4], 1, 1, 3),
        (&[3, 4], 0, 2, 3),
        (&[2, 3, 4], 1, 0, 2),
        (&[2, 3, 4], 2, 3, 4),
        (&[3, 4], 1, 2, 2),
    ];
    for (k, (shape, axis, start, end)) in cases.iter().enumerate() {
        let (axis, start, end) = (*axis, *start, *end);
        let mut want = shape.to_vec();
        want[axis] = end - start;
        tensor_op(
            "slice",
            590 + k as u64,
            &[shape],
            |_, r| any(r),
            &[],
            |p, _| {
                let y = p[0].slice(axis, start, end);
                assert_eq!(y.shape().as_slice(), &want[..]);
                assert_eq!(y.value(), p[0].try_slice(axis, start, end).unwrap().value());
                wsum(y) + p[0].sum() * 0.5
            },
        );
    }
}

#[test]
fn slices_concatenated_give_back_the_tensor_and_its_gradient() {
    let mut rng = Rng::new(600);
    let tape = Tape::new();
    let x = tape.tensor(rng.tensor(&[3, 5], any));
    let parts = [x.slice(1, 0, 2), x.slice(1, 2, 3), x.slice(1, 3, 5)];
    let y = TensorVar::concat(&parts, 1);
    assert_eq!(y.value(), x.value());
    let g = wsum(y).backward();
    assert_eq!(g[x], Tensor::from_fn(&[3, 5], weight));
}

// ---------------------------------------------------------------------------
// max/min along an axis and overall
// ---------------------------------------------------------------------------

/// Distinct values: a random permutation of 0.1·(0..n) plus a small jitter,
/// so no two elements are within 0.05 of each other.
fn distinct(shape: &[usize], rng: &mut Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let mut v: Vec<f64> = (0..n).map(|i| 0.1 * i as f64 - 0.05 * n as f64).collect();
    for i in (1..n).rev() {
        let j = rng.int(0, i as i64) as usize;
        v.swap(i, j);
    }
    let v = v
        .into_iter()
        .map(|x| x + rng.uniform(-0.02, 0.02))
        .collect();
    Tensor::from_vec(shape, v).unwrap()
}

#[test]
fn max_and_min_along_an_axis() {
    let mut rng = Rng::new(610);
    for (shape, axis) in AXES {
        for keepdim in [false, true] {
            let mut want = shape.to_vec();
            if keepdim {
                want[axis] = 1;
            } else {
                want.remove(axis);
            }
            for _ in 0..2 {
                let at = distinct(shape, &mut rng);
                check_tensor_grad(
                    |p: &[TensorVar]| {
                        let y = p[0].max_axis(axis, keepdim);
                        assert_eq!(y.shape().as_slice(), &want[..]);
                        assert_eq!(y.value(), p[0].try_max_axis(axis, keepdim).unwrap().value());
                        wsum(y)
                    },
                    std::slice::from_ref(&at),
                )
                .assert_passed();
                check_tensor_grad(
                    |p: &[TensorVar]| {
                        let y = p[0].min_axis(axis, keepdim);
                        assert_eq!(y.value(), p[0].try_min_axis(axis, keepdim).unwrap().value());
                        wsum(y.exp())
                    },
                    &[at],
                )
                .assert_passed();
            }
        }
    }
}

#[test]
fn max_axis_values_agree_with_a_plain_loop() {
    let mut rng = Rng::new(615);
    let t = rng.tensor(&[3, 4, 2], any);
    let tape = Tape::new();
    let x = tape.tensor(t.clone());
    let mx = x.max_axis(1, false).value();
    let mn = x.min_axis(1, true).value();
    assert_eq!(mn.shape(), &[3, 1, 2]);
    for i in 0..3 {
        for k in 0..2 {
            let lane: Vec<f64> = (0..4).map(|j| t.at(&[i, j, k])).collect();
            assert_eq!(
                mx.at(&[i, k]),
                lane.iter().cloned().fold(f64::MIN, f64::max)
            );
            assert_eq!(
                mn.at(&[i, 0, k]),
                lane.iter().cloned().fold(f64::MAX, f64::min)
            );
        }
    }
}

#[test]
fn max_all_and_min_all() {
    let mut rng = Rng::new(620);
    for shape in [&[5usize][..], &[2, 3], &[2, 2, 3], &[]] {
        for _ in 0..2 {
            let at = distinct(shape, &mut rng);
            let (hi, lo) = at
                .data()
                .iter()
                .fold((f64::MIN, f64::MAX), |(h, l), &v| (h.max(v), l.min(v)));
            check_tensor_grad(
                |p: &[TensorVar]| {
                    let m = p[0].max_all();
                    assert_eq!(m.value(), p[0].try_max_all().unwrap().value());
                    m * 2.0 + m.powi(2)
                },
                std::slice::from_ref(&at),
            )
            .assert_passed();
            check_tensor_grad(
                |p: &[TensorVar]| (p[0].min_all() * p[0].max_all()).sin(),
                std::slice::from_ref(&at),
            )
            .assert_passed();
            let tape = Tape::new();
            let x = tape.tensor(at);
            assert_eq!(x.max_all().value(), hi);
            assert_eq!(x.min_all().value(), lo);
        }
    }
}

#[test]
fn max_and_min_ties_go_to_the_first_extreme_along_an_axis_and_evenly_overall() {
    let tape = Tape::new();
    let x = tape.tensor(Tensor::from_vec(&[2, 3], vec![2.0, 5.0, 5.0, 1.0, 1.0, 0.0]).unwrap());
    let g = x.max_axis(1, false).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    let g = x.min_axis(0, false).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
    let g = x.max_all().backward();
    assert_eq!(g[x].data(), &[0.0, 0.5, 0.5, 0.0, 0.0, 0.0]);
    let g = x.min_all().backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
}

// ---------------------------------------------------------------------------
// tensor pow
// ---------------------------------------------------------------------------

#[test]
fn tensor_pow_with_broadcasting() {
    let pos = |i: usize, r: &mut Rng| {
        if i == 0 {
            positive(r)
        } else {
            r.uniform(-2.0, 2.5)
        }
    };
    for (k, (a, b)) in BROADCASTS.iter().enumerate() {
        let want = autograd::broadcast_shape("pow", a, b).unwrap();
        tensor_op("pow", 630 + k as u64, &[a, b], pos, &[], |p, _| {
            let y = p[0].pow(p[1]);
            assert_eq!(y.shape(), want);
            assert_eq!(y.value(), p[0].try_pow(p[1]).unwrap().value());
            wsum(y)
        });
    }
}

#[test]
fn tensor_pow_agrees_with_scalar_pow() {
    let mut rng = Rng::new(650);
    for _ in 0..10 {
        let (xv, yv) = (positive(&mut rng), rng.uniform(-2.0, 3.0));
        let tape = Tape::new();
        let (x, y) = (tape.var(xv), tape.var(yv));
        let s = x.pow(y);
        let gs = s.backward();
        let (tx, ty) = (
            tape.tensor(Tensor::from_vec(&[1], vec![xv]).unwrap()),
            tape.tensor(Tensor::from_vec(&[1], vec![yv]).unwrap()),
        );
        let t = tx.pow(ty);
        let gt = t.sum().backward();
        assert_close(t.value().item(), s.value(), 1e-15, "value");
        assert_close(gt[tx].item(), gs[x], 1e-12 * (1.0 + gs[x].abs()), "∂/∂x");
        assert_close(gt[ty].item(), gs[y], 1e-12 * (1.0 + gs[y].abs()), "∂/∂y");
    }
}

#[test]
fn pow_conventions_at_zero_base_and_zero_exponent() {
    // documented for the tensor op: ∂/∂x = 0 where y = 0, ∂/∂y = 0 where x = 0 and y ≥ 0
    let tape = Tape::new();
    let x = tape.tensor(Tensor::from_vec(&[3], vec![0.0, 0.0, 2.0]).unwrap());
    let y = tape.tensor(Tensor::from_vec(&[3], vec![2.0, 0.0, 0.0]).unwrap());
    let z = x.pow(y);
    assert_eq!(z.value().data(), &[0.0, 1.0, 1.0]);
    let g = z.sum().backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 0.0]);
    assert_eq!(g[y].data(), &[0.0, 0.0, 2f64.ln()]);
}

#[test]
fn scalar_pow_follows_the_tensor_pow_conventions_at_zero() {
    // 0^y for y ≥ 0 does not change with y there (∂/∂y = lim x^y·ln x = 0),
    // and x^0 = 1 does not change with x (∂/∂x = 0): the same as the tensor op
    for (xv, yv) in [(0.0, 2.0), (0.0, 0.0), (2.0, 0.0), (0.0, 1.0)] {
        let tape = Tape::new();
        let (x, y) = (tape.var(xv), tape.var(yv));
        let s = x.pow(y);
        let gs = s.backward();
        let (tx, ty) = (
            tape.tensor(Tensor::from_vec(&[], vec![xv]).unwrap()),
            tape.tensor(Tensor::from_vec(&[], vec![yv]).unwrap()),
        );
        let t = tx.pow(ty);
        let gt = t.sum().backward();
        assert_eq!(s.value(), t.value().item(), "{xv}^{yv}");
        assert_eq!(gs[x], gt[tx].item(), "∂/∂x of {xv}^{yv}");
        assert_eq!(gs[y], gt[ty].item(), "∂/∂y of {xv}^{yv}");
    }
}

// ---------------------------------------------------------------------------
// fused ops: checked against central differences and against their chains
// ---------------------------------------------------------------------------

/// Calls `$run(f, chain64, chain32)` for every fused activation `f` (with
/// the leaky slope and ELU's alpha as constants), with its unfused chain
/// after the product written with the tensor's named method, for `f64` and
/// `f32`.
macro_rules! for_each_act {
    ($run:expr) => {
        for_each_act!(@ $run;
            func::Identity => |z| z,
            func::Sigmoid => |z| z.sigmoid(),
            func::Tanh => |z| z.tanh(),
            func::Relu => |z| z.relu(),
            func::LeakyRelu { slope: 0.1 } => |z| z.leaky_relu(0.1),
            func::LeakyRelu { slope: 0.0 } => |z| z.leaky_relu(0.0),
            // a negative slope: the derivative needs z, which the op keeps
            func::LeakyRelu { slope: -0.5 } => |z| z.leaky_relu(-0.5),
            func::Step => |z| z.step(),
            func::Softplus => |z| z.softplus(),
            func::Gelu => |z| z.gelu(),
            func::Silu => |z| z.silu(),
            func::Elu { alpha: 1.0 } => |z| z.elu(1.0),
            func::Elu { alpha: 0.5 } => |z| z.elu(0.5),
        )
    };
    (@ $run:expr; $($f:expr => |$z:ident| $chain:expr),+ $(,)?) => {
        $( $run($f, |$z: TensorVar<'_, f64>| $chain, |$z: TensorVar<'_, f32>| $chain); )+
    };
}

#[test]
fn matmul_bias_act_passes_the_gradient_check_for_every_activation() {
    let mut k = 0u64;
    for_each_act!(|act,
                   _: fn(TensorVar<'_, f64>) -> TensorVar<'_, f64>,
                   _: fn(TensorVar<'_, f32>) -> TensorVar<'_, f32>| {
        check_fused(k, act);
        k += 1;
    });
}

fn check_fused<F: Func>(k: u64, act: F) {
    for (j, bias) in [&[4usize][..], &[1, 4]].into_iter().enumerate() {
        tensor_op(
            "matmul_bias_act",
            1100 + 2 * k + j as u64,
            &[&[3, 5], &[5, 4], bias],
            // relu's kink: pre-activations well away from 0 almost surely
            |_, r| r.signed(0.2, 1.5),
            &[],
            |p, _| wsum(p[0].matmul_bias_act(p[1], p[2], act)),
        );
    }
}

#[test]
fn matmul_bias_act_equals_its_chain_bit_for_bit() {
    let mut rng = Rng::new(1120);
    // a small layer, and one wide enough (64 × 1100 outputs) that the bias,
    // activation and gradient passes are cut into column blocks for the cores
    for (m, k, n) in [(6, 7, 5), (64, 8, 1100)] {
        let (x, w, b) = (
            rng.tensor(&[m, k], |r| r.uniform(-2.0, 2.0)),
            rng.tensor(&[k, n], |r| r.uniform(-1.0, 1.0)),
            rng.tensor(&[n], |r| r.uniform(-1.0, 1.0)),
        );
        for_each_act!(|act, c64, c32| fused_equals_chain(&x, &w, &b, act, c64, c32));
    }
}

fn fused_equals_chain<F: Func + std::fmt::Debug>(
    x: &Tensor,
    w: &Tensor,
    b: &Tensor,
    act: F,
    chain: fn(TensorVar<'_, f64>) -> TensorVar<'_, f64>,
    chain32: fn(TensorVar<'_, f32>) -> TensorVar<'_, f32>,
) {
    // f64
    let tape = Tape::new();
    let (xv, wv, bv) = (
        tape.tensor(x.clone()),
        tape.tensor(w.clone()),
        tape.tensor(b.clone()),
    );
    let (f, c) = (
        xv.matmul_bias_act(wv, bv, act),
        chain(xv.matmul_bias(wv, bv)),
    );
    assert_eq!(f.value(), c.value(), "{act:?} value");
    let (gf, gc) = (wsum(f).backward(), wsum(c).backward());
    for v in [xv, wv, bv] {
        assert_eq!(gf[v], gc[v], "{act:?} gradient of {:?}", v.shape());
    }
    // f32
    let t32 = Tape::<f32>::default();
    let (xv, wv, bv) = (
        t32.tensor(x.cast()),
        t32.tensor(w.cast()),
        t32.tensor(b.cast()),
    );
    let f = xv.matmul_bias_act(wv, bv, act);
    let c = chain32(xv.matmul_bias(wv, bv));
    assert_eq!(f.value(), c.value(), "{act:?} f32 value");
    let (gf, gc) = ((f * f).sum().backward(), (c * c).sum().backward());
    for v in [xv, wv, bv] {
        assert_eq!(gf[v], gc[v], "{act:?} f32 gradient");
    }
}

#[test]
fn matmul_bias_act_errors_name_the_op() {
    let tape = Tape::new();
    let x = tape.tensor(Tensor::zeros(&[2, 3]));
    let w = tape.tensor(Tensor::zeros(&[4, 5]));
    let b = tape.tensor(Tensor::zeros(&[5]));
    let e = x
        .try_matmul_bias_act(w, b, func::Relu)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "matmul_bias_act: inner dimensions must agree (3 != 4), found shapes [2, 3] and [4, 5]"
    );
    // a negative leaky slope, once refused, is fused by keeping z (checked
    // bit for bit against its chain above)
    let w = tape.tensor(Tensor::zeros(&[3, 5]));
    assert!(x
        .try_matmul_bias_act(w, b, func::LeakyRelu { slope: -0.5 })
        .is_ok());
}

#[test]
fn sum_sq_diff_passes_the_gradient_check_and_equals_its_chain() {
    for (k, shape) in [&[3usize][..], &[2, 3], &[4, 1], &[]]
        .into_iter()
        .enumerate()
    {
        tensor_op(
            "sum_sq_diff",
            1130 + k as u64,
            &[shape, shape],
            |_, r| any(r),
            &[],
            |p, _| p[0].sum_sq_diff(p[1]) * 1.5,
        );
    }
    let mut rng = Rng::new(1135);
    let (o, t) = (
        rng.tensor(&[5, 3], |r| r.uniform(-2.0, 2.0)),
        rng.tensor(&[5, 3], |r| r.uniform(-2.0, 2.0)),
    );
    let tape = Tape::new();
    let (ov, tv) = (tape.tensor(o), tape.tensor(t));
    let (f, c) = (ov.sum_sq_diff(tv), (ov - tv).powi(2).sum());
    assert_eq!(f.value(), c.value());
    let (gf, gc) = ((f * 0.7).backward(), (c * 0.7).backward());
    assert_eq!(gf[ov], gc[ov]);
    assert_eq!(gf[tv], gc[tv]);
    // a constant target gets no gradient; shapes must match exactly
    let tc = tape.tensor_constant(Tensor::zeros(&[5, 3]));
    assert!(ov.sum_sq_diff(tc).backward().wrt(tc).is_none());
    let e = ov
        .try_sum_sq_diff(tape.tensor(Tensor::zeros(&[3])))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "sum_sq_diff: equal shapes, found shapes [5, 3] and [3]");
}

#[test]
fn fused_softmax_cross_entropy_passes_the_gradient_check_and_equals_its_chain() {
    let labels = [2usize, 0, 1, 2, 1];
    tensor_op(
        "softmax_cross_entropy",
        1140,
        &[&[5, 3]],
        |_, r| r.uniform(-3.0, 3.0),
        &[],
        |p, _| p[0].softmax_cross_entropy(&labels) * 2.0,
    );
    let mut rng = Rng::new(1141);
    let z = rng.tensor(&[5, 3], |r| r.uniform(-2.0, 2.0));
    let tape = Tape::new();
    let zv = tape.tensor(z);
    let (f, c) = (
        zv.softmax_cross_entropy(&labels),
        -zv.log_softmax(1).gather(&labels).mean(),
    );
    assert_eq!(f.value(), c.value());
    let (gf, gc) = ((f * 3.0).backward(), (c * 3.0).backward());
    assert_eq!(gf[zv], gc[zv]);
    // stable for large logits
    let big = tape.tensor(Tensor::from_vec(&[1, 3], vec![1000.0, -1000.0, 0.0]).unwrap());
    let l = big.softmax_cross_entropy(&[0]);
    assert_eq!(l.value(), 0.0);
    assert!(l.backward()[big].data().iter().all(|g| g.is_finite()));
}

#[test]
fn fused_softmax_cross_entropy_errors_say_what_was_found() {
    let tape = Tape::new();
    let z = tape.tensor(Tensor::zeros(&[2, 3]));
    let e = z.try_softmax_cross_entropy(&[0]).unwrap_err().to_string();
    assert_eq!(
        e,
        "softmax_cross_entropy: expected one class per row, i.e. classes of shape [2], found shapes [2, 3] and [1]"
    );
    let e = z
        .try_softmax_cross_entropy(&[0, 3])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "softmax_cross_entropy: class 3 in row 1 is out of range for 3 classes (shape [2, 3])"
    );
    let flat = tape.tensor(Tensor::zeros(&[3]));
    let e = flat
        .try_softmax_cross_entropy(&[0])
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "softmax_cross_entropy: expected non-empty logits [rows, classes], found shapes [3]"
    );
}
