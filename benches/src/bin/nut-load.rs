//! A load generator for NUT servers (`qxups serve`, upsd): N connections send
//! `GET VAR <ups> <var>` for T seconds and the rate of correct answers is reported.
//!
//! ```text
//! nut-load ADDR:PORT [--connections N] [--seconds T] [--pipeline K] [--ups NAME] [--var VAR]
//! nut-load ADDR:PORT --hold N
//! ```
//!
//! Each connection has its own thread and keeps K requests in flight (K = 1: request and
//! response); every answer must be `VAR <ups> <var> "..."`, anything else counts as an error.
//! The output is one line of `key=value` pairs, for scripts:
//! `connections=50 pipeline=1 seconds=5.00 requests=123456 errors=0 rps=24691`.
//!
//! `--hold N` opens N connections, keeps every one open, and has each answer a `VER` while all
//! are open: `held=N` counts those answered (a server at its limit leaves the rest waiting,
//! and 5 s after the last `VER` is sent the count is taken: libupsclient's timeout).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// How long a reply may take before the connection counts as failed (libupsclient's timeout).
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// What to do, from the command line.
struct Args {
    addr: SocketAddr,
    connections: usize,
    seconds: f64,
    pipeline: usize,
    ups: String,
    var: String,
    hold: Option<usize>,
}

fn usage() -> String {
    "usage: nut-load ADDR:PORT [--connections N] [--seconds T] [--pipeline K] [--ups NAME] \
     [--var VAR] | nut-load ADDR:PORT --hold N"
        .to_owned()
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let addr = it
        .next()
        .ok_or_else(usage)?
        .to_socket_addrs()
        .map_err(|e| format!("address: {e}"))?
        .next()
        .ok_or("address: nothing to connect to")?;
    let mut args = Args {
        addr,
        connections: 1,
        seconds: 5.0,
        pipeline: 1,
        ups: "ups".to_owned(),
        var: "ups.status".to_owned(),
        hold: None,
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = || value.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--connections" => args.connections = number()?.max(1),
            "--pipeline" => args.pipeline = number()?.max(1),
            "--hold" => args.hold = Some(number()?),
            "--seconds" => {
                args.seconds = value
                    .parse::<f64>()
                    .ok()
                    .filter(|s| s.is_finite() && *s > 0.0)
                    .ok_or(format!("--seconds: {value:?} is not a positive number"))?;
            }
            "--ups" => args.ups = value,
            "--var" => args.var = value,
            _ => return Err(usage()),
        }
    }
    Ok(args)
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&addr, READ_TIMEOUT)?;
    s.set_read_timeout(Some(READ_TIMEOUT))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// Counts of one connection.
#[derive(Default)]
struct Tally {
    requests: u64,
    errors: u64,
}

/// One connection's loop: `pipeline` requests out, as many answers in, until `until`.
fn drive(
    addr: SocketAddr,
    request: &[u8],
    want: &str,
    pipeline: usize,
    start: &Barrier,
    until: Duration,
) -> Tally {
    let mut tally = Tally::default();
    let conn = connect(addr).and_then(|s| Ok((s.try_clone()?, BufReader::new(s))));
    start.wait();
    let Ok((mut w, mut r)) = conn else {
        tally.errors += 1;
        return tally;
    };
    let batch = request.repeat(pipeline);
    let began = Instant::now();
    let mut line = String::new();
    while began.elapsed() < until {
        if w.write_all(&batch).is_err() {
            tally.errors += 1;
            return tally;
        }
        for _ in 0..pipeline {
            line.clear();
            match r.read_line(&mut line) {
                Ok(n) if n > 0 && line.starts_with(want) => tally.requests += 1,
                Ok(n) if n > 0 => tally.errors += 1,
                // Closed or timed out: this connection is done.
                _ => {
                    tally.errors += 1;
                    return tally;
                }
            }
        }
    }
    tally
}

fn load(a: &Args) {
    let request = format!("GET VAR {} {}\n", a.ups, a.var).into_bytes();
    let want = format!("VAR {} {} \"", a.ups, a.var);
    let until = Duration::from_secs_f64(a.seconds);
    // Everyone connects first, then all start together.
    let start = Arc::new(Barrier::new(a.connections + 1));
    let threads: Vec<_> = (0..a.connections)
        .map(|_| {
            let (request, want, start) = (request.clone(), want.clone(), Arc::clone(&start));
            let (addr, pipeline) = (a.addr, a.pipeline);
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || drive(addr, &request, &want, pipeline, &start, until))
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut total = Tally::default();
    for t in threads {
        match t.map(|t| t.join()) {
            Ok(Ok(t)) => {
                total.requests += t.requests;
                total.errors += t.errors;
            }
            _ => total.errors += 1,
        }
    }
    let secs = began.elapsed().as_secs_f64();
    println!(
        "connections={} pipeline={} seconds={secs:.2} requests={} errors={} rps={:.0}",
        a.connections,
        a.pipeline,
        total.requests,
        total.errors,
        total.requests as f64 / secs
    );
}

/// Opens `n` connections and keeps them all; returns how many answered `VER` meanwhile.
fn hold(addr: SocketAddr, n: usize) -> usize {
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        match connect(addr) {
            Ok(s) => open.push(s),
            Err(e) => {
                eprintln!("nut-load: connection {}: {e}", open.len() + 1);
                break;
            }
        }
    }
    for s in &mut open {
        let _ = s.write_all(b"VER\n");
    }
    // One read timeout for them all: those left waiting beyond it are not held.
    let until = Instant::now() + READ_TIMEOUT;
    open.iter()
        .filter(|s| {
            let left = until.saturating_duration_since(Instant::now());
            let mut line = String::new();
            s.set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .is_ok()
                && matches!(BufReader::new(*s).read_line(&mut line), Ok(n) if n > 0 && !line.starts_with("ERR"))
        })
        .count()
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("nut-load: {e}");
            return ExitCode::from(2);
        }
    };
    match args.hold {
        Some(n) => println!("held={} of={n}", hold(args.addr, n)),
        None => load(&args),
    }
    ExitCode::SUCCESS
}
