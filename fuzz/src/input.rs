//! The fuzz input formats, shared by the targets and the seed generator.
//!
//! * `decode_answer`: byte 0 picks the dialect ([`dialect`]), byte 1 one of its queries
//!   ([`query`]), the rest is the answer.
//! * `wire_frames`: the whole input is one answer.
//! * `walk` and `commands`: byte 0 picks the dialect, byte 1 holds [`flags`], and the rest is
//!   `\n`-separated lines. A line `COMMAND\tANSWER` is a row of the device's table (see
//!   [`Device`]); in `commands`, a line `@` + selector byte + argument text is one instant
//!   command or setvar ([`Op`]).

use qxups::dialect::{AUTODETECT_ORDER, Dialect, Kind};
use qxups::{Transport, TransportError};

/// The dialect `byte` selects (modulo the number of dialects).
pub fn dialect(byte: u8) -> &'static Dialect {
    let n = AUTODETECT_ORDER.len().max(1);
    AUTODETECT_ORDER
        .get(usize::from(byte) % n)
        .copied()
        .unwrap_or(&qxups::dialect::q1::DIALECT)
}

/// The byte that selects `dialect`.
pub fn dialect_byte(dialect: &Dialect) -> Option<u8> {
    AUTODETECT_ORDER
        .iter()
        .position(|d| d.name == dialect.name)
        .and_then(|i| u8::try_from(i).ok())
}

/// The query of `dialect` that `byte` selects, if it has any.
pub fn query(dialect: &Dialect, byte: u8) -> Option<&'static [u8]> {
    let n = dialect.queries().count();
    if n == 0 {
        return None;
    }
    dialect.queries().nth(usize::from(byte) % n)
}

/// Flag bits of byte 1 in `walk` and `commands`.
pub mod flags {
    /// Run the initialisation walk first (`commands`).
    pub const INIT: u8 = 1;
    /// Autodetect over every dialect instead of claiming the chosen one (`walk`).
    pub const DETECT: u8 = 1 << 1;
    /// `norating`.
    pub const NORATING: u8 = 1 << 2;
    /// `novendor`.
    pub const NOVENDOR: u8 = 1 << 3;
    /// `ignoresab`.
    pub const IGNORESAB: u8 = 1 << 4;
    /// `nooutstats`.
    pub const NOOUTSTATS: u8 = 1 << 5;
}

/// Options from the flag byte.
pub fn options(flag_byte: u8) -> qxups::Options {
    let mut o = qxups::Options::new();
    o.norating = flag_byte & flags::NORATING != 0;
    o.novendor = flag_byte & flags::NOVENDOR != 0;
    o.ignoresab = flag_byte & flags::IGNORESAB != 0;
    o.nooutstats = flag_byte & flags::NOOUTSTATS != 0;
    o
}

/// First byte of an answer that stands for a link failure instead; the next byte picks which.
pub const LINK_ERROR: u8 = 0xff;

/// Marks an operation line in `commands`.
pub const OP: u8 = b'@';

/// One instant command or setvar.
#[derive(Clone, Debug)]
pub struct Op {
    /// Picks among the dialect's commands and settings.
    pub selector: u8,
    /// The argument or value.
    pub arg: String,
}

/// A parsed `walk` / `commands` input.
#[derive(Clone, Debug, Default)]
pub struct Script {
    /// The device's table.
    pub rows: Vec<(Vec<u8>, Vec<u8>)>,
    /// Operations, in order.
    pub ops: Vec<Op>,
}

impl Script {
    /// Reads the lines after the two header bytes.
    pub fn parse(body: &[u8]) -> Self {
        let mut script = Self::default();
        for line in body.split(|&b| b == b'\n') {
            if let Some((&OP, rest)) = line.split_first() {
                let (selector, arg) = rest.split_first().map_or((0, &[][..]), |(s, a)| (*s, a));
                script.ops.push(Op {
                    selector,
                    arg: String::from_utf8_lossy(arg).into_owned(),
                });
            } else if let Some(tab) = line.iter().position(|&b| b == b'\t') {
                let (cmd, answer) = line.split_at(tab);
                script
                    .rows
                    .push((cmd.to_vec(), answer.get(1..).unwrap_or_default().to_vec()));
            }
        }
        script
    }

    /// Writes a whole input: header bytes, then the rows and operations.
    pub fn write(
        dialect_byte: u8,
        flag_byte: u8,
        rows: &[(Vec<u8>, Vec<u8>)],
        ops: &[Op],
    ) -> Vec<u8> {
        let mut out = vec![dialect_byte, flag_byte];
        for (cmd, answer) in rows {
            out.extend_from_slice(cmd);
            out.push(b'\t');
            out.extend_from_slice(answer);
            out.push(b'\n');
        }
        for op in ops {
            out.push(OP);
            out.push(op.selector);
            out.extend_from_slice(op.arg.as_bytes());
            out.push(b'\n');
        }
        out
    }
}

/// The instant commands and settable variables of `dialect`, in table order, as
/// (name, is_setting).
pub fn controls(dialect: &Dialect) -> Vec<(&'static str, bool)> {
    dialect
        .items()
        .filter_map(|i| match i.kind {
            Kind::Command(_) => Some((i.name, false)),
            Kind::Setting(_) => Some((i.name, true)),
            _ => None,
        })
        .collect()
}

/// A device answering from a table, like the vector tests' scripted device: each command gets
/// the next unused row for it (the last one again once all are used); a command without a row
/// gets the dialect's refusal, or its own echo. An answer starting with [`LINK_ERROR`] is a
/// link failure.
#[derive(Clone, Debug)]
pub struct Device {
    rows: Vec<(Vec<u8>, Vec<u8>)>,
    used: Vec<bool>,
    rejected: Option<&'static [u8]>,
    /// Transactions so far.
    pub transactions: usize,
}

/// Transactions after which the device is gone (bounds every walk).
pub const MAX_TRANSACTIONS: usize = 4096;

impl Device {
    /// A device with this table.
    pub fn new(rows: Vec<(Vec<u8>, Vec<u8>)>, rejected: Option<&'static [u8]>) -> Self {
        let used = vec![false; rows.len()];
        Self {
            rows,
            used,
            rejected,
            transactions: 0,
        }
    }
}

impl Transport for Device {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.transactions += 1;
        if self.transactions > MAX_TRANSACTIONS {
            return Err(TransportError::Disconnected);
        }
        let mut matching = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| c == command)
            .map(|(i, _)| i);
        let first_unused = matching
            .clone()
            .find(|&i| !self.used.get(i).copied().unwrap_or(true));
        let pick = first_unused.or_else(|| matching.next_back());
        let answer: &[u8] = match pick {
            Some(i) => {
                if let Some(u) = self.used.get_mut(i) {
                    *u = true;
                }
                self.rows.get(i).map_or(&[][..], |(_, a)| a.as_slice())
            }
            None => self.rejected.unwrap_or(command),
        };
        if let Some((&LINK_ERROR, rest)) = answer.split_first() {
            return Err(match rest.first().copied().unwrap_or(0) % 4 {
                0 => TransportError::Disconnected,
                1 => TransportError::Stall,
                2 => TransportError::Io,
                _ => TransportError::Unsupported,
            });
        }
        let n = answer.len().min(reply.len());
        if let (Some(dst), Some(src)) = (reply.get_mut(..n), answer.get(..n)) {
            dst.copy_from_slice(src);
        }
        Ok(n)
    }
}

pub use qxups::block_on;
