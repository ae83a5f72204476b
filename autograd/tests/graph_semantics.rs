//! How the graph behaves: reuse sums gradients, deep chains do not overflow
//! the stack, constants and `no_grad` record nothing, `detach` cuts the
//! graph, gradients for a subset, accumulation across backward calls,
//! vector–Jacobian products, anomaly detection, user-defined ops, `f32`
//! against `f64`, and a cleared tape keeping its memory.

mod common;

use autograd::{
    check_tensor_grad, Backward, Error, Grads, Input, Op, Real, Result, Tape, Tensor, TensorVar,
    Var,
};
use common::{assert_close, check_mixed, panic_message, weight, wsum, Rng};
use std::cell::RefCell;
use std::rc::Rc;

// ---------------------------------------------------------------------------
// reuse
// ---------------------------------------------------------------------------

#[test]
fn a_scalar_used_many_times_gets_the_summed_gradient() {
    let tape = Tape::new();
    let a = tape.var(1.5);
    assert_eq!((a + a).backward()[a], 2.0);
    assert_eq!((a * a).backward()[a], 3.0);
    assert_eq!((a * a * a).backward()[a], 3.0 * 1.5 * 1.5);
    assert_eq!((a - a).backward()[a], 0.0);
    assert_eq!((a / a).backward()[a], 0.0);
    // an intermediate reused across branches (micrograd's issue #2)
    let b = a * 3.0;
    let c = b.sin() + b * b + b;
    let bv = 4.5f64;
    let want = 3.0 * (bv.cos() + 2.0 * bv + 1.0);
    assert_close(c.backward()[a], want, 1e-12, "dc/da through a reused b");
    // diamond: d = f(b) · g(b), both from the same b
    let d = b.exp() * b.tanh();
    let want = 3.0 * (bv.exp() * bv.tanh() + bv.exp() * (1.0 - bv.tanh().powi(2)));
    assert_close(d.backward()[a], want, 1e-9, "diamond");
    // a sum of 1000 uses of the same leaf
    let s = Var::sum(&vec![a; 1000]).unwrap();
    assert_eq!(s.backward()[a], 1000.0);
}

#[test]
fn a_tensor_used_many_times_gets_the_summed_gradient() {
    let tape = Tape::new();
    let data = vec![0.5, -1.0, 2.0, 0.25, 1.5, -0.75];
    let x = tape.tensor(Tensor::from_vec(&[2, 3], data.clone()).unwrap());
    let g = (x + x).sum().backward();
    assert!(g[x].data().iter().all(|&d| d == 2.0));
    let g = (x * x).sum().backward();
    let want: Vec<f64> = data.iter().map(|v| 2.0 * v).collect();
    assert_eq!(g[x].data(), &want[..]);
    // an intermediate reused: h = e^x, y = Σ (h·h + h) → dy/dx = (2h + 1)·h
    let h = x.exp();
    let g = (h * h + h).sum().backward();
    for (k, &v) in data.iter().enumerate() {
        let e = v.exp();
        assert_close(g[x].data()[k], (2.0 * e + 1.0) * e, 1e-12, "reused h");
    }
    // the same tensor broadcast against its own reduction
    let g = wsum(x - x.mean_axis(0, true) + x.sum_axis(1, true)).backward();
    let w = |i: usize, j: usize| weight(&[i, j]);
    for i in 0..2 {
        for j in 0..3 {
            let col: f64 = (0..2).map(|r| w(r, j)).sum();
            let row: f64 = (0..3).map(|c| w(i, c)).sum();
            assert_close(
                g[x].at(&[i, j]),
                w(i, j) - col / 2.0 + row,
                1e-14,
                "self-broadcast",
            );
        }
    }
    // a tensor, a scalar reduced from it, and the two recombined
    let m = x.mean();
    let g = (x * m).sum().backward();
    let total: f64 = data.iter().sum();
    for &d in g[x].data() {
        // d/dx_k Σ_j x_j·m = m + (Σ_j x_j)/n, with m = (Σ_j x_j)/n
        assert_close(d, 2.0 * total / 6.0, 1e-14, "x·mean(x)");
    }
}

// ---------------------------------------------------------------------------
// deep graphs
// ---------------------------------------------------------------------------

/// Runs `f` on a thread with a small stack, so that any recursion over the
/// graph's depth would overflow.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_chain_of_100_000_scalar_ops_does_not_overflow_the_stack() {
    on_small_stack(|| {
        const N: usize = 100_000;
        let q = 1.0 + 1e-6;
        let tape = Tape::new();
        let x = tape.var(0.5);
        let mut y = x;
        for _ in 0..N / 2 {
            y = y * q; // one node
            y = y + x; // one node, one more use of x
        }
        assert!(tape.len() > N);
        let g = y.backward();
        // y_{k+1} = q·y_k + x with y_0 = x: dy/dx follows the same recurrence
        let mut want = 1.0;
        for _ in 0..N / 2 {
            want = want * q + 1.0;
        }
        assert_close(g[x], want, 1e-9 * want, "dy/dx along the chain");
        drop(g);
        drop(tape);
    });
}

