//! The tape: a Wengert list of every recorded operation, in creation order.
//!
//! Scalar operations record their local partial derivatives at forward time
//! (one small node, no heap allocation). Tensor operations record an [`Op`]
//! with the inputs and output its backward needs (reference counted, so saving
//! them copies nothing). Creation order is a topological order, so the
//! reverse sweep in [`crate::backward`] is one loop from the last node to the
//! first: no graph walk, no recursion.

use crate::error::{Error, Result};
use crate::op::Op;
use crate::real::Real;
use crate::scalar::Var;
use crate::tensor::{Tensor, TensorVar};
use node::grow;
pub(crate) use node::{Node, NodeId, PackedNode, CONST, NONE};
use smallvec::SmallVec;
use std::alloc::Layout;
use std::cell::{Cell, RefCell, UnsafeCell};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

mod node;

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(1);

// The bits of a tape's `slow` word: the rare states in which recording a
// scalar op leaves the fast path. A training step has none of them; each op
// tests them through `room`, which is zero while any is set (see `Tape`).

/// Recording is off ([`Tape::no_grad`]).
const NO_GRAD: u32 = 1;
/// NaN/infinity detection is on ([`Tape::detect_anomaly`]).
const ANOMALY: u32 = 2;
/// Scalar nodes keep their op name and value ([`Tape::keep_graph`]).
const KEEP_GRAPH: u32 = 4;
/// One live reader of the node list ([`Tape::nodes`]); the bits from here up
/// count them.
const READER: u32 = 8;

/// What the tape keeps for a tensor node.
pub(crate) struct Record<E: Real> {
    /// Whether gradients flow through this value (a variable, or computed from one).
    pub tracked: bool,
    /// The op that produced it; `None` for leaves and constants.
    pub op: Option<Box<dyn Op<E>>>,
    /// Input nodes of `op`.
    pub inputs: SmallVec<[NodeId; 3]>,
    /// Input values of `op`, saved for its backward (shared storage).
    pub saved: SmallVec<[Tensor<E>; 3]>,
    /// The value.
    pub value: Tensor<E>,
}

pub(crate) struct Inner<E: Real> {
    pub records: Vec<Record<E>>,
    /// With [`Tape::keep_graph`]: (node, op name, value) of each scalar node
    /// recorded, in node order.
    pub labels: Vec<(NodeId, &'static str, E)>,
    /// The heap blocks of ops dropped by [`Tape::clear`], by layout, for the
    /// next ops of the same size to be written into (see [`SpareOps`]).
    spare_ops: SpareOps,
}

/// Heap blocks that held boxed ops, kept for reuse: a training step records
/// the same ops every time, so after the first step boxing an op allocates
/// nothing. Each block was allocated by `Box` for its layout and the value
/// in it has been dropped.
#[derive(Default)]
struct SpareOps {
    by_layout: Vec<(Layout, Vec<NonNull<u8>>)>,
}

impl SpareOps {
    /// Boxes `op`, in a spare block of its layout when there is one.
    fn boxed<E: Real, O: Op<E>>(&mut self, op: O) -> Box<dyn Op<E>> {
        let layout = Layout::new::<O>();
        if layout.size() > 0 {
            if let Some((_, blocks)) = self.by_layout.iter_mut().find(|(l, _)| *l == layout) {
                if let Some(block) = blocks.pop() {
                    let p = block.as_ptr().cast::<O>();
                    // SAFETY: the block was allocated by the global allocator
                    // with exactly `Layout::new::<O>()` (size and alignment,
                    // which is what `Box<O>` uses) and holds no live value, so
                    // writing an `O` into it and owning it as a `Box<O>` is
                    // what `Box::new` would have done.
                    unsafe {
                        p.write(op);
                        return Box::from_raw(p);
                    }
                }
            }
        }
        Box::new(op)
    }

