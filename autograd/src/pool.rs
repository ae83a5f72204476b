//! A per-thread cache of tensor buffers, so that a training loop which
//! records the same work every step stops allocating after the first step.
//!
//! Every tensor buffer of `f32` or `f64` comes from this cache when it holds
//! one of the right size, and goes back to it when its last tensor is
//! dropped (instead of to the system allocator). A step that recreates the
//! shapes of the previous step then finds every buffer it needs here: no
//! `malloc`, no `free`, and no page faults from memory that the allocator
//! handed back to the operating system and has to fetch again.
//!
//! The cache never holds more bytes than the thread's peak of live tensor
//! bytes (so it at most doubles what the thread's tensors once needed at
//! the same time); when a returned buffer would push it over, the least
//! recently used sizes are freed first. [`release`] frees everything cached
//! (after a large evaluation, say), [`set_enabled`] switches caching off
//! (every buffer then goes back to the system allocator, as without a cache),
//! and [`stats`] says how it went.
//!
//! ```
//! use autograd::{pool, Tape, Tensor};
//! let mut tape = Tape::<f32>::default();
//! let x = Tensor::full(&[64, 64], 0.5f32);
//! let step = |tape: &Tape<f32>| {
//!     let v = tape.tensor(x.clone());
//!     let _ = (v.sigmoid() * v).sum().backward();
//! };
//! step(&tape);
//! tape.clear();
//! let before = pool::stats::<f32>().unwrap();
//! step(&tape); // the same shapes again: every buffer comes from the cache
//! tape.clear();
//! let after = pool::stats::<f32>().unwrap();
//! assert_eq!(after.misses, before.misses);
//! assert!(after.hits > before.hits);
//! ```
//!
//! Element types without a cache (such as [`crate::Dual`]) allocate and free
//! as usual; their [`stats`] are `None`.

use crate::real::Real;
use crate::tensor::Tensor;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;
use std::thread::LocalKey;

/// More sizes than this are never cached at once: the least recently used
/// size is freed to make room for a new one.
const MAX_SIZES: usize = 64;

/// At most this many sets of gradient slots are kept (one per
/// [`crate::Grads`] alive at the same time, usually one).
const MAX_SPARE_GRADS: usize = 4;

/// What a thread's cache of buffers for one element type has done, from
/// [`stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Buffers handed out from the cache.
    pub hits: u64,
    /// Buffers that had to come from the system allocator (none cached of
    /// that size).
    pub misses: u64,
    /// Buffers taken back into the cache when their last tensor was dropped.
    pub returned: u64,
    /// Cached buffers freed to keep within the peak (or by [`release`]).
    pub freed: u64,
    /// Bytes held by live tensors of this thread and type.
    pub live_bytes: usize,
    /// The largest `live_bytes` seen.
    pub peak_live_bytes: usize,
    /// Bytes cached, ready for reuse.
    pub cached_bytes: usize,
}

/// The slot vectors of one backward pass's gradients: scalar adjoints,
/// tensor gradients, and gradients kept as products (by record).
pub(crate) type GradSlots<E> = (
    Vec<E>,
    Vec<Option<Tensor<E>>>,
    Vec<(u32, crate::grad_product::Product<E>)>,
);

/// Buffers of one capacity.
struct Bucket<E> {
    cap: usize,
    bufs: Vec<Rc<Vec<E>>>,
    last_use: u64,
}

/// The cache of one element type on one thread (`f32` and `f64` have one
/// each, other types none), reached through `with`.
struct Pool<E: Real> {
    buckets: Vec<Bucket<E>>,
    /// The emptied slot vectors of dropped [`crate::Grads`].
    spare_grads: Vec<GradSlots<E>>,
    enabled: bool,
    tick: u64,
    stats: PoolStats,
}

impl<E: Real> Pool<E> {
    /// An empty, enabled cache (for the thread-locals below).
    const fn new() -> Self {
        Pool {
            buckets: Vec::new(),
            spare_grads: Vec::new(),
            enabled: true,
            tick: 0,
            stats: PoolStats {
                hits: 0,
                misses: 0,
                returned: 0,
                freed: 0,
                live_bytes: 0,
                peak_live_bytes: 0,
                cached_bytes: 0,
            },
        }
    }

    fn bytes(cap: usize) -> usize {
        cap * std::mem::size_of::<E>()
    }

