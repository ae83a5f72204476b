//! Helpers shared by the integration tests: a small seeded random number
//! generator, a fixed weighting that turns any tensor into a scalar with a
//! different upstream gradient per element, and a central-difference check
//! for functions that mix scalar variables and tensor variables.
#![allow(dead_code)]

pub mod exprs;

use autograd::{Tape, Tensor, TensorVar, Var};

/// SplitMix64: tiny, seeded, and good enough to draw test points.
pub struct Rng(u64);

impl Rng {
    /// A generator with a fixed seed (every run draws the same points).
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform in [lo, hi] with a random sign: magnitude bounded away from 0.
    pub fn signed(&mut self, lo: f64, hi: f64) -> f64 {
        let m = self.uniform(lo, hi);
        if self.next_u64() & 1 == 0 {
            m
        } else {
            -m
        }
    }

    /// Uniform integer in [lo, hi].
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// A tensor of `shape` whose elements are drawn by `f`.
    pub fn tensor(&mut self, shape: &[usize], mut f: impl FnMut(&mut Rng) -> f64) -> Tensor {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|_| f(self)).collect();
        Tensor::from_vec(shape, data).unwrap()
    }
}

/// A fixed weight for each multi-index, in [−1, 1] and never near 0, so
/// that [`wsum`] gives every element its own upstream gradient.
pub fn weight(index: &[usize]) -> f64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for &i in index {
        h = (h ^ i as u64).wrapping_mul(0x0000_0100_0000_01B3);
    }
    h ^= h >> 29;
    let u = (h % 1000) as f64 / 1000.0; // [0, 1)
    let m = 0.25 + 0.75 * u;
    if (h >> 20) & 1 == 0 {
        m
    } else {
        -m
    }
}

/// Σ wᵢ·yᵢ with the fixed weights of [`weight`]: a scalar whose gradient
/// with respect to `y` is the weight tensor.
pub fn wsum<'t>(y: TensorVar<'t>) -> Var<'t> {
    let w = Tensor::from_fn(&y.shape(), weight);
    (y * y.tape().tensor_constant(w)).sum()
}

/// One input element whose analytic and numeric derivatives disagree.
#[derive(Debug)]
pub struct Mismatch {
    /// `s3` for scalar input 3, `t1[5]` for flat element 5 of tensor input 1.
    pub input: String,
    pub analytic: f64,
    pub numeric: f64,
}

/// Central differences over every scalar and every tensor element, compared
/// with the tape's gradient: `|a − n| ≤ abs_tol + rel_tol·|n|`.
///
/// Returns the mismatches (empty when the check passes).
pub fn mixed_mismatches<F>(
    scalars: &[f64],
    tensors: &[Tensor],
    eps: f64,
    abs_tol: f64,
    rel_tol: f64,
    f: F,
) -> Vec<Mismatch>
where
    F: for<'t> Fn(&[Var<'t>], &[TensorVar<'t>]) -> Var<'t>,
{
    let eval = |s: &[f64], t: &[Tensor]| -> f64 {
        let tape = Tape::new();
        let vs = tape.vars(s);
        let ts: Vec<_> = t.iter().map(|x| tape.tensor(x.clone())).collect();
        f(&vs, &ts).to_f64()
    };
    let tape = Tape::new();
    let vs = tape.vars(scalars);
    let ts: Vec<_> = tensors.iter().map(|x| tape.tensor(x.clone())).collect();
    let y = f(&vs, &ts);
    let g = y.backward();
    let mut out = Vec::new();
    let mut check = |input: String, analytic: f64, numeric: f64| {
        let ok = analytic.is_finite()
            && numeric.is_finite()
            && (analytic - numeric).abs() <= abs_tol + rel_tol * numeric.abs();
        if !ok {
            out.push(Mismatch {
                input,
                analytic,
                numeric,
            });
        }
    };
    let mut s = scalars.to_vec();
    for i in 0..s.len() {
        let x0 = s[i];
        s[i] = x0 + eps;
        let fp = eval(&s, tensors);
        s[i] = x0 - eps;
        let fm = eval(&s, tensors);
        s[i] = x0;
        check(format!("s{i}"), g[vs[i]], (fp - fm) / (2.0 * eps));
    }
    let mut t = tensors.to_vec();
    for (i, &tv) in ts.iter().enumerate() {
        let shape = tensors[i].shape().to_vec();
        let base = tensors[i].to_vec();
        let analytic = g.wrt(tv).cloned().unwrap_or_else(|| Tensor::zeros(&shape));
        assert_eq!(analytic.shape(), &shape[..], "gradient shape of t{i}");
        for k in 0..base.len() {
            let mut d = base.clone();
            d[k] = base[k] + eps;
            t[i] = Tensor::from_vec(&shape, d.clone()).unwrap();
            let fp = eval(s.as_slice(), &t);
            d[k] = base[k] - eps;
            t[i] = Tensor::from_vec(&shape, d).unwrap();
            let fm = eval(s.as_slice(), &t);
            t[i] = tensors[i].clone();
            check(
                format!("t{i}[{k}]"),
                analytic.data()[k],
                (fp - fm) / (2.0 * eps),
            );
        }
    }
    out
}

/// [`mixed_mismatches`] with the default gradient-check settings
/// (h = 1e-6, 1e-5 absolute, 1e-3 relative), panicking on any mismatch.
#[track_caller]
pub fn check_mixed<F>(what: &str, scalars: &[f64], tensors: &[Tensor], f: F)
where
    F: for<'t> Fn(&[Var<'t>], &[TensorVar<'t>]) -> Var<'t>,
{
    let bad = mixed_mismatches(scalars, tensors, 1e-6, 1e-5, 1e-3, f);
    assert!(
        bad.is_empty(),
        "{what}: gradient check failed at scalars {scalars:?}, tensors {tensors:?}: {bad:#?}"
    );
}

/// Asserts two floats agree within `tol` (absolute).
#[track_caller]
pub fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (|diff| = {:e} > {tol:e})",
        (got - want).abs()
    );
}

/// Runs `f`, which must panic, and returns its panic message.
///
/// # Panics
/// If `f` returns normally.
#[track_caller]
pub fn panic_message(f: impl FnOnce()) -> String {
    let err = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .expect_err("expected a panic, but the call returned normally");
    if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        "<non-string panic payload>".to_string()
    }
}