    /// Drops the op and keeps its heap block (if it has one) for reuse.
    fn keep<E: Real>(&mut self, op: Box<dyn Op<E>>) {
        let layout = Layout::for_value(&*op);
        if layout.size() == 0 {
            return; // a zero-sized op owns no heap block
        }
        let raw: *mut dyn Op<E> = Box::into_raw(op);
        // SAFETY: `raw` comes from `Box::into_raw`, so it is valid, aligned
        // and owned here; the value is dropped once and its block, allocated
        // with `layout`, is kept (and freed in `Drop`) without touching it.
        unsafe {
            std::ptr::drop_in_place(raw);
            let block = NonNull::new_unchecked(raw.cast::<u8>());
            match self.by_layout.iter_mut().find(|(l, _)| *l == layout) {
                Some((_, blocks)) => blocks.push(block),
                None => self.by_layout.push((layout, vec![block])),
            }
        }
    }
}

impl Drop for SpareOps {
    fn drop(&mut self) {
        for (layout, blocks) in self.by_layout.drain(..) {
            for block in blocks {
                // SAFETY: each block was allocated by the global allocator with
                // `layout` (by `Box`) and no longer holds a value.
                unsafe { std::alloc::dealloc(block.as_ptr(), layout) };
            }
        }
    }
}

/// A Wengert list that records operations on scalars ([`Var`]) and tensors
/// ([`TensorVar`]) so that gradients can be computed in one reverse sweep.
///
/// `E` is the element type: `f64` (the default), `f32`, or [`crate::Dual`].
/// Values are small `Copy` handles borrowing the tape, so expressions read
/// like maths and need no `clone()`.
///
/// ```
/// use autograd::Tape;
/// let tape = Tape::new();
/// let w = tape.var(0.0);
/// let e = (0.68 - w * 0.4).powi(2); // e(w) = 0.16w² − 0.544w + 0.4624
/// let g = e.backward();
/// assert!((g[w] + 0.544).abs() < 1e-12);
/// ```
///
/// A tape is cleared with [`Tape::clear`] and reused: its buffers keep their
/// capacity, so a training loop that records the same work each step stops
/// allocating for nodes after the first step.
pub struct Tape<E: Real = f64> {
    /// Every node, scalar and tensor, in recording order. Not in a `RefCell`:
    /// recording a scalar op is the hot path of scalar code, and the borrow
    /// bookkeeping a `RefCell` does there is what `slow` already covers (see
    /// [`Tape::push`] for why this is sound).
    nodes: UnsafeCell<Vec<PackedNode<E>>>,
    pub(crate) inner: RefCell<Inner<E>>,
    id: Cell<u64>,
    /// The rare states, one bit each ([`NO_GRAD`], [`ANOMALY`],
    /// [`KEEP_GRAPH`]) and the count of node readers ([`READER`]); zero in
    /// the common case.
    slow: Cell<u32>,
    /// How many nodes the fast path may hold: the list's capacity while
    /// `slow` is zero, else zero. So one comparison per op, `len < room`,
    /// tests both that nothing rare is on and that there is spare capacity.
    /// Set again (`update_room`) after every change of `slow` or of the
    /// capacity (which only grows, in `push_unlabelled`).
    room: Cell<usize>,
}

impl<E: Real> Default for Tape<E> {
    /// An empty tape of any element type: `let tape: Tape<f32> = Tape::default();`
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl Tape<f64> {
    /// An empty `f64` tape. For `f32`, write `Tape::<f32>::default()`.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }
}

impl<E: Real> std::fmt::Debug for Tape<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tape")
            .field("dtype", &E::NAME)
            .field("nodes", &self.len())
            .field("tensors", &self.inner.borrow().records.len())
            .finish()
    }
}