    /// A unique, empty buffer with capacity `n`, cached or new.
    fn take(&mut self, n: usize) -> Rc<Vec<E>> {
        self.tick += 1;
        let b = Self::bytes(n);
        if let Some(bucket) = self.buckets.iter_mut().find(|k| k.cap == n) {
            if let Some(mut rc) = bucket.bufs.pop() {
                bucket.last_use = self.tick;
                self.stats.hits += 1;
                self.stats.cached_bytes -= b;
                self.stats.live_bytes += b;
                // cached buffers are unique (`recycle` checks), so this is `Some`
                if let Some(v) = Rc::get_mut(&mut rc) {
                    v.clear();
                }
                return rc;
            }
        }
        self.stats.misses += 1;
        self.adopt(b);
        Rc::new(Vec::with_capacity(n))
    }

    /// Counts `b` new live bytes.
    fn adopt(&mut self, b: usize) {
        let s = &mut self.stats;
        s.live_bytes += b;
        s.peak_live_bytes = s.peak_live_bytes.max(s.live_bytes);
    }

    /// Frees cached buffers, least recently used sizes first, until at least
    /// `bytes` are freed or nothing is cached.
    fn free_lru(&mut self, mut bytes: usize) {
        while bytes > 0 && self.stats.cached_bytes > 0 {
            let Some(i) = self
                .buckets
                .iter()
                .enumerate()
                .filter(|(_, k)| !k.bufs.is_empty())
                .min_by_key(|(_, k)| k.last_use)
                .map(|(i, _)| i)
            else {
                break;
            };
            let k = &mut self.buckets[i];
            let b = Self::bytes(k.cap);
            while bytes > 0 && k.bufs.pop().is_some() {
                self.stats.cached_bytes -= b;
                self.stats.freed += 1;
                bytes = bytes.saturating_sub(b);
            }
            if k.bufs.is_empty() {
                self.buckets.swap_remove(i);
            }
        }
    }

    /// Takes back a buffer whose last tensor is gone (or frees it).
    fn give(&mut self, rc: Rc<Vec<E>>) {
        let cap = rc.capacity();
        let b = Self::bytes(cap);
        self.stats.live_bytes = self.stats.live_bytes.saturating_sub(b);
        if !self.enabled || cap == 0 {
            return;
        }
        self.tick += 1;
        let tick = self.tick;
        let i = match self.buckets.iter().position(|k| k.cap == cap) {
            Some(i) => i,
            None => {
                if self.buckets.len() >= MAX_SIZES {
                    // forget the least recently used size altogether
                    if let Some((j, _)) = self
                        .buckets
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, k)| k.last_use)
                    {
                        let k = self.buckets.swap_remove(j);
                        self.stats.cached_bytes -= Self::bytes(k.cap) * k.bufs.len();
                        self.stats.freed += k.bufs.len() as u64;
                    }
                }
                self.buckets.push(Bucket {
                    cap,
                    bufs: Vec::new(),
                    last_use: tick,
                });
                self.buckets.len() - 1
            }
        };
        let k = &mut self.buckets[i];
        k.last_use = tick;
        k.bufs.push(rc);
        self.stats.returned += 1;
        self.stats.cached_bytes += b;
        if self.stats.cached_bytes > self.stats.peak_live_bytes {
            self.free_lru(self.stats.cached_bytes - self.stats.peak_live_bytes);
        }
    }

    fn release(&mut self) {
        for k in self.buckets.drain(..) {
            self.stats.freed += k.bufs.len() as u64;
        }
        self.stats.cached_bytes = 0;
        self.spare_grads.clear();
    }
}

thread_local! {
    static POOL_F32: RefCell<Pool<f32>> = const { RefCell::new(Pool::new()) };
    static POOL_F64: RefCell<Pool<f64>> = const { RefCell::new(Pool::new()) };
}

/// Runs `f` on this thread's cache for `E`: `None` if `E` has none (neither
/// `f32` nor `f64`), or if the cache is out of reach (being torn down as
/// the thread exits, or already borrowed).
#[inline]
fn with<E: Real, R>(f: impl FnOnce(&mut Pool<E>) -> R) -> Option<R> {
    // the type tests are constants of each monomorphised copy
    if is::<E, f32>() {
        on(&POOL_F32, f)
    } else if is::<E, f64>() {
        on(&POOL_F64, f)
    } else {
        None
    }
}

