//! One training step of Nielsen's network on an `f32` tape, against the same
//! step written by hand.
//!
//! Network (Nielsen, *Neural Networks and Deep Learning*, ch. 1): 784→30→10,
//! sigmoid everywhere, quadratic cost C = ½·Σ‖a − y‖² / m over a mini-batch
//! of m = 10, plain SGD with η = 3.0 (w ← w − η·∂C/∂w, which is Nielsen's
//! w ← w − (η/m)·Σ∇C_x). Weights N(0, 1/n_in), biases N(0, 1) (his
//! `network2` initialiser), seeded.
//!
//! - taped: `Tape<f32>` cleared and reused each step; forward is the fused
//!   `matmul_bias` (x·W + b in one op, as `nn::Linear` records it) and
//!   `sigmoid`, loss, `backward()`, then the SGD update in place on the
//!   weight tensors (`Grads::add_scaled_to`: each weight gradient, kept as
//!   the product xᵀ·dz, is multiplied straight into its weights).
//! - hand-written: the same maths with hand-coded backprop on the same
//!   GEMM as the tape's (`autograd::bench_gemm`), fixed buffers, no
//!   tape (the update of each weight matrix is folded into one GEMM).
//!
//! Before timing, both run a few steps from the same weights on the same
//! batches and must agree on every loss to 1e-5 and on the final weights.
//! Then they run alternately in rounds; figures are medians over rounds of
//! the microseconds per step, and their ratio (target: taped ≤ 1.5×).
//!
//! Data: seeded uniform pixels and random labels, or the first 1,000 MNIST
//! training images when `MNIST_DIR` names a directory holding the IDX files
//! `train-images-idx3-ubyte` and `train-labels-idx1-ubyte`, gzipped
//! (`.gz`) or not.
//!
//! ```text
//! cargo bench -p xiaolan-autograd --bench nielsen_step
//! cargo bench -p xiaolan-autograd --bench nielsen_step -- --rounds 21 --steps 500
//! ```

#[path = "common/mod.rs"]
mod common;

use autograd::{Real, Tape, Tensor};
use common::{median, timed, Args, Json, Rng};
use std::path::Path;

const BATCH: usize = 10;
const N_IN: usize = 784;
const N_HID: usize = 30;
const N_OUT: usize = 10;
const ETA: f32 = 3.0;
/// Samples the batches cycle through.
const SAMPLES: usize = 1000;
/// Target: taped step time over hand-written step time.
const TARGET_RATIO: f64 = 1.5;

/// The network's parameters, as tensors (the taped version's store).
struct Params {
    w1: Tensor<f32>, // [784, 30]
    b1: Tensor<f32>, // [30]
    w2: Tensor<f32>, // [30, 10]
    b2: Tensor<f32>, // [10]
}

impl Params {
    fn init(rng: &mut Rng) -> Self {
        let mut gauss = |n: usize, sd: f64| -> Vec<f32> {
            (0..n).map(|_| (rng.normal() * sd) as f32).collect()
        };
        let w1 = gauss(N_IN * N_HID, 1.0 / (N_IN as f64).sqrt());
        let b1 = gauss(N_HID, 1.0);
        let w2 = gauss(N_HID * N_OUT, 1.0 / (N_HID as f64).sqrt());
        let b2 = gauss(N_OUT, 1.0);
        Params {
            w1: Tensor::from_vec(&[N_IN, N_HID], w1).unwrap(),
            b1: Tensor::from_vec(&[N_HID], b1).unwrap(),
            w2: Tensor::from_vec(&[N_HID, N_OUT], w2).unwrap(),
            b2: Tensor::from_vec(&[N_OUT], b2).unwrap(),
        }
    }

    /// A copy with storage of its own (a plain `clone` would share it, and
    /// the first in-place update would then copy).
    fn deep_copy(&self) -> Self {
        let copy = |t: &Tensor<f32>| Tensor::from_vec(t.shape(), t.to_vec()).unwrap();
        Params {
            w1: copy(&self.w1),
            b1: copy(&self.b1),
            w2: copy(&self.w2),
            b2: copy(&self.b2),
        }
    }
}

/// Mini-batches: inputs [10, 784] and one-hot targets [10, 10].
struct Batches {
    x: Vec<Tensor<f32>>,
    y: Vec<Tensor<f32>>,
    source: String,
}

fn batches_from(pixels: Vec<f32>, labels: Vec<u8>, source: String) -> Batches {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for b in 0..labels.len() / BATCH {
        let xs = pixels[b * BATCH * N_IN..(b + 1) * BATCH * N_IN].to_vec();
        let mut ys = vec![0.0f32; BATCH * N_OUT];
        for r in 0..BATCH {
            ys[r * N_OUT + labels[b * BATCH + r] as usize] = 1.0;
        }
        x.push(Tensor::from_vec(&[BATCH, N_IN], xs).unwrap());
        y.push(Tensor::from_vec(&[BATCH, N_OUT], ys).unwrap());
    }
    Batches { x, y, source }
}

