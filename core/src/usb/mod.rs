//! The USB transports of the Q* family (usb-transports.md §1–§6): a small async host trait at
//! the level of USB transfers ([`UsbHost`]), the 14 subdrivers that move one command and its
//! reply over it ([`UsbTransport`], one module each), the string-descriptor primitives they
//! share ([`strings`]), the device descriptor ([`device`], for hosts that do not cache it) and
//! the device table that picks a subdriver ([`table`]).
//!
//! Nothing here knows about libusb, threads or a clock: a host adapter implements
//! [`UsbHost`], delays come from the [`DelayNs`] it is given.
//!
//! Results follow the crate's [`Transport`] contract rather than NUT's `int`: an error is a
//! typed [`TransportError`], `Ok(0)` is "nothing usable / acknowledged without data", `Ok(n)`
//! is `n` reply bytes. Fixed against NUT (each with a test named after the quirk):
//!
//! * silence after a command is `Ok(0)` ("accepted") on every interrupt-pipe transport, as on
//!   the serial link, instead of NUT's TIMEOUT that makes a carried-out command look failed
//!   (§1 point 4, §10 quirk 11); a timeout part-way through a reply is still an error;
//! * a transport's own framing errors are [`TransportError::Protocol`], not an I/O error that
//!   forces a reconnect (§10 quirk 14);
//! * the string-descriptor size check compares the length byte unsigned (§10 quirk 6);
//! * `snr` without `langid_fix` uses 0x0409 instead of aborting (§10 quirk 1);
//! * `langid_fix` is read with or without `0x` (§10 quirk 7);
//! * language IDs are unsigned 16-bit values (§10 quirk 17).

use core::fmt;

pub use embedded_hal_async::delay::DelayNs;

use crate::transport::{Transport, TransportError};

pub mod ablerex;
pub mod armac;
pub mod cypress;
pub mod device;
pub mod fabula;
pub mod fuji;
pub mod gtec;
pub mod hunnox;
pub mod ippon;
pub mod krauler;
pub mod omron;
pub mod phoenix;
pub mod phoenixtec;
pub mod sgs;
pub mod snr;
pub mod stream;
pub mod strings;
pub mod table;

/// NUT's reply-buffer size (a 512-byte answer minus its NUL); wire lengths derive from it.
pub const NUT_BUFLEN: usize = 511;
/// The interrupt IN endpoint every stream transport reads (armac's interrupt mode aside).
pub const EP_IN: u8 = 0x81;
/// The interrupt OUT endpoint (fuji, armac's interrupt mode).
pub const EP_OUT: u8 = 0x02;
/// Carriage return, the end of every command and reply.
pub const CR: u8 = 0x0D;

/// The reply-buffer size NUT would hand the transport: one byte is kept for the NUL, and no
/// more than [`NUT_BUFLEN`] so wire lengths stay NUT's.
pub fn buflen(reply: &[u8]) -> usize {
    reply.len().saturating_sub(1).min(NUT_BUFLEN)
}

/// The fields of a USB SETUP packet (little-endian on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Setup {
    /// `bmRequestType`.
    pub request_type: u8,
    /// `bRequest`.
    pub request: u8,
    /// `wValue`.
    pub value: u16,
    /// `wIndex`.
    pub index: u16,
    /// `wLength`: what the device is asked for (control IN) or sent (control OUT).
    pub length: u16,
}

/// HID report types (the high byte of `wValue`).
pub mod report {
    /// Output report.
    pub const OUTPUT: u8 = 2;
    /// Feature report.
    pub const FEATURE: u8 = 3;
}

impl Setup {
    /// HID SET_REPORT with a literal `wValue` (ippon, omron and gtec use 0x0002), interface 0.
    pub const fn set_report(value: u16, length: u16) -> Self {
        Self {
            request_type: 0x21,
            request: 0x09,
            value,
            index: 0,
            length,
        }
    }

    /// HID GET_REPORT, interface 0.
    pub const fn get_report(value: u16, length: u16) -> Self {
        Self {
            request_type: 0xA1,
            request: 0x01,
            value,
            index: 0,
            length,
        }
    }

    /// GET_DESCRIPTOR(String `index`, `langid`), asking for `length` bytes.
    pub const fn get_string(index: u8, langid: u16, length: u16) -> Self {
        Self {
            request_type: 0x80,
            request: 0x06,
            value: 0x0300 | index as u16,
            index: langid,
            length,
        }
    }

