//! `qxups serve --simulate` under load and hostile input (issue 5): 500 clients polling
//! `LIST VAR` at once, 1 MiB without a newline, binary junk, half-open, slow and non-reading
//! clients, and `INSTCMD` / `SET VAR` without credentials. Throughout, a well-behaved client
//! is served, memory stays bounded and every case gets its error.
//!
//! Nothing here asserts a speed: waits are guarded by [`PATIENCE`] only. The figures (clients
//! held, peak RSS) are printed for the record; `benches/netserver-compare.sh` measures speed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::*;

/// Clients of the load case, all connected at once.
const CLIENTS: usize = 500;
/// `LIST VAR` rounds per client.
const ROUNDS: usize = 5;

/// Reads one reply line (with its `\n`); `None` at EOF or on an error.
fn line(r: &mut impl BufRead) -> Option<String> {
    let mut s = String::new();
    match r.read_line(&mut s) {
        Ok(n) if n > 0 => Some(s),
        _ => None,
    }
}

/// Sends `LIST VAR ups` and reads the reply up to and including its END line.
fn list_var(w: &mut TcpStream, r: &mut impl BufRead) -> String {
    w.write_all(b"LIST VAR ups\n").unwrap();
    let mut text = String::new();
    while let Some(l) = line(r) {
        text.push_str(&l);
        if l.starts_with("END LIST") || l.starts_with("ERR ") {
            break;
        }
    }
    text
}

/// One request and its one-line reply on an open connection.
fn ask_line(s: &mut TcpStream, request: &str) -> String {
    s.write_all(request.as_bytes()).unwrap();
    line(&mut BufReader::new(s)).unwrap_or_default()
}

/// Lets this process (and the server it starts, which inherits the limit) open `want`
/// descriptors: raises the soft limit towards `2 * want`, as far as the hard limit allows.
fn allow_fds(want: u64) {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    if soft < 2 * want {
        setrlimit(Resource::RLIMIT_NOFILE, hard.min(2 * want), hard).unwrap();
    }
    let (soft, _) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    assert!(
        soft >= want,
        "RLIMIT_NOFILE {soft} < {want} (hard limit {hard})"
    );
}

/// The send and receive queues (bytes) of the IPv4 TCP socket LOCAL → REMOTE, from
/// /proc/net/tcp; (0, 0) when there is none.
fn tcp_queues(local: SocketAddr, remote: SocketAddr) -> (u64, u64) {
    // /proc/net/tcp writes an IPv4 address as its 32-bit value in host byte order, in hex.
    let hex = |a: SocketAddr| match a.ip() {
        IpAddr::V4(ip) => format!("{:08X}:{:04X}", u32::from_ne_bytes(ip.octets()), a.port()),
        IpAddr::V6(_) => String::new(),
    };
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table
        .lines()
        .skip(1)
        .find_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.get(1) != Some(&local.as_str()) || f.get(2) != Some(&remote.as_str()) {
                return None;
            }
            let (tx, rx) = f.get(4)?.split_once(':')?;
            Some((
                u64::from_str_radix(tx, 16).ok()?,
                u64::from_str_radix(rx, 16).ok()?,
            ))
        })
        .unwrap_or((0, 0))
}

/// A client that keeps polling `GET VAR ups ups.status` on one connection and checks every
/// answer, until dropped: the witness that the server stays responsive.
struct Witness {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<thread::JoinHandle<usize>>,
}

impl Witness {
    fn start(server: &Server) -> Self {
        use std::sync::atomic::{AtomicBool, Ordering};
        let mut s = server.connect();
        let stop = Arc::new(AtomicBool::new(false));
        let halt = Arc::clone(&stop);
        let thread = thread::spawn(move || {
            let mut r = BufReader::new(s.try_clone().unwrap());
            let mut answers = 0;
            while !halt.load(Ordering::Relaxed) {
                s.write_all(b"GET VAR ups ups.status\n").unwrap();
                assert_eq!(line(&mut r).as_deref(), Some("VAR ups ups.status \"OL\"\n"));
                answers += 1;
                thread::sleep(Duration::from_millis(20));
            }
            answers
        });
        Self {
            stop,
            thread: Some(thread),
        }
    }

    /// Stops it; how many correct answers it got (a wrong or missing one panics its thread).
    fn answers(mut self) -> usize {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread
            .take()
            .unwrap()
            .join()
            .expect("the witness was refused service")
    }
}

