//! Flush-to-zero for `f32` training: no subnormal numbers, no stalls.
//!
//! As a sigmoid network saturates, its `f32` gradients shrink below
//! `f32::MIN_POSITIVE` (1.2e-38) into the subnormal range, and many CPUs
//! take a slow microcode path for every operation that reads or writes
//! one: Nielsen's 784-30-10 ran its 30th epoch 47% slower than its first
//! on a Sapphire Rapids core, for nothing (the flushed run printed the same
//! accuracies). The CPU's flush-to-zero (FTZ: a subnormal result becomes
//! 0) and denormals-are-zero (DAZ: a subnormal input is read as 0) modes
//! remove those stalls.
//!
//! [`FlushSubnormals`] sets both modes on the calling thread and restores
//! the previous ones when dropped; the engine's helper threads run each
//! piece of shared work under the mode of the thread that handed it out,
//! so a product or pass split over the cores flushes on every core. The
//! modes are the SSE control register (MXCSR) of x86-64; on other targets
//! the guard does nothing.
//!
//! Training (`nn`'s training step) flushes for element types whose
//! [`Real::FLUSH_SUBNORMALS_IN_TRAINING`] is true: `f32` only. `f64` (the
//! course's numbers, the Playground, the gradient checks) keeps IEEE
//! arithmetic, subnormals included, bit for bit. The environment variable
//! [`ENV_VAR`] set to `keep` turns the flushing off for a whole process;
//! `nn`'s `Trainer::flush_subnormals(false)` turns it off for one run.

use crate::Real;
use std::sync::OnceLock;

/// The environment variable that says what `f32` training does with
/// subnormal numbers: `flush` (the default: flush to zero) or `keep`
/// (IEEE arithmetic).
pub const ENV_VAR: &str = "XIAOLAN_SUBNORMALS";

/// MXCSR's flush-to-zero (bit 15) and denormals-are-zero (bit 6) bits.
#[cfg(target_arch = "x86_64")]
const FTZ_DAZ: u32 = (1 << 15) | (1 << 6);

/// The calling thread's floating-point control word (MXCSR on x86-64, 0
/// elsewhere).
#[inline]
pub(crate) fn control() -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        let mut word = 0u32;
        // SAFETY: stmxcsr stores the 32-bit MXCSR into the given location,
        // which is a local u32; it changes nothing else.
        unsafe {
            std::arch::asm!(
                "stmxcsr [{}]",
                in(reg) &mut word,
                options(nostack, preserves_flags)
            )
        };
        word
    }
    #[cfg(not(target_arch = "x86_64"))]
    0
}

