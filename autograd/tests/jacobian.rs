//! Jacobians of vector-valued functions: reverse mode (`jacobian`, `vjp`),
//! forward mode on `Dual` (`jacfwd`, `jvp`) and their tensor forms, against
//! closed forms, against each other, against central differences
//! (`check_jacobian`), in `f64` and `f32`, and on random expression graphs.

mod common;

use autograd::{
    check_jacobian, jacfwd, jacfwd_tensor, jacobian, jacobian_tensor, jvp, jvp_tensor, vjp,
    vjp_tensor, Dual, GradCheck, Real, Tensor, TensorVar, Var,
};
use common::exprs::{eval_s, scalar_tree, S};
use common::{assert_close, panic_message};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// the maps
// ---------------------------------------------------------------------------

/// Polar to Cartesian: (r, θ) ↦ (r cos θ, r sin θ).
fn polar<'t, E: Real>(p: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    vec![p[0] * p[1].cos(), p[0] * p[1].sin()]
}

/// Its Jacobian [[cos θ, −r sin θ], [sin θ, r cos θ]].
fn polar_jacobian(r: f64, t: f64) -> [[f64; 2]; 2] {
    [[t.cos(), -r * t.sin()], [t.sin(), r * t.cos()]]
}

/// Softmax of scalars, written out (max subtracted first).
fn softmax<'t, E: Real>(x: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    let m = x.iter().map(|v| v.value()).fold(x[0].value(), E::max);
    let e: Vec<Var<'t, E>> = x.iter().map(|&v| (v - m.to_f64()).exp()).collect();
    let sum = Var::sum(&e).expect("at least one input");
    e.iter().map(|&e| e / sum).collect()
}

/// diag(s) − s sᵀ, row-major.
fn softmax_jacobian(x: &[f64]) -> Vec<Vec<f64>> {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - m).exp()).collect();
    let sum: f64 = e.iter().sum();
    let s: Vec<f64> = e.iter().map(|e| e / sum).collect();
    (0..x.len())
        .map(|i| {
            (0..x.len())
                .map(|j| if i == j { s[i] } else { 0.0 } - s[i] * s[j])
                .collect()
        })
        .collect()
}

const W1: [[f64; 2]; 2] = [[0.5, -0.3], [0.8, 0.2]];
const B1: [f64; 2] = [0.1, -0.2];
const W2: [[f64; 2]; 2] = [[1.2, -0.7], [0.4, 0.9]];
const B2: [f64; 2] = [0.05, -0.05];

/// A 2-2-2 network's output, y = tanh(x W₁ + b₁) W₂ + b₂, on scalars.
fn net<'t, E: Real>(x: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    let h: Vec<Var<'t, E>> = (0..2)
        .map(|k| (x[0] * W1[0][k] + x[1] * W1[1][k] + B1[k]).tanh())
        .collect();
    (0..2)
        .map(|l| h[0] * W2[0][l] + h[1] * W2[1][l] + B2[l])
        .collect()
}

/// The same network on a [1, 2] tensor.
fn net_tensor<'t, E: Real>(x: TensorVar<'t, E>) -> TensorVar<'t, E> {
    let tape = x.tape();
    let c = |shape: &[usize], d: &[f64]| tape.tensor_constant(Tensor::from_f64(shape, d).unwrap());
    let w1 = c(&[2, 2], &[W1[0][0], W1[0][1], W1[1][0], W1[1][1]]);
    let w2 = c(&[2, 2], &[W2[0][0], W2[0][1], W2[1][0], W2[1][1]]);
    (x.matmul(w1) + c(&[2], &B1)).tanh().matmul(w2) + c(&[2], &B2)
}

/// Its Jacobian J[l][j] = Σₖ W₂[k][l] (1 − hₖ²) W₁[j][k].
fn net_jacobian(x: [f64; 2]) -> [[f64; 2]; 2] {
    let h: Vec<f64> = (0..2)
        .map(|k| (x[0] * W1[0][k] + x[1] * W1[1][k] + B1[k]).tanh())
        .collect();
    let mut j = [[0.0; 2]; 2];
    for (l, row) in j.iter_mut().enumerate() {
        for (i, v) in row.iter_mut().enumerate() {
            *v = (0..2)
                .map(|k| W2[k][l] * (1.0 - h[k] * h[k]) * W1[i][k])
                .sum();
        }
    }
    j
}

