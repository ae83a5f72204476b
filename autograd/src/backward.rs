//! The reverse sweep and the gradients it returns.

use crate::grad_product::{self, Product};
use crate::op::{Backward, Sent};
use crate::real::Real;
use crate::scalar::Var;
use crate::tape::{Node, NodeId, PackedNode, Tape, CONST};
use crate::tensor::{Tensor, TensorKey, TensorVar};
use smallvec::SmallVec;
use std::ops::Index;
use std::sync::OnceLock;

/// A [`TensorKey`] from another tape (or another recording of the same
/// tape) than the [`Grads`] it was looked up in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ForeignKey;

impl std::fmt::Display for ForeignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the value comes from a different tape (or from the same tape after clear) than these gradients")
    }
}

impl std::error::Error for ForeignKey {}

/// Gradients from a backward pass, owned and independent of the tape's borrow.
///
/// Look a scalar's gradient up with `grads[var]` and a tensor's with
/// `grads[tensor]` or [`Grads::wrt`]. Gradients are kept for every scalar and
/// for every tensor *input* (variables made with [`Tape::tensor`]);
/// intermediate tensor gradients are freed as soon as the sweep has used
/// them. An input (or constant) the output does not depend on has gradient
/// zero: `grads[tensor]` gives zeros of its shape, [`Grads::wrt`] gives
/// `None` for code that wants to know, and [`Grads::unreached`] lists the
/// parameters no gradient reached.
///
/// ```
/// use autograd::{Tape, Tensor};
/// let tape = Tape::new();
/// let (w, unused) = (tape.tensor(Tensor::ones(&[2])), tape.tensor(Tensor::ones(&[3])));
/// let g = (w * w).sum().backward();
/// assert_eq!(g[unused].data(), &[0.0, 0.0, 0.0]);
/// assert!(g.wrt(unused).is_none());
/// assert_eq!(g.unreached(&[w.key(), unused.key()]), Ok(vec![1]));
/// ```
///
/// Indexing with a value from another tape (or from before
/// [`Tape::clear`]) panics rather than return a wrong gradient.
#[derive(Clone, Debug)]
pub struct Grads<E: Real = f64> {
    tape_id: u64,
    pub(crate) scalar: Vec<E>,
    tensor: Vec<Option<Tensor<E>>>,
    /// The gradients of inputs kept as a product's factors (by record; the
    /// record's `tensor` slot is then empty), multiplied when first read;
    /// reused through the pool with the slot vectors.
    products: Vec<(u32, Product<E>)>,
    zero: E,
    /// Zeros handed out by `grads[tensor]` for leaves no gradient reached,
    /// one slot per tensor record, made on the first such lookup.
    zeros: OnceLock<Box<[OnceLock<Tensor<E>>]>>,
}

impl<E: Real> Drop for Grads<E> {
    fn drop(&mut self) {
        crate::pool::give_grad_slots((
            std::mem::take(&mut self.scalar),
            std::mem::take(&mut self.tensor),
            std::mem::take(&mut self.products),
        ));
    }
}

impl<E: Real> Default for Grads<E> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<E: Real> Grads<E> {
    /// Gradients of nothing: every lookup is zero / `None` until a backward
    /// pass fills them (see [`Var::backward_into`]).
    pub fn empty() -> Self {
        Grads {
            tape_id: 0,
            scalar: Vec::new(),
            tensor: Vec::new(),
            products: Vec::new(),
            zero: E::zero(),
            zeros: OnceLock::new(),
        }
    }

    #[track_caller]
    fn check(&self, tape_id: u64) {
        if self.tape_id != 0 && self.tape_id != tape_id {
            panic!(
                "gradient lookup: the value comes from a different tape (or from the same tape after clear) than these gradients"
            );
        }
    }

    /// The gradient of a tensor input, shaped like it; `None` for constants,
    /// for intermediate results and for inputs the output does not depend on.
    ///
    /// # Panics
    /// If `x` comes from another tape.
    #[track_caller]
    pub fn wrt(&self, x: TensorVar<'_, E>) -> Option<&Tensor<E>> {
        self.check(x.tape().id());
        self.at(x.rec())
    }

    /// The gradient of record `rec` (a product multiplied on first read).
    fn at(&self, rec: u32) -> Option<&Tensor<E>> {
        match self.tensor.get(rec as usize).and_then(|g| g.as_ref()) {
            Some(g) => Some(g),
            None => self.product(rec).map(Product::dense),
        }
    }