/// Whether `E` is `T`.
#[inline]
fn is<E: 'static, T: 'static>() -> bool {
    std::any::TypeId::of::<E>() == std::any::TypeId::of::<T>()
}

/// Runs `f` on the cache behind `key`, which holds `Pool<E>` (the caller
/// checked that T is E).
#[inline]
fn on<T: Real, E: Real, R>(
    key: &'static LocalKey<RefCell<Pool<T>>>,
    f: impl FnOnce(&mut Pool<E>) -> R,
) -> Option<R> {
    // `try_with`: the thread-local may be gone while the thread exits, and
    // a buffer dropped then is simply freed
    key.try_with(|p| {
        let mut p = p.try_borrow_mut().ok()?;
        let p = (&mut *p as &mut dyn Any).downcast_mut::<Pool<E>>()?;
        Some(f(p))
    })
    .ok()
    .flatten()
}

/// A unique, empty buffer of capacity `n` for a new tensor.
pub(crate) fn take<E: Real>(n: usize) -> Rc<Vec<E>> {
    with::<E, _>(|p| p.take(n)).unwrap_or_else(|| Rc::new(Vec::with_capacity(n)))
}

/// Counts a buffer that did not come from [`take`] (a caller's `Vec`) as
/// live.
pub(crate) fn adopt<E: Real>(cap: usize) {
    with::<E, _>(|p| p.adopt(Pool::<E>::bytes(cap)));
}

/// A buffer leaves the tensors (taken out by `Tensor::into_vec`).
pub(crate) fn disown<E: Real>(cap: usize) {
    with::<E, _>(|p| {
        let s = &mut p.stats;
        s.live_bytes = s.live_bytes.saturating_sub(Pool::<E>::bytes(cap));
    });
}

/// A tensor's storage is dropped: cached if this was its last owner.
pub(crate) fn recycle<E: Real>(mut rc: Rc<Vec<E>>) {
    if Rc::get_mut(&mut rc).is_none() {
        return; // another tensor still shares it
    }
    // the closure consumes `rc` only when the cache is reachable; otherwise
    // it is dropped (freed) here
    let mut slot = Some(rc);
    with::<E, _>(|p| p.give(slot.take().expect("taken once")));
}

/// Empty slot vectors for a backward pass's gradients (scalar adjoints and
/// tensor gradients), with room for `nodes` and `records` if a dropped
/// [`crate::Grads`] left some behind.
pub(crate) fn take_grad_slots<E: Real>(nodes: usize, records: usize) -> GradSlots<E> {
    with::<E, _>(|p| {
        let i = p
            .spare_grads
            .iter()
            .position(|(s, t, _)| s.capacity() >= nodes && t.capacity() >= records)?;
        Some(p.spare_grads.swap_remove(i))
    })
    .flatten()
    .unwrap_or_default()
}

/// Keeps the (emptied) slot vectors of a dropped [`crate::Grads`].
pub(crate) fn give_grad_slots<E: Real>((mut scalar, mut tensor, mut products): GradSlots<E>) {
    if scalar.capacity() == 0 && tensor.capacity() == 0 && products.capacity() == 0 {
        return;
    }
    scalar.clear();
    // the tensors (and the products' factors) go back to the buffers' cache
    tensor.clear();
    products.clear();
    with::<E, _>(|p| {
        if p.enabled && p.spare_grads.len() < MAX_SPARE_GRADS {
            p.spare_grads.push((scalar, tensor, products));
        }
    });
}

/// At most this many index buffers are kept.
const MAX_SPARE_INDICES: usize = 16;

thread_local! {
    static SPARE_INDICES: RefCell<Vec<Vec<usize>>> = const { RefCell::new(Vec::new()) };
}

/// A copy of `indices` (class targets an op keeps for its backward), in a
/// kept buffer when one is large enough.
pub(crate) fn indices(indices: &[usize]) -> Vec<usize> {
    let spare = SPARE_INDICES
        .try_with(|s| {
            let mut s = s.try_borrow_mut().ok()?;
            let i = s.iter().position(|v| v.capacity() >= indices.len())?;
            Some(s.swap_remove(i))
        })
        .ok()
        .flatten();
    let mut v = spare.unwrap_or_else(|| Vec::with_capacity(indices.len()));
    v.clear();
    v.extend_from_slice(indices);
    v
}

