//! The products of [`Tensor`]s: the checked shapes and strides of one GEMM
//! call, and the matrix product kernels (plain, with transposes, and with a
//! bias and a map fused into one pass over the output) built on
//! [`crate::gemm::gemm`].

use super::{gemm, Part};
use crate::error::{Error, Result};
use crate::parallel::{for_each_chunk, SharedMut, PARALLEL_MIN_ELEMENTS};
use crate::real::Real;
use crate::simd::fast;
use crate::tensor::{shape_of, Tensor};

impl<E: Real> Tensor<E> {
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
        let shape = shape_of(&[g.m, g.n]);
        // no zero fill: with beta = 0 the GEMM writes every element of the
        // m×n buffer without reading it, for every element type (`gemm`)
        // SAFETY: the GEMM (beta = 0) writes each of the m·n elements (zeros
        // when k = 0).
        unsafe { Self::build_uninit(shape, |c| g.run(self, rhs, E::one(), E::zero(), c)) }
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
}

/// The sizes and strides of one GEMM call c (m×n) = a·b (a m×k, b k×n), each
/// operand optionally transposed, checked against the operands' shapes.
#[derive(Clone, Debug)]
pub(crate) struct GemmShape {
    pub(crate) m: usize,
    k: usize,
    pub(crate) n: usize,
    a_strides: (isize, isize),
    b_strides: (isize, isize),
}

impl GemmShape {
    /// The shape of op(a)·op(b) (op a transpose where `ta` / `tb` say).
    ///
    /// # Errors
    /// [`Error::Shape`], naming `op`, if an operand is not 2-D or the inner
    /// dimensions differ.
    pub(crate) fn new<E: Real>(
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
        let (ra, ca) = (a.shape()[0], a.shape()[1]);
        let (rb, cb) = (b.shape()[0], b.shape()[1]);
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

    /// c = alpha·a·b + beta·c into the row-major m×n buffer at `c`.
    ///
    /// # Safety
    /// `a` and `b` must be the tensors this shape was made from, and `c` must
    /// point to m·n writable elements, initialised unless beta = 0, not
    /// overlapping a or b.
    pub(crate) unsafe fn run<E: Real>(
        &self,
        a: &Tensor<E>,
        b: &Tensor<E>,
        alpha: E,
        beta: E,
        c: *mut E,
    ) {
        if self.m == 0 || self.n == 0 {
            return;
        }
        gemm(&Part {
            m: self.m,
            k: self.k,
            n: self.n,
            alpha,
            a: a.data().as_ptr(),
            rsa: self.a_strides.0,
            csa: self.a_strides.1,
            b: b.data().as_ptr(),
            rsb: self.b_strides.0,
            csb: self.b_strides.1,
            beta,
            c,
            rsc: self.n as isize,
            csc: 1,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

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
}
