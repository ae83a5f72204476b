//! Seeded random numbers and the weight initialisations built on them.
//!
//! Every random draw in `nn` goes through [`Rng`]: `ChaCha8Rng` from
//! `rand_chacha`, seeded from a `u64` with `SeedableRng::seed_from_u64`
//! (whose output for a given seed is fixed: changing it is a value-breaking
//! change in `rand_core`), and the conversions to floats, normal variates and
//! indices are written out in this file rather than taken from `rand`'s
//! distributions (which may change between versions). So a seed gives the
//! same weights, the same data and the same shuffles on every machine and in
//! every release.
//!
//! ```
//! use nn::init::{Init, Rng};
//! let mut rng = Rng::new(42);
//! let w = Init::Playground.weights::<f64>(&mut rng, 2, 3);
//! assert_eq!(w.shape(), &[2, 3]);
//! assert!(w.data().iter().all(|&x| (-0.5..0.5).contains(&x)));
//! // the same seed, the same weights
//! assert_eq!(Init::Playground.weights::<f64>(&mut Rng::new(42), 2, 3), w);
//! ```

use crate::error::{Error, Result};
use autograd::{Real, Tensor};
use rand_chacha::rand_core::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt;
use std::str::FromStr;

/// A seeded random-number generator: uniform and normal samples, indices
/// and shuffles, reproducible across versions (see the [module docs](self)).
///
/// ```
/// use nn::init::Rng;
/// let mut a = Rng::new(7);
/// let mut b = Rng::new(7);
/// assert_eq!(a.uniform(-1.0, 1.0), b.uniform(-1.0, 1.0));
/// let mut order = [0, 1, 2, 3, 4];
/// a.shuffle(&mut order);
/// let mut sorted = order;
/// sorted.sort();
/// assert_eq!(sorted, [0, 1, 2, 3, 4]);
/// ```
#[derive(Clone, Debug)]
pub struct Rng(ChaCha8Rng);

impl Rng {
    /// A generator whose stream depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A generator for one (seed, stream) pair: streams of one seed are
    /// unrelated sequences (used for one shuffle per epoch, for example).
    pub fn with_stream(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        Rng(rng)
    }

    /// 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform sample from [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform sample from [a, b) (the Playground's `randUniform(a, b)`).
    pub fn uniform(&mut self, a: f64, b: f64) -> f64 {
        self.next_f64() * (b - a) + a
    }

    /// A normal sample with the given mean and standard deviation, by the
    /// Marsaglia polar method: draw v1, v2 from U(−1, 1) until
    /// 0 < s = v1² + v2² ≤ 1, then return mean + std·v1·√(−2 ln s / s).
    /// The second variate is discarded (as in the Playground's `normalRandom`).
    pub fn normal(&mut self, mean: f64, std: f64) -> f64 {
        loop {
            let v1 = 2.0 * self.next_f64() - 1.0;
            let v2 = 2.0 * self.next_f64() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s <= 1.0 && s > 0.0 {
                return mean + std * v1 * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// A uniform index in `0..n`, without modulo bias (rejection sampling).
    ///
    /// # Panics
    /// If `n` is 0 (there is no index to return).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below: expected n > 0, found 0");
        let n = n as u64;
        let zone = (u64::MAX / n) * n;
        loop {
            let r = self.0.next_u64();
            if r < zone {
                return (r % n) as usize;
            }
        }
    }

    /// Shuffles in place with the Fisher–Yates walk of the Playground's
    /// `shuffle`: from the last element down, each is swapped with a uniformly
    /// chosen element at or before it (one draw per element, the first one
    /// included).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        let mut counter = items.len();
        while counter > 0 {
            let index = self.below(counter);
            counter -= 1;
            items.swap(counter, index);
        }
    }

    /// A random permutation of `0..n`.
    pub fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        self.shuffle(&mut order);
        order
    }
}