/// Sets the calling thread's floating-point control word to one that
/// [`control`] returned (on this or another thread of the process).
#[inline]
pub(crate) fn set_control(word: u32) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `word` was read from MXCSR by `control`, so its reserved bits
    // are zero and ldmxcsr cannot fault; only the rounding, exception-mask
    // and flush modes of this thread change.
    unsafe {
        std::arch::asm!(
            "ldmxcsr [{}]",
            in(reg) &word,
            options(nostack, preserves_flags, readonly)
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = word;
}

/// Whether flush-to-zero and denormals-are-zero are both in force on the
/// calling thread (always false where the guard does nothing).
///
/// ```
/// use autograd::{subnormals_flushed, FlushSubnormals};
/// assert!(!subnormals_flushed());
/// {
///     let _flush = FlushSubnormals::new();
///     assert_eq!(subnormals_flushed(), cfg!(target_arch = "x86_64"));
/// }
/// assert!(!subnormals_flushed());
/// ```
pub fn subnormals_flushed() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        control() & FTZ_DAZ == FTZ_DAZ
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

/// Flush-to-zero and denormals-are-zero on the calling thread, from
/// [`FlushSubnormals::new`] until the guard is dropped, which restores the
/// modes it found (see the [module notes](self)). Work the engine splits
/// over its helper threads meanwhile runs flushed there too.
///
/// ```
/// use autograd::FlushSubnormals;
/// let tiny = std::hint::black_box(f32::MIN_POSITIVE);
/// {
///     let _flush = FlushSubnormals::new();
///     let half = std::hint::black_box(tiny) * std::hint::black_box(0.5f32);
///     if cfg!(target_arch = "x86_64") {
///         assert_eq!(half, 0.0); // flushed
///     }
/// }
/// let half = std::hint::black_box(tiny) * std::hint::black_box(0.5f32);
/// assert!(half > 0.0 && !half.is_normal()); // a subnormal again
/// ```
#[must_use = "the modes are restored when the guard is dropped"]
pub struct FlushSubnormals {
    /// The control word to restore, `None` if nothing was changed.
    saved: Option<u32>,
    /// Not `Send`: the modes belong to the thread that set them.
    _thread: std::marker::PhantomData<*const ()>,
}

impl FlushSubnormals {
    /// Sets flush-to-zero and denormals-are-zero on this thread (a no-op
    /// where the target has no such modes).
    pub fn new() -> Self {
        Self::when(true)
    }

    /// [`FlushSubnormals::new`] if `on`, else a guard that changes nothing.
    pub fn when(on: bool) -> Self {
        #[cfg(target_arch = "x86_64")]
        if on {
            let saved = control();
            if saved & FTZ_DAZ != FTZ_DAZ {
                set_control(saved | FTZ_DAZ);
                return FlushSubnormals {
                    saved: Some(saved),
                    _thread: std::marker::PhantomData,
                };
            }
        }
        let _ = on;
        FlushSubnormals {
            saved: None,
            _thread: std::marker::PhantomData,
        }
    }

    /// The guard training in `E` takes: flushing if `on` and `E` flushes in
    /// training ([`Real::FLUSH_SUBNORMALS_IN_TRAINING`]: `f32`, not `f64`).
    ///
    /// ```
    /// use autograd::{subnormals_flushed, FlushSubnormals};
    /// let _g = FlushSubnormals::for_training::<f64>(true);
    /// assert!(!subnormals_flushed()); // f64 stays IEEE-exact
    /// ```
    pub fn for_training<E: Real>(on: bool) -> Self {
        Self::when(on && E::FLUSH_SUBNORMALS_IN_TRAINING)
    }
}

impl Default for FlushSubnormals {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for FlushSubnormals {
    fn drop(&mut self) {
        if let Some(word) = self.saved {
            set_control(word);
        }
    }
}

/// Whether `f32` training flushes subnormals by default: true unless the
/// environment variable [`ENV_VAR`] says `keep` (read once per process). Any
/// other value than `flush` or `keep` is reported once on standard error
/// and flushing stays on.
///
/// ```
/// // unset (or `flush`) in the doc tests' environment
/// assert!(autograd::flush_subnormals_by_default());
/// ```
pub fn flush_subnormals_by_default() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| crate::env_choice::read(ENV_VAR, SETTING, CHOICES))
}

/// What [`ENV_VAR`] sets, for its error message.
const SETTING: &str = "what f32 training does with subnormal numbers";

/// The names [`ENV_VAR`] takes, and whether each flushes; the first is the
/// default.
const CHOICES: &[(&str, bool)] = &[("flush", true), ("keep", false)];

/// The setting an [`ENV_VAR`] value names: `Ok(true)` to flush.
#[cfg(test)]
fn parse_setting(value: Option<&str>) -> Result<bool, String> {
    crate::env_choice::parse(ENV_VAR, SETTING, CHOICES, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setting_reads_flush_keep_and_rejects_anything_else() {
        assert_eq!(parse_setting(None), Ok(true));
        assert_eq!(parse_setting(Some("flush")), Ok(true));
        assert_eq!(parse_setting(Some(" keep ")), Ok(false));
        let e = parse_setting(Some("off")).unwrap_err();
        assert!(
            e.contains("expected `flush` or `keep`") && e.contains("\"off\""),
            "{e}"
        );
    }

    #[test]
    fn a_guard_restores_what_it_found_even_when_nested() {
        let before = control();
        {
            let _outer = FlushSubnormals::new();
            assert_eq!(subnormals_flushed(), cfg!(target_arch = "x86_64"));
            {
                let _inner = FlushSubnormals::new();
                let _off = FlushSubnormals::when(false);
            }
            assert_eq!(subnormals_flushed(), cfg!(target_arch = "x86_64"));
        }
        assert_eq!(control(), before);
        assert!(!subnormals_flushed());
    }

    #[test]
    fn f64_training_keeps_its_subnormals() {
        let _g = FlushSubnormals::for_training::<f64>(true);
        let tiny = std::hint::black_box(f64::MIN_POSITIVE);
        let half = tiny * std::hint::black_box(0.5);
        assert!(half > 0.0 && !half.is_normal());
    }
}
