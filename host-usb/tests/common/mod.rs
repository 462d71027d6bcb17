//! What the `qxups serve` tests share: a scratch directory, a killed-on-drop process group,
//! a running `qxups serve --simulate` with its log, and the NUT client runner.
// Each test crate includes this module and uses a part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// The users: an admin who is also the upsmon primary, and Synology's monuser.
pub const USERS: &str = "\
[admin]
  password = adminpass
  actions = SET FSD
  instcmds = ALL
  upsmon primary
[monuser]
  password = secret
  upsmon secondary
";

/// Long enough for anything on a loaded two-core machine; never a timing target.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A scratch directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("qxups-serve-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed (with its process group) on drop.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let group = format!("-{}", self.0.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn spawn_group(cmd: &mut Command) -> Killed {
    use std::os::unix::process::CommandExt;
    Killed(cmd.process_group(0).spawn().unwrap())
}

/// A running `qxups serve --simulate --users <USERS> ARGS`.
pub struct Server {
    pub child: Killed,
    pub listening: Vec<SocketAddr>,
    pub metrics: Option<SocketAddr>,
    log: Arc<Mutex<String>>,
    _dir: TempDir,
}

impl Server {
    /// Starts it with `--listen 127.0.0.1:0` unless ARGS has a --listen.
    pub fn start(args: &[&str]) -> Self {
        Self::start_with_users(USERS, args)
    }

    /// Starts it with USERS as its `upsd.users` file.
    pub fn start_with_users(users: &str, args: &[&str]) -> Self {
        let dir = TempDir::new("server");
        let users = dir.file("upsd.users", users);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_qxups"));
        cmd.args(["serve", "--simulate", "-v", "--users"])
            .arg(&users);
        if !args.contains(&"--listen") {
            cmd.args(["--listen", "127.0.0.1:0"]);
        }
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = spawn_group(&mut cmd);
        let stderr = child.0.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let keep = Arc::clone(&log);
        // Drains stderr for the server's whole life: a chatty -v server never blocks on it.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                keep.lock().unwrap().push_str(&format!("{line}\n"));
                let _ = tx.send(line);
            }
        });
        let wanted = args.iter().filter(|a| **a == "--listen").count().max(1)
            + usize::from(args.contains(&"--metrics"));
        let (mut listening, mut metrics) = (Vec::new(), None);
        while listening.len() + usize::from(metrics.is_some()) < wanted {
            let line = rx
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no listening line; stderr:\n{}", log.lock().unwrap()));
            if let Some(a) = line.strip_prefix("qxups serve: listening on ") {
                listening.push(a.parse().unwrap());
            } else if let Some(a) = line.strip_prefix("qxups serve: metrics on ") {
                metrics = Some(a.parse().unwrap());
            }
        }
        let server = Self {
            child,
            listening,
            metrics,
            log,
            _dir: dir,
        };
        server.wait_until("every virtual UPS is read", || {
            let list = server.ask("LIST UPS\n");
            let names: Vec<&str> = list
                .lines()
                .filter_map(|l| l.strip_prefix("UPS ")?.split(' ').next())
                .collect();
            !names.is_empty()
                && names.iter().all(|n| {
                    server
                        .ask(&format!("GET VAR {n} ups.status\n"))
                        .starts_with("VAR ")
                })
        });
        server
    }

    pub fn port(&self) -> u16 {
        self.listening[0].port()
    }

    /// `ups@127.0.0.1:PORT`, as the NUT clients take it.
    pub fn ups(&self) -> String {
        format!("ups@127.0.0.1:{}", self.port())
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(self.listening[0]).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s
    }

    /// Sends REQUESTS on a fresh connection, then `LOGOUT`, and returns everything the server
    /// said before it closed.
    pub fn ask(&self, requests: &str) -> String {
        let mut s = self.connect();
        s.write_all(format!("{requests}LOGOUT\n").as_bytes())
            .unwrap();
        let mut text = String::new();
        let _ = s.read_to_string(&mut text);
        text.strip_suffix("OK Goodbye\n")
            .unwrap_or(&text)
            .to_owned()
    }

    pub fn status(&self) -> String {
        let reply = self.ask("GET VAR ups ups.status\n");
        reply
            .trim_end()
            .strip_prefix("VAR ups ups.status ")
            .map_or(reply.clone(), |v| v.trim_matches('"').to_owned())
    }

    /// A memory figure of the server process from /proc/PID/status, in KiB (`VmRSS`: now,
    /// `VmHWM`: the peak so far).
    pub fn memory_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.0.id()))
            .expect("the server has exited");
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().strip_suffix(" kB")?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status:\n{status}"))
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn wait_until(&self, what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(
                start.elapsed() < PATIENCE,
                "waited in vain for: {what}\nserver log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Runs a NUT client program.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e} (scripts/test-all installs nut-client)"))
}

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The variables as upsc (and `qxups status`) print them, parsed.
pub fn upsc_vars(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

/// The values the virtual UPS holds, as `qxups status --simulate` reads them locally.
pub fn held_vars() -> Vec<(String, String)> {
    let local = Command::new(env!("CARGO_BIN_EXE_qxups"))
        .args(["status", "--simulate"])
        .output()
        .unwrap();
    let held = upsc_vars(&out(&local));
    assert!(held.len() > 20, "{local:?}");
    held
}