    fn product(&self, rec: u32) -> Option<&Product<E>> {
        grad_product::find(&self.products, rec)
    }

    /// Whether record `rec` has a gradient, without multiplying a product.
    fn reached(&self, rec: u32) -> bool {
        self.tensor.get(rec as usize).is_some_and(|g| g.is_some()) || self.product(rec).is_some()
    }

    fn check_key(&self, key: TensorKey) -> Result<(), ForeignKey> {
        if self.tape_id != 0 && self.tape_id != key.tape_id() {
            return Err(ForeignKey);
        }
        Ok(())
    }

    /// The gradient of the tensor input with this key ([`TensorVar::key`]),
    /// as [`Grads::wrt`] gives it (`Ok(None)` for a constant or an input the
    /// output does not depend on).
    ///
    /// # Errors
    /// [`ForeignKey`] if the key was taken on another tape, or on this tape
    /// before or after the recording these gradients come from.
    pub fn get(&self, key: TensorKey) -> Result<Option<&Tensor<E>>, ForeignKey> {
        self.check_key(key)?;
        Ok(self.at(key.rec()))
    }

    /// The shape of the gradient [`Grads::get`] gives for this key, without
    /// computing a gradient that is kept as a product.
    ///
    /// # Errors
    /// As [`Grads::get`].
    pub fn shape_of(&self, key: TensorKey) -> Result<Option<&[usize]>, ForeignKey> {
        self.check_key(key)?;
        let rec = key.rec();
        Ok(
            match self.tensor.get(rec as usize).and_then(|g| g.as_ref()) {
                Some(g) => Some(g.shape()),
                None => self.product(rec).map(Product::shape),
            },
        )
    }

