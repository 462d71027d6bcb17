//! Test support for the unit tests: an executor, a scripted device, and the claim of a dialect
//! on it.

use crate::dialect::Dialect;
use crate::{Options, Transport, TransportError, Ups};
use std::vec::Vec;

pub(crate) use crate::block_on;

/// Answers from a table; other commands get `fallback`, or are echoed when it is `None`.
pub(crate) struct Device {
    pub(crate) table: Vec<(&'static [u8], &'static [u8])>,
    pub(crate) fallback: Option<&'static [u8]>,
    pub(crate) sent: Vec<Vec<u8>>,
}

impl Device {
    pub(crate) fn new(
        table: &[(&'static [u8], &'static [u8])],
        fallback: Option<&'static [u8]>,
    ) -> Self {
        Self {
            table: table.to_vec(),
            fallback,
            sent: Vec::new(),
        }
    }
}

impl Transport for Device {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.sent.push(command.to_vec());
        let answer = self
            .table
            .iter()
            .find(|(c, _)| *c == command)
            .map(|(_, a)| *a)
            .or(self.fallback)
            .unwrap_or(command);
        let n = answer.len().min(reply.len());
        reply[..n].copy_from_slice(&answer[..n]);
        Ok(n)
    }
}

/// The status answer of the vector tables.
pub(crate) const Q1_ANSWER: &[u8] = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r";
/// The plain 39-byte identity answer of the vector tables.
pub(crate) const IDENTITY: &[u8] = b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r";

/// Claims `dialect` (as `protocol=` when `explicit`, else autodetecting) on a device playing
/// `table` (other commands echoed). A failed claim leaves nothing published.
pub(crate) fn claim(
    dialect: &'static Dialect,
    table: &[(&'static [u8], &'static [u8])],
    explicit: bool,
) -> Ups {
    let mut ups = Ups::new(dialect, Options::new());
    let mut device = Device::new(table, None);
    let ok = block_on(ups.claim(&mut device, explicit)).unwrap();
    assert_eq!(ok, !ups.vars().is_empty());
    ups
}
