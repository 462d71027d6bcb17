//! The `no_std` part of the test support (needs only `alloc`): a tiny executor, the escaping of
//! vector files, their `.tsv` rows, and a scripted device. `common/mod.rs` re-exports it for
//! the host tests; the QEMU test binary (`core/qemu-tests`) includes this file by path.

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use qxups::{Transport, TransportError};

pub use qxups::block_on;

/// `\r` written as two characters becomes CR.
pub fn unescape(s: &str) -> Vec<u8> {
    qxups::trace::unescape(s).collect()
}

/// CR written back as `\r`.
pub fn escape(b: &[u8]) -> String {
    qxups::trace::Escaped(b).to_string()
}

/// The rows of a `.tsv` file's text: (command, answer).
pub fn parse_tsv(text: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    qxups::trace::rows(text)
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
