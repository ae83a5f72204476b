//! The nodes of a tape: [`Node`], what one recorded operation is,
//! [`PackedNode`], how the tape stores it, and [`Nodes`], a look at them.

use super::{Tape, READER};
use crate::real::Real;

/// Index of a node on a tape.
pub(crate) type NodeId = u32;

/// The index a constant scalar carries: it is not on the tape.
pub(crate) const CONST: NodeId = NodeId::MAX;

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

/// The input index of a [`PackedNode`] without that input (a leaf's two,
/// a unary op's second). The sweep sends its partial (zero) to a scratch
/// slot, so that every scalar node is updated the same way.
pub(crate) const NONE: NodeId = NodeId::MAX - 1;

/// The `a` of a [`PackedNode`] that stands for a tensor node (`b` is its record).
const TENSOR: NodeId = NodeId::MAX;

/// A [`Node`] as the tape stores it: y = f(a, b) with ∂y/∂a = `da` and
/// ∂y/∂b = `db`, the same four fields for every kind of node (a missing
/// input is [`NONE`] with partial zero). So a scalar node is 24 bytes for
/// `f64`, is written without a tag, and the sweep's scalar arm is one
/// straight-line update with no branch on the kind.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PackedNode<E> {
    pub a: NodeId,
    pub b: NodeId,
    pub da: E,
    pub db: E,
}

impl<E: Real> Node<E> {
    /// The node as stored.
    #[inline(always)]
    pub(crate) fn pack(self) -> PackedNode<E> {
        let zero = E::zero();
        let (a, b, da, db) = match self {
            Node::Leaf => (NONE, NONE, zero, zero),
            Node::Unary { a, da } => (a, NONE, da, zero),
            Node::Binary { a, b, da, db } => (a, b, da, db),
            Node::Tensor { rec } => (TENSOR, rec, zero, zero),
        };
        PackedNode { a, b, da, db }
    }
}

impl<E: Real> PackedNode<E> {
    /// Whether it stands for a tensor node.
    #[inline(always)]
    pub(crate) fn is_tensor(&self) -> bool {
        self.a == TENSOR
    }

    /// The node it stands for.
    #[inline(always)]
    pub(crate) fn unpack(self) -> Node<E> {
        let PackedNode { a, b, da, db } = self;
        if self.is_tensor() {
            return Node::Tensor { rec: b };
        }
        match (a, b) {
            (NONE, _) => Node::Leaf,
            (a, NONE) => Node::Unary { a, da },
            (a, b) => Node::Binary { a, b, da, db },
        }
    }
}

/// Makes room for more nodes: doubles the capacity, but never beyond
/// [`NONE`] nodes, so that every index handed out is below `NONE` (and
/// `CONST`).
#[cold]
#[inline(never)]
pub(crate) fn grow<E>(nodes: &mut Vec<PackedNode<E>>) {
    let len = nodes.len();
    let max = NONE as usize;
    if len >= max {
        panic!("tape is full ({len} nodes)");
    }
    nodes.reserve_exact((2 * len).clamp(64, max) - len);
    assert!(
        nodes.capacity() <= max,
        "node capacity beyond the index range"
    );
}

/// A shared look at a tape's node list; recording panics while it is alive
/// (see [`Tape::push`]).
pub(crate) struct Nodes<'a, E: Real> {
    tape: &'a Tape<E>,
    nodes: &'a [PackedNode<E>],
}

impl<E: Real> std::ops::Deref for Nodes<'_, E> {
    type Target = [PackedNode<E>];
    fn deref(&self) -> &[PackedNode<E>] {
        self.nodes
    }
}

impl<E: Real> Drop for Nodes<'_, E> {
    fn drop(&mut self) {
        self.tape.slow.set(self.tape.slow.get() - READER);
        self.tape.update_room();
    }
}

impl<E: Real> Tape<E> {
    /// The node list, for reading; recording panics while the guard is alive.
    pub(crate) fn nodes(&self) -> Nodes<'_, E> {
        let readers = self.slow.get().checked_add(READER);
        self.slow.set(readers.expect("too many node readers"));
        self.update_room();
        // SAFETY: from now until the guard drops, `room` is zero and
        // `push_unlabelled` panics (`slow >= READER`), so no `&mut` to the
        // list is made (see `Tape::push`).
        let nodes = unsafe { &*self.nodes.get() };
        Nodes { tape: self, nodes }
    }
}
