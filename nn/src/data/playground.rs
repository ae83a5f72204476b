//! The TensorFlow Playground's data sets and input features, with its
//! formulas, noise and sample counts (from the Playground's `dataset.ts` and
//! `playground.ts`).
//!
//! Classification sets have 500 points labelled ±1, regression sets 1200
//! points; `noise` is the Playground's slider divided by 100, in [0, 0.5].
//! Points are (x, y) = (X₁, X₂) in [−6, 6]².
//!
//! | set | how a point is drawn | what noise does |
//! | --- | --- | --- |
//! | circle | 250 points at radius r ~ U(0, 2.5), 250 at r ~ U(3.5, 5), angle ~ U(0, 2π), (x, y) = (r sin a, r cos a); label +1 if ‖(x + nx, y + ny)‖ < 2.5, else −1 | nx, ny ~ U(−5, 5)·noise flip labels near the rim; the point is stored un-noised |
//! | xor | x, y ~ U(−5, 5), each pushed 0.3 away from its axis; label +1 if (x + nx)(y + ny) ≥ 0 | nx, ny ~ U(−5, 5)·noise, labels only |
//! | gauss | 250 points ~ N((2, 2), v·I) labelled +1, 250 ~ N((−2, −2), v·I) labelled −1 | variance v = 0.5 + 7·noise (0.5 to 4) |
//! | spiral | two arms of 250, i = 0..249: r = 5i/250, t = 1.75·2π·i/250 + Δ (Δ = 0 → +1, Δ = π → −1), (x, y) = (r sin t, r cos t) | adds U(−1, 1)·noise to x and y (moves points) |
//! | plane | x, y ~ U(−6, 6); target (x + nx + y + ny)/10 | nx, ny ~ U(−6, 6)·noise, target only |
//! | multi-gaussian | x, y ~ U(−6, 6); target = the value of largest magnitude of ±clamp(1 − d/2, 0, 1) over six centres (±4 or 0, ±2.5) with alternating signs, d the distance from (x + nx, y + ny) | as plane |
//!
//! ```
//! use nn::data::{PlaygroundSet, Feature};
//! let (train, test) = PlaygroundSet::Circle.generate_split(0.0, 50, 1).unwrap();
//! assert_eq!((train.len(), test.len()), (250, 250));
//! let f = Feature::parse_list("x1,x2,x1^2,x2^2").unwrap();
//! let train = nn::data::playground::with_features(&train, &f).unwrap();
//! assert_eq!(train.input_dim(), 4);
//! ```
//!
//! The Playground's random numbers come from JavaScript's seeded
//! `Math.random`; these come from ChaCha8, so a seed gives other points than
//! the Playground's but from the same distributions, in the same draw order.

use super::formula::Formula;
use super::Dataset;
use crate::error::{Error, Result};
use crate::init::Rng;
use autograd::{Real, Tensor};
use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// Points in a Playground classification set (`NUM_SAMPLES_CLASSIFY`).
pub const NUM_SAMPLES_CLASSIFY: usize = 500;

/// Points in a Playground regression set (`NUM_SAMPLES_REGRESS`).
pub const NUM_SAMPLES_REGRESS: usize = 1200;

/// The largest noise the Playground's slider gives (50 %).
pub const MAX_NOISE: f64 = 0.5;

/// One of the Playground's six data sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PlaygroundSet {
    /// Two rings: +1 inside radius 2.5, −1 on the ring from 3.5 to 5 (the default set).
    Circle,
    /// The four quadrants: +1 where x·y ≥ 0.
    Xor,
    /// Two Gaussian clouds around (2, 2) (+1) and (−2, −2) (−1).
    Gauss,
    /// Two interleaved spiral arms.
    Spiral,
    /// Regression: the plane (x + y)/10.
    Plane,
    /// Regression: six Gaussian bumps of alternating sign.
    MultiGaussian,
}

impl PlaygroundSet {
    /// All six, classification sets first, in the Playground's order.
    pub const ALL: [PlaygroundSet; 6] = [
        PlaygroundSet::Circle,
        PlaygroundSet::Xor,
        PlaygroundSet::Gauss,
        PlaygroundSet::Spiral,
        PlaygroundSet::Plane,
        PlaygroundSet::MultiGaussian,
    ];