fn random_batches(rng: &mut Rng) -> Batches {
    let pixels = (0..SAMPLES * N_IN).map(|_| rng.uniform() as f32).collect();
    let labels = (0..SAMPLES).map(|_| rng.below(10) as u8).collect();
    batches_from(pixels, labels, "random (seeded)".into())
}

/// Reads an IDX file `name` (or `name.gz`) from `dir` and returns its data
/// after the `header` bytes, checking the magic number.
fn read_idx(dir: &Path, name: &str, magic: u32, header: usize) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let plain = dir.join(name);
    let gz = dir.join(format!("{name}.gz"));
    let (path, bytes) = if plain.exists() {
        let b =
            std::fs::read(&plain).map_err(|e| format!("cannot read {}: {e}", plain.display()))?;
        (plain, b)
    } else if gz.exists() {
        let f =
            std::fs::File::open(&gz).map_err(|e| format!("cannot open {}: {e}", gz.display()))?;
        let mut b = Vec::new();
        flate2::read::GzDecoder::new(f)
            .read_to_end(&mut b)
            .map_err(|e| format!("{}: expected a gzip stream, {e}", gz.display()))?;
        (gz, b)
    } else {
        return Err(format!(
            "expected {} or {} (MNIST in IDX form), found neither",
            plain.display(),
            gz.display()
        ));
    };
    let found = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    if found != Some(magic) || bytes.len() < header {
        return Err(format!(
            "{}: expected an IDX file with magic number {magic:#010x}, found {}",
            path.display(),
            found.map_or("a file shorter than 4 bytes".to_string(), |m| format!(
                "{m:#010x}"
            ))
        ));
    }
    Ok(bytes[header..].to_vec())
}

/// The first `SAMPLES` MNIST training images (pixels scaled to [0, 1]).
fn mnist_batches(dir: &Path) -> Result<Batches, String> {
    let read = |name: &str, magic: u32, header: usize| read_idx(dir, name, magic, header);
    let images = read("train-images-idx3-ubyte", 0x0803, 16)?;
    let labels = read("train-labels-idx1-ubyte", 0x0801, 8)?;
    if images.len() < SAMPLES * N_IN || labels.len() < SAMPLES {
        return Err(format!(
            "expected at least {SAMPLES} images of 28×28 and {SAMPLES} labels, found {} bytes of images and {} labels",
            images.len(),
            labels.len()
        ));
    }
    let pixels = images[..SAMPLES * N_IN]
        .iter()
        .map(|&p| p as f32 / 255.0)
        .collect();
    Ok(batches_from(
        pixels,
        labels[..SAMPLES].to_vec(),
        format!("MNIST, first {SAMPLES} training images"),
    ))
}

// ----------------------------------------------------------------- taped

/// One taped training step: forward, loss, backward, SGD. Returns the loss.
fn taped_step(tape: &mut Tape<f32>, p: &mut Params, x: &Tensor<f32>, y: &Tensor<f32>) -> f32 {
    tape.clear();
    let (loss, g, keys) = {
        let t = &*tape;
        let (w1, b1) = (t.tensor(p.w1.clone()), t.tensor(p.b1.clone()));
        let (w2, b2) = (t.tensor(p.w2.clone()), t.tensor(p.b2.clone()));
        let (x, y) = (t.tensor_constant(x.clone()), t.tensor_constant(y.clone()));
        let a1 = x.matmul_bias(w1, b1).sigmoid();
        let a2 = a1.matmul_bias(w2, b2).sigmoid();
        let loss = (a2 - y).powi(2).sum() * (0.5 / BATCH as f64);
        let g = loss.backward();
        (loss.value(), g, [w1.key(), b1.key(), w2.key(), b2.key()])
    };
    // the tape no longer holds the weights: the update below copies
    // nothing, and each weight gradient (kept as xᵀ·dz) is multiplied
    // straight into its weights
    tape.clear();
    for (w, key) in [&mut p.w1, &mut p.b1, &mut p.w2, &mut p.b2]
        .into_iter()
        .zip(keys)
    {
        let reached = g.add_scaled_to(key, -ETA, w).expect("the same tape");
        assert!(reached, "every parameter gets a gradient");
    }
    loss
}

// ---------------------------------------------------------- hand-written

/// The same network with hand-coded backprop and preallocated buffers.
struct Hand {
    w1: Vec<f32>,
    b1: Vec<f32>,
    w2: Vec<f32>,
    b2: Vec<f32>,
    a1: Vec<f32>, // [10, 30]
    a2: Vec<f32>, // [10, 10]
    d1: Vec<f32>, // ∂C/∂z1, [10, 30]
    d2: Vec<f32>, // ∂C/∂z2, [10, 10]
}

