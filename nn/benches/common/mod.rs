//! Shared by the end-to-end benchmarks: data (MNIST or seeded random of the
//! same shape), a hand-written MLP on the same GEMM crate with no tape (the
//! limit a tape is measured against) and peak memory; medians, timing,
//! options and the JSON line come from the engine's benchmark helpers.

#![allow(dead_code)]

use autograd::{Real, Tensor};

/// Training samples in one epoch (Nielsen's training split of MNIST).
pub const EPOCH: usize = 50_000;
/// Input width (28×28 pixels).
pub const N_IN: usize = 784;

/// The training inputs ([50,000, 784], f32 in [0, 1]) and their classes, and
/// where they came from: MNIST's first 50,000 training images when
/// `MNIST_DIR` is set (an absolute path: cargo runs benchmarks from the
/// package directory), else seeded uniform pixels and random classes.
pub fn training_data() -> (Vec<f32>, Vec<usize>, String) {
    match std::env::var_os("MNIST_DIR") {
        Some(dir) if !dir.is_empty() => {
            let m = nn::data::mnist::Mnist::<f32>::load(&dir).unwrap_or_else(|e| {
                eprintln!("MNIST_DIR={}: {e}", dir.to_string_lossy());
                std::process::exit(2)
            });
            let (x, _, classes) = m.train.into_parts();
            let classes = classes.expect("MNIST carries its class labels");
            assert_eq!(x.shape(), &[EPOCH, N_IN], "MNIST training split");
            (
                x.into_vec(),
                classes,
                "MNIST (first 50,000 training images)".into(),
            )
        }
        _ => {
            let mut rng = nn::Rng::new(7);
            let x = (0..EPOCH * N_IN).map(|_| rng.next_f64() as f32).collect();
            let c = (0..EPOCH).map(|_| rng.below(10)).collect();
            (x, c, "random (seeded, MNIST's shape)".into())
        }
    }
}

/// The process's peak resident memory so far (`VmHWM`), in MiB.
pub fn peak_rss_mib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

// Medians, timing, options and the JSON line are the ones every benchmark
// program uses, written once beside the engine's benchmarks.
#[path = "../../../autograd/benches/common/mod.rs"]
mod shared;
pub use shared::{median, timed, Args, Json};

/// An activation of the hand-written network.
#[derive(Clone, Copy, PartialEq)]
pub enum Act {
    Sigmoid,
    Relu,
    Identity,
}

/// The loss of the hand-written network, with nn's definitions.
#[derive(Clone, Copy, PartialEq)]
pub enum HandLoss {
    /// Σ (a − y)² over the batch (nn's `Loss::SquaredError`).
    SquaredError,
    /// mean over rows of −ln softmax(z)[class] (nn's `Loss::SoftmaxCrossEntropy`).
    SoftmaxCe,
}

/// An MLP with hand-coded backprop on the engine's GEMM (`autograd::bench_gemm`: the
/// same crate and threading as the tape's matrix products), buffers
/// allocated once, the SGD update folded into the weight-gradient GEMMs.
pub struct HandMlp {
    sizes: Vec<usize>,
    acts: Vec<Act>,
    loss: HandLoss,
    lr: f32,
    batch: usize,
    pub w: Vec<Vec<f32>>,
    pub b: Vec<Vec<f32>>,
    a: Vec<Vec<f32>>, // post-activations per layer, [batch, width]
    d: Vec<Vec<f32>>, // ∂loss/∂z per layer
}

// C = alpha·op(A)·op(B) + beta·C, row-major C (m×n); strides given: the
// engine's own GEMM entry, the kernels the tape's products run on.
use autograd::bench_gemm as gemm;