#[test]
fn five_hundred_clients_poll_list_var_at_once() {
    // The test process holds one socket per client (other tests run beside it), the server too.
    allow_fds(CLIENTS as u64 + 200);
    let server = Server::start(&["--maxconn", "1000"]);
    let reference = server.ask("LIST VAR ups\n");
    assert!(reference.starts_with("BEGIN LIST VAR ups\n"), "{reference}");
    assert!(reference.ends_with("END LIST VAR ups\n"), "{reference}");
    assert!(reference.lines().count() > 20, "{reference}");

    // Every client logs in (as upsmon does) so that NUMLOGINS counts the connections held.
    let all_in = Arc::new(Barrier::new(CLIENTS + 1));
    let done = Arc::new(Barrier::new(CLIENTS + 1));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (all_in, done) = (Arc::clone(&all_in), Arc::clone(&done));
            let mut s = server.connect();
            let reference = reference.clone();
            thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let mut r = BufReader::new(s.try_clone().unwrap());
                    s.write_all(b"USERNAME monuser\nPASSWORD secret\nLOGIN ups\n")
                        .unwrap();
                    let login: Vec<_> = (0..3).filter_map(|_| line(&mut r)).collect();
                    all_in.wait();
                    assert_eq!(login, ["OK\n"; 3]);
                    let mut wrong = 0;
                    for _ in 0..ROUNDS {
                        wrong += usize::from(list_var(&mut s, &mut r) != reference);
                    }
                    done.wait();
                    wrong
                })
                .unwrap()
        })
        .collect();
    all_in.wait();
    let mut witness = server.connect();
    let held = ask_line(&mut witness, "GET NUMLOGINS ups\n");
    done.wait();
    let wrong: usize = clients.into_iter().map(|c| c.join().unwrap()).sum();
    let peak = server.memory_kib("VmHWM");
    println!(
        "serve_load: clients held at once: {held:?}; {} LIST VAR replies; server peak RSS {peak} KiB",
        CLIENTS * ROUNDS
    );
    assert_eq!(held, format!("NUMLOGINS ups {CLIENTS}\n"));
    assert_eq!(wrong, 0, "LIST VAR replies that differ from the reference");
    // Bounded: a few KiB per client on top of the runtime (a debug build), not megabytes.
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
    assert_eq!(
        ask_line(&mut witness, "GET VAR ups ups.status\n"),
        "VAR ups ups.status \"OL\"\n"
    );
}

/// Sends 1 MiB without a newline and returns what the server answered before it closed.
fn one_mebibyte_without_newline(server: &Server) -> String {
    let mut s = server.connect();
    let mut w = s.try_clone().unwrap();
    // The server closes after its answer: writing on from another thread keeps the reply
    // readable here whatever the write ends with (done, EPIPE or a reset).
    let writer = thread::spawn(move || {
        let chunk = [b'x'; 64 * 1024];
        for _ in 0..16 {
            if w.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = w.shutdown(Shutdown::Write);
    });
    let mut reply = Vec::new();
    let _ = s.read_to_end(&mut reply);
    writer.join().unwrap();
    String::from_utf8_lossy(&reply).into_owned()
}

#[test]
fn a_mebibyte_without_newline_gets_too_long_and_memory_stays_bounded() {
    let server = Server::start(&[]);
    let witness = Witness::start(&server);
    assert_eq!(one_mebibyte_without_newline(&server), "ERR TOO-LONG\n");
    let before = server.memory_kib("VmRSS");
    // Eight at once: memory does not grow with what they send.
    let replies: Vec<String> = thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| one_mebibyte_without_newline(&server)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let after = server.memory_kib("VmRSS");
    println!("serve_load: VmRSS {before} KiB before 8 × 1 MiB without newline, {after} KiB after");
    for r in &replies {
        assert_eq!(r, "ERR TOO-LONG\n");
    }
    assert!(
        after < before + 8 * 1024,
        "VmRSS grew from {before} to {after} KiB"
    );
    assert!(witness.answers() > 0);
    assert!(server.log().contains("disconnected (closed by the server)"));
}

/// A small xorshift: the same junk on every run.
fn junk(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed >> 24) as u8
        })
        .collect()
}

