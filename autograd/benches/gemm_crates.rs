//! The two GEMM crates xiaolan uses, side by side on one core, on every
//! product of one training step of the networks it is made for.
//!
//! Nielsen's 784-30-10 at batch 10 and a 784-512-512-10 at batch 256: the
//! forward products x·W, the weight gradients xᵀ·dy (a transposed through
//! its strides) and the input gradients dy·Wᵀ (b transposed), each timed with
//! the `gemm` crate's one-thread kernel, with `matrixmultiply`'s and with
//! xiaolan's thin kernel (through the engine's entry on one thread, with
//! every product it can run forced onto it; null where it cannot: a
//! transposed b of more than 64 rows, or a CPU without AVX2 and FMA), in
//! alternation, `--rounds`
//! times. One JSON line per product gives the median microseconds and
//! GFLOP/s of each, the ratios to `gemm`, and the kernel the engine picks
//! for it on this CPU (`autograd::gemm_crate_for`).
//!
//! The first line is the machine's f32 peak as measured: a loop of
//! independent 8-lane fused multiply-adds (AVX2 + FMA), run on one core and
//! on every core at once, so that GFLOP/s can be given as a fraction of what
//! the cores actually reach at the clock they run at (a hypervisor's
//! reported clock is not the boost clock).
//!
//! The last two lines time all the products of one step of each network
//! through the engine (`autograd::bench_gemm`, the tape's own GEMM entry, which picks the crate and splits large
//! products over the cores) on one thread and on every core, alternating,
//! so that the scaling of the split can be read off; and on one thread while
//! each other core runs its own copy of the step (what the cores give when
//! they share nothing).
//!
//! ```text
//! cargo bench -p xiaolan-autograd --bench gemm_crates
//! cargo bench -p xiaolan-autograd --bench gemm_crates -- --rounds 31
//! ```

#[path = "common/mod.rs"]
mod common;

use common::{median, timed, Args, Json};

/// One product c[m, n] = a·b, with a stored [m, k] (or [k, m] when `ta`) and
/// b stored [k, n] (or [n, k] when `tb`), all row-major.
struct Shape {
    name: &'static str,
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
}

const fn s(name: &'static str, m: usize, k: usize, n: usize, ta: bool, tb: bool) -> Shape {
    Shape {
        name,
        m,
        k,
        n,
        ta,
        tb,
    }
}

const SHAPES: &[Shape] = &[
    s("784-30-10 x.W1", 10, 784, 30, false, false),
    s("784-30-10 h.W2", 10, 30, 10, false, false),
    s("784-30-10 xT.dy1", 784, 10, 30, true, false),
    s("784-30-10 hT.dy2", 30, 10, 10, true, false),
    s("784-30-10 dy2.W2T", 10, 10, 30, false, true),
    s("784-512-512-10 x.W1", 256, 784, 512, false, false),
    s("784-512-512-10 h1.W2", 256, 512, 512, false, false),
    s("784-512-512-10 h2.W3", 256, 512, 10, false, false),
    s("784-512-512-10 xT.dy1", 784, 256, 512, true, false),
    s("784-512-512-10 h1T.dy2", 512, 256, 512, true, false),
    s("784-512-512-10 h2T.dy3", 512, 256, 10, true, false),
    s("784-512-512-10 dy2.W2T", 256, 512, 512, false, true),
    s("784-512-512-10 dy3.W3T", 256, 10, 512, false, true),
];

/// Strides of a row-major [rows, cols] matrix, or of its transpose when `t`.
fn strides(rows: usize, cols: usize, t: bool) -> (isize, isize) {
    if t {
        (1, rows as isize)
    } else {
        (cols as isize, 1)
    }
}

/// f32 GFLOP/s of one thread running independent 8-lane FMAs for about
/// 0.2 s (0 on a CPU without AVX2 and FMA).
fn fma_peak() -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            const ITERS: usize = 20_000_000;
            // SAFETY: the CPU has AVX2 and FMA (checked above)
            let (t, sink) = timed(|| unsafe { fma_loop(ITERS) });
            assert!(sink.is_finite());
            // 10 accumulators × 8 lanes × 2 flops per iteration
            return (ITERS * 10 * 8 * 2) as f64 / t / 1e9;
        }
    }
    0.0
}