// C (m×n) = alpha·A (m×k)·B (k×n) + beta·C, operands given by row and
// column strides: the engine's own GEMM entry, the kernels the tape's
// products run on.
use autograd::bench_gemm as gemm;

impl Hand {
    fn new(p: &Params) -> Self {
        Hand {
            w1: p.w1.to_vec(),
            b1: p.b1.to_vec(),
            w2: p.w2.to_vec(),
            b2: p.b2.to_vec(),
            a1: vec![0.0; BATCH * N_HID],
            a2: vec![0.0; BATCH * N_OUT],
            d1: vec![0.0; BATCH * N_HID],
            d2: vec![0.0; BATCH * N_OUT],
        }
    }

    /// One training step; returns the loss (computed before the update).
    fn step(&mut self, x: &[f32], y: &[f32]) -> f32 {
        // forward: a1 = σ(x·W1 + b1), a2 = σ(a1·W2 + b2)
        for r in 0..BATCH {
            self.a1[r * N_HID..(r + 1) * N_HID].copy_from_slice(&self.b1);
            self.a2[r * N_OUT..(r + 1) * N_OUT].copy_from_slice(&self.b2);
        }
        gemm(
            (BATCH, N_IN, N_HID),
            1.0,
            x,
            (N_IN, 1),
            &self.w1,
            (N_HID, 1),
            1.0,
            &mut self.a1,
        );
        // the engine's own sigmoid, so both versions compute the same values
        self.a1.iter_mut().for_each(|v| *v = Real::sigmoid(*v));
        gemm(
            (BATCH, N_HID, N_OUT),
            1.0,
            &self.a1,
            (N_HID, 1),
            &self.w2,
            (N_OUT, 1),
            1.0,
            &mut self.a2,
        );
        self.a2.iter_mut().for_each(|v| *v = Real::sigmoid(*v));
        // loss and δ2 = ∂C/∂z2 = (a − y)·σ'(z2) / m
        let inv_m = 1.0 / BATCH as f32;
        let mut loss = 0.0f32;
        for ((d, &a), &t) in self.d2.iter_mut().zip(&self.a2).zip(y) {
            let e = a - t;
            loss += e * e;
            *d = e * a * (1.0 - a) * inv_m;
        }
        loss *= 0.5 * inv_m;
        // δ1 = (δ2·W2ᵀ) ⊙ σ'(z1), taken before W2 moves
        gemm(
            (BATCH, N_OUT, N_HID),
            1.0,
            &self.d2,
            (N_OUT, 1),
            &self.w2,
            (1, N_OUT),
            0.0,
            &mut self.d1,
        );
        for (d, &a) in self.d1.iter_mut().zip(&self.a1) {
            *d *= a * (1.0 - a);
        }
        // SGD folded into the GEMMs: W ← W − η·(inputᵀ·δ); b ← b − η·Σ_rows δ
        gemm(
            (N_HID, BATCH, N_OUT),
            -ETA,
            &self.a1,
            (1, N_HID),
            &self.d2,
            (N_OUT, 1),
            1.0,
            &mut self.w2,
        );
        gemm(
            (N_IN, BATCH, N_HID),
            -ETA,
            x,
            (1, N_IN),
            &self.d1,
            (N_HID, 1),
            1.0,
            &mut self.w1,
        );
        for r in 0..BATCH {
            for (b, &d) in self.b2.iter_mut().zip(&self.d2[r * N_OUT..(r + 1) * N_OUT]) {
                *b -= ETA * d;
            }
            for (b, &d) in self.b1.iter_mut().zip(&self.d1[r * N_HID..(r + 1) * N_HID]) {
                *b -= ETA * d;
            }
        }
        loss
    }
}

// ------------------------------------------------------------------ main

fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Runs both versions from the same weights on the same batches and checks
/// that they agree; returns the largest loss difference and weight difference.
fn check_agreement(init: &Params, data: &Batches, steps: usize) -> (f32, f32) {
    let mut tape = Tape::<f32>::default();
    let mut p = init.deep_copy();
    let mut h = Hand::new(init);
    let mut worst_loss = 0.0f32;
    for s in 0..steps {
        let b = s % data.x.len();
        let before = p.w1.data().as_ptr();
        let lt = taped_step(&mut tape, &mut p, &data.x[b], &data.y[b]);
        assert_eq!(
            before,
            p.w1.data().as_ptr(),
            "the SGD update copied W1: something still shares its storage"
        );
        let lh = h.step(data.x[b].data(), data.y[b].data());
        eprintln!("  check step {s}: loss taped {lt:.7}, hand-written {lh:.7}");
        worst_loss = worst_loss.max((lt - lh).abs());
    }
    let worst_w = [
        max_abs_diff(p.w1.data(), &h.w1),
        max_abs_diff(p.b1.data(), &h.b1),
        max_abs_diff(p.w2.data(), &h.w2),
        max_abs_diff(p.b2.data(), &h.b2),
    ]
    .into_iter()
    .fold(0.0, f32::max);
    (worst_loss, worst_w)
}