#[test]
fn binary_junk_gets_unknown_command_per_line_and_the_connection_goes_on() {
    let server = Server::start(&[]);
    let witness = Witness::start(&server);
    let mut s = server.connect();
    let mut r = BufReader::new(s.try_clone().unwrap());

    // NULs, 0xFF, control bytes: dropped inside words (upsd's CVE-2012-2944 rule), so each
    // line is an empty or unknown command.
    let fixed: [&[u8]; 5] = [
        b"\0\0\0\0",
        b"\xff\xfe\xff",
        b"\x01\x02\x03abc\x7f",
        b"",
        b"\r\t ",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    let mut lines: Vec<Vec<u8>> = fixed.iter().map(|l| l.to_vec()).collect();
    for n in 0..200 {
        // Random bytes without `\n` (the line end), `"` and `#` (an unescaped `#` inside
        // quotes drops the line without a reply, checked below), and never a command name:
        // the first word starts with a byte no command starts with.
        let mut l = junk(&mut seed, 1 + n % 97);
        l.retain(|b| !matches!(b, b'\n' | b'"' | b'#'));
        l.insert(0, b'Z');
        lines.push(l);
    }
    let mut input = Vec::new();
    for l in &lines {
        input.extend_from_slice(l);
        input.push(b'\n');
    }
    // A `#` inside quotes: no reply at all, as upsd.
    input.extend_from_slice(b"\xff\"ab#cd\"\n");
    input.extend_from_slice(b"GET VAR ups ups.status\n");
    s.write_all(&input).unwrap();
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(
            line(&mut r).as_deref(),
            Some("ERR UNKNOWN-COMMAND\n"),
            "line {i}: {l:?}"
        );
    }
    assert_eq!(line(&mut r).as_deref(), Some("VAR ups ups.status \"OL\"\n"));

    // Junk split at odd places still answers once per line.
    for piece in input.chunks(7).take(40) {
        s.write_all(piece).unwrap();
    }
    s.write_all(b"\nVER\n").unwrap();
    let mut rest = Vec::new();
    while let Some(l) = line(&mut r) {
        let ver = l.starts_with("Network UPS Tools upsd");
        rest.push(l);
        if ver {
            break;
        }
    }
    assert!(rest.len() > 1, "{rest:?}");
    let (last, errs) = rest.split_last().unwrap();
    assert!(last.starts_with("Network UPS Tools upsd"), "{rest:?}");
    assert!(
        errs.iter().all(|l| l == "ERR UNKNOWN-COMMAND\n"),
        "{rest:?}"
    );
    assert!(witness.answers() > 0);
    assert_eq!(server.status(), "OL");
}

#[test]
fn half_open_slow_and_non_reading_clients_stall_only_themselves() {
    let server = Server::start(&["--idle-timeout", "4"]);
    let witness = Witness::start(&server);

    // Half-open: connected and silent; a partial request and then nothing; a half-closed
    // writer (FIN sent, never reads).
    let silent = server.connect();
    let mut partial = server.connect();
    partial.write_all(b"GET VAR ups ups.sta").unwrap();
    let half = server.connect();
    half.shutdown(Shutdown::Write).unwrap();

    // Slow: one byte at a time, each request still answered.
    let slow = {
        let mut s = server.connect();
        thread::spawn(move || {
            let mut r = BufReader::new(s.try_clone().unwrap());
            for _ in 0..3 {
                for b in b"GET VAR ups battery.charge\n" {
                    s.write_all(&[*b]).unwrap();
                    thread::sleep(Duration::from_millis(10));
                }
                assert_eq!(
                    line(&mut r).as_deref(),
                    Some("VAR ups battery.charge \"100\"\n")
                );
            }
        })
    };

    // Slowloris: bytes keep coming but no line ever completes; the idle timeout still ends it.
    let loris = {
        let mut s = server.connect();
        thread::spawn(move || {
            let start = Instant::now();
            while start.elapsed() < PATIENCE {
                if s.write_all(b"x").is_err() {
                    return true;
                }
                let mut buf = [0u8; 16];
                s.set_read_timeout(Some(Duration::from_millis(200)))
                    .unwrap();
                if let Ok(0) = s.read(&mut buf) {
                    return true;
                }
            }
            false
        })
    };

    // Never reads: requests pour in, replies fill its receive buffer and then the server's
    // send buffer. It logs in first, so NUMLOGINS tells whether the server still holds it.
    let mut deaf = server.connect();
    let mut r = BufReader::new(deaf.try_clone().unwrap());
    deaf.write_all(b"USERNAME monuser\nPASSWORD secret\nLOGIN ups\n")
        .unwrap();
    for _ in 0..3 {
        assert_eq!(line(&mut r).as_deref(), Some("OK\n"));
    }
    let deaf_addr = deaf.local_addr().unwrap();
    let pour = thread::spawn(move || {
        deaf.set_write_timeout(Some(PATIENCE)).unwrap();
        let requests = b"LIST VAR ups\n".repeat(1024);
        let start = Instant::now();
        while start.elapsed() < 2 * PATIENCE {
            if deaf.write_all(&requests).is_err() {
                return true;
            }
        }
        false
    });
    slow.join().expect("the slow client was not served");

    // Once the kernel holds unsent replies on the server's side and unread ones on the
    // client's, the server's task for it is blocked writing; another client is still served,
    // and sees it still held (NUMLOGINS 1: it has not been dropped yet).
    server.wait_until(
        "the server is blocked writing to the non-reading client",
        || {
            let (server_tx, _) = tcp_queues(server.listening[0], deaf_addr);
            let (_, client_rx) = tcp_queues(deaf_addr, server.listening[0]);
            server_tx > 0 && client_rx > 0
        },
    );
    assert_eq!(server.ask("GET NUMLOGINS ups\n"), "NUMLOGINS ups 1\n");
    server.wait_until("the non-reading client is dropped", || {
        server
            .log()
            .contains("disconnected (not reading its replies)")
    });
    assert!(
        pour.join().unwrap(),
        "the non-reading client was never dropped"
    );
    assert_eq!(server.ask("GET NUMLOGINS ups\n"), "NUMLOGINS ups 0\n");
    assert!(
        loris.join().unwrap(),
        "the trickling client was never dropped"
    );

    // The witness was answered all along; the silent ones were idle-dropped without a word.
    assert!(witness.answers() > 0);
    for mut s in [silent, partial, half] {
        let mut buf = [0u8; 64];
        match s.read(&mut buf) {
            Ok(n) => assert_eq!(n, 0, "{:?}", &buf[..n]),
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
        }
    }
    let log = server.log();
    assert!(log.contains("disconnected (idle)"), "{log}");
}

