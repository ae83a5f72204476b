//! [`Tensor`]: a shaped, reference-counted, row-major buffer, and the plain
//! (untaped) kernels the ops are built from.

use crate::error::{Error, Result};
use crate::parallel::{for_each_chunk, SharedMut, PARALLEL_MIN_ELEMENTS};
use crate::real::Real;
use crate::simd::fast;
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
#[derive(Clone)]
pub struct Tensor<E: Real = f64> {
    shape: Shape,
    // dropped by hand (see `Drop`): the last owner hands it to the pool
    data: ManuallyDrop<Rc<Vec<E>>>,
}

impl<E: Real> Drop for Tensor<E> {
    fn drop(&mut self) {
        // SAFETY: `data` is never used again; this is its only take.
        let rc = unsafe { ManuallyDrop::take(&mut self.data) };
        crate::pool::recycle(rc);
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

/// The shape two shapes broadcast to under NumPy's rules, or a shape error for `op`.
///
/// Shapes are aligned on their last axis; each pair of sizes must be equal or
/// one of them must be 1.
///
/// ```
/// use autograd::broadcast_shape;
/// assert_eq!(broadcast_shape("add", &[4, 1, 3], &[2, 1]).unwrap().as_slice(), &[4, 2, 3]);
/// assert!(broadcast_shape("add", &[2, 3], &[4]).is_err());
/// ```
pub fn broadcast_shape(op: &'static str, a: &[usize], b: &[usize]) -> Result<Shape> {
    let n = a.len().max(b.len());
    let mut out: Shape = SmallVec::with_capacity(n);
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        let d = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::shape(
                op,
                &[a, b],
                format!(
                    "shapes must be equal or broadcastable (axis {i} from the left has sizes {da} and {db})"
                ),
            ));
        };
        out.push(d);
    }
    Ok(out)
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
        Ok(Self::from_parts(SmallVec::from_slice(shape), data))
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
        Self::build(SmallVec::from_slice(shape), |v| v.resize(n, x))
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
        Ok(Self::build(SmallVec::from_slice(shape), |v| {
            v.extend_from_slice(data)
        }))
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
        Self::build(SmallVec::from_slice(shape), |data| {
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

    /// The rows `rows` (indices along the first axis, in that order, repeats
    /// allowed) as a new tensor, in a buffer from the pool: a mini-batch
    /// drawn from a data set.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let x = Tensor::<f32>::from_vec(&[3, 2], vec![1., 2., 3., 4., 5., 6.]).unwrap();
    /// assert_eq!(x.select_rows(&[2, 0]).unwrap().data(), &[5., 6., 1., 2.]);
    /// assert!(x.select_rows(&[3]).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] for a 0-dimensional tensor; [`Error::OutOfRange`] for
    /// a row index not below the number of rows.
    pub fn select_rows(&self, rows: &[usize]) -> Result<Self> {
        if self.ndim() == 0 {
            return Err(Error::shape(
                "select_rows",
                &[self.shape()],
                "expected a tensor with at least one axis",
            ));
        }
        let n = self.shape[0];
        if let Some((at, &i)) = rows.iter().enumerate().find(|(_, &i)| i >= n) {
            return Err(Error::OutOfRange {
                op: "select_rows",
                what: format!(
                    "row index {i} (at position {at}) is out of range for {n} rows (shape {:?})",
                    self.shape()
                ),
            });
        }
        let w = self.len().checked_div(n).unwrap_or(0);
        let mut shape = self.shape.clone();
        shape[0] = rows.len();
        let src = self.data();
        // SAFETY: every row is copied into, so all elements are written
        Ok(unsafe {
            Self::build_uninit(shape, |out| {
                let out = SharedMut(out);
                let min_rows = PARALLEL_MIN_ELEMENTS / std::cmp::max(w, 1);
                for_each_chunk(rows.len(), min_rows, |r| {
                    for (j, &i) in rows[r.clone()].iter().enumerate() {
                        // SAFETY: row r.start + j of the output, inside it
                        let dst = out.slice((r.start + j) * w..(r.start + j + 1) * w);
                        dst.copy_from_slice(&src[i * w..(i + 1) * w]);
                    }
                });
            })
        })
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
            shape: SmallVec::from_slice(shape),
            data: self.data.clone(),
        })
    }

    /// Applies `f` to every element.
    pub fn map(&self, f: impl Fn(E) -> E) -> Self {
        let x = self.data();
        Self::build(self.shape.clone(), |v| {
            fast(|| {
                for (o, &x) in v.spare_capacity_mut()[..x.len()].iter_mut().zip(x) {
                    o.write(f(x));
                }
            });
            // SAFETY: the loop wrote all x.len() elements.
            unsafe { v.set_len(x.len()) };
        })
    }

    /// Combines two tensors of the same shape element by element.
    ///
    /// # Panics
    /// If the shapes differ (a bug in the caller: ops broadcast first).
    pub fn zip_map(&self, other: &Self, f: impl Fn(E, E) -> E) -> Self {
        assert_eq!(self.shape, other.shape, "zip_map: shapes differ");
        let (x, y) = (self.data(), other.data());
        Self::build(self.shape.clone(), |v| {
            fast(|| {
                let out = v.spare_capacity_mut()[..x.len()].iter_mut();
                for ((o, &a), &b) in out.zip(x).zip(y) {
                    o.write(f(a, b));
                }
            });
            // SAFETY: the loop wrote all x.len() elements (y has as many).
            unsafe { v.set_len(x.len()) };
        })
    }

    /// Combines three tensors of the same shape element by element.
    pub fn zip3_map(&self, b: &Self, c: &Self, f: impl Fn(E, E, E) -> E) -> Self {
        assert!(
            self.shape == b.shape && b.shape == c.shape,
            "zip3_map: shapes differ"
        );
        let (x, y, z) = (self.data(), b.data(), c.data());
        Self::build(self.shape.clone(), |v| {
            fast(|| {
                let out = v.spare_capacity_mut()[..x.len()].iter_mut();
                for (((o, &a), &b), &c) in out.zip(x).zip(y).zip(z) {
                    o.write(f(a, b, c));
                }
            });
            // SAFETY: the loop wrote all x.len() elements (y and z have as many).
            unsafe { v.set_len(x.len()) };
        })
    }

    /// Element-wise sum of two same-shape tensors.
    pub fn add(&self, other: &Self) -> Self {
        self.zip_map(other, |a, b| a + b)
    }

    /// Adds a same-shape tensor into this one, in place (copying first only
    /// if the buffer is shared).
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn add_assign(&mut self, other: &Self) {
        assert_eq!(self.shape, other.shape, "add_assign: shapes differ");
        let (a, b) = (self.data_mut(), other.data());
        fast(|| a.iter_mut().zip(b).for_each(|(a, &b)| *a += b));
    }

    /// self += k·other, in place (copying first only if the buffer is
    /// shared): the update of gradient descent, w ← w − η·g, is
    /// `w.add_scaled(-η, &g)`. Each element is `x + (k·y)` rounded twice,
    /// exactly as the plain loop computes it.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let mut w = Tensor::<f32>::from_vec(&[2], vec![1.0, 2.0]).unwrap();
    /// let g = Tensor::from_vec(&[2], vec![0.5, -1.0]).unwrap();
    /// w.add_scaled(-0.1, &g);
    /// assert_eq!(w.data(), &[1.0 - 0.1 * 0.5, 2.0 + 0.1]);
    /// ```
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn add_scaled(&mut self, k: E, other: &Self) {
        assert_eq!(
            self.shape, other.shape,
            "add_scaled: shapes differ ({:?} and {:?})",
            self.shape, other.shape
        );
        let (a, b) = (self.data_mut(), other.data());
        let out = SharedMut(a.as_mut_ptr());
        // large tensors (a layer's weights) on every core
        for_each_chunk(b.len(), PARALLEL_MIN_ELEMENTS, |r| {
            // SAFETY: the chunks are disjoint ranges of `a` (b's length)
            let a = unsafe { out.slice(r.clone()) };
            fast(|| a.iter_mut().zip(&b[r]).for_each(|(a, &b)| *a += k * b));
        });
    }

    /// Multiplies every element by `k`.
    pub fn scale(&self, k: E) -> Self {
        self.map(|x| x * k)
    }

    /// Sum of all elements.
    pub fn sum_all(&self) -> E {
        self.data.iter().copied().sum()
    }

    /// Repeats this tensor along size-1 (or missing leading) axes to `shape`.
    ///
    /// # Errors
    /// [`Error::Shape`] if this shape does not broadcast to `shape`.
    pub fn broadcast_to(&self, shape: &[usize]) -> Result<Self> {
        let target = broadcast_shape("broadcast_to", self.shape(), shape)?;
        if target.as_slice() != shape {
            return Err(Error::shape(
                "broadcast_to",
                &[self.shape(), shape],
                "the tensor must broadcast to exactly the target shape",
            ));
        }
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let n = shape.len();
        let pad = n - self.ndim();
        let src_strides = strides(self.shape());
        // stride 0 on broadcast axes
        let mut bstride: Shape = SmallVec::from_elem(0, n);
        for ax in 0..self.ndim() {
            if self.shape[ax] != 1 {
                bstride[ax + pad] = src_strides[ax];
            }
        }
        let total = numel(shape);
        let mut idx: Shape = SmallVec::from_elem(0, n);
        Ok(Self::build(SmallVec::from_slice(shape), |out| {
            // fast path: broadcasting a row over leading axes
            let inner = shape[n - 1];
            if n >= 1 && bstride[n - 1] == 1 && inner > 0 {
                let outer = total / inner;
                for _ in 0..outer {
                    let off: usize = (0..n - 1).map(|a| idx[a] * bstride[a]).sum();
                    out.extend_from_slice(&self.data[off..off + inner]);
                    for ax in (0..n - 1).rev() {
                        idx[ax] += 1;
                        if idx[ax] < shape[ax] {
                            break;
                        }
                        idx[ax] = 0;
                    }
                }
            } else {
                for _ in 0..total {
                    let off: usize = (0..n).map(|a| idx[a] * bstride[a]).sum();
                    out.push(self.data[off]);
                    for ax in (0..n).rev() {
                        idx[ax] += 1;
                        if idx[ax] < shape[ax] {
                            break;
                        }
                        idx[ax] = 0;
                    }
                }
            }
        }))
    }

    /// Sums this tensor down to `shape`, the inverse of broadcasting: the
    /// gradient of [`Tensor::broadcast_to`].
    ///
    /// # Errors
    /// [`Error::Shape`] if `shape` does not broadcast to this tensor's shape.
    pub fn sum_to(&self, shape: &[usize]) -> Result<Self> {
        if self.shape() == shape {
            return Ok(self.clone());
        }
        let n = self.ndim();
        if shape.len() > n {
            return Err(Error::shape(
                "sum_to",
                &[self.shape(), shape],
                "the target must have no more axes than the tensor",
            ));
        }
        let pad = n - shape.len();
        for ax in 0..shape.len() {
            if shape[ax] != 1 && shape[ax] != self.shape[ax + pad] {
                return Err(Error::shape(
                    "sum_to",
                    &[self.shape(), shape],
                    "the target shape must broadcast to the tensor's shape",
                ));
            }
        }
        let mut tstride: Shape = SmallVec::from_elem(0, n);
        let ts = strides(shape);
        for ax in 0..shape.len() {
            if shape[ax] != 1 {
                tstride[ax + pad] = ts[ax];
            }
        }
        let mut out = Self::zeros(shape);
        let buf = out.data_mut();
        let inner = self.shape[n - 1];
        let mut idx: Shape = SmallVec::from_elem(0, n);
        if let Some(outer) = self.len().checked_div(inner) {
            let last_stride = tstride[n - 1];
            for o in 0..outer {
                let off: usize = (0..n - 1).map(|a| idx[a] * tstride[a]).sum();
                let row = &self.data[o * inner..(o + 1) * inner];
                if last_stride == 1 {
                    for (dst, &x) in buf[off..off + inner].iter_mut().zip(row) {
                        *dst += x;
                    }
                } else {
                    let s: E = row.iter().copied().sum();
                    buf[off] += s;
                }
                for ax in (0..n - 1).rev() {
                    idx[ax] += 1;
                    if idx[ax] < self.shape[ax] {
                        break;
                    }
                    idx[ax] = 0;
                }
            }
        }
        Ok(out)
    }

    /// Sums along one axis; the axis is kept with size 1 if `keepdim`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] if `axis >= ndim`.
    pub fn sum_axis(&self, axis: usize, keepdim: bool) -> Result<Self> {
        if axis >= self.ndim() {
            return Err(Error::OutOfRange {
                op: "sum_axis",
                what: format!(
                    "axis {axis} is out of range for shape {:?} ({} axes)",
                    self.shape(),
                    self.ndim()
                ),
            });
        }
        let mut kept: Shape = self.shape.clone();
        kept[axis] = 1;
        let mut out = self.sum_to(&kept)?;
        if !keepdim {
            kept.remove(axis);
            out.shape = kept;
        }
        Ok(out)
    }

    /// The transpose of a 2-D tensor.
    ///
    /// # Errors
    /// [`Error::Shape`] if the tensor is not 2-D.
    pub fn transpose(&self) -> Result<Self> {
        if self.ndim() != 2 {
            return Err(Error::shape(
                "transpose",
                &[self.shape()],
                "expected a 2-D tensor",
            ));
        }
        let (r, c) = (self.shape[0], self.shape[1]);
        Ok(Self::build(SmallVec::from_slice(&[c, r]), |out| {
            for j in 0..c {
                for i in 0..r {
                    out.push(self.data[i * c + j]);
                }
            }
        }))
    }

    /// Matrix product of 2-D tensors, optionally transposing either operand
    /// first (the transposes are folded into the GEMM's strides, no copy).
    ///
    /// # Errors
    /// [`Error::Shape`] if an operand is not 2-D or the inner dimensions differ.
    pub fn matmul_t(&self, ta: bool, rhs: &Self, tb: bool) -> Result<Self> {
        let g = GemmShape::new("matmul", self, ta, rhs, tb)?;
        Ok(self.product(&g, rhs))
    }

    /// The product described by `g` (checked against self and rhs) in a new
    /// tensor.
    fn product(&self, g: &GemmShape, rhs: &Self) -> Self {
        let shape = SmallVec::from_slice(&[g.m, g.n]);
        if E::GEMM_BETA_ZERO_WRITES_ONLY {
            // no zero fill: with beta = 0 the GEMM writes every element of
            // the m×n buffer without reading it (`Real::GEMM_BETA_ZERO_WRITES_ONLY`)
            // SAFETY: the GEMM (beta = 0) writes each of the m·n elements
            // (zeros when k = 0).
            unsafe { Self::build_uninit(shape, |c| g.run(self, rhs, E::zero(), c)) }
        } else {
            let mut out = Self::zeros(&shape);
            // SAFETY: `out` is an initialised, unique m×n buffer.
            unsafe { g.run(self, rhs, E::zero(), out.data_mut().as_mut_ptr()) };
            out
        }
    }

    /// x·w + b into one output: the matrix product of x ([m, k]) and w
    /// ([k, n]), then the bias b (`[n]` or `[1, n]`) added to every row in one
    /// pass over the product, instead of a product, a broadcast bias and a
    /// sum.
    ///
    /// ```
    /// use autograd::Tensor;
    /// let x = Tensor::<f64>::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
    /// let w = Tensor::from_vec(&[2, 1], vec![1.0, 1.0]).unwrap();
    /// let b = Tensor::from_vec(&[1], vec![0.5]).unwrap();
    /// assert_eq!(x.matmul_bias(&w, &b).unwrap().data(), &[3.5, 7.5]);
    /// ```
    ///
    /// # Errors
    /// [`Error::Shape`] if x or w is not 2-D, the inner dimensions differ, or
    /// b is not `[n]` or `[1, n]`.
    pub fn matmul_bias(&self, w: &Self, b: &Self) -> Result<Self> {
        self.matmul_bias_map("matmul_bias", w, b, |z| z)
    }

    /// f(x·w + b), element by element, into one output: the product, then
    /// one pass adding the bias row and applying `f` (a fused op's
    /// activation). Errors name `op`.
    pub(crate) fn matmul_bias_map(
        &self,
        op: &'static str,
        w: &Self,
        b: &Self,
        f: impl Fn(E) -> E + Sync,
    ) -> Result<Self> {
        let g = GemmShape::new(op, self, false, w, false)?;
        let n = g.n;
        if !(b.shape() == [n] || b.shape() == [1, n]) {
            return Err(Error::shape(
                op,
                &[self.shape(), w.shape(), b.shape()],
                format!("the bias must be [{n}] or [1, {n}] (one value per output column)"),
            ));
        }
        let mut out = self.product(&g, w);
        let bias = b.data();
        if n > 0 {
            let m = g.m;
            let z = SharedMut(out.data_mut().as_mut_ptr());
            for_each_chunk(m, PARALLEL_MIN_ELEMENTS / std::cmp::max(n, 1), |rows| {
                // SAFETY: the chunks are disjoint row ranges of the m×n output
                let z = unsafe { z.slice(rows.start * n..rows.end * n) };
                fast(|| {
                    for row in z.chunks_exact_mut(n) {
                        for (v, &b) in row.iter_mut().zip(bias) {
                            *v = f(*v + b);
                        }
                    }
                });
            });
        }
        Ok(out)
    }

    /// Matrix product of 2-D tensors.
    ///
    /// # Errors
    /// [`Error::Shape`] if an operand is not 2-D or the inner dimensions differ.
    pub fn matmul(&self, rhs: &Self) -> Result<Self> {
        self.matmul_t(false, rhs, false)
    }

    /// The largest absolute difference to another tensor of the same shape.
    pub fn max_abs_diff(&self, other: &Self) -> f64 {
        assert_eq!(self.shape, other.shape, "max_abs_diff: shapes differ");
        self.data
            .iter()
            .zip(other.data.iter())
            .map(|(a, b)| (a.to_f64() - b.to_f64()).abs())
            .fold(0.0, f64::max)
    }
}

