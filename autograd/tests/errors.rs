//! Every bad input, with its message pinned: the `try_` methods return the
//! error, the operators and plain methods panic with the same text.

mod common;

use autograd::{hvp, Dual, Error, Grads, Tape, Tensor, TensorVar, Var};
use common::panic_message;

/// Evaluates and discards a value (the handles are `Copy`, so `drop` would
/// read as if it did something).
fn ignore<T>(_: T) {}

fn t(shape: &[usize]) -> Tensor {
    Tensor::from_fn(shape, |i| i.iter().sum::<usize>() as f64 + 1.0)
}

/// The message of the error, and the same text from the panicking twin.
#[track_caller]
fn same_message<T: std::fmt::Debug>(
    err: autograd::Result<T>,
    panicking: impl FnOnce(),
    want: &str,
) {
    let err = err.expect_err("expected an error");
    assert_eq!(err.to_string(), want);
    assert_eq!(panic_message(panicking), want);
}

// ---------------------------------------------------------------------------
// shape mismatches
// ---------------------------------------------------------------------------

const ADD_2X3_4: &str = "add: shapes must be equal or broadcastable (axis 1 from the left has sizes 3 and 4), found shapes [2, 3] and [4]";

#[test]
#[should_panic(
    expected = "add: shapes must be equal or broadcastable (axis 1 from the left has sizes 3 and 4), found shapes [2, 3] and [4]"
)]
fn add_operator_panics_on_shapes_that_do_not_broadcast() {
    let tape = Tape::new();
    let _ = tape.tensor(t(&[2, 3])) + tape.tensor(t(&[4]));
}

#[test]
fn try_add_returns_the_same_message() {
    let tape = Tape::new();
    let (a, b) = (tape.tensor(t(&[2, 3])), tape.tensor(t(&[4])));
    same_message(a.try_add(b), || ignore(a + b), ADD_2X3_4);
    let err = a.try_add(b).unwrap_err();
    assert_eq!(
        err,
        Error::Shape {
            op: "add",
            shapes: vec![vec![2, 3], vec![4]],
            expected:
                "shapes must be equal or broadcastable (axis 1 from the left has sizes 3 and 4)"
                    .into(),
        }
    );
}

#[test]
fn every_binary_op_names_itself_and_both_shapes() {
    let tape = Tape::new();
    let (a, b) = (tape.tensor(t(&[3, 2])), tape.tensor(t(&[3])));
    let tail = "shapes must be equal or broadcastable (axis 1 from the left has sizes 2 and 3), found shapes [3, 2] and [3]";
    same_message(a.try_sub(b), || ignore(a - b), &format!("sub: {tail}"));
    same_message(a.try_mul(b), || ignore(a * b), &format!("mul: {tail}"));
    same_message(a.try_div(b), || ignore(a / b), &format!("div: {tail}"));
    same_message(
        a.try_maximum(b),
        || ignore(a.maximum(b)),
        &format!("maximum: {tail}"),
    );
    same_message(
        a.try_minimum(b),
        || ignore(a.minimum(b)),
        &format!("minimum: {tail}"),
    );
    same_message(a.try_pow(b), || ignore(a.pow(b)), &format!("pow: {tail}"));
    // a leading axis that differs: counted from the left of the padded shapes
    let (c, d) = (tape.tensor(t(&[2, 1, 3])), tape.tensor(t(&[4, 2, 3])));
    same_message(
        c.try_add(d),
        || ignore(c + d),
        "add: shapes must be equal or broadcastable (axis 0 from the left has sizes 2 and 4), found shapes [2, 1, 3] and [4, 2, 3]",
    );
}

#[test]
#[should_panic(
    expected = "matmul: inner dimensions must agree (3 != 4), found shapes [2, 3] and [4, 5]"
)]
fn matmul_panics_on_inner_dimensions() {
    let tape = Tape::new();
    let _ = tape.tensor(t(&[2, 3])).matmul(tape.tensor(t(&[4, 5])));
}

