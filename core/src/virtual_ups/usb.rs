//! The virtual UPS at the USB-request level (usb-transports.md §4, §5): [`VirtualUsb`] is a
//! [`UsbHost`] that plays the hardware one [`Subdriver`] talks to, with a [`VirtualUps`]
//! behind it for the answers. Nothing is rendered here: each command the device receives goes
//! to [`VirtualUps::respond`], and only its framing is done at this level.
//!
//! How each kind of device takes a command and gives its answer:
//!
//! | Subdriver | Command in | Answer out |
//! |---|---|---|
//! | cypress, phoenix | SET_REPORT 0x0200, 8-byte chunks | 8-byte NUL-padded packets on 0x81 |
//! | ippon / omron | SET_REPORT 0x0002, 8- / 16-byte chunks | one 64-byte NUL-padded packet |
//! | gtec | SET_REPORT 0x0002, 8-byte chunks | 8-byte packets, read 128 bytes at a time |
//! | sgs | SET_REPORT 0x0200 `[n, 7 bytes]` | `[n, 7 bytes]` packets, then silence |
//! | phoenixtec | vendor write `42 0D` | packets of up to 64 bytes, the last one short |
//! | fuji | interrupt OUT 0x02 `80 06 <n+1> 03 <text> <len>` | as cypress; nothing when `len` is 0 |
//! | armac | SET_REPORT 0x0200 `[A0+n, ≤3 bytes]` or, with interrupt endpoints, OUT 0x02 | 6-byte `[0x80/0xC0 \| n, data, stale]` packets on 0x81, or short packets on 0x82 |
//! | ablerex | SET_REPORT 0x0305 `05 00 <t> <t bytes>` | GET_REPORT 0x0305, 47 bytes |
//! | krauler, fabula, hunnox, snr | GET_DESCRIPTOR(String, index) | the answer as a UTF-16LE string descriptor |
//!
//! The string-descriptor devices map each index back to its command (the transports' tables,
//! shutdown indexes decoded from their nibbles, §5.2), answer "UPS No Ack" when the UPS has
//! nothing to say (every action command, §5.4) and for indexes they do not know, and give the
//! language list `04 03 09 04` at index 0. A hunnox device answers "UPS No Ack" to data reads
//! until it has seen the wake-up reads (descriptor 0 twice, then 1, §5.6) since it was
//! plugged in, so a transport that does not start its preamble again after an unplug gets
//! nothing (NUT's quirk 4, fixed by [`crate::usb::UsbTransport::reconnected`]); an snr device
//! answers zeros until it has seen one interrupt IN read (§5.8). Every device also answers its
//! identification strings ([`UsbIdentity`]: the device table's VID/PID and strings for that
//! subdriver, e.g. a `MEC0003` with no manufacturer string for hunnox), and its device
//! descriptor ([`UsbIdentity::device_descriptor`]) for hosts that read it themselves.
//!
//! Faults (injected on the inner UPS with [`VirtualUps::inject`]) act on each command the
//! device receives — for the string-descriptor devices each read of a command's index, hunnox's
//! preamble reads included:
//!
//! * [`Fault::NoAnswer`]: the reply transfer times out (interrupt IN, GET_REPORT, or the
//!   descriptor read);
//! * [`Fault::Garbage`], [`Fault::Truncated`]: the UPS's faulty answer, framed normally;
//! * [`Fault::DescriptorLength`]: a string descriptor's length byte claims two bytes more than
//!   were sent (the stream devices answer normally);
//! * [`Fault::Stall`]: the next IN transfer (the descriptor read) stalls once;
//! * [`Fault::Disconnect`]: every transfer fails with [`UsbError::Disconnected`]; the device
//!   loses what it was doing and its wake-up state. [`VirtualUsb::unplug`] and
//!   [`VirtualUsb::replug`] do the same by hand.
//!
//! Timeouts are not waited for: the device answers at once or not at all.

use super::{Fault, Reply, VirtualUps};
use crate::transport::TransportError;
use crate::usb::strings::{self, FABULA, HUNNOX, KRAULER, Mapping, SNR};
use crate::usb::{CR, EP_IN, EP_OUT, Setup, Subdriver, UsbError, UsbHost, device, table};

use super::render::Personality;

