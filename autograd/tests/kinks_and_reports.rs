//! The conventions at the kinks (where a function has no derivative, the
//! tape does what PyTorch does), the gradient check's handling of
//! non-finite values, and the gradients of inputs the output does not
//! depend on.

use autograd::{check_grad, check_jacobian, check_tensor_grad, Tape, Tensor, TensorVar, Var};

fn t(shape: &[usize], data: &[f64]) -> Tensor {
    Tensor::from_vec(shape, data.to_vec()).unwrap()
}

fn panic_message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("expected a panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------
// kinks
// ---------------------------------------------------------------------------

#[test]
fn maximum_and_minimum_split_a_tie_half_and_half() {
    let tape = Tape::new();
    let a = tape.tensor(t(&[3], &[1.0, 2.0, 3.0]));
    let b = tape.tensor(t(&[3], &[1.0, 0.0, 5.0]));
    let g = (a.maximum(b) * 4.0).sum().backward();
    assert_eq!(g[a].data(), &[2.0, 4.0, 0.0]);
    assert_eq!(g[b].data(), &[2.0, 0.0, 4.0]);
    let g = (a.minimum(b) * 4.0).sum().backward();
    assert_eq!(g[a].data(), &[2.0, 0.0, 4.0]);
    assert_eq!(g[b].data(), &[2.0, 4.0, 0.0]);
    // x.maximum(x): the two halves add up to the whole gradient
    let g = a.maximum(a).sum().backward();
    assert_eq!(g[a].data(), &[1.0, 1.0, 1.0]);
    // broadcasting: a tied scalar operand collects the halves of every lane
    let s = tape.tensor(t(&[], &[2.0]));
    let g = a.maximum(s).sum().backward();
    assert_eq!(g[a].data(), &[0.0, 0.5, 1.0]);
    assert_eq!(g[s].data(), &[1.5]);
}

#[test]
fn scalar_max_and_min_split_a_tie_half_and_half() {
    let tape = Tape::new();
    let (x, y, z) = (tape.var(2.0), tape.var(2.0), tape.var(-1.0));
    let g = x.max(y).backward();
    assert_eq!((g[x], g[y]), (0.5, 0.5));
    let g = x.min(y).backward();
    assert_eq!((g[x], g[y]), (0.5, 0.5));
    let g = x.max(z).backward();
    assert_eq!((g[x], g[z]), (1.0, 0.0));
    let g = x.min(z).backward();
    assert_eq!((g[x], g[z]), (0.0, 1.0));
    assert_eq!(x.max(z).value(), 2.0);
    assert_eq!(z.min(x).value(), -1.0);
}

#[test]
fn a_full_max_or_min_spreads_a_tie_evenly() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3], &[3.0, 1.0, 3.0, -2.0, 3.0, -2.0]));
    let g = (x.max_all() * 6.0).backward();
    assert_eq!(g[x].data(), &[2.0, 0.0, 2.0, 0.0, 2.0, 0.0]);
    let g = (x.min_all() * 6.0).backward();
    assert_eq!(g[x].data(), &[0.0, 0.0, 0.0, 3.0, 0.0, 3.0]);
    // no tie: all of it to the one extreme
    let y = tape.tensor(t(&[3], &[0.5, -2.0, 0.25]));
    assert_eq!(y.max_all().backward()[y].data(), &[1.0, 0.0, 0.0]);
    // a NaN is the extreme and takes the whole gradient
    let n = tape.tensor(t(&[3], &[1.0, f64::NAN, 1.0]));
    assert_eq!(n.max_all().backward()[n].data(), &[0.0, 1.0, 0.0]);
}