#[test]
fn try_matmul_returns_the_same_messages() {
    let tape = Tape::new();
    let (a, b) = (tape.tensor(t(&[2, 3])), tape.tensor(t(&[4, 5])));
    same_message(
        a.try_matmul(b),
        || ignore(a.matmul(b)),
        "matmul: inner dimensions must agree (3 != 4), found shapes [2, 3] and [4, 5]",
    );
    let v = tape.tensor(t(&[3]));
    same_message(
        v.try_matmul(b),
        || ignore(v.matmul(b)),
        "matmul: expected two 2-D tensors, found shapes [3] and [4, 5]",
    );
    same_message(
        a.try_matmul(v),
        || ignore(a.matmul(v)),
        "matmul: expected two 2-D tensors, found shapes [2, 3] and [3]",
    );
}

#[test]
fn reshape_broadcast_and_transpose_errors() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3]));
    same_message(
        x.try_reshape(&[4]),
        || ignore(x.reshape(&[4])),
        "reshape: the new shape must have the same number of elements (6), found shapes [2, 3] and [4]",
    );
    let err = x.try_reshape(&[4, usize::MAX]).unwrap_err().to_string();
    assert!(
        err.starts_with("reshape: the inferred axis must divide the element count, found shapes [2, 3] and [4, "),
        "{err}"
    );
    same_message(
        x.try_broadcast_to(&[3]),
        || ignore(x.broadcast_to(&[3])),
        "broadcast_to: the tensor must broadcast to exactly the target shape, found shapes [2, 3] and [3]",
    );
    same_message(
        x.try_broadcast_to(&[2, 4]),
        || ignore(x.broadcast_to(&[2, 4])),
        "broadcast_to: shapes must be equal or broadcastable (axis 1 from the left has sizes 3 and 4), found shapes [2, 3] and [2, 4]",
    );
    let v = tape.tensor(t(&[3]));
    same_message(
        v.try_t(),
        || ignore(v.t()),
        "transpose: expected a 2-D tensor, found shapes [3]",
    );
}

#[test]
fn axis_errors_name_the_axis_and_the_shape() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3]));
    let out = "axis 2 is out of range for shape [2, 3] (2 axes)";
    same_message(
        x.try_sum_axis(2, false),
        || ignore(x.sum_axis(2, false)),
        &format!("sum_axis: {out}"),
    );
    same_message(
        x.try_mean_axis(2, true),
        || ignore(x.mean_axis(2, true)),
        &format!("mean_axis: {out}"),
    );
    same_message(
        x.try_softmax(2),
        || ignore(x.softmax(2)),
        &format!("softmax: {out}"),
    );
    same_message(
        x.try_log_softmax(2),
        || ignore(x.log_softmax(2)),
        &format!("log_softmax: {out}"),
    );
    same_message(
        x.try_max_axis(2, false),
        || ignore(x.max_axis(2, false)),
        &format!("max_axis: {out}"),
    );
    same_message(
        x.try_min_axis(2, false),
        || ignore(x.min_axis(2, false)),
        &format!("min_axis: {out}"),
    );
    same_message(
        x.try_slice(2, 0, 1),
        || ignore(x.slice(2, 0, 1)),
        &format!("slice: {out}"),
    );
    same_message(
        TensorVar::try_concat(&[x, x], 2),
        || ignore(TensorVar::concat(&[x, x], 2)),
        &format!("concat: {out}"),
    );
}

