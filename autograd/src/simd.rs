//! Running a loop with the CPU's wider vector instructions.
//!
//! The crate is compiled for the baseline of its target (SSE2 on x86-64),
//! so a plain element-wise loop is vectorised four `f32` at a time. On a CPU
//! with AVX2 the same loop, compiled a second time inside a function that
//! enables AVX2, handles eight. [`fast`] picks that copy at run time (one
//! cached feature check). Only the instruction width changes: no fused
//! multiply-add is enabled, so every result is bit-for-bit the one of the
//! baseline loop, on every machine.

/// Runs `f`, compiled with AVX2 enabled when the CPU has it.
///
/// `f` and what it calls inline are compiled twice (baseline and AVX2);
/// keep it to a loop over slices.
#[inline(always)]
pub(crate) fn fast<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            #[target_feature(enable = "avx2")]
            #[inline]
            unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
                f()
            }
            // SAFETY: the CPU has AVX2 (checked just above).
            return unsafe { avx2(f) };
        }
    }
    f()
}
