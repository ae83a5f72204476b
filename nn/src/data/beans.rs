//! The course's bean sets: 小蓝 measures a bean's size x (and later its
//! colour depth) and learns how toxic it is.
//!
//! Every set is drawn from a seed, so the same call gives the same beans on
//! every machine. Sizes and colour depths are uniform on [0, 1); the formulas
//! are given on each function and their constants are public.
//!
//! | set | inputs | target |
//! | --- | --- | --- |
//! | [`line()`] | size | toxicity y = 1.7·x (+ noise): the course's bean (0.4, 0.68) lies on it |
//! | [`line_with_offset`] | size | y = 0.6·x + 0.4 (+ noise): a line `y = w·x` through the origin cannot fit it |
//! | [`threshold`] | size | 0 (safe) below 0.5, 1 (toxic) from 0.5 on |
//! | [`hill`] | size | 1 for medium sizes in [0.35, 0.65), 0 for small and big |
//! | [`two_features`] | size, colour | 1 when 1.5·x₁ + 1.2·x₂ > 1.35 (a straight boundary) |
//! | [`two_features_curved`] | size, colour | 1 when x₂ > 0.2 + 2.4·(x₁ − 0.5)² (a curved boundary) |
//!
//! ```
//! use nn::data::beans;
//! let d = beans::line(50, 0.0, 7);
//! // Without noise every bean lies on y = 1.7·x, the course's (0.4, 0.68) too.
//! for i in 0..d.len() {
//!     assert!((d.y_row(i)[0] - beans::LINE_W * d.x_row(i)[0]).abs() < 1e-12);
//! }
//! assert!((beans::LINE_W * beans::COURSE_BEAN.0 - beans::COURSE_BEAN.1).abs() < 1e-12);
//! ```

use super::Dataset;
use crate::init::Rng;
use autograd::Tensor;

/// The course's first bean: size x = 0.4, toxicity y = 0.68.
pub const COURSE_BEAN: (f64, f64) = (0.4, 0.68);

/// The slope of [`line()`]: 0.68 / 0.4, so the course's bean lies on it.
pub const LINE_W: f64 = 1.7;

/// The slope of [`line_with_offset`].
pub const OFFSET_W: f64 = 0.6;

/// The intercept of [`line_with_offset`]: even the smallest beans are this toxic.
pub const OFFSET_B: f64 = 0.4;

/// The size from which [`threshold`] beans are toxic.
pub const THRESHOLD: f64 = 0.5;

/// The sizes [`hill`] beans are toxic between: [`HILL`].0 ≤ x < [`HILL`].1.
pub const HILL: (f64, f64) = (0.35, 0.65);

/// The weights and bound of [`two_features`]: toxic when w₁·x₁ + w₂·x₂ > c.
/// The weights are the course's example (size 1.5, colour 1.2); c is half
/// their sum, so the boundary runs through the middle of the square.
pub const TWO_FEATURES: (f64, f64, f64) = (1.5, 1.2, 1.35);

/// The parabola of [`two_features_curved`]: toxic when x₂ > a + b·(x₁ − 0.5)².
pub const CURVED: (f64, f64) = (0.2, 2.4);

fn regression(xs: Vec<f64>, ys: Vec<f64>) -> Dataset<f64> {
    let n = xs.len();
    Dataset::new(
        Tensor::from_vec(&[n, 1], xs).expect("n sizes"),
        Tensor::from_vec(&[n, 1], ys).expect("n toxicities"),
    )
    .expect("a bean set has at least one bean")
}

fn classes(d: usize, xs: Vec<f64>, labels: Vec<usize>) -> Dataset<f64> {
    let n = labels.len();
    let ys: Vec<f64> = labels.iter().map(|&c| c as f64).collect();
    Dataset::new(
        Tensor::from_vec(&[n, d], xs).expect("n rows of inputs"),
        Tensor::from_vec(&[n, 1], ys).expect("n labels"),
    )
    .and_then(|set| set.with_classes(labels))
    .expect("a bean set has at least one bean")
}

/// `n` beans on the line y = `w`·x + `b`: sizes x ~ U[0, 1), toxicity
/// y = w·x + b + `noise`·z with z ~ N(0, 1) (`noise` is the standard
/// deviation; 0 puts every bean on the line).
///
/// # Panics
/// If `n` is 0 (a data set has at least one sample).
#[track_caller]
pub fn linear(n: usize, w: f64, b: f64, noise: f64, seed: u64) -> Dataset<f64> {
    assert!(n > 0, "linear: expected at least one bean, found n = 0");
    let mut rng = Rng::new(seed);
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for _ in 0..n {
        let x = rng.next_f64();
        let z = if noise == 0.0 {
            0.0
        } else {
            rng.normal(0.0, 1.0)
        };
        xs.push(x);
        ys.push(w * x + b + noise * z);
    }
    regression(xs, ys)
}

