//! The browser Playground's server started as a user starts it, on a free
//! loopback port, and a WebSocket client of the few lines of RFC 6455 a
//! test needs: the protocol tests (`tests/serve.rs`) and the load test
//! (`benches/serve_load.rs`) both use it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The server on a free port, killed when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary serve --port 0` and reads the address it prints.
    pub fn start(binary: &str) -> Server {
        let mut child = Command::new(binary)
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
}

/// A WebSocket client: the handshake, masked text frames out, frames in.
pub struct Ws(pub TcpStream);

impl Ws {
    pub fn open(addr: &str) -> Ws {
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

    pub fn send(&mut self, opcode: u8, payload: &[u8]) {
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

    pub fn text(&mut self, s: &str) {
        self.send(1, s.as_bytes());
    }

    /// The next text message as JSON (None when the server closed).
    pub fn recv(&mut self) -> Option<serde_json::Value> {
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
    pub fn expect(&mut self, ty: &str) -> serde_json::Value {
        loop {
            let m = self.recv().unwrap_or_else(|| panic!("closed before {ty}"));
            if m["type"] == ty {
                return m;
            }
        }
    }
}
