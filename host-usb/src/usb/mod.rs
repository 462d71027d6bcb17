//! The Linux USB adapter: libusb (through rusb, built from source) behind the core's async
//! [`UsbHost`], so every [`qxups::usb::UsbTransport`] subdriver runs over a real device.
//!
//! * [`list`] enumerates the bus and runs every device through the user's filters and the
//!   core's device table ([`qxups::usb::table`], spec §6.1): IDs, strings read, the subdriver
//!   chosen and why ([`Listing`]).
//! * [`open`] finds the first device that passes the matcher chain ([`Criteria`], spec §2.1
//!   and §8), claims its interface (kernel HID driver detached, 4 attempts) and returns a
//!   [`UsbDevice`]; [`UsbDevice::reopen`] finds the same device again after an unplug (same
//!   VID, PID, Vendor, Product and Serial, wherever it sits now).
//! * [`UsbLink`] is the transport the driver uses: a [`qxups::usb::UsbTransport`] over a
//!   [`UsbDevice`] plus the error handling of spec §2.6 (clear halt on a stall, reconnect on
//!   a vanished device or I/O error, port reset after the third overflow in a row, busy is
//!   fatal) and the re-open before the next command.
//!
//! Transfers block (libusb's synchronous API) behind the async trait; delays sleep the thread
//! ([`StdDelay`]). String descriptors are read with raw control transfers and the raw LANGID
//! (rusb's string helpers refuse the malformed descriptors these devices send); the
//! configuration descriptor comes from libusb's cache, written back in wire order.
//!
//! Fixed against NUT: the table choice is made per device, so a claim refused with BUSY under
//! `allow_duplicates` never lets the next device through without a table check (§6.1 quirk);
//! only devices whose VID:PID could be chosen get string requests while opening.
//!
//! **Verified without hardware** (tests here and in `tests/usb.rs`): the error mapping, the
//! filters and the matcher chain, the reconnect rule, enumeration on a host with or without a
//! USB bus, the typed "not found" of an absent device, the configuration-descriptor layout
//! helpers. Everything that moves bytes through the subdrivers is tested in core against a
//! mock host and the virtual UPS. **Needs hardware**: real control/interrupt transfers through
//! libusb (wLength handling, short reads, timeouts of 0 ms avoided), kernel-driver detach and
//! claim retries, the raw-LANGID string reads of a real MEC0003 unit, the rebuilt
//! configuration descriptor against a real armac bridge, clear-halt/port-reset recovery and
//! re-open after an actual unplug.

mod config;
pub mod error;
pub mod matching;

use std::fmt;
use std::time::Duration;

use qxups::TransportError;
use qxups::transport::Transport;
use qxups::usb::table::Selection;
use qxups::usb::{EP_IN, Setup, UsbError, UsbHost, UsbTransport, strings};
use rusb::{Context, Device, DeviceDescriptor, DeviceHandle, UsbContext};

pub use error::map_error;
pub use matching::{Criteria, Filter, Identity, Reason, choose};

use crate::runtime::{StdDelay, block_on};

/// Attempts at claiming the interface (§2.1).
pub const CLAIM_ATTEMPTS: usize = 4;
/// Consecutive OVERFLOW errors that trigger a port reset and reconnect (§2.6).
pub const OVERFLOW_RESET: u8 = 3;

/// libusb reads a timeout of 0 as "forever": the shortest wait it allows is 1 ms.
fn timeout(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms.max(1)))
}

/// Raw transfers on an open handle: the one implementation of [`UsbHost`] over libusb, used
/// for the identification reads before the claim and by [`UsbDevice`] after it.
struct Raw<'a>(&'a DeviceHandle<Context>);

