//! criterion micro-benchmarks: a scalar op recorded and differentiated, and
//! every tensor op forward + backward (the op, `sum()`, `backward()`) at
//! three sizes, small (10×30, a Nielsen batch), medium (256×512) and large
//! (1024×1024); matmul in f32 and f64.
//!
//! ```text
//! cargo bench -p xiaolan-autograd --bench ops                 # everything (about three minutes)
//! cargo bench -p xiaolan-autograd --bench ops -- matmul       # a subset by name
//! cargo bench -p xiaolan-autograd --bench ops -- '10x30'      # one size
//! ```

use autograd::{Tape, Tensor, TensorVar};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

/// The sizes of the issue: small (a Nielsen batch), medium, large.
const SIZES: [(usize, usize); 3] = [(10, 30), (256, 512), (1024, 1024)];

/// Values in [−0.5, 0.5), a fixed pattern.
fn filled(r: usize, c: usize) -> Tensor<f32> {
    Tensor::from_fn(&[r, c], |i| {
        ((i[0] * 31 + i[1] * 17) % 97) as f32 / 97.0 - 0.5
    })
}

/// Values in [0.5, 1.5): inside the domain of ln, sqrt, recip and powf.
fn positive(r: usize, c: usize) -> Tensor<f32> {
    filled(r, c).map(|x| x + 1.0)
}

/// y = x·w + b then tanh, 1,000 times on scalars, and the backward pass.
fn scalar(c: &mut Criterion) {
    let mut tape = Tape::new();
    c.bench_function("scalar/1000 mul-add-tanh + backward", |b| {
        b.iter(|| {
            tape.clear();
            let t = &tape;
            let (w, bias) = (t.var(0.3), t.var(-0.1));
            let mut y = t.var(0.5);
            for _ in 0..1000 {
                y = (y * w + bias).tanh();
            }
            black_box(y.backward()[w])
        })
    });
}

/// An op of one [r, c] tensor (which may take a second, fixed operand).
type Unary = for<'t> fn(TensorVar<'t, f32>) -> TensorVar<'t, f32>;

/// Times `f(x).sum().backward()` on a reused tape for each op and size.
fn run(
    c: &mut Criterion,
    group: &str,
    ops: &[(&str, Unary)],
    input: fn(usize, usize) -> Tensor<f32>,
) {
    let mut g = c.benchmark_group(group);
    for (r, cols) in SIZES {
        let x = input(r, cols);
        for &(name, f) in ops {
            let mut tape = Tape::<f32>::default();
            g.bench_with_input(BenchmarkId::new(name, format!("{r}x{cols}")), &x, |b, x| {
                b.iter(|| {
                    tape.clear();
                    let xv = tape.tensor(x.clone());
                    let mut gr = f(xv).sum().backward();
                    black_box(gr.take(xv))
                })
            });
        }
    }
    g.finish();
}

/// Element-wise functions of one tensor.
fn elementwise(c: &mut Criterion) {
    let any: &[(&str, Unary)] = &[
        ("neg", |x| -x),
        ("exp", |x| x.exp()),
        ("abs", |x| x.abs()),
        ("sin", |x| x.sin()),
        ("cos", |x| x.cos()),
        ("tanh", |x| x.tanh()),
        ("sigmoid", |x| x.sigmoid()),
        ("relu", |x| x.relu()),
        ("leaky_relu", |x| x.leaky_relu(0.01)),
        ("step", |x| x.step()),
        ("step_ste", |x| x.step_ste()),
        ("powi2", |x| x.powi(2)),
        ("powi3", |x| x.powi(3)),
        ("clamp", |x| x.clamp(-0.25, 0.25)),
        ("scale", |x| x * 3.0),
        ("shift", |x| x + 1.0),
    ];
    run(c, "elementwise fwd+bwd", any, filled);
    let pos: &[(&str, Unary)] = &[
        ("ln", |x| x.ln()),
        ("sqrt", |x| x.sqrt()),
        ("recip", |x| x.recip()),
        ("powf1.5", |x| x.powf(1.5)),
    ];
    run(c, "elementwise fwd+bwd", pos, positive);
}

