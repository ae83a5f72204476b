//! The two crates' kernels for `f32` and `f64`, and the split of a large
//! product into blocks of output for the helper threads (see the notes of
//! [`crate::gemm`]).

use super::{kernel_for, thin, Kernel, Part, PARALLEL_MIN_MACS};
use crate::parallel;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `matrixmultiply`'s `sgemm`/`dgemm`: (m, k, n, alpha, a, rsa, csa, b, rsb,
/// csb, beta, c, rsc, csc), BLAS's convention; c is not read when beta is 0.
type MmKernel<T> = unsafe fn(
    usize,
    usize,
    usize,
    T,
    *const T,
    isize,
    isize,
    *const T,
    isize,
    isize,
    T,
    *mut T,
    isize,
    isize,
);

/// An element type both crates multiply.
pub(crate) trait Elem: Copy + PartialEq + Send + Sync + 'static {
    const ZERO: Self;
    /// `matrixmultiply`'s kernel for this type.
    const MM: MmKernel<Self>;
    /// The product as an `f32` one, for the thin kernel (`None` for `f64`).
    fn as_f32(p: &Part<Self>) -> Option<&Part<f32>>;
}
impl Elem for f32 {
    const ZERO: Self = 0.0;
    const MM: MmKernel<Self> = matrixmultiply::sgemm;
    fn as_f32(p: &Part<Self>) -> Option<&Part<f32>> {
        Some(p)
    }
}
impl Elem for f64 {
    const ZERO: Self = 0.0;
    const MM: MmKernel<Self> = matrixmultiply::dgemm;
    fn as_f32(_: &Part<Self>) -> Option<&Part<f32>> {
        None
    }
}

impl<T: Elem> Part<T> {
    /// Runs the block on this thread with a one-thread kernel.
    ///
    /// # Safety
    /// As [`product`]: every index reachable through the dimensions and strides
    /// lies inside its buffer, and c overlaps neither a nor b.
    unsafe fn run(&self) {
        if self.m == 0 || self.n == 0 {
            return;
        }
        // the thin kernel writes rows of c with contiguous columns
        let thin_part = T::as_f32(self).filter(|p| p.csc == 1);
        match (
            kernel_for(self.m, self.k, self.n, self.csb != 1, thin_part.is_some()),
            thin_part,
        ) {
            // SAFETY: kernel_for checked the CPU and the shape (a
            // transposed b of at most thin::PACK_K rows), csc is 1, and the
            // caller keeps the indices inside the buffers
            (Kernel::Thin, Some(p)) => return unsafe { thin::product(p) },
            (Kernel::Matrixmultiply, _) => {
                return (T::MM)(
                    self.m, self.k, self.n, self.alpha, self.a, self.rsa, self.csa, self.b,
                    self.rsb, self.csb, self.beta, self.c, self.rsc, self.csc,
                )
            }
            _ => {}
        }
        // the gemm crate's convention: dst = alpha·dst + beta·lhs·rhs, dst not
        // read (and alpha ignored) when read_dst is false
        gemm::gemm(
            self.m,
            self.n,
            self.k,
            self.c,
            self.csc,
            self.rsc,
            self.beta != T::ZERO,
            self.a,
            self.csa,
            self.rsa,
            self.b,
            self.csb,
            self.rsb,
            self.beta,
            self.alpha,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }

    /// Block `i` of `parts` along the longer of c's two sides, cut at
    /// multiples of 16 (the kernels' tile sizes divide it).
    fn block(&self, i: usize, parts: usize) -> Part<T> {
        let along_n = self.n >= self.m;
        let len = if along_n { self.n } else { self.m };
        let step = len.div_ceil(parts).div_ceil(16) * 16;
        let (start, end) = ((i * step).min(len), ((i + 1) * step).min(len));
        let mut p = *self;
        // SAFETY (of the offsets, used only when the block is run): start
        // is at most len, so the moved pointers stay inside (or one past)
        // the operands' extents along that side.
        if along_n {
            p.n = end - start;
            p.b = self.b.wrapping_offset(start as isize * self.csb);
            p.c = self.c.wrapping_offset(start as isize * self.csc);
        } else {
            p.m = end - start;
            p.a = self.a.wrapping_offset(start as isize * self.rsa);
            p.c = self.c.wrapping_offset(start as isize * self.rsc);
        }
        p
    }
}

/// Blocks per thread: with two each, a thread that falls behind on its
/// first block leaves its second to the others.
const BLOCKS_PER_THREAD: usize = 2;

/// At most this many blocks (threads × [`BLOCKS_PER_THREAD`]).
const MAX_BLOCKS: usize = 16;

/// The blocks of one product and the counter that hands them out.
struct Blocks<T> {
    parts: [Part<T>; MAX_BLOCKS],
    count: usize,
    next: AtomicUsize,
}

// SAFETY: the blocks are disjoint tiles of one product's output; each is
// run by exactly one thread (the counter hands it out once), and the
// operands are only read.
unsafe impl<T: Elem> Sync for Blocks<T> {}

impl<T: Elem> Blocks<T> {
    /// Takes and runs blocks until none is left.
    ///
    /// # Safety
    /// As [`Part::run`], for every block.
    unsafe fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.count {
                return;
            }
            self.parts[i].run();
        }
    }
}