#[track_caller]
fn assert_matrix<E: Real>(got: &[Vec<E>], want: &[Vec<f64>], tol: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: rows");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.len(), w.len(), "{what}: row {i}");
        for (j, (&g, &w)) in g.iter().zip(w).enumerate() {
            assert_close(g.to_f64(), w, tol, &format!("{what}[{i}][{j}]"));
        }
    }
}

fn rows(t: &Tensor<impl Real>) -> Vec<Vec<f64>> {
    let n = t.shape()[1];
    t.to_f64_vec().chunks(n).map(<[f64]>::to_vec).collect()
}

// ---------------------------------------------------------------------------
// closed forms
// ---------------------------------------------------------------------------

#[test]
fn polar_map_has_its_closed_form_jacobian_in_f64_and_f32() {
    for (r, t) in [(2.0, std::f64::consts::FRAC_PI_6), (0.7, -2.3), (3.5, 4.0)] {
        let want: Vec<Vec<f64>> = polar_jacobian(r, t).iter().map(|r| r.to_vec()).collect();
        assert_matrix(&jacobian::<f64, _>(polar, &[r, t]), &want, 1e-14, "f64");
        assert_matrix(&jacobian::<f32, _>(polar, &[r, t]), &want, 2e-6, "f32");
        assert_matrix(&jacfwd(polar, &[r, t]), &want, 1e-14, "jacfwd");
    }
}

#[test]
fn softmax_jacobian_is_diag_s_minus_s_s_transposed() {
    for x in [vec![0.0, 2f64.ln(), 3f64.ln()], vec![1.5, -0.4, 0.2, 3.0]] {
        let want = softmax_jacobian(&x);
        assert_matrix(&jacobian::<f64, _>(softmax, &x), &want, 1e-15, "f64");
        assert_matrix(&jacobian::<f32, _>(softmax, &x), &want, 1e-6, "f32");
        assert_matrix(&jacfwd(softmax, &x), &want, 1e-15, "jacfwd");
        // the tensor op, reverse and forward, f64 and f32
        let t = Tensor::from_vec(&[x.len()], x.clone()).unwrap();
        let jt = jacobian_tensor(|x| x.softmax(0), &t);
        assert_eq!(jt.shape(), [x.len(), x.len()]);
        assert_matrix(&rows(&jt), &want, 1e-15, "tensor f64");
        let j32 = jacobian_tensor(|x| x.softmax(0), &t.cast::<f32>());
        assert_matrix(&rows(&j32), &want, 1e-6, "tensor f32");
        let jf = jacfwd_tensor(|x| x.softmax(0), &t);
        assert_matrix(&rows(&jf), &want, 1e-15, "tensor jacfwd");
    }
}

#[test]
fn a_2_2_2_tanh_network_has_its_closed_form_jacobian() {
    for x in [[0.4, -0.6], [1.3, 0.9], [-2.0, 0.1]] {
        let want: Vec<Vec<f64>> = net_jacobian(x).iter().map(|r| r.to_vec()).collect();
        assert_matrix(&jacobian::<f64, _>(net, &x), &want, 1e-14, "f64");
        assert_matrix(&jacobian::<f32, _>(net, &x), &want, 1e-6, "f32");
        assert_matrix(&jacfwd(net, &x), &want, 1e-14, "jacfwd");
        let t = Tensor::from_vec(&[1, 2], x.to_vec()).unwrap();
        let jt = jacobian_tensor(net_tensor, &t);
        assert_eq!(jt.shape(), [2, 2]);
        assert_matrix(&rows(&jt), &want, 1e-14, "tensor f64");
        assert_matrix(
            &rows(&jacobian_tensor(net_tensor, &t.cast::<f32>())),
            &want,
            1e-6,
            "tensor f32",
        );
        assert_matrix(
            &rows(&jacfwd_tensor(net_tensor, &t)),
            &want,
            1e-14,
            "tensor jacfwd",
        );
    }
}

