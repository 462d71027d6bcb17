//! `qxups serve`: a NUT network server (what upsd does, TCP 3493) around the core's sans-IO
//! [`qxups::netserver::Session`].
//!
//! * [`state`] — the [`state::Directory`] every connection reads: a copy of each UPS's
//!   variables, its FSD latch, logins, queued requests, and MAXAGE staleness;
//! * [`drive`] — one thread per UPS stepping its driver engine and running queued SET /
//!   INSTCMD requests;
//! * [`net`] — the listeners and one tokio task per client (idle and write timeouts,
//!   MAXCONN);
//! * [`metrics`] — the same data as Prometheus text at `/metrics`.
//!
//! [`run`] binds every socket first, announces each on standard error
//! (`qxups serve: listening on 127.0.0.1:3493`), then serves until SIGTERM or SIGINT.

pub mod drive;
pub mod metrics;
pub mod net;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use qxups::netserver::Users;
use tokio::net::TcpListener;

use crate::session::Setup;
use drive::Drive;
use state::{Directory, DirectoryError, Shared};

/// One UPS to serve.
#[derive(Clone, Debug)]
pub struct UpsSpec {
    /// The name clients use (`upsc NAME@host`).
    pub name: String,
    /// `desc` from ups.conf.
    pub desc: Option<String>,
    /// How to open it.
    pub setup: Setup,
}

/// The server's settings (upsd.conf's, and ours).
#[derive(Clone, Debug)]
pub struct Options {
    /// Where to accept NUT clients.
    pub listen: Vec<SocketAddr>,
    /// Who may log in.
    pub users: Users,
    /// Data older than this is served as stale (upsd's MAXAGE, 15 s).
    pub maxage: Duration,
    /// Most clients at once (upsd's MAXCONN); `None`: no limit of ours.
    pub maxconn: Option<usize>,
    /// Close a client without a complete request for this long (upsd: 60 s).
    pub idle_timeout: Duration,
    /// Where to serve `/metrics`, if anywhere.
    pub metrics: Option<SocketAddr>,
    /// Log events, connections and requests (passwords masked).
    pub verbose: bool,
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// A socket could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// The async runtime could not start.
    Runtime(std::io::Error),
    /// The UPS list is unusable.
    Ups(DirectoryError),
    /// Nothing to serve.
    NoUps,
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bind(addr, e) => write!(f, "cannot listen on {addr}: {e}"),
            Self::Runtime(e) => write!(f, "cannot start: {e}"),
            Self::Ups(e) => write!(f, "{e}"),
            Self::NoUps => f.write_str("no UPS to serve"),
        }
    }
}

impl std::error::Error for ServeError {}

/// Serves `upses` until SIGTERM or SIGINT (then `Ok`).
pub fn run(upses: Vec<UpsSpec>, options: Options) -> Result<(), ServeError> {
    if upses.is_empty() {
        return Err(ServeError::NoUps);
    }
    let mut dir = Directory::new(options.users.clone(), options.maxage);
    let mut drives = Vec::new();
    for spec in upses {
        let index = dir
            .add(&spec.name, spec.desc.as_deref())
            .map_err(ServeError::Ups)?;
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        dir.set_waker(index, tx);
        drives.push((
            Drive {
                index,
                name: spec.name,
                setup: spec.setup,
                verbose: options.verbose,
            },
            rx,
        ));
    }
    let shared = Arc::new(Shared::new(dir));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(serve(shared, drives, options))
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| ServeError::Bind(addr, e))
}

async fn serve(
    shared: Arc<Shared>,
    drives: Vec<(Drive, std::sync::mpsc::Receiver<()>)>,
    options: Options,
) -> Result<(), ServeError> {
    let mut listeners = Vec::new();
    for addr in &options.listen {
        listeners.push(bind(*addr).await?);
    }
    let metrics = match options.metrics {
        Some(addr) => Some(bind(addr).await?),
        None => None,
    };
    let announce = |what: &str, l: &TcpListener| {
        if let Ok(addr) = l.local_addr() {
            eprintln!("qxups serve: {what} {addr}");
        }
    };
    for l in &listeners {
        announce("listening on", l);
    }
    if let Some(l) = &metrics {
        announce("metrics on", l);
    }
    for (drive, wake) in drives {
        let shared = Arc::clone(&shared);
        // The driver engine blocks on its link: a thread of its own, never a runtime worker.
        std::thread::Builder::new()
            .name(format!("ups {}", drive.name))
            .spawn(move || drive.run(&shared, &wake))
            .map_err(ServeError::Runtime)?;
    }
    let slots = options
        .maxconn
        .map(|n| Arc::new(tokio::sync::Semaphore::new(n)));
    let config = net::ConnConfig {
        idle_timeout: options.idle_timeout,
        verbose: options.verbose,
    };
    for l in listeners {
        tokio::spawn(net::accept_loop(
            l,
            Arc::clone(&shared),
            slots.clone(),
            config.clone(),
        ));
    }
    if let Some(l) = metrics {
        tokio::spawn(metrics::accept_loop(l, Arc::clone(&shared)));
    }
    stopped().await.map_err(ServeError::Runtime)?;
    if options.verbose {
        eprintln!("qxups serve: stopping");
    }
    Ok(())
}

/// Waits for SIGTERM or SIGINT.
async fn stopped() -> std::io::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
