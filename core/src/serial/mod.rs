//! The serial link (usb-transports spec §7, §8 `cablepower`, test vector TV-19) as a
//! [`Transport`] over any async byte stream.
//!
//! The port settings are the caller's: **2400 baud, 8 data bits, no parity, 1 stop bit**, no
//! flow control, raw input and output ([`BAUD_RATE`], [`DATA_BITS`], [`STOP_BITS`]). What this
//! module does on top of the stream:
//!
//! * [`SerialLink::start`]: sets DTR/RTS as [`CablePower`] says and waits [`SETTLE_MS`] before the
//!   first command (spec §7.2 items 5 and 6).
//! * each [`Transport::transact`]: discards stale input, writes the whole command, then collects
//!   one CR- (or LF-) terminated line for up to [`REPLY_TIMEOUT_MS`]. Silence — or a line that
//!   never ends — gives `Ok(0)`, which the dialect layer reads as "no answer" for a query and as
//!   success for a command (spec §1 item 4, §7.3). A line longer than the reply buffer is
//!   [`TransportError::Overflow`].
//!
//! Time is never read from a clock: the link waits in steps of [`POLL_MS`] through the caller's
//! [`DelayNs`], asking the port ([`ReadReady`]) whether bytes are waiting. That works the same
//! over an interrupt-driven UART, a blocking host port and a test double.

pub mod line;

use core::fmt;
use core::str::FromStr;

use embedded_hal_async::delay::DelayNs;
use embedded_io_async::{ErrorKind, Read, ReadReady, Write};

use crate::transport::{Transport, TransportError};
use crate::wire::MAX_ANSWER;
pub use line::{Feed, LineBuffer, LineError};

/// Line speed, baud, in and out (spec §7.2).
pub const BAUD_RATE: u32 = 2400;
/// Data bits per character.
pub const DATA_BITS: u8 = 8;
/// Stop bits per character (no parity).
pub const STOP_BITS: u8 = 1;
/// How long to wait for a complete reply line, milliseconds (spec §7.3 item 3).
pub const REPLY_TIMEOUT_MS: u32 = 1000;
/// Wait after opening the port and setting the control lines, milliseconds (spec §7.2 item 6).
pub const SETTLE_MS: u32 = 1100;
/// Polling step while waiting for input, milliseconds (about one character time at 2400 baud).
pub const POLL_MS: u32 = 4;
/// The longest reply line kept, terminator included.
pub const MAX_LINE: usize = MAX_ANSWER;
/// Most stale bytes discarded before a command; a port that never stops talking is an error.
pub const MAX_DRAIN: usize = 4 * MAX_LINE;

/// The `cablepower` option: how DTR and RTS are set (spec §7.2 item 5, §8).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CablePower {
    /// DTR set, RTS cleared (the default).
    #[default]
    Normal,
    /// DTR cleared, RTS set.
    Reverse,
    /// DTR and RTS set.
    Both,
    /// DTR and RTS cleared.
    None,
}

impl CablePower {
    /// Whether DTR is set.
    pub const fn dtr(self) -> bool {
        matches!(self, Self::Normal | Self::Both)
    }

    /// Whether RTS is set.
    pub const fn rts(self) -> bool {
        matches!(self, Self::Reverse | Self::Both)
    }

    /// The option value (`normal`, `reverse`, `both`, `none`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Reverse => "reverse",
            Self::Both => "both",
            Self::None => "none",
        }
    }
}

/// A `cablepower` value that is none of the four names (NUT stops the driver).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UnknownCablePower;

impl fmt::Display for UnknownCablePower {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cablepower must be normal, reverse, both or none")
    }
}

impl core::error::Error for UnknownCablePower {}

impl FromStr for CablePower {
    type Err = UnknownCablePower;

    /// Parses the option value, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Normal, Self::Reverse, Self::Both, Self::None]
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownCablePower)
    }
}

/// The modem-control lines of a port (or the GPIOs that drive them).
pub trait ControlLines {
    /// Why a line could not be set.
    type Error: fmt::Debug;
    /// Sets (`true`) or clears DTR.
    fn set_dtr(&mut self, on: bool) -> Result<(), Self::Error>;
    /// Sets (`true`) or clears RTS.
    fn set_rts(&mut self, on: bool) -> Result<(), Self::Error>;
}

impl<T: ControlLines + ?Sized> ControlLines for &mut T {
    type Error = T::Error;
    fn set_dtr(&mut self, on: bool) -> Result<(), Self::Error> {
        (**self).set_dtr(on)
    }
    fn set_rts(&mut self, on: bool) -> Result<(), Self::Error> {
        (**self).set_rts(on)
    }
}

/// One serial UPS link: a port `P` (byte stream with a "bytes waiting?" query) and a delay `D`.
#[derive(Debug)]
pub struct SerialLink<P, D> {
    port: P,
    delay: D,
    timeout_ms: u32,
    line: LineBuffer<MAX_LINE>,
}