impl HandMlp {
    /// The network with the weights and biases of an `nn::Mlp`.
    pub fn new(
        mlp: &nn::Mlp<f32>,
        sizes: &[usize],
        acts: &[Act],
        loss: HandLoss,
        lr: f32,
        batch: usize,
    ) -> Self {
        let layers = sizes.len() - 1;
        let get = |n: String| -> Vec<f32> { mlp.params().by_name(&n).unwrap().to_vec() };
        HandMlp {
            sizes: sizes.to_vec(),
            acts: acts.to_vec(),
            loss,
            lr,
            batch,
            w: (0..layers)
                .map(|l| get(format!("layer{l}.weight")))
                .collect(),
            b: (0..layers).map(|l| get(format!("layer{l}.bias"))).collect(),
            a: (1..=layers).map(|l| vec![0.0; batch * sizes[l]]).collect(),
            d: (1..=layers).map(|l| vec![0.0; batch * sizes[l]]).collect(),
        }
    }

    /// One SGD step on a batch x ([batch, in]) with targets (one-hot rows
    /// for the squared error, classes for cross-entropy); returns the loss.
    #[inline(never)] // a symbol of its own, for profilers
    pub fn step(&mut self, x: &[f32], onehot: &[f32], classes: &[usize]) -> f32 {
        let (m, layers) = (self.batch, self.sizes.len() - 1);
        // forward
        for l in 0..layers {
            let (k, n) = (self.sizes[l], self.sizes[l + 1]);
            let (prev, rest) = self.a.split_at_mut(l);
            let input: &[f32] = if l == 0 { x } else { &prev[l - 1] };
            let out = &mut rest[0];
            for r in 0..m {
                out[r * n..(r + 1) * n].copy_from_slice(&self.b[l]);
            }
            gemm((m, k, n), 1.0, input, (k, 1), &self.w[l], (n, 1), 1.0, out);
            match self.acts[l] {
                // the engine's own sigmoid, so both compute the same values
                Act::Sigmoid => out.iter_mut().for_each(|v| *v = Real::sigmoid(*v)),
                Act::Relu => out.iter_mut().for_each(|v| *v = v.max(0.0)),
                Act::Identity => {}
            }
        }
        // loss and ∂loss/∂z of the last layer
        let last = layers - 1;
        let n = self.sizes[layers];
        let mut loss = 0.0f32;
        match self.loss {
            HandLoss::SquaredError => {
                for ((d, &a), &t) in self.d[last].iter_mut().zip(&self.a[last]).zip(onehot) {
                    let e = a - t;
                    loss += e * e;
                    *d = 2.0 * e;
                }
            }
            HandLoss::SoftmaxCe => {
                let inv_m = 1.0 / m as f32;
                for r in 0..m {
                    let z = &self.a[last][r * n..(r + 1) * n];
                    let mx = z.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
                    let d = &mut self.d[last][r * n..(r + 1) * n];
                    let mut s = 0.0;
                    for (d, &z) in d.iter_mut().zip(z) {
                        *d = (z - mx).exp();
                        s += *d;
                    }
                    loss += s.ln() + mx - z[classes[r]];
                    for d in d.iter_mut() {
                        *d *= inv_m / s;
                    }
                    d[classes[r]] -= inv_m;
                }
                loss *= inv_m;
            }
        }
        // backward, updating each layer's weights once its δ is known
        for l in (0..layers).rev() {
            let (k, n) = (self.sizes[l], self.sizes[l + 1]);
            // the activation's derivative (the last layer's δ holds ∂loss/∂a)
            let (a, d) = (&self.a[l], &mut self.d[l]);
            match self.acts[l] {
                Act::Sigmoid => d.iter_mut().zip(a).for_each(|(d, &a)| *d *= a * (1.0 - a)),
                Act::Relu => d.iter_mut().zip(a).for_each(|(d, &a)| {
                    if a <= 0.0 {
                        *d = 0.0
                    }
                }),
                Act::Identity => {}
            }
            if l > 0 {
                // δ(l−1) (as ∂loss/∂a) = δ(l)·Wᵀ, before W moves
                let (lo, hi) = self.d.split_at_mut(l);
                gemm(
                    (m, n, k),
                    1.0,
                    &hi[0],
                    (n, 1),
                    &self.w[l],
                    (1, n),
                    0.0,
                    &mut lo[l - 1],
                );
            }
            let input: &[f32] = if l == 0 { x } else { &self.a[l - 1] };
            let d = &self.d[l];
            gemm(
                (k, m, n),
                -self.lr,
                input,
                (1, k),
                d,
                (n, 1),
                1.0,
                &mut self.w[l],
            );
            for r in 0..m {
                for (b, &g) in self.b[l].iter_mut().zip(&d[r * n..(r + 1) * n]) {
                    *b -= self.lr * g;
                }
            }
        }
        loss
    }
}

