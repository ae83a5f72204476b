//! The engine's matrix products: a crate-private backend that every product
//! of the tensors goes through ([`crate::Tensor::matmul`] and its fused
//! variants, in `tensor.rs` here), so that [`crate::Real`] says only what a
//! number is.
//!
//! - `f32`, and `f64` products of at least [`PARALLEL_MIN_MACS`]
//!   multiply-adds, run on the kernels of two crates (below), or for thin
//!   `f32` products on xiaolan's own (`thin.rs`), whose instructions and
//!   order of summation depend on the CPU.
//! - `f64` products under [`PARALLEL_MIN_MACS`] multiply-adds (the
//!   Playground's, the course's examples') and any other element type
//!   ([`crate::Dual`], or a user's own [`crate::Real`]) run a fixed-order
//!   loop on the calling thread, summing over k in order with no fused
//!   multiply-add: the same bits on every CPU.
//!
//! The choice is made by the element type's `TypeId`, a constant of each
//! monomorphised product, so it costs nothing at run time.
//!
//! Matrix products for `f32` and `f64`, on two well-kept crates chosen by
//! benchmark on the shapes xiaolan trains (`cargo bench -p xiaolan-autograd
//! --bench gemm_crates` times both on every product of a training step), and
//! split over the cores when the product is large enough to pay for it.
//!
//! - An `f32` product with a side of at most 16 and at most 1M
//!   multiply-adds (every product of a batch-10 network) runs on xiaolan's
//!   thin kernel when the CPU has AVX2 and FMA: register-blocked tiles of up
//!   to 32 columns, no packing but a transposed b of at most 64 rows. On a
//!   Zen 1 core (AMD EPYC family 23 model 1, a measured 45 GFLOP/s f32 FMA
//!   peak) it ran Nielsen's 10×784·784×30 at 41 GFLOP/s against `gemm`'s
//!   31, and 784×10·10×30 at 37 against 21 (the `gemm_crates` benchmark);
//!   at a side of 16 it took 0.82 to 0.89 of `gemm`'s time, at 32 still 0.88
//!   to 0.96. A taped training step of Nielsen's network took 0.72 to 0.79
//!   of its time with `gemm` (`nielsen_step`, old and new binaries pair by
//!   pair). The wide network's thin products (256×512·512×10, 1.3M
//!   multiply-adds) stay with the crates, where it is level with `gemm`.
//! - Another product with a side under [`THIN_SIDE`] (a batch-10
//!   network's on a CPU without AVX2 and FMA; a wide 10-class output
//!   layer's) uses the `gemm` crate: it does
//!   Nielsen's 10×784·784×30 product in half of `matrixmultiply`'s time,
//!   whose edge tiles for widths of 30 and 10 go through a masked kernel
//!   (37% of its instructions there), and a 256×512·512×10 output layer in a
//!   third.
//! - Other products use `matrixmultiply` on a CPU without AVX-512 (Zen 3:
//!   5 to 15% faster than `gemm` on the square-ish products of a
//!   784-512-512-10 network; one step's products took 8.5 ms against 9.6 ms
//!   with `gemm` alone). With AVX-512 (Zen 4) both crates have kernels for
//!   it and `gemm` is 10% faster on x·W but `matrixmultiply` 14% faster when
//!   b is read transposed (dy·Wᵀ), so each gets its own.
//!
//! A product of at least [`PARALLEL_MIN_MACS`] multiply-adds is cut into
//! blocks of output columns (or rows), two per thread, which the calling
//! thread and the helper threads of [`crate::parallel`] take in turn until
//! none is left, each with a one-thread kernel. Smaller products
//! run on the calling thread alone. Splitting ourselves, with helpers that
//! poll between products, beat the gemm crate's own rayon split: 9.6 ms
//! against 11.2 ms for the products of one 784-512-512-10 step with the gemm
//! crate's kernels in both (8.5 ms with the hybrid above).

mod kernels;
mod tensor;
mod thin;

pub(crate) use tensor::GemmShape;

use crate::real::Real;
use crate::simd::fast;
use std::any::Any;
use std::sync::atomic::{AtomicU8, Ordering};

/// Products with at least this many multiply-adds (m·k·n) are split over
/// several threads: about 0.1 ms of work for one core. `f64` products under
/// it take the fixed-order loop, the same bits on every CPU.
pub const PARALLEL_MIN_MACS: usize = 4 << 20;

/// A product with a side shorter than this always goes to the `gemm`
/// crate; one whose m, k and n all reach it goes to `matrixmultiply`
/// (on an AVX-512 CPU, only when b is read transposed).
pub const THIN_SIDE: usize = 64;