impl UsbHost for Raw<'_> {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        let wanted = usize::from(setup.length);
        let read = |into: &mut [u8]| {
            self.0
                .read_control(
                    setup.request_type,
                    setup.request,
                    setup.value,
                    setup.index,
                    into,
                    timeout(timeout_ms),
                )
                .map_err(map_error)
        };
        // wLength is the buffer length in libusb: ask for exactly `setup.length`.
        match buf.get_mut(..wanted) {
            Some(head) => read(head),
            None => {
                let mut whole = vec![0u8; wanted];
                let n = read(&mut whole)?;
                let kept = n.min(buf.len());
                for (b, w) in buf.iter_mut().zip(whole.iter()).take(kept) {
                    *b = *w;
                }
                Ok(kept)
            }
        }
    }

    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        let [endpoint, _] = setup.index.to_le_bytes();
        if setup == Setup::clear_halt(endpoint) {
            // libusb's own call also resets the host's data toggle for the endpoint.
            self.0.clear_halt(endpoint).map_err(map_error)?;
            return Ok(0);
        }
        let data = data.get(..usize::from(setup.length)).unwrap_or(data);
        self.0
            .write_control(
                setup.request_type,
                setup.request,
                setup.value,
                setup.index,
                data,
                timeout(timeout_ms),
            )
            .map_err(map_error)
    }

    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        // A timeout is an error even after part of the data arrived (§2.2), as rusb reports it.
        self.0
            .read_interrupt(endpoint, buf, timeout(timeout_ms))
            .map_err(map_error)
    }

    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.0
            .write_interrupt(endpoint, data, timeout(timeout_ms))
            .map_err(map_error)
    }

    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        // From libusb's cache (nothing on the wire), configuration index 0 as in NUT.
        let config = self.0.device().config_descriptor(0).map_err(map_error)?;
        let bytes = config::to_bytes(&config);
        let n = bytes.len().min(buf.len());
        for (b, c) in buf.iter_mut().zip(bytes.iter()).take(n) {
            *b = *c;
        }
        Ok(n)
    }
}

/// Why no device could be opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// libusb could not start: this host has no usable USB subsystem (no usbfs), so no device
    /// can be found either.
    NoUsb(UsbError),
    /// The device list could not be read.
    Enumerate(UsbError),
    /// The options contradict each other (`subdriver=` without `vendorid`/`productid`).
    Criteria(&'static str),
    /// No device passed the matcher chain.
    NotFound,
    /// No device was opened, and a device whose IDs could have matched could not be opened
    /// (typically `Access`: a udev rule is missing).
    Unopenable {
        /// Its VID.
        vid: u16,
        /// Its PID.
        pid: u16,
        /// Why it could not be opened.
        error: UsbError,
    },
    /// The chosen device's interface could not be claimed in [`CLAIM_ATTEMPTS`] attempts.
    Claim(UsbError),
}

impl OpenError {
    /// True when the wanted device is simply not there (including a host without USB).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound | Self::NoUsb(_))
    }
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoUsb(e) => write!(f, "no USB subsystem available: {e}"),
            Self::Enumerate(e) => write!(f, "cannot list USB devices: {e}"),
            Self::Criteria(why) => f.write_str(why),
            Self::NotFound => f.write_str("no matching USB device found"),
            Self::Unopenable { vid, pid, error } => {
                write!(f, "cannot open USB device {vid:04x}:{pid:04x}: {error}")
            }
            Self::Claim(e) => write!(f, "cannot claim the USB interface: {e}"),
        }
    }
}

impl std::error::Error for OpenError {}

impl From<OpenError> for TransportError {
    fn from(e: OpenError) -> Self {
        match e {
            OpenError::Claim(u) | OpenError::Unopenable { error: u, .. } => u.into(),
            OpenError::Criteria(_) => Self::Unsupported,
            OpenError::NoUsb(_) | OpenError::Enumerate(_) | OpenError::NotFound => {
                Self::Disconnected
            }
        }
    }
}

