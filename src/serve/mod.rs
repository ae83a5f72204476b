//! `xiaolan serve`: the Playground as a local web page. The page's files
//! are inside the binary; each browser tab opens one WebSocket, which is one
//! [`session::Session`] on a thread of its own (the engine's tensors stay on
//! the thread that made them). The thread trains with nn's one training
//! loop while the page plays, and sends at most [`FRAMES_PER_SECOND`]
//! frames a second; the protocol is `docs/playground-protocol.md`.

pub mod controls;
pub mod frame;
pub mod session;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use session::{PageError, Session};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// The most sessions (tabs) served at once.
pub const MAX_SESSIONS: usize = 64;
/// The largest message a page may send, CSV uploads included.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;
/// Frames a session sends per second while training, at most.
pub const FRAMES_PER_SECOND: u64 = 30;
/// Frames a session has queued for its page that the socket has not taken
/// yet, at most: while training, a session whose socket falls behind (a
/// slow page, or a server short of CPU) skips frames instead of queueing
/// them, so the answer to a control never waits behind a queue of frames.
pub const FRAMES_QUEUED: usize = 2;

/// The page's files: name, content type, bytes.
const FILES: &[(&str, &str, &str)] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_str!("page/index.html"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("page/style.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_str!("page/app.js"),
    ),
    (
        "chart.js",
        "text/javascript; charset=utf-8",
        include_str!("page/chart.js"),
    ),
    (
        "controls.js",
        "text/javascript; charset=utf-8",
        include_str!("page/controls.js"),
    ),
    (
        "heatmap.js",
        "text/javascript; charset=utf-8",
        include_str!("page/heatmap.js"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_str!("page/i18n.js"),
    ),
    (
        "network.js",
        "text/javascript; charset=utf-8",
        include_str!("page/network.js"),
    ),
    (
        "panels.js",
        "text/javascript; charset=utf-8",
        include_str!("page/panels.js"),
    ),
    (
        "socket.js",
        "text/javascript; charset=utf-8",
        include_str!("page/socket.js"),
    ),
    (
        "urlstate.js",
        "text/javascript; charset=utf-8",
        include_str!("page/urlstate.js"),
    ),
];

/// The live sessions.
#[derive(Clone, Default)]
struct Live(Arc<AtomicUsize>);

/// A message for the page, serialised on the session's thread; a frame
/// counts in the session's queued frames until the socket has taken it.
struct Outgoing {
    text: String,
    frame: bool,
}

/// Serves the Playground on `host:port` until Ctrl-C; `port` 0 takes a free
/// port. Prints the address.
///
/// # Errors
/// The address cannot be bound, or the runtime cannot start.
pub fn serve(host: &str, port: u16) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((host, port)).await?;
        let addr = listener.local_addr()?;
        crate::playground::out::write(&format!("Playground: http://{addr}/ (Ctrl-C to stop)\n"))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let app = Router::new()
            .route("/", get(|| async { file("index.html") }))
            .route("/ws", get(upgrade))
            .route(
                "/{name}",
                get(|Path(name): Path<String>| async move { file(&name) }),
            )
            .with_state(Live::default());
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}

fn file(name: &str) -> Response {
    match FILES.iter().find(|f| f.0 == name) {
        Some((_, ty, body)) => ([(header::CONTENT_TYPE, *ty)], *body).into_response(),
        None => (StatusCode::NOT_FOUND, format!("no page file {name:?}")).into_response(),
    }
}

async fn upgrade(ws: WebSocketUpgrade, State(live): State<Live>) -> Response {
    ws.max_message_size(MAX_MESSAGE_BYTES)
        .on_failed_upgrade(|_| ())
        .on_upgrade(move |socket| session(socket, live))
}

/// One tab: a thread with its session, fed the page's messages, and this
/// task forwarding the thread's messages to the page.
async fn session(mut socket: WebSocket, live: Live) {
    if live.0.fetch_add(1, Ordering::SeqCst) >= MAX_SESSIONS {
        live.0.fetch_sub(1, Ordering::SeqCst);
        let e = PageError {
            message: format!("the server already has {MAX_SESSIONS} sessions open, the most it serves: close a tab or try again later"),
            field: Some("session".into()),
        };
        let _ = socket
            .send(Message::Text(e.to_message().to_string().into()))
            .await;
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let (to_session, inbox) = mpsc::channel::<Value>();
    let (outbox, mut from_session) = tokio::sync::mpsc::unbounded_channel::<Outgoing>();
    let queued = Arc::new(AtomicUsize::new(0));
    let id = live.0.load(Ordering::SeqCst);
    let worker = {
        let queued = Arc::clone(&queued);
        std::thread::Builder::new()
            .name("playground-session".into())
            .spawn(move || session_thread(id, inbox, outbox, &queued))
    };
    if worker.is_err() {
        live.0.fetch_sub(1, Ordering::SeqCst);
        return;
    }
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let msg = match incoming {
                    Some(Ok(Message::Text(t))) => serde_json::from_str::<Value>(&t).unwrap_or_else(|e| {
                        json!({"type": "__bad", "why": format!("expected a JSON message, found text that is not JSON ({e})")})
                    }),
                    Some(Ok(Message::Binary(_))) => json!({"type": "__bad", "why": "expected a JSON text message, found a binary one"}),
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => json!({"type": "__bad", "why": format!("the message could not be read: {e} (at most {MAX_MESSAGE_BYTES} bytes)")}),
                    None => break,
                };
                if to_session.send(msg).is_err() { break; }
            }
            out = from_session.recv() => match out {
                Some(o) => {
                    let sent = socket.send(Message::Text(o.text.into())).await;
                    if o.frame {
                        queued.fetch_sub(1, Ordering::SeqCst);
                    }
                    if sent.is_err() { break; }
                }
                None => break,
            }
        }
    }
    drop(to_session); // ends the thread, which frees the session
    live.0.fetch_sub(1, Ordering::SeqCst);
}

