//! Recording a scalar op allocates nothing: a counting global allocator
//! (one per test binary, hence this file of its own) watches a scalar
//! network's forward pass recorded on a cleared tape.

use autograd::Tape;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

/// The system allocator, counting the allocations made on each thread.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the thread-local may already be gone while a thread exits
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Allocations made on this thread while `f` runs.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let r = f();
    let after = ALLOCATIONS.with(Cell::get);
    (after - before, r)
}

/// A 3-4-1 network on scalars with a squared error and an L2 penalty,
/// touching every kind of scalar op; returns the loss and the number of
/// nodes on the tape.
fn forward(tape: &Tape, x: [f64; 3], target: f64) -> (f64, usize) {
    let mut w1 = [[tape.constant(0.0); 3]; 4];
    for (j, row) in w1.iter_mut().enumerate() {
        for (i, w) in row.iter_mut().enumerate() {
            *w = tape.var(0.1 * (i as f64 + 1.0) - 0.07 * j as f64);
        }
    }
    let mut b1 = [tape.constant(0.0); 4];
    for (j, b) in b1.iter_mut().enumerate() {
        *b = tape.var(0.01 * j as f64);
    }
    let mut w2 = [tape.constant(0.0); 4];
    for (j, w) in w2.iter_mut().enumerate() {
        *w = tape.var(0.3 - 0.2 * j as f64);
    }
    let b2 = tape.var(-0.1);
    let mut h = [tape.constant(0.0); 4];
    for j in 0..4 {
        let mut z = b1[j];
        for i in 0..3 {
            z = z + w1[j][i] * x[i];
        }
        h[j] = match j {
            0 => z.tanh(),
            1 => z.relu(),
            2 => z.sigmoid(),
            _ => z.leaky_relu(0.01),
        };
    }
    let mut out = b2;
    for j in 0..4 {
        out = out + w2[j] * h[j];
    }
    let y = out.sigmoid();
    let err = (target - y).powi(2);
    let mut l2 = tape.constant(0.0);
    for row in &w1 {
        for &w in row {
            l2 = l2 + w * w;
        }
    }
    let extra = (y + 1.0).ln() / (y.exp() + 1.0).sqrt() - y.abs().powf(1.5) * y.max(h[0]).min(h[1])
        + (2.0 - y).recip().sin().cos().clamp(-1.0, 1.0)
        + y.pow(h[2])
        + (-y).step_ste();
    let loss = err + l2 * 1e-3 + extra * 1e-2;
    (loss.value(), tape.len())
}

#[test]
fn recording_a_scalar_expression_on_a_cleared_tape_allocates_nothing() {
    let mut tape = Tape::new();
    let (first, nodes) = forward(&tape, [0.5, -1.0, 2.0], 0.7);
    assert!(nodes > 60, "the expression records {nodes} nodes");
    tape.clear();
    let (allocs, (second, again)) = allocations_during(|| {
        black_box(forward(black_box(&tape), black_box([0.5, -1.0, 2.0]), 0.7))
    });
    assert_eq!(again, nodes);
    assert_eq!(first, second);
    assert_eq!(
        allocs, 0,
        "recording {nodes} scalar nodes allocated {allocs} times"
    );

    // the same with anomaly detection on: the checks allocate nothing either
    tape.clear();
    tape.detect_anomaly(true);
    let (allocs, _) = allocations_during(|| black_box(forward(&tape, [0.1, 0.2, 0.3], 0.2)));
    assert_eq!(allocs, 0, "anomaly checks allocated {allocs} times");
}

#[test]
fn the_counter_sees_allocations() {
    // the guard for the test above: the counter is not stuck at zero
    let (allocs, v) = allocations_during(|| black_box(vec![1u8; 100]));
    assert_eq!(v.len(), 100);
    assert!(allocs >= 1);
    // and a fresh tape does allocate when it first records
    let tape = Tape::new();
    let (allocs, _) = allocations_during(|| black_box(forward(&tape, [1.0, 2.0, 3.0], 0.5)));
    assert!(allocs >= 1, "a fresh tape grows its node buffer");
}
