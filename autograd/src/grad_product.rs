//! A gradient kept as the two factors of a matrix product, multiplied only
//! when it is read ([`Backward::set_grad_product`](crate::Backward::set_grad_product)).
//!
//! A dense layer's weight gradient is xᵀ·dz. Kept as its factors (the saved
//! input, shared, and dz), it costs no buffer of the weights' size, and an
//! update w ← w + k·xᵀ·dz is one product with beta = 1 written straight
//! into the weights ([`Grads::add_scaled_to`](crate::Grads::add_scaled_to)),
//! instead of a product into a new buffer and a second pass reading it and
//! the weights. Reading the gradient as a tensor multiplies it once, with
//! [`Tensor::matmul_t`]: the same values as when the op gave it dense.

use crate::gemm::GemmShape;
use crate::real::Real;
use crate::tensor::{ok, Tensor};
use std::sync::OnceLock;

/// op(a)·op(b), with op a transpose when the flag says so, 2-D operands
/// whose inner dimensions agree (checked when made).
#[derive(Clone, Debug)]
pub(crate) struct Product<E: Real> {
    a: Tensor<E>,
    ta: bool,
    b: Tensor<E>,
    tb: bool,
    /// The checked sizes and strides of op(a)·op(b).
    gemm: GemmShape,
    shape: [usize; 2],
    dense: OnceLock<Tensor<E>>,
}

/// The product kept for record `rec` in a list of (record, product).
pub(crate) fn find<E: Real>(products: &[(u32, Product<E>)], rec: u32) -> Option<&Product<E>> {
    products.iter().find(|(r, _)| *r == rec).map(|(_, p)| p)
}

/// Takes the product kept for record `rec` out of a list of (record,
/// product).
pub(crate) fn take<E: Real>(products: &mut Vec<(u32, Product<E>)>, rec: u32) -> Option<Product<E>> {
    let at = products.iter().position(|(r, _)| *r == rec)?;
    Some(products.swap_remove(at).1)
}

impl<E: Real> Product<E> {
    /// The product op(a)·op(b), or `None` if an operand is not 2-D or the
    /// inner dimensions differ.
    pub(crate) fn new(a: &Tensor<E>, ta: bool, b: &Tensor<E>, tb: bool) -> Option<Self> {
        let gemm = GemmShape::new("matmul", a, ta, b, tb).ok()?;
        Some(Product {
            a: a.clone(),
            ta,
            b: b.clone(),
            tb,
            shape: [gemm.m, gemm.n],
            gemm,
            dense: OnceLock::new(),
        })
    }

    /// The shape of the product.
    pub(crate) fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// The product as a tensor, multiplied on the first call.
    pub(crate) fn dense(&self) -> &Tensor<E> {
        self.dense
            .get_or_init(|| ok(self.a.matmul_t(self.ta, &self.b, self.tb)))
    }

    /// The product as a tensor, taken out.
    pub(crate) fn into_dense(mut self) -> Tensor<E> {
        match self.dense.take() {
            Some(t) => t,
            None => ok(self.a.matmul_t(self.ta, &self.b, self.tb)),
        }
    }

    /// w ← w + k·(this product). Multiplied already: `w.add_scaled(k, ·)`;
    /// else one product c = k·op(a)·op(b) + 1·c into w's buffer. With the
    /// fixed-order loop (small `f64` products) each element is then
    /// `k·s + w` with s the same sum as the dense product's, so the same
    /// bits as `add_scaled` (w + k·s); the crates' kernels (`f32`, large
    /// `f64`) may round the last bit differently.
    ///
    /// # Panics
    /// If w is not shaped like the product.
    pub(crate) fn add_scaled_to(&self, k: E, w: &mut Tensor<E>) {
        if let Some(d) = self.dense.get() {
            return w.add_scaled(k, d);
        }
        assert_eq!(
            w.shape(),
            self.shape(),
            "add_scaled: shapes differ ({:?} and {:?})",
            w.shape(),
            self.shape()
        );
        // w is written in place only when no one else holds its buffer, so
        // it never overlaps a or b (`data_mut` copies a shared buffer)
        let c = w.data_mut().as_mut_ptr();
        // SAFETY: `gemm` was made from a and b, and c is w's own m×n
        // row-major buffer (checked above), unshared, so not overlapping a
        // or b; beta = 1 reads c, which is initialised.
        unsafe { self.gemm.run(&self.a, &self.b, k, E::one(), c) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(shape: &[usize], k: f64) -> Tensor<f64> {
        let n: usize = shape.iter().product();
        Tensor::from_vec(shape, (0..n).map(|i| ((i as f64) * k).sin()).collect()).unwrap()
    }

    fn to_f32(t: &Tensor<f64>) -> Tensor<f32> {
        Tensor::from_vec(t.shape(), t.data().iter().map(|&x| x as f32).collect()).unwrap()
    }

    /// The product added into w gives the same bits as the dense product
    /// added with `add_scaled`, for every transpose, in f64 (fixed order),
    /// and matches it closely in f32; reading it gives `matmul_t`'s value.
    #[test]
    fn adding_the_product_equals_adding_the_dense_product() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = seq(if ta { &[4, 3] } else { &[3, 4] }, 0.7);
            let b = seq(if tb { &[5, 4] } else { &[4, 5] }, 1.3);
            let p = Product::new(&a, ta, &b, tb).unwrap();
            assert_eq!(p.shape(), &[3, 5]);
            let dense = a.matmul_t(ta, &b, tb).unwrap();
            let (mut w1, mut w2) = (seq(&[3, 5], 0.4), seq(&[3, 5], 0.4));
            w1.add_scaled(-0.3, &dense);
            p.add_scaled_to(-0.3, &mut w2);
            assert_eq!(w1.data(), w2.data(), "ta {ta} tb {tb}");
            assert_eq!(p.dense().data(), dense.data());
            let (af, bf) = (to_f32(&a), to_f32(&b));
            let pf = Product::new(&af, ta, &bf, tb).unwrap();
            let mut wf = to_f32(&seq(&[3, 5], 0.4));
            pf.add_scaled_to(-0.3, &mut wf);
            for (x, y) in wf.data().iter().zip(w1.data()) {
                assert!((f64::from(*x) - y).abs() < 1e-5, "{x} vs {y}");
            }
        }
        assert!(Product::new(&seq(&[3, 4], 1.0), false, &seq(&[3, 4], 1.0), false).is_none());
    }