/// `whole` (c = alpha·a·b + beta·c, BLAS's convention) for f32 or f64: on
/// this thread when it is small, in blocks on the helpers too when it is
/// large. c is not read when beta is 0.
///
/// # Safety
/// Every index reachable through the dimensions and strides must lie inside
/// its buffer, and c must not overlap a or b.
#[inline]
pub(super) unsafe fn product<T: Elem>(whole: &Part<T>) {
    let (m, k, n) = (whole.m, whole.k, whole.n);
    if m.saturating_mul(k).saturating_mul(n) < PARALLEL_MIN_MACS || parallel::threads() < 2 {
        return whole.run();
    }
    split(whole);
}

/// Runs `whole` in blocks, on this thread and the helpers.
#[cold]
unsafe fn split<T: Elem>(whole: &Part<T>) {
    let threads = parallel::threads().min(MAX_BLOCKS / BLOCKS_PER_THREAD);
    let count = threads * BLOCKS_PER_THREAD;
    let blocks = Blocks {
        parts: std::array::from_fn(|i| whole.block(i, count)),
        count,
        next: AtomicUsize::new(0),
    };
    // SAFETY: the blocks tile `whole`, whose buffers the caller keeps valid
    // (and c unaliased) until `broadcast` returns
    parallel::broadcast(&|| unsafe { blocks.work() });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::THIN_SIDE;

    /// The product c = alpha·a·b + beta·c of m×k and k×n operands with the
    /// given (row, column) strides, into a row-major m×n c.
    #[allow(clippy::too_many_arguments)]
    fn part(
        m: usize,
        k: usize,
        n: usize,
        alpha: f64,
        a: *const f64,
        (rsa, csa): (isize, isize),
        b: *const f64,
        (rsb, csb): (isize, isize),
        beta: f64,
        c: *mut f64,
    ) -> Part<f64> {
        Part {
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
            rsc: n as isize,
            csc: 1,
        }
    }

    /// The plain triple loop, for checking.
    fn reference(m: usize, k: usize, n: usize, a: &[f64], b: &[f64], ta: bool) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for p in 0..k {
                    let aip = if ta { a[p * m + i] } else { a[i * k + p] };
                    s += aip * b[p * n + j];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    #[test]
    fn split_products_equal_the_triple_loop() {
        // large enough to be split, with sides that are not multiples of 16
        for &(m, k, n, ta) in &[
            (130, 300, 150, false),
            (301, 120, 117, true),
            (40, 800, 170, false),
        ] {
            let a: Vec<f64> = (0..m * k).map(|i| ((i * 7) % 13) as f64 - 6.0).collect();
            let b: Vec<f64> = (0..k * n).map(|i| ((i * 5) % 11) as f64 - 5.0).collect();
            let want = reference(m, k, n, &a, &b, ta);
            let (rsa, csa) = if ta { (1, m as isize) } else { (k as isize, 1) };
            for parts in 1..=3 {
                let mut c = vec![f64::NAN; m * n];
                let whole = part(
                    m,
                    k,
                    n,
                    1.0,
                    a.as_ptr(),
                    (rsa, csa),
                    b.as_ptr(),
                    (n as isize, 1),
                    0.0,
                    c.as_mut_ptr(),
                );
                for i in 0..parts {
                    // SAFETY: the blocks tile the product inside the buffers
                    unsafe { whole.block(i, parts).run() };
                }
                assert_eq!(c, want, "{m}x{k}x{n} in {parts} blocks");
            }
            // and through the public entry, on the helpers
            let mut c = vec![f64::NAN; m * n];
            // SAFETY: row-major buffers of the right sizes
            unsafe {
                split(&part(
                    m,
                    k,
                    n,
                    1.0,
                    a.as_ptr(),
                    (rsa, csa),
                    b.as_ptr(),
                    (n as isize, 1),
                    0.0,
                    c.as_mut_ptr(),
                ))
            };
            assert_eq!(c, want, "{m}x{k}x{n} split over the helpers");
        }
    }

    #[test]
    fn both_kernels_scale_and_accumulate_like_blas() {
        // c = 2·a·b + beta·c with a transposed, b read plainly or transposed,
        // beta 1 (accumulate) or 0 (c holds NaN and must not be read); the
        // shapes reach both crates on every CPU
        let mut crates = std::collections::BTreeSet::new();
        for &(m, k, n) in &[(10, 70, 30), (THIN_SIDE, 90, THIN_SIDE + 3)] {
            for tb in [false, true] {
                for beta in [1.0, 0.0] {
                    // the f64 kernel (the thin one is f32's only)
                    crates.insert(format!("{:?}", kernel_for(m, k, n, tb, false)));
                    let a: Vec<f64> = (0..m * k).map(|i| ((i * 3) % 7) as f64 - 3.0).collect();
                    let b: Vec<f64> = (0..k * n).map(|i| ((i * 5) % 9) as f64 - 4.0).collect();
                    // b holds the k×n matrix row-major, or its transpose
                    let b_plain: Vec<f64> = if tb {
                        (0..k * n).map(|i| b[(i % n) * k + i / n]).collect()
                    } else {
                        b.clone()
                    };
                    let prod = reference(m, k, n, &a, &b_plain, true);
                    let c0: Vec<f64> = (0..m * n)
                        .map(|i| {
                            if beta == 0.0 {
                                f64::NAN
                            } else {
                                (i % 4) as f64
                            }
                        })
                        .collect();
                    let want: Vec<f64> = prod
                        .iter()
                        .zip(&c0)
                        .map(|(p, c)| if beta == 0.0 { 2.0 * p } else { 2.0 * p + c })
                        .collect();
                    let mut c = c0.clone();
                    let (rsb, csb) = if tb { (1, k as isize) } else { (n as isize, 1) };
                    let p = part(
                        m,
                        k,
                        n,
                        2.0,
                        a.as_ptr(),
                        (1, m as isize),
                        b.as_ptr(),
                        (rsb, csb),
                        beta,
                        c.as_mut_ptr(),
                    );
                    // SAFETY: the buffers hold the strided matrices
                    unsafe { p.run() };
                    assert_eq!(c, want, "{m}x{k}x{n}, b transposed {tb}, beta {beta}");
                }
            }
        }
        assert_eq!(crates.len(), 2, "both crates exercised: {crates:?}");
    }

    #[test]
    fn concurrent_callers_share_the_helpers_safely() {
        let (m, k, n) = (256, 128, 200);
        let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64).collect();
        let want = reference(m, k, n, &a, &b, false);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..5 {
                        let mut c = vec![0.0; m * n];
                        // SAFETY: row-major buffers of the right sizes
                        unsafe {
                            split(&part(
                                m,
                                k,
                                n,
                                1.0,
                                a.as_ptr(),
                                (k as isize, 1),
                                b.as_ptr(),
                                (n as isize, 1),
                                0.0,
                                c.as_mut_ptr(),
                            ))
                        };
                        assert_eq!(c, want);
                    }
                });
            }
        });
    }
}