    /// The name [`FromStr`] accepts and [`Display`](fmt::Display) prints.
    pub fn name(self) -> &'static str {
        match self {
            PlaygroundSet::Circle => "circle",
            PlaygroundSet::Xor => "xor",
            PlaygroundSet::Gauss => "gauss",
            PlaygroundSet::Spiral => "spiral",
            PlaygroundSet::Plane => "plane",
            PlaygroundSet::MultiGaussian => "multi-gaussian",
        }
    }

    /// Whether the set is a regression set (targets in [−1, 1]) rather than
    /// a ±1 classification set.
    pub fn is_regression(self) -> bool {
        matches!(self, PlaygroundSet::Plane | PlaygroundSet::MultiGaussian)
    }

    /// The Playground's number of points: 500 for classification, 1200 for regression.
    pub fn default_len(self) -> usize {
        if self.is_regression() {
            NUM_SAMPLES_REGRESS
        } else {
            NUM_SAMPLES_CLASSIFY
        }
    }

    /// The set with the Playground's number of points ([`default_len`](Self::default_len)).
    ///
    /// Inputs are [n, 2] (x, y); targets [n, 1]: ±1 labels for classification
    /// (with class indices attached: 1 for +1, 0 for −1), real values for
    /// regression. Points come in generation order (e.g. all +1 circle points
    /// first); [`generate_split`](Self::generate_split) shuffles.
    ///
    /// # Errors
    /// [`Error::Invalid`] if `noise` is not in [0, 0.5].
    pub fn generate(self, noise: f64, seed: u64) -> Result<Dataset<f64>> {
        self.generate_n(self.default_len(), noise, seed)
    }

    /// The set with `n` points (the Playground's thumbnails use 200).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `noise` is not in [0, 0.5], if `n` is 0, or if
    /// `n` is odd for a set made of two halves (circle, gauss, spiral).
    pub fn generate_n(self, n: usize, noise: f64, seed: u64) -> Result<Dataset<f64>> {
        let mut rng = Rng::new(seed);
        let points = self.points(n, noise, &mut rng)?;
        self.to_dataset(points)
    }

    /// The Playground's train/test data: generate with the Playground's
    /// number of points, Fisher–Yates shuffle (with the same seeded stream),
    /// then the first ⌊N·`train_percent`/100⌋ points are the training set and
    /// the rest the test set (`generateData` in `playground.ts`; the slider
    /// offers 10 to 90, default 50).
    ///
    /// # Errors
    /// [`Error::Invalid`] if `noise` is not in [0, 0.5], or if `train_percent`
    /// leaves either side empty.
    pub fn generate_split(
        self,
        noise: f64,
        train_percent: u32,
        seed: u64,
    ) -> Result<(Dataset<f64>, Dataset<f64>)> {
        let n = self.default_len();
        let split = n * train_percent as usize / 100;
        if train_percent >= 100 || split == 0 {
            return Err(Error::invalid(
                "train percent",
                format!("1..=99 leaving both sides of {n} points non-empty"),
                train_percent,
            ));
        }
        let mut rng = Rng::new(seed);
        let mut points = self.points(n, noise, &mut rng)?;
        rng.shuffle(&mut points);
        let data = self.to_dataset(points)?;
        data.split_at(split)
    }

    fn points(self, n: usize, noise: f64, rng: &mut Rng) -> Result<Vec<[f64; 3]>> {
        if !(0.0..=MAX_NOISE).contains(&noise) {
            return Err(Error::invalid(
                "Playground noise",
                "a number in [0, 0.5] (the slider's percent / 100)",
                noise,
            ));
        }
        let halves = matches!(
            self,
            PlaygroundSet::Circle | PlaygroundSet::Gauss | PlaygroundSet::Spiral
        );
        if n == 0 || (halves && n % 2 == 1) {
            return Err(Error::invalid(
                format!("number of points of the {self} set"),
                if halves {
                    "a positive even number"
                } else {
                    "at least 1"
                },
                n,
            ));
        }
        Ok(match self {
            PlaygroundSet::Circle => circle(n, noise, rng),
            PlaygroundSet::Xor => xor(n, noise, rng),
            PlaygroundSet::Gauss => gauss(n, noise, rng),
            PlaygroundSet::Spiral => spiral(n, noise, rng),
            PlaygroundSet::Plane => plane(n, noise, rng),
            PlaygroundSet::MultiGaussian => multi_gaussian(n, noise, rng),
        })
    }

    fn to_dataset(self, points: Vec<[f64; 3]>) -> Result<Dataset<f64>> {
        let n = points.len();
        let xs: Vec<f64> = points.iter().flat_map(|p| [p[0], p[1]]).collect();
        let ys: Vec<f64> = points.iter().map(|p| p[2]).collect();
        let data = Dataset::new(
            Tensor::from_vec(&[n, 2], xs)?,
            Tensor::from_vec(&[n, 1], ys)?,
        )?;
        if self.is_regression() {
            Ok(data)
        } else {
            let classes = points.iter().map(|p| usize::from(p[2] > 0.0)).collect();
            data.with_classes(classes)
        }
    }
}