    /// A parameter whose buffer is shared (still saved elsewhere) is copied
    /// before the product is added into it; the other holder keeps its
    /// value.
    #[test]
    fn a_shared_parameter_is_copied_first() {
        let (a, b) = (seq(&[2, 3], 0.5), seq(&[3, 2], 0.9));
        let mut w = seq(&[2, 2], 0.2);
        let saved = w.clone();
        Product::new(&a, false, &b, false)
            .unwrap()
            .add_scaled_to(1.0, &mut w);
        assert_eq!(saved.data(), seq(&[2, 2], 0.2).data());
        let mut want = saved.clone();
        want.add_scaled(1.0, &a.matmul(&b).unwrap());
        assert_eq!(w.data(), want.data());
    }

    /// Through a backward pass: a weight's first gradient is kept as a
    /// product and every way of reading it gives the dense product; a
    /// weight used twice gets the sum in the chain's order; `add_scaled_to`
    /// gives `add_scaled`'s bits; a second pass accumulates.
    #[test]
    fn a_kept_product_reads_as_the_dense_gradient_everywhere() {
        use crate::Tape;
        let (x0, w0, v0) = (seq(&[3, 4], 0.7), seq(&[4, 2], 1.3), seq(&[3, 4], 0.3));
        let tape = Tape::new();
        let (x, v) = (
            tape.tensor_constant(x0.clone()),
            tape.tensor_constant(v0.clone()),
        );
        let w = tape.tensor(w0.clone());
        // one use of w: ∂/∂w Σ (x·w)² = xᵀ·2(x·w)
        let y = x.matmul(w);
        let g = y.powi(2).sum().backward();
        let dy = y.value().map(|t| 2.0 * t);
        let want = x0.matmul_t(true, &dy, false).unwrap();
        assert_eq!(g.shape_of(w.key()), Ok(Some(&[4, 2][..])));
        assert_eq!(g.unreached(&[w.key()]), Ok(vec![]));
        let mut p = w0.clone();
        assert_eq!(g.add_scaled_to(w.key(), -0.1, &mut p), Ok(true));
        let mut q = w0.clone();
        q.add_scaled(-0.1, &want);
        assert_eq!(p.data(), q.data());
        assert_eq!(g.get(w.key()).unwrap().unwrap().data(), want.data());
        assert_eq!(g[w].data(), want.data());
        let mut taken = g.clone();
        assert_eq!(taken.take(w).unwrap().data(), want.data());
        // a second pass into the same gradients adds
        let mut twice = y.powi(2).sum().backward();
        y.powi(2).sum().backward_into(&mut twice);
        assert_eq!(twice[w].data(), want.map(|t| t + t).data());
        // two uses of w: the later op's gradient first, then the earlier's
        let (y1, y2) = (x.matmul(w), v.matmul(w));
        let g = (y1.sum() + y2.powi(2).sum()).backward();
        let d1 = Tensor::full(&[3, 2], 1.0);
        let d2 = y2.value().map(|t| 2.0 * t);
        let mut want = v0.matmul_t(true, &d2, false).unwrap();
        want.add_assign(&x0.matmul_t(true, &d1, false).unwrap());
        assert_eq!(g[w].data(), want.data());
    }

    /// A one-element weight read both through a product and as a scalar
    /// (`to_var`) gets the sum of both gradients: its product is not kept,
    /// since the sweep adds the scalar part to its tensor.
    #[test]
    fn a_one_element_weight_sums_its_product_and_scalar_gradients() {
        use crate::Tape;
        let tape = Tape::new();
        let x = tape.tensor_constant(Tensor::from_vec(&[3, 1], vec![1.0, 2.0, 4.0]).unwrap());
        let w = tape.tensor(Tensor::from_vec(&[1, 1], vec![0.5]).unwrap());
        let loss = x.matmul(w).sum() + w.to_var() * 2.0;
        let g = loss.backward();
        assert_eq!(g[w].data(), &[1.0 + 2.0 + 4.0 + 2.0]);
        let mut p = Tensor::from_vec(&[1, 1], vec![0.5]).unwrap();
        assert_eq!(g.add_scaled_to(w.key(), -0.5, &mut p), Ok(true));
        assert_eq!(p.data(), &[0.5 - 0.5 * 9.0]);
    }
}