/// What a device says about itself: its IDs and identification strings (index 0 = absent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct UsbIdentity {
    /// Vendor ID.
    pub vid: u16,
    /// Product ID.
    pub pid: u16,
    /// iManufacturer and its text.
    pub manufacturer: Option<(u8, &'static str)>,
    /// iProduct and its text.
    pub product: Option<(u8, &'static str)>,
}

impl UsbIdentity {
    /// A device the table gives `subdriver` (gtec and snr are never chosen by the table:
    /// theirs needs `subdriver=`).
    pub const fn for_subdriver(subdriver: Subdriver) -> Self {
        let (vid, pid, manufacturer, product) = match subdriver {
            Subdriver::Cypress => (0x0665, 0x5161, None, None),
            Subdriver::Phoenixtec => (
                0x06DA,
                0x0002,
                Some((1, "Phoenixtec Power")),
                Some((2, "USB Cable (V2.00)")),
            ),
            Subdriver::Phoenix => (0x06DA, 0x0601, None, None),
            Subdriver::Ippon => (0x06DA, 0x0003, None, None),
            Subdriver::Omron => (0x0590, 0x00B7, None, None),
            Subdriver::Krauler => (0x0001, 0x0000, None, None),
            Subdriver::Fabula => (0x0001, 0x0000, Some((1, "MEC")), Some((2, "MEC0003"))),
            // As captured: iProduct 1, no manufacturer string (TV-17).
            Subdriver::Hunnox | Subdriver::Snr => (0x0001, 0x0000, None, Some((1, "MEC0003"))),
            Subdriver::Fuji => (
                0x0001,
                0x0000,
                Some((1, "ATCL FOR UPS")),
                Some((2, "ATCL FOR UPS")),
            ),
            Subdriver::Sgs => (0x0483, 0x0035, None, None),
            Subdriver::Ablerex => (0xFFFF, 0x0000, None, None),
            Subdriver::Armac => (0x0925, 0x1234, None, None),
            Subdriver::Gtec => (0x0F03, 0x0002, None, None),
        };
        Self {
            vid,
            pid,
            manufacturer,
            product,
        }
    }

    /// The device descriptor: these IDs and string indexes, EP0 of 8 bytes (a low-speed
    /// device).
    pub fn device_descriptor(&self) -> device::DeviceDescriptor {
        device::DeviceDescriptor {
            max_packet_size0: 8,
            vid: self.vid,
            pid: self.pid,
            bcd_device: 0x0100,
            manufacturer: self.manufacturer.map_or(0, |(i, _)| i),
            product: self.product.map_or(0, |(i, _)| i),
            serial: 0,
        }
    }

    /// The identification as the device table reads it.
    pub fn device_ids(&self) -> table::DeviceIds<'static> {
        table::DeviceIds {
            vid: self.vid,
            pid: self.pid,
            vendor: self.manufacturer.map(|(_, s)| s),
            product: self.product.map(|(_, s)| s),
        }
    }
}

/// The personality a device behind `subdriver` usually has.
pub fn default_personality(subdriver: Subdriver) -> Personality {
    match subdriver {
        Subdriver::Hunnox => Personality::Hunnox,
        Subdriver::Gtec => Personality::Gtec,
        Subdriver::Ablerex => Personality::Ablerex,
        Subdriver::Omron => Personality::Omron,
        _ => Personality::Megatec,
    }
}

/// A configuration descriptor: one interface, IN 0x81 (8 bytes) — armac's control mode.
const CONFIG_CONTROL: [u8; 34] = [
    9, 2, 34, 0, 1, 1, 0, 0x80, 50, // configuration
    9, 4, 0, 0, 1, 3, 0, 0, 0, // interface: 1 endpoint
    9, 0x21, 0x10, 1, 0, 1, 0x22, 27, 0, // HID
    7, 5, 0x81, 3, 8, 0, 10, // IN 0x81 interrupt, 8
];

/// One interface with IN 0x82 (64 bytes) and OUT 0x02 — armac's interrupt mode.
const CONFIG_INTERRUPT: [u8; 41] = [
    9, 2, 41, 0, 1, 1, 0, 0x80, 50, // configuration
    9, 4, 0, 0, 2, 3, 0, 0, 0, // interface: 2 endpoints
    9, 0x21, 0x10, 1, 0, 1, 0x22, 30, 0, // HID
    7, 5, 0x82, 3, 64, 0, 10, // IN 0x82 interrupt, 64
    7, 5, 0x02, 3, 8, 0, 10, // OUT 0x02 interrupt
];

