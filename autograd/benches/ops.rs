//! criterion micro-benchmarks: a scalar op recorded and differentiated, and
//! tensor ops forward + backward at three sizes, matmul in f32 and f64.
//!
//! ```text
//! cargo bench -p xiaolan-autograd --bench ops                 # everything (about a minute)
//! cargo bench -p xiaolan-autograd --bench ops -- matmul       # a subset by name
//! ```

use autograd::{Tape, Tensor, TensorVar};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::Duration;

/// The sizes of the issue: small (a Nielsen batch), medium, large.
const SIZES: [(usize, usize); 3] = [(10, 30), (256, 512), (1024, 1024)];

fn filled(r: usize, c: usize) -> Tensor<f32> {
    Tensor::from_fn(&[r, c], |i| {
        ((i[0] * 31 + i[1] * 17) % 97) as f32 / 97.0 - 0.5
    })
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

/// Forward + backward of one element-wise or reducing op at each size.
fn tensor_ops(c: &mut Criterion) {
    type F = for<'t> fn(TensorVar<'t, f32>) -> TensorVar<'t, f32>;
    let ops: [(&str, F); 4] = [
        ("sigmoid", |x| x.sigmoid()),
        ("relu", |x| x.relu()),
        ("mul", |x| x * x),
        ("softmax", |x| x.softmax(1)),
    ];
    let mut g = c.benchmark_group("tensor fwd+bwd");
    for (r, cols) in SIZES {
        let x = filled(r, cols);
        for (name, f) in ops {
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
    // short windows: the whole suite runs in about a minute
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(600));
    targets = scalar, tensor_ops, matmul
}
criterion_main!(benches);
