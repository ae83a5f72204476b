//! Element-wise kernels on plain tensors: maps over one, two or three
//! tensors of one shape, sums and scalings, in place or into a new tensor.

use crate::parallel::{for_each_chunk, SharedMut, PARALLEL_MIN_ELEMENTS};
use crate::real::Real;
use crate::simd::fast;
use crate::tensor::{shape_of, Tensor};

impl<E: Real> Tensor<E> {
    /// Applies `f` to every element.
    pub fn map(&self, f: impl Fn(E) -> E) -> Self {
        let x = self.data();
        Self::build(shape_of(self.shape()), |v| {
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
        assert_eq!(self.shape(), other.shape(), "zip_map: shapes differ");
        let (x, y) = (self.data(), other.data());
        Self::build(shape_of(self.shape()), |v| {
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
            self.shape() == b.shape() && b.shape() == c.shape(),
            "zip3_map: shapes differ"
        );
        let (x, y, z) = (self.data(), b.data(), c.data());
        Self::build(shape_of(self.shape()), |v| {
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
        assert_eq!(self.shape(), other.shape(), "add_assign: shapes differ");
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
            self.shape(),
            other.shape(),
            "add_scaled: shapes differ ({:?} and {:?})",
            self.shape(),
            other.shape()
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

    /// The largest absolute difference to another tensor of the same shape.
    pub fn max_abs_diff(&self, other: &Self) -> f64 {
        assert_eq!(self.shape(), other.shape(), "max_abs_diff: shapes differ");
        self.data()
            .iter()
            .zip(other.data().iter())
            .map(|(a, b)| (a.to_f64() - b.to_f64()).abs())
            .fold(0.0, f64::max)
    }
}