/// Copies rows `idx` of a row-major table of width `w` into `out` (the
/// hand-written network's loader).
pub fn gather_rows(table: &[f32], w: usize, idx: &[usize], out: &mut Vec<f32>) {
    out.clear();
    for &i in idx {
        out.extend_from_slice(&table[i * w..(i + 1) * w]);
    }
}

/// Epochs of shuffled sample order the benchmarks cycle through (each a
/// seeded permutation of the 50,000 samples, made before timing).
pub const ORDERS: usize = 4;

/// One end-to-end workload: an MLP trained with SGD on 50,000 samples.
pub struct Workload {
    pub name: &'static str,
    pub sizes: &'static [usize],
    pub acts: &'static [Act],
    pub loss: HandLoss,
    pub lr: f32,
    pub batch: usize,
    pub init: nn::Init,
    /// Rounds timed unless `--rounds` says otherwise.
    pub rounds: usize,
    /// Steps timed per round unless `--steps` says otherwise.
    pub steps: usize,
    /// The most `nn`'s epoch may take, as a multiple of the hand-written
    /// network's, if the workload has such a target.
    pub target_ratio: Option<f64>,
}

fn nn_act(a: Act) -> nn::Activation {
    match a {
        Act::Sigmoid => nn::Activation::Sigmoid,
        Act::Relu => nn::Activation::Relu,
        Act::Identity => nn::Activation::Identity,
    }
}

/// Allocations made by the process so far (every thread), counted by the
/// benchmarks' global allocator.
pub fn allocations() -> usize {
    ALLOCATIONS.load(std::sync::atomic::Ordering::Relaxed)
}

