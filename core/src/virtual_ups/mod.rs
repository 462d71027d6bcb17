//! A virtual UPS: the device side of every dialect in [`crate::dialect::AUTODETECT_ORDER`],
//! for tests, demos and a pty peer. `no_std`, no heap.
//!
//! It holds a settable [`UpsState`] (measurements, status bits, a battery that drains on
//! battery and recharges on mains as the caller advances time with [`VirtualUps::advance`]) and
//! answers each query in the layout of the dialect it plays ([`Personality`]), carrying out the
//! instant commands (`Q`, `C`, `T…`, `CT`, `S…`) on its state.
//!
//! Three faces:
//! * [`Transport`]: command in, answer out, directly under [`crate::Ups`];
//! * the USB hardware of any subdriver ([`VirtualUsb`], a [`crate::usb::UsbHost`]), for a
//!   [`crate::usb::UsbTransport`] to talk to at the level of USB requests;
//! * a serial peer: [`VirtualUps::receive`] takes bytes from the host, [`VirtualUps::transmit`]
//!   gives back the answer bytes. It also implements the `embedded-io-async` traits and
//!   [`ControlLines`], so a [`crate::serial::SerialLink`] can run over it, and a pty can be
//!   served from it on a host.
//!
//! Faults ([`Fault`]) can be injected for a number of transactions: no answer, garbage, a
//! truncated answer, a USB stall, a disconnect, and a wrong descriptor length byte, which the
//! USB face applies to its string descriptors ([`VirtualUps::descriptor_length_fault`]). On the serial face a stall is silence, and a
//! disconnect makes reads and writes fail until the fault has run its course.
//!
//! Where a layout needs it the device keeps to what the dialect can read: hunnox's `BL` is
//! always three digits (`BL050`; NUT's min length 6 rejects `BL50`), megatec gets the 38-byte
//! "Megatec IC" `I` layout it parses (spec §5.1), masterguard is slave `00`. The identity
//! layout can be switched to the plain 39-byte one ([`Identity::Classic`],
//! [`VirtualUps::set_identity`]): older NUT releases (Debian's 2.8.0) refuse megatec's 38 bytes.
//!
//! Two devices cannot be told apart by their answers alone: ablerex plays megatec's answers to
//! `Q1`/`I` and omron plays q1's, so autodetection needs the USB vendor ID
//! ([`Personality::usb_vendor`], set it as `Options::usb_vendor`).

mod render;
mod state;
pub mod usb;

use core::fmt;

use embedded_io_async::{ErrorKind, ErrorType, Read, ReadReady, Write};

use crate::dialect::Dialect;
use crate::serial::{ControlLines, Feed, LineBuffer};
use crate::transport::{Transport, TransportError};

pub use render::{Identity, MAX_REPLY, Personality, Reply};
pub use state::{FULL_CHARGE, Shutdown, Test, UpsState};
pub use usb::{UsbIdentity, VirtualUsb};

/// A fault to inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum Fault {
    /// Say nothing (a timeout on the link).
    NoAnswer,
    /// Answer with line noise of the right length, ending in CR.
    Garbage,
    /// Answer with the first half of the real answer, then CR.
    Truncated,
    /// Refuse the request (a USB stall).
    Stall,
    /// Vanish (unplugged).
    Disconnect,
    /// Answer normally; the USB side should send a wrong descriptor length byte
    /// (see [`VirtualUps::descriptor_length_fault`]).
    DescriptorLength,
}

/// Bytes the serial peer can hold for the host.
pub const SERIAL_QUEUE: usize = 1024;

/// The error of the serial face.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum PeerError {
    /// The device is disconnected ([`Fault::Disconnect`]).
    Disconnected,
    /// Nothing to read: this peer never blocks; ask `read_ready` first.
    Empty,
}

impl fmt::Display for PeerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Disconnected => "virtual UPS disconnected",
            Self::Empty => "virtual UPS has nothing to send",
        })
    }
}

impl core::error::Error for PeerError {}

impl embedded_io_async::Error for PeerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::Disconnected => ErrorKind::BrokenPipe,
            Self::Empty => ErrorKind::Other,
        }
    }
}