#[test]
fn slice_concat_and_gather_errors() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3]));
    same_message(
        x.try_slice(1, 2, 5),
        || ignore(x.slice(1, 2, 5)),
        "slice: range 2..5 is out of bounds for axis 1 of size 3 (shape [2, 3]); expected start <= end <= 3",
    );
    same_message(
        x.try_slice(0, 2, 1),
        || ignore(x.slice(0, 2, 1)),
        "slice: range 2..1 is out of bounds for axis 0 of size 2 (shape [2, 3]); expected start <= end <= 2",
    );
    let y = tape.tensor(t(&[3, 3]));
    same_message(
        TensorVar::try_concat(&[x, y], 1),
        || ignore(TensorVar::concat(&[x, y], 1)),
        "concat: all shapes must be equal except along axis 1 (input 0 and input 1 differ), found shapes [2, 3] and [3, 3]",
    );
    same_message(
        TensorVar::<f64>::try_concat(&[], 0),
        || ignore(TensorVar::<f64>::concat(&[], 0)),
        "concat: expected a non-empty tensor, found shape [0]",
    );
    same_message(
        x.try_gather(&[0, 1, 2]),
        || ignore(x.gather(&[0, 1, 2])),
        "gather: expected one index per row, i.e. indices of shape [2], found shapes [2, 3] and [3]",
    );
    same_message(
        x.try_gather(&[0, 3]),
        || ignore(x.gather(&[0, 3])),
        "gather: index 3 in row 1 is out of range for 3 classes (shape [2, 3])",
    );
    let v = tape.tensor(t(&[3]));
    same_message(
        v.try_gather(&[0]),
        || ignore(v.gather(&[0])),
        "gather: expected a 2-D tensor [rows, classes], found shapes [3]",
    );
    assert_eq!(
        Tensor::<f64>::one_hot(&[0, 3], 3).unwrap_err().to_string(),
        "one_hot: index 3 at position 1 is out of range for 3 classes (expected 0..3)"
    );
    assert_eq!(
        t(&[3]).argmax_rows().unwrap_err().to_string(),
        "argmax_rows: expected a 2-D tensor [rows, columns], found shapes [3]"
    );
    assert_eq!(
        t(&[2, 0]).argmax_rows().unwrap_err().to_string(),
        "argmax_rows: expected a non-empty tensor, found shape [2, 0]"
    );
}

// ---------------------------------------------------------------------------
// data and emptiness
// ---------------------------------------------------------------------------

#[test]
fn data_length_must_match_the_shape() {
    let err = Tensor::<f64>::from_vec(&[2, 3], vec![1.0; 5]).unwrap_err();
    assert_eq!(
        err,
        Error::DataLength {
            shape: vec![2, 3],
            expected: 6,
            found: 5
        }
    );
    assert_eq!(
        err.to_string(),
        "data length does not match shape [2, 3]: expected 6 elements, found 5"
    );
    assert_eq!(
        Tensor::<f32>::from_f64(&[], &[]).unwrap_err().to_string(),
        "data length does not match shape []: expected 1 elements, found 0"
    );
    let tape = Tape::new();
    assert_eq!(
        tape.tensor_from(&[3], &[1.0, 2.0]).unwrap_err().to_string(),
        "data length does not match shape [3]: expected 3 elements, found 2"
    );
}

#[test]
fn empty_tensors_have_no_mean_maximum_or_minimum() {
    let tape = Tape::new();
    let e = tape.tensor(Tensor::zeros(&[0, 3]));
    assert!(e.is_empty());
    same_message(
        e.try_mean(),
        || ignore(e.mean()),
        "mean: expected a non-empty tensor, found shape [0, 3]",
    );
    assert_eq!(
        e.try_mean().unwrap_err(),
        Error::Empty {
            op: "mean",
            shape: vec![0, 3]
        }
    );
    same_message(
        e.try_mean_axis(0, false),
        || ignore(e.mean_axis(0, false)),
        "mean_axis: expected a non-empty tensor, found shape [0, 3]",
    );
    same_message(
        e.try_max_all(),
        || ignore(e.max_all()),
        "max_all: expected a non-empty tensor, found shape [0, 3]",
    );
    same_message(
        e.try_min_all(),
        || ignore(e.min_all()),
        "min_all: expected a non-empty tensor, found shape [0, 3]",
    );
    same_message(
        e.try_max_axis(0, true),
        || ignore(e.max_axis(0, true)),
        "max_axis: expected a non-empty tensor, found shape [0, 3]",
    );
    assert_eq!(
        tape.stack(&[]).unwrap_err().to_string(),
        "stack: expected a non-empty tensor, found shape [0]"
    );
}