#[test]
fn a_chain_of_100_000_tensor_ops_does_not_overflow_the_stack() {
    on_small_stack(|| {
        const N: usize = 100_000;
        let tape = Tape::new();
        let x = tape.tensor(Tensor::from_vec(&[2], vec![0.5, -0.25]).unwrap());
        let mut y = x;
        for k in 0..N {
            y = if k % 2 == 0 { y * 1.000001 } else { y + x };
        }
        assert!(tape.len() > N);
        let g = y.sum().backward();
        let mut want = 1.0;
        for _ in 0..N / 2 {
            want = want * 1.000001 + 1.0;
        }
        for &d in g[x].data() {
            assert_close(d, want, 1e-9 * want, "dy/dx along the tensor chain");
        }
        drop(g);
        drop(tape);
    });
}

// ---------------------------------------------------------------------------
// constants, detach, no_grad
// ---------------------------------------------------------------------------

#[test]
fn constants_get_no_gradient_and_record_nothing() {
    let tape = Tape::new();
    let c = tape.constant(3.0);
    let k = tape.constant(-0.5);
    let y = (c * k + 1.0).exp() / c - c.sqrt() * k.abs();
    assert!(y.is_constant());
    assert!(
        tape.is_empty(),
        "constant arithmetic recorded {} nodes",
        tape.len()
    );
    let w = tape.var(2.0);
    let n = tape.len();
    let e = w * c + k;
    assert_eq!(
        tape.len(),
        n + 2,
        "one node per op that involves a variable"
    );
    let g = e.backward();
    assert_eq!(g[w], 3.0);
    assert_eq!(g[c], 0.0);
    assert_eq!(g[k], 0.0);
    assert_eq!(g[y], 0.0);
    // backward from a constant gives no gradient to anything
    assert_eq!(y.backward()[w], 0.0);
}

#[test]
fn tensor_constants_get_no_gradient() {
    let tape = Tape::new();
    let c = tape.tensor_constant(Tensor::from_vec(&[2], vec![1.0, 2.0]).unwrap());
    let x = tape.tensor(Tensor::from_vec(&[2], vec![3.0, 4.0]).unwrap());
    let only_constants = (c * c).exp().sum();
    assert!(only_constants.is_constant());
    let cc = c * 2.0 + c;
    assert!(cc.is_constant());
    assert!(cc.sum().is_constant());
    let g = (x * c).sum().backward();
    assert_eq!(g[x].data(), &[1.0, 2.0]);
    assert!(g.wrt(c).is_none());
    assert!(g.wrt(cc).is_none());
    // indexing a constant (or a value computed from constants only) gives
    // zeros, as for a scalar constant
    assert_eq!(g[c].data(), &[0.0, 0.0]);
    assert_eq!(g[cc].data(), &[0.0, 0.0]);
    let g = cc.sum().backward();
    assert!(g.wrt(x).is_none());
    assert_eq!(g[x].data(), &[0.0, 0.0]);
}

#[test]
fn detach_cuts_the_graph() {
    let tape = Tape::new();
    let x = tape.var(3.0);
    let d = x.detach();
    assert!(d.is_constant());
    assert_eq!(d.value(), 3.0);
    // y = x · stop(x): dy/dx = x, not 2x
    assert_eq!((x * d).backward()[x], 3.0);
    assert_eq!((x * x).backward()[x], 6.0);

    let t = tape.tensor(Tensor::from_vec(&[3], vec![1.0, -2.0, 0.5]).unwrap());
    let td = t.detach();
    assert!(td.is_constant());
    assert_eq!(td.value(), t.value());
    let g = (t * td).sum().backward();
    assert_eq!(g[t].data(), &[1.0, -2.0, 0.5]);
    assert!(g.wrt(td).is_none());
    // detaching an intermediate stops the gradient of everything before it
    let h = (t.exp() + 1.0).detach();
    let g = (h * t).sum().backward();
    let want: Vec<f64> = [1.0f64, -2.0, 0.5]
        .iter()
        .map(|&v| autograd::Real::exp(v) + 1.0)
        .collect();
    assert_eq!(g[t].data(), &want[..]);
}