#[test]
fn outputs_that_ignore_an_input_or_are_constant_give_zeros() {
    fn f<'t, E: Real>(p: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
        vec![p[0].sin(), p[0].tape().constant(4.0)]
    }
    let j = jacobian::<f64, _>(f, &[0.3, 9.0]);
    assert_eq!(j, vec![vec![0.3f64.cos(), 0.0], vec![0.0, 0.0]]);
    assert_eq!(jacfwd(f, &[0.3, 9.0]), j);
    let v = vjp::<f64, _>(f, &[0.3, 9.0], &[2.0, 5.0]);
    assert_eq!(v.value, [0.3f64.sin(), 4.0]);
    assert_eq!(v.vj, [2.0 * 0.3f64.cos(), 0.0]);
    // no outputs: an empty Jacobian and uᵀJ = 0
    assert!(jacobian(|_: &[Var]| Vec::new(), &[1.0]).is_empty());
    assert!(jacfwd(|_: &[Var<Dual>]| Vec::new(), &[1.0]).is_empty());
    assert_eq!(vjp(|_: &[Var]| Vec::new(), &[1.0, 2.0], &[]).vj, [0.0, 0.0]);
}

// ---------------------------------------------------------------------------
// the four agree
// ---------------------------------------------------------------------------

/// jacobian == jacfwd == the columns of jvp == the rows of vjp, for the
/// function written once as `rev` (on any `E`) and `fwd` (on `Dual`).
fn four_agree<R, F>(rev: R, fwd: F, at: &[f64], tol: f64) -> Result<(), String>
where
    R: for<'t> Fn(&[Var<'t, f64>]) -> Vec<Var<'t, f64>>,
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Vec<Var<'t, Dual>>,
{
    let n = at.len();
    let j = jacobian(&rev, at);
    let jf = jacfwd(&fwd, at);
    let m = j.len();
    if jf.len() != m {
        return Err(format!("jacobian has {m} rows, jacfwd {}", jf.len()));
    }
    let close = |a: f64, b: f64| (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()));
    for c in 0..n {
        let mut e = vec![0.0; n];
        e[c] = 1.0;
        let col = jvp(&fwd, at, &e);
        for r in 0..m {
            let (a, b, d) = (j[r][c], jf[r][c], col.jv[r]);
            if !(close(a, b) && close(a, d)) {
                return Err(format!("[{r}][{c}]: jacobian {a}, jacfwd {b}, jvp {d}"));
            }
        }
    }
    for r in 0..m {
        let mut u = vec![0.0; m];
        u[r] = 1.0;
        let row = vjp(&rev, at, &u);
        for (c, (&a, &b)) in j[r].iter().zip(&row.vj).enumerate() {
            if !close(a, b) {
                return Err(format!("[{r}][{c}]: jacobian {a}, vjp {b}"));
            }
        }
    }
    Ok(())
}

#[test]
fn jacobian_jacfwd_jvp_and_vjp_agree_on_the_maps() {
    four_agree(polar, polar, &[1.7, 0.4], 1e-14).unwrap();
    four_agree(softmax, softmax, &[0.3, -1.2, 2.0, 0.0], 1e-14).unwrap();
    four_agree(net, net, &[0.4, -0.6], 1e-14).unwrap();
}

#[test]
fn the_agreement_check_catches_a_different_function() {
    // forward mode fed (r cos θ, r sin θ + r²): its second row differs
    fn other<'t>(p: &[Var<'t, Dual>]) -> Vec<Var<'t, Dual>> {
        vec![p[0] * p[1].cos(), p[0] * p[1].sin() + p[0] * p[0]]
    }
    let err = four_agree(polar, other, &[1.7, 0.4], 1e-14).unwrap_err();
    assert!(err.starts_with("[1][0]"), "{err}");
}

