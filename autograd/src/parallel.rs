//! Work on several cores: helper threads that large matrix products and
//! large element-wise passes share with the calling thread.
//!
//! The helpers (one per core beyond the first) are started once, at the
//! first large piece of work. After each piece they keep polling for the
//! next one for a short while ([`SPIN`]) before they sleep: a training step
//! alternates matrix products with element-wise work, and a helper that had
//! to be woken from sleep for each product (as a rayon pool's workers are)
//! made the 784-512-512-10 step's products take a fifth longer.
//!
//! Work is handed out as [`broadcast`]: the calling thread and the helpers
//! run the same closure, which takes items from a shared counter until none
//! is left, so a thread slowed by cold caches or by the machine's other
//! work simply takes fewer items. One caller uses the helpers at a time;
//! another one, meanwhile, does its work alone.
//!
//! A helper runs each piece of work under the floating-point control word
//! of the thread that handed it out (its flush-to-zero modes, see
//! [`crate::subnormal`]) and restores its own afterwards, so a product
//! split over the cores rounds and flushes the same way on every core.

use crate::subnormal;
use std::cell::UnsafeCell;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;
use std::time::{Duration, Instant};

/// Element-wise passes over at least twice this many elements are spread
/// over the cores: about 10 µs of work for one.
pub(crate) const PARALLEL_MIN_ELEMENTS: usize = 32 * 1024;

/// How long a helper keeps polling for work after a piece of work.
const SPIN: Duration = Duration::from_millis(2);

/// 0: one thread per core.
static MAX_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Limits the threads that large matrix products and element-wise passes
/// use (`0`, the default, means one per core). `set_max_threads(1)` keeps
/// all work on the calling thread.
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

/// The number of threads large work is split over (see [`set_max_threads`]).
pub fn max_threads() -> usize {
    match MAX_THREADS.load(Ordering::Relaxed) {
        0 => cores(),
        n => n,
    }
}

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The threads that will run a [`broadcast`] now (1 if only the caller).
pub(crate) fn threads() -> usize {
    max_threads().min(cores())
}

/// A piece of work for a helper: the closure every participant runs.
type Work = *const (dyn Fn() + Sync);

/// A helper thread and its mailbox. The caller writes `job` only while the
/// helper is idle (`done == posted`), then bumps `posted`; the helper runs
/// the job (under the caller's floating-point control word `mode`) and sets
/// `done` to the number it ran.
struct Helper {
    job: UnsafeCell<Option<Work>>,
    mode: AtomicU32,
    posted: AtomicU64,
    done: AtomicU64,
    panicked: AtomicBool,
    sleeping: AtomicBool,
    thread: OnceLock<Thread>,
}

// SAFETY: `job` is written by the caller only while the helper is idle and
// read by the helper only after `posted` (Release/Acquire) says it is
// there; the closure it points to is only called while the caller waits
// for `done`, so it outlives its use.
unsafe impl Sync for Helper {}

/// The helpers, and the flag that gives them to one caller at a time.
struct Crew {
    helpers: Vec<&'static Helper>,
    busy: AtomicBool,
}

fn crew() -> &'static Crew {
    static CREW: OnceLock<Crew> = OnceLock::new();
    CREW.get_or_init(|| {
        let helpers = (1..cores())
            .filter_map(|i| {
                let h: &'static Helper = Box::leak(Box::new(Helper {
                    job: UnsafeCell::new(None),
                    mode: AtomicU32::new(0),
                    posted: AtomicU64::new(0),
                    done: AtomicU64::new(0),
                    panicked: AtomicBool::new(false),
                    sleeping: AtomicBool::new(false),
                    thread: OnceLock::new(),
                }));
                let t = std::thread::Builder::new()
                    .name(format!("xiaolan-helper-{i}"))
                    .spawn(move || serve(h))
                    .ok()?;
                let _ = h.thread.set(t.thread().clone());
                Some(h)
            })
            .collect();
        Crew {
            helpers,
            busy: AtomicBool::new(false),
        }
    })
}