fn main() {
    let args = Args::parse();
    let rounds: usize = args.get("rounds", 15);
    let steps: usize = args.get("steps", 200);
    let check_steps: usize = args.get("check-steps", 5);
    if rounds == 0 || steps == 0 {
        eprintln!("--rounds and --steps must be at least 1");
        std::process::exit(2);
    }
    let mut rng = Rng::new(7);
    let init = Params::init(&mut rng);
    // set and non-empty, as everywhere MNIST_DIR is read
    let data = match std::env::var_os("MNIST_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => mnist_batches(Path::new(&dir)).unwrap_or_else(|e| {
            eprintln!("MNIST_DIR: {e}");
            if Path::new(&dir).is_relative() {
                let here = std::env::current_dir().unwrap_or_default();
                eprintln!(
                    "  (a relative MNIST_DIR is taken from the working directory, {}, which cargo bench sets to the package directory; give an absolute path)",
                    here.display()
                );
            }
            std::process::exit(2)
        }),
        None => random_batches(&mut rng),
    };
    eprintln!(
        "nielsen_step: {N_IN}-{N_HID}-{N_OUT} sigmoid, batch {BATCH}, quadratic cost, SGD η = {ETA}; data: {}",
        data.source
    );

    let (loss_diff, weight_diff) = check_agreement(&init, &data, check_steps);
    let agree = loss_diff <= 1e-5 && weight_diff <= 1e-4;
    eprintln!(
        "  agreement over {check_steps} steps: max |Δloss| = {loss_diff:.2e}, max |Δweight| = {weight_diff:.2e} ({})",
        if agree { "ok" } else { "FAILED" }
    );
    if !agree {
        eprintln!("the taped and hand-written steps disagree: expected |Δloss| ≤ 1e-5 and |Δweight| ≤ 1e-4");
        std::process::exit(1);
    }

    let mut tape = Tape::<f32>::default();
    let mut p = init.deep_copy();
    let mut h = Hand::new(&init);
    let nb = data.x.len();
    let (mut taped_us, mut hand_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut lt, mut lh) = (0.0, 0.0);
    // one warm-up round, then timed rounds alternating the two versions
    for round in 0..=rounds {
        let (tt, ()) = timed(|| {
            for s in 0..steps {
                let b = s % nb;
                lt = taped_step(&mut tape, &mut p, &data.x[b], &data.y[b]);
            }
        });
        let (th, ()) = timed(|| {
            for s in 0..steps {
                let b = s % nb;
                lh = h.step(data.x[b].data(), data.y[b].data());
            }
        });
        if round > 0 {
            let (t, hnd) = (tt * 1e6 / steps as f64, th * 1e6 / steps as f64);
            taped_us.push(t);
            hand_us.push(hnd);
            ratios.push(t / hnd);
        }
    }
    let (t, hnd, ratio) = (median(&taped_us), median(&hand_us), median(&ratios));
    eprintln!("  {rounds} rounds of {steps} steps each (medians):");
    eprintln!("    taped        {t:8.2} µs/step  (last loss {lt:.4})");
    eprintln!("    hand-written {hnd:8.2} µs/step  (last loss {lh:.4})");
    eprintln!(
        "    ratio        {ratio:8.3}×        target ≤ {TARGET_RATIO}×: {}",
        if ratio <= TARGET_RATIO {
            "met"
        } else {
            "missed"
        }
    );
    let json = Json::new()
        .str("bench", "nielsen_step")
        .str("net", "784-30-10")
        .int("batch", BATCH as u64)
        .str("data", &data.source)
        .int("rounds", rounds as u64)
        .int("steps_per_round", steps as u64)
        .num("max_loss_diff", loss_diff as f64)
        .num("max_weight_diff", weight_diff as f64)
        .num("taped_us_per_step", t)
        .num("hand_us_per_step", hnd)
        .num("ratio", ratio)
        .num(
            "taped_us_min",
            taped_us.iter().cloned().fold(f64::INFINITY, f64::min),
        )
        .num(
            "hand_us_min",
            hand_us.iter().cloned().fold(f64::INFINITY, f64::min),
        )
        .num("target_ratio", TARGET_RATIO)
        .bool("target_met", ratio <= TARGET_RATIO);
    println!("{}", json.line());
}
