//! The serial adapter: a tty opened with the `serialport` crate (no libudev), behind the
//! core's async byte-stream traits, so [`qxups::serial::SerialLink`] runs over it.
//!
//! The port is opened as usb-transports spec §7.2 says: read-write, no controlling terminal,
//! exclusive (TIOCEXCL plus `flock`), raw, **2400 baud 8N1**, no flow control. The calls block:
//! the link only reads when [`ReadReady`] says bytes are waiting, and waits through
//! [`StdDelay`] (a thread sleep), so no read ever blocks for long.

use std::io::{self, Read as _, Write as _};
use std::time::Duration;

pub use crate::runtime::{StdDelay, block_on};
use embedded_io_async::{ErrorKind, ErrorType, Read, ReadReady, Write};
use qxups::TransportError;
use qxups::serial::{BAUD_RATE, CablePower, ControlLines, SerialLink};
use serialport::{ClearBuffer, DataBits, FlowControl, Parity, SerialPort as _, StopBits, TTYPort};

/// A serial link over a host tty.
pub type Link = SerialLink<SerialPort, StdDelay>;

/// An I/O error of the port, with the kind the core maps to a transport error.
#[derive(Debug)]
pub struct PortError(io::Error);

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PortError {}

impl embedded_io_async::Error for PortError {
    fn kind(&self) -> ErrorKind {
        match self.0.kind() {
            io::ErrorKind::BrokenPipe => ErrorKind::BrokenPipe,
            io::ErrorKind::NotConnected => ErrorKind::NotConnected,
            io::ErrorKind::ConnectionReset => ErrorKind::ConnectionReset,
            io::ErrorKind::ConnectionAborted => ErrorKind::ConnectionAborted,
            io::ErrorKind::TimedOut => ErrorKind::TimedOut,
            io::ErrorKind::Interrupted => ErrorKind::Interrupted,
            io::ErrorKind::InvalidInput => ErrorKind::InvalidInput,
            io::ErrorKind::WriteZero => ErrorKind::WriteZero,
            // A vanished USB-serial adapter or a closed pty master reads as EIO/ENXIO/ENODEV.
            _ if matches!(
                self.0.raw_os_error(),
                Some(libc_eio::EIO | libc_eio::ENXIO | libc_eio::ENODEV)
            ) =>
            {
                ErrorKind::NotConnected
            }
            _ => ErrorKind::Other,
        }
    }
}

/// The errno values that mean "the device is gone" (Linux numbering).
mod libc_eio {
    pub const EIO: i32 = 5;
    pub const ENXIO: i32 = 6;
    pub const ENODEV: i32 = 19;
}

fn port_error(e: serialport::Error) -> PortError {
    PortError(io::Error::from(e))
}

/// An open tty.
#[derive(Debug)]
pub struct SerialPort {
    port: TTYPort,
    modem_lines: bool,
}

/// Opens `path` at 2400 8N1, raw, exclusive, without touching DTR/RTS (that is
/// [`SerialLink::start`]'s job), and discards whatever was pending.
pub fn open(path: &str) -> Result<SerialPort, serialport::Error> {
    let mut port = serialport::new(path, BAUD_RATE)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(Duration::from_millis(100))
        .open_native()?;
    port.clear(ClearBuffer::All)?;
    // Reading the modem status fails (ENOTTY) exactly where setting it would.
    let modem_lines = port.read_data_set_ready().is_ok();
    Ok(SerialPort { port, modem_lines })
}

/// Opens `path`, sets DTR/RTS as `cable` says and waits the settle time (spec §7.2): a link
/// ready for [`qxups::Ups`].
pub async fn connect(path: &str, cable: CablePower) -> Result<Link, ConnectError> {
    let port = open(path).map_err(ConnectError::Open)?;
    let mut link = SerialLink::new(port, StdDelay);
    link.start(cable).await.map_err(ConnectError::Link)?;
    Ok(link)
}

/// Why [`connect`] failed.
#[derive(Debug)]
pub enum ConnectError {
    /// The port could not be opened or configured.
    Open(serialport::Error),
    /// The control lines could not be set.
    Link(TransportError),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Open(e) => write!(f, "open: {e}"),
            Self::Link(e) => write!(f, "control lines: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

impl ErrorType for SerialPort {
    type Error = PortError;
}

impl Read for SerialPort {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, PortError> {
        loop {
            match self.port.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(PortError(e)),
            }
        }
    }
}

impl ReadReady for SerialPort {
    fn read_ready(&mut self) -> Result<bool, PortError> {
        self.port.bytes_to_read().map(|n| n > 0).map_err(port_error)
    }
}

impl Write for SerialPort {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, PortError> {
        self.port.write(buf).map_err(PortError)
    }

    async fn flush(&mut self) -> Result<(), PortError> {
        self.port.flush().map_err(PortError)
    }
}

impl SerialPort {
    /// False for a tty without modem-control lines (a pseudo terminal): DTR and RTS are then
    /// left alone, the best effort NUT makes too.
    pub fn has_modem_lines(&self) -> bool {
        self.modem_lines
    }
}

impl ControlLines for SerialPort {
    type Error = serialport::Error;

    fn set_dtr(&mut self, on: bool) -> Result<(), Self::Error> {
        if self.modem_lines {
            self.port.write_data_terminal_ready(on)?;
        }
        Ok(())
    }

    fn set_rts(&mut self, on: bool) -> Result<(), Self::Error> {
        if self.modem_lines {
            self.port.write_request_to_send(on)?;
        }
        Ok(())
    }
}