/// Where a device sits and its descriptor IDs; the strings are read separately.
fn locate(device: &Device<Context>, descriptor: &DeviceDescriptor, index: usize) -> Identity {
    let version = descriptor.device_version();
    let bcd = (u16::from(version.major()) << 8)
        | (u16::from(version.minor()) << 4)
        | u16::from(version.sub_minor());
    let address = match device.address() {
        // §2.1: an unavailable address is replaced by the enumeration index.
        0 => u8::try_from(index).unwrap_or(u8::MAX),
        a => a,
    };
    Identity {
        bus: device.bus_number(),
        address,
        port: device.port_number(),
        vid: descriptor.vendor_id(),
        pid: descriptor.product_id(),
        bcd_device: bcd,
        ..Identity::default()
    }
}

/// One identification string (§2.3.3), `None` when absent. The bytes are what NUT keeps (a
/// C string, so it ends at the first NUL), read as Latin-1 so none is lost.
fn read_string(handle: &DeviceHandle<Context>, index: Option<u8>) -> Option<String> {
    let index = index?;
    let mut out = [0u8; 256];
    let n = block_on(strings::read_identification(
        &mut Raw(handle),
        &mut StdDelay,
        index,
        &mut out,
    ))
    .ok()?;
    let text: String = out
        .get(..n)?
        .iter()
        .take_while(|&&b| b != 0)
        .map(|&b| char::from(b))
        .collect();
    (!text.is_empty()).then_some(text)
}

fn read_strings(
    handle: &DeviceHandle<Context>,
    descriptor: &DeviceDescriptor,
    identity: &mut Identity,
) {
    identity.vendor = read_string(handle, descriptor.manufacturer_string_index());
    identity.product = read_string(handle, descriptor.product_string_index());
    identity.serial = read_string(handle, descriptor.serial_number_string_index());
}

/// One device on the bus as the matcher chain saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    /// Where it sits, its IDs and the strings read.
    pub identity: Identity,
    /// Why it could not be opened for the string reads (its strings are then absent).
    pub open_error: Option<UsbError>,
    /// The transport and options it would run with, when accepted.
    pub selection: Option<Selection>,
    /// Why it was or was not accepted.
    pub reason: Reason,
}

impl fmt::Display for Listing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.identity)?;
        match self.selection {
            Some(s) => write!(f, "{} ({})", s.subdriver, self.reason)?,
            None => write!(f, "not used ({})", self.reason)?,
        }
        if let Some(e) = self.open_error {
            write!(f, "; cannot open: {e}")?;
        }
        Ok(())
    }
}

fn context() -> Result<Context, OpenError> {
    Context::new().map_err(|e| OpenError::NoUsb(map_error(e)))
}

/// Every USB device, run through `criteria`'s filters and the device table, with the strings
/// read from each one that could be opened. A host without a USB subsystem gives
/// [`OpenError::NoUsb`].
pub fn list(criteria: &Criteria) -> Result<Vec<Listing>, OpenError> {
    let context = context()?;
    let devices = context
        .devices()
        .map_err(|e| OpenError::Enumerate(map_error(e)))?;
    let mut out = Vec::new();
    for (index, device) in devices.iter().enumerate() {
        let Ok(descriptor) = device.device_descriptor() else {
            continue;
        };
        let mut identity = locate(&device, &descriptor, index);
        let open_error = match device.open() {
            Ok(handle) => {
                read_strings(&handle, &descriptor, &mut identity);
                None
            }
            Err(e) => Some(map_error(e)),
        };
        let (selection, reason) = choose(&identity, criteria, None);
        out.push(Listing {
            identity,
            open_error,
            selection,
            reason,
        });
    }
    Ok(out)
}