#[test]
fn no_grad_records_nothing_and_restores_recording() {
    let tape = Tape::new();
    let x = tape.var(2.0);
    let t = tape.tensor(Tensor::from_vec(&[2], vec![1.0, 2.0]).unwrap());
    let (y, u, v, inner) = tape.no_grad(|| {
        assert!(!tape.grad_enabled());
        let y = x * x + x.sin();
        let u = (t * t).exp();
        let v = tape.var(5.0);
        // a nested no_grad: recording stays off inside it and after it
        let inner = tape.no_grad(|| x * 3.0);
        assert!(!tape.grad_enabled());
        (y, u, v, inner)
    });
    assert!(tape.grad_enabled());
    assert!(y.is_constant() && v.is_constant() && inner.is_constant());
    assert!(u.is_constant());
    assert_eq!(y.value(), 4.0 + autograd::Real::sin(2f64));
    assert_eq!(
        u.value().data(),
        &[autograd::Real::exp(1f64), autograd::Real::exp(4f64)]
    );
    let g = (y * x).backward();
    assert_eq!(g[x], y.value(), "the no_grad part is a constant factor");
    let g = (u * t).sum().backward();
    assert_eq!(g[t], u.value());
    // a tensor made inside no_grad is not a variable
    let w = tape.no_grad(|| tape.tensor(Tensor::ones(&[2])));
    assert!(w.is_constant());
    assert!((w * t).sum().backward().wrt(w).is_none());
    // recording resumes
    let z = x * x;
    assert!(!z.is_constant());
    assert_eq!(z.backward()[x], 4.0);
}

#[test]
fn no_grad_scalar_work_adds_no_nodes() {
    let tape = Tape::new();
    let x = tape.var(2.0);
    let n = tape.len();
    let y = tape.no_grad(|| (x * x + 1.0).ln().tanh() * x);
    assert_eq!(tape.len(), n);
    assert!(y.is_constant());
}

#[test]
fn no_grad_restores_recording_after_a_panic() {
    let tape = Tape::new();
    let _ = panic_message(|| {
        tape.no_grad(|| panic!("inside no_grad"));
    });
    assert!(
        tape.grad_enabled(),
        "a panic inside no_grad must not leave recording switched off"
    );
}

/// An op whose backward records a scalar on a tape it holds: the tape the
/// sweep is reading, in the test below.
struct RecordsInBackward(&'static Tape);

impl Op<f64> for RecordsInBackward {
    fn name(&self) -> &'static str {
        "records_in_backward"
    }
    fn forward(&self, xs: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(xs[0].clone())
    }
    fn backward(&self, cx: &mut Backward<'_, f64>) {
        let _ = self.0.var(1.0) * 2.0;
        cx.set_grad(0, cx.grad().clone());
    }
}

#[test]
fn recording_on_a_tape_while_its_sweep_reads_it_panics() {
    // leaked, so that an op (which is 'static) can hold it
    let tape: &'static Tape = Box::leak(Box::new(Tape::new()));
    let x = tape.tensor(Tensor::ones(&[2]));
    let y = tape
        .apply(RecordsInBackward(tape), &[x.into()])
        .unwrap()
        .sum();
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(
        msg.contains("cannot record on a tape while its nodes are being read"),
        "{msg}"
    );
}

#[test]
fn a_scalar_recorded_after_backward_has_gradient_zero() {
    // √x at 0 has derivative ∞: x's gradient is ∞, and the sweep's work for
    // it (0·∞ = NaN into the scratch slot) must not show up anywhere
    let tape = Tape::new();
    let x = tape.var(0.0);
    let y = x.sqrt() * 2.0;
    let g = y.backward();
    assert_eq!(g[x], f64::INFINITY);
    let later = tape.var(5.0);
    let z = later * y;
    assert_eq!(g[later], 0.0);
    assert_eq!(g[z], 0.0);
    assert_eq!(g[y], 1.0);
}

// ---------------------------------------------------------------------------
// subsets, accumulation, vector–Jacobian products
// ---------------------------------------------------------------------------

#[test]
fn gradients_for_a_subset_of_inputs() {
    let tape = Tape::new();
    let (w, b, unused) = (tape.var(0.5), tape.var(-0.2), tape.var(9.0));
    let c = tape.constant(4.0);
    let e = (0.68 - (w * 0.4 + b).sigmoid()).powi(2) * c;
    let g = e.grad_wrt(&[b, w]);
    let full = e.backward();
    assert_eq!(g, vec![full[b], full[w]]);
    assert_eq!(e.grad_wrt(&[unused, c]), vec![0.0, 0.0]);
    assert!(e.grad_wrt(&[]).is_empty());
    // tensor inputs: only those the output depends on have a gradient
    let x = tape.tensor(Tensor::ones(&[2]));
    let z = tape.tensor(Tensor::ones(&[2]));
    let h = x * 2.0;
    let g = h.sum().backward();
    assert!(g.wrt(x).is_some());
    assert!(g.wrt(z).is_none(), "unreachable input");
    assert!(g.wrt(h).is_none(), "intermediate results are not kept");
}

