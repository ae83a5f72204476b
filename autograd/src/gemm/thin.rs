//! xiaolan's own kernel for thin `f32` products: one side of at most
//! [`THIN_KERNEL_SIDE`] and at most [`THIN_KERNEL_MAX_MACS`] multiply-adds,
//! the products of a batch-10 network (Nielsen's 784-30-10: 10×784·784×30,
//! 784×10·10×30, …), where the crates' packing and edge handling cost more
//! than the arithmetic.
//!
//! AVX2 + FMA, register-blocked, without packing a or c: c is cut into
//! tiles of up to 32 columns (four 8-lane vectors; when n is not a multiple
//! of 8 the last vector ends on the tile's last column and overlaps the one
//! before it, since masked loads inside the k loop halved the speed on Zen 1;
//! only a tile under 8 columns is masked) and a few rows (more rows for narrower tiles,
//! up to 12 accumulators); for each k, a tile loads its row of b once and
//! broadcasts one element of a per row, so x·W (m = 10) broadcasts x and
//! streams W's rows, and xᵀ·dy (k = 10) streams x along its rows. b is read
//! in place when its rows are contiguous; when it is read transposed (dy·Wᵀ)
//! each tile's 32 columns are gathered once into a panel on the stack (k at
//! most [`PACK_K`]). c is written with alpha and beta (BLAS's convention),
//! and not read when beta is 0.
//!
//! Chosen by `cargo bench -p xiaolan-autograd --bench gemm_crates`, which
//! times it beside both crates on every product of a training step.

use super::Part;

/// A product goes to the thin kernel when its shortest side is at most
/// this (and it is small, see [`THIN_KERNEL_MAX_MACS`]).
pub const THIN_KERNEL_SIDE: usize = 16;

/// The most multiply-adds (m·k·n) of a product the thin kernel takes:
/// above it (a 256×512·512×10 output layer, 1.3M) the crates keep their
/// products.
pub const THIN_KERNEL_MAX_MACS: usize = 1 << 20;

/// The most rows of a transposed b the kernel gathers into its panel.
pub(crate) const PACK_K: usize = 64;

/// Columns of c per tile: four 8-lane vectors.
const TILE_N: usize = 32;

/// Whether an m×k·k×n `f32` product is thin enough for the thin kernel to
/// beat the crates on it (the benchmark's verdict, see the module notes).
pub(crate) fn is_thin(m: usize, k: usize, n: usize) -> bool {
    m.min(k).min(n) <= THIN_KERNEL_SIDE
        && m.saturating_mul(k).saturating_mul(n) <= THIN_KERNEL_MAX_MACS
}

/// Whether the thin kernel can run a product with k rows of b, read
/// transposed or not, on this CPU (AVX2 and FMA; std caches the answer).
pub(crate) fn can_run(k: usize, b_transposed: bool) -> bool {
    (!b_transposed || k <= PACK_K) && available()
}