/// Longest command the device takes; longer ones are dropped.
const MAX_COMMAND: usize = 64;
/// Largest interrupt packet.
const MAX_PACKET: usize = 64;
/// Ablerex's report size.
const ABLEREX_REPORT: usize = 47;
/// Most characters in one string descriptor (bLength is one byte).
const MAX_STRING_CHARS: usize = 126;

/// The hardware behind one subdriver, answering from a [`VirtualUps`].
#[derive(Clone, Debug)]
pub struct VirtualUsb {
    ups: VirtualUps,
    subdriver: Subdriver,
    identity: UsbIdentity,
    armac_interrupt: bool,
    /// The command being received.
    command: heapless::Vec<u8, MAX_COMMAND>,
    /// The answer being sent, and how much of it has gone.
    answer: Reply,
    sent: usize,
    /// Packets sent for this answer (armac varies its counts and control bytes).
    packets: u8,
    /// The next IN transfer stalls.
    stall: bool,
    /// The next reply transfer times out.
    no_answer: bool,
    /// Wake-up progress (hunnox: reads of descriptor 0; snr: unused).
    wake: u8,
    /// hunnox/snr: the device has been woken since it was plugged in.
    awake: bool,
}

impl VirtualUsb {
    /// The device behind `subdriver`, answering as `ups`.
    pub fn new(subdriver: Subdriver, ups: VirtualUps) -> Self {
        Self {
            ups,
            subdriver,
            identity: UsbIdentity::for_subdriver(subdriver),
            armac_interrupt: false,
            command: heapless::Vec::new(),
            answer: Reply::new(),
            sent: 0,
            packets: 0,
            stall: false,
            no_answer: false,
            wake: 0,
            awake: false,
        }
    }

    /// The device behind `subdriver` with its usual personality ([`default_personality`]).
    pub fn for_subdriver(subdriver: Subdriver) -> Self {
        Self::new(subdriver, VirtualUps::new(default_personality(subdriver)))
    }

    /// The subdriver whose hardware this plays.
    pub fn subdriver(&self) -> Subdriver {
        self.subdriver
    }

    /// The UPS behind the USB interface.
    pub fn ups(&self) -> &VirtualUps {
        &self.ups
    }

    /// The UPS behind the USB interface, to change its state or inject faults.
    pub fn ups_mut(&mut self) -> &mut VirtualUps {
        &mut self.ups
    }

    /// Gives back the UPS.
    pub fn into_inner(self) -> VirtualUps {
        self.ups
    }

    /// The IDs and identification strings.
    pub fn identity(&self) -> UsbIdentity {
        self.identity
    }

    /// Replaces the IDs and identification strings.
    pub fn set_identity(&mut self, identity: UsbIdentity) {
        self.identity = identity;
    }

    /// armac only: offer the interrupt endpoints (IN 0x82, OUT 0x02) in the configuration
    /// descriptor, so the transport uses its interrupt mode.
    pub fn set_armac_interrupt(&mut self, on: bool) {
        self.armac_interrupt = on;
    }

    /// Pulls the plug: every transfer fails until [`Self::replug`].
    pub fn unplug(&mut self) {
        self.ups.inject(Fault::Disconnect, None);
        self.power_lost();
    }

    /// Plugs the device back in (it comes back asleep, as after any power loss).
    pub fn replug(&mut self) {
        self.ups.clear_fault();
        self.power_lost();
    }

    fn power_lost(&mut self) {
        self.command.clear();
        self.answer.clear();
        self.sent = 0;
        self.stall = false;
        self.no_answer = false;
        self.wake = 0;
        self.awake = false;
    }

    /// Counts an attempt while unplugged; true when the transfer must fail.
    fn gone(&mut self) -> bool {
        if self.ups.attempt_while_disconnected() {
            self.power_lost();
            return true;
        }
        false
    }

    fn string_device(&self) -> bool {
        matches!(
            self.subdriver,
            Subdriver::Krauler | Subdriver::Fabula | Subdriver::Hunnox | Subdriver::Snr
        )
    }

    fn armac_interrupt_mode(&self) -> bool {
        self.subdriver == Subdriver::Armac && self.armac_interrupt
    }