/// The kernel that does an m×k·k×n `f32` product (or a large `f64` one,
/// see [`PARALLEL_MIN_MACS`]) whose b is read transposed or not, on this
/// CPU: `"thin"` (xiaolan's own AVX2 + FMA kernel for the thin products of
/// a small batch, `f32` only), `"gemm"` or `"matrixmultiply"` (see the
/// module notes).
///
/// ```
/// assert_eq!(autograd::gemm_crate_for(256, 512, 10, false), "gemm");
/// ```
pub fn gemm_crate_for(m: usize, k: usize, n: usize, b_transposed: bool) -> &'static str {
    match kernel_for(m, k, n, b_transposed, true) {
        Kernel::Thin => "thin",
        Kernel::Gemm => "gemm",
        Kernel::Matrixmultiply => "matrixmultiply",
    }
}

/// The kernels a product can run on (besides the fixed-order loop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// xiaolan's thin-product kernel (`f32`, AVX2 + FMA).
    Thin,
    /// The `gemm` crate's.
    Gemm,
    /// `matrixmultiply`'s.
    Matrixmultiply,
}

/// The kernel of an m×k·k×n product whose b is read transposed or not;
/// `thin_ok` says whether the thin kernel may take it (an `f32` product
/// with contiguous rows of c).
pub(crate) fn kernel_for(
    m: usize,
    k: usize,
    n: usize,
    b_transposed: bool,
    thin_ok: bool,
) -> Kernel {
    match gemm_path() {
        GemmPath::Gemm => Kernel::Gemm,
        GemmPath::Matrixmultiply => Kernel::Matrixmultiply,
        GemmPath::Thin if thin_ok && thin::can_run(k, b_transposed) => Kernel::Thin,
        GemmPath::Auto | GemmPath::Baseline | GemmPath::Thin => {
            if thin_ok && thin::is_thin(m, k, n) && thin::can_run(k, b_transposed) {
                Kernel::Thin
            } else if m.min(k).min(n) >= THIN_SIDE && (b_transposed || !has_avx512()) {
                Kernel::Matrixmultiply
            } else {
                Kernel::Gemm
            }
        }
    }
}

/// Whether the CPU runs AVX-512 (std caches the answer).
fn has_avx512() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// One product c = alpha·a·b + beta·c (BLAS's convention) with strides, as
/// raw parts: a whole product, or a block of a larger one for one thread.
/// a is m×k with strides (`rsa`, `csa`), b is k×n with strides (`rsb`,
/// `csb`), c is m×n with strides (`rsc`, `csc`).
#[derive(Clone, Copy)]
pub(crate) struct Part<T> {
    pub(crate) m: usize,
    pub(crate) k: usize,
    pub(crate) n: usize,
    pub(crate) alpha: T,
    pub(crate) a: *const T,
    pub(crate) rsa: isize,
    pub(crate) csa: isize,
    pub(crate) b: *const T,
    pub(crate) rsb: isize,
    pub(crate) csb: isize,
    pub(crate) beta: T,
    pub(crate) c: *mut T,
    pub(crate) rsc: isize,
    pub(crate) csc: isize,
}

/// Runs the product `p` for any element type: the crates' kernels for `f32`
/// and for large `f64` products, the fixed-order loop for small `f64`
/// products ([`ordered_f64`]) and for every other type. With `beta` = 0, c
/// is only written, never read, whatever the type (so it may be
/// uninitialised memory).
///
/// # Safety
/// Every index reachable through the dimensions and strides must lie inside
/// the corresponding buffer, and c must not overlap a or b.
#[inline]
pub(crate) unsafe fn gemm<E: Real>(p: &Part<E>) {
    // `Part<E>` is `'static` (E is), so it can be looked at as `Any`; the
    // type test is a constant of each monomorphised copy
    let any = p as &dyn Any;
    if let Some(p) = any.downcast_ref::<Part<f32>>() {
        kernels::product(p)
    } else if let Some(q) = any.downcast_ref::<Part<f64>>() {
        if ordered_f64(q.m, q.k, q.n) {
            p.ordered()
        } else {
            kernels::product(q)
        }
    } else {
        p.ordered()
    }
}

/// Whether an m×k·k×n `f64` product takes the fixed-order loop: every
/// product under [`PARALLEL_MIN_MACS`] multiply-adds (all of the
/// Playground's and the course's examples'), so that their numbers are the
/// same bits on every CPU. The crates' kernels pick their instructions
/// (AVX2 or AVX-512, with fused multiply-adds) and with them the order of
/// summation by the CPU they run on.
pub(crate) fn ordered_f64(m: usize, k: usize, n: usize) -> bool {
    m.saturating_mul(k).saturating_mul(n) < PARALLEL_MIN_MACS
}