/// Element-wise functions of two tensors (the second operand is derived
/// from the first on the tape, so both get gradients), with and without
/// broadcasting.
fn binary(c: &mut Criterion) {
    let ops: &[(&str, Unary)] = &[
        ("add", |x| x + x.sin()),
        ("sub", |x| x - x.sin()),
        ("mul", |x| x * x.sin()),
        ("div", |x| x / (x.abs() + 1.0)),
        ("maximum", |x| x.maximum(x.sin())),
        ("minimum", |x| x.minimum(x.sin())),
        ("pow", |x| (x.abs() + 0.5).pow(x.sin())),
        // a [1, c] row broadcast over the rows, as a bias
        ("add row (broadcast)", |x| {
            let c = x.shape()[1];
            x + x.slice(0, 0, 1).reshape(&[c])
        }),
        ("mul scalar Var", |x| x * x.mean()),
    ];
    run(c, "binary fwd+bwd", ops, filled);
}

/// Shapes and layout: transpose, reshape, broadcast, concat, slice.
fn shape(c: &mut Criterion) {
    let ops: &[(&str, Unary)] = &[
        ("transpose", |x| x.t().sin()),
        ("reshape", |x| {
            let n = x.len();
            x.reshape(&[n]).sin()
        }),
        ("broadcast_to", |x| {
            let s = x.shape();
            x.slice(0, 0, 1).broadcast_to(&s).sin()
        }),
        ("concat", |x| {
            let c = x.shape()[1];
            TensorVar::concat(&[x.slice(1, 0, c / 2), x.slice(1, c / 2, c)], 1)
        }),
        ("slice", |x| {
            let c = x.shape()[1];
            x.slice(1, c / 4, c - c / 4)
        }),
    ];
    run(c, "shape fwd+bwd", ops, filled);
}

/// Reductions: all elements, along each axis, extrema.
fn reduce(c: &mut Criterion) {
    let ops: &[(&str, Unary)] = &[
        ("sum", |x| x.sum().to_tensor()),
        ("mean", |x| x.mean().to_tensor()),
        ("sum_axis0", |x| x.sum_axis(0, false)),
        ("sum_axis1", |x| x.sum_axis(1, false)),
        ("mean_axis1", |x| x.mean_axis(1, false)),
        ("max_axis1", |x| x.max_axis(1, false)),
        ("max_all", |x| x.max_all().to_tensor()),
    ];
    run(c, "reduce fwd+bwd", ops, filled);
}

/// Softmax, log-softmax and class targets.
fn softmax(c: &mut Criterion) {
    let ops: &[(&str, Unary)] = &[
        ("softmax", |x| x.softmax(1)),
        ("log_softmax", |x| x.log_softmax(1)),
        ("gather", |x| {
            let (n, k) = (x.shape()[0], x.shape()[1]);
            let classes: Vec<usize> = (0..n).map(|i| (i * 7) % k).collect();
            x.gather(&classes)
        }),
        ("log_softmax + gather (cross-entropy)", |x| {
            let (n, k) = (x.shape()[0], x.shape()[1]);
            let classes: Vec<usize> = (0..n).map(|i| (i * 7) % k).collect();
            -x.log_softmax(1).gather(&classes)
        }),
    ];
    run(c, "softmax fwd+bwd", ops, filled);
}

/// Square matmul forward + backward in f32 and f64, and the fused
/// `matmul_bias` in f32.
fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul fwd+bwd");
    for (r, cols) in SIZES {
        let (a, w, bias) = (filled(r, cols), filled(cols, cols), filled(1, cols));
        let id = format!("{r}x{cols}·{cols}x{cols}");
        let mut t32 = Tape::<f32>::default();
        g.bench_function(BenchmarkId::new("f32", &id), |b| {
            b.iter(|| {
                t32.clear();
                let (av, wv) = (t32.tensor(a.clone()), t32.tensor(w.clone()));
                black_box(av.matmul(wv).sum().backward().take(wv))
            })
        });
        g.bench_function(BenchmarkId::new("f32 matmul_bias", &id), |b| {
            b.iter(|| {
                t32.clear();
                let (av, wv) = (t32.tensor(a.clone()), t32.tensor(w.clone()));
                let bv = t32.tensor(bias.clone());
                black_box(av.matmul_bias(wv, bv).sum().backward().take(wv))
            })
        });
        let (a64, w64) = (a.cast::<f64>(), w.cast::<f64>());
        let mut t64 = Tape::new();
        g.bench_function(BenchmarkId::new("f64", &id), |b| {
            b.iter(|| {
                t64.clear();
                let (av, wv) = (t64.tensor(a64.clone()), t64.tensor(w64.clone()));
                black_box(av.matmul(wv).sum().backward().take(wv))
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // short windows: the whole suite runs in about three minutes
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(500));
    targets = scalar, elementwise, binary, shape, reduce, softmax, matmul
}
criterion_main!(benches);
