//! The course's first gradient: one bean of size x = 0.4 and toxicity
//! y = 0.68, the prediction y = wx and the squared error
//! e(w) = (0.68 − 0.4w)² = 0.16w² − 0.544w + 0.4624.
//!
//! For several w it prints e(w) from the tape next to the expanded
//! polynomial, and de/dw three ways: from the tape, by the course's formula
//! −2x(y − wx), and by central differences. It exits non-zero if any of them
//! disagree.
//!
//! ```sh
//! cargo run --release --example first_gradient
//! ```

use autograd::{numeric_derivative, Tape};

fn main() {
    let (x, y) = (0.4, 0.68);
    println!("bean: x = {x}, y = {y}; e(w) = (y - w*x)^2 = 0.16w^2 - 0.544w + 0.4624");
    println!(
        "{:>6} {:>12} {:>12} {:>14} {:>14} {:>14}",
        "w", "e (tape)", "e (poly)", "de/dw tape", "-2x(y-wx)", "numeric"
    );
    let (mut exact, mut numeric_err): (f64, f64) = (0.0, 0.0);
    for w0 in [-1.0, 0.0, 0.5, 1.0, 1.7, 3.0] {
        let tape = Tape::new();
        let w = tape.var(w0);
        let e = (y - w * x).powi(2);
        let g = e.backward();
        let poly = 0.16 * w0 * w0 - 0.544 * w0 + 0.4624;
        let by_hand = -2.0 * x * (y - w0 * x);
        let numeric = numeric_derivative(|w| (y - w * x).powi(2), w0, 1e-6);
        println!(
            "{w0:>6.2} {:>12.6} {:>12.6} {:>14.9} {:>14.9} {:>14.9}",
            e.value(),
            poly,
            g[w],
            by_hand,
            numeric
        );
        exact = exact
            .max((e.value() - poly).abs())
            .max((g[w] - by_hand).abs());
        numeric_err = numeric_err.max((g[w] - numeric).abs());
    }
    let tape = Tape::new();
    let w = tape.var(0.0);
    let g = (y - w * x).powi(2).backward();
    println!(
        "at w = 0 the slope is {:.3}: increase w to go downhill",
        g[w]
    );
    if exact > 1e-12 || numeric_err > 1e-7 {
        eprintln!("mismatch: tape vs formula {exact:e}, tape vs numeric {numeric_err:e}");
        std::process::exit(1);
    }
    println!("tape = formula to {exact:.1e}; tape = central difference to {numeric_err:.1e}");
}
