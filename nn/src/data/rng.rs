//! The seeded random numbers the data generators draw from.
//!
//! Built on `ChaCha8Rng`, whose output stream for a given seed is fixed across
//! versions of `rand_chacha`; the conversions to floats and indices are written
//! out here, so a seed gives the same data set on every machine and release.

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded generator of uniform, normal and index samples.
pub(crate) struct SeededRng(ChaCha8Rng);

impl SeededRng {
    /// A generator whose stream depends only on `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        SeededRng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A generator for one (seed, stream) pair, e.g. one epoch of shuffling:
    /// different streams of one seed are unrelated sequences.
    pub(crate) fn with_stream(seed: u64, stream: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(stream);
        SeededRng(rng)
    }

    /// A uniform sample from [0, 1) with 53 random bits.
    pub(crate) fn next_f64(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform sample from [a, b), as the Playground's `randUniform(a, b)`.
    pub(crate) fn uniform(&mut self, a: f64, b: f64) -> f64 {
        self.next_f64() * (b - a) + a
    }

    /// A normal sample by the Marsaglia polar method, as the Playground's
    /// `normalRandom(mean, variance)` (the second variate is discarded).
    /// `s = 0` is redrawn: the Playground would return NaN there.
    pub(crate) fn normal(&mut self, mean: f64, variance: f64) -> f64 {
        loop {
            let v1 = 2.0 * self.next_f64() - 1.0;
            let v2 = 2.0 * self.next_f64() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s <= 1.0 && s > 0.0 {
                return mean + variance.sqrt() * (v1 * (-2.0 * s.ln() / s).sqrt());
            }
        }
    }

    /// A uniform index in `0..n` without modulo bias. `n` must be positive.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
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
    /// `shuffle` (from the last element down, swapping with a random earlier one).
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        let mut counter = items.len();
        while counter > 0 {
            let index = self.below(counter);
            counter -= 1;
            items.swap(counter, index);
        }
    }

    /// A random permutation of `0..n`.
    pub(crate) fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut order: Vec<usize> = (0..n).collect();
        self.shuffle(&mut order);
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_different_seeds_differ() {
        let a: Vec<f64> = (0..5)
            .map({
                let mut r = SeededRng::new(7);
                move |_| r.next_f64()
            })
            .collect();
        let b: Vec<f64> = (0..5)
            .map({
                let mut r = SeededRng::new(7);
                move |_| r.next_f64()
            })
            .collect();
        let c: Vec<f64> = (0..5)
            .map({
                let mut r = SeededRng::new(8);
                move |_| r.next_f64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut s0 = SeededRng::with_stream(7, 0);
        let mut s1 = SeededRng::with_stream(7, 1);
        assert_ne!(s0.next_f64(), s1.next_f64());
    }

    #[test]
    fn uniform_and_below_stay_in_range_and_cover_it() {
        let mut r = SeededRng::new(1);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            let u = r.uniform(-2.0, 3.0);
            assert!((-2.0..3.0).contains(&u));
            seen[r.below(7)] += 1;
        }
        for count in seen {
            assert!((850..1150).contains(&count), "counts {seen:?}");
        }
    }

    #[test]
    fn normal_has_the_requested_mean_and_variance() {
        let mut r = SeededRng::new(3);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal(2.0, 4.0)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!((mean - 2.0).abs() < 0.05, "mean {mean}");
        assert!((var - 4.0).abs() < 0.15, "variance {var}");
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut p = SeededRng::new(5).permutation(100);
        assert_ne!(p, (0..100).collect::<Vec<_>>());
        p.sort_unstable();
        assert_eq!(p, (0..100).collect::<Vec<_>>());
    }
}