static ALLOCATIONS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The system allocator, counting allocations (one relaxed atomic add each).
struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::alloc::System.realloc(ptr, layout, size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        std::alloc::System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Trains the workload with `nn` (an `Mlp` driven one step at a time by the
/// `Trainer`'s `Run`, which reuses its `f32` tape) and by hand from the
/// same weights on the same batches: checks that they agree, then times
/// `--rounds` rounds of `--steps` steps (the workload's defaults unless
/// given), the two alternating, and prints one JSON line: median seconds
/// per epoch for each, their ratio (with the workload's target and whether
/// the ratio meets it, when both ran), GFLOP/s of the matrix products done
/// (2 flops per multiply-add), allocations per step, and the process's peak
/// resident memory.
///
/// Options: `--threads N` limits the matrix products to N threads (0, the
/// default: every core); `--only nn` or `--only hand` runs one of the two
/// (no agreement check), so that the peak memory is that one's alone.
pub fn run(w: &Workload) {
    use nn::loss::{Loss, Targets};
    let args = Args::parse();
    let rounds: usize = args.get("rounds", w.rounds).max(1);
    let steps: usize = args.get("steps", w.steps);
    let threads: usize = args.get("threads", 0);
    let only: String = args.get("only", "both".to_string());
    let (run_nn, run_hand) = match only.as_str() {
        "both" => (true, true),
        "nn" => (true, false),
        "hand" => (false, true),
        other => {
            eprintln!("option --only: expected nn, hand or both, found {other}");
            std::process::exit(2)
        }
    };
    autograd::set_max_threads(threads);
    let (x, classes, source) = training_data();
    let n_out = *w.sizes.last().unwrap();
    let per_epoch = EPOCH / w.batch;
    let steps = steps.clamp(1, per_epoch);
    let acts: Vec<nn::Activation> = w.acts.iter().map(|&a| nn_act(a)).collect();
    let mut mlp = nn::Mlp::<f32>::new(w.sizes, &acts, w.init, 1).unwrap();
    let mut hand = HandMlp::new(&mlp, w.sizes, w.acts, w.loss, w.lr, w.batch);
    let mut opt = nn::Sgd::new(w.lr as f64);
    let loss = match w.loss {
        HandLoss::SquaredError => Loss::SquaredError,
        HandLoss::SoftmaxCe => Loss::SoftmaxCrossEntropy,
    };
    // the data as tensors (no copy), the one-hot targets as a table, and
    // shuffled orders: each step trains on the next `batch` samples of an
    // epoch's order, copied out of the data set by the loader (nn's
    // `select_rows` in the training run, the hand-written network's own
    // gather): the same data movement for both, as in shuffled training
    // (and PyTorch's loader). The run's epoch k is in the order
    // `Rng::with_stream(11, k).permutation`, as `orders[k]`.
    let xs = Tensor::from_vec(&[EPOCH, N_IN], x).unwrap();
    let ys = Tensor::<f32>::one_hot(&classes, n_out).unwrap();
    let orders: Vec<Vec<usize>> = (0..ORDERS)
        .map(|e| nn::Rng::with_stream(11, e as u64).permutation(EPOCH))
        .collect();
    let rows = |s: usize| {
        let o = &orders[(s / per_epoch) % ORDERS];
        let b = (s % per_epoch) * w.batch;
        &o[b..b + w.batch]
    };
    let targets = match w.loss {
        HandLoss::SquaredError => Targets::Values(&ys),
        HandLoss::SoftmaxCe => Targets::Classes(&classes),
    };
    // no step callback: the loss is read from the run (a callback would
    // be shown the gradients, which makes each weight gradient a buffer)
    let mut run = nn::Trainer::new(loss)
        .batch_size(w.batch)
        .seed(11)
        .epochs(usize::MAX)
        .evaluate_train(false)
        .quiet()
        .start(&mlp, &xs, targets)
        .unwrap();
    // the next step of the run (the step index is the hand-written
    // network's: the run walks its epochs in order by itself)
    let mut xi = |_s: usize| -> f32 {
        run.step(&mut mlp, &mut opt).unwrap();
        run.last_loss() as f32
    };
    let (mut hx, mut hy, mut hc) = (Vec::new(), Vec::new(), Vec::new());
    let mut hd = |s: usize| -> f32 {
        let idx = rows(s);
        gather_rows(xs.data(), N_IN, idx, &mut hx);
        if w.loss == HandLoss::SquaredError {
            gather_rows(ys.data(), n_out, idx, &mut hy);
        } else {
            hc.clear();
            hc.extend(idx.iter().map(|&i| classes[i]));
        }
        hand.step(&hx, &hy, &hc)
    };
    let net = w
        .sizes
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>()
        .join("-");
    // agreement: a few steps from the same weights on the same batches
    let mut worst = f32::NAN;
    if run_nn && run_hand {
        worst = 0.0;
        let mut first = (0.0, 0.0);
        for s in 0..3 {
            let (lh, lx) = (hd(s), xi(s));
            worst = worst.max((lh - lx).abs() / lh.abs().max(1.0));
            if s == 0 {
                first = (lx, lh);
            }
        }
        eprintln!(
            "{}: {net} batch {}, data {source}; first loss nn {:.5} / hand {:.5}; max relative loss difference over 3 steps {worst:.1e}",
            w.name, w.batch, first.0, first.1
        );
        if worst > 1e-3 {
            eprintln!("nn and the hand-written network disagree (expected ≤ 1e-3)");
            std::process::exit(1);
        }
    } else {
        // one warm-up step, so that the timed steps all repeat a step
        if run_nn {
            xi(0);
        } else {
            hd(0);
        }
    }
    // rounds alternate: hand-written, nn, hand-written, nn, ...
    let (mut th, mut tx) = (Vec::new(), Vec::new());
    let (mut ah, mut ax) = (0usize, 0usize);
    for r in 0..rounds {
        let off = 3 + r * steps;
        if run_hand {
            let a0 = allocations();
            th.push(timed(|| (0..steps).for_each(|s| _ = std::hint::black_box(hd(s + off)))).0);
            ah += allocations() - a0;
        }
        if run_nn {
            let a0 = allocations();
            tx.push(timed(|| (0..steps).for_each(|s| _ = std::hint::black_box(xi(s + off)))).0);
            ax += allocations() - a0;
        }
    }
    let rss = peak_rss_mib();
    let epoch = |t: &[f64]| {
        if t.is_empty() {
            f64::NAN
        } else {
            median(t) / steps as f64 * per_epoch as f64
        }
    };
    let (ex, eh) = (epoch(&tx), epoch(&th));
    let timed_steps = (rounds * steps) as f64;
    let (apx, aph) = (
        if run_nn {
            ax as f64 / timed_steps
        } else {
            f64::NAN
        },
        if run_hand {
            ah as f64 / timed_steps
        } else {
            f64::NAN
        },
    );
    // the products done: forward x·W and dW = xᵀ·δ in every layer, and
    // δ·Wᵀ in every layer but the first (its input needs no gradient); two
    // flops per multiply-add, as the PyTorch benchmark counts them
    let macs: f64 = w
        .sizes
        .windows(2)
        .enumerate()
        .map(|(l, p)| (p[0] * p[1]) as f64 * if l == 0 { 2.0 } else { 3.0 })
        .sum();
    let flops = 2.0 * macs * w.batch as f64 * per_epoch as f64;
    let data_mib = (xs.len() * 4 + ys.len() * 4 + classes.len() * 8) as f64 / (1 << 20) as f64;
    let params: usize = w.sizes.windows(2).map(|p| p[0] * p[1] + p[1]).sum();
    let threads_used = autograd::max_threads();
    // the target's verdict, when both sides ran
    let target = w
        .target_ratio
        .filter(|_| run_nn && run_hand)
        .map(|t| (t, ex / eh <= t));
    let verdict = match target {
        Some((t, met)) => format!(" (target ≤ {t}: {})", if met { "met" } else { "missed" }),
        None => String::new(),
    };
    eprintln!(
        "  {only}, {threads_used} thread(s) for large products; s/epoch (median of {rounds} rounds of {steps} steps): nn {ex:.3}, hand-written {eh:.3}, ratio {:.3}{verdict}; GFLOP/s nn {:.1}, hand {:.1}; allocations per step nn {apx:.1}, hand {aph:.1}; peak RSS {rss:.0} MiB (data {data_mib:.0} MiB)",
        ex / eh,
        flops / ex / 1e9,
        flops / eh / 1e9
    );
    let line = Json::new()
        .str("bench", w.name)
        .str("net", &net)
        .num("batch", w.batch as f64)
        .str("dtype", "f32")
        .str("data", &source)
        .str("only", &only)
        .num("threads", threads_used as f64)
        .num("rounds", rounds as f64)
        .num("steps_per_round", steps as f64)
        .num("steps_per_epoch", per_epoch as f64)
        .num("max_rel_loss_diff", worst as f64)
        .num("nn_s_per_epoch", ex)
        .num("hand_s_per_epoch", eh)
        .num("ratio", ex / eh);
    let line = match target {
        Some((t, met)) => line.num("target_ratio", t).bool("target_met", met),
        None => line,
    };
    let line = line
        .num("nn_gflops", flops / ex / 1e9)
        .num("hand_gflops", flops / eh / 1e9)
        .num("nn_allocs_per_step", apx)
        .num("hand_allocs_per_step", aph)
        .num("params", params as f64)
        .num("data_mib", data_mib)
        .num("peak_rss_mib", rss);
    println!("{}", line.line());
}
