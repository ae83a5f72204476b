//! Load test of the browser Playground on loopback: `SESSIONS` WebSocket
//! sessions at once (30 by default, a class), each training the default
//! spiral with 3 hidden layers of 8 ReLU units, for `SECONDS` seconds (20
//! by default). Every session pauses and plays again every 2 seconds.
//! Prints, over all sessions: the gap between consecutive frames while
//! training (p50, p95, max), the time from a `pause` or `play` to its
//! answering frame, frames per second per session and epochs trained per
//! second.
//!
//! `cargo bench --bench serve_load` (or `SESSIONS=10 SECONDS=5 cargo bench
//! --bench serve_load`). The server is this package's binary, started on a
//! free loopback port and stopped at the end; the client is the one the
//! protocol tests use (`tests/common/ws.rs`).

#[path = "../tests/common/ws.rs"]
mod ws;

use std::time::{Duration, Instant};

/// What one session measured.
#[derive(Default)]
struct Measured {
    /// Milliseconds between consecutive frames of a training run.
    gaps: Vec<f64>,
    /// Milliseconds from a pause or play to its answer.
    answers: Vec<f64>,
    frames: usize,
    epochs: u64,
}

fn session(addr: &str, seconds: f64) -> Measured {
    let mut ws = ws::Ws::open(addr);
    ws.expect("hello");
    ws.expect("state");
    let mut m = Measured::default();
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut sent = Instant::now();
    ws.text(r#"{"type":"play"}"#);
    let answer = ws.expect("frame");
    m.answers.push(sent.elapsed().as_secs_f64() * 1e3);
    assert_eq!(answer["running"], true, "{answer}");
    let mut last = Instant::now();
    let mut next_pause = last + Duration::from_secs(2);
    while Instant::now() < end {
        let f = ws.expect("frame");
        let now = Instant::now();
        m.frames += 1;
        m.epochs = f["epoch"].as_u64().unwrap_or(m.epochs);
        m.gaps.push((now - last).as_secs_f64() * 1e3);
        last = now;
        if now >= next_pause {
            sent = Instant::now();
            ws.text(r#"{"type":"pause"}"#);
            while ws.expect("frame")["running"] != false {}
            m.answers.push(sent.elapsed().as_secs_f64() * 1e3);
            sent = Instant::now();
            ws.text(r#"{"type":"play"}"#);
            ws.expect("frame");
            m.answers.push(sent.elapsed().as_secs_f64() * 1e3);
            last = Instant::now();
            next_pause = last + Duration::from_secs(2);
        }
    }
    ws.text(r#"{"type":"pause"}"#);
    m
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn summary(name: &str, mut v: Vec<f64>) {
    v.sort_by(f64::total_cmp);
    println!(
        "{name:<28} n {:>6}   p50 {:>7.1} ms   p95 {:>7.1} ms   max {:>7.1} ms",
        v.len(),
        percentile(&v, 0.5),
        percentile(&v, 0.95),
        v.last().copied().unwrap_or(f64::NAN)
    );
}

fn main() {
    let env = |k: &str, d: f64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let sessions = env("SESSIONS", 30.0).clamp(1.0, 60.0) as usize;
    let seconds = env("SECONDS", 20.0).clamp(1.0, 120.0);
    let server = ws::Server::start(env!("CARGO_BIN_EXE_xiaolan"));
    println!(
        "{sessions} sessions training the 2-8-8-8-1 relu spiral for {seconds} s on {}",
        server.addr
    );
    let addr = server.addr.clone();
    let handles: Vec<_> = (0..sessions)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || session(&addr, seconds))
        })
        .collect();
    let all: Vec<Measured> = handles
        .into_iter()
        .map(|h| h.join().expect("a session of the load test failed"))
        .collect();
    drop(server);
    summary(
        "frame gap while training",
        all.iter().flat_map(|m| m.gaps.clone()).collect(),
    );
    summary(
        "pause/play to its answer",
        all.iter().flat_map(|m| m.answers.clone()).collect(),
    );
    let frames: usize = all.iter().map(|m| m.frames).sum();
    let epochs: u64 = all.iter().map(|m| m.epochs).sum();
    let slowest = all.iter().map(|m| m.epochs).min().unwrap_or(0);
    println!(
        "frames per second per session {:.1}; epochs trained per second {:.0} in all, {:.1} per session (slowest session {slowest} epochs)",
        frames as f64 / seconds / sessions as f64,
        epochs as f64 / seconds,
        epochs as f64 / seconds / sessions as f64,
    );
}