#[test]
fn empty_tensors_where_the_result_is_defined() {
    // sums over nothing are 0, the means over a non-empty axis of an empty
    // tensor are empty, and an empty inner dimension gives a zero product
    let tape = Tape::new();
    let e = tape.tensor(Tensor::zeros(&[0, 3]));
    assert_eq!(e.sum().value(), 0.0);
    assert_eq!(e.sum_axis(0, false).value().data(), &[0.0, 0.0, 0.0]);
    assert_eq!(e.mean_axis(1, false).value().shape(), &[0]);
    let a = tape.tensor(Tensor::zeros(&[2, 0]));
    let b = tape.tensor(Tensor::zeros(&[0, 3]));
    let p = a.matmul(b);
    assert_eq!(p.value(), Tensor::zeros(&[2, 3]));
    let g = p.sum().backward();
    assert_eq!(g[a].shape(), &[2, 0]);
    assert_eq!(g[b].shape(), &[0, 3]);
}

// ---------------------------------------------------------------------------
// backward without a scalar, seeds of the wrong shape
// ---------------------------------------------------------------------------

#[test]
fn backward_of_a_non_scalar_tensor_needs_a_seed() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3]));
    let err = (x * 2.0).backward().unwrap_err();
    assert_eq!(err, Error::NotScalar { shape: vec![2, 3] });
    assert_eq!(
        err.to_string(),
        "backward: expected a scalar output (one element), found shape [2, 3]; reduce it first (sum/mean) or pass a seed gradient with backward_with"
    );
    // one element in any shape is fine
    assert!(x.sum_axis(1, true).sum_axis(0, true).backward().is_ok());
}

#[test]
fn a_seed_must_have_the_output_shape() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2, 3]));
    let err = x.exp().backward_with(Tensor::ones(&[3, 2])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "backward_with: the seed gradient must have the output's shape, found shapes [2, 3] and [3, 2]"
    );
    assert!(matches!(
        err,
        Error::Shape {
            op: "backward_with",
            ..
        }
    ));
    assert!(x.exp().backward_with(Tensor::ones(&[6])).is_err());
}

#[test]
fn to_var_needs_one_element() {
    let tape = Tape::new();
    let x = tape.tensor(t(&[2]));
    assert_eq!(
        panic_message(|| ignore(x.to_var())),
        "to_var: expected a tensor with one element, found shape [2]"
    );
    assert!(panic_message(|| ignore(t(&[2]).item()))
        .contains("item: expected a tensor with one element, found shape [2]"));
    assert!(panic_message(|| ignore(t(&[2, 3]).at(&[1, 3])))
        .contains("at: index 3 out of range for axis 1 of size 3 (shape [2, 3])"));
    assert!(panic_message(|| ignore(t(&[2, 3]).at(&[1])))
        .contains("at: expected an index with 2 axes for shape [2, 3], found [1]"));
}

#[test]
fn hvp_needs_a_direction_of_the_right_length() {
    let msg = panic_message(|| {
        let _ = hvp(|p: &[Var<Dual>]| p[0] * p[1], &[1.0, 2.0], &[1.0]);
    });
    assert!(
        msg.contains("hvp: expected a direction with 2 elements, found 1"),
        "{msg}"
    );
}

// ---------------------------------------------------------------------------
// two tapes
// ---------------------------------------------------------------------------

const MIXED: &str = "values from two different tapes were mixed; every value in one expression must come from the same Tape";

#[test]
#[should_panic(
    expected = "add: values from two different tapes were mixed; every value in one expression must come from the same Tape"
)]
fn scalars_from_two_tapes_do_not_mix() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let _ = t1.var(1.0) + t2.var(2.0);
}

#[test]
fn every_scalar_op_checks_the_tape() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let (a, b) = (t1.var(1.0), t2.var(2.0));
    assert_eq!(panic_message(|| ignore(a - b)), format!("sub: {MIXED}"));
    assert_eq!(panic_message(|| ignore(a * b)), format!("mul: {MIXED}"));
    assert_eq!(panic_message(|| ignore(a / b)), format!("div: {MIXED}"));
    assert_eq!(panic_message(|| ignore(a.pow(b))), format!("pow: {MIXED}"));
    assert_eq!(panic_message(|| ignore(a.max(b))), format!("max: {MIXED}"));
    assert_eq!(panic_message(|| ignore(a.min(b))), format!("min: {MIXED}"));
    // a constant from another tape is still from another tape
    let c = t2.constant(3.0);
    assert_eq!(panic_message(|| ignore(a * c)), format!("mul: {MIXED}"));
}