/// The sizes and strides of one GEMM call c (m×n) = a·b (a m×k, b k×n), each
/// operand optionally transposed, checked against the operands' shapes.
struct GemmShape {
    m: usize,
    k: usize,
    n: usize,
    a_strides: (isize, isize),
    b_strides: (isize, isize),
}

impl GemmShape {
    fn new<E: Real>(
        op: &'static str,
        a: &Tensor<E>,
        ta: bool,
        b: &Tensor<E>,
        tb: bool,
    ) -> Result<Self> {
        if a.ndim() != 2 || b.ndim() != 2 {
            return Err(Error::shape(
                op,
                &[a.shape(), b.shape()],
                "expected two 2-D tensors",
            ));
        }
        let (ra, ca) = (a.shape[0], a.shape[1]);
        let (rb, cb) = (b.shape[0], b.shape[1]);
        let (m, ka) = if ta { (ca, ra) } else { (ra, ca) };
        let (kb, n) = if tb { (cb, rb) } else { (rb, cb) };
        if ka != kb {
            return Err(Error::shape(
                op,
                &[a.shape(), b.shape()],
                format!("inner dimensions must agree ({ka} != {kb})"),
            ));
        }
        let a_strides = if ta {
            (1, ca as isize)
        } else {
            (ca as isize, 1)
        };
        let b_strides = if tb {
            (1, cb as isize)
        } else {
            (cb as isize, 1)
        };
        Ok(GemmShape {
            m,
            k: ka,
            n,
            a_strides,
            b_strides,
        })
    }