    /// GET_DESCRIPTOR(Configuration 0), asking for `length` bytes.
    pub const fn get_config(length: u16) -> Self {
        Self {
            request_type: 0x80,
            request: 0x06,
            value: 0x0200,
            index: 0,
            length,
        }
    }

    /// CLEAR_FEATURE(ENDPOINT_HALT) on `endpoint`.
    pub const fn clear_halt(endpoint: u8) -> Self {
        Self {
            request_type: 0x02,
            request: 0x01,
            value: 0,
            index: endpoint as u16,
            length: 0,
        }
    }

    /// The 8 bytes of the SETUP packet as they go on the wire.
    pub const fn to_bytes(self) -> [u8; 8] {
        let [v0, v1] = self.value.to_le_bytes();
        let [i0, i1] = self.index.to_le_bytes();
        let [l0, l1] = self.length.to_le_bytes();
        [self.request_type, self.request, v0, v1, i0, i1, l0, l1]
    }
}

/// Why one USB transfer failed (the libusb codes the transports tell apart, spec §2.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum UsbError {
    /// Nothing (or not everything) arrived within the timeout.
    Timeout,
    /// The endpoint stalled (libusb PIPE).
    Stall,
    /// The device sent more than the request had room for.
    Overflow,
    /// The device is gone.
    Disconnected,
    /// Another driver holds the device.
    Busy,
    /// Not permitted to use the device.
    Access,
    /// Any other transfer failure.
    Io,
    /// The host cannot do this transfer.
    Unsupported,
}

impl UsbError {
    /// Every transfer error, for tests and fuzzing that try each one.
    pub const ALL: [Self; 8] = [
        Self::Timeout,
        Self::Stall,
        Self::Overflow,
        Self::Disconnected,
        Self::Busy,
        Self::Access,
        Self::Io,
        Self::Unsupported,
    ];
}

impl fmt::Display for UsbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Timeout => "USB transfer timed out",
            Self::Stall => "USB endpoint stalled",
            Self::Overflow => "USB transfer overflow",
            Self::Disconnected => "USB device disconnected",
            Self::Busy => "USB device busy",
            Self::Access => "USB access denied",
            Self::Io => "USB I/O error",
            Self::Unsupported => "USB transfer not supported",
        })
    }
}

impl core::error::Error for UsbError {}

impl From<UsbError> for TransportError {
    fn from(e: UsbError) -> Self {
        match e {
            UsbError::Timeout => Self::Timeout,
            UsbError::Stall => Self::Stall,
            UsbError::Overflow => Self::Overflow,
            UsbError::Disconnected => Self::Disconnected,
            UsbError::Busy => Self::Busy,
            UsbError::Access => Self::Access,
            UsbError::Io => Self::Io,
            UsbError::Unsupported => Self::Unsupported,
        }
    }
}

/// A USB host at the level of transfers, on the claimed device. Every call carries its
/// timeout in milliseconds; `Err(UsbError::Timeout)` means nothing usable arrived in time.
#[allow(async_fn_in_trait)]
pub trait UsbHost {
    /// Control transfer, device to host: sends `setup` (its `length` is `wLength`) and stores at
    /// most `buf.len()` of the bytes the device returns (the rest is dropped). Returns the
    /// number of bytes stored.
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError>;

    /// Control transfer, host to device, with `data` as the data stage (`setup.length` equals
    /// `data.len()`). Returns the number of bytes sent.
    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError>;

    /// Interrupt IN from `endpoint` (e.g. 0x81) of up to `buf.len()` bytes; completes on a short
    /// packet, a full buffer or the timeout. Returns the number of bytes received.
    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError>;

    /// Interrupt OUT of `data` to `endpoint` (e.g. 0x02). Returns the number of bytes sent.
    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError>;

    /// The active configuration descriptor (only armac's mode choice needs it). The default
    /// reads configuration 0 from the device; a host that caches descriptors (libusb) should
    /// answer from its cache so nothing goes on the wire, as in NUT.
    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        let length = u16::try_from(buf.len()).unwrap_or(u16::MAX);
        self.control_in(Setup::get_config(length), buf, 1000).await
    }
}

impl<T: UsbHost + ?Sized> UsbHost for &mut T {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        (**self).control_in(setup, buf, timeout_ms).await
    }
    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        (**self).control_out(setup, data, timeout_ms).await
    }
    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        (**self).interrupt_in(endpoint, buf, timeout_ms).await
    }
    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        (**self).interrupt_out(endpoint, data, timeout_ms).await
    }
    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        (**self).config_descriptor(buf).await
    }
}