impl fmt::Display for PlaygroundSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PlaygroundSet {
    type Err = Error;

    /// Parses a set name, case-insensitively: `circle`, `xor`, `gauss`,
    /// `spiral`, `plane`, `multi-gaussian` (or `multigauss`), or the
    /// Playground's URL names `reg-plane` and `reg-gauss`.
    ///
    /// ```
    /// use nn::data::PlaygroundSet;
    /// for set in PlaygroundSet::ALL {
    ///     assert_eq!(set.to_string().parse::<PlaygroundSet>().unwrap(), set);
    /// }
    /// assert_eq!("multigauss".parse::<PlaygroundSet>().unwrap(), PlaygroundSet::MultiGaussian);
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('_', "-");
        let set = match key.as_str() {
            "circle" => PlaygroundSet::Circle,
            "xor" => PlaygroundSet::Xor,
            "gauss" | "gaussian" => PlaygroundSet::Gauss,
            "spiral" => PlaygroundSet::Spiral,
            "plane" | "reg-plane" => PlaygroundSet::Plane,
            "multi-gaussian" | "multigaussian" | "multigauss" | "multi-gauss" | "reg-gauss" => {
                PlaygroundSet::MultiGaussian
            }
            _ => {
                let names: Vec<&str> = PlaygroundSet::ALL.iter().map(|d| d.name()).collect();
                return Err(Error::invalid(
                    "unknown data set",
                    format!(
                        "one of {} (or multigauss, reg-plane, reg-gauss)",
                        names.join(", ")
                    ),
                    format!("{s:?}"),
                ));
            }
        };
        Ok(set)
    }
}

/// `classifyCircleData`.
fn circle(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let radius = 5.0;
    let mut points = Vec::with_capacity(n);
    for (r_lo, r_hi) in [(0.0, radius * 0.5), (radius * 0.7, radius)] {
        for _ in 0..n / 2 {
            let r = rng.uniform(r_lo, r_hi);
            let angle = rng.uniform(0.0, 2.0 * PI);
            let x = r * Real::sin(angle);
            let y = r * Real::cos(angle);
            let nx = rng.uniform(-radius, radius) * noise;
            let ny = rng.uniform(-radius, radius) * noise;
            let inside = (x + nx).hypot(y + ny) < radius * 0.5;
            points.push([x, y, if inside { 1.0 } else { -1.0 }]);
        }
    }
    points
}

/// `classifyXORData`.
fn xor(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let padding = 0.3;
    let pad = |v: f64| if v > 0.0 { v + padding } else { v - padding };
    (0..n)
        .map(|_| {
            let x = pad(rng.uniform(-5.0, 5.0));
            let y = pad(rng.uniform(-5.0, 5.0));
            let nx = rng.uniform(-5.0, 5.0) * noise;
            let ny = rng.uniform(-5.0, 5.0) * noise;
            let label = if (x + nx) * (y + ny) >= 0.0 {
                1.0
            } else {
                -1.0
            };
            [x, y, label]
        })
        .collect()
}

/// `classifyTwoGaussData`: variance maps noise [0, 0.5] linearly to [0.5, 4].
fn gauss(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let variance = 0.5 + noise / 0.5 * (4.0 - 0.5);
    let mut points = Vec::with_capacity(n);
    for (c, label) in [(2.0, 1.0), (-2.0, -1.0)] {
        for _ in 0..n / 2 {
            let x = rng.normal(c, variance.sqrt());
            let y = rng.normal(c, variance.sqrt());
            points.push([x, y, label]);
        }
    }
    points
}

/// `classifySpiralData`.
fn spiral(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let arm = n / 2;
    let mut points = Vec::with_capacity(n);
    for (delta_t, label) in [(0.0, 1.0), (PI, -1.0)] {
        for i in 0..arm {
            let r = i as f64 / arm as f64 * 5.0;
            let t = 1.75 * i as f64 / arm as f64 * 2.0 * PI + delta_t;
            let x = r * Real::sin(t) + rng.uniform(-1.0, 1.0) * noise;
            let y = r * Real::cos(t) + rng.uniform(-1.0, 1.0) * noise;
            points.push([x, y, label]);
        }
    }
    points
}