/// A virtual UPS of one [`Personality`].
#[derive(Clone, Debug)]
pub struct VirtualUps {
    /// What it measures; change it freely.
    pub state: UpsState,
    personality: Personality,
    identity: Identity,
    fault: Option<Fault>,
    /// Transactions the fault still applies to (`None`: until cleared).
    fault_left: Option<u32>,
    noise: u32,
    transactions: u32,
    rx: LineBuffer<64>,
    tx: heapless::Deque<u8, SERIAL_QUEUE>,
    disconnected: bool,
    dtr: bool,
    rts: bool,
}

impl VirtualUps {
    /// A healthy device of this personality, with values like its vector table.
    pub fn new(personality: Personality) -> Self {
        let mut state = UpsState::new();
        if matches!(
            personality,
            Personality::Innovart31 | Personality::Innovart33 | Personality::Q2 | Personality::Q6
        ) {
            state.nominal_battery_voltage = 2880;
            state.nominal_current = 87;
            state.nominal_power = 10_000;
            state.line_interactive = false;
            state.set_charge(FULL_CHARGE);
        }
        if personality == Personality::Bestups {
            state.model = "FOR";
            state.nominal_power = 750;
            state.nominal_voltage = 1200;
        }
        Self {
            state,
            personality,
            identity: Identity::Native,
            fault: None,
            fault_left: None,
            noise: 0x2545_f491,
            transactions: 0,
            rx: LineBuffer::new(),
            tx: heapless::Deque::new(),
            disconnected: false,
            dtr: false,
            rts: false,
        }
    }

    /// The device that speaks `dialect`, if the virtual UPS knows it.
    pub fn for_dialect(dialect: &Dialect) -> Option<Self> {
        Personality::for_dialect(dialect.name).map(Self::new)
    }

    /// The personality.
    pub fn personality(&self) -> Personality {
        self.personality
    }

    /// Answers `I\r` in `layout` from now on (default [`Identity::Native`]).
    pub fn set_identity(&mut self, layout: Identity) {
        self.identity = layout;
    }

    /// The layout of the identity answer.
    pub fn identity(&self) -> Identity {
        self.identity
    }

    /// Transactions answered so far (faulty ones included).
    pub fn transactions(&self) -> u32 {
        self.transactions
    }

    /// Lets `ms` milliseconds pass ([`UpsState::advance`]).
    pub fn advance(&mut self, ms: u64) {
        self.state.advance(ms);
    }

    /// Injects `fault` for the next `count` transactions (`None`: until [`Self::clear_fault`]).
    pub fn inject(&mut self, fault: Fault, count: Option<u32>) {
        self.fault = Some(fault);
        self.fault_left = count;
        self.disconnected = fault == Fault::Disconnect;
    }

    /// Ends any fault; a disconnected device is back.
    pub fn clear_fault(&mut self) {
        self.fault = None;
        self.fault_left = None;
        self.disconnected = false;
    }

    /// True while [`Fault::DescriptorLength`] is active: the USB side should corrupt the
    /// length byte of the descriptor it builds from the next answer.
    pub fn descriptor_length_fault(&self) -> bool {
        self.fault == Some(Fault::DescriptorLength)
    }

    /// The control lines as the host last set them (DTR, RTS).
    pub fn control_lines(&self) -> (bool, bool) {
        (self.dtr, self.rts)
    }

    /// Counts one attempt to reach a disconnected device; true while it stays disconnected.
    fn attempt_while_disconnected(&mut self) -> bool {
        if !self.disconnected {
            return false;
        }
        self.transactions = self.transactions.wrapping_add(1);
        let _ = self.take_fault();
        self.disconnected
    }

    fn take_fault(&mut self) -> Option<Fault> {
        let fault = self.fault?;
        match self.fault_left {
            Some(0) => {
                self.fault = None;
                self.fault_left = None;
                self.disconnected = false;
                return None;
            }
            Some(n) => self.fault_left = Some(n - 1),
            None => {}
        }
        Some(fault)
    }

    fn garbage(&mut self, len: usize) -> Reply {
        let mut r = Reply::new();
        for _ in 0..len.saturating_sub(1) {
            // xorshift32: deterministic noise, never a CR or LF, never a lead `(` / `#`.
            self.noise ^= self.noise << 13;
            self.noise ^= self.noise >> 17;
            self.noise ^= self.noise << 5;
            let b = self.noise.to_le_bytes().first().copied().unwrap_or(0);
            let b = if matches!(b, b'\r' | b'\n' | b'(' | b'#') {
                b'?'
            } else {
                b
            };
            let _ = r.push(b);
        }
        let _ = r.push(b'\r');
        r
    }