    fn config(&self) -> &'static [u8] {
        if self.armac_interrupt_mode() {
            &CONFIG_INTERRUPT
        } else {
            &CONFIG_CONTROL
        }
    }

    /// The fault the next [`VirtualUps::respond`] will apply.
    fn pending_fault(&self) -> Option<Fault> {
        match self.ups.fault_left {
            Some(0) => None,
            _ => self.ups.fault,
        }
    }

    /// Runs `command` through the UPS: `Ok(None)` when the fault says "no answer".
    fn run(&mut self, command: &[u8]) -> Result<Option<Reply>, UsbError> {
        let pending = self.pending_fault();
        match self.ups.respond(command) {
            Ok(_) if pending == Some(Fault::NoAnswer) => Ok(None),
            Ok(reply) => Ok(Some(reply)),
            Err(TransportError::Stall) => Err(UsbError::Stall),
            Err(_) => Err(UsbError::Disconnected),
        }
    }

    /// Takes command bytes up to a CR; NULs (padding) are skipped. Returns true when a
    /// command is complete (and answered); what follows its CR in the chunk is padding.
    fn feed(&mut self, bytes: &[u8]) -> bool {
        for &b in bytes {
            match b {
                0 => {}
                CR => {
                    let _ = self.command.push(CR);
                    let command = core::mem::take(&mut self.command);
                    self.accept(&command);
                    return true;
                }
                b => {
                    if self.command.push(b).is_err() {
                        self.command.clear();
                    }
                }
            }
        }
        false
    }

    /// A whole command arrived: the old answer is dropped and the new one queued.
    fn accept(&mut self, command: &[u8]) {
        self.answer.clear();
        self.sent = 0;
        self.packets = 0;
        self.stall = false;
        self.no_answer = false;
        match self.run(command) {
            Ok(Some(reply)) => self.answer = reply,
            Ok(None) => self.no_answer = true,
            // A disconnect fault has already failed the transfer in `gone`.
            Err(_) => self.stall = true,
        }
    }

    /// The next interrupt packet of the answer and how many answer bytes it carries.
    fn next_packet(&self) -> Option<(heapless::Vec<u8, MAX_PACKET>, usize)> {
        let rest = self.answer.get(self.sent..).filter(|r| !r.is_empty())?;
        let mut p = heapless::Vec::<u8, MAX_PACKET>::new();
        let take = |n: usize| rest.get(..n.min(rest.len())).unwrap_or(rest);
        let used = match self.subdriver {
            Subdriver::Ippon | Subdriver::Omron => {
                let data = take(MAX_PACKET);
                let _ = p.extend_from_slice(data);
                let _ = p.resize(MAX_PACKET, 0);
                data.len()
            }
            Subdriver::Sgs => {
                let data = take(7);
                let _ = p.push(data.len() as u8);
                let _ = p.extend_from_slice(data);
                let _ = p.resize(8, 0);
                data.len()
            }
            Subdriver::Phoenixtec => {
                let data = take(MAX_PACKET);
                let _ = p.extend_from_slice(data);
                data.len()
            }
            Subdriver::Armac if self.armac_interrupt => {
                let data = take(16);
                let _ = p.push(0x80 | data.len() as u8);
                let _ = p.extend_from_slice(data);
                data.len()
            }
            Subdriver::Armac => {
                // Counts 1, 3, 2 … in 6-byte packets; the bytes after the count are stale.
                let count = [1, 3, 2].get(usize::from(self.packets % 3)).copied();
                let data = take(count.unwrap_or(1));
                let control = if self.packets % 2 == 0 { 0x80 } else { 0xC0 };
                let _ = p.push(control | data.len() as u8);
                let _ = p.extend_from_slice(data);
                let _ = p.resize(6, b'0');
                data.len()
            }
            _ => {
                let data = take(8);
                let _ = p.extend_from_slice(data);
                let _ = p.resize(8, 0);
                data.len()
            }
        };
        Some((p, used))
    }

    /// The endpoint's maximum packet size: a shorter packet ends a transfer.
    fn max_packet(&self) -> usize {
        match self.subdriver {
            Subdriver::Ippon | Subdriver::Omron | Subdriver::Phoenixtec => MAX_PACKET,
            Subdriver::Armac if self.armac_interrupt => MAX_PACKET,
            _ => 8,
        }
    }

    /// The command a string index stands for on this device.
    fn command_for(&self, index: u8) -> Option<heapless::Vec<u8, 16>> {
        let table: &[Mapping] = match self.subdriver {
            Subdriver::Krauler => &KRAULER,
            Subdriver::Fabula => &FABULA,
            Subdriver::Hunnox => &HUNNOX,
            Subdriver::Snr => &SNR,
            _ => return None,
        };
        let mut out = heapless::Vec::new();
        if let Some(m) = table.iter().find(|m| m.index == index) {
            let _ = out.extend_from_slice(m.command);
            return Some(out);
        }
        if matches!(self.subdriver, Subdriver::Fabula | Subdriver::Hunnox) {
            return shutdown_command(index);
        }
        None
    }

    /// GET_DESCRIPTOR(String): identification, language list or a command's answer.
    fn string(&mut self, index: u8, length: u16, buf: &mut [u8]) -> Result<usize, UsbError> {
        let mut descriptor = [0u8; 2 + 2 * MAX_STRING_CHARS];
        self.track_wake(index);
        let n = if index == 0 {
            let list = [4, strings::STRING, 0x09, 0x04];
            copy(&list, &mut descriptor)
        } else if let Some(text) = self.identification(index) {
            encode(text.as_bytes(), false, &mut descriptor)
        } else if let Some(command) = self.command_for(index) {
            self.data(&command, &mut descriptor)?
        } else if self.string_device() {
            encode(strings::NO_ACK, false, &mut descriptor)
        } else {
            return Err(UsbError::Stall);
        };
        let sent = descriptor.get(..n).unwrap_or(&[]);
        let sent = sent.get(..usize::from(length)).unwrap_or(sent);
        Ok(copy(sent, buf))
    }

    fn identification(&self, index: u8) -> Option<&'static str> {
        [self.identity.manufacturer, self.identity.product]
            .into_iter()
            .flatten()
            .find(|(i, _)| *i == index)
            .map(|(_, s)| s)
    }

    /// hunnox wakes on descriptor 0 read twice, then descriptor 1.
    fn track_wake(&mut self, index: u8) {
        if self.subdriver != Subdriver::Hunnox {
            return;
        }
        self.wake = match (index, self.wake) {
            (0, w) => (w + 1).min(2),
            (1, 2) => {
                self.awake = true;
                0
            }
            _ => 0,
        };
    }

    /// A command's answer as a string descriptor in `out`; returns its size.
    fn data(&mut self, command: &[u8], out: &mut [u8]) -> Result<usize, UsbError> {
        let asleep = matches!(self.subdriver, Subdriver::Hunnox | Subdriver::Snr) && !self.awake;
        if asleep && self.subdriver == Subdriver::Hunnox {
            return Ok(encode(strings::NO_ACK, false, out));
        }
        if asleep {
            // What an snr device gives before its wake-up read: zeros.
            let n = out.len().min(96);
            out.iter_mut().take(n).for_each(|b| *b = 0);
            return Ok(n);
        }
        if core::mem::take(&mut self.stall) {
            return Err(UsbError::Stall);
        }
        let reply = self.run(command)?.ok_or(UsbError::Timeout)?;
        let corrupt = self.ups.descriptor_length_fault();
        let text: &[u8] = if reply.is_empty() {
            strings::NO_ACK
        } else {
            &reply
        };
        Ok(encode(text, corrupt, out))
    }
}

