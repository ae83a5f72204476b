//! Scalar autodiff throughput: micrograd's workload on [`autograd::Var`].
//!
//! A 2-16-16-1 MLP made only of scalar `Var`s (tanh or relu hidden units, a
//! linear output, as in micrograd), 100 points of two interleaved half-moons
//! (scikit-learn's `make_moons`, noise 0.1, fixed seed) labelled ±1, loss =
//! sum of squared errors. One step: put the 337 parameters on the tape as
//! variables, forward over the 100 samples, backward, then an SGD update
//! (timed apart). Two variants run interleaved from the same weights: a fresh
//! `Tape` every step, and one tape reused with `clear()`; both must reach the
//! same loss bit for bit.
//!
//! Figures: nodes recorded per step, nanoseconds per recorded node for
//! forward + backward (target: at most 6 ns), steps per second; medians over
//! all timed steps. One JSON line on stdout, a readable summary on stderr.
//!
//! ```text
//! cargo bench -p xiaolan-autograd --bench scalar_mlp
//! cargo bench -p xiaolan-autograd --bench scalar_mlp -- --act relu --steps 200
//! ```

#[path = "common/mod.rs"]
mod common;

use autograd::{Tape, Var};
use common::{median, timed, Args, Json, Rng};

/// Layer widths, input first.
const SIZES: [usize; 4] = [2, 16, 16, 1];
/// Target for forward + backward, per recorded node (the first target was
/// 30 ns; this one halves the 10.1 ns with tanh measured when it was set).
const TARGET_NS_PER_OP: f64 = 6.0;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Act {
    Tanh,
    Relu,
}

/// `n` points of scikit-learn's `make_moons` (two half circles, Gaussian
/// noise of standard deviation `noise`), labels −1 (outer) and +1 (inner).
fn make_moons(n: usize, noise: f64, rng: &mut Rng) -> (Vec<[f64; 2]>, Vec<f64>) {
    let outer = n / 2;
    let inner = n - outer;
    let mut xs = Vec::with_capacity(n);
    let mut ys = Vec::with_capacity(n);
    for i in 0..outer {
        let t = std::f64::consts::PI * i as f64 / (outer.max(2) - 1) as f64;
        xs.push([t.cos(), t.sin()]);
        ys.push(-1.0);
    }
    for i in 0..inner {
        let t = std::f64::consts::PI * i as f64 / (inner.max(2) - 1) as f64;
        xs.push([1.0 - t.cos(), 1.0 - t.sin() - 0.5]);
        ys.push(1.0);
    }
    for p in &mut xs {
        p[0] += noise * rng.normal();
        p[1] += noise * rng.normal();
    }
    (xs, ys)
}

/// Parameters laid out layer by layer, neuron by neuron: its weights, then its bias.
fn init_params(rng: &mut Rng) -> Vec<f64> {
    let mut p = Vec::new();
    for w in SIZES.windows(2) {
        for _ in 0..w[1] {
            for _ in 0..w[0] {
                p.push(rng.uniform() * 2.0 - 1.0); // micrograd: uniform(-1, 1)
            }
            p.push(0.0);
        }
    }
    p
}

/// The loss of the whole data set, recorded on `tape`; returns it with the
/// parameter variables (in the order of `params`).
fn forward<'t>(
    tape: &'t Tape,
    params: &[f64],
    xs: &[[f64; 2]],
    ys: &[f64],
    act: Act,
) -> (Var<'t>, Vec<Var<'t>>) {
    let p: Vec<Var<'t>> = params.iter().map(|&x| tape.var(x)).collect();
    let mut hidden: Vec<Var<'t>> = Vec::with_capacity(16);
    let mut next: Vec<Var<'t>> = Vec::with_capacity(16);
    let mut loss: Option<Var<'t>> = None;
    for (x, &y) in xs.iter().zip(ys) {
        // first layer: the inputs are plain numbers (constants, no nodes)
        hidden.clear();
        let mut k = 0;
        for _ in 0..SIZES[1] {
            let mut s = p[k + SIZES[0]];
            for (j, &xj) in x.iter().enumerate() {
                s = s + p[k + j] * xj;
            }
            k += SIZES[0] + 1;
            hidden.push(activate(s, act));
        }
        // second layer
        next.clear();
        for _ in 0..SIZES[2] {
            let mut s = p[k + SIZES[1]];
            for (j, &h) in hidden.iter().enumerate() {
                s = s + p[k + j] * h;
            }
            k += SIZES[1] + 1;
            next.push(activate(s, act));
        }
        // linear output
        let mut out = p[k + SIZES[2]];
        for (j, &h) in next.iter().enumerate() {
            out = out + p[k + j] * h;
        }
        let e = (out - y).powi(2);
        loss = Some(match loss {
            Some(l) => l + e,
            None => e,
        });
    }
    (loss.expect("at least one sample"), p)
}