#[test]
fn backward_into_twice_doubles_the_gradient() {
    let tape = Tape::new();
    let (w, b) = (tape.var(0.7), tape.var(0.1));
    let e = (w * 1.3 + b).tanh().powi(2);
    let once = e.backward();
    let mut acc = Grads::empty();
    assert!(acc.is_empty());
    e.backward_into(&mut acc);
    e.backward_into(&mut acc);
    assert!(!acc.is_empty());
    assert_close(acc[w], 2.0 * once[w], 1e-15, "w");
    assert_close(acc[b], 2.0 * once[b], 1e-15, "b");
}

#[test]
fn accumulating_per_sample_gradients_equals_the_gradient_of_the_sum() {
    let mut rng = Rng::new(7);
    let xs: Vec<f64> = (0..8).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let ys: Vec<f64> = (0..8).map(|_| rng.uniform(0.0, 1.0)).collect();
    let tape = Tape::new();
    let (w, b) = (tape.var(0.3), tape.var(-0.4));
    let loss = |x: f64, y: f64| (y - (w * x + b).sigmoid()).powi(2);
    // one backward per sample, accumulated two ways
    let mut by_into = Grads::empty();
    let mut by_accumulate = Grads::empty();
    for (&x, &y) in xs.iter().zip(&ys) {
        loss(x, y).backward_into(&mut by_into);
        by_accumulate.accumulate(&loss(x, y).backward());
    }
    // one backward of the sum
    let total = xs
        .iter()
        .zip(&ys)
        .map(|(&x, &y)| loss(x, y))
        .sum::<Option<Var>>()
        .unwrap();
    let all = total.backward();
    for (name, v) in [("w", w), ("b", b)] {
        assert_close(by_into[v], all[v], 1e-14, name);
        assert_close(by_accumulate[v], all[v], 1e-14, name);
    }
}

#[test]
fn accumulating_tensor_gradients_equals_the_gradient_of_the_sum() {
    let mut rng = Rng::new(8);
    let tape = Tape::new();
    let w = tape.tensor(rng.tensor(&[3, 2], |r| r.uniform(-1.0, 1.0)));
    let b = tape.tensor(rng.tensor(&[2], |r| r.uniform(-1.0, 1.0)));
    let batches: Vec<TensorVar> = (0..3)
        .map(|_| tape.tensor_constant(rng.tensor(&[4, 3], |r| r.uniform(-1.0, 1.0))))
        .collect();
    let loss = |i: usize| (batches[i].matmul(w) + b).tanh().powi(2).sum();
    let mut acc = Grads::empty();
    for i in 0..batches.len() {
        loss(i).backward_into(&mut acc);
    }
    let mut acc2 = Grads::empty();
    for i in 0..batches.len() {
        acc2.accumulate(&loss(i).backward());
    }
    let total = (0..batches.len()).map(loss).sum::<Option<Var>>().unwrap();
    let all = total.backward();
    for t in [w, b] {
        assert!(acc[t].max_abs_diff(&all[t]) < 1e-13);
        assert!(acc2[t].max_abs_diff(&all[t]) < 1e-13);
    }
    // accumulating an empty set of gradients changes nothing
    let before = acc[w].clone();
    acc.accumulate(&Grads::empty());
    assert_eq!(acc[w], before);
}