/// `regressPlane`: label = (x + nx + y + ny) mapped from [−10, 10] to [−1, 1], unclamped.
fn plane(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let radius = 6.0;
    (0..n)
        .map(|_| {
            let x = rng.uniform(-radius, radius);
            let y = rng.uniform(-radius, radius);
            let nx = rng.uniform(-radius, radius) * noise;
            let ny = rng.uniform(-radius, radius) * noise;
            [x, y, (x + nx + y + ny) / 10.0]
        })
        .collect()
}

/// The six centres of the multi-Gaussian set and the sign of each bump.
pub const MULTI_GAUSSIAN_CENTRES: [(f64, f64, f64); 6] = [
    (-4.0, 2.5, 1.0),
    (0.0, 2.5, -1.0),
    (4.0, 2.5, 1.0),
    (-4.0, -2.5, -1.0),
    (0.0, -2.5, 1.0),
    (4.0, -2.5, -1.0),
];

/// The multi-Gaussian set's noise-free target at (x, y): over the six
/// centres, sign·clamp(1 − d/2, 0, 1) with d the distance to the centre; the
/// value of largest magnitude wins (the first on ties), 0 far from all.
pub fn multi_gaussian_target(x: f64, y: f64) -> f64 {
    let mut label: f64 = 0.0;
    for (cx, cy, sign) in MULTI_GAUSSIAN_CENTRES {
        let d = (x - cx).hypot(y - cy);
        let v = sign * (1.0 - d / 2.0).clamp(0.0, 1.0);
        if v.abs() > label.abs() {
            label = v;
        }
    }
    label
}

/// `regressGaussian`.
fn multi_gaussian(n: usize, noise: f64, rng: &mut Rng) -> Vec<[f64; 3]> {
    let radius = 6.0;
    (0..n)
        .map(|_| {
            let x = rng.uniform(-radius, radius);
            let y = rng.uniform(-radius, radius);
            let nx = rng.uniform(-radius, radius) * noise;
            let ny = rng.uniform(-radius, radius) * noise;
            [x, y, multi_gaussian_target(x + nx, y + ny)]
        })
        .collect()
}

/// One of the Playground's seven input features of a point (X₁, X₂).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// X₁ (`x`).
    X1,
    /// X₂ (`y`).
    X2,
    /// X₁² (`xSquared`).
    X1Squared,
    /// X₂² (`ySquared`).
    X2Squared,
    /// X₁·X₂ (`xTimesY`).
    X1X2,
    /// sin(X₁) (`sinX`).
    SinX1,
    /// sin(X₂) (`sinY`).
    SinX2,
}

impl Feature {
    /// The seven features, in the Playground's order.
    pub const ALL: [Feature; 7] = [
        Feature::X1,
        Feature::X2,
        Feature::X1Squared,
        Feature::X2Squared,
        Feature::X1X2,
        Feature::SinX1,
        Feature::SinX2,
    ];

    /// The Playground's default: X₁ and X₂ only.
    pub const DEFAULT: [Feature; 2] = [Feature::X1, Feature::X2];

