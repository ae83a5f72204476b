//! A training step that repeats the shapes of the last one allocates
//! nothing of its own: tensor buffers, op boxes, gradient slots, bound
//! parameters and class targets are all reused. The only allocations left
//! are the GEMM crate's packing buffers (none for the thin products that
//! xiaolan's own kernel runs), and these are counted by doing the same
//! matrix products directly. A counting global allocator (one per test
//! binary, hence this file of its own) watches every thread, so the binary
//! holds one test: no other test's thread may allocate while it counts.

use autograd::{Tape, Tensor};
use nn::loss::Targets;
use nn::prelude::*;
use nn::train::train_step;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The system allocator, counting allocations (all threads).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

/// Allocations made (by any thread) while `f` runs.
fn allocations_during<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    let r = f();
    (ALLOCATIONS.load(Ordering::SeqCst) - before, r)
}

/// One matrix product c (m×n) = op(a)·op(b) with a or b transposed.
#[derive(Clone, Copy)]
struct Product {
    m: usize,
    k: usize,
    n: usize,
    ta: bool,
    tb: bool,
}

/// Allocations of the GEMM crate for these products, each done once on
/// preallocated buffers with the strides the engine uses (a transposed
/// operand is read through its strides, not copied).
fn gemm_allocations(products: &[Product]) -> usize {
    let mut total = 0;
    for &Product { m, k, n, ta, tb } in products {
        let a = vec![0.5f32; m * k];
        let b = vec![0.25f32; k * n];
        let mut c = vec![0.0f32; m * n];
        let (rsa, csa) = if ta { (1, m) } else { (k, 1) };
        let (rsb, csb) = if tb { (1, k) } else { (n, 1) };
        let (count, ()) = allocations_during(|| {
            autograd::bench_gemm((m, k, n), 1.0, &a, (rsa, csa), &b, (rsb, csb), 0.0, &mut c)
        });
        black_box(&c);
        total += count;
    }
    total
}

/// The matrix products of one training step of an MLP whose input is a
/// constant: per layer the forward x·W, then from the last layer back the
/// input gradient δ·Wᵀ (except for the first layer) and the weight
/// gradient xᵀ·δ.
fn step_products(sizes: &[usize], batch: usize) -> Vec<Product> {
    let p = |m, k, n, ta, tb| Product { m, k, n, ta, tb };
    let mut v: Vec<_> = sizes
        .windows(2)
        .map(|w| p(batch, w[0], w[1], false, false))
        .collect();
    for (l, w) in sizes.windows(2).enumerate().rev() {
        if l > 0 {
            v.push(p(batch, w[1], w[0], false, true));
        }
        v.push(p(w[0], batch, w[1], true, false));
    }
    v
}

/// Steps `net` three times, then counts the allocations of a fourth step.
fn allocations_of_a_step(
    sizes: &[usize],
    acts: &[Activation],
    loss: Loss,
    batch: usize,
    classes: bool,
) -> usize {
    let mut mlp = Mlp::<f32>::new(sizes, acts, Init::He, 1).unwrap();
    let mut opt = Sgd::new(0.01);
    let n_out = *sizes.last().unwrap();
    let x: Vec<f32> = (0..batch * sizes[0])
        .map(|i| (i % 13) as f32 / 13.0)
        .collect();
    let cls: Vec<usize> = (0..batch).map(|i| (i * 7) % n_out).collect();
    let y: Tensor<f32> = Tensor::one_hot(&cls, n_out).unwrap();
    let mut tape = Tape::<f32>::default();
    let mut step = |tape: &mut Tape<f32>| {
        // the batch is copied into a tensor each step, as a loader does
        let xt = Tensor::from_slice(&[batch, sizes[0]], &x).unwrap();
        let t = if classes {
            Targets::Classes(&cls)
        } else {
            Targets::Values(&y)
        };
        train_step(tape, &mut mlp, &mut opt, &loss, &xt, t).unwrap()
    };
    let first = step(&mut tape);
    for _ in 0..2 {
        step(&mut tape);
    }
    let (count, last) = allocations_during(|| step(&mut tape));
    assert!(last < first, "the network trains: {first} then {last}");
    count
}

/// The counter sees allocations, and a first step (nothing to reuse yet)
/// does allocate: the guard for the counts below.
fn the_counter_sees_allocations() {
    let (count, v) = allocations_during(|| black_box(vec![1u8; 100]));
    assert_eq!(v.len(), 100);
    assert!(count >= 1);
    let mut mlp = Mlp::<f32>::new(&[4, 3, 2], &[Activation::Tanh; 2], Init::He, 1).unwrap();
    let mut opt = Sgd::new(0.1);
    let x = Tensor::full(&[5, 4], 0.5f32);
    let y = Tensor::full(&[5, 2], 0.25f32);
    let mut tape = Tape::<f32>::default();
    let (count, _) = allocations_during(|| {
        train_step(
            &mut tape,
            &mut mlp,
            &mut opt,
            &Loss::Mse,
            &x,
            Targets::Values(&y),
        )
        .unwrap()
    });
    assert!(count > 10, "a first step allocated only {count} times");
}

#[test]
fn a_repeated_training_step_allocates_only_the_gemm_packing_buffers() {
    the_counter_sees_allocations();
    // Nielsen's network
    let sizes = [784, 30, 10];
    let step = allocations_of_a_step(
        &sizes,
        &[Activation::Sigmoid; 2],
        Loss::SquaredError,
        10,
        false,
    );
    let gemm = gemm_allocations(&step_products(&sizes, 10));
    assert_eq!(
        step, gemm,
        "a 784-30-10 step allocated {step} times; its 5 matrix products alone allocate {gemm} times"
    );
    // the wide benchmark's network (ReLU, cross-entropy on classes),
    // narrower so that the test is quick
    let sizes = [784, 64, 64, 10];
    let acts = [Activation::Relu, Activation::Relu, Activation::Identity];
    let step = allocations_of_a_step(&sizes, &acts, Loss::SoftmaxCrossEntropy, 32, true);
    let gemm = gemm_allocations(&step_products(&sizes, 32));
    assert_eq!(
        step, gemm,
        "a 784-64-64-10 step allocated {step} times; its 8 matrix products alone allocate {gemm} times"
    );
}