/// A helper's loop: poll for a job (for [`SPIN`] after the last one), sleep
/// when there is none, run each job it is given.
fn serve(h: &'static Helper) {
    let mut seen = 0u64;
    let mut last = Instant::now();
    let mut polls = 0u32;
    loop {
        let posted = h.posted.load(Ordering::Acquire);
        if posted == seen {
            polls = polls.wrapping_add(1);
            if !polls.is_multiple_of(256) || last.elapsed() < SPIN {
                std::hint::spin_loop();
                continue;
            }
            // nothing for a while: announce the sleep, look once more, sleep
            h.sleeping.store(true, Ordering::SeqCst);
            if h.posted.load(Ordering::SeqCst) == seen {
                std::thread::park();
            }
            h.sleeping.store(false, Ordering::SeqCst);
            last = Instant::now();
            continue;
        }
        seen = posted;
        // SAFETY: the caller wrote the job before bumping `posted` and does
        // not touch it until `done` says it has run.
        if let Some(work) = unsafe { (*h.job.get()).take() } {
            // the caller's modes for its work, ours again afterwards
            let mode = h.mode.load(Ordering::Relaxed);
            let own = subnormal::control();
            if mode != own {
                subnormal::set_control(mode);
            }
            // SAFETY: the caller keeps the closure (and what it borrows)
            // alive until `done` is set below.
            let ok = catch_unwind(AssertUnwindSafe(|| unsafe { (*work)() }));
            if mode != own {
                subnormal::set_control(own);
            }
            if ok.is_err() {
                h.panicked.store(true, Ordering::Release);
            }
        }
        h.done.store(seen, Ordering::Release);
        last = Instant::now();
        polls = 0;
    }
}

/// Runs `work` on the calling thread and, at the same time, on up to
/// [`threads`] − 1 idle helpers; returns when every copy has returned.
/// `work` must share its items out itself (a shared counter), so that it
/// is correct with any number of participants, one included.
///
/// # Panics
/// If `work` panicked on a helper (after all copies have returned).
pub(crate) fn broadcast(work: &(dyn Fn() + Sync)) {
    let want = threads();
    if want < 2 {
        return work();
    }
    let crew = crew();
    if crew.helpers.is_empty()
        || crew
            .busy
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
    {
        return work();
    }
    let used = &crew.helpers[..(want - 1).min(crew.helpers.len())];
    // SAFETY: only the lifetime is erased; the helpers call the closure
    // only before their `done` is set, which is waited for below.
    let erased: Work = unsafe { std::mem::transmute::<&(dyn Fn() + Sync), Work>(work) };
    let mode = subnormal::control();
    let mut tickets = [0u64; 64];
    for (i, h) in used.iter().enumerate().take(64) {
        // SAFETY: the helper is idle (every earlier job was waited for), so
        // nothing reads `job` now.
        unsafe { *h.job.get() = Some(erased) };
        // published by the SeqCst bump of `posted` below
        h.mode.store(mode, Ordering::Relaxed);
        tickets[i] = h.posted.fetch_add(1, Ordering::SeqCst) + 1;
        if h.sleeping.load(Ordering::SeqCst) {
            if let Some(t) = h.thread.get() {
                t.unpark();
            }
        }
    }
    // a panic here must still wait for the helpers before unwinding
    let mine = catch_unwind(AssertUnwindSafe(work));
    let mut failed = false;
    for (i, h) in used.iter().enumerate().take(64) {
        while h.done.load(Ordering::Acquire) != tickets[i] {
            std::hint::spin_loop();
        }
        failed |= h.panicked.swap(false, Ordering::AcqRel);
    }
    crew.busy.store(false, Ordering::Release);
    if let Err(p) = mine {
        std::panic::resume_unwind(p);
    }
    assert!(!failed, "work panicked on a helper thread");
}