#[test]
fn jvp_and_vjp_are_products_with_the_jacobian() {
    let at = [0.4, -0.6];
    let j = net_jacobian(at);
    let (v, u) = ([0.3, -1.1], [2.0, 0.5]);
    let out = jvp(net, &at, &v);
    let back = vjp::<f64, _>(net, &at, &u);
    let value: Vec<f64> = {
        let tape = autograd::Tape::new();
        net(&tape.vars(&at)).iter().map(|y| y.value()).collect()
    };
    assert_eq!(out.value, value);
    assert_eq!(back.value, value);
    for (i, row) in j.iter().enumerate() {
        assert_close(out.jv[i], row[0] * v[0] + row[1] * v[1], 1e-14, "jv");
        assert_close(back.vj[i], u[0] * j[0][i] + u[1] * j[1][i], 1e-14, "vj");
    }
    // f32 vjp
    let back32 = vjp::<f32, _>(net, &at, &u);
    for i in 0..2 {
        assert_close(back32.vj[i].to_f64(), back.vj[i], 1e-6, "vj f32");
    }
}

#[test]
fn tensor_forms_agree_and_keep_shapes() {
    // a [2, 3] input mapped to a [3] output: column sums of tanh(x)·x
    let x = Tensor::from_vec(&[2, 3], vec![0.1, -0.4, 0.3, 0.8, -0.2, 0.5]).unwrap();
    fn cols<'t, E: Real>(x: TensorVar<'t, E>) -> TensorVar<'t, E> {
        (x.tanh() * x).sum_axis(0, false)
    }
    let (f, fd) = (cols::<f64>, cols::<Dual>);
    let j = jacobian_tensor(f, &x);
    assert_eq!(j.shape(), [3, 6]);
    let jf = jacfwd_tensor(fd, &x);
    assert!(j.max_abs_diff(&jf) < 1e-14, "{j:?} vs {jf:?}");
    for c in 0..6 {
        let mut e = vec![0.0; 6];
        e[c] = 1.0;
        let (value, col) = jvp_tensor(fd, &x, &Tensor::from_vec(&[2, 3], e).unwrap());
        assert_eq!(value.shape(), [3]);
        assert_eq!(col.shape(), [3]);
        for r in 0..3 {
            assert_close(col.data()[r], j.at(&[r, c]), 1e-14, "jvp column");
        }
    }
    for r in 0..3 {
        let mut u = vec![0.0; 3];
        u[r] = 1.0;
        let (value, row) = vjp_tensor(f, &x, &Tensor::from_vec(&[3], u).unwrap());
        assert_eq!(value.shape(), [3]);
        assert_eq!(row.shape(), [2, 3]);
        for c in 0..6 {
            assert_close(row.data()[c], j.at(&[r, c]), 1e-14, "vjp row");
        }
    }
    // closed form: ∂(Σᵢ tanh(xᵢₖ) xᵢₖ)/∂xᵢₖ = tanh x + x (1 − tanh² x), on column k only
    for (c, &v) in x.data().iter().enumerate() {
        for r in 0..3 {
            let want = if c % 3 == r {
                v.tanh() + v * (1.0 - v.tanh().powi(2))
            } else {
                0.0
            };
            assert_close(j.at(&[r, c]), want, 1e-15, "closed form");
        }
    }
}

// ---------------------------------------------------------------------------
// against central differences
// ---------------------------------------------------------------------------