    /// w ← w + k·g for the gradient g of the tensor input with this key, as
    /// `w.add_scaled(k, g)` does (an SGD step, with k = −lr), returning
    /// whether there was a gradient (none: w is left as it is). A gradient
    /// kept as a product ([`crate::Backward::set_grad_product`]) that was not
    /// read yet is multiplied straight into w, with no buffer of its own and
    /// no second pass over w: the same bits as `add_scaled` for `f64`
    /// products under [`crate::PARALLEL_MIN_MACS`] multiply-adds (the
    /// fixed-order loop); the crates' kernels may round differently in the
    /// last bit.
    ///
    /// ```
    /// use autograd::{Tape, Tensor};
    /// let tape = Tape::new();
    /// let x = tape.tensor_constant(Tensor::from_vec(&[1, 2], vec![1.0, 2.0]).unwrap());
    /// let w = tape.tensor(Tensor::from_vec(&[2, 1], vec![0.5, 0.5]).unwrap());
    /// let key = w.key();
    /// let g = x.matmul(w).sum().backward();
    /// let mut p = w.value().clone();
    /// drop(tape);
    /// assert_eq!(g.add_scaled_to(key, -0.1, &mut p), Ok(true));
    /// assert_eq!(p.data(), &[0.5 - 0.1 * 1.0, 0.5 - 0.1 * 2.0]);
    /// ```
    ///
    /// # Errors
    /// As [`Grads::get`].
    ///
    /// # Panics
    /// If w is not shaped like the gradient.
    pub fn add_scaled_to(
        &self,
        key: TensorKey,
        k: E,
        w: &mut Tensor<E>,
    ) -> Result<bool, ForeignKey> {
        self.check_key(key)?;
        let rec = key.rec();
        if let Some(g) = self.tensor.get(rec as usize).and_then(|g| g.as_ref()) {
            w.add_scaled(k, g);
            return Ok(true);
        }
        match self.product(rec) {
            Some(p) => {
                p.add_scaled_to(k, w);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Takes a tensor input's gradient out of the store (no copy).
    ///
    /// # Panics
    /// If `x` comes from another tape.
    #[track_caller]
    pub fn take(&mut self, x: TensorVar<'_, E>) -> Option<Tensor<E>> {
        self.check(x.tape().id());
        match self.tensor.get_mut(x.rec() as usize).and_then(|g| g.take()) {
            Some(g) => Some(g),
            None => grad_product::take(&mut self.products, x.rec()).map(Product::into_dense),
        }
    }

    /// The gradient of a scalar, or zero for constants.
    ///
    /// # Panics
    /// If `x` comes from another tape.
    #[track_caller]
    pub fn scalar(&self, x: Var<'_, E>) -> E {
        self[x]
    }

    /// Adds another set of gradients from the same tape into this one.
    ///
    /// # Panics
    /// If the two come from different tapes.
    #[track_caller]
    pub fn accumulate(&mut self, other: &Grads<E>) {
        if other.tape_id == 0 {
            return;
        }
        self.check(other.tape_id);
        self.tape_id = other.tape_id;
        for (rec, p) in self.products.drain(..) {
            if self.tensor.len() <= rec as usize {
                self.tensor.resize(rec as usize + 1, None);
            }
            self.tensor[rec as usize] = Some(p.into_dense());
        }
        if self.scalar.len() < other.scalar.len() {
            self.scalar.resize(other.scalar.len(), E::zero());
        }
        for (a, &b) in self.scalar.iter_mut().zip(&other.scalar) {
            *a += b;
        }
        if self.tensor.len() < other.tensor.len() {
            self.tensor.resize(other.tensor.len(), None);
        }
        for (rec, a) in self.tensor.iter_mut().enumerate() {
            if let Some(b) = other.at(rec as u32) {
                *a = Some(match a.take() {
                    Some(t) => t.add(b),
                    None => b.clone(),
                });
            }
        }
    }

    /// The positions in `keys` of the tensors no gradient reached (the
    /// output does not depend on them): for a model's parameters, the
    /// parameters that training would silently leave unchanged.
    ///
    /// # Errors
    /// [`ForeignKey`] if a key was taken on another tape or recording.
    pub fn unreached(&self, keys: &[TensorKey]) -> Result<Vec<usize>, ForeignKey> {
        let mut out = Vec::new();
        for (i, &k) in keys.iter().enumerate() {
            self.check_key(k)?;
            if !self.reached(k.rec()) {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// Whether no backward pass has filled these gradients.
    pub fn is_empty(&self) -> bool {
        self.tape_id == 0
    }
}

impl<E: Real> Index<Var<'_, E>> for Grads<E> {
    type Output = E;
    #[track_caller]
    fn index(&self, x: Var<'_, E>) -> &E {
        if x.is_constant() {
            return &self.zero;
        }
        self.check(x.tape().id());
        self.scalar.get(x.node() as usize).unwrap_or(&self.zero)
    }
}

impl<E: Real> Index<TensorVar<'_, E>> for Grads<E> {
    type Output = Tensor<E>;
    /// The gradient of a tensor input; zeros of its shape for an input or
    /// constant the output does not depend on.
    ///
    /// # Panics
    /// If `x` comes from another tape, or is an intermediate result (its
    /// gradient was freed during the sweep).
    #[track_caller]
    fn index(&self, x: TensorVar<'_, E>) -> &Tensor<E> {
        if let Some(g) = self.wrt(x) {
            return g;
        }
        let inner = x.tape().inner.borrow();
        let records = &inner.records;
        let rec = x.rec() as usize;
        if records[rec].op.is_some() {
            panic!(
                "no gradient for tensor {:?}: it is an intermediate result (only inputs keep their gradients; use Grads::wrt for an Option)",
                x.shape()
            );
        }
        let slots = self
            .zeros
            .get_or_init(|| (0..records.len()).map(|_| OnceLock::new()).collect());
        match slots.get(rec) {
            Some(slot) => slot.get_or_init(|| Tensor::zeros(records[rec].value.shape())),
            None => panic!(
                "no gradient for tensor {:?}: it was recorded after these gradients were first looked up",
                x.shape()
            ),
        }
    }
}

/// What a sweep for the graph view keeps besides [`Grads`]: every tensor
/// node's gradient (by record; the sweep frees intermediate ones) and the
/// gradient each tensor op sends to each of its inputs.
#[derive(Default)]
pub(crate) struct Kept<E: Real> {
    /// The gradient of tensor record `r`, when the sweep reached it.
    pub grads: Vec<Option<Tensor<E>>>,
    /// (op node, input position, the gradient sent to that input).
    pub sent: Vec<(NodeId, usize, Tensor<E>)>,
}

/// Runs the reverse sweep from node `out`, seeded with `seed` (a tensor
/// gradient) or `seed_scalar` (for a one-element output), adding into
/// `grads`; with `kept`, also keeps what the graph view shows.
pub(crate) fn sweep<E: Real>(
    tape: &Tape<E>,
    out: NodeId,
    seed: Option<Tensor<E>>,
    seed_scalar: E,
    grads: &mut Grads<E>,
    mut kept: Option<&mut Kept<E>>,
) {
    if !grads.is_empty() {
        grads.check(tape.id());
        let mut fresh = Grads::empty();
        sweep(tape, out, seed, seed_scalar, &mut fresh, kept);
        grads.accumulate(&fresh);
        return;
    }
    let inner = tape.inner.borrow();
    let nodes = tape.nodes();
    let records = &inner.records;
    grads.tape_id = tape.id();
    // one scalar slot more than nodes: the scratch slot of the sweep below
    let scratch = nodes.len();
    if grads.scalar.capacity() < scratch + 1 || grads.tensor.capacity() < records.len() {
        let (s, t, p) = crate::pool::take_grad_slots(scratch + 1, records.len());
        grads.scalar = s;
        grads.tensor = t;
        grads.products = p;
    }
    grads.scalar.clear();
    grads.scalar.resize(nodes.len(), E::zero());
    grads.tensor.clear();
    grads.tensor.resize(records.len(), None);
    grads.products.clear();
    if let Some(k) = kept.as_deref_mut() {
        k.grads.clear();
        k.grads.resize(records.len(), None);
    }
    if out == CONST {
        return;
    }
    let adj = &mut grads.scalar;
    let tadj = &mut grads.tensor;
    let products = &mut grads.products;
    match (nodes[out as usize].unpack(), seed) {
        (Node::Tensor { rec }, Some(s)) => tadj[rec as usize] = Some(s),
        _ => adj[out as usize] = seed_scalar,
    }
    let zero = E::zero();
    let anomaly = tape.anomaly_detection();
    // The scratch slot, `adj[scratch]`: a scalar node's missing input (`NONE`)
    // points there, so that a leaf, a unary and a binary node are all
    // updated the same way, with no branch on the kind. Dropped at the end.
    adj.push(zero);
    // a slice: its data pointer stays in a register (a `Vec`'s would be
    // loaded again after every store into it)
    let adj = &mut adj[..];
    // an input's gradient given as a product stays one unless the graph
    // view or the anomaly check wants to see it
    let defer = kept.is_none() && !anomaly;
    // runs of scalar nodes go to `scalar_run`, which indexes without bounds checks
    let nodes = &nodes[..=out as usize];
    debug_assert_eq!(adj.len(), scratch + 1);
    let mut next = nodes.len();
    while next > 0 {
        let i = next - 1;
        next = i;
        let node = nodes[i];
        match node.unpack() {
            Node::Tensor { rec } => {
                let r = &records[rec as usize];
                if !r.tracked {
                    continue;
                }
                let mut g = tadj[rec as usize].take();
                let s = adj[i];
                if s != zero && r.value.len() == 1 {
                    g = Some(match g {
                        Some(t) => t.map(|x| x + s),
                        None => Tensor::full(r.value.shape(), s),
                    });
                }
                let Some(g) = g else { continue };
                if let Some(k) = kept.as_deref_mut() {
                    k.grads[rec as usize] = Some(g.clone());
                }
                if r.value.len() == 1 {
                    adj[i] = g.data()[0];
                }
                let Some(op) = &r.op else {
                    tadj[rec as usize] = Some(g);
                    continue;
                };
                // pushed one by one: `collect` goes through SmallVec's
                // generic `extend`, several times the instructions
                let mut needs: SmallVec<[bool; 4]> = SmallVec::new();
                for &n in &r.inputs {
                    needs.push(
                        n != CONST
                            && match nodes[n as usize].unpack() {
                                Node::Tensor { rec } => records[rec as usize].tracked,
                                _ => true,
                            },
                    );
                }
                let mut cx = Backward {
                    name: op.name(),
                    inputs: &r.saved,
                    output: &r.value,
                    grad: &g,
                    needs: &needs,
                    grads: SmallVec::new(),
                };
                // the empty slots made in place (a vector built outside
                // would be moved in whole)
                for _ in 0..needs.len() {
                    cx.grads.push(None);
                }
                op.backward(&mut cx);
                // taken where they lie (`into_iter` would first move the
                // whole vector, through `memcpy`)
                for j in 0..cx.grads.len() {
                    let Some(dx) = cx.grads[j].take() else {
                        continue;
                    };
                    let n = r.inputs[j] as usize;
                    let dx = match (dx, nodes[n].unpack()) {
                        // the first gradient of an input (not one element,
                        // whose value a scalar view reads in the sweep), given
                        // as a product: kept as one (see `Backward::set_grad_product`)
                        (Sent::Product(p), Node::Tensor { rec: r2 })
                            if defer
                                && records[r2 as usize].op.is_none()
                                && records[r2 as usize].value.len() > 1
                                && tadj[r2 as usize].is_none()
                                && grad_product::find(products, r2).is_none() =>
                        {
                            products.push((r2, p));
                            continue;
                        }
                        (dx, _) => dx.into_dense(),
                    };
                    if let Some(k) = kept.as_deref_mut() {
                        k.sent.push((i as NodeId, j, dx.clone()));
                    }
                    if anomaly && !dx.data().iter().all(|x| x.is_finite()) {
                        panic!(
                            "anomaly detection: non-finite gradient from the backward of `{}` for input {j} (shape {:?})",
                            op.name(),
                            dx.shape()
                        );
                    }
                    match nodes[n].unpack() {
                        Node::Tensor { rec: r2 } => {
                            if let Some(p) = grad_product::take(products, r2) {
                                // a second gradient: the first, multiplied, comes first
                                tadj[r2 as usize] = Some(p.into_dense());
                            }
                            let slot = &mut tadj[r2 as usize];
                            *slot = Some(match slot.take() {
                                Some(mut t) => {
                                    t.add_assign(&dx);
                                    t
                                }
                                None => dx,
                            });
                        }
                        _ => adj[n] += dx.data()[0],
                    }
                }
            }
            // a run of scalar nodes, down to the next tensor node
            _ => next = scalar_run(nodes, adj, scratch, i),
        }
    }
    grads.scalar.truncate(scratch);
}

/// The sweep's scalar update over nodes `top`, `top − 1`, … down to the
/// next tensor node (or node 0); returns the lowest node it updated.
///
/// Every scalar node y = f(a, b) sends ∂y/∂a·ḡ to a and ∂y/∂b·ḡ to b
/// (`NONE`, clamped to `scratch`, is the scratch slot). Nodes whose
/// gradient is zero send nothing: adding 0·ḡ could turn −0 into +0 and 0·∞
/// into NaN. A function of its own, so that this loop, nearly every node of
/// a scalar network, keeps its state in registers (inside the sweep, with
/// the tensor arm around it, the compiler kept `scratch` on the stack and
/// checked the node index against the list once more per node).
///
/// Without bounds checks (they were a fifth of the sweep's instructions),
/// sound because `adj` has one slot per node and the scratch slot
/// (`adj.len() == scratch + 1`, `nodes.len() <= scratch`, asserted once per
/// run), an input index is clamped to at most `scratch`, and `top <
/// nodes.len()`. A scalar node's inputs also always come before it (the
/// debug assertion): `Var::unary` and `Var::binary` record a node only for
/// operands on the same tape (checked), whose ids were handed out by
/// earlier pushes, and `Tape::clear` needs `&mut Tape`, so no older handle
/// survives it. `top` must be a scalar node, or the sweep would not move on.
#[inline(never)]
fn scalar_run<E: Real>(
    nodes: &[PackedNode<E>],
    adj: &mut [E],
    scratch: usize,
    top: usize,
) -> usize {
    assert!(top < nodes.len() && nodes.len() <= scratch && adj.len() == scratch + 1);
    debug_assert!(!nodes[top].is_tensor());
    let zero = E::zero();
    let mut i = top;
    loop {
        // SAFETY: i <= top < nodes.len() (asserted; i only decreases)
        let node = unsafe { *nodes.get_unchecked(i) };
        if node.is_tensor() {
            return i + 1;
        }
        let (a, b) = (
            (node.a as usize).min(scratch),
            (node.b as usize).min(scratch),
        );
        debug_assert!((a < i || a == scratch) && (b < i || b == scratch));
        // SAFETY: i < nodes.len() <= scratch < adj.len(), and a, b <= scratch.
        unsafe {
            let g = *adj.get_unchecked(i);
            if g != zero {
                *adj.get_unchecked_mut(a) += node.da * g;
                *adj.get_unchecked_mut(b) += node.db * g;
            }
        }
        if i == 0 {
            return 0;
        }
        i -= 1;
    }
}