/// Keeps an index buffer from [`indices`] whose op is gone.
pub(crate) fn give_indices(v: Vec<usize>) {
    if v.capacity() == 0 {
        return;
    }
    let _ = SPARE_INDICES.try_with(|s| {
        if let Ok(mut s) = s.try_borrow_mut() {
            if s.len() < MAX_SPARE_INDICES {
                s.push(v);
            }
        }
    });
}

/// This thread's statistics for element type `E`, or `None` if `E` has no
/// cache.
pub fn stats<E: Real>() -> Option<PoolStats> {
    with::<E, _>(|p| p.stats)
}

/// Frees every buffer cached for `E` on this thread (live tensors are not
/// touched). The cache fills again as tensors are dropped.
pub fn release<E: Real>() {
    with::<E, _>(Pool::release);
}

/// Switches caching for `E` on this thread on or off (it starts on). Off,
/// every buffer is freed when its last tensor is dropped and every new one
/// comes from the system allocator; switching off also frees what is cached.
pub fn set_enabled<E: Real>(on: bool) {
    with::<E, _>(|p| {
        p.enabled = on;
        if !on {
            p.release();
        }
    });
}

/// Whether caching is on for `E` on this thread.
pub fn enabled<E: Real>() -> bool {
    with::<E, _>(|p| p.enabled).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tensor;

    #[test]
    fn a_dropped_buffer_is_reused_for_the_same_size() {
        let before = stats::<f64>().unwrap();
        let a = Tensor::<f64>::zeros(&[123, 7]);
        let ptr = a.data().as_ptr();
        drop(a);
        let b = Tensor::<f64>::full(&[7, 123], 2.0);
        assert_eq!(b.data().as_ptr(), ptr, "same buffer");
        assert!(b.data().iter().all(|&x| x == 2.0));
        let after = stats::<f64>().unwrap();
        assert_eq!(after.misses, before.misses + 1);
        assert_eq!(after.hits, before.hits + 1);
    }

    #[test]
    fn a_shared_buffer_is_not_cached_until_its_last_owner_goes() {
        let a = Tensor::<f64>::zeros(&[77, 3]);
        let b = a.clone();
        let returned = stats::<f64>().unwrap().returned;
        drop(a);
        assert_eq!(stats::<f64>().unwrap().returned, returned);
        assert_eq!(b.data()[0], 0.0);
        drop(b);
        assert_eq!(stats::<f64>().unwrap().returned, returned + 1);
    }

    #[test]
    fn cached_bytes_stay_within_the_peak_of_live_bytes() {
        std::thread::spawn(|| {
            let big: Vec<Tensor<f32>> = (0..4).map(|_| Tensor::zeros(&[1000])).collect();
            let peak = stats::<f32>().unwrap().peak_live_bytes;
            assert_eq!(peak, 16_000);
            drop(big);
            assert_eq!(stats::<f32>().unwrap().cached_bytes, 16_000);
            // other sizes, one at a time: the peak stays, and the cache makes
            // room (least recently used first) instead of growing past it
            for _ in 0..3 {
                drop(Tensor::<f32>::zeros(&[1001]));
                let s = stats::<f32>().unwrap();
                assert_eq!(s.peak_live_bytes, 16_000);
                assert!(s.cached_bytes <= s.peak_live_bytes, "{s:?}");
            }
            let s = stats::<f32>().unwrap();
            assert_eq!(s.freed, 2, "two 1000-element buffers made room: {s:?}");
            assert_eq!(s.hits, 2, "the 1001-element buffer was reused: {s:?}");
            release::<f32>();
            assert_eq!(stats::<f32>().unwrap().cached_bytes, 0);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn switched_off_nothing_is_cached() {
        std::thread::spawn(|| {
            set_enabled::<f64>(false);
            assert!(!enabled::<f64>());
            drop(Tensor::<f64>::zeros(&[50]));
            let s = stats::<f64>().unwrap();
            assert_eq!((s.cached_bytes, s.returned), (0, 0));
            set_enabled::<f64>(true);
            drop(Tensor::<f64>::zeros(&[50]));
            assert_eq!(stats::<f64>().unwrap().cached_bytes, 400);
        })
        .join()
        .unwrap();
        assert!(stats::<crate::Dual>().is_none());
    }
}