/// Calls `f` on consecutive chunks of `0..len` (multiples of 64 long, except
/// the last), spread over the threads when `len` is at least `2 · min_len`;
/// on the calling thread alone otherwise.
pub(crate) fn for_each_chunk(len: usize, min_len: usize, f: impl Fn(Range<usize>) + Sync) {
    let threads = threads();
    if threads < 2 || len < 2 * min_len.max(1) {
        return f(0..len);
    }
    let chunks = (threads * 2).min(len.div_ceil(min_len.max(1)));
    let step = len.div_ceil(chunks).div_ceil(64) * 64;
    let count = len.div_ceil(step);
    let next = AtomicUsize::new(0);
    broadcast(&|| loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= count {
            return;
        }
        f(i * step..((i + 1) * step).min(len));
    });
}

/// A raw pointer that may cross threads: the caller promises that the
/// threads touch disjoint parts of what it points to.
#[derive(Clone, Copy)]
pub(crate) struct SharedMut<T>(pub *mut T);

// SAFETY: a `SharedMut` is only dereferenced at disjoint offsets by the
// threads of one `for_each_chunk`/`broadcast`, while its owner waits.
unsafe impl<T: Send> Send for SharedMut<T> {}
unsafe impl<T: Send> Sync for SharedMut<T> {}

impl<T> SharedMut<T> {
    /// The `range` part of the buffer of `len` elements this points to.
    ///
    /// # Safety
    /// `range` lies inside the buffer, and no other thread uses it at the
    /// same time.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn slice(&self, range: Range<usize>) -> &mut [T] {
        std::slice::from_raw_parts_mut(self.0.add(range.start), range.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_once_with_any_thread_count() {
        for threads in [1, 2, 3] {
            set_max_threads(threads);
            for len in [0, 1, 63, 64, 1000, 100_003] {
                let hits: Vec<AtomicUsize> = (0..len).map(|_| AtomicUsize::new(0)).collect();
                for_each_chunk(len, 100, |r| {
                    for i in r {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    }
                });
                assert!(
                    hits.iter().all(|h| h.load(Ordering::Relaxed) == 1),
                    "{len} with {threads}"
                );
            }
        }
        set_max_threads(0);
    }

    /// Runs `f` on the caller and at least one helper (retrying while
    /// another test holds the helpers) and returns what each thread saw.
    fn on_helpers_too(f: impl Fn() -> bool + Sync) -> Vec<(std::thread::ThreadId, bool)> {
        for _ in 0..10_000 {
            let seen = std::sync::Mutex::new(Vec::new());
            broadcast(&|| {
                seen.lock()
                    .unwrap()
                    .push((std::thread::current().id(), f()));
                // long enough for a polling helper to join
                std::thread::sleep(Duration::from_micros(200));
            });
            let seen = seen.into_inner().unwrap();
            if seen.len() > 1 || cores() < 2 {
                return seen;
            }
        }
        panic!("no helper thread ever joined the work");
    }

    #[test]
    fn helpers_run_the_work_under_the_callers_flush_modes_and_restore_theirs() {
        set_max_threads(0);
        let caller = std::thread::current().id();
        {
            let _flush = subnormal::FlushSubnormals::new();
            let seen = on_helpers_too(subnormal::subnormals_flushed);
            assert!(seen.iter().any(|&(t, _)| t == caller));
            assert!(
                seen.iter()
                    .all(|&(_, flushed)| flushed == cfg!(target_arch = "x86_64")),
                "every thread flushes: {seen:?}"
            );
        }
        assert!(!subnormal::subnormals_flushed());
        // the helpers went back to their own (IEEE) modes afterwards
        let seen = on_helpers_too(subnormal::subnormals_flushed);
        assert!(seen.iter().all(|&(_, flushed)| !flushed), "{seen:?}");
    }

    #[test]
    fn a_panic_in_the_work_reaches_the_caller_and_the_helpers_stay_usable() {
        let r = catch_unwind(|| {
            for_each_chunk(10_000, 100, |r| {
                if r.start == 0 {
                    panic!("boom");
                }
            })
        });
        assert!(r.is_err());
        let sum = AtomicUsize::new(0);
        for_each_chunk(10_000, 100, |r| {
            sum.fetch_add(r.len(), Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 10_000);
    }
}
