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
use smallvec::SmallVec;
use std::alloc::Layout;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

/// Index of a node on a tape.
pub(crate) type NodeId = u32;

/// The index a constant scalar carries: it is not on the tape.
pub(crate) const CONST: NodeId = NodeId::MAX;

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(1);

/// One recorded operation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Node<E> {
    /// An input: a scalar variable.
    Leaf,
    /// y = f(a), with ∂y/∂a recorded.
    Unary { a: NodeId, da: E },
    /// y = f(a, b), with ∂y/∂a and ∂y/∂b recorded.
    Binary { a: NodeId, b: NodeId, da: E, db: E },
    /// A tensor (leaf or op result); its record holds value and backward.
    Tensor { rec: u32 },
}

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
    pub nodes: Vec<Node<E>>,
    pub records: Vec<Record<E>>,
    /// Whether scalar nodes' op names and values are kept (see
    /// [`Tape::keep_graph`]).
    pub keep_graph: bool,
    /// With `keep_graph`: (node, op name, value) of each scalar node
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
    pub(crate) inner: RefCell<Inner<E>>,
    id: Cell<u64>,
    grad_enabled: Cell<bool>,
    detect_anomaly: Cell<bool>,
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
        let inner = self.inner.borrow();
        f.debug_struct("Tape")
            .field("dtype", &E::NAME)
            .field("nodes", &inner.nodes.len())
            .field("tensors", &inner.records.len())
            .finish()
    }
}

impl<E: Real> Tape<E> {
    /// An empty tape with room for `nodes` nodes before it reallocates.
    pub fn with_capacity(nodes: usize) -> Self {
        Tape {
            inner: RefCell::new(Inner {
                nodes: Vec::with_capacity(nodes),
                records: Vec::new(),
                keep_graph: false,
                labels: Vec::new(),
                spare_ops: SpareOps::default(),
            }),
            id: Cell::new(NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed)),
            grad_enabled: Cell::new(true),
            detect_anomaly: Cell::new(false),
        }
    }

    /// A new scalar variable: an input that gradients are computed for.
    pub fn var(&self, x: f64) -> Var<'_, E> {
        self.var_e(E::from_f64(x))
    }

    /// A new scalar variable from a value of the element type.
    pub fn var_e(&self, x: E) -> Var<'_, E> {
        if !self.grad_enabled.get() {
            return Var::constant(self, x);
        }
        let id = self.push(Node::Leaf, "var", x);
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
        let tracked = self.grad_enabled.get();
        self.push_tensor(x, tracked, None, SmallVec::new(), SmallVec::new())
    }

    /// A tensor constant: it takes part in arithmetic but gets no gradient.
    pub fn tensor_constant(&self, x: Tensor<E>) -> TensorVar<'_, E> {
        self.push_tensor(x, false, None, SmallVec::new(), SmallVec::new())
    }

    /// Number of recorded nodes (scalar and tensor).
    pub fn len(&self) -> usize {
        self.inner.borrow().nodes.len()
    }

    /// Whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Node capacity currently reserved (kept across [`Tape::clear`]).
    pub fn capacity(&self) -> usize {
        self.inner.borrow().nodes.capacity()
    }

    /// Forgets every recorded node, keeping the memory for reuse: the node
    /// list, the boxes of the ops and (through [`crate::pool`]) the tensor
    /// buffers, so that recording the same work again allocates nothing.
    ///
    /// Needs `&mut self`, so no handle into the tape can still be alive.
    /// [`crate::Grads`] from before the clear no longer match new values (a
    /// lookup panics instead of returning a wrong gradient).
    pub fn clear(&mut self) {
        let inner = self.inner.get_mut();
        inner.nodes.clear();
        inner.labels.clear();
        for r in inner.records.drain(..) {
            if let Some(op) = r.op {
                inner.spare_ops.keep(op);
            }
        }
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
        struct Restore<'a>(&'a Cell<bool>, bool);
        impl Drop for Restore<'_> {
            fn drop(&mut self) {
                self.0.set(self.1);
            }
        }
        let _restore = Restore(&self.grad_enabled, self.grad_enabled.replace(false));
        f()
    }

    /// Whether operations are being recorded (false inside [`Tape::no_grad`]).
    pub fn grad_enabled(&self) -> bool {
        self.grad_enabled.get()
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
        self.detect_anomaly.set(on);
    }

    /// Whether NaN/infinity detection is on.
    pub fn anomaly_detection(&self) -> bool {
        self.detect_anomaly.get()
    }

    /// Switches keeping the graph on or off: while on, every scalar node
    /// recorded also keeps its op's name and its value, so that
    /// [`Tape::graph`] and [`Tape::to_dot`] can show them (tensor nodes
    /// always keep both). Off by default: a scalar node is then 32 bytes
    /// and nothing else, which is what a training loop wants.
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
        self.inner.borrow_mut().keep_graph = on;
    }

    pub(crate) fn id(&self) -> u64 {
        self.id.get()
    }

    /// Records a scalar node made by `op` with value `value`.
    #[inline(always)]
    pub(crate) fn push(&self, node: Node<E>, op: &'static str, value: E) -> NodeId {
        let mut inner = self.inner.borrow_mut();
        let id = inner.nodes.len();
        if id >= CONST as usize {
            tape_full(id);
        }
        inner.nodes.push(node);
        if inner.keep_graph {
            inner.labels.push((id as NodeId, op, value));
        }
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
        let node = inner.nodes.len() as NodeId;
        let rec = inner.records.len() as u32;
        inner.nodes.push(Node::Tensor { rec });
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
        if self.detect_anomaly.get() && !value.data().iter().all(|x| x.is_finite()) {
            let shapes: Vec<String> = saved.iter().map(|t| format!("{t:?}")).collect();
            self.report_non_finite(op.name(), &shapes, &format!("{value:?}"));
        }
        tracked &= self.grad_enabled.get();
        if tracked {
            let op = self.inner.borrow_mut().spare_ops.boxed(op);
            Ok(self.push_tensor(value, true, Some(op), ids, saved))
        } else {
            Ok(self.push_tensor(value, false, None, SmallVec::new(), SmallVec::new()))
        }
    }
}

#[cold]
#[inline(never)]
fn tape_full(nodes: usize) -> ! {
    panic!("tape is full ({nodes} nodes)")
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