/// §2.1 step 5: automatic kernel-driver detach when a driver is bound, then up to
/// [`CLAIM_ATTEMPTS`] claims, detaching explicitly after each failure.
fn claim(handle: &DeviceHandle<Context>, interface: u8) -> Result<(), UsbError> {
    if handle.kernel_driver_active(interface).unwrap_or(false) {
        // Not supported everywhere; the explicit detach below is the fallback.
        let _ = handle.set_auto_detach_kernel_driver(true);
    }
    let mut last = UsbError::Io;
    for _ in 0..CLAIM_ATTEMPTS {
        match handle.claim_interface(interface) {
            Ok(()) => return Ok(()),
            Err(e) => {
                last = map_error(e);
                let _ = handle.detach_kernel_driver(interface);
            }
        }
    }
    Err(last)
}

/// A device found and claimed.
struct Found {
    handle: DeviceHandle<Context>,
    identity: Identity,
    selection: Selection,
}

/// The first device that passes the matcher chain (with `previous`: the same device again),
/// claimed.
fn find(
    context: &Context,
    criteria: &Criteria,
    previous: Option<&Identity>,
) -> Result<Found, OpenError> {
    let devices = context
        .devices()
        .map_err(|e| OpenError::Enumerate(map_error(e)))?;
    let mut unopenable = None;
    for (index, device) in devices.iter().enumerate() {
        let Ok(descriptor) = device.device_descriptor() else {
            continue;
        };
        let (vid, pid) = (descriptor.vendor_id(), descriptor.product_id());
        let same_ids = previous.is_none_or(|p| p.vid == vid && p.pid == pid);
        if !same_ids || !criteria.may_match_ids(vid, pid) {
            continue;
        }
        let handle = match device.open() {
            Ok(h) => h,
            Err(e) => {
                unopenable.get_or_insert(OpenError::Unopenable {
                    vid,
                    pid,
                    error: map_error(e),
                });
                continue;
            }
        };
        let mut identity = locate(&device, &descriptor, index);
        read_strings(&handle, &descriptor, &mut identity);
        let (Some(selection), _) = choose(&identity, criteria, previous) else {
            continue;
        };
        match claim(&handle, criteria.interface) {
            Ok(()) => {
                return Ok(Found {
                    handle,
                    identity,
                    selection,
                });
            }
            Err(UsbError::Busy) if criteria.allow_duplicates => {}
            Err(e) => return Err(OpenError::Claim(e)),
        }
    }
    Err(unopenable.unwrap_or(OpenError::NotFound))
}

/// Opens the first device that passes `criteria` (§2.1) and claims its interface.
pub fn open(criteria: &Criteria) -> Result<UsbDevice, OpenError> {
    criteria.check().map_err(OpenError::Criteria)?;
    let context = context()?;
    let found = find(&context, criteria, None)?;
    Ok(UsbDevice {
        context,
        handle: Some(found.handle),
        identity: found.identity,
        selection: found.selection,
        criteria: criteria.clone(),
        overflows: 0,
    })
}

/// What the error handling of §2.6 did after a failed command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recovery {
    /// Nothing (a timeout, a framing error, or a first or second overflow).
    Nothing,
    /// The stalled endpoint 0x81 was cleared; the device stays open.
    HaltCleared,
    /// The device was closed (after a port reset where §2.6 says so); the next command
    /// re-opens it.
    Reconnect,
    /// Another driver took the device: the driver must stop.
    Fatal,
}

/// The first step §2.6 prescribes for an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    Nothing,
    Fatal,
    /// Clear the halt on 0x81; if that fails, reset the port and reconnect.
    ClearHalt,
    Reconnect,
    ResetAndReconnect,
}

/// §2.6 as a table: the action for `error` after `overflows` consecutive overflows, and the
/// new count. Only a success resets the count ([`UsbDevice::succeeded`]). The transports' own
/// framing errors (`Protocol`) do not reconnect (§10 quirk 14).
fn plan(error: TransportError, overflows: u8) -> (Action, u8) {
    match error {
        TransportError::Busy => (Action::Fatal, overflows),
        TransportError::Stall => (Action::ClearHalt, overflows),
        TransportError::Disconnected | TransportError::Access | TransportError::Io => {
            (Action::Reconnect, overflows)
        }
        TransportError::Overflow => match overflows.saturating_add(1) {
            n if n >= OVERFLOW_RESET => (Action::ResetAndReconnect, 0),
            n => (Action::Nothing, n),
        },
        _ => (Action::Nothing, overflows),
    }
}

