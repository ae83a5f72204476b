//! [`Tensor`]: a shaped, reference-counted, row-major buffer: its storage,
//! constructors and accessors. The plain (untaped) kernels the ops are built
//! from live with their ops (`crate::ops`), the matrix products in
//! `crate::gemm`, and the element-wise maps in `map.rs`.

use crate::error::{Error, Result};
use crate::real::Real;
use smallvec::SmallVec;
use std::fmt;
use std::mem::ManuallyDrop;
use std::rc::Rc;

/// A tensor's shape: the size of each axis, outermost first.
pub type Shape = SmallVec<[usize; 4]>;

/// An n-dimensional array of `E`, contiguous and row-major.
///
/// Storage is reference counted: cloning a tensor (and saving one for a
/// backward pass) copies no data. Tensors are immutable once built; every
/// kernel returns a new tensor. Buffers of `f32` and `f64` tensors come from
/// and go back to a per-thread cache ([`crate::pool`]), so a training step
/// that repeats the shapes of the last one allocates no memory.
///
/// ```
/// use autograd::Tensor;
/// let t = Tensor::from_vec(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// assert_eq!(t.shape(), &[2, 3]);
/// assert_eq!(t.at(&[1, 0]), 4.0);
/// assert!(Tensor::<f64>::from_vec(&[2, 3], vec![1.0]).is_err());
/// ```
pub struct Tensor<E: Real = f64> {
    shape: Shape,
    // dropped by hand (see `Drop`): the last owner hands it to the pool
    data: ManuallyDrop<Rc<Vec<E>>>,
}

// By hand: the derived clone copies the shape through `SmallVec`'s generic
// `extend`, several times the instructions of `shape_of` (and a training
// step clones a few dozen tensors: saved inputs, products, values).
impl<E: Real> Clone for Tensor<E> {
    fn clone(&self) -> Self {
        Tensor {
            shape: shape_of(&self.shape),
            data: self.data.clone(),
        }
    }
}

impl<E: Real> Drop for Tensor<E> {
    fn drop(&mut self) {
        // SAFETY: `data` is never used again; this is its only take.
        let rc = unsafe { ManuallyDrop::take(&mut self.data) };
        crate::pool::recycle(rc);
    }
}

/// A shape holding `dims`: one fixed-size copy for up to four dimensions
/// (`from_slice` calls `memcpy` for its few bytes, and shapes are copied
/// for nearly every tensor made).
#[inline]
pub(crate) fn shape_of(dims: &[usize]) -> Shape {
    if dims.len() <= 4 {
        let at = |i: usize| dims.get(i).copied().unwrap_or(0);
        SmallVec::from_buf_and_len([at(0), at(1), at(2), at(3)], dims.len())
    } else {
        SmallVec::from_slice(dims)
    }
}