    /// The name [`FromStr`] accepts and [`Display`](fmt::Display) prints:
    /// `x1`, `x2`, `x1^2`, `x2^2`, `x1x2`, `sin(x1)`, `sin(x2)`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::X1 => "x1",
            Feature::X2 => "x2",
            Feature::X1Squared => "x1^2",
            Feature::X2Squared => "x2^2",
            Feature::X1X2 => "x1x2",
            Feature::SinX1 => "sin(x1)",
            Feature::SinX2 => "sin(x2)",
        }
    }

    /// The Playground's identifier (`x`, `y`, `xSquared`, `ySquared`,
    /// `xTimesY`, `sinX`, `sinY`), also accepted by [`FromStr`].
    pub fn playground_id(self) -> &'static str {
        match self {
            Feature::X1 => "x",
            Feature::X2 => "y",
            Feature::X1Squared => "xSquared",
            Feature::X2Squared => "ySquared",
            Feature::X1X2 => "xTimesY",
            Feature::SinX1 => "sinX",
            Feature::SinX2 => "sinY",
        }
    }

    /// The feature's value at (x₁, x₂), by its [`Formula`].
    ///
    /// ```
    /// use nn::data::Feature;
    /// assert_eq!(Feature::X1X2.eval(2.0, 3.0), 6.0);
    /// assert_eq!(Feature::X2Squared.eval(2.0, 3.0), 9.0);
    /// ```
    pub fn eval(self, x1: f64, x2: f64) -> f64 {
        let x = [x1, x2];
        match self.formula() {
            Formula::Coordinate(i) => x[i],
            Formula::Product(i, j) => x[i] * x[j],
            Formula::Sin(i) => Real::sin(x[i]),
        }
    }

    /// A comma-separated list of feature names, e.g. `"x1,x2,sin(x1)"`.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the first unknown feature and listing the
    /// valid names, or if the list is empty or names a feature twice.
    pub fn parse_list(s: &str) -> Result<Vec<Feature>> {
        let mut out: Vec<Feature> = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let f: Feature = part.parse()?;
            if out.contains(&f) {
                return Err(Error::invalid(
                    "feature list",
                    "each feature at most once",
                    format!("{f} twice in {s:?}"),
                ));
            }
            out.push(f);
        }
        if out.is_empty() {
            return Err(Error::invalid(
                "feature list",
                "at least one feature",
                format!("{s:?}"),
            ));
        }
        Ok(out)
    }
}

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Feature {
    type Err = Error;

    /// Parses a feature name, case-insensitively: the [`Feature::name`]s,
    /// the Playground's ids ([`Feature::playground_id`]), and the spellings
    /// `x1²`, `x1sq`, `x1*x2`, `sinx1` and `sin x1`.
    ///
    /// ```
    /// use nn::data::Feature;
    /// assert_eq!("sin(x2)".parse::<Feature>().unwrap(), Feature::SinX2);
    /// assert_eq!("xTimesY".parse::<Feature>().unwrap(), Feature::X1X2);
    /// assert_eq!("x1sq".parse::<Feature>().unwrap(), Feature::X1Squared);
    /// for f in Feature::ALL {
    ///     assert_eq!(f.name().parse::<Feature>().unwrap(), f);
    /// }
    /// let err = "x3".parse::<Feature>().unwrap_err().to_string();
    /// assert!(err.contains("x1, x2, x1^2, x2^2, x1x2, sin(x1), sin(x2)"), "{err}");
    /// ```
    fn from_str(s: &str) -> Result<Self> {
        let key: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '(' | ')' | '*' | '_'))
            .collect();
        let key = key.replace('²', "^2");
        let f = match key.as_str() {
            "x1" | "x" => Feature::X1,
            "x2" | "y" => Feature::X2,
            "x1^2" | "x1sq" | "xsquared" | "x1squared" => Feature::X1Squared,
            "x2^2" | "x2sq" | "ysquared" | "x2squared" => Feature::X2Squared,
            "x1x2" | "xtimesy" | "xy" => Feature::X1X2,
            "sinx1" | "sinx" => Feature::SinX1,
            "sinx2" | "siny" => Feature::SinX2,
            _ => {
                let names: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
                return Err(Error::invalid(
                    "Playground feature",
                    format!("one of {}", names.join(", ")),
                    format!("{s:?}"),
                ));
            }
        };
        Ok(f)
    }
}

/// The feature matrix [n, features.len()] of points `x` [n, 2]: column j is
/// `features[j]` evaluated at each row (X₁, X₂).
///
/// # Errors
/// [`Error::Mismatch`] if `x` is not [n, 2]; [`Error::Invalid`] if
/// `features` is empty.
///
/// ```
/// use nn::data::{playground::features, Feature};
/// use autograd::Tensor;
/// let x = Tensor::from_vec(&[1, 2], vec![2.0, 3.0]).unwrap();
/// let f = features(&x, &[Feature::X1Squared, Feature::X1X2]).unwrap();
/// assert_eq!(f.data(), &[4.0, 6.0]);
/// ```
pub fn features<E: Real>(x: &Tensor<E>, features: &[Feature]) -> Result<Tensor<E>> {
    if x.ndim() != 2 || x.shape()[1] != 2 {
        return Err(Error::mismatch(
            "Playground points",
            "shape [n, 2] (X1, X2)",
            format!("{:?}", x.shape()),
        ));
    }
    if features.is_empty() {
        return Err(Error::invalid(
            "feature list",
            "at least one feature",
            "none",
        ));
    }
    let n = x.shape()[0];
    let mut out = Vec::with_capacity(n * features.len());
    for p in x.data().chunks_exact(2) {
        let (x1, x2) = (p[0].to_f64(), p[1].to_f64());
        out.extend(features.iter().map(|f| E::from_f64(f.eval(x1, x2))));
    }
    Ok(Tensor::from_vec(&[n, features.len()], out)?)
}

/// The data set with its inputs (X₁, X₂) replaced by the chosen features.
///
/// # Errors
/// As [`features`].
pub fn with_features<E: Real>(data: &Dataset<E>, chosen: &[Feature]) -> Result<Dataset<E>> {
    let x = features(data.x(), chosen)?;
    let d = Dataset::new(x, data.y().clone())?;
    match data.classes() {
        Some(c) => d.with_classes(c.to_vec()),
        None => Ok(d),
    }
}
