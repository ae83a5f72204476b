//! `xiaolan serve` as a user starts it: on a free port, serving the page's
//! files and one session per WebSocket, answering bad frames with errors.
//! The WebSocket client is the few lines of RFC 6455 a test needs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The server on a free port, killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_xiaolan"))
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // "Playground: http://127.0.0.1:PORT/ (Ctrl-C to stop)"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"))
        .to_string();
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    Server { child, addr }
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

/// A WebSocket client: the handshake, masked text frames out, frames in.
struct Ws(TcpStream);

impl Ws {
    fn open(addr: &str) -> Ws {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        write!(
            s,
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut b = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            s.read_exact(&mut b).unwrap();
            head.push(b[0]);
        }
        let head = String::from_utf8_lossy(&head);
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        Ws(s)
    }

    fn send(&mut self, opcode: u8, payload: &[u8]) {
        let mut f = vec![0x80 | opcode];
        let n = payload.len();
        if n < 126 {
            f.push(0x80 | n as u8);
        } else if n < 65536 {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        } else {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
        let mask = [1u8, 2, 3, 4];
        f.extend_from_slice(&mask);
        f.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
        self.0.write_all(&f).unwrap();
    }

    fn text(&mut self, s: &str) {
        self.send(1, s.as_bytes());
    }

    /// The next text message as JSON (None when the server closed).
    fn recv(&mut self) -> Option<serde_json::Value> {
        loop {
            let mut h = [0u8; 2];
            self.0.read_exact(&mut h).ok()?;
            let mut n = (h[1] & 0x7f) as u64;
            if n == 126 {
                let mut l = [0u8; 2];
                self.0.read_exact(&mut l).unwrap();
                n = u16::from_be_bytes(l) as u64;
            } else if n == 127 {
                let mut l = [0u8; 8];
                self.0.read_exact(&mut l).unwrap();
                n = u64::from_be_bytes(l);
            }
            let mut p = vec![0u8; n as usize];
            self.0.read_exact(&mut p).unwrap();
            match h[0] & 0x0f {
                1 => return Some(serde_json::from_slice(&p).unwrap()),
                8 => return None,
                _ => continue,
            }
        }
    }

    /// The next message of `ty`, skipping others (frames while playing).
    fn expect(&mut self, ty: &str) -> serde_json::Value {
        loop {
            let m = self.recv().unwrap_or_else(|| panic!("closed before {ty}"));
            if m["type"] == ty {
                return m;
            }
        }
    }
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
}