/// Which kernels the products take, for tests and measurements that compare
/// the paths on one machine (not part of the API).
///
/// The default is [`GemmPath::Auto`], or the value of the environment
/// variable `XIAOLAN_GEMM` (`auto`, `gemm`, `matrixmultiply`, `baseline`,
/// `thin`; any other value is reported on standard error and `auto` used),
/// read at the first product; [`set_gemm_path`] overrides both.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GemmPath {
    /// Each crate where it is fastest on this CPU (the module notes).
    Auto = 1,
    /// Every crate-kernel product on the `gemm` crate.
    Gemm = 2,
    /// Every crate-kernel product on `matrixmultiply`.
    Matrixmultiply = 3,
    /// As `Auto`, but the fixed-order loop compiled for the baseline
    /// instruction set (SSE2) even on a CPU with AVX2.
    Baseline = 4,
    /// As `Auto`, but every `f32` product the thin kernel can run (on this
    /// CPU, with its strides) on it, however large.
    Thin = 5,
}

/// The path in force: 0 until the environment variable is read.
static PATH: AtomicU8 = AtomicU8::new(0);

/// Forces the kernels of every following product, on every thread (not
/// part of the API: see [`GemmPath`]).
#[doc(hidden)]
pub fn set_gemm_path(path: GemmPath) {
    PATH.store(path as u8, Ordering::Relaxed);
}

/// The path in force (see [`GemmPath`]).
#[doc(hidden)]
pub fn gemm_path() -> GemmPath {
    match PATH.load(Ordering::Relaxed) {
        2 => GemmPath::Gemm,
        3 => GemmPath::Matrixmultiply,
        4 => GemmPath::Baseline,
        5 => GemmPath::Thin,
        1 => GemmPath::Auto,
        _ => {
            let path = crate::env_choice::read(
                "XIAOLAN_GEMM",
                "the kernels of the matrix products",
                &[
                    ("auto", GemmPath::Auto),
                    ("gemm", GemmPath::Gemm),
                    ("matrixmultiply", GemmPath::Matrixmultiply),
                    ("baseline", GemmPath::Baseline),
                    ("thin", GemmPath::Thin),
                ],
            );
            // a concurrent set_gemm_path wins over the environment
            let _ = PATH.compare_exchange(0, path as u8, Ordering::Relaxed, Ordering::Relaxed);
            gemm_path()
        }
    }
}

impl<E: Real> Part<E> {
    /// The product in a fixed order, on the calling thread: each element of
    /// c is `alpha·(((0 + a₀b₀) + a₁b₁) + …) + beta·c`, summed over k in
    /// order, with separate multiplies and adds (Rust never fuses them), so
    /// the result is the same bits on every CPU. The loop runs i, k, j (the
    /// j loop vectorises without changing any element's order) over blocks
    /// of [`ORDERED_BLOCK`] columns of an accumulator on the stack.
    ///
    /// # Safety
    /// As [`gemm`].
    unsafe fn ordered(&self) {
        if gemm_path() == GemmPath::Baseline {
            self.ordered_loop()
        } else {
            fast(|| self.ordered_loop())
        }
    }

    /// The loop of [`Part::ordered`], inlined into both of its copies.
    ///
    /// # Safety
    /// As [`gemm`].
    #[inline(always)]
    unsafe fn ordered_loop(&self) {
        let Part {
            m,
            k,
            n,
            alpha,
            a,
            rsa,
            csa,
            b,
            rsb,
            csb,
            beta,
            c,
            rsc,
            csc,
        } = *self;
        let mut acc = [E::zero(); ORDERED_BLOCK];
        for j0 in (0..n).step_by(ORDERED_BLOCK) {
            let w = ORDERED_BLOCK.min(n - j0);
            let acc = &mut acc[..w];
            for i in 0..m {
                acc.fill(E::zero());
                for p in 0..k {
                    let aip = *a.offset(i as isize * rsa + p as isize * csa);
                    let brow = b.offset(p as isize * rsb + j0 as isize * csb);
                    if csb == 1 {
                        let brow = std::slice::from_raw_parts(brow, w);
                        for (s, &bpj) in acc.iter_mut().zip(brow) {
                            *s += aip * bpj;
                        }
                    } else {
                        for (j, s) in acc.iter_mut().enumerate() {
                            *s += aip * *brow.offset(j as isize * csb);
                        }
                    }
                }
                for (j, &s) in acc.iter().enumerate() {
                    let cij = c.offset(i as isize * rsc + (j0 + j) as isize * csc);
                    // with beta = 0, c is written without being read (it may be uninitialised)
                    let v = if beta == E::zero() {
                        alpha * s
                    } else {
                        alpha * s + beta * *cij
                    };
                    cij.write(v);
                }
            }
        }
    }
}

