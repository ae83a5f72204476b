//! Second derivatives: Hessian-vector products and Hessians, by running the
//! tape on [`Dual`] numbers (forward-over-reverse).
//!
//! Seeding each input with a tangent `v` makes every recorded partial carry
//! its derivative along `v`; the reverse sweep is linear in those partials, so
//! the gradient it returns has `re` = ∇f and `eps` = H·v. A full Hessian is
//! n such sweeps. This works for any function written with the tape's
//! operations, scalar or tensor.
//!
//! ```
//! use autograd::{hessian, Dual, Var};
//! // the course's cost e(w) = (0.68 − 0.4w)²: d²e/dw² = 2·0.4² = 0.32
//! let h = hessian(|w: &[Var<Dual>]| (0.68 - w[0] * 0.4).powi(2), &[0.0]);
//! assert!((h[0][0] - 0.32).abs() < 1e-12);
//! ```

use crate::real::Dual;
use crate::scalar::Var;
use crate::tape::Tape;
use crate::tensor::{Tensor, TensorVar};

/// Value, gradient and Hessian-vector product H·v of a scalar function at `at`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hvp {
    /// f(at)
    pub value: f64,
    /// ∇f(at)
    pub grad: Vec<f64>,
    /// H(at)·v
    pub hv: Vec<f64>,
}

/// The Hessian-vector product H·v of `f` at `at` (with the value and gradient).
///
/// # Panics
/// If `at` and `v` differ in length.
pub fn hvp<F>(f: F, at: &[f64], v: &[f64]) -> Hvp
where
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Var<'t, Dual>,
{
    assert_eq!(
        at.len(),
        v.len(),
        "hvp: expected a direction with {} elements, found {}",
        at.len(),
        v.len()
    );
    let tape: Tape<Dual> = Tape::default();
    let xs = dual_vars(&tape, at, v);
    let y = f(&xs);
    let g = y.backward();
    Hvp {
        value: y.value().re,
        grad: xs.iter().map(|&x| g[x].re).collect(),
        hv: xs.iter().map(|&x| g[x].eps).collect(),
    }
}

/// The Hessian of a scalar function of scalars at `at` (row i = ∂∇f/∂xᵢ).
pub fn hessian<F>(f: F, at: &[f64]) -> Vec<Vec<f64>>
where
    F: for<'t> Fn(&[Var<'t, Dual>]) -> Var<'t, Dual>,
{
    let n = at.len();
    (0..n).map(|i| hvp(&f, at, &unit(n, i)).hv).collect()
}

/// The Hessian-vector product of a scalar function of one tensor: returns
/// (∇f, H·v), each shaped like `at`.
///
/// # Panics
/// If `v` is not shaped like `at`.
pub fn hvp_tensor<F>(f: F, at: &Tensor<f64>, v: &Tensor<f64>) -> (Tensor<f64>, Tensor<f64>)
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> Var<'t, Dual>,
{
    assert_eq!(
        at.shape(),
        v.shape(),
        "hvp_tensor: the direction must have the point's shape"
    );
    let tape: Tape<Dual> = Tape::default();
    let x = tape.tensor(dual_tensor(at, v.data()));
    let y = f(x);
    let g = y.backward();
    let gx = g
        .wrt(x)
        .cloned()
        .unwrap_or_else(|| Tensor::zeros(at.shape()));
    split_dual(&gx)
}

/// The Hessian of a scalar function of one tensor, as an n×n tensor where n
/// is the number of elements of `at` (row-major flattening).
pub fn hessian_tensor<F>(f: F, at: &Tensor<f64>) -> Tensor<f64>
where
    F: for<'t> Fn(TensorVar<'t, Dual>) -> Var<'t, Dual>,
{
    let n = at.len();
    let mut out = Vec::with_capacity(n * n);
    for i in 0..n {
        let v = Tensor::from_vec(at.shape(), unit(n, i)).expect("same shape");
        out.extend_from_slice(hvp_tensor(&f, at, &v).1.data());
    }
    Tensor::from_vec(&[n, n], out).expect("n·n elements")
}

/// The i-th unit vector of length n (a seed or tangent for one element).
pub(crate) fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

/// Scalar inputs on a [`Dual`] tape: values `at`, tangents `v`.
pub(crate) fn dual_vars<'t>(tape: &'t Tape<Dual>, at: &[f64], v: &[f64]) -> Vec<Var<'t, Dual>> {
    at.iter()
        .zip(v)
        .map(|(&x, &d)| tape.var_e(Dual::new(x, d)))
        .collect()
}

/// A [`Dual`] tensor shaped like `at`, with values `at` and tangents `v`.
pub(crate) fn dual_tensor(at: &Tensor<f64>, v: &[f64]) -> Tensor<Dual> {
    let data = at
        .data()
        .iter()
        .zip(v)
        .map(|(&x, &d)| Dual::new(x, d))
        .collect();
    Tensor::from_vec(at.shape(), data).expect("same shape")
}

/// A [`Dual`] tensor split into its values and its tangents.
pub(crate) fn split_dual(t: &Tensor<Dual>) -> (Tensor<f64>, Tensor<f64>) {
    let re = t.data().iter().map(|d| d.re).collect();
    let eps = t.data().iter().map(|d| d.eps).collect();
    (
        Tensor::from_vec(t.shape(), re).expect("same shape"),
        Tensor::from_vec(t.shape(), eps).expect("same shape"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hessian_of_a_quadratic_form() {
        // f = x² y + 3 y³ → H = [[2y, 2x], [2x, 18y]]
        let h = hessian(
            |p: &[Var<Dual>]| p[0] * p[0] * p[1] + 3.0 * p[1].powi(3),
            &[1.5, -2.0],
        );
        let want = [[-4.0, 3.0], [3.0, -36.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[i][j] - want[i][j]).abs() < 1e-12, "{h:?}");
            }
        }
    }

    #[test]
    fn tensor_hessian_of_sum_of_squares_through_matmul() {
        // f(w) = Σ (A w)² → H = 2 AᵀA
        let a = Tensor::from_vec(&[2, 2], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let ad: Tensor<Dual> = a.cast();
        let w = Tensor::from_vec(&[2, 1], vec![0.3, -0.7]).unwrap();
        let h = hessian_tensor(
            |x| x.tape().tensor_constant(ad.clone()).matmul(x).powi(2).sum(),
            &w,
        );
        let want = [20.0, 28.0, 28.0, 40.0];
        for (got, want) in h.data().iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{h:?}");
        }
    }
}