/// The number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Row-major strides of a contiguous shape.
pub fn strides(shape: &[usize]) -> Shape {
    let mut s: Shape = SmallVec::from_elem(1, shape.len());
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

impl<E: Real> Tensor<E> {
    /// A tensor of the given shape over `data` (row-major).
    ///
    /// # Errors
    /// [`Error::DataLength`] if `data.len()` is not the product of `shape`.
    pub fn from_vec(shape: &[usize], data: Vec<E>) -> Result<Self> {
        let expected = numel(shape);
        if expected != data.len() {
            return Err(Error::DataLength {
                shape: shape.to_vec(),
                expected,
                found: data.len(),
            });
        }
        Ok(Self::from_parts(shape_of(shape), data))
    }

    /// A tensor from `f64` values, converted to `E`.
    ///
    /// # Errors
    /// [`Error::DataLength`] if `data.len()` is not the product of `shape`.
    pub fn from_f64(shape: &[usize], data: &[f64]) -> Result<Self> {
        Self::from_vec(shape, data.iter().map(|&x| E::from_f64(x)).collect())
    }

    /// Builds from a shape and a caller's buffer that are known to agree.
    pub(crate) fn from_parts(shape: Shape, data: Vec<E>) -> Self {
        debug_assert_eq!(numel(&shape), data.len());
        crate::pool::adopt::<E>(data.capacity());
        Tensor {
            shape,
            data: ManuallyDrop::new(Rc::new(data)),
        }
    }

    /// A new tensor of `shape` whose elements `fill` pushes, in row-major
    /// order, into an empty buffer with room for exactly that many (taken
    /// from the pool): the way kernels make their outputs.
    #[inline]
    pub(crate) fn build(shape: Shape, fill: impl FnOnce(&mut Vec<E>)) -> Self {
        let n = numel(&shape);
        let mut rc = crate::pool::take::<E>(n);
        let v = Rc::get_mut(&mut rc).expect("a new buffer is unique");
        fill(v);
        assert_eq!(v.len(), n, "kernel filled {} of {n} elements", v.len());
        Tensor {
            shape,
            data: ManuallyDrop::new(rc),
        }
    }

    /// A new tensor of `shape` whose `n` elements `write` fills through a raw
    /// pointer to uninitialised memory (a GEMM's output).
    ///
    /// # Safety
    /// `write` must initialise all `numel(shape)` elements behind the pointer.
    pub(crate) unsafe fn build_uninit(shape: Shape, write: impl FnOnce(*mut E)) -> Self {
        let n = numel(&shape);
        Self::build(shape, |v| {
            write(v.as_mut_ptr());
            // SAFETY: capacity n, all n elements written (the caller's promise),
            // and `E: Copy` has nothing to drop in the memory it replaced.
            unsafe { v.set_len(n) };
        })
    }

    /// A 0-dimensional tensor holding one value.
    pub fn scalar(x: E) -> Self {
        Self::build(SmallVec::new(), |v| v.push(x))
    }

    /// A tensor of the given shape filled with `x`.
    pub fn full(shape: &[usize], x: E) -> Self {
        let n = numel(shape);
        Self::build(shape_of(shape), |v| v.resize(n, x))
    }

    /// A tensor of the given shape holding a copy of `data` (in a buffer from
    /// the pool: what a data loader uses for each batch).
    ///
    /// # Errors
    /// [`Error::DataLength`] if `data.len()` is not the product of `shape`.
    pub fn from_slice(shape: &[usize], data: &[E]) -> Result<Self> {
        let expected = numel(shape);
        if expected != data.len() {
            return Err(Error::DataLength {
                shape: shape.to_vec(),
                expected,
                found: data.len(),
            });
        }
        Ok(Self::build(shape_of(shape), |v| v.extend_from_slice(data)))
    }

    /// A tensor of zeros.
    pub fn zeros(shape: &[usize]) -> Self {
        Self::full(shape, E::zero())
    }

    /// A tensor of ones.
    pub fn ones(shape: &[usize]) -> Self {
        Self::full(shape, E::one())
    }

    /// A tensor whose element at each multi-index is `f(index)`.
    pub fn from_fn(shape: &[usize], mut f: impl FnMut(&[usize]) -> E) -> Self {
        let n = numel(shape);
        let mut idx: Shape = SmallVec::from_elem(0, shape.len());
        Self::build(shape_of(shape), |data| {
            for _ in 0..n {
                data.push(f(&idx));
                for ax in (0..shape.len()).rev() {
                    idx[ax] += 1;
                    if idx[ax] < shape[ax] {
                        break;
                    }
                    idx[ax] = 0;
                }
            }
        })
    }

    /// The size of each axis.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of axes.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements, row-major.
    pub fn data(&self) -> &[E] {
        &self.data
    }

    /// The elements, mutable. Copies the buffer first only if it is shared
    /// (for example still saved on a tape); an optimizer that updates
    /// parameters after the tape is cleared writes in place.
    pub fn data_mut(&mut self) -> &mut [E] {
        if Rc::get_mut(&mut self.data).is_none() {
            let copy = Self::from_slice(&self.shape, self.data()).expect("same shape");
            *self = copy;
        }
        Rc::get_mut(&mut self.data)
            .expect("unique after the copy")
            .as_mut_slice()
    }

    /// The buffer, taken out without a copy when this tensor is its only
    /// owner (copied otherwise).
    pub fn into_vec(self) -> Vec<E> {
        let mut me = ManuallyDrop::new(self);
        // SAFETY: `me` is never dropped, so `data` is taken exactly once here;
        // `shape` is moved out with `take` and dropped normally.
        let rc = unsafe { ManuallyDrop::take(&mut me.data) };
        drop(std::mem::take(&mut me.shape));
        match Rc::try_unwrap(rc) {
            Ok(v) => {
                crate::pool::disown::<E>(v.capacity());
                v
            }
            Err(rc) => {
                let v = rc.as_ref().clone();
                crate::pool::recycle(rc);
                v
            }
        }
    }

    /// The elements as a new `Vec`.
    pub fn to_vec(&self) -> Vec<E> {
        self.data.to_vec()
    }

    /// The elements converted to `f64`.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.data.iter().map(|x| x.to_f64()).collect()
    }

    /// The elements converted to another element type.
    pub fn cast<F: Real>(&self) -> Tensor<F> {
        Tensor::build(self.shape.clone(), |v| {
            v.extend(self.data.iter().map(|x| F::from_f64(x.to_f64())))
        })
    }

    /// The element at a multi-index.
    ///
    /// # Panics
    /// If the index has the wrong number of axes or is out of range.
    #[track_caller]
    pub fn at(&self, index: &[usize]) -> E {
        assert_eq!(
            index.len(),
            self.ndim(),
            "at: expected an index with {} axes for shape {:?}, found {:?}",
            self.ndim(),
            self.shape(),
            index
        );
        let mut off = 0;
        for (ax, (&i, &d)) in index.iter().zip(self.shape.iter()).enumerate() {
            assert!(
                i < d,
                "at: index {i} out of range for axis {ax} of size {d} (shape {:?})",
                self.shape()
            );
            off = off * d + i;
        }
        self.data[off]
    }

    /// The single value of a one-element tensor.
    ///
    /// # Panics
    /// If the tensor does not have exactly one element.
    #[track_caller]
    pub fn item(&self) -> E {
        assert_eq!(
            self.len(),
            1,
            "item: expected a tensor with one element, found shape {:?}",
            self.shape()
        );
        self.data[0]
    }

    /// Whether two tensors share one buffer (no copy was made).
    pub fn shares_storage(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
    }

    /// This tensor under `shape`, which has as many elements (a kernel's
    /// output given its final shape without a copy).
    pub(crate) fn with_shape(mut self, shape: Shape) -> Self {
        debug_assert_eq!(numel(&shape), self.len());
        self.shape = shape;
        self
    }

    /// The same data under a new shape with the same number of elements.
    ///
    /// # Errors
    /// [`Error::Shape`] if the element counts differ.
    pub fn reshape(&self, shape: &[usize]) -> Result<Self> {
        if numel(shape) != self.len() {
            return Err(Error::shape(
                "reshape",
                &[self.shape(), shape],
                format!(
                    "the new shape must have the same number of elements ({})",
                    self.len()
                ),
            ));
        }
        Ok(Tensor {
            shape: shape_of(shape),
            data: self.data.clone(),
        })
    }
}

impl<E: Real> fmt::Debug for Tensor<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor<{}>{:?} ", E::NAME, self.shape.as_slice())?;
        if self.len() <= 64 {
            f.debug_list().entries(self.data.iter()).finish()
        } else {
            write!(f, "[{} elements]", self.len())
        }
    }
}

impl<E: Real> PartialEq for Tensor<E> {
    fn eq(&self, other: &Self) -> bool {
        self.shape == other.shape && self.data == other.data
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_length_error_says_both() {
        let err = Tensor::<f32>::from_vec(&[2, 2], vec![1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data length does not match shape [2, 2]: expected 4 elements, found 3"
        );
    }
}