/// The shutdown command a fabula/hunnox index stands for (§5.2): the high nibble is the delay
/// (1–5: 0.5–0.9 min, 6–15: 1–10 min), a low nibble of 8 means "return", 0 "stay off".
fn shutdown_command(index: u8) -> Option<heapless::Vec<u8, 16>> {
    let (high, low) = (index >> 4, index & 0x0F);
    if high == 0 || !matches!(low, 0 | 8) {
        return None;
    }
    let mut out = heapless::Vec::<u8, 16>::new();
    let _ = out.push(b'S');
    if high < 6 {
        let _ = out.extend_from_slice(&[b'.', b'4' + high]);
    } else {
        let minutes = high - 5;
        let _ = out.extend_from_slice(&[b'0' + minutes / 10, b'0' + minutes % 10]);
    }
    if low == 0 {
        let _ = out.extend_from_slice(b"R0000");
    }
    let _ = out.push(CR);
    Some(out)
}

/// `text` as a UTF-16LE string descriptor (at most [`MAX_STRING_CHARS`] characters); with
/// `corrupt` the length byte claims two bytes more than the descriptor has.
fn encode(text: &[u8], corrupt: bool, out: &mut [u8]) -> usize {
    let chars = text.len().min(MAX_STRING_CHARS);
    let size = 2 + 2 * chars;
    let b_length = if corrupt { size + 2 } else { size };
    let mut units = out.chunks_exact_mut(2);
    if let Some(head) = units.next() {
        head.copy_from_slice(&[u8::try_from(b_length).unwrap_or(u8::MAX), strings::STRING]);
    }
    for (unit, &b) in units.zip(text.iter().take(chars)) {
        unit.copy_from_slice(&[b, 0]);
    }
    size.min(out.len())
}