fn activate(x: Var<'_>, act: Act) -> Var<'_> {
    match act {
        Act::Tanh => x.tanh(),
        Act::Relu => x.relu(),
    }
}

/// Timings of one variant, one entry per timed step (seconds).
#[derive(Default)]
struct Times {
    fwd: Vec<f64>,
    bwd: Vec<f64>,
    total: Vec<f64>,
}

/// One variant's state: its own copy of the weights.
struct Run {
    params: Vec<f64>,
    times: Times,
    losses: Vec<f64>,
}

impl Run {
    fn new(params: &[f64]) -> Self {
        Run {
            params: params.to_vec(),
            times: Times::default(),
            losses: Vec::new(),
        }
    }

    /// One training step on `tape` (already empty); records timings when `timed_step`.
    fn step(&mut self, tape: &Tape, data: &Data, lr: f64, timed_step: bool) -> usize {
        let (t_fwd, (loss, vars)) =
            timed(|| forward(tape, &self.params, &data.xs, &data.ys, data.act));
        let nodes = tape.len();
        let (t_bwd, grads) = timed(|| loss.backward());
        for (w, &v) in self.params.iter_mut().zip(&vars) {
            *w -= lr * grads[v];
        }
        if timed_step {
            self.times.fwd.push(t_fwd);
            self.times.bwd.push(t_bwd);
            self.times.total.push(t_fwd + t_bwd);
        }
        self.losses.push(loss.value());
        nodes
    }

    /// Adds time spent before the forward pass (`pre`) and after the
    /// backward pass (`post`) to the last timed step.
    fn add_to_last(&mut self, pre: f64, post: f64) {
        *self.times.fwd.last_mut().expect("a timed step") += pre;
        *self.times.bwd.last_mut().expect("a timed step") += post;
        *self.times.total.last_mut().expect("a timed step") += pre + post;
    }
}

struct Data {
    xs: Vec<[f64; 2]>,
    ys: Vec<f64>,
    act: Act,
}

fn summary(name: &str, t: &Times, nodes: usize) -> Json {
    let (f, b, tot) = (median(&t.fwd), median(&t.bwd), median(&t.total));
    let ns = |s: f64| s * 1e9 / nodes as f64;
    eprintln!(
        "  {name:<12} {:>7.2} ns/node (fwd {:.2} + bwd {:.2}), {:.3} ms/step, {:.0} steps/s",
        ns(tot),
        ns(f),
        ns(b),
        tot * 1e3,
        1.0 / tot
    );
    Json::new()
        .num("ns_per_op", ns(tot))
        .num("ns_per_op_fwd", ns(f))
        .num("ns_per_op_bwd", ns(b))
        .num("ms_per_step", tot * 1e3)
        .num("ms_fwd", f * 1e3)
        .num("ms_bwd", b * 1e3)
        .num(
            "ms_per_step_min",
            t.total.iter().cloned().fold(f64::INFINITY, f64::min) * 1e3,
        )
        .num("steps_per_sec", 1.0 / tot)
        .bool("target_met", ns(tot) <= TARGET_NS_PER_OP)
}

fn main() {
    let args = Args::parse();
    let act = match args.get("act", "tanh".to_string()).as_str() {
        "tanh" => Act::Tanh,
        "relu" => Act::Relu,
        other => {
            eprintln!("option --act: expected tanh or relu, found {other:?}");
            std::process::exit(2)
        }
    };
    let samples: usize = args.get("samples", 100);
    let steps: usize = args.get("steps", 100);
    let warmup: usize = args.get("warmup", 3);
    let lr: f64 = args.get("lr", 0.001);
    if samples == 0 || steps == 0 {
        eprintln!("--samples and --steps must be at least 1");
        std::process::exit(2);
    }

    let mut rng = Rng::new(2024);
    let (xs, ys) = make_moons(samples, 0.1, &mut rng);
    let data = Data { xs, ys, act };
    let params = init_params(&mut rng);

    let mut fresh = Run::new(&params);
    let mut reused = Run::new(&params);
    let mut tape = Tape::new();
    let mut nodes = 0;
    // the variants alternate step by step, so that machine noise hits both alike
    for i in 0..warmup + steps {
        let timed_step = i >= warmup;
        // a fresh tape's creation and drop belong to its step: time them too
        let (t_new, own) = timed(Tape::new);
        nodes = fresh.step(&own, &data, lr, timed_step);
        let (t_drop, ()) = timed(|| drop(own));
        let (t_clear, ()) = timed(|| tape.clear());
        reused.step(&tape, &data, lr, timed_step);
        if timed_step {
            fresh.add_to_last(t_new, t_drop);
            reused.add_to_last(t_clear, 0.0);
        }
    }
    assert_eq!(
        fresh.losses, reused.losses,
        "a fresh tape and a cleared tape must compute the same losses"
    );
    let first = fresh.losses[0];
    let last = *fresh.losses.last().unwrap();

    let n_params = params.len();
    eprintln!(
        "scalar_mlp: {}-{}-{}-{} {act:?} MLP of scalar Vars, {samples} samples, {n_params} parameters",
        SIZES[0], SIZES[1], SIZES[2], SIZES[3]
    );
    eprintln!(
        "  {nodes} nodes recorded per step; {} timed steps per variant (median); loss {first:.3} -> {last:.3}",
        steps
    );
    let jf = summary("fresh tape", &fresh.times, nodes);
    let jr = summary("reused tape", &reused.times, nodes);
    eprintln!("  target: <= {TARGET_NS_PER_OP} ns per node (forward + backward)");

    let json = Json::new()
        .str("bench", "scalar_mlp")
        .str("net", "2-16-16-1")
        .str("act", if act == Act::Tanh { "tanh" } else { "relu" })
        .int("samples", samples as u64)
        .int("params", n_params as u64)
        .int("nodes_per_step", nodes as u64)
        .int("timed_steps", (steps) as u64)
        .num("loss_first", first)
        .num("loss_last", last)
        .num("target_ns_per_op", TARGET_NS_PER_OP)
        .obj("fresh_tape", jf)
        .obj("reused_tape", jr);
    println!("{}", json.line());
}
