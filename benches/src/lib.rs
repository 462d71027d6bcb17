//! Support for the qxups benchmarks: each dialect's poll cycle taken from its vector table.
//!
//! A poll cycle is every query the dialect sends (NUT's Q1 + F + I for the Megatec family):
//! found by playing the dialect's `.tsv` on a scripted device through claim, initialisation
//! and one full update and recording each distinct command with its answer (slave addresses
//! substituted); the benchmark then decodes exactly those answers. Everything is generic over [`AUTODETECT_ORDER`]: a dialect is
//! benchmarked as soon as its table exists and its claim succeeds.

use std::path::PathBuf;

use qxups::dialect::{AUTODETECT_ORDER, Dialect};
use qxups::trace::unescape;
use qxups::{Options, Poll, Transport, TransportError, Ups};

/// `../shared/vectors` beside the repository, or `$QXUPS_VECTORS`.
pub fn vectors_dir() -> PathBuf {
    std::env::var_os("QXUPS_VECTORS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"),
        PathBuf::from,
    )
}

/// The vector file stem of a dialect (`megatec/old` → `megatec-old`).
pub fn file_stem(dialect: &Dialect) -> String {
    dialect.name.replace('/', "-")
}

/// The rows of a `.tsv` table as (command, answer), `\r` unescaped.
pub fn read_tsv(dialect: &Dialect) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let path = vectors_dir().join(format!("{}.tsv", file_stem(dialect)));
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        qxups::trace::rows(&text)
            .map(|r| (unescape(r.command).collect(), unescape(r.answer).collect()))
            .collect(),
    )
}

pub use qxups::block_on;

/// A device answering from a table (first row for the command; else the dialect's refusal,
/// else an echo), recording what it exchanged.
#[derive(Debug)]
pub struct ScriptedDevice {
    table: Vec<(Vec<u8>, Vec<u8>)>,
    rejected: Option<&'static [u8]>,
    /// Every (command, answer) exchanged so far.
    pub log: Vec<(Vec<u8>, Vec<u8>)>,
}

impl ScriptedDevice {
    /// A device playing `table`.
    pub fn new(table: Vec<(Vec<u8>, Vec<u8>)>, rejected: Option<&'static [u8]>) -> Self {
        Self {
            table,
            rejected,
            log: Vec::new(),
        }
    }
}

impl Transport for ScriptedDevice {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        let answer = match self.table.iter().find(|(c, _)| c == command) {
            Some((_, a)) => a.clone(),
            None => self
                .rejected
                .map_or_else(|| command.to_vec(), <[u8]>::to_vec),
        };
        let n = answer.len().min(reply.len());
        if let (Some(dst), Some(src)) = (reply.get_mut(..n), answer.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.log.push((command.to_vec(), answer));
        Ok(n)
    }
}

/// One dialect's poll cycle, ready to decode.
#[derive(Clone, Debug)]
pub struct PollCycle {
    /// The dialect.
    pub dialect: &'static Dialect,
    /// The UPS after claim, initialisation and one full update.
    pub ups: Ups,
    /// The distinct (command, answer) pairs of claim, initialisation and a full update, in
    /// order.
    pub exchanges: Vec<(Vec<u8>, Vec<u8>)>,
}

impl PollCycle {
    /// The cycle of `dialect`, or `None` when it has no vector table, its claim fails, or its
    /// walk does not complete (a dialect not implemented yet).
    pub fn new(dialect: &'static Dialect) -> Option<Self> {
        let table = read_tsv(dialect)?;
        let mut device = ScriptedDevice::new(table, dialect.rejected);
        let mut ups = Ups::new(dialect, Options::new());
        if !block_on(ups.claim(&mut device, true)).ok()? {
            return None;
        }
        block_on(ups.init(&mut device, 0)).ok()?;
        block_on(ups.update(&mut device, Poll::Full, 2_000)).ok()?;
        let mut exchanges: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for (cmd, answer) in device.log {
            if !exchanges.iter().any(|(c, _)| *c == cmd) {
                exchanges.push((cmd, answer));
            }
        }
        (!exchanges.is_empty()).then_some(Self {
            dialect,
            ups,
            exchanges,
        })
    }

    /// Answer bytes per cycle.
    pub fn bytes(&self) -> u64 {
        self.exchanges.iter().map(|(_, a)| a.len() as u64).sum()
    }

    /// Decodes every answer of the cycle into NUT variables; returns how many variables are
    /// published (so the work cannot be optimised away).
    pub fn run(&mut self) -> usize {
        for (cmd, answer) in &self.exchanges {
            let _ = self.ups.decode(cmd, answer);
        }
        self.ups.vars().len()
    }
}

/// The poll cycle of every dialect that has one, in autodetection order.
pub fn poll_cycles() -> Vec<PollCycle> {
    AUTODETECT_ORDER
        .iter()
        .filter_map(|d| PollCycle::new(d))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn megatec_cycle_decodes_q1_f_i() {
        let mut cycle = PollCycle::new(&qxups::dialect::megatec::DIALECT).unwrap();
        let cmds: Vec<&[u8]> = cycle.exchanges.iter().map(|(c, _)| c.as_slice()).collect();
        assert_eq!(cmds, [&b"Q1\r"[..], b"I\r", b"F\r"]);
        assert!(cycle.run() > 5);
        assert!(cycle.bytes() > 40);
    }
}