#[test]
fn backward_with_a_seed_is_the_vector_jacobian_product() {
    // y = A·tanh(x), x ∈ R³ (a [3, 1] column), y ∈ R² (a [2, 1] column)
    let a = Tensor::from_vec(&[2, 3], vec![1.0, -2.0, 0.5, 0.3, 0.8, -1.1]).unwrap();
    let x0 = Tensor::from_vec(&[3, 1], vec![0.2, -0.7, 1.1]).unwrap();
    let f = |x: &Tensor| -> Tensor {
        let tape = Tape::new();
        let y = tape
            .tensor_constant(a.clone())
            .matmul(tape.tensor(x.clone()).tanh());
        y.value()
    };
    // the Jacobian by central differences, one column ∂y/∂x_j per input
    let eps = 1e-6;
    let columns: Vec<Tensor> = (0..3)
        .map(|j| {
            let mut p = x0.to_vec();
            p[j] += eps;
            let fp = f(&Tensor::from_vec(&[3, 1], p.clone()).unwrap());
            p[j] -= 2.0 * eps;
            let fm = f(&Tensor::from_vec(&[3, 1], p).unwrap());
            fp.zip_map(&fm, |u, v| (u - v) / (2.0 * eps))
        })
        .collect();
    let tape = Tape::new();
    let x = tape.tensor(x0.clone());
    let y = tape.tensor_constant(a.clone()).matmul(x.tanh());
    for seed in [[1.0, 0.0], [0.0, 1.0], [0.7, -1.9]] {
        let g = y
            .backward_with(Tensor::from_vec(&[2, 1], seed.to_vec()).unwrap())
            .unwrap();
        for (j, col) in columns.iter().enumerate() {
            let want = seed[0] * col.data()[0] + seed[1] * col.data()[1];
            assert_close(g[x].data()[j], want, 1e-8, "sᵀJ");
        }
        // the same as the gradient of Σ s ⊙ y
        let s = tape.tensor_constant(Tensor::from_vec(&[2, 1], seed.to_vec()).unwrap());
        let g2 = (y * s).sum().backward();
        assert!(g[x].max_abs_diff(&g2[x]) < 1e-15);
    }
    // element-wise: the VJP of exp is s ⊙ e^x
    let t = tape.tensor(Tensor::from_vec(&[3], vec![0.0, 1.0, -1.0]).unwrap());
    let s = Tensor::from_vec(&[3], vec![2.0, -1.0, 0.5]).unwrap();
    let g = t.exp().backward_with(s.clone()).unwrap();
    for k in 0..3 {
        let want = s.data()[k] * t.value().data()[k].exp();
        assert_close(g[t].data()[k], want, 1e-15, "s ⊙ e^x");
    }
    // a one-element tensor: backward() seeds with 1, backward_with scales it
    let one = t.exp().sum_axis(0, true);
    assert_eq!(one.shape().as_slice(), &[1]);
    let g1 = one.backward().unwrap();
    let g3 = one
        .backward_with(Tensor::from_vec(&[1], vec![3.0]).unwrap())
        .unwrap();
    assert!(g1[t].scale(3.0).max_abs_diff(&g3[t]) < 1e-15);
    // seeding a constant gives no gradient
    let c = tape.tensor_constant(Tensor::ones(&[3]));
    assert!(c.exp().backward_with(s).unwrap().wrt(t).is_none());
}

// ---------------------------------------------------------------------------
// anomaly detection
// ---------------------------------------------------------------------------

#[test]
fn anomaly_detection_names_scalar_ln_of_a_negative() {
    let tape = Tape::new();
    tape.detect_anomaly(true);
    assert!(tape.anomaly_detection());
    let x = tape.var(-1.0);
    let msg = panic_message(|| {
        let _ = (x * 2.0).ln();
    });
    assert!(msg.contains("non-finite value from `ln`"), "{msg}");
    assert!(msg.contains("scalar -2"), "the input value: {msg}");
    assert!(msg.contains("NaN"), "the output value: {msg}");
}

#[test]
fn anomaly_detection_names_scalar_div_by_zero() {
    let tape = Tape::new();
    tape.detect_anomaly(true);
    let (x, y) = (tape.var(1.0), tape.var(0.0));
    let msg = panic_message(|| {
        let _ = x / y;
    });
    assert!(msg.contains("non-finite value from `div`"), "{msg}");
    assert!(msg.contains("scalar 1, scalar 0"), "both inputs: {msg}");
    assert!(msg.contains("inf"), "{msg}");
    let msg = panic_message(|| {
        let _ = 1.0 / (y * 2.0);
    });
    assert!(msg.contains("`div`"), "{msg}");
}

#[test]
fn anomaly_detection_names_tensor_ops_with_input_shapes() {
    let tape = Tape::new();
    tape.detect_anomaly(true);
    let x = tape.tensor(Tensor::from_vec(&[2, 2], vec![1.0, -1.0, 2.0, 3.0]).unwrap());
    let msg = panic_message(|| {
        let _ = x.ln();
    });
    assert!(msg.contains("non-finite value from `ln`"), "{msg}");
    assert!(msg.contains("Tensor<f64>[2, 2]"), "input shape: {msg}");

    let a = tape.tensor(Tensor::from_vec(&[2, 3], vec![1.0; 6]).unwrap());
    let b = tape.tensor(Tensor::from_vec(&[2, 3], vec![1.0, 0.0, 1.0, 1.0, 1.0, 1.0]).unwrap());
    let msg = panic_message(|| {
        let _ = a / b;
    });
    assert!(msg.contains("non-finite value from `div`"), "{msg}");
    let inputs = &msg[msg.find("inputs:").unwrap()..msg.find("; output").unwrap()];
    assert_eq!(
        inputs.matches("Tensor<f64>[2, 3]").count(),
        2,
        "both input shapes: {msg}"
    );

    let m = tape.tensor(Tensor::from_vec(&[1, 2], vec![1e300, 1e300]).unwrap());
    let n = tape.tensor(Tensor::from_vec(&[2, 1], vec![1e300, 1e300]).unwrap());
    let msg = panic_message(|| {
        let _ = m.matmul(n);
    });
    assert!(msg.contains("`matmul`"), "{msg}");
    assert!(msg.contains("[1, 2]") && msg.contains("[2, 1]"), "{msg}");
}