#[test]
fn max_along_an_axis_gives_a_tie_to_the_first_index() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3], &[1.0, 5.0, 5.0, 6.0, 2.0, 6.0]));
    let g = x.max_axis(1, false).sum().backward();
    assert_eq!(g[x].data(), &[0.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    let y = tape.tensor(t(&[2, 2], &[0.0, 4.0, 0.0, 4.0]));
    let g = y.min_axis(0, false).sum().backward();
    assert_eq!(g[y].data(), &[1.0, 1.0, 0.0, 0.0]);
}

#[test]
fn activations_at_their_kinks_follow_pytorch() {
    let tape = Tape::new();
    let zero = tape.tensor(t(&[1], &[0.0]));
    let d = |y: TensorVar| y.sum().backward()[zero].data()[0];
    assert_eq!(d(zero.relu()), 0.0, "relu'(0)");
    assert_eq!(d(zero.abs()), 0.0, "abs'(0)");
    assert_eq!(d(zero.leaky_relu(0.1)), 0.1, "leaky_relu'(0) is the slope");
    assert_eq!(d(zero.elu(0.5)), 0.5, "elu'(0) is alpha");
    assert_eq!(d(zero.step()), 0.0, "step'(0)");
    assert_eq!(d(zero.clamp(0.0, 1.0)), 1.0, "clamp' at its lower bound");
    assert_eq!(d(zero.clamp(-1.0, 0.0)), 1.0, "clamp' at its upper bound");
    let s = tape.var(0.0);
    assert_eq!(s.relu().backward()[s], 0.0);
    assert_eq!(s.abs().backward()[s], 0.0);
}

// ---------------------------------------------------------------------------
// the gradient check and non-finite values
// ---------------------------------------------------------------------------

#[test]
fn the_gradient_check_never_hides_a_nan() {
    // √x at 0: an infinite derivative on the tape, NaN by differences
    let report = check_grad(|p: &[Var]| p[0].sqrt(), &[0.0]);
    assert!(!report.passed());
    assert!(report.max_abs_err().is_nan(), "{report}");
    assert_eq!(report.non_finite().count(), 1);
    let text = report.to_string();
    assert!(text.contains("FAIL"), "{text}");
    assert!(text.contains("max abs err NaN"), "{text}");
    assert!(
        text.contains("1 with a non-finite analytic or numeric derivative"),
        "{text}"
    );
    // tensor checks print through the same code
    let report = check_tensor_grad(|p: &[TensorVar]| p[0].sqrt().sum(), &[t(&[2], &[0.0, 1.0])]);
    assert!(!report.passed());
    assert!(report.to_string().contains("max abs err NaN"), "{report}");
    assert_eq!(report.non_finite().count(), 1);
    // and so do Jacobian checks, whose maximum keeps the NaN too
    let report = check_jacobian(|p: &[Var]| vec![p[0] * 2.0, p[0].sqrt()], &[0.0]);
    assert!(report.max_abs_err().is_nan());
    assert!(report.to_string().contains("max abs err NaN"), "{report}");
    // a NaN value of f fails and says so
    let report = check_grad(|p: &[Var]| p[0].tape().constant(-1.0).ln() + p[0], &[1.0]);
    assert!(!report.passed());
    assert!(
        report
            .to_string()
            .contains("the value f = NaN is not finite"),
        "{report}"
    );
    // a finite check reports no non-finite entries
    let ok = check_grad(|p: &[Var]| p[0] * p[0], &[0.5]);
    assert!(ok.passed());
    assert!(!ok.to_string().contains("non-finite"));
}

// ---------------------------------------------------------------------------
// unused inputs
// ---------------------------------------------------------------------------

#[test]
fn an_unused_tensor_input_has_zero_gradient() {
    let tape = Tape::new();
    let w = tape.tensor(t(&[2], &[1.0, 2.0]));
    let unused = tape.tensor(t(&[2, 2], &[1.0, 2.0, 3.0, 4.0]));
    let c = tape.tensor_constant(t(&[3], &[1.0, 1.0, 1.0]));
    let g = (w * w).sum().backward();
    assert_eq!(g[unused].data(), &[0.0; 4]);
    assert_eq!(g[unused].shape(), &[2, 2]);
    assert_eq!(g[c].data(), &[0.0; 3]);
    assert!(g.wrt(unused).is_none());
    assert!(g.wrt(c).is_none());
    assert_eq!(g[w].data(), &[2.0, 4.0]);
    assert_eq!(
        g.unreached(&[w.key(), unused.key(), c.key()]),
        Ok(vec![1, 2])
    );
    assert_eq!(g.unreached(&[w.key()]), Ok(vec![]));
    // a key from another tape is refused
    let other = Tape::new();
    let o = other.tensor(t(&[1], &[0.0]));
    assert!(g.unreached(&[o.key()]).is_err());
}

#[test]
fn an_intermediate_tensor_still_panics_with_a_reason() {
    let msg = panic_message(|| {
        let tape = Tape::new();
        let x = tape.tensor(t(&[2], &[1.0, 2.0]));
        let h = x * 2.0;
        let g = h.sum().backward();
        let _ = &g[h];
    });
    assert!(msg.contains("intermediate result"), "{msg}");
    assert!(msg.contains("Grads::wrt"), "{msg}");
}