    /// The device's whole reply to `command`, faults applied. `Ok` with an empty reply is
    /// silence.
    pub fn respond(&mut self, command: &[u8]) -> Result<Reply, TransportError> {
        self.transactions = self.transactions.wrapping_add(1);
        let fault = self.take_fault();
        let answer = render::reply(self.personality, self.identity, &mut self.state, command);
        match fault {
            None | Some(Fault::DescriptorLength) => Ok(answer),
            Some(Fault::NoAnswer) => Ok(Reply::new()),
            Some(Fault::Garbage) => Ok(self.garbage(answer.len().max(8))),
            Some(Fault::Truncated) => {
                let mut r = Reply::new();
                let half = answer.get(..answer.len() / 2).unwrap_or(&[]);
                let _ = r.extend_from_slice(half.strip_suffix(b"\r").unwrap_or(half));
                let _ = r.push(b'\r');
                Ok(r)
            }
            Some(Fault::Stall) => Err(TransportError::Stall),
            Some(Fault::Disconnect) => Err(TransportError::Disconnected),
        }
    }

    /// Serial face: bytes from the host. Each complete line is one command; its answer is
    /// queued for [`Self::transmit`] (what does not fit the queue is lost, as on a real line).
    pub fn receive(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let (consumed, line) = match self.rx.feed(bytes) {
                Ok(Feed::Pending) => return,
                Ok(Feed::Line { line, consumed }) => {
                    let mut cmd: heapless::Vec<u8, 64> = heapless::Vec::new();
                    // LF is not the Megatec terminator: `Q1\n` is sent on as `Q1\r`.
                    let body = line.get(..line.len().saturating_sub(1)).unwrap_or(&[]);
                    let _ = cmd.extend_from_slice(body);
                    let _ = cmd.push(b'\r');
                    (consumed, (!body.is_empty()).then_some(cmd))
                }
                Err(crate::serial::LineError::TooLong { consumed }) => (consumed, None),
            };
            bytes = bytes.get(consumed..).unwrap_or(&[]);
            if let Some(cmd) = line {
                if let Ok(answer) = self.respond(&cmd) {
                    for b in answer {
                        let _ = self.tx.push_back(b);
                    }
                }
            }
        }
    }

    /// Serial face: answer bytes for the host, at most `out.len()`; returns how many.
    pub fn transmit(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in out.iter_mut() {
            match self.tx.pop_front() {
                Some(b) => {
                    *slot = b;
                    n += 1;
                }
                None => break,
            }
        }
        n
    }

    /// Serial face: answer bytes waiting for the host.
    pub fn pending(&self) -> usize {
        self.tx.len()
    }

    /// Serial face: true while disconnected ([`Fault::Disconnect`]).
    pub fn is_disconnected(&self) -> bool {
        self.disconnected
    }
}

impl Transport for VirtualUps {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        let answer = self.respond(command)?;
        let out = reply
            .get_mut(..answer.len())
            .ok_or(TransportError::Overflow)?;
        out.copy_from_slice(&answer);
        Ok(answer.len())
    }
}

impl ErrorType for VirtualUps {
    type Error = PeerError;
}

impl Read for VirtualUps {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PeerError> {
        if self.disconnected {
            return Err(PeerError::Disconnected);
        }
        if buf.is_empty() {
            return Ok(0);
        }
        match self.transmit(buf) {
            0 => Err(PeerError::Empty),
            n => Ok(n),
        }
    }
}

impl ReadReady for VirtualUps {
    /// While disconnected, each call counts as one attempt toward the end of the fault (a
    /// serial link asks before every transaction), and reports "ready" so the read fails.
    fn read_ready(&mut self) -> Result<bool, PeerError> {
        Ok(self.attempt_while_disconnected() || !self.tx.is_empty())
    }
}

impl Write for VirtualUps {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PeerError> {
        if self.attempt_while_disconnected() {
            return Err(PeerError::Disconnected);
        }
        self.receive(buf);
        Ok(buf.len())
    }
}

impl ControlLines for VirtualUps {
    type Error = core::convert::Infallible;
    fn set_dtr(&mut self, on: bool) -> Result<(), Self::Error> {
        self.dtr = on;
        Ok(())
    }
    fn set_rts(&mut self, on: bool) -> Result<(), Self::Error> {
        self.rts = on;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