#[test]
fn anomaly_detection_catches_a_non_finite_gradient_in_a_tensor_backward() {
    // sqrt(0) = 0 is finite; its derivative 1/(2·0) is not
    let tape = Tape::new();
    tape.detect_anomaly(true);
    let x = tape.tensor(Tensor::from_vec(&[2], vec![0.0, 4.0]).unwrap());
    let y = x.sqrt().sum();
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(
        msg.contains("non-finite gradient from the backward of `sqrt`"),
        "{msg}"
    );
    assert!(msg.contains("[2]"), "{msg}");
}

#[test]
fn anomaly_detection_catches_a_non_finite_scalar_derivative() {
    // the scalar twin of the test above: sqrt(0) records the partial 1/(2·0)
    let tape = Tape::new();
    tape.detect_anomaly(true);
    let x = tape.var(0.0);
    let msg = panic_message(|| {
        let y = x.sqrt();
        let _ = y.backward();
    });
    assert!(msg.contains("non-finite value from `sqrt`"), "{msg}");
    assert!(msg.contains("output: 0, local derivatives inf"), "{msg}");
    // a constant operand's derivative is never used, so it is not checked:
    // 0^y at y = ½ has ∂/∂base = ½·0^(−½) = ∞ but ∂/∂y = 0
    let c = tape.constant(0.0);
    assert_eq!(c.sqrt().value(), 0.0);
    let y = tape.var(0.5);
    let z = c.pow(y);
    assert_eq!(z.value(), 0.0);
    assert_eq!(z.backward()[y], 0.0);
}

#[test]
fn without_anomaly_detection_nan_flows_silently() {
    let tape = Tape::new();
    assert!(!tape.anomaly_detection());
    let x = tape.var(-1.0);
    let y = x.ln() * 2.0;
    assert!(y.value().is_nan());
    let t = tape.tensor(Tensor::from_vec(&[1], vec![-1.0]).unwrap());
    assert!(t.ln().value().data()[0].is_nan());
    tape.detect_anomaly(true);
    tape.detect_anomaly(false);
    assert!(x.ln().value().is_nan());
}

// ---------------------------------------------------------------------------
// user-defined ops
// ---------------------------------------------------------------------------

/// hypot(a, b) = √(a² + b²), element by element, with its own backward;
/// records which inputs the sweep said needed a gradient.
struct Hypot {
    needs: Rc<RefCell<Vec<[bool; 2]>>>,
}

impl<E: Real> Op<E> for Hypot {
    fn name(&self) -> &'static str {
        "hypot"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        if xs.len() != 2 || xs[0].shape() != xs[1].shape() {
            let shapes: Vec<&[usize]> = xs.iter().map(|t| t.shape()).collect();
            return Err(Error::shape("hypot", &shapes, "two tensors of equal shape"));
        }
        Ok(xs[0].zip_map(xs[1], |a, b| (a * a + b * b).sqrt()))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        self.needs
            .borrow_mut()
            .push([cx.needs_grad(0), cx.needs_grad(1)]);
        let (y, g) = (cx.output(), cx.grad());
        for i in 0..2 {
            if cx.needs_grad(i) {
                cx.set_grad(i, g.zip3_map(cx.input(i), y, |g, x, y| g * x / y));
            }
        }
    }
}

/// x · s for a tensor x and a scalar s (seen by the op as a 0-d tensor).
struct ScaleBy;

impl<E: Real> Op<E> for ScaleBy {
    fn name(&self) -> &'static str {
        "scale_by"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        let s = xs[1].item();
        Ok(xs[0].map(|x| x * s))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        let (x, s, g) = (cx.input(0), cx.input(1).item(), cx.grad());
        let dx = g.map(|g| g * s);
        let ds: E = g.data().iter().zip(x.data()).map(|(&g, &x)| g * x).sum();
        cx.set_grad(0, dx);
        cx.set_grad(1, Tensor::scalar(ds));
    }
}

/// x² with a wrong backward (missing the factor 2).
struct BadSquare;

impl<E: Real> Op<E> for BadSquare {
    fn name(&self) -> &'static str {
        "bad_square"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Ok(xs[0].map(|x| x * x))
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, cx.grad().zip_map(cx.input(0), |g, x| g * x));
    }
}

/// A backward that returns a gradient of the wrong shape.
struct BadShape;