/// The session's thread: answers messages, trains while playing, and
/// sends a frame when one is due unless `queued` frames already wait for
/// the socket ([`FRAMES_QUEUED`]).
fn session_thread(
    id: usize,
    inbox: mpsc::Receiver<Value>,
    outbox: tokio::sync::mpsc::UnboundedSender<Outgoing>,
    queued: &AtomicUsize,
) {
    let send = |v: Value| {
        let frame = v["type"] == "frame";
        if frame {
            queued.fetch_add(1, Ordering::SeqCst);
        }
        outbox
            .send(Outgoing {
                text: v.to_string(),
                frame,
            })
            .is_ok()
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut s = match Session::new() {
            Ok(s) => s,
            Err(e) => {
                send(e.to_message());
                return;
            }
        };
        if !send(hello(id, &s)) || !send(s.state()) {
            return;
        }
        let gap = Duration::from_secs(1) / FRAMES_PER_SECOND as u32;
        let mut due = Instant::now() + gap; // when the next frame is due
        loop {
            let msg = if s.running {
                match inbox.try_recv() {
                    Ok(m) => Some(m),
                    Err(mpsc::TryRecvError::Empty) => None,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            } else {
                match inbox.recv() {
                    Ok(m) => Some(m),
                    Err(_) => return,
                }
            };
            if let Some(m) = msg {
                let out = match m.get("type").and_then(Value::as_str) {
                    Some("__bad") => vec![PageError {
                        message: m["why"].as_str().unwrap_or("a bad message").to_string(),
                        field: Some("message".into()),
                    }
                    .to_message()],
                    _ => s.handle(&m),
                };
                for v in out {
                    if !send(v) {
                        return;
                    }
                }
                due = Instant::now() + gap;
                continue;
            }
            // playing: train until the next frame is due
            while s.running && Instant::now() < due {
                if let Err(e) = s.epoch() {
                    send(e.to_message());
                }
            }
            // frames keep to a grid of `gap`, so building one does not
            // lengthen the period; a session that fell behind starts a new grid
            let now = Instant::now();
            due = if due + gap > now {
                due + gap
            } else {
                now + gap
            };
            if s.running && queued.load(Ordering::SeqCst) >= FRAMES_QUEUED {
                continue; // the socket has not taken the last frames: skip this one
            }
            let frame = s.frame().unwrap_or_else(|e| e.to_message());
            if !send(frame) {
                return;
            }
        }
    }));
    if result.is_err() {
        send(
            json!({"type": "error", "message": "the session failed and was ended; reload the page to start a new one", "field": null}),
        );
    }
}

/// The `hello` message: limits, names, default controls.
fn hello(id: usize, s: &Session) -> Value {
    use crate::playground::args;
    json!({
        "type": "hello",
        "session": id,
        "limits": {
            "sessions": MAX_SESSIONS, "message_bytes": MAX_MESSAGE_BYTES,
            "csv_bytes": MAX_MESSAGE_BYTES, "points": session::MAX_POINTS,
            "max_layers": args::MAX_HIDDEN_LAYERS, "max_width": args::MAX_WIDTH,
            "max_weights": args::MAX_HIDDEN_WEIGHTS, "max_epochs": args::MAX_EPOCHS,
            "frames_per_second": FRAMES_PER_SECOND,
        },
        "activations": nn::Activation::names().collect::<Vec<_>>(),
        "datasets": nn::data::PlaygroundSet::ALL.map(|d| d.to_string()),
        "features": nn::data::Feature::ALL.map(|f| f.name()),
        "losses": names::<args::LossKind>(),
        "optimizers": names::<args::OptimizerKind>(),
        "regularizations": names::<args::RegKind>(),
        "problems": names::<args::Problem>(),
        "config": s.config(),
    })
}

/// The command line's value names of a flag's kinds.
fn names<K: clap::ValueEnum + std::fmt::Display>() -> Vec<String> {
    K::value_variants()
        .iter()
        .map(ToString::to_string)
        .collect()
}