#[test]
fn check_jacobian_passes_on_the_maps() {
    for report in [
        check_jacobian(polar, &[1.7, 0.4]),
        check_jacobian(softmax, &[0.3, -1.2, 2.0, 0.0]),
        check_jacobian(net, &[0.4, -0.6]),
    ] {
        report.assert_passed();
        assert!(report.max_abs_err() < 1e-8, "{report}");
    }
    let report = check_jacobian(softmax, &[0.3, -1.2, 2.0]);
    assert_eq!(report.rows.len(), 3);
    let want = softmax_jacobian(&[0.3, -1.2, 2.0]);
    for (i, row) in report.rows.iter().enumerate() {
        assert_eq!(row.entries.len(), 3);
        for (j, e) in row.entries.iter().enumerate() {
            assert_eq!((e.input, e.index.is_empty()), (j, true));
            assert_close(e.analytic, want[i][j], 1e-15, "analytic");
            assert_close(e.numeric, want[i][j], 1e-8, "numeric");
        }
    }
    let table = report.to_string();
    assert!(table.contains("output y2:"), "{table}");
    assert!(table.contains("9 of 9 elements pass"), "{table}");
}

#[test]
#[allow(clippy::needless_range_loop)] // the indices are the matrix's row and column
fn tensor_forms_match_central_differences_in_f64_and_f32() {
    let x = Tensor::from_vec(&[1, 2], vec![0.4, -0.6]).unwrap();
    let value = |p: &[f64]| -> Vec<f64> {
        let tape = autograd::Tape::new();
        let t = tape.tensor(Tensor::from_vec(&[1, 2], p.to_vec()).unwrap());
        net_tensor(t).value().to_vec()
    };
    let h = 1e-6;
    let mut numeric = [[0.0; 2]; 2];
    for c in 0..2 {
        let (mut plus, mut minus) = (x.to_vec(), x.to_vec());
        plus[c] += h;
        minus[c] -= h;
        let (fp, fm) = (value(&plus), value(&minus));
        for r in 0..2 {
            numeric[r][c] = (fp[r] - fm[r]) / (2.0 * h);
        }
    }
    let j64 = jacobian_tensor(net_tensor, &x);
    let j32 = jacobian_tensor(net_tensor, &x.cast::<f32>());
    let jf = jacfwd_tensor(net_tensor, &x);
    for r in 0..2 {
        for c in 0..2 {
            let n = numeric[r][c];
            assert_close(j64.at(&[r, c]), n, 1e-8, "jacobian_tensor f64");
            assert_close(j32.at(&[r, c]).to_f64(), n, 1e-5, "jacobian_tensor f32");
            assert_close(jf.at(&[r, c]), n, 1e-8, "jacfwd_tensor");
        }
    }
    // uᵀJ and J·v against the numeric matrix, vjp in f64 and f32
    let (u, v) = ([0.7, -1.3], [-0.2, 0.9]);
    let ut = Tensor::from_vec(&[1, 2], u.to_vec()).unwrap();
    let vt = Tensor::from_vec(&[1, 2], v.to_vec()).unwrap();
    let (_, vj) = vjp_tensor(net_tensor, &x, &ut);
    let (_, vj32) = vjp_tensor(net_tensor, &x.cast::<f32>(), &ut.cast::<f32>());
    let (_, jv) = jvp_tensor(net_tensor, &x, &vt);
    for k in 0..2 {
        let uj = u[0] * numeric[0][k] + u[1] * numeric[1][k];
        let jvk = numeric[k][0] * v[0] + numeric[k][1] * v[1];
        assert_close(vj.data()[k], uj, 1e-8, "vjp_tensor f64");
        assert_close(vj32.data()[k].to_f64(), uj, 1e-5, "vjp_tensor f32");
        assert_close(jv.data()[k], jvk, 1e-8, "jvp_tensor");
    }
}

#[test]
fn check_jacobian_fails_on_a_wrong_derivative() {
    // y₁ records 3 as the derivative of 2x (the truth is 2)
    let report = check_jacobian(
        |p: &[Var]| vec![p[0].sin(), p[0].unary("bad", 2.0 * p[0].value(), 3.0)],
        &[0.5],
    );
    assert!(!report.passed(), "{report}");
    let failures: Vec<_> = report.failures().collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, 1);
    assert_close(failures[0].1.numeric, 2.0, 1e-8, "numeric");
    assert!(report.to_string().contains("FAIL"), "{report}");
    assert!(
        report.to_string().contains("1 of 2 elements pass"),
        "{report}"
    );
    let msg = panic_message(|| report.assert_passed());
    assert!(msg.starts_with("Jacobian check failed:"), "{msg}");
    // tighter settings catch a smaller error
    fn f<'t>(p: &[Var<'t>]) -> Vec<Var<'t>> {
        vec![p[0].unary("off", p[0].value(), 1.0 + 1e-4)]
    }
    assert!(check_jacobian(f, &[0.5]).passed());
    let strict = GradCheck {
        rel_tol: 1e-6,
        abs_tol: 1e-8,
        ..GradCheck::default()
    };
    assert!(!strict.jacobian(f, &[0.5]).passed());
}