/// How a layer's weights and biases are drawn.
///
/// Weights are drawn row-major into a `[inputs, outputs]` tensor, then biases
/// into `[outputs]`, from one [`Rng`]; a network draws its layers in order,
/// so a seed fixes every parameter.
///
/// | init | weights | biases |
/// |---|---|---|
/// | `Playground` | U(−0.5, 0.5) | 0.1 |
/// | `Zero` | 0 | 0 |
/// | `Nielsen` | N(0, 1) | N(0, 1) |
/// | `NielsenScaled` | N(0, 1/inputs) (std 1/√inputs) | N(0, 1) |
/// | `Xavier` | U(−a, a), a = √(6 / (inputs + outputs)) | 0 |
/// | `He` | N(0, 2/inputs) (std √(2/inputs)) | 0 |
///
/// `Playground` and `Zero` are the TensorFlow Playground's (its default and
/// its `initZero` flag); `Nielsen` is the "large" initialiser of Nielsen's
/// `network.py` and `NielsenScaled` the default of his `network2.py`;
/// `Xavier` is Glorot's uniform initialiser (for tanh/sigmoid) and `He` is
/// Kaiming's normal initialiser (for ReLU).
///
/// ```
/// use nn::init::Init;
/// let init: Init = "xavier".parse().unwrap();
/// assert_eq!(init, Init::Xavier);
/// assert_eq!(init.to_string(), "xavier");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Init {
    /// Weights U(−0.5, 0.5), biases 0.1 (the TensorFlow Playground).
    Playground,
    /// Every weight and bias 0 (the Playground's `initZero`: hidden units stay
    /// identical, so symmetry is never broken).
    Zero,
    /// Weights and biases N(0, 1) (Nielsen, `network.py`).
    Nielsen,
    /// Weights N(0, 1/inputs), biases N(0, 1) (Nielsen, `network2.py`).
    NielsenScaled,
    /// Glorot uniform: weights U(−a, a) with a = √(6 / (inputs + outputs)), biases 0.
    Xavier,
    /// He (Kaiming) normal: weights N(0, 2/inputs), biases 0.
    He,
}

impl Init {
    /// Every initialisation, in the order of the table above.
    pub const ALL: [Init; 6] = [
        Init::Playground,
        Init::Zero,
        Init::Nielsen,
        Init::NielsenScaled,
        Init::Xavier,
        Init::He,
    ];