impl<E: Real> Tape<E> {
    /// An empty tape with room for `nodes` nodes before it reallocates.
    pub fn with_capacity(nodes: usize) -> Self {
        let tape = Tape {
            // at most NONE nodes ever: see `grow`
            nodes: UnsafeCell::new(Vec::with_capacity(nodes.min(NONE as usize))),
            room: Cell::new(0),
            inner: RefCell::new(Inner {
                records: Vec::new(),
                labels: Vec::new(),
                spare_ops: SpareOps::default(),
            }),
            id: Cell::new(NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed)),
            slow: Cell::new(0),
        };
        tape.update_room();
        tape
    }

    /// A new scalar variable: an input that gradients are computed for.
    pub fn var(&self, x: f64) -> Var<'_, E> {
        self.var_e(E::from_f64(x))
    }

    /// A new scalar variable from a value of the element type.
    pub fn var_e(&self, x: E) -> Var<'_, E> {
        if !self.grad_enabled() {
            return Var::constant(self, x);
        }
        let id = self.push(Node::Leaf.pack(), "var", x);
        Var::new(self, id, x)
    }

    /// Several scalar variables at once.
    pub fn vars(&self, xs: &[f64]) -> Vec<Var<'_, E>> {
        xs.iter().map(|&x| self.var(x)).collect()
    }

    /// A scalar constant: it takes part in arithmetic but gets no gradient and
    /// records nothing.
    pub fn constant(&self, x: f64) -> Var<'_, E> {
        Var::constant(self, E::from_f64(x))
    }

    /// A tensor variable: an input that gradients are computed for.
    pub fn tensor(&self, x: Tensor<E>) -> TensorVar<'_, E> {
        let tracked = self.grad_enabled();
        self.push_tensor(x, tracked, None, SmallVec::new(), SmallVec::new())
    }

    /// A tensor constant: it takes part in arithmetic but gets no gradient.
    pub fn tensor_constant(&self, x: Tensor<E>) -> TensorVar<'_, E> {
        self.push_tensor(x, false, None, SmallVec::new(), SmallVec::new())
    }

    /// Number of recorded nodes (scalar and tensor).
    pub fn len(&self) -> usize {
        // SAFETY: a shared look at the list; no `&mut` to it is alive outside
        // `try_push` and `push_unlabelled` (see `Tape::push`).
        unsafe { (*self.nodes.get()).len() }
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Node capacity currently reserved (kept across [`Tape::clear`]).
    pub fn capacity(&self) -> usize {
        // SAFETY: as in `len`.
        unsafe { (*self.nodes.get()).capacity() }
    }

    /// Forgets every recorded node, keeping the memory for reuse: the node
    /// list, the boxes of the ops and (through [`crate::pool`]) the tensor
    /// buffers, so that recording the same work again allocates nothing.
    ///
    /// Needs `&mut self`, so no handle into the tape can still be alive.
    /// [`crate::Grads`] from before the clear no longer match new values (a
    /// lookup panics instead of returning a wrong gradient).
    pub fn clear(&mut self) {
        self.nodes.get_mut().clear();
        let inner = self.inner.get_mut();
        inner.labels.clear();
        // the ops taken out where they lie, then the records dropped in
        // place: `drain` would move each record (a few hundred bytes,
        // through `memcpy`) only to drop it
        for r in &mut inner.records {
            if let Some(op) = r.op.take() {
                inner.spare_ops.keep(op);
            }
        }
        inner.records.clear();
        self.id.set(NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed));
    }

    /// Runs `f` with recording switched off: values computed inside are
    /// constants (as with PyTorch's `no_grad`).
    ///
    /// ```
    /// let tape = autograd::Tape::new();
    /// let x = tape.var(2.0);
    /// let y = tape.no_grad(|| x * x);
    /// assert!(y.is_constant());
    /// ```
    pub fn no_grad<R>(&self, f: impl FnOnce() -> R) -> R {
        /// Restores the recording flag when dropped, also after a panic in `f`.
        struct Restore<'a, E: Real>(&'a Tape<E>, bool);
        impl<E: Real> Drop for Restore<'_, E> {
            fn drop(&mut self) {
                self.0.set_flag(NO_GRAD, self.1);
            }
        }
        let _restore = Restore(self, self.slow.get() & NO_GRAD != 0);
        self.set_flag(NO_GRAD, true);
        f()
    }

    /// Whether operations are being recorded (false inside [`Tape::no_grad`]).
    pub fn grad_enabled(&self) -> bool {
        self.slow.get() & NO_GRAD == 0
    }

    /// Whether a scalar op is recorded the common way: recording on, no
    /// anomaly detection, no kept graph, nobody reading the node list.
    #[inline(always)]
    pub(crate) fn fast(&self) -> bool {
        self.slow.get() == 0
    }

    /// Sets or clears one bit of the `slow` word.
    fn set_flag(&self, flag: u32, on: bool) {
        let s = self.slow.get();
        self.slow.set(if on { s | flag } else { s & !flag });
        self.update_room();
    }

    /// Sets `room` from `slow` and the list's capacity.
    fn update_room(&self) {
        // SAFETY: a shared look at the capacity; no `&mut` to the list is
        // alive outside `try_push` and `push_unlabelled` (see `Tape::push`).
        let capacity = unsafe { (*self.nodes.get()).capacity() };
        let room = if self.slow.get() == 0 { capacity } else { 0 };
        // at most NONE, so that every index is below NONE (see `grow`)
        self.room.set(room.min(NONE as usize));
    }

    /// Switches NaN/infinity detection on or off.
    ///
    /// When on, the first operation whose output is not finite panics with
    /// its name and its input shapes and values, instead of letting NaN flow
    /// on into the loss and the weights. A scalar op also panics when a
    /// local derivative it records is not finite (√x at 0), and a tensor
    /// op's backward when a gradient it returns is not finite.
    ///
    /// ```should_panic
    /// let tape = autograd::Tape::new();
    /// tape.detect_anomaly(true);
    /// let x = tape.var(-1.0);
    /// let _ = x.ln(); // panics: "non-finite value from `ln` ..."
    /// ```
    pub fn detect_anomaly(&self, on: bool) {
        self.set_flag(ANOMALY, on);
    }

    /// Whether NaN/infinity detection is on.
    pub fn anomaly_detection(&self) -> bool {
        self.slow.get() & ANOMALY != 0
    }

    /// Switches keeping the graph on or off: while on, every scalar node
    /// recorded also keeps its op's name and its value, so that
    /// [`Tape::graph`] and [`Tape::to_dot`] can show them (tensor nodes
    /// always keep both). Off by default: a scalar node is then 24 bytes
    /// (for `f64`) and nothing else, which is what a training loop wants.
    ///
    /// ```
    /// let tape = autograd::Tape::new();
    /// tape.keep_graph(true);
    /// let w = tape.var(0.5);
    /// let e = (w * 0.4).sigmoid();
    /// let graph = tape.graph();
    /// assert_eq!(graph.nodes[2].op, "sigmoid");
    /// assert_eq!(graph.nodes[2].value, Some(vec![e.value()]));
    /// ```
    pub fn keep_graph(&self, on: bool) {
        self.set_flag(KEEP_GRAPH, on);
    }

    pub(crate) fn id(&self) -> u64 {
        self.id.get()
    }

    /// Records a scalar node made by `op` with value `value`.
    ///
    /// The node list lives in an `UnsafeCell`, not a `RefCell`, and this is
    /// why that is sound. A `Tape` is not `Sync` (its `Cell`s), so only this
    /// thread touches the list. References into it are of two kinds: the
    /// `&mut` of `try_push` and `push_unlabelled`, which lives inside the
    /// function only and runs no other code while alive, and the shared
    /// slices of [`Tape::nodes`] guards, which count themselves in `slow`
    /// while alive. While a guard is alive `room` is zero and a push takes
    /// the slow path, which panics as a `RefCell` would (a push from an op's
    /// backward during a sweep, say); so the `&mut` is never made while a
    /// shared slice exists. `Tape::clear` takes `&mut self`.
    #[inline(always)]
    pub(crate) fn push(&self, node: PackedNode<E>, op: &'static str, value: E) -> NodeId {
        match self.try_push(node) {
            Some(id) => id,
            None => self.push_slow(node, op, value),
        }
    }

    /// The fast path of [`Tape::push`]: appends `node` and returns its index
    /// if `room` allows (nothing rare is on, and the list has spare
    /// capacity); `None` otherwise.
    #[inline(always)]
    pub(crate) fn try_push(&self, node: PackedNode<E>) -> Option<NodeId> {
        let nodes = self.nodes.get();
        // SAFETY: a shared look at the length (see `Tape::push`).
        let id = unsafe { (*nodes).len() };
        if id >= self.room.get() {
            return None;
        }
        // SAFETY: `room` is nonzero, so no reader is alive and this `&mut`
        // is the only reference (see `Tape::push`); id < room <= capacity,
        // so the write is inside the allocation, and the new length covers
        // written nodes only.
        unsafe {
            let nodes = &mut *nodes;
            nodes.as_mut_ptr().add(id).write(node);
            nodes.set_len(id + 1);
        }
        // room <= NONE, so id < NONE
        Some(id as NodeId)
    }

    /// [`Tape::push`] off the fast path: the list full (it grows), a reader
    /// alive (a panic) or the graph kept (the node's label is recorded too).
    #[cold]
    #[inline(never)]
    fn push_slow(&self, node: PackedNode<E>, op: &'static str, value: E) -> NodeId {
        let id = self.push_unlabelled(node);
        if self.slow.get() & KEEP_GRAPH != 0 {
            self.inner.borrow_mut().labels.push((id, op, value));
        }
        id
    }

    /// Records a node without a label (the node kept for a tensor).
    ///
    /// # Panics
    /// While the node list is being read (a push from inside a sweep).
    fn push_unlabelled(&self, node: PackedNode<E>) -> NodeId {
        if self.slow.get() >= READER {
            panic!("cannot record on a tape while its nodes are being read (from inside a backward pass?)");
        }
        // SAFETY: no reader is alive (tested just above), so this `&mut` is
        // the only reference to the list (see `Tape::push`); it ends before
        // `update_room` looks at the list again.
        let nodes = unsafe { &mut *self.nodes.get() };
        let id = nodes.len();
        if id == nodes.capacity() {
            grow(nodes);
        }
        // the capacity never exceeds NONE (see `grow`), so id < NONE
        nodes.push(node);
        self.update_room();
        id as NodeId
    }

    #[cold]
    #[track_caller]
    pub(crate) fn report_non_finite(&self, op: &str, inputs: &[String], value: &str) -> ! {
        panic!(
            "anomaly detection: non-finite value from `{op}` at tape node {} (inputs: {}; output: {value})",
            self.len(),
            inputs.join(", ")
        );
    }

    pub(crate) fn push_tensor(
        &self,
        value: Tensor<E>,
        tracked: bool,
        op: Option<Box<dyn Op<E>>>,
        inputs: SmallVec<[NodeId; 3]>,
        saved: SmallVec<[Tensor<E>; 3]>,
    ) -> TensorVar<'_, E> {
        let mut inner = self.inner.borrow_mut();
        let rec = inner.records.len() as u32;
        let node = self.push_unlabelled(Node::Tensor { rec }.pack());
        inner.records.push(Record {
            tracked,
            op,
            inputs,
            saved,
            value,
        });
        TensorVar::new(self, node, rec)
    }

    /// Applies an [`Op`] to tensor values on this tape: the single way every
    /// tensor operation, built-in or user-defined, is recorded.
    ///
    /// The op's forward runs now; its backward runs during the reverse sweep
    /// if any input is tracked. Inputs that are scalar [`Var`]s are passed to
    /// the op as 0-dimensional tensors (see [`Input`]).
    ///
    /// # Errors
    /// Whatever the op's forward returns (shape errors, typically).
    ///
    /// # Panics
    /// If the inputs come from another tape.
    #[track_caller]
    pub fn apply<'t, O: Op<E>>(
        &'t self,
        op: O,
        inputs: &[Input<'t, E>],
    ) -> Result<TensorVar<'t, E>> {
        let mut ids: SmallVec<[NodeId; 3]> = SmallVec::new();
        let mut saved: SmallVec<[Tensor<E>; 3]> = SmallVec::new();
        let mut tracked = false;
        {
            let inner = self.inner.borrow();
            for x in inputs {
                match *x {
                    Input::Tensor(t) => {
                        t.check_tape(self, op.name());
                        let r = &inner.records[t.rec() as usize];
                        tracked |= r.tracked;
                        ids.push(t.node());
                        saved.push(r.value.clone());
                    }
                    Input::Scalar(v) => {
                        v.check_tape(self, op.name());
                        tracked |= !v.is_constant();
                        ids.push(v.node());
                        saved.push(Tensor::scalar(v.value()));
                    }
                }
            }
        }
        let value = {
            let refs: SmallVec<[&Tensor<E>; 3]> = saved.iter().collect();
            op.forward(&refs)?
        };
        if self.anomaly_detection() && !value.data().iter().all(|x| x.is_finite()) {
            let shapes: Vec<String> = saved.iter().map(|t| format!("{t:?}")).collect();
            self.report_non_finite(op.name(), &shapes, &format!("{value:?}"));
        }
        tracked &= self.grad_enabled();
        if tracked {
            let op = self.inner.borrow_mut().spare_ops.boxed(op);
            Ok(self.push_tensor(value, true, Some(op), ids, saved))
        } else {
            Ok(self.push_tensor(value, false, None, SmallVec::new(), SmallVec::new()))
        }
    }
}

/// An input to [`Tape::apply`]: a tensor or a scalar on the same tape.
#[derive(Clone, Copy, Debug)]
pub enum Input<'t, E: Real> {
    /// A tensor value.
    Tensor(TensorVar<'t, E>),
    /// A scalar value, seen by the op as a 0-dimensional tensor.
    Scalar(Var<'t, E>),
}

impl<'t, E: Real> From<TensorVar<'t, E>> for Input<'t, E> {
    fn from(t: TensorVar<'t, E>) -> Self {
        Input::Tensor(t)
    }
}

impl<'t, E: Real> From<Var<'t, E>> for Input<'t, E> {
    fn from(v: Var<'t, E>) -> Self {
        Input::Scalar(v)
    }
}

/// Builds a shape error (kept here so ops can share it).
pub(crate) fn same_shape(
    op: &'static str,
    a: &Tensor<impl Real>,
    b: &Tensor<impl Real>,
) -> Result<()> {
    if a.shape() != b.shape() {
        return Err(Error::shape(op, &[a.shape(), b.shape()], "equal shapes"));
    }
    Ok(())
}
