//! The NUT side of `qxups serve`: accepting clients (at most MAXCONN at once) and one task
//! per connection that feeds the core [`Session`] and writes its replies, with upsd's idle
//! timeout and a write timeout for clients that do not read.
//!
//! The directory lock is taken for one batch of input at a time and never held while a socket
//! is awaited, so a slow or hostile client only ever stalls its own task.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use qxups::netserver::tokenizer::{Step, Tokenizer};
use qxups::netserver::{Config, Session};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, timeout, timeout_at};

use super::state::Shared;

/// How long a reply may take to leave: a client that reads nothing is dropped after this.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// After the server ends a connection, how long the client's unread input is drained so that
/// the last reply (`ERR TOO-LONG`, `OK Goodbye`) arrives rather than a reset.
const LINGER: Duration = Duration::from_secs(2);
/// Bytes taken from a socket per read.
const READ_CHUNK: usize = 1024;
/// Reply bytes gathered per lock and write.
const WRITE_CHUNK: usize = 4096;

/// How every connection is handled.
#[derive(Clone, Debug)]
pub struct ConnConfig {
    /// A client with no complete request for this long is disconnected.
    pub idle_timeout: Duration,
    /// Log connections and requests (passwords masked) on standard error.
    pub verbose: bool,
}

/// Accepts clients on `listener` forever. With `slots`, a connection holds one permit and no
/// client is accepted while none is free (upsd stops accepting at MAXCONN; the client waits
/// in the kernel's backlog).
pub async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    slots: Option<Arc<Semaphore>>,
    config: ConnConfig,
) {
    loop {
        let permit = match &slots {
            Some(s) => match Arc::clone(s).acquire_owned().await {
                Ok(p) => Some(p),
                Err(_) => return,
            },
            None => None,
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: back off instead of spinning.
                eprintln!("qxups serve: accept: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        let config = config.clone();
        tokio::spawn(async move {
            let _permit = permit;
            serve_client(stream, peer, &shared, &config).await;
        });
    }
}

/// Why a connection ended (for the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Client,
    Server,
    Gone,
    NotReading,
    Idle,
    /// Input the session would not take and no reply: cannot happen with the core session,
    /// which always takes a line or answers; ending beats spinning.
    Stuck,
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Client => "closed by the client",
            Self::Server => "closed by the server",
            Self::Gone => "connection lost",
            Self::NotReading => "not reading its replies",
            Self::Idle => "idle",
            Self::Stuck => "stuck",
        })
    }
}

/// The address as `LIST CLIENT` shows it (an IPv4 client of an IPv6 socket as IPv4).
fn peer_text(peer: &SocketAddr) -> String {
    peer.ip().to_canonical().to_string()
}

async fn serve_client(mut stream: TcpStream, peer: SocketAddr, shared: &Shared, c: &ConnConfig) {
    let _ = stream.set_nodelay(true);
    let who = peer_text(&peer);
    if c.verbose {
        eprintln!("qxups serve: {peer}: connected");
    }
    let mut session = Session::new(&who, Config::DEFAULT);
    let mut log = c.verbose.then(RequestLog::new);
    let mut input = [0u8; READ_CHUNK];
    let (mut start, mut end) = (0, 0);
    let mut out = vec![0u8; WRITE_CHUNK];
    let mut deadline = Instant::now() + c.idle_timeout;
    let why = loop {
        let (used_total, produced, line_done) = {
            let mut dir = shared.lock();
            let (mut used_total, mut produced, mut line_done) = (0, 0, false);
            loop {
                let fed = input.get(start..end).unwrap_or(&[]);
                let used = session.feed(fed);
                let taken = fed.get(..used).unwrap_or(&[]);
                line_done |= taken.contains(&b'\n');
                if let Some(log) = &mut log {
                    log.push(&peer, taken);
                }
                start += used;
                used_total += used;
                let n = session.poll_output(&mut *dir, out.get_mut(produced..).unwrap_or(&mut []));
                produced += n;
                if (used == 0 && n == 0) || produced == out.len() {
                    break;
                }
            }
            (used_total, produced, line_done)
        };
        if line_done {
            deadline = Instant::now() + c.idle_timeout;
        }
        if produced > 0 {
            let bytes = out.get(..produced).unwrap_or(&[]);
            match timeout(WRITE_TIMEOUT, stream.write_all(bytes)).await {
                Ok(Ok(())) => continue,
                Ok(Err(_)) => break End::Gone,
                Err(_) => break End::NotReading,
            }
        }
        if session.is_closed() {
            break End::Server;
        }
        if start == end {
            (start, end) = (0, 0);
        } else if used_total == 0 {
            // Input left but none taken and nothing to say: make room and read on.
            input.copy_within(start..end, 0);
            (start, end) = (0, end - start);
            if end == input.len() {
                break End::Stuck;
            }
        } else {
            continue;
        }
        let space = input.get_mut(end..).unwrap_or(&mut []);
        match timeout_at(deadline, stream.read(space)).await {
            Ok(Ok(0)) => break End::Client,
            Ok(Ok(n)) => end += n,
            Ok(Err(_)) => break End::Gone,
            Err(_) => break End::Idle,
        }
    };
    session.disconnect(&mut *shared.lock());
    if c.verbose {
        eprintln!("qxups serve: {peer}: disconnected ({why})");
    }
    if why == End::Server {
        linger(stream).await;
    }
}