/// The course's linear beans: y = 1.7·x + `noise`·z (see [`linear`]); the
/// course's bean (0.4, 0.68) lies on the noise-free line, and a single
/// neuron y = w·x learns w ≈ 1.7.
///
/// # Panics
/// If `n` is 0.
#[track_caller]
pub fn line(n: usize, noise: f64, seed: u64) -> Dataset<f64> {
    linear(n, LINE_W, 0.0, noise, seed)
}

/// Beans whose toxicity does not start at 0: y = 0.6·x + 0.4 + `noise`·z
/// (see [`linear`]). `y = w·x` is stuck through the origin and cannot fit
/// them; `y = w·x + b` can.
///
/// # Panics
/// If `n` is 0.
#[track_caller]
pub fn line_with_offset(n: usize, noise: f64, seed: u64) -> Dataset<f64> {
    linear(n, OFFSET_W, OFFSET_B, noise, seed)
}

/// Small beans are safe, big beans toxic: x ~ U[0, 1), class 1 if x ≥ 0.5
/// else 0. Targets are the class as 0.0/1.0 in one column, and the class
/// indices are attached.
///
/// # Panics
/// If `n` is 0.
///
/// ```
/// let d = nn::data::beans::threshold(20, 1);
/// for i in 0..d.len() {
///     assert_eq!(d.classes().unwrap()[i] == 1, d.x_row(i)[0] >= 0.5);
/// }
/// ```
#[track_caller]
pub fn threshold(n: usize, seed: u64) -> Dataset<f64> {
    assert!(n > 0, "threshold: expected at least one bean, found n = 0");
    let mut rng = Rng::new(seed);
    let xs: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let labels = xs.iter().map(|&x| usize::from(x >= THRESHOLD)).collect();
    classes(1, xs, labels)
}

/// The low-high-low hill: small beans safe, medium beans toxic, big beans
/// safe. x ~ U[0, 1), class 1 if 0.35 ≤ x < 0.65 else 0 (targets 0.0/1.0 in
/// one column). One sigmoid neuron cannot fit it; two hidden neurons can.
///
/// # Panics
/// If `n` is 0.
#[track_caller]
pub fn hill(n: usize, seed: u64) -> Dataset<f64> {
    assert!(n > 0, "hill: expected at least one bean, found n = 0");
    let mut rng = Rng::new(seed);
    let xs: Vec<f64> = (0..n).map(|_| rng.next_f64()).collect();
    let labels = xs
        .iter()
        .map(|&x| usize::from((HILL.0..HILL.1).contains(&x)))
        .collect();
    classes(1, xs, labels)
}

fn two_dimensional(n: usize, seed: u64, toxic: impl Fn(f64, f64) -> bool) -> Dataset<f64> {
    let mut rng = Rng::new(seed);
    let mut xs = Vec::with_capacity(2 * n);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let (x1, x2) = (rng.next_f64(), rng.next_f64());
        xs.extend([x1, x2]);
        labels.push(usize::from(toxic(x1, x2)));
    }
    classes(2, xs, labels)
}

/// Two features, a straight boundary: size x₁ and colour depth x₂, both
/// ~ U[0, 1); toxic (class 1) when 1.5·x₁ + 1.2·x₂ > 1.35, else safe (0).
/// Linearly separable: one neuron z = w₁x₁ + w₂x₂ + b draws the boundary.
///
/// # Panics
/// If `n` is 0.
#[track_caller]
pub fn two_features(n: usize, seed: u64) -> Dataset<f64> {
    assert!(
        n > 0,
        "two_features: expected at least one bean, found n = 0"
    );
    let (w1, w2, c) = TWO_FEATURES;
    two_dimensional(n, seed, |x1, x2| w1 * x1 + w2 * x2 > c)
}

/// Two features, a curved boundary: x₁, x₂ ~ U[0, 1); toxic (class 1) when
/// x₂ > 0.2 + 2.4·(x₁ − 0.5)², a parabola no straight line follows; a hidden
/// layer bends the boundary to fit it.
///
/// # Panics
/// If `n` is 0.
#[track_caller]
pub fn two_features_curved(n: usize, seed: u64) -> Dataset<f64> {
    assert!(
        n > 0,
        "two_features_curved: expected at least one bean, found n = 0"
    );
    let (a, b) = CURVED;
    two_dimensional(n, seed, |x1, x2| x2 > a + b * (x1 - 0.5).powi(2))
}