fn map_error(kind: ErrorKind) -> TransportError {
    match kind {
        ErrorKind::NotConnected
        | ErrorKind::BrokenPipe
        | ErrorKind::ConnectionReset
        | ErrorKind::ConnectionAborted => TransportError::Disconnected,
        _ => TransportError::Io,
    }
}

fn io_error<E: embedded_io_async::Error>(e: E) -> TransportError {
    map_error(e.kind())
}

impl<P, D> SerialLink<P, D> {
    /// A link over an already configured port (2400 8N1, raw).
    pub fn new(port: P, delay: D) -> Self {
        Self {
            port,
            delay,
            timeout_ms: REPLY_TIMEOUT_MS,
            line: LineBuffer::new(),
        }
    }

    /// Changes the reply timeout (default [`REPLY_TIMEOUT_MS`]).
    pub fn with_timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.timeout_ms = timeout_ms;
        self
    }

    /// The port.
    pub fn port_mut(&mut self) -> &mut P {
        &mut self.port
    }

    /// Gives the port and the delay back.
    pub fn into_inner(self) -> (P, D) {
        (self.port, self.delay)
    }
}

impl<P: ControlLines, D: DelayNs> SerialLink<P, D> {
    /// Sets DTR/RTS as `cable` says, then waits [`SETTLE_MS`] (spec §7.2 items 5, 6).
    pub async fn start(&mut self, cable: CablePower) -> Result<(), TransportError> {
        self.set_cablepower(cable)?;
        self.delay.delay_ms(SETTLE_MS).await;
        Ok(())
    }

    /// Sets DTR/RTS as `cable` says.
    pub fn set_cablepower(&mut self, cable: CablePower) -> Result<(), TransportError> {
        self.port
            .set_dtr(cable.dtr())
            .map_err(|_| TransportError::Io)?;
        self.port
            .set_rts(cable.rts())
            .map_err(|_| TransportError::Io)
    }

    /// Clears DTR, as the driver does before closing the port (spec §7.3 item 5).
    pub fn stop(&mut self) -> Result<(), TransportError> {
        self.port.set_dtr(false).map_err(|_| TransportError::Io)
    }
}

impl<P: Read + Write + ReadReady, D: DelayNs> SerialLink<P, D> {
    /// Discards whatever the port holds (an answer that came too late, line noise).
    async fn drain(&mut self) -> Result<(), TransportError> {
        self.line.clear();
        let mut scratch = [0u8; 64];
        let mut dropped = 0usize;
        while self.port.read_ready().map_err(io_error)? {
            let n = self.port.read(&mut scratch).await.map_err(io_error)?;
            if n == 0 {
                return Err(TransportError::Disconnected);
            }
            dropped = dropped.saturating_add(n);
            if dropped > MAX_DRAIN {
                return Err(TransportError::Io);
            }
        }
        Ok(())
    }

    /// Reads one line into `reply`; `Ok(0)` when none is complete within the timeout.
    async fn read_line(&mut self, reply: &mut [u8]) -> Result<usize, TransportError> {
        let mut chunk = [0u8; 64];
        let mut waited = 0u32;
        loop {
            if !self.port.read_ready().map_err(io_error)? {
                if waited >= self.timeout_ms {
                    crate::fmt::debug!(
                        "serial: no complete line ({} bytes)",
                        self.line.partial().len()
                    );
                    self.line.clear();
                    return Ok(0);
                }
                self.delay.delay_ms(POLL_MS).await;
                waited = waited.saturating_add(POLL_MS);
                continue;
            }
            let n = self.port.read(&mut chunk).await.map_err(io_error)?;
            if n == 0 {
                return Err(TransportError::Disconnected);
            }
            let input = chunk.get(..n).unwrap_or(&[]);
            match self.line.feed(input) {
                Ok(Feed::Pending) => {}
                // Bytes after the line stay unread in spirit: the next drain drops them.
                Ok(Feed::Line { line, .. }) => {
                    let out = reply
                        .get_mut(..line.len())
                        .ok_or(TransportError::Overflow)?;
                    out.copy_from_slice(line);
                    return Ok(line.len());
                }
                Err(LineError::TooLong { .. }) => return Err(TransportError::Overflow),
            }
        }
    }
}

impl<P: Read + Write + ReadReady, D: DelayNs> Transport for SerialLink<P, D> {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        self.drain().await?;
        let mut rest = command;
        while !rest.is_empty() {
            // Our own loop: a port that takes nothing is an error here, not a panic.
            let n = self.port.write(rest).await.map_err(io_error)?;
            rest = rest.get(n..).filter(|_| n > 0).ok_or(TransportError::Io)?;
        }
        self.port.flush().await.map_err(io_error)?;
        reply.fill(0);
        self.read_line(reply).await
    }
}

#[cfg(test)]
mod tests;