/// An open, claimed device: the [`UsbHost`] the subdrivers run over. After
/// [`UsbDevice::close`] (or a recovery that closed it) every transfer fails with
/// `Disconnected` until [`UsbDevice::reopen`] succeeds.
#[derive(Debug)]
pub struct UsbDevice {
    context: Context,
    handle: Option<DeviceHandle<Context>>,
    identity: Identity,
    selection: Selection,
    criteria: Criteria,
    overflows: u8,
}

impl UsbDevice {
    /// What identifies the device (as read when it was first opened).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The transport and options chosen for it.
    pub fn selection(&self) -> Selection {
        self.selection
    }

    /// True while the device is open.
    pub fn is_open(&self) -> bool {
        self.handle.is_some()
    }

    /// Releases the interface (libusb re-attaches the kernel driver it detached) and closes
    /// the handle.
    pub fn close(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.release_interface(self.criteria.interface);
        }
    }

    /// Closes the device if open, then finds the same device again (§2.1 "Reconnect": same
    /// VID, PID, Vendor, Product and Serial, then the user's filters, then the table) and
    /// claims it. Where it sits may have changed.
    pub fn reopen(&mut self) -> Result<(), OpenError> {
        self.close();
        let found = find(&self.context, &self.criteria, Some(&self.identity))?;
        self.handle = Some(found.handle);
        // The bus position is the new one; the strings are the same by construction.
        self.identity = found.identity;
        Ok(())
    }

    /// A command went through: the consecutive-overflow count starts again.
    pub fn succeeded(&mut self) {
        self.overflows = 0;
    }

    /// The error handling of §2.6 after a command failed with `error`.
    pub fn recover(&mut self, error: TransportError) -> Recovery {
        let (action, overflows) = plan(error, self.overflows);
        self.overflows = overflows;
        match action {
            Action::Nothing => Recovery::Nothing,
            Action::Fatal => Recovery::Fatal,
            Action::ClearHalt => {
                // Endpoint 0x81 whatever the transport used, as NUT does.
                let cleared = self
                    .handle
                    .as_ref()
                    .is_some_and(|h| h.clear_halt(EP_IN).is_ok());
                if cleared {
                    Recovery::HaltCleared
                } else {
                    self.reset_and_close()
                }
            }
            Action::Reconnect => {
                self.close();
                Recovery::Reconnect
            }
            Action::ResetAndReconnect => self.reset_and_close(),
        }
    }

    fn reset_and_close(&mut self) -> Recovery {
        if let Some(handle) = self.handle.as_ref() {
            // The device re-enumerates; the handle is useless either way.
            let _ = handle.reset();
        }
        self.close();
        Recovery::Reconnect
    }

    fn raw(&self) -> Result<Raw<'_>, UsbError> {
        self.handle.as_ref().map(Raw).ok_or(UsbError::Disconnected)
    }
}

impl Drop for UsbDevice {
    fn drop(&mut self) {
        self.close();
    }
}

impl UsbHost for UsbDevice {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.raw()?.control_in(setup, buf, timeout_ms).await
    }

    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.raw()?.control_out(setup, data, timeout_ms).await
    }

    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.raw()?.interrupt_in(endpoint, buf, timeout_ms).await
    }

    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.raw()?.interrupt_out(endpoint, data, timeout_ms).await
    }

    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        self.raw()?.config_descriptor(buf).await
    }
}

/// The driver's USB link: the chosen subdriver over an open [`UsbDevice`], with the error
/// handling of §2.6 after each failed command and the re-open before the next one.
#[derive(Debug)]
pub struct UsbLink {
    transport: UsbTransport<UsbDevice, StdDelay>,
    last: Recovery,
}