/// The 14 USB transports, in NUT's name-table order (spec §0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Subdriver {
    /// §4.1.
    Cypress,
    /// §4.7 (Masterguard).
    Phoenixtec,
    /// §4.2.
    Phoenix,
    /// §4.3.
    Ippon,
    /// §4.4.
    Omron,
    /// §5.5.
    Krauler,
    /// §5.7.
    Fabula,
    /// §5.6.
    Hunnox,
    /// §4.8.
    Fuji,
    /// §4.5 (TS Shara).
    Sgs,
    /// §5.8.
    Snr,
    /// §4.10.
    Ablerex,
    /// §4.9.
    Armac,
    /// §4.6.
    Gtec,
}

impl Subdriver {
    /// Every subdriver, in NUT's name-table order.
    pub const ALL: [Self; 14] = [
        Self::Cypress,
        Self::Phoenixtec,
        Self::Phoenix,
        Self::Ippon,
        Self::Omron,
        Self::Krauler,
        Self::Fabula,
        Self::Hunnox,
        Self::Fuji,
        Self::Sgs,
        Self::Snr,
        Self::Ablerex,
        Self::Armac,
        Self::Gtec,
    ];

    /// The `subdriver=` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cypress => "cypress",
            Self::Phoenixtec => "phoenixtec",
            Self::Phoenix => "phoenix",
            Self::Ippon => "ippon",
            Self::Omron => "omron",
            Self::Krauler => "krauler",
            Self::Fabula => "fabula",
            Self::Hunnox => "hunnox",
            Self::Fuji => "fuji",
            Self::Sgs => "sgs",
            Self::Snr => "snr",
            Self::Ablerex => "ablerex",
            Self::Armac => "armac",
            Self::Gtec => "gtec",
        }
    }

    /// Reads a `subdriver=` value, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for Subdriver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The transport options of spec §8 that reach the subdrivers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UsbOptions {
    /// `langid_fix`: the LANGID for raw string reads (krauler, hunnox, snr).
    pub langid_fix: Option<u16>,
    /// `noscanlangid`: skip the startup langid scan (§2.5).
    pub noscanlangid: bool,
    /// `novendor`: the hunnox preamble leaves index 0x0C out.
    pub novendor: bool,
}

/// Reads a `langid_fix` value: hex, with or without `0x` (NUT skips two characters blindly, so
/// its `409` is 0x9; here it is 0x0409). Values above 0xFFFF are refused.
pub fn parse_langid_fix(text: &str) -> Option<u16> {
    let t = text.trim();
    let digits = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if digits.is_empty() {
        return None;
    }
    u16::from_str_radix(digits, 16).ok()
}

/// A device link over one of the 14 subdrivers: "send this command, return the answer".
/// Holds the per-transport state of spec §12 (hunnox's `step`, armac's mode).
#[derive(Debug)]
pub struct UsbTransport<H, D> {
    host: H,
    delay: D,
    subdriver: Subdriver,
    options: UsbOptions,
    hunnox_step: u8,
    armac_mode: Option<armac::Mode>,
}

impl<H: UsbHost, D: DelayNs> UsbTransport<H, D> {
    /// A transport of kind `subdriver` over `host`, with the options that apply to it (see
    /// [`table::Selection`] for the defaults a subdriver brings).
    pub fn new(subdriver: Subdriver, host: H, delay: D, options: UsbOptions) -> Self {
        Self {
            host,
            delay,
            subdriver,
            options,
            hunnox_step: 0,
            armac_mode: None,
        }
    }

    /// The subdriver in use.
    pub fn subdriver(&self) -> Subdriver {
        self.subdriver
    }

    /// The options in use.
    pub fn options(&self) -> UsbOptions {
        self.options
    }

    /// The host, e.g. to re-open it after an unplug.
    pub fn host_mut(&mut self) -> &mut H {
        &mut self.host
    }

    /// Gives back the host and the delay.
    pub fn into_parts(self) -> (H, D) {
        (self.host, self.delay)
    }

    /// Call after the device was re-opened: hunnox runs its wake-up preamble again (NUT never
    /// does, §10 quirk 4) and armac checks its endpoints again.
    pub fn reconnected(&mut self) {
        self.hunnox_step = 0;
        self.armac_mode = None;
    }

