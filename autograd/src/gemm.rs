//! Matrix products: the `gemm` crate's kernels for `f32` and `f64`, on
//! several cores when the product is large enough to pay for them.
//!
//! The crate was chosen by benchmark on the shapes xiaolan trains (2-core
//! Zen 3, AVX2): against `matrixmultiply` 0.3 it is 1.7× faster on the
//! 10×784·784×30 product of Nielsen's network (one core) and reaches 105 to
//! 130 GFLOP/s on the 784-512-512-10 network's products on two cores, where
//! `matrixmultiply`'s own threading gives 65 to 118 (docs/performance.md).
//!
//! A product of fewer than [`PARALLEL_MIN_MACS`] multiply-adds runs on the
//! calling thread: waking a second core costs more than it saves there (and
//! a batch-10 network's products are all far below it). Larger ones use up
//! to [`max_threads`] threads of rayon's global pool.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Products with at least this many multiply-adds (m·k·n) may use several
/// threads: about 0.1 ms of work for one core.
pub const PARALLEL_MIN_MACS: usize = 4 << 20;

/// 0: as many threads as rayon's pool has.
static MAX_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Limits the threads a large matrix product may use (`0`, the default, means
/// every thread of rayon's global pool: one per core, or `RAYON_NUM_THREADS`).
/// `set_max_threads(1)` keeps every product on the calling thread.
///
/// ```
/// autograd::set_max_threads(1);
/// assert_eq!(autograd::max_threads(), 1);
/// autograd::set_max_threads(0);
/// assert!(autograd::max_threads() >= 1);
/// ```
pub fn set_max_threads(n: usize) {
    MAX_THREADS.store(n, Ordering::Relaxed);
}

/// The number of threads a large matrix product uses (see [`set_max_threads`]).
pub fn max_threads() -> usize {
    match MAX_THREADS.load(Ordering::Relaxed) {
        0 => rayon::current_num_threads().max(1),
        n => n.min(rayon::current_num_threads()).max(1),
    }
}

/// c = alpha·a·b + beta·c for f32 or f64 (BLAS's convention), with the
/// operands' row and column strides; c is not read when beta is 0.
///
/// # Safety
/// Every index reachable through the dimensions and strides must lie inside
/// its buffer, and c must not overlap a or b.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) unsafe fn gemm<T: Copy + PartialEq + 'static>(
    m: usize,
    k: usize,
    n: usize,
    alpha: T,
    a: *const T,
    rsa: isize,
    csa: isize,
    b: *const T,
    rsb: isize,
    csb: isize,
    beta: T,
    zero: T,
    c: *mut T,
    rsc: isize,
    csc: isize,
) {
    let threads = if m.saturating_mul(k).saturating_mul(n) >= PARALLEL_MIN_MACS {
        max_threads()
    } else {
        1
    };
    let parallelism = if threads > 1 {
        gemm::Parallelism::Rayon(threads)
    } else {
        gemm::Parallelism::None
    };
    // the crate's convention: dst = alpha·dst + beta·lhs·rhs, dst not read
    // (and alpha ignored) when read_dst is false
    gemm::gemm(
        m,
        n,
        k,
        c,
        csc,
        rsc,
        beta != zero,
        a,
        csa,
        rsa,
        b,
        csb,
        rsb,
        beta,
        alpha,
        false,
        false,
        false,
        parallelism,
    );
}