/// Closes our side, then reads and drops what the client still sends for a moment, so that
/// closing with unread input does not reset the connection before the last reply is read.
async fn linger(mut stream: TcpStream) {
    let _ = timeout(LINGER, stream.shutdown()).await;
    let until = Instant::now() + LINGER;
    let mut sink = [0u8; READ_CHUNK];
    while let Ok(Ok(n)) = timeout_at(until, stream.read(&mut sink)).await {
        if n == 0 {
            break;
        }
    }
}

/// Logs each request line of a connection as the session reads it, with the argument of
/// `PASSWORD` masked. The words come from the core tokenizer, so whatever spelling reaches
/// the session as `PASSWORD` (quotes, escapes, control bytes) is masked too.
struct RequestLog {
    tok: Box<Tokenizer>,
}

impl RequestLog {
    fn new() -> Self {
        Self {
            tok: Box::new(Tokenizer::new()),
        }
    }

    fn push(&mut self, peer: &SocketAddr, bytes: &[u8]) {
        for &b in bytes {
            match self.tok.push(b) {
                Step::More => {}
                Step::Line => {
                    eprintln!("qxups serve: {peer}: {}", masked(&self.tok));
                    self.tok.clear();
                }
                Step::Error(e) => {
                    eprintln!("qxups serve: {peer}: unreadable request ({e})");
                    self.tok.clear();
                }
            }
        }
    }
}

/// A request for the log: its words, quoted where needed, with PASSWORD's argument hidden.
fn masked(tok: &Tokenizer) -> String {
    let secret = tok
        .word(0)
        .is_some_and(|w| w.eq_ignore_ascii_case("PASSWORD"));
    tok.words()
        .enumerate()
        .map(|(i, w)| {
            if secret && i > 0 {
                "********".to_owned()
            } else if !w.is_empty() && w.bytes().all(|b| b.is_ascii_graphic() && b != b'"') {
                w.to_owned()
            } else {
                format!("{w:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logged(request: &[u8]) -> String {
        let mut tok = Tokenizer::new();
        for &b in request {
            if let Step::Line = tok.push(b) {
                return masked(&tok);
            }
        }
        panic!("no line in {request:?}");
    }

    #[test]
    fn passwords_never_reach_the_log() {
        for req in [
            &b"PASSWORD hunter2\n"[..],
            b"password \"hunter2\"\n",
            b"\"PASSWORD\" hunter2\n",
            b"PASS\\WORD hunter2\n",
            b"PASS\x01WORD hunter2 # comment\n",
            b"  PaSsWoRd   hunter2 extra\r\n",
        ] {
            let line = logged(req);
            assert!(!line.contains("hunter2"), "{line}");
            let (cmd, rest) = line.split_once(' ').unwrap();
            assert!(cmd.eq_ignore_ascii_case("PASSWORD"), "{line}");
            assert!(rest.split(' ').all(|w| w == "********"), "{line}");
        }
        assert_eq!(logged(b"USERNAME admin\n"), "USERNAME admin");
        assert_eq!(
            logged(b"SET VAR ups ups.delay.shutdown \"6 0\"\n"),
            "SET VAR ups ups.delay.shutdown \"6 0\""
        );
    }

    #[test]
    fn an_ipv4_client_of_an_ipv6_socket_shows_as_ipv4() {
        let p: SocketAddr = "[::ffff:192.0.2.9]:5000".parse().unwrap();
        assert_eq!(peer_text(&p), "192.0.2.9");
        let p: SocketAddr = "[::1]:5000".parse().unwrap();
        assert_eq!(peer_text(&p), "::1");
    }
}