impl<E: Real> Op<E> for BadShape {
    fn name(&self) -> &'static str {
        "bad_shape"
    }
    fn forward(&self, xs: &[&Tensor<E>]) -> Result<Tensor<E>> {
        Ok(xs[0].clone())
    }
    fn backward(&self, cx: &mut Backward<'_, E>) {
        cx.set_grad(0, Tensor::zeros(&[1]));
    }
}

fn hypot<'t>(a: TensorVar<'t>, b: TensorVar<'t>) -> TensorVar<'t> {
    let needs = Rc::new(RefCell::new(Vec::new()));
    a.tape()
        .apply(Hypot { needs }, &[a.into(), b.into()])
        .unwrap()
}

#[test]
fn a_user_defined_op_passes_the_gradient_check() {
    let mut rng = Rng::new(21);
    for shape in [&[3usize][..], &[2, 3], &[]] {
        let a = rng.tensor(shape, |r| r.signed(0.2, 2.0));
        let b = rng.tensor(shape, |r| r.signed(0.2, 2.0));
        check_tensor_grad(
            |p: &[TensorVar]| wsum(hypot(p[0], p[1])),
            &[a.clone(), b.clone()],
        )
        .assert_passed();
        // composed with built-ins on both sides
        check_tensor_grad(
            |p: &[TensorVar]| (hypot(p[0].tanh(), p[1] * 2.0) * p[0]).sum().sin(),
            &[a, b],
        )
        .assert_passed();
    }
}

#[test]
fn a_user_defined_op_with_a_scalar_input() {
    let mut rng = Rng::new(22);
    for _ in 0..3 {
        let s = vec![rng.signed(0.3, 2.0)];
        let t = vec![rng.tensor(&[2, 3], |r| r.uniform(-1.0, 1.0))];
        check_mixed("scale_by", &s, &t, |v, t| {
            let y = t[0]
                .tape()
                .apply(ScaleBy, &[Input::Tensor(t[0]), Input::Scalar(v[0] * v[0])])
                .unwrap();
            wsum(y.sin())
        });
    }
}

#[test]
fn a_user_defined_op_is_told_which_inputs_need_a_gradient() {
    let tape = Tape::new();
    let needs = Rc::new(RefCell::new(Vec::new()));
    let x = tape.tensor(Tensor::from_vec(&[2], vec![3.0, 5.0]).unwrap());
    let c = tape.tensor_constant(Tensor::from_vec(&[2], vec![4.0, 12.0]).unwrap());
    let y = tape
        .apply(
            Hypot {
                needs: needs.clone(),
            },
            &[x.into(), c.into()],
        )
        .unwrap();
    assert_eq!(y.value().data(), &[5.0, 13.0]);
    let g = y.sum().backward();
    assert_eq!(*needs.borrow(), vec![[true, false]]);
    assert_close(g[x].data()[0], 3.0 / 5.0, 1e-15, "∂hypot/∂a");
    assert_close(g[x].data()[1], 5.0 / 13.0, 1e-15, "∂hypot/∂a");
    // on constants only, the op's backward never runs
    let needs2 = Rc::new(RefCell::new(Vec::new()));
    let z = tape
        .apply(
            Hypot {
                needs: needs2.clone(),
            },
            &[c.into(), c.into()],
        )
        .unwrap();
    assert!(z.is_constant());
    let _ = (z.sum() + x.sum()).backward();
    assert!(needs2.borrow().is_empty());
}

#[test]
fn a_user_defined_op_reports_its_own_shape_errors() {
    let tape = Tape::new();
    let a = tape.tensor(Tensor::zeros(&[2]));
    let b = tape.tensor(Tensor::zeros(&[3]));
    let needs = Rc::new(RefCell::new(Vec::new()));
    let err = tape
        .apply(Hypot { needs }, &[a.into(), b.into()])
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "hypot: two tensors of equal shape, found shapes [2] and [3]"
    );
}

#[test]
fn the_gradient_check_catches_a_wrong_backward() {
    let x = Tensor::from_vec(&[3], vec![0.5, -1.0, 2.0]).unwrap();
    let report = check_tensor_grad(
        |p: &[TensorVar]| p[0].tape().apply(BadSquare, &[p[0].into()]).unwrap().sum(),
        &[x],
    );
    assert!(!report.passed());
    assert_eq!(report.failures().count(), 3);
    let table = report.to_string();
    assert!(table.contains("FAIL"), "{table}");
    // analytic x, numeric 2x
    let e = &report.entries[2];
    assert_close(e.analytic, 2.0, 1e-12, "analytic");
    assert_close(e.numeric, 4.0, 1e-6, "numeric");
}

