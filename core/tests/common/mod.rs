//! Test support: the vector files, a scripted device, and a tiny executor.
#![allow(dead_code)]

pub mod views;

use std::path::PathBuf;
use std::task::{Context, Poll, Waker};

use qxups::{Transport, TransportError};

/// Runs a future whose I/O is always ready (scripted devices never wait).
pub fn block_on<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// `../shared/vectors` beside the repository (or `QXUPS_VECTORS`).
pub fn vectors_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("QXUPS_VECTORS") {
        return PathBuf::from(dir);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors")
}

/// `\r` written as two characters becomes CR.
pub fn unescape(s: &str) -> Vec<u8> {
    qxups::trace::unescape(s).collect()
}

/// CR written back as `\r`.
pub fn escape(b: &[u8]) -> String {
    qxups::trace::Escaped(b).to_string()
}

/// The rows of a `.tsv` file: (command, answer).
pub fn read_tsv(dialect_file: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let path = vectors_dir().join(format!("{dialect_file}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    qxups::trace::rows(&text)
        .map(|r| (unescape(r.command), unescape(r.answer)))
        .collect()
}

/// A device that answers from a table, like NUT's test harness: a command not in the table is
/// answered with the dialect's refusal if it has one, otherwise echoed back.
#[derive(Clone, Debug)]
pub struct ScriptedDevice {
    pub table: Vec<(Vec<u8>, Vec<u8>)>,
    pub rejected: Option<Vec<u8>>,
    pub sent: Vec<Vec<u8>>,
}

impl ScriptedDevice {
    pub fn new(table: Vec<(Vec<u8>, Vec<u8>)>, rejected: Option<&[u8]>) -> Self {
        Self {
            table,
            rejected: rejected.map(<[u8]>::to_vec),
            sent: Vec::new(),
        }
    }
}

impl Transport for ScriptedDevice {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.sent.push(command.to_vec());
        let answer = match self.table.iter().find(|(c, _)| c == command) {
            Some((_, a)) => a.clone(),
            None => self.rejected.clone().unwrap_or_else(|| command.to_vec()),
        };
        let n = answer.len().min(reply.len());
        reply[..n].copy_from_slice(&answer[..n]);
        Ok(n)
    }
}
