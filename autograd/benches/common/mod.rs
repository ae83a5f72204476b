//! Helpers shared by the benchmark programs: a seeded generator, medians,
//! command-line options and a one-line JSON writer (no dependencies).

#![allow(dead_code)]

use std::fmt::Write as _;
use std::time::Instant;

/// xorshift64*: a small seeded generator, so every run sees the same data.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // in (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Uniform integer in [0, n).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The median of a set of timings (the mean of the two middle ones for an
/// even count).
pub fn median(xs: &[f64]) -> f64 {
    assert!(!xs.is_empty(), "median of no measurements");
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Seconds taken by `f`, and its result.
pub fn timed<R>(f: impl FnOnce() -> R) -> (f64, R) {
    let t = Instant::now();
    let r = f();
    (t.elapsed().as_secs_f64(), r)
}

/// `--name value` options after the program name. Cargo passes `--bench`
/// to benchmark programs; flags without a value are ignored.
pub struct Args(Vec<(String, String)>);

impl Args {
    /// Reads the process arguments.
    pub fn parse() -> Self {
        let raw: Vec<String> = std::env::args().skip(1).collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            if let Some(name) = raw[i].strip_prefix("--") {
                if let Some((k, v)) = name.split_once('=') {
                    out.push((k.to_string(), v.to_string()));
                } else if i + 1 < raw.len() && !raw[i + 1].starts_with("--") {
                    out.push((name.to_string(), raw[i + 1].clone()));
                    i += 1;
                }
            }
            i += 1;
        }
        Args(out)
    }

    /// The value of `--name`, parsed, or `default`; exits with a message
    /// naming the option when the value does not parse.
    pub fn get<T: std::str::FromStr>(&self, name: &str, default: T) -> T {
        match self.0.iter().rev().find(|(k, _)| k == name) {
            None => default,
            Some((_, v)) => v.parse().unwrap_or_else(|_| {
                eprintln!(
                    "option --{name}: expected a {}, found {v:?}",
                    std::any::type_name::<T>()
                );
                std::process::exit(2)
            }),
        }
    }
}

/// A JSON object written on one line, fields in insertion order.
#[derive(Default)]
pub struct Json(String);

impl Json {
    /// An empty object.
    pub fn new() -> Self {
        Json(String::new())
    }

    fn key(&mut self, k: &str) {
        if !self.0.is_empty() {
            self.0.push(',');
        }
        write!(self.0, "\"{k}\":").unwrap();
    }

    /// A number field (rounded to 6 significant figures; NaN becomes null).
    pub fn num(mut self, k: &str, v: f64) -> Self {
        self.key(k);
        if v.is_finite() {
            let s = format!("{v:.6e}");
            let parsed: f64 = s.parse().unwrap();
            if parsed == 0.0 || (1e-4..1e15).contains(&parsed.abs()) {
                write!(self.0, "{parsed}").unwrap();
            } else {
                write!(self.0, "{parsed:e}").unwrap();
            }
        } else {
            self.0.push_str("null");
        }
        self
    }

    /// An integer field.
    pub fn int(mut self, k: &str, v: u64) -> Self {
        self.key(k);
        write!(self.0, "{v}").unwrap();
        self
    }

    /// A boolean field.
    pub fn bool(mut self, k: &str, v: bool) -> Self {
        self.key(k);
        write!(self.0, "{v}").unwrap();
        self
    }

    /// A string field (no escaping needed for the plain names used here).
    pub fn str(mut self, k: &str, v: &str) -> Self {
        self.key(k);
        write!(
            self.0,
            "\"{}\"",
            v.replace('\\', "\\\\").replace('"', "\\\"")
        )
        .unwrap();
        self
    }

    /// A nested object field.
    pub fn obj(mut self, k: &str, v: Json) -> Self {
        self.key(k);
        write!(self.0, "{{{}}}", v.0).unwrap();
        self
    }

    /// The object as one line of JSON.
    pub fn line(&self) -> String {
        format!("{{{}}}", self.0)
    }
}