#[test]
fn instcmd_and_set_without_credentials_are_refused_and_change_nothing() {
    let server = Server::start(&[]);
    let before = server.ask("LIST VAR ups\n");
    let refused = [
        // No USERNAME at all.
        ("", "ERR USERNAME-REQUIRED\n"),
        // USERNAME without PASSWORD.
        ("USERNAME admin\n", "ERR PASSWORD-REQUIRED\n"),
        // A wrong password shows only when the command checks it.
        ("USERNAME admin\nPASSWORD wrong\n", "ERR ACCESS-DENIED\n"),
        // The right password of a user without the SET action or instcmds.
        ("USERNAME monuser\nPASSWORD secret\n", "ERR ACCESS-DENIED\n"),
    ];
    for (creds, err) in refused {
        for request in [
            "INSTCMD ups beeper.toggle\n",
            "INSTCMD ups load.off\n",
            "SET VAR ups ups.delay.shutdown 120\n",
        ] {
            let mut s = server.connect();
            let mut r = BufReader::new(s.try_clone().unwrap());
            s.write_all(format!("{creds}{request}").as_bytes()).unwrap();
            for _ in creds.lines() {
                assert_eq!(line(&mut r).as_deref(), Some("OK\n"), "{creds:?}");
            }
            assert_eq!(line(&mut r).as_deref(), Some(err), "{creds:?} {request:?}");
        }
    }
    // Give a wrongly queued request time to reach the driver before looking.
    thread::sleep(Duration::from_millis(500));
    assert_eq!(server.ask("LIST VAR ups\n"), before);
    assert_eq!(server.status(), "OL");
    // The driver thread logs every request it runs (-v): none so far.
    let ran = |log: &str| log.contains("Instcmd(") || log.contains("Set(");
    assert!(!ran(&server.log()), "{}", server.log());

    // The same requests by the admin do run: the refusals above were not a broken path.
    let ok = server.ask(
        "USERNAME admin\nPASSWORD adminpass\nSET VAR ups ups.delay.shutdown 120\n\
         INSTCMD ups beeper.toggle\n",
    );
    assert_eq!(ok, "OK\nOK\nOK\nOK\n");
    server.wait_until("the admin's SET and INSTCMD run", || {
        server.ask("GET VAR ups ups.delay.shutdown\nGET VAR ups ups.beeper.status\n")
            == "VAR ups ups.delay.shutdown \"120\"\nVAR ups ups.beeper.status \"enabled\"\n"
    });
    assert!(ran(&server.log()), "{}", server.log());
}