impl UsbLink {
    /// A link over `device` with the subdriver and options chosen for it.
    pub fn new(device: UsbDevice) -> Self {
        let selection = device.selection();
        Self {
            transport: UsbTransport::new(selection.subdriver, device, StdDelay, selection.options),
            last: Recovery::Nothing,
        }
    }

    /// Opens the device `criteria` selects and runs the start-up langid scan (§2.1 step 3).
    pub fn connect(criteria: &Criteria) -> Result<Self, OpenError> {
        let mut link = Self::new(open(criteria)?);
        // Only a vanished device fails the scan, and the next command re-opens it anyway.
        let _ = block_on(link.transport.start());
        Ok(link)
    }

    /// The device.
    pub fn device(&mut self) -> &mut UsbDevice {
        self.transport.host_mut()
    }

    /// What the error handling did after the last command (nothing after a success).
    pub fn last_recovery(&self) -> Recovery {
        self.last
    }
}

impl Transport for UsbLink {
    async fn transact(
        &mut self,
        command: &[u8],
        reply: &mut [u8],
    ) -> Result<usize, TransportError> {
        if !self.transport.host_mut().is_open() {
            // §2.6: a failed re-open sends nothing.
            self.transport.host_mut().reopen()?;
            self.transport.reconnected();
        }
        let result = self.transport.transact(command, reply).await;
        self.last = match result {
            Ok(_) => {
                self.transport.host_mut().succeeded();
                Recovery::Nothing
            }
            Err(e) => self.transport.host_mut().recover(e),
        };
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_fatal_and_a_stall_clears_the_halt() {
        assert_eq!(plan(TransportError::Busy, 0), (Action::Fatal, 0));
        assert_eq!(plan(TransportError::Stall, 1), (Action::ClearHalt, 1));
    }

    #[test]
    fn a_vanished_device_access_or_io_error_reconnects() {
        for e in [
            TransportError::Disconnected,
            TransportError::Access,
            TransportError::Io,
        ] {
            assert_eq!(plan(e, 2), (Action::Reconnect, 2), "{e}");
        }
    }

    #[test]
    fn the_third_overflow_in_a_row_resets_the_port() {
        assert_eq!(plan(TransportError::Overflow, 0), (Action::Nothing, 1));
        assert_eq!(plan(TransportError::Overflow, 1), (Action::Nothing, 2));
        assert_eq!(
            plan(TransportError::Overflow, 2),
            (Action::ResetAndReconnect, 0)
        );
        // Only a success ends the run (`succeeded`); other errors leave the count alone.
        assert_eq!(plan(TransportError::Timeout, 2), (Action::Nothing, 2));
    }

    #[test]
    fn framing_errors_and_timeouts_do_nothing() {
        for e in [
            TransportError::Timeout,
            TransportError::Protocol,
            TransportError::Unsupported,
        ] {
            assert_eq!(plan(e, 1), (Action::Nothing, 1), "{e}");
        }
    }

    #[test]
    fn timeouts_never_mean_forever() {
        assert_eq!(timeout(0), Duration::from_millis(1));
        assert_eq!(timeout(1000), Duration::from_millis(1000));
    }

    #[test]
    fn open_errors_map_to_transport_errors() {
        assert_eq!(
            TransportError::from(OpenError::Claim(UsbError::Busy)),
            TransportError::Busy
        );
        let e = OpenError::Unopenable {
            vid: 0x0001,
            pid: 0,
            error: UsbError::Access,
        };
        assert!(e.to_string().contains("0001:0000"));
        assert!(!e.is_not_found());
        assert_eq!(TransportError::from(e), TransportError::Access);
        assert!(OpenError::NotFound.is_not_found());
        assert!(OpenError::NoUsb(UsbError::Io).is_not_found());
    }
}