#[test]
#[should_panic(
    expected = "mul: values from two different tapes were mixed; every value in one expression must come from the same Tape"
)]
fn tensors_from_two_tapes_do_not_mix() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let _ = t1.tensor(t(&[2])) * t2.tensor(t(&[2]));
}

#[test]
fn every_tensor_op_checks_the_tape() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let (a, b) = (t1.tensor(t(&[2, 2])), t2.tensor(t(&[2, 2])));
    assert_eq!(panic_message(|| ignore(a + b)), format!("add: {MIXED}"));
    assert_eq!(
        panic_message(|| ignore(a.matmul(b))),
        format!("matmul: {MIXED}")
    );
    assert_eq!(panic_message(|| ignore(a.pow(b))), format!("pow: {MIXED}"));
    assert_eq!(
        panic_message(|| ignore(TensorVar::concat(&[a, b], 0))),
        format!("concat: {MIXED}")
    );
    // broadcasting first does not hide the mix
    let c = t2.tensor(t(&[2]));
    assert_eq!(panic_message(|| ignore(a - c)), format!("sub: {MIXED}"));
    // a scalar from one tape with a tensor from the other, either way round
    let v = t2.var(2.0);
    assert_eq!(panic_message(|| ignore(a * v)), format!("mul: {MIXED}"));
    assert_eq!(panic_message(|| ignore(v * a)), format!("mul: {MIXED}"));
    assert_eq!(
        panic_message(|| ignore(t1.stack(&[t1.var(1.0), v]))),
        format!("stack: {MIXED}")
    );
}

// ---------------------------------------------------------------------------
// gradients of another tape
// ---------------------------------------------------------------------------

const LOOKUP: &str = "gradient lookup: the value comes from a different tape (or from the same tape after clear) than these gradients";

#[test]
#[should_panic(
    expected = "gradient lookup: the value comes from a different tape (or from the same tape after clear) than these gradients"
)]
fn looking_up_a_scalar_of_another_tape_panics() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let x = t1.var(1.0);
    let y = t2.var(1.0);
    let g = (x * x).backward();
    let _ = g[y];
}

#[test]
fn looking_up_anything_of_another_tape_panics() {
    let (t1, t2) = (Tape::new(), Tape::new());
    let x = t1.tensor(t(&[2]));
    let y = t2.tensor(t(&[2]));
    let v = t2.var(1.0);
    let g = (x * x).sum().backward();
    assert_eq!(panic_message(|| ignore(g.wrt(y))), LOOKUP);
    assert_eq!(panic_message(|| ignore(g[y].clone())), LOOKUP);
    assert_eq!(panic_message(|| ignore(g.scalar(v))), LOOKUP);
    let mut g2 = g.clone();
    assert_eq!(panic_message(|| ignore(g2.take(y))), LOOKUP);
    // accumulating, or adding a backward pass, across tapes
    let h = (v * 2.0).backward();
    let mut acc = g.clone();
    assert_eq!(panic_message(|| acc.accumulate(&h)), LOOKUP);
    let mut acc = g.clone();
    assert_eq!(panic_message(|| (v * 3.0).backward_into(&mut acc)), LOOKUP);
    // an empty Grads takes gradients from any tape
    let mut fresh = Grads::empty();
    fresh.accumulate(&h);
    assert_eq!(fresh[v], 2.0);
}

#[test]
fn gradients_from_before_a_clear_do_not_match_new_values() {
    let mut tape = Tape::new();
    let g = {
        let x = tape.var(2.0);
        (x * x).backward()
    };
    tape.clear();
    let x = tape.var(5.0);
    assert_eq!(panic_message(|| ignore(g[x])), LOOKUP);
}