    /// c = a·b + beta·c into the row-major m×n buffer at `c`.
    ///
    /// # Safety
    /// `a` and `b` must be the tensors this shape was made from, and `c` must
    /// point to m·n writable elements, initialised unless beta = 0 and
    /// `E::GEMM_BETA_ZERO_WRITES_ONLY`.
    unsafe fn run<E: Real>(&self, a: &Tensor<E>, b: &Tensor<E>, beta: E, c: *mut E) {
        if self.m == 0 || self.n == 0 {
            return;
        }
        E::gemm(
            self.m,
            self.k,
            self.n,
            E::one(),
            a.data.as_ptr(),
            self.a_strides.0,
            self.a_strides.1,
            b.data.as_ptr(),
            self.b_strides.0,
            self.b_strides.1,
            beta,
            c,
            self.n as isize,
            1,
        );
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
    fn broadcast_and_sum_to_are_inverse_in_shape() {
        let b = Tensor::<f64>::from_vec(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let big = b.broadcast_to(&[2, 3]).unwrap();
        assert_eq!(big.data(), &[1.0, 2.0, 3.0, 1.0, 2.0, 3.0]);
        let back = big.sum_to(&[3]).unwrap();
        assert_eq!(back.data(), &[2.0, 4.0, 6.0]);
        let col = Tensor::<f64>::from_vec(&[2, 1], vec![1.0, 2.0]).unwrap();
        let big = col.broadcast_to(&[2, 3]).unwrap();
        assert_eq!(big.data(), &[1.0, 1.0, 1.0, 2.0, 2.0, 2.0]);
        assert_eq!(big.sum_to(&[2, 1]).unwrap().data(), &[3.0, 6.0]);
        assert_eq!(big.sum_to(&[]).unwrap().data(), &[9.0]);
    }

    #[test]
    fn matmul_with_transposes() {
        let a = Tensor::<f64>::from_vec(&[2, 3], vec![1., 2., 3., 4., 5., 6.]).unwrap();
        let b = Tensor::<f64>::from_vec(&[3, 2], vec![1., 0., 0., 1., 1., 1.]).unwrap();
        assert_eq!(a.matmul(&b).unwrap().data(), &[4., 5., 10., 11.]);
        let at = a.transpose().unwrap();
        assert_eq!(
            at.matmul_t(true, &b, false).unwrap().data(),
            &[4., 5., 10., 11.]
        );
        let bt = b.transpose().unwrap();
        assert_eq!(
            a.matmul_t(false, &bt, true).unwrap().data(),
            &[4., 5., 10., 11.]
        );
        let err = a.matmul(&a).unwrap_err().to_string();
        assert!(
            err.contains("matmul") && err.contains("[2, 3] and [2, 3]"),
            "{err}"
        );
    }

    #[test]
    fn data_length_error_says_both() {
        let err = Tensor::<f32>::from_vec(&[2, 2], vec![1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "data length does not match shape [2, 2]: expected 4 elements, found 3"
        );
    }
}