/// Columns of c per block of the fixed-order loop's accumulator.
const ORDERED_BLOCK: usize = 64;

/// The engine's GEMM on slices: c = alpha·a·b + beta·c, with a (m×k) and b
/// (k×n) read through the given (row, column) strides and c row-major m×n.
///
/// Not part of the API (hidden from the documentation): it exists so that
/// benchmarks and allocation tests can run a hand-written network on exactly
/// the kernels the tape's products use, with the same transposes folded into
/// the strides, and compare the two.
///
/// # Panics
/// If a stride reaches past the end of its slice, or c has fewer than m·n
/// elements.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn bench_gemm<E: Real>(
    (m, k, n): (usize, usize, usize),
    alpha: E,
    a: &[E],
    (rsa, csa): (usize, usize),
    b: &[E],
    (rsb, csb): (usize, usize),
    beta: E,
    c: &mut [E],
) {
    // the last element each operand's strides reach, when it has any
    let last = |rows: usize, cols: usize, rs: usize, cs: usize| {
        (rows > 0 && cols > 0).then(|| (rows - 1) * rs + (cols - 1) * cs)
    };
    if m > 0 && n > 0 {
        if let Some(i) = last(m, k, rsa, csa) {
            assert!(i < a.len(), "bench_gemm: a ({m}×{k}, strides ({rsa}, {csa})) reaches element {i}, found {} elements", a.len());
        }
        if let Some(i) = last(k, n, rsb, csb) {
            assert!(i < b.len(), "bench_gemm: b ({k}×{n}, strides ({rsb}, {csb})) reaches element {i}, found {} elements", b.len());
        }
    }
    assert!(
        c.len() >= m * n,
        "bench_gemm: c must hold {m}×{n} = {} elements, found {}",
        m * n,
        c.len()
    );
    let p = Part {
        m,
        k,
        n,
        alpha,
        a: a.as_ptr(),
        rsa: rsa as isize,
        csa: csa as isize,
        b: b.as_ptr(),
        rsb: rsb as isize,
        csb: csb as isize,
        beta,
        c: c.as_mut_ptr(),
        rsc: n as isize,
        csc: 1,
    };
    // SAFETY: the asserts keep every index inside the three slices, and c,
    // borrowed mutably, overlaps neither a nor b
    unsafe { gemm(&p) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Dual;

    /// The plain loop (for types the crates do not multiply) and the crates'
    /// kernels give the same product, accumulate with beta = 1, and with
    /// beta = 0 write c without reading it (c starts as NaN).
    #[test]
    fn every_element_type_multiplies_alike_and_writes_c_unread_when_beta_is_zero() {
        let (m, k, n) = (3, 4, 5);
        let a: Vec<f64> = (0..m * k).map(|i| (i % 5) as f64 - 2.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i % 3) as f64 + 0.5).collect();
        // a read transposed: its k×m buffer through strides (1, k)
        let at: Vec<f64> = (0..k * m).map(|i| a[(i % m) * k + i / m]).collect();
        for beta in [0.0, 1.0] {
            let c0: Vec<f64> = (0..m * n)
                .map(|i| if beta == 0.0 { f64::NAN } else { i as f64 })
                .collect();
            let mut c = c0.clone();
            bench_gemm((m, k, n), 2.0, &at, (1, m), &b, (n, 1), beta, &mut c);
            let dual = |v: &[f64]| v.iter().map(|&x| Dual::new(x, 0.0)).collect::<Vec<_>>();
            let mut cd = dual(&c0);
            let (ad, bd) = (dual(&at), dual(&b));
            bench_gemm(
                (m, k, n),
                Dual::new(2.0, 0.0),
                &ad,
                (1, m),
                &bd,
                (n, 1),
                Dual::new(beta, 0.0),
                &mut cd,
            );
            for i in 0..m {
                for j in 0..n {
                    let s: f64 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                    let want = 2.0 * s + if beta == 0.0 { 0.0 } else { c0[i * n + j] };
                    assert_eq!(c[i * n + j], want, "f64 ({i}, {j}), beta {beta}");
                    assert_eq!(cd[i * n + j].re, want, "Dual ({i}, {j}), beta {beta}");
                }
            }
        }
    }

    #[test]
    #[should_panic(
        expected = "bench_gemm: b (4×5, strides (5, 1)) reaches element 19, found 19 elements"
    )]
    fn bench_gemm_refuses_an_operand_shorter_than_its_strides_reach() {
        let (a, b, mut c) = (vec![1.0f32; 12], vec![1.0f32; 19], vec![0.0f32; 15]);
        bench_gemm((3, 4, 5), 1.0, &a, (4, 1), &b, (5, 1), 0.0, &mut c);
    }
}