    /// The one-time start-up step (§2.5): the langid scan when `langid_fix` is set and
    /// `noscanlangid` is not. Returns the device's first LANGID when it was read; as in NUT the
    /// scan's failure does not matter, unless the device is gone.
    pub async fn start(&mut self) -> Result<Option<u16>, TransportError> {
        if self.options.langid_fix.is_none() || self.options.noscanlangid {
            return Ok(None);
        }
        match strings::scan_langid(&mut self.host).await {
            Ok(langid) => Ok(langid),
            Err(UsbError::Disconnected) => Err(TransportError::Disconnected),
            Err(_) => Ok(None),
        }
    }

    /// Stall recovery (§2.6): CLEAR_FEATURE(ENDPOINT_HALT) on 0x81.
    pub async fn clear_halt(&mut self) -> Result<(), TransportError> {
        clear_halt(&mut self.host, EP_IN).await
    }
}

impl<H: UsbHost, D: DelayNs> Transport for UsbTransport<H, D> {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        let host = &mut self.host;
        let delay = &mut self.delay;
        let o = self.options;
        match self.subdriver {
            Subdriver::Cypress => cypress::transact(host, command, reply).await,
            Subdriver::Phoenix => phoenix::transact(host, command, reply).await,
            Subdriver::Ippon => ippon::transact(host, command, reply).await,
            Subdriver::Omron => omron::transact(host, command, reply).await,
            Subdriver::Sgs => sgs::transact(host, command, reply).await,
            Subdriver::Gtec => gtec::transact(host, command, reply).await,
            Subdriver::Phoenixtec => phoenixtec::transact(host, command, reply).await,
            Subdriver::Fuji => fuji::transact(host, command, reply).await,
            Subdriver::Armac => {
                armac::transact(host, delay, &mut self.armac_mode, command, reply).await
            }
            Subdriver::Ablerex => ablerex::transact(host, delay, command, reply).await,
            Subdriver::Krauler => krauler::transact(host, o, command, reply).await,
            Subdriver::Fabula => fabula::transact(host, command, reply).await,
            Subdriver::Hunnox => {
                hunnox::transact(host, delay, o, &mut self.hunnox_step, command, reply).await
            }
            Subdriver::Snr => snr::transact(host, o, command, reply).await,
        }
    }
}

/// CLEAR_FEATURE(ENDPOINT_HALT) on `endpoint`: `02 01 00 00 <ep> 00 00 00`.
pub async fn clear_halt<H: UsbHost>(host: &mut H, endpoint: u8) -> Result<(), TransportError> {
    host.control_out(Setup::clear_halt(endpoint), &[], 1000)
        .await?;
    Ok(())
}

/// The echo convention (§1 point 5): a command the transport cannot carry is copied into the
/// reply untouched, which the dialect layer reads as "unsupported".
pub fn echo(command: &[u8], reply: &mut [u8]) -> usize {
    let n = command.len().min(reply.len());
    for (r, c) in reply.iter_mut().zip(command.iter()).take(n) {
        *r = *c;
    }
    n
}

/// The result of a write: a transfer that moved nothing is a timeout (NUT logs it as one).
pub fn wrote(result: Result<usize, UsbError>) -> Result<usize, TransportError> {
    match result {
        Ok(0) => Err(TransportError::Timeout),
        Ok(n) => Ok(n),
        Err(e) => Err(e.into()),
    }
}

/// The result of the first reply read: silence (a timeout before any byte) means the device
/// had nothing to say, which is `Ok(0)` ("accepted" for a command) as on the serial link; a
/// timeout after part of a reply, or any other error, fails. Fixes NUT's "looks failed" quirk
/// (§10 quirk 11).
pub fn silence(e: UsbError, received_so_far: usize) -> Result<usize, TransportError> {
    match e {
        UsbError::Timeout if received_so_far == 0 => Ok(0),
        other => Err(other.into()),
    }
}

/// Appends a CR after `count` reply characters when there is none among them, the count is
/// not 0, and `count < buflen - 1` (krauler, fabula, sgs, ippon, omron). Returns the new count.
pub fn append_cr(reply: &mut [u8], count: usize, buflen: usize) -> usize {
    let has_cr = reply.get(..count).is_some_and(|t| t.contains(&CR));
    if count == 0 || has_cr || count >= buflen.saturating_sub(1) {
        return count;
    }
    match reply.get_mut(count) {
        Some(slot) => {
            *slot = CR;
            if let Some(nul) = reply.get_mut(count + 1) {
                *nul = 0;
            }
            count + 1
        }
        None => count,
    }
}

/// Index of the first CR in `bytes`.
pub fn find_cr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == CR)
}