/// Ten chains of FMAs, enough to cover the latency of two FMA pipes.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_loop(iters: usize) -> f32 {
    use std::arch::x86_64::*;
    let m = _mm256_set1_ps(0.999_999);
    let a = _mm256_set1_ps(1e-7);
    let mut acc = [_mm256_set1_ps(1.0); 10];
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = _mm256_fmadd_ps(*x, m, a);
        }
    }
    let mut out = [0f32; 8];
    let mut sum = _mm256_setzero_ps();
    for x in acc {
        sum = _mm256_add_ps(sum, x);
    }
    _mm256_storeu_ps(out.as_mut_ptr(), sum);
    out.iter().sum()
}

/// Median milliseconds of all the products of one step (each shape once,
/// with its own buffers) through the engine: on 1 thread, on every core, and
/// on 1 thread while every other core runs its own copy of the step.
fn engine_step(shapes: &[&Shape], rounds: usize) -> (f64, f64, f64) {
    let mut bufs: Vec<(Vec<f32>, Vec<f32>, Vec<f32>)> = shapes
        .iter()
        .map(|sh| {
            let (m, k, n) = (sh.m, sh.k, sh.n);
            (
                (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect(),
                (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect(),
                vec![0f32; m * n],
            )
        })
        .collect();
    let step = |bufs: &mut Vec<(Vec<f32>, Vec<f32>, Vec<f32>)>| {
        timed(|| {
            for (sh, (a, b, c)) in shapes.iter().zip(bufs.iter_mut()) {
                let (m, k, n) = (sh.m, sh.k, sh.n);
                let (rsa, csa) = strides(m, k, sh.ta);
                let (rsb, csb) = strides(k, n, sh.tb);
                autograd::bench_gemm(
                    (m, k, n),
                    1.0,
                    a,
                    (rsa as usize, csa as usize),
                    b,
                    (rsb as usize, csb as usize),
                    0.0,
                    c,
                );
            }
        })
        .0
    };
    let (mut one, mut all) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        autograd::set_max_threads(1);
        one.push(step(&mut bufs));
        autograd::set_max_threads(0);
        all.push(step(&mut bufs));
    }
    // every core running its own one-thread copy of the step at once: how
    // fast the cores are when nothing is shared between them
    autograd::set_max_threads(1);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let side_by_side: Vec<f64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let mut own = bufs.clone();
                s.spawn(move || median(&(0..rounds).map(|_| step(&mut own)).collect::<Vec<_>>()))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    autograd::set_max_threads(0);
    (
        median(&one) * 1e3,
        median(&all) * 1e3,
        side_by_side.iter().sum::<f64>() / side_by_side.len() as f64 * 1e3,
    )
}

fn main() {
    let args = Args::parse();
    let rounds: usize = args.get("rounds", 15);
    if rounds == 0 {
        eprintln!("--rounds must be at least 1, found 0");
        std::process::exit(2);
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let one: Vec<f64> = (0..5).map(|_| fma_peak()).collect();
    let all: Vec<f64> = (0..5)
        .map(|_| {
            std::thread::scope(|s| {
                let hs: Vec<_> = (0..cores).map(|_| s.spawn(fma_peak)).collect();
                hs.into_iter().map(|h| h.join().unwrap()).sum::<f64>()
            })
        })
        .collect();
    println!(
        "{}",
        Json::new()
            .str("bench", "fma_peak")
            .int("cores", cores as u64)
            .num("f32_gflops_1_core", median(&one))
            .num("f32_gflops_all_cores", median(&all))
            .line()
    );
    for sh in SHAPES {
        let (m, k, n) = (sh.m, sh.k, sh.n);
        let a: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
        let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
        let mut c = vec![0f32; m * n];
        let (rsa, csa) = strides(m, k, sh.ta);
        let (rsb, csb) = strides(k, n, sh.tb);
        let (ap, bp, cp) = (a.as_ptr(), b.as_ptr(), c.as_mut_ptr());
        let (a, b) = (ap, bp);
        // about 20M multiply-adds per timing, so small products repeat
        let reps = (20_000_000 / (m * k * n)).max(1);
        autograd::set_gemm_path(autograd::GemmPath::Thin);
        let thin = autograd::gemm_crate_for(m, k, n, sh.tb) == "thin";
        autograd::set_gemm_path(autograd::GemmPath::Auto);
        let (mut t_gemm, mut t_mm, mut t_thin) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let (t, _) = timed(|| {
                for _ in 0..reps {
                    // SAFETY: the strides stay inside a, b and c
                    unsafe {
                        gemm::gemm(
                            m,
                            n,
                            k,
                            cp,
                            1,
                            n as isize,
                            false,
                            a,
                            csa,
                            rsa,
                            b,
                            csb,
                            rsb,
                            0.0,
                            1.0,
                            false,
                            false,
                            false,
                            gemm::Parallelism::None,
                        )
                    }
                }
            });
            t_gemm.push(t / reps as f64);
            let (t, _) = timed(|| {
                for _ in 0..reps {
                    // SAFETY: as above
                    unsafe {
                        matrixmultiply::sgemm(
                            m, k, n, 1.0, a, rsa, csa, b, rsb, csb, 0.0, cp, n as isize, 1,
                        )
                    }
                }
            });
            t_mm.push(t / reps as f64);
            if thin {
                // on this thread alone, like the crates' kernels above
                autograd::set_max_threads(1);
                autograd::set_gemm_path(autograd::GemmPath::Thin);
                // SAFETY: a and b are the live buffers behind ap and bp, and
                // c, written only through the engine's entry here, is read
                // through no other reference meanwhile
                let (a, b, c) = unsafe {
                    (
                        std::slice::from_raw_parts(ap, m * k),
                        std::slice::from_raw_parts(bp, k * n),
                        std::slice::from_raw_parts_mut(cp, m * n),
                    )
                };
                let (t, _) = timed(|| {
                    for _ in 0..reps {
                        autograd::bench_gemm(
                            (m, k, n),
                            1.0,
                            a,
                            (rsa as usize, csa as usize),
                            b,
                            (rsb as usize, csb as usize),
                            0.0,
                            c,
                        );
                    }
                });
                autograd::set_gemm_path(autograd::GemmPath::Auto);
                autograd::set_max_threads(0);
                t_thin.push(t / reps as f64);
            }
        }
        let (g, mm) = (median(&t_gemm), median(&t_mm));
        let th = if thin { median(&t_thin) } else { f64::NAN };
        let flop = 2.0 * (m * k * n) as f64;
        let line = Json::new()
            .str("bench", "gemm_crates")
            .str("product", sh.name)
            .int("m", m as u64)
            .int("k", k as u64)
            .int("n", n as u64)
            .int("rounds", rounds as u64)
            .num("gemm_us", g * 1e6)
            .num("gemm_gflops", flop / g / 1e9)
            .num("matrixmultiply_us", mm * 1e6)
            .num("matrixmultiply_gflops", flop / mm / 1e9)
            .num("matrixmultiply_over_gemm", mm / g)
            .num("thin_us", th * 1e6)
            .num("thin_gflops", flop / th / 1e9)
            .num("thin_over_gemm", th / g)
            .str("engine_uses", autograd::gemm_crate_for(m, k, n, sh.tb));
        println!("{}", line.line());
    }
    for net in ["784-30-10", "784-512-512-10"] {
        let shapes: Vec<&Shape> = SHAPES
            .iter()
            .filter(|s| s.name.split(' ').next() == Some(net))
            .collect();
        let (one, all, side) = engine_step(&shapes, rounds * 20);
        println!(
            "{}",
            Json::new()
                .str("bench", "gemm_engine_step")
                .str("net", net)
                .int("products", shapes.len() as u64)
                .int("cores", cores as u64)
                .num("ms_1_thread", one)
                .num("ms_all_cores", all)
                .num("speedup", one / all)
                .num("ms_1_thread_beside_copies", side)
                .line()
        );
    }
}
