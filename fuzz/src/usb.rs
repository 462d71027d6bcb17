//! A USB host driven by the fuzz input, for the `usb_*` targets and their seeds.
//!
//! The input is a stream of transfer results, taken in order by the IN transfers (control IN,
//! interrupt IN, the configuration descriptor): a header byte `h` below [`ERROR`] is a packet
//! of `h` bytes (fewer when the input ends); [`ERROR`] and the next byte make a transfer
//! error ([`error`]). An exhausted stream times out. OUT transfers always succeed and take
//! nothing from the stream.

use qxups::usb::{DelayNs, Setup, UsbError, UsbHost};

/// Header byte of a transfer error.
pub const ERROR: u8 = 0xFF;

/// The transfer error `byte` picks.
pub fn error(byte: u8) -> UsbError {
    UsbError::ALL[usize::from(byte) % UsbError::ALL.len()]
}

/// One scripted IN result, for writing seeds.
#[derive(Clone, Debug)]
pub enum Packet<'a> {
    /// These bytes (at most 254).
    Data(&'a [u8]),
    /// A transfer error, by [`error`]'s byte.
    Error(u8),
}

/// The stream encoding of `packets`.
pub fn stream(packets: &[Packet<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in packets {
        match p {
            Packet::Data(d) => {
                let d = &d[..d.len().min(usize::from(ERROR - 1))];
                out.push(d.len() as u8);
                out.extend_from_slice(d);
            }
            Packet::Error(e) => out.extend_from_slice(&[ERROR, *e]),
        }
    }
    out
}

/// The host: IN results from the stream.
#[derive(Debug)]
pub struct FuzzHost<'a> {
    rest: &'a [u8],
}

impl<'a> FuzzHost<'a> {
    /// A host answering from `stream`.
    pub fn new(stream: &'a [u8]) -> Self {
        Self { rest: stream }
    }

    fn next(&mut self, buf: &mut [u8], limit: usize) -> Result<usize, UsbError> {
        let Some((&h, rest)) = self.rest.split_first() else {
            return Err(UsbError::Timeout);
        };
        if h == ERROR {
            let (e, rest) = rest.split_first().map_or((0, &[][..]), |(e, r)| (*e, r));
            self.rest = rest;
            return Err(error(e));
        }
        let n = usize::from(h).min(rest.len());
        let (packet, rest) = rest.split_at(n);
        self.rest = rest;
        let n = n.min(limit);
        if n > buf.len() {
            // An interrupt packet larger than the request (libusb's overflow).
            return Err(UsbError::Overflow);
        }
        buf[..n].copy_from_slice(&packet[..n]);
        Ok(n)
    }
}

impl UsbHost for FuzzHost<'_> {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        // The device sends at most wLength; the host keeps what fits.
        let limit = usize::from(setup.length).min(buf.len());
        self.next(buf, limit)
    }

    async fn control_out(
        &mut self,
        _setup: Setup,
        data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        Ok(data.len())
    }

    async fn interrupt_in(
        &mut self,
        _endpoint: u8,
        buf: &mut [u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.next(buf, usize::MAX)
    }

    async fn interrupt_out(
        &mut self,
        _endpoint: u8,
        data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        Ok(data.len())
    }

    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        let limit = buf.len();
        self.next(buf, limit)
    }
}

/// A delay that returns at once.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoDelay;

impl DelayNs for NoDelay {
    async fn delay_ns(&mut self, _ns: u32) {}
}

/// The commands `usb_reports` picks from (byte 1).
pub const COMMANDS: [&[u8]; 16] = [
    b"Q1\r",
    b"F\r",
    b"I\r",
    b"Q4\r",
    b"Q3\r",
    b"Q5\r",
    b"Q\r",
    b"T\r",
    b"C\r",
    b"CT\r",
    b"BL\r",
    b"S03\r",
    b"S.5R0000\r",
    b"S03R0002\r",
    b"MSO\r",
    b"QGS\r",
];

/// Reply buffer sizes `usb_reports` picks from (byte 2).
pub const SIZES: [usize; 11] = [512, 511, 103, 102, 64, 48, 47, 9, 8, 1, 0];