/// Copies what fits; returns how much.
fn copy(from: &[u8], to: &mut [u8]) -> usize {
    let n = from.len().min(to.len());
    for (t, f) in to.iter_mut().zip(from) {
        *t = *f;
    }
    n
}

impl UsbHost for VirtualUsb {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        if self.gone() {
            return Err(UsbError::Disconnected);
        }
        let [index, kind] = setup.value.to_le_bytes();
        match (setup.request_type, setup.request, kind) {
            (0x80, 0x06, 0x03) => self.string(index, setup.length, buf),
            (0x80, 0x06, device::TYPE) => {
                let descriptor = self.identity.device_descriptor().to_bytes();
                let sent = descriptor
                    .get(..usize::from(setup.length))
                    .unwrap_or(&descriptor);
                Ok(copy(sent, buf))
            }
            (0x80, 0x06, 0x02) => {
                let config = self.config();
                let sent = config.get(..usize::from(setup.length)).unwrap_or(config);
                Ok(copy(sent, buf))
            }
            (0xA1, 0x01, _)
                if self.subdriver == Subdriver::Ablerex
                    && setup.value == crate::usb::ablerex::REPORT =>
            {
                if core::mem::take(&mut self.stall) {
                    return Err(UsbError::Stall);
                }
                if core::mem::take(&mut self.no_answer) {
                    return Err(UsbError::Timeout);
                }
                let mut report = [0u8; ABLEREX_REPORT];
                copy(&self.answer, &mut report);
                let sent = report.get(..usize::from(setup.length)).unwrap_or(&report);
                Ok(copy(sent, buf))
            }
            _ => Err(UsbError::Stall),
        }
    }

    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        if self.gone() {
            return Err(UsbError::Disconnected);
        }
        let sd = self.subdriver;
        match (setup.request_type, setup.request, setup.value) {
            // CLEAR_FEATURE(ENDPOINT_HALT).
            (0x02, 0x01, 0) => {
                self.stall = false;
                Ok(0)
            }
            (0x42, 0x0D, 0) if sd == Subdriver::Phoenixtec => {
                self.command.clear();
                self.feed(data);
                Ok(data.len())
            }
            (0x21, 0x09, value) => {
                let ok = match sd {
                    Subdriver::Cypress | Subdriver::Phoenix => value == 0x0200 && data.len() == 8,
                    Subdriver::Ippon | Subdriver::Gtec => value == 0x0002 && data.len() == 8,
                    Subdriver::Omron => value == 0x0002 && data.len() == 16,
                    Subdriver::Sgs => value == 0x0200 && data.len() == 8,
                    Subdriver::Armac => value == 0x0200 && data.len() == 4,
                    Subdriver::Ablerex => {
                        value == crate::usb::ablerex::REPORT && data.len() == ABLEREX_REPORT
                    }
                    _ => false,
                };
                if !ok {
                    return Err(UsbError::Stall);
                }
                match (sd, data) {
                    (Subdriver::Sgs, [n, rest @ ..]) => {
                        let n = usize::from(*n).min(rest.len());
                        self.feed(rest.get(..n).unwrap_or(&[]));
                    }
                    (Subdriver::Armac, [control, rest @ ..]) => {
                        let n = usize::from(control.wrapping_sub(0xA0)).min(rest.len());
                        self.feed(rest.get(..n).unwrap_or(&[]));
                    }
                    (Subdriver::Ablerex, [_, _, t, rest @ ..]) => {
                        self.command.clear();
                        let n = usize::from(*t).min(rest.len());
                        self.feed(rest.get(..n).unwrap_or(&[]));
                    }
                    _ => {
                        self.feed(data);
                    }
                }
                Ok(data.len())
            }
            _ => Err(UsbError::Stall),
        }
    }

    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        if self.gone() {
            return Err(UsbError::Disconnected);
        }
        if self.string_device() || self.subdriver == Subdriver::Ablerex {
            // snr's wake-up read: nothing pending, but the device is awake now.
            if self.subdriver == Subdriver::Snr {
                self.awake = true;
            }
            return Err(UsbError::Timeout);
        }
        let wanted = if self.armac_interrupt_mode() {
            crate::usb::armac::EP_IN_INTERRUPT
        } else {
            EP_IN
        };
        if endpoint != wanted {
            return Err(UsbError::Io);
        }
        if core::mem::take(&mut self.stall) {
            return Err(UsbError::Stall);
        }
        let max = self.max_packet();
        let mut n = 0;
        while let Some((packet, used)) = self.next_packet() {
            let room = buf.len().saturating_sub(n);
            if packet.len() > room {
                if n == 0 {
                    // libusb: the packet is lost, the transfer overflows.
                    self.sent += used;
                    return Err(UsbError::Overflow);
                }
                break;
            }
            if let Some(slot) = buf.get_mut(n..n + packet.len()) {
                slot.copy_from_slice(&packet);
            }
            n += packet.len();
            self.sent += used;
            self.packets = self.packets.wrapping_add(1);
            if packet.len() < max || n == buf.len() {
                break;
            }
        }
        // Nothing to send: the read times out.
        if n == 0 {
            return Err(UsbError::Timeout);
        }
        Ok(n)
    }

    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        _timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        if self.gone() {
            return Err(UsbError::Disconnected);
        }
        if endpoint != EP_OUT {
            return Err(UsbError::Io);
        }
        match (self.subdriver, data) {
            (Subdriver::Fuji, [0x80, 0x06, n, 0x03, rest @ ..]) if data.len() == 8 => {
                let expected = rest.last().copied().unwrap_or(0);
                let text = usize::from(n.saturating_sub(1)).min(3);
                self.command.clear();
                let _ = self
                    .command
                    .extend_from_slice(rest.get(..text).unwrap_or(&[]));
                self.feed(&[CR]);
                // The device only speaks when told how long its answer is.
                if expected == 0 {
                    self.answer.clear();
                }
                Ok(data.len())
            }
            (Subdriver::Armac, [control, rest @ ..]) if self.armac_interrupt => {
                self.command.clear();
                let n = usize::from(control.wrapping_sub(0xA0)).min(rest.len());
                self.feed(rest.get(..n).unwrap_or(&[]));
                Ok(data.len())
            }
            _ => Err(UsbError::Io),
        }
    }

    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        // Like libusb: from the cached descriptors, nothing on the wire.
        Ok(copy(self.config(), buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_indexes_round_trip() {
        for high in 1..=15u8 {
            for low in [0u8, 8] {
                let index = high << 4 | low;
                let command = shutdown_command(index).unwrap();
                assert_eq!(strings::shutdown_index(&command), Some(index), "{index:#x}");
            }
        }
        assert_eq!(shutdown_command(0x03), None);
        assert_eq!(shutdown_command(0x14), None);
        assert_eq!(&shutdown_command(0x88).unwrap()[..], b"S03\r");
        assert_eq!(&shutdown_command(0x10).unwrap()[..], b"S.5R0000\r");
        assert_eq!(&shutdown_command(0xF0).unwrap()[..], b"S10R0000\r");
    }

    #[test]
    fn the_device_descriptor_carries_the_identity() {
        let mut usb = VirtualUsb::for_subdriver(Subdriver::Fabula);
        let d = crate::testkit::block_on(device::read(&mut usb)).unwrap();
        assert_eq!((d.vid, d.pid), (0x0001, 0x0000));
        assert_eq!((d.manufacturer, d.product, d.serial), (1, 2, 0));
        assert_eq!(d.max_packet_size0, 8);
        usb.unplug();
        assert_eq!(
            crate::testkit::block_on(device::read(&mut usb)),
            Err(UsbError::Disconnected)
        );
    }

    #[test]
    fn descriptors_are_utf16le_with_their_length() {
        let mut out = [0u8; 64];
        let n = encode(b"BL100\r", false, &mut out);
        assert_eq!(
            &out[..n],
            &[
                0x0E, 0x03, b'B', 0, b'L', 0, b'1', 0, b'0', 0, b'0', 0, 0x0D, 0
            ]
        );
        let n = encode(b"BL100\r", true, &mut out);
        assert_eq!((n, out[0]), (14, 16));
        let mut small = [0u8; 5];
        assert_eq!(encode(b"BL100\r", false, &mut small), 5);
    }
}
