//! `xiaolan serve` as a user starts it: on a free port, serving the page's
//! files and one session per WebSocket, answering bad frames with errors.
//! The server and the WebSocket client (the few lines of RFC 6455 a test
//! needs) are in `common/ws.rs`, shared with the load test
//! (`benches/serve_load.rs`).

#[path = "common/ws.rs"]
mod ws;

use std::io::{Read, Write};
use std::net::TcpStream;
use ws::Ws;

fn start() -> ws::Server {
    ws::Server::start(env!("CARGO_BIN_EXE_xiaolan"))
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn the_page_is_served_from_the_binary() {
    let s = start();
    let page = get(&s.addr, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("text/html") && page.contains("<html"));
    for file in ["/app.js", "/style.css", "/socket.js", "/i18n.js"] {
        assert!(get(&s.addr, file).starts_with("HTTP/1.1 200"), "{file}");
    }
    assert!(get(&s.addr, "/../Cargo.toml").starts_with("HTTP/1.1 404"));
    assert!(get(&s.addr, "/nothing.js").starts_with("HTTP/1.1 404"));
}

#[test]
fn a_session_trains_live_and_survives_bad_frames() {
    let s = start();
    let mut ws = Ws::open(&s.addr);
    let hello = ws.expect("hello");
    assert_eq!(hello["config"]["dataset"], "spiral");
    assert!(hello["activations"].as_array().unwrap().len() >= 8);
    ws.expect("state");
    ws.text("this is not json");
    assert!(ws.expect("error")["message"]
        .as_str()
        .unwrap()
        .contains("not JSON"));
    ws.send(2, &[0, 1, 2]);
    assert!(ws.expect("error")["message"]
        .as_str()
        .unwrap()
        .contains("binary"));
    ws.text(&format!(
        "{{\"type\":\"upload_csv\",\"text\":\"{}\"}}",
        "x".repeat(2 << 20)
    ));
    // an oversized frame ends that socket, never the server
    let _ = ws.recv();
    let mut ws = Ws::open(&s.addr);
    ws.expect("hello");
    ws.expect("state");
    ws.text(r#"{"type":"config","config":{"dataset":"circle","hidden":[4,4]}}"#);
    assert_eq!(ws.expect("state")["shape"], serde_json::json!([2, 4, 4, 1]));
    ws.text(r#"{"type":"play"}"#);
    let mut last = 0;
    while last < 20 {
        last = ws.expect("frame")["epoch"].as_u64().unwrap();
    }
    ws.text(r#"{"type":"pause"}"#);
    loop {
        let f = ws.expect("frame");
        if f["running"] == false {
            assert!(f["metrics"]["accuracy"].as_f64().unwrap() > 0.5);
            break;
        }
    }
    ws.text(r#"{"type":"check_grad","point":0}"#);
    let g = ws.expect("grad_check");
    assert_eq!(g["ok"], true, "{g}");
    assert_eq!(
        g["rows"].as_array().unwrap().len(),
        2 * 4 + 4 * 4 + 4 + 4 + 4 + 1
    );
    // a stop condition ends play with a frame that says why
    ws.text(r#"{"type":"config","config":{"target_loss":100}}"#);
    assert_eq!(ws.expect("state")["kept"], true);
    ws.text(r#"{"type":"play"}"#);
    loop {
        let f = ws.expect("frame");
        if f["stopped"] == "target_loss" {
            assert_eq!(f["running"], false);
            break;
        }
    }
}