/// Zeroes `buf`.
pub fn zero(buf: &mut [u8]) {
    buf.iter_mut().for_each(|b| *b = 0);
}

/// A Megatec shutdown command `S<d>[R<r>]<CR>` read as `sscanf` would: `d` a decimal (minutes),
/// `r` the integer after `R` when present. Used by fuji (§4.8) and the index formula (§5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shutdown {
    /// The delay in minutes, as written.
    pub delay: crate::number::Decimal,
    /// The restart delay after `R`, when there is one.
    pub restart: Option<i64>,
}

impl Shutdown {
    /// Parses `S<float>R<int>`, else `S<float>`; `None` when neither form matches.
    pub fn parse(command: &[u8]) -> Option<Self> {
        let rest = command.strip_prefix(b"S")?;
        let (delay, rest) = scan_number(rest, true)?;
        let restart = rest
            .strip_prefix(b"R")
            .and_then(|r| scan_number(r, false))
            .map(|(r, _)| r.trunc());
        Some(Self { delay, restart })
    }
}

/// `sscanf`'s `%f` (without exponents) or `%d`: white space, sign, at least one digit.
fn scan_number(text: &[u8], fraction: bool) -> Option<(crate::number::Decimal, &[u8])> {
    let start = text
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .unwrap_or(text.len());
    let body = text.get(start..)?;
    let sign = usize::from(matches!(body.first(), Some(b'+' | b'-')));
    let mut end = sign;
    let mut digits = 0usize;
    let mut dot = false;
    for &b in body.get(sign..)? {
        match b {
            b'0'..=b'9' => digits += 1,
            b'.' if fraction && !dot => dot = true,
            _ => break,
        }
        end += 1;
    }
    if digits == 0 {
        return None;
    }
    let (number, rest) = body.split_at_checked(end)?;
    let value = crate::number::Decimal::parse_prefix(number).ok()?;
    Some((value, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_bytes_are_little_endian() {
        assert_eq!(
            Setup::get_string(3, 0x0409, 511).to_bytes(),
            [0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0xFF, 0x01]
        );
        assert_eq!(
            Setup::set_report(0x0200, 8).to_bytes(),
            [0x21, 0x09, 0x00, 0x02, 0x00, 0x00, 0x08, 0x00]
        );
        assert_eq!(
            Setup::clear_halt(0x81).to_bytes(),
            [0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00]
        );
    }

    #[test]
    fn subdriver_names_round_trip_case_insensitively() {
        for s in Subdriver::ALL {
            assert_eq!(Subdriver::from_name(s.name()), Some(s));
        }
        assert_eq!(Subdriver::from_name("HunNox"), Some(Subdriver::Hunnox));
        assert_eq!(Subdriver::from_name("libusb"), None);
    }

    #[test]
    fn langid_fix_without_0x_is_not_misread() {
        assert_eq!(parse_langid_fix("0x409"), Some(0x0409));
        assert_eq!(parse_langid_fix("0x0409"), Some(0x0409));
        assert_eq!(parse_langid_fix("0x4095"), Some(0x4095));
        // NUT skips two characters blindly and reads `409` as 0x9.
        assert_eq!(parse_langid_fix("409"), Some(0x0409));
        assert_eq!(parse_langid_fix("0x"), None);
        assert_eq!(parse_langid_fix("0x10000"), None);
        assert_eq!(parse_langid_fix("zz"), None);
    }

    #[test]
    fn shutdown_commands_parse_like_sscanf() {
        let s = Shutdown::parse(b"S03R0002\r").unwrap();
        assert_eq!(s.delay.trunc(), 3);
        assert_eq!(s.restart, Some(2));
        let s = Shutdown::parse(b"S.5R0000\r").unwrap();
        assert_eq!(s.delay, crate::number::Decimal::new(5, 1));
        assert_eq!(s.restart, Some(0));
        assert_eq!(Shutdown::parse(b"S03\r").unwrap().restart, None);
        assert_eq!(Shutdown::parse(b"S03R\r").unwrap().restart, None);
        assert_eq!(Shutdown::parse(b"SRC\r"), None);
        assert_eq!(Shutdown::parse(b"Q1\r"), None);
    }

    #[test]
    fn every_transfer_error_maps_to_a_transport_error() {
        for e in UsbError::ALL {
            let t: TransportError = e.into();
            assert!(!std::format!("{t}").is_empty());
            assert!(!std::format!("{e}").is_empty());
        }
    }
}