#[test]
fn a_backward_of_the_wrong_shape_is_reported() {
    let tape = Tape::new();
    let x = tape.tensor(Tensor::zeros(&[3]));
    let y = tape.apply(BadShape, &[x.into()]).unwrap().sum();
    let msg = panic_message(|| {
        let _ = y.backward();
    });
    assert!(
        msg.contains(
            "backward of `bad_shape` gave a gradient of shape [1] for input 0 of shape [3]"
        ),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// f32 against f64
// ---------------------------------------------------------------------------

/// A small network's loss, written once for any element type.
fn model<'t, E: Real>(
    x: TensorVar<'t, E>,
    w: TensorVar<'t, E>,
    b: TensorVar<'t, E>,
    s: Var<'t, E>,
) -> Var<'t, E> {
    let h = (x.matmul(w) + b).tanh();
    let y = (h * s).sigmoid();
    (y - 0.5).powi(2).mean() + s.powi(2) * 0.1 + (x.t().matmul(h)).exp().mean().ln()
}

#[test]
fn f32_tapes_give_the_f64_gradients_within_f32_precision() {
    let mut rng = Rng::new(31);
    let xs = rng.tensor(&[4, 3], |r| r.uniform(-1.0, 1.0));
    let ws = rng.tensor(&[3, 2], |r| r.uniform(-1.0, 1.0));
    let bs = rng.tensor(&[2], |r| r.uniform(-0.5, 0.5));
    let sv = 0.8;

    let t64 = Tape::new();
    let (x, w, b, s) = (
        t64.tensor_constant(xs.clone()),
        t64.tensor(ws.clone()),
        t64.tensor(bs.clone()),
        t64.var(sv),
    );
    let l64 = model(x, w, b, s);
    let g64 = l64.backward();

    let t32: Tape<f32> = Tape::default();
    let (x, w32, b32, s32) = (
        t32.tensor_constant(xs.cast()),
        t32.tensor(ws.cast()),
        t32.tensor(bs.cast()),
        t32.var(sv),
    );
    let l32 = model(x, w32, b32, s32);
    let g32 = l32.backward();

    let tol = |v: f64| 1e-5 * (1.0 + v.abs());
    assert_close(l32.to_f64(), l64.value(), tol(l64.value()), "loss");
    assert_close(g32[s32] as f64, g64[s], tol(g64[s]), "∂/∂s");
    for (a, e) in [(&g32[w32], &g64[w]), (&g32[b32], &g64[b])] {
        assert_eq!(a.shape(), e.shape());
        for (&a, &e) in a.data().iter().zip(e.data()) {
            assert_close(a as f64, e, tol(e), "tensor gradient");
        }
    }
}

// ---------------------------------------------------------------------------
// clearing a tape
// ---------------------------------------------------------------------------

fn record(tape: &Tape) -> f64 {
    let w = tape.vars(&[0.1, -0.2, 0.3, 0.4]);
    let x = [1.0, 2.0];
    let h = (w[0] * x[0] + w[1] * x[1]).tanh();
    let y = (w[2] * h + w[3]).sigmoid();
    let t = tape.tensor(Tensor::ones(&[2, 2]));
    let e = (1.0 - y).powi(2) + (t * y).sum();
    e.backward()[w[0]]
}

#[test]
fn clear_keeps_capacity_and_forgets_nodes() {
    let mut tape = Tape::new();
    let g1 = record(&tape);
    let n = tape.len();
    let cap = tape.capacity();
    assert!(n > 0 && cap >= n);
    tape.clear();
    assert!(tape.is_empty());
    assert_eq!(tape.capacity(), cap, "clear keeps the node buffer");
    let g2 = record(&tape);
    assert_eq!(g1, g2, "a cleared tape computes the same as a fresh one");
    assert_eq!(tape.len(), n);
    assert_eq!(tape.capacity(), cap, "the second recording did not grow");
    let with = Tape::<f64>::with_capacity(1000);
    assert!(with.capacity() >= 1000);
    assert!(with.is_empty());
}

#[test]
fn debug_output_describes_the_tape_and_its_values() {
    let tape = Tape::new();
    let x = tape.var(2.5);
    let c = tape.constant(1.0);
    let t = tape.tensor(Tensor::from_vec(&[2], vec![1.0, 2.0]).unwrap());
    assert_eq!(
        format!("{tape:?}"),
        "Tape { dtype: \"f64\", nodes: 2, tensors: 1 }"
    );
    assert_eq!(format!("{x:?}"), "Var(#0 = 2.5)");
    assert_eq!(format!("{c:?}"), "Var(const 1)");
    assert_eq!(format!("{x}"), "2.5");
    assert_eq!(format!("{t:?}"), "TensorVar(#1 Tensor<f64>[2] [1.0, 2.0])");
}
