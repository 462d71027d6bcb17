//! The byte comparison over TCP: every upsd 2.8.0 transcript in `nut-clients/` replayed through
//! `qxups serve`'s network code (`serve::net::accept_loop` on 127.0.0.1, the serve
//! `Directory` with the transcripts' UPS added by `add_fixed`), each connection a real
//! `TcpStream`, and every answer line compared with upsd's. The replay itself is core's
//! (`core/tests/common/replay.rs`, shared with the session-level test and QEMU); this file is
//! its TCP [`Target`]. One fresh server per transcript file; the UPS (values, FSD latch) passes
//! from one to the next as in the harness's upsd.

mod common;
#[path = "../../core/tests/common/mod.rs"]
mod core_common;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::PATIENCE;
use core_common::NutClients;
use core_common::replay::{EXPECTED, Expect, Target, escaping_on, replay_on};
use qxups::netserver::FixedUps;
use qxups_usb::serve::net::{ConnConfig, accept_loop};
use qxups_usb::serve::state::{Directory, Shared};

/// How long an answer upsd did not give is waited for: a correctness check (nothing must
/// come), not a speed target — an answer the server does give arrives in microseconds.
const QUIET: Duration = Duration::from_millis(500);
/// upsd's idle timeout (probe-idle.txt: "dropped after more than 60 s").
const UPSD_IDLE: Duration = Duration::from_secs(60);
/// The idle timeout for probe-idle.txt, which waits for the server to drop it: shorter than
/// upsd's so that the test does not sit for a minute; what is compared (the close, and no
/// bytes before it) does not depend on the length.
const PROBE_IDLE: Duration = Duration::from_secs(2);

/// Differences only seen over TCP, in the form of core's `EXPECTED`: none so far.
const TCP_ONLY: &[(&str, &str, &str)] = &[];

/// `qxups serve`'s network code on 127.0.0.1:0 with one fixed UPS, in its own runtime.
struct Tcp {
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Tcp {
    fn open(file: &str, ups: FixedUps) -> Self {
        let mut dir = Directory::new(ups.users.clone(), Duration::from_secs(15));
        dir.add_fixed(ups).unwrap();
        let shared = Arc::new(Shared::new(dir));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let config = ConnConfig {
            idle_timeout: if file == "probe-idle.txt" {
                PROBE_IDLE
            } else {
                UPSD_IDLE
            },
            verbose: false,
        };
        runtime.spawn(accept_loop(listener, Arc::clone(&shared), None, config));
        Self {
            runtime,
            shared,
            addr,
        }
    }
}

/// Reads into `got` until `deadline`; true when the server closed (or reset) the connection.
fn read_until(s: &mut TcpStream, got: &mut Vec<u8>, deadline: Instant) -> Option<bool> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return None;
    }
    s.set_read_timeout(Some(left)).unwrap();
    let mut buf = [0u8; 4096];
    match s.read(&mut buf) {
        Ok(0) => Some(true),
        Ok(n) => {
            got.extend_from_slice(&buf[..n]);
            Some(false)
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
        Err(_) => Some(true),
    }
}

impl Target for Tcp {
    type Conn = TcpStream;

    fn connect(&mut self) -> TcpStream {
        let s = TcpStream::connect(self.addr).unwrap();
        s.set_nodelay(true).unwrap();
        s
    }

    /// Waits for as many lines as upsd sent (and for the close if upsd closed), at most
    /// [`PATIENCE`]; where upsd sent nothing, for [`QUIET`].
    fn exchange(&mut self, s: &mut TcpStream, data: &[u8], expect: Expect) -> (Vec<u8>, bool) {
        let mut got = Vec::new();
        if s.write_all(data).is_err() {
            return (got, true);
        }
        let silent = expect.lines == 0 && !expect.closed;
        let deadline = Instant::now() + if silent { QUIET } else { PATIENCE };
        loop {
            let lines = got.iter().filter(|&&b| b == b'\n').count();
            if !silent && !expect.closed && lines >= expect.lines {
                return (got, false);
            }
            match read_until(s, &mut got, deadline) {
                Some(true) => return (got, true),
                Some(false) => {}
                None => return (got, false),
            }
        }
    }

    /// Shuts the write side and reads until the server closes: it logs the connection's
    /// LOGIN out before it closes the socket, so the next request sees the login gone.
    fn close(&mut self, mut s: TcpStream) -> Vec<u8> {
        let mut rest = Vec::new();
        let _ = s.shutdown(Shutdown::Write);
        let deadline = Instant::now() + PATIENCE;
        loop {
            match read_until(&mut s, &mut rest, deadline) {
                Some(false) => {}
                Some(true) => return rest,
                None => panic!("the server kept a closed connection for {PATIENCE:?}"),
            }
        }
    }

    fn with_ups(&mut self, f: &mut dyn FnMut(&mut FixedUps)) {
        f(self.shared.lock().fixed_mut(0).unwrap());
    }

    fn into_ups(self) -> FixedUps {
        let ups = self.shared.lock().fixed_mut(0).unwrap().clone();
        self.runtime.shutdown_timeout(PATIENCE);
        ups
    }
}

#[test]
fn replay_over_tcp_matches_upsd_except_listed_differences() {
    let listed: Vec<_> = EXPECTED.iter().chain(TCP_ONLY).copied().collect();
    let summary = replay_on(&NutClients::load().files(), &listed, Tcp::open)
        .unwrap_or_else(|e| panic!("{e}"));
    print!("{summary}");
}

#[test]
fn escaping_over_tcp_matches_upsd() {
    let t = NutClients::load();
    escaping_on(t.text("escaping.txt"), |n| t.text(n), Tcp::open).unwrap_or_else(|e| panic!("{e}"));
}