/// Whether this CPU has AVX2 and FMA.
fn available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Runs `p` on the thin kernel.
///
/// # Safety
/// [`can_run`] must be true of the product, `p.csc` must be 1, every index reachable through
/// the dimensions and strides must lie inside its buffer, and c must not
/// overlap a or b.
pub(crate) unsafe fn product(p: &Part<f32>) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: the caller checked the CPU and the operands
        unsafe { avx2::product(p) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = p;
        unreachable!("the thin kernel runs only on x86-64 with AVX2 and FMA")
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Part, PACK_K, TILE_N};
    use std::arch::x86_64::*;
    use std::mem::MaybeUninit;

    /// f32 lanes of a vector.
    const LANES: usize = 8;

    /// Rows of a tile of `nv` vectors: up to 12 accumulators, leaving
    /// registers for the row of b and the broadcasts of a.
    const fn rows_per_tile(nv: usize) -> usize {
        match nv {
            4 => 2,
            3 => 3,
            2 => 6,
            _ => 8,
        }
    }

    /// One tile: rows of a from `a`, its panel of b from `b` (row stride
    /// `rsb`, columns contiguous), its block of c at `c`.
    #[derive(Clone, Copy)]
    struct Tile {
        k: usize,
        alpha: f32,
        beta: f32,
        a: *const f32,
        rsa: isize,
        csa: isize,
        b: *const f32,
        rsb: isize,
        c: *mut f32,
        rsc: isize,
        /// The column of the last vector: w - 8 for a tile w columns wide
        /// (0 when `MASKED`).
        last: usize,
        /// The lanes of a `MASKED` tile's one vector inside c.
        mask: __m256i,
    }

    /// See [`super::product`].
    ///
    /// # Safety
    /// As [`super::product`].
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn product(p: &Part<f32>) {
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
            ..
        } = *p;
        let mut panel = [MaybeUninit::<f32>::uninit(); PACK_K * TILE_N];
        // tiles of near-equal widths, so that each has at least 8 columns
        // when n does (30 columns in one tile, 40 in 20 + 20)
        let col_tiles = n.div_ceil(TILE_N);
        for u in 0..col_tiles {
            let (j0, j1) = (u * n / col_tiles, (u + 1) * n / col_tiles);
            let w = j1 - j0;
            let nv = w.div_ceil(LANES);
            // the last vector ends at the tile's last column: it overlaps
            // the one before when w is not a multiple of 8 (the lanes they
            // share get the same sums), or is masked when w < 8
            let masked = w < LANES;
            let last = if masked { 0 } else { w - LANES };
            let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
            let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(w as i32), lanes);
            let (bt, rsbt) = if csb == 1 {
                // SAFETY: j0 < n, a column of b
                (unsafe { b.add(j0) }, rsb)
            } else {
                // the tile's columns of b, row by row (read column by
                // column: contiguous when b is a transposed row-major matrix)
                assert!(k <= PACK_K, "a transposed b of {k} rows");
                let dst = panel.as_mut_ptr().cast::<f32>();
                for j in 0..w {
                    // SAFETY: j0 + j < n, a column of b
                    let src = unsafe { b.offset((j0 + j) as isize * csb) };
                    for p in 0..k {
                        // SAFETY: p < k indexes the column, and p·w + j <
                        // k·w ≤ PACK_K·TILE_N the panel
                        unsafe { dst.add(p * w + j).write(*src.offset(p as isize * rsb)) };
                    }
                }
                (dst.cast_const(), w as isize)
            };
            // tiles of near-equal numbers of rows (10 rows in 3 + 3 + 2 + 2,
            // not 3 + 3 + 3 + 1): the first `extra` of base + 1 rows
            let tiles = m.div_ceil(rows_per_tile(nv));
            let (base, extra) = (m / tiles, m % tiles);
            let mut i0 = 0;
            for (rows, count) in [(base + 1, extra), (base, tiles - extra)] {
                if count == 0 {
                    continue;
                }
                let tile = Tile {
                    k,
                    alpha,
                    beta,
                    // SAFETY: i0 < m, a row of a and of c
                    a: unsafe { a.offset(i0 as isize * rsa) },
                    rsa,
                    csa,
                    b: bt,
                    rsb: rsbt,
                    // SAFETY: as above, and j0 < n
                    c: unsafe { c.offset(i0 as isize * rsc + j0 as isize) },
                    rsc,
                    last,
                    mask,
                };
                // SAFETY: the `count` tiles of `rows` rows from i0 and w
                // columns (nv vectors, the last one at `last`, or masked to
                // w) lie inside a, the panel of b, and c
                unsafe { dispatch(rows, count, nv, masked, &tile) }
                i0 += rows * count;
            }
        }
    }

    /// Runs `count` tiles of `rows` rows and `nv` vectors, one below the
    /// other from `t`, with the monomorphised tile.
    ///
    /// # Safety
    /// As [`tiles`]; rows is at most [`rows_per_tile`] of nv, nv 1 to 4,
    /// and nv is 1 when `masked`.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn dispatch(rows: usize, count: usize, nv: usize, masked: bool, t: &Tile) {
        macro_rules! arms {
            ($nv:literal, $masked:literal; $($r:literal)*) => {
                match rows {
                    $(
                        // SAFETY: as this function's
                        $r => unsafe { tiles::<$r, $nv, $masked>(t, count) },
                    )*
                    _ => unreachable!("{rows} rows of {} vectors", $nv),
                }
            };
        }
        match (nv, masked) {
            (4, _) => arms!(4, false; 1 2),
            (3, _) => arms!(3, false; 1 2 3),
            (2, _) => arms!(2, false; 1 2 3 4 5 6),
            (_, false) => arms!(1, false; 1 2 3 4 5 6 7 8),
            (_, true) => arms!(1, true; 1 2 3 4 5 6 7 8),
        }
    }

    /// `count` tiles of R rows, one below the other from `t`.
    ///
    /// # Safety
    /// As [`tile`], for each of the tiles.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tiles<const R: usize, const NV: usize, const MASKED: bool>(t: &Tile, count: usize) {
        let mut t = *t;
        for _ in 0..count {
            // SAFETY: as this function's
            unsafe { tile::<R, NV, MASKED>(&t) };
            t.a = t.a.wrapping_offset(R as isize * t.rsa);
            t.c = t.c.wrapping_offset(R as isize * t.rsc);
        }
    }

    /// R rows × NV vectors of c: the sum over k of a's column (broadcast)
    /// times b's row, then c = alpha·sum + beta·c (c not read when beta is
    /// 0). Vector v covers columns 8v to 8v + 8, the last one `t.last` to
    /// `t.last` + 8; a row's old values are all read before any is written,
    /// so that overlapping vectors (whose shared lanes hold the same sums)
    /// scale each old value once. With `MASKED` (NV = 1), b and c are read
    /// and written only in the lanes of `t.mask`.
    ///
    /// # Safety
    /// Every element of a, b and c the tile reaches (rows 0..R, the k
    /// products, the vectors' columns but masked-off lanes) must lie inside
    /// its buffer; c must not overlap a or b.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile<const R: usize, const NV: usize, const MASKED: bool>(t: &Tile) {
        let col = |v: usize| if v == NV - 1 { t.last } else { v * LANES };
        let mut acc = [[_mm256_setzero_ps(); NV]; R];
        let (mut ap, mut bp) = (t.a, t.b);
        for _ in 0..t.k {
            let mut bv = [_mm256_setzero_ps(); NV];
            for (v, x) in bv.iter_mut().enumerate() {
                // SAFETY: the tile's row of b (masked-off lanes not read)
                *x = unsafe {
                    if MASKED {
                        _mm256_maskload_ps(bp, t.mask)
                    } else {
                        _mm256_loadu_ps(bp.add(col(v)))
                    }
                };
            }
            for (r, row) in acc.iter_mut().enumerate() {
                // SAFETY: row r of the tile's column of a
                let x = _mm256_set1_ps(unsafe { *ap.offset(r as isize * t.rsa) });
                for (s, &y) in row.iter_mut().zip(&bv) {
                    *s = _mm256_fmadd_ps(x, y, *s);
                }
            }
            ap = ap.wrapping_offset(t.csa);
            bp = bp.wrapping_offset(t.rsb);
        }
        let alpha = _mm256_set1_ps(t.alpha);
        let beta = _mm256_set1_ps(t.beta);
        for (r, row) in acc.iter().enumerate() {
            // SAFETY: row r of the tile's block of c
            let cr = unsafe { t.c.offset(r as isize * t.rsc) };
            let mut y = [_mm256_setzero_ps(); NV];
            for (v, (y, &s)) in y.iter_mut().zip(row).enumerate() {
                // (alpha is 1 in most of a step's products)
                *y = if t.alpha == 1.0 {
                    s
                } else {
                    _mm256_mul_ps(alpha, s)
                };
                // with beta = 0, c is written without being read
                if t.beta != 0.0 {
                    // SAFETY: the tile's vector v of row r (masked-off
                    // lanes not read)
                    let old = unsafe {
                        if MASKED {
                            _mm256_maskload_ps(cr, t.mask)
                        } else {
                            _mm256_loadu_ps(cr.add(col(v)))
                        }
                    };
                    *y = _mm256_fmadd_ps(beta, old, *y);
                }
            }
            for (v, &y) in y.iter().enumerate() {
                // SAFETY: as above (masked-off lanes not written)
                unsafe {
                    if MASKED {
                        _mm256_maskstore_ps(cr, t.mask, y)
                    } else {
                        _mm256_storeu_ps(cr.add(col(v)), y)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gemm::{gemm_crate_for, kernel_for, Kernel};

    /// A matrix of `rows`×`cols` in a buffer with strides (rs, cs): padded
    /// rows, or stored transposed; the padding holds NaN, which must never
    /// reach c.
    fn strided(rows: usize, cols: usize, layout: u8, seed: usize) -> (Vec<f32>, isize, isize) {
        let (rs, cs, len) = match layout {
            0 => (cols, 1, rows * cols),
            1 => (1, rows, rows * cols),
            // rows padded by 3
            _ => (cols + 3, 1, rows * (cols + 3)),
        };
        let mut buf = vec![f32::NAN; len];
        for i in 0..rows {
            for j in 0..cols {
                let x = ((i * 31 + j * 17 + seed) % 23) as f32 / 7.0 - 1.5;
                buf[i * rs + j * cs] = x;
            }
        }
        (buf, rs as isize, cs as isize)
    }

    /// The thin kernel against the fixed-order loop on f32, within f32
    /// rounding for sums of k products: many shapes (m = 1, k = 0 and 1,
    /// n not a multiple of 8, widths above one tile), a and b plain,
    /// transposed or with padded rows, alpha and beta (beta = 0 with a c of
    /// NaN, which must not be read).
    #[test]
    fn the_thin_kernel_matches_the_fixed_order_loop() {
        if !can_run(1, false) {
            eprintln!("skipped: this CPU lacks AVX2 or FMA");
            return;
        }
        let sides = [1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 30, 33, 64, 70];
        let mut checked = 0;
        for &m in &sides {
            for &k in &[0, 1, 2, 10, 17, 64, 100] {
                for &n in &sides {
                    for layout in 0..9u8 {
                        let (la, lb) = (layout % 3, layout / 3);
                        if lb == 1 && !can_run(k, true) {
                            continue;
                        }
                        let (a, rsa, csa) = strided(m, k, la, 1);
                        let (b, rsb, csb) = strided(k, n, lb, 2);
                        for &(alpha, beta) in &[(1.0, 0.0), (-0.5, 1.0), (2.0, 0.25)] {
                            let c0: Vec<f32> = (0..m * n)
                                .map(|i| {
                                    if beta == 0.0 {
                                        f32::NAN
                                    } else {
                                        (i % 5) as f32 - 2.0
                                    }
                                })
                                .collect();
                            let part = |c: &mut Vec<f32>| Part {
                                m,
                                k,
                                n,
                                alpha,
                                a: a.as_ptr(),
                                rsa,
                                csa,
                                b: b.as_ptr(),
                                rsb,
                                csb,
                                beta,
                                c: c.as_mut_ptr(),
                                rsc: n as isize,
                                csc: 1,
                            };
                            let (mut want, mut got) = (c0.clone(), c0.clone());
                            // SAFETY: the buffers hold the strided matrices
                            unsafe {
                                part(&mut want).ordered();
                                product(&part(&mut got));
                            }
                            for i in 0..m {
                                for j in 0..n {
                                    // the size of the terms, for the tolerance
                                    let mut size = 0f64;
                                    for p in 0..k {
                                        let x = a[(i as isize * rsa + p as isize * csa) as usize];
                                        let y = b[(p as isize * rsb + j as isize * csb) as usize];
                                        size += (x as f64 * y as f64).abs();
                                    }
                                    let old = if beta == 0.0 { 0.0 } else { c0[i * n + j] };
                                    let size =
                                        alpha.abs() as f64 * size + (beta * old).abs() as f64;
                                    let tol = 2.0 * f32::EPSILON as f64 * (k + 2) as f64 * size;
                                    let (g, w) = (got[i * n + j] as f64, want[i * n + j] as f64);
                                    assert!(
                                        (g - w).abs() <= tol,
                                        "{m}×{k}×{n}, layouts {la} {lb}, alpha {alpha}, beta {beta}: c[{i}, {j}] = {g}, want {w}"
                                    );
                                }
                            }
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 10_000, "{checked} products");
    }

    /// The five products of a 784-30-10 step at batch 10 go to the thin
    /// kernel on a CPU with AVX2 and FMA, and the wide network's (a
    /// 256×512·512×10 output layer, 256×10·10×512) stay with the crates.
    #[test]
    fn the_thin_products_and_only_they_take_the_thin_kernel() {
        let nielsen = [
            (10, 784, 30, false),
            (10, 30, 10, false),
            (784, 10, 30, false),
        ];
        let nielsen_t = [(30, 10, 10, false), (10, 10, 30, true)];
        for &(m, k, n, tb) in nielsen.iter().chain(&nielsen_t) {
            let want = if can_run(k, tb) { "thin" } else { "gemm" };
            assert_eq!(gemm_crate_for(m, k, n, tb), want, "{m}×{k}×{n}");
            // never for f64, nor with c's columns strided
            assert_ne!(kernel_for(m, k, n, tb, false), Kernel::Thin);
        }
        for &(m, k, n, tb) in &[
            (256, 512, 10, false),
            (512, 256, 10, false),
            (256, 10, 512, true),
        ] {
            assert_eq!(gemm_crate_for(m, k, n, tb), "gemm", "{m}×{k}×{n}");
        }
        // a transposed b of more than PACK_K rows cannot be packed
        assert!(!can_run(PACK_K + 1, true));
    }
}