#[test]
fn check_jacobian_fails_on_non_finite_values() {
    // √x at 0: an infinite derivative
    let report = check_jacobian(|p: &[Var]| vec![p[0].sqrt(), p[1] * 2.0], &[0.0, 1.0]);
    assert!(!report.passed(), "{report}");
    assert!(report.rows[1].passed());
    assert!(!report.rows[0].entries[0].passed);
    // ln of a negative number: a NaN value (and so NaN differences) fails,
    // though the tape's derivatives of it are zero
    let report = check_jacobian(
        |p: &[Var]| vec![p[1].tape().constant(-1.0).ln(), p[1] * 2.0],
        &[0.0, 1.0],
    );
    assert!(!report.passed(), "{report}");
    assert!(report.rows[0].value.is_nan());
    assert!(report.rows[0]
        .entries
        .iter()
        .all(|e| e.analytic == 0.0 && !e.passed));
    assert!(report.rows[1].passed());
    assert!(report.failures().all(|(row, _)| row == 0));
}

#[test]
fn bad_seeds_and_tangents_are_refused_with_what_was_expected() {
    let msg = panic_message(|| {
        vjp::<f64, _>(polar, &[1.0, 0.5], &[1.0]);
    });
    assert!(
        msg.contains("vjp: expected a seed with one entry per output (2), found 1"),
        "{msg}"
    );
    let msg = panic_message(|| {
        jvp(polar, &[1.0, 0.5], &[1.0, 0.0, 0.0]);
    });
    assert!(
        msg.contains("jvp: expected a tangent with 2 elements, found 3"),
        "{msg}"
    );
    let x = Tensor::from_vec(&[2], vec![1.0, 2.0]).unwrap();
    let msg = panic_message(|| {
        vjp_tensor(|x| x.softmax(0), &x, &Tensor::zeros(&[3]));
    });
    assert!(
        msg.contains("vjp_tensor: expected a seed of the output's shape [2], found [3]"),
        "{msg}"
    );
    let msg = panic_message(|| {
        jvp_tensor(|x| x.softmax(0), &x, &Tensor::zeros(&[1, 2]));
    });
    assert!(
        msg.contains("jvp_tensor: the tangent must have the point's shape"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// random expression graphs
// ---------------------------------------------------------------------------

/// Several outputs, each a random scalar tree (the generator the gradient
/// property tests use) over the same inputs.
fn eval_all<'t, E: Real>(gs: &[S], x: &[Var<'t, E>]) -> Vec<Var<'t, E>> {
    gs.iter().map(|g| eval_s(g, x)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_four_agree_on_random_expression_graphs(
        gs in prop::collection::vec(scalar_tree(), 1..4),
        at in prop::array::uniform3(-2.0..2.0f64),
    ) {
        let j = jacobian(|x: &[Var]| eval_all(&gs, x), &at);
        let tape = autograd::Tape::new();
        let values: Vec<f64> = eval_all(&gs, &tape.vars(&at)).iter().map(|y| y.value()).collect();
        prop_assume!(values.iter().chain(j.iter().flatten()).all(|v| v.is_finite() && v.abs() < 1e6));
        let agree = four_agree(
            |x: &[Var]| eval_all(&gs, x),
            |x: &[Var<Dual>]| eval_all(&gs, x),
            &at,
            1e-12,
        );
        prop_assert!(agree.is_ok(), "{} for {gs:?} at {at:?}", agree.unwrap_err());
    }
}