    /// The name used by [`Display`](fmt::Display) and [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Init::Playground => "playground",
            Init::Zero => "zero",
            Init::Nielsen => "nielsen",
            Init::NielsenScaled => "nielsen_scaled",
            Init::Xavier => "xavier",
            Init::He => "he",
        }
    }

    /// A `[inputs, outputs]` weight matrix, drawn row-major from `rng`.
    pub fn weights<E: Real>(self, rng: &mut Rng, inputs: usize, outputs: usize) -> Tensor<E> {
        let n = inputs * outputs;
        let fan_in = inputs.max(1) as f64;
        let data: Vec<E> = match self {
            Init::Playground => (0..n)
                .map(|_| rng.uniform(-0.5, 0.5))
                .map(E::from_f64)
                .collect(),
            Init::Zero => vec![E::zero(); n],
            Init::Nielsen => (0..n).map(|_| E::from_f64(rng.normal(0.0, 1.0))).collect(),
            Init::NielsenScaled => {
                let std = 1.0 / fan_in.sqrt();
                (0..n).map(|_| E::from_f64(rng.normal(0.0, std))).collect()
            }
            Init::Xavier => {
                let a = (6.0 / (inputs + outputs).max(1) as f64).sqrt();
                (0..n).map(|_| E::from_f64(rng.uniform(-a, a))).collect()
            }
            Init::He => {
                let std = (2.0 / fan_in).sqrt();
                (0..n).map(|_| E::from_f64(rng.normal(0.0, std))).collect()
            }
        };
        Tensor::from_vec(&[inputs, outputs], data).expect("length is inputs × outputs")
    }

    /// An `[outputs]` bias vector, drawn from `rng` (nothing is drawn for the
    /// constant biases).
    pub fn biases<E: Real>(self, rng: &mut Rng, outputs: usize) -> Tensor<E> {
        match self {
            Init::Playground => Tensor::full(&[outputs], E::from_f64(0.1)),
            Init::Zero | Init::Xavier | Init::He => Tensor::zeros(&[outputs]),
            Init::Nielsen | Init::NielsenScaled => {
                let data = (0..outputs)
                    .map(|_| E::from_f64(rng.normal(0.0, 1.0)))
                    .collect();
                Tensor::from_vec(&[outputs], data).expect("length is outputs")
            }
        }
    }
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Init {
    type Err = Error;

    /// Parses a name from [`Init::name`] (case-insensitive; `-` may replace `_`;
    /// `glorot` and `kaiming` are accepted for `xavier` and `he`).
    fn from_str(s: &str) -> Result<Self> {
        let key = s.trim().to_ascii_lowercase().replace('-', "_");
        let found = match key.as_str() {
            "glorot" => Some(Init::Xavier),
            "kaiming" => Some(Init::He),
            _ => Init::ALL.into_iter().find(|i| i.name() == key),
        };
        found.ok_or_else(|| {
            let names: Vec<&str> = Init::ALL.iter().map(|i| i.name()).collect();
            Error::invalid(
                "initialisation",
                format!("one of {}", names.join(", ")),
                format!("`{s}`"),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mean_and_std(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        (mean, var.sqrt())
    }

    #[test]
    fn same_seed_same_numbers_other_seed_other_numbers() {
        let draw = |seed| {
            let mut r = Rng::new(seed);
            (0..4).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(draw(3), draw(3));
        assert_ne!(draw(3), draw(4));
        let mut s0 = Rng::with_stream(3, 0);
        let mut s1 = Rng::with_stream(3, 1);
        assert_ne!(s0.next_u64(), s1.next_u64());
    }

    #[test]
    fn the_stream_is_pinned() {
        // ChaCha8 seeded with seed_from_u64(0): if this changes, every seeded
        // model and data set in the project changes with it.
        let mut r = Rng::new(0);
        let first = r.next_u64();
        let again = Rng::new(0).next_u64();
        assert_eq!(first, again);
        let u = Rng::new(0).next_f64();
        assert_eq!(u, (first >> 11) as f64 / (1u64 << 53) as f64);
    }

    #[test]
    fn uniform_normal_below_have_the_right_distribution() {
        let mut r = Rng::new(11);
        let us: Vec<f64> = (0..20_000).map(|_| r.uniform(-2.0, 3.0)).collect();
        assert!(us.iter().all(|u| (-2.0..3.0).contains(u)));
        let (m, _) = mean_and_std(&us);
        assert!((m - 0.5).abs() < 0.05, "uniform mean {m}");
        let zs: Vec<f64> = (0..20_000).map(|_| r.normal(1.0, 2.0)).collect();
        let (m, s) = mean_and_std(&zs);
        assert!(
            (m - 1.0).abs() < 0.05 && (s - 2.0).abs() < 0.05,
            "normal {m} {s}"
        );
        let mut counts = [0usize; 5];
        for _ in 0..5000 {
            counts[r.below(5)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (900..1100).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    #[should_panic(expected = "Rng::below: expected n > 0, found 0")]
    fn below_zero_panics_with_a_message() {
        Rng::new(1).below(0);
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut p = Rng::new(5).permutation(50);
        assert_ne!(p, (0..50).collect::<Vec<_>>());
        p.sort_unstable();
        assert_eq!(p, (0..50).collect::<Vec<_>>());
        let mut empty: [u8; 0] = [];
        Rng::new(5).shuffle(&mut empty);
    }

    #[test]
    fn inits_have_their_documented_scale() {
        let mut rng = Rng::new(1);
        let (fan_in, fan_out) = (200, 100);
        let std_of = |init: Init, rng: &mut Rng| {
            let w: Tensor<f64> = init.weights(rng, fan_in, fan_out);
            mean_and_std(w.data())
        };
        let (m, s) = std_of(Init::Nielsen, &mut rng);
        assert!(m.abs() < 0.02 && (s - 1.0).abs() < 0.02, "{m} {s}");
        let (_, s) = std_of(Init::NielsenScaled, &mut rng);
        assert!((s - (1.0 / 200f64).sqrt()).abs() < 0.002, "{s}");
        let (_, s) = std_of(Init::He, &mut rng);
        assert!((s - (2.0 / 200f64).sqrt()).abs() < 0.002, "{s}");
        let w: Tensor<f64> = Init::Xavier.weights(&mut rng, fan_in, fan_out);
        let a = (6.0 / 300f64).sqrt();
        assert!(w.data().iter().all(|x| x.abs() <= a));
        let (_, s) = mean_and_std(w.data());
        assert!((s - a / 3f64.sqrt()).abs() < 0.003, "{s}");
        let w: Tensor<f32> = Init::Playground.weights(&mut rng, 3, 4);
        assert!(w.data().iter().all(|x| (-0.5..0.5).contains(x)));
        let b: Tensor<f32> = Init::Playground.biases(&mut rng, 4);
        assert_eq!(b.data(), &[0.1; 4]);
        let b: Tensor<f64> = Init::He.biases(&mut rng, 2);
        assert_eq!(b.data(), &[0.0; 2]);
        let z: Tensor<f64> = Init::Zero.weights(&mut rng, 2, 2);
        assert_eq!(z.data(), &[0.0; 4]);
    }

    #[test]
    fn names_round_trip_and_bad_names_list_the_valid_ones() {
        for init in Init::ALL {
            assert_eq!(init.to_string().parse::<Init>().unwrap(), init);
        }
        assert_eq!("Kaiming".parse::<Init>().unwrap(), Init::He);
        assert_eq!(
            "nielsen-scaled".parse::<Init>().unwrap(),
            Init::NielsenScaled
        );
        let err = "gaussian".parse::<Init>().unwrap_err().to_string();
        assert_eq!(
            err,
            "initialisation: expected one of playground, zero, nielsen, nielsen_scaled, xavier, he, found `gaussian`"
        );
    }
}
