//! Test support for the USB transports: a mock host that records every transfer (as SETUP
//! bytes, endpoints, data and timeouts) and replays scripted responses, a delay that records
//! what it was asked to wait, and a tiny executor. Shared by `tests/usb_vectors.rs` and
//! `tests/usb_properties.rs` (included with `#[path]`); it names the crate's items through
//! `super::`, so its parent must import `DelayNs`, `Setup`, `UsbError` and `UsbHost`.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::vec::Vec;

use super::{DelayNs, Setup, UsbError, UsbHost};

/// One thing the transport did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A control IN: its SETUP packet and timeout.
    ControlIn { setup: [u8; 8], timeout: u32 },
    /// A control OUT: SETUP, data stage, timeout.
    ControlOut {
        setup: [u8; 8],
        data: Vec<u8>,
        timeout: u32,
    },
    /// An interrupt IN: endpoint, requested length, timeout.
    InterruptIn { ep: u8, len: usize, timeout: u32 },
    /// An interrupt OUT: endpoint, data, timeout.
    InterruptOut { ep: u8, data: Vec<u8>, timeout: u32 },
    /// A wait, in nanoseconds.
    Delay { ns: u64 },
}

/// What the device does with one IN transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Returns these bytes (cut to the request; an interrupt packet larger than the request
    /// is an overflow, as in libusb).
    Data(Vec<u8>),
    /// Fails the transfer.
    Fail(UsbError),
}

/// A device model: answers an IN transfer the queue has no answer for.
pub type Device = Box<dyn FnMut(&Event) -> Option<Reply>>;

/// The shared script and log.
#[derive(Default)]
pub struct Script {
    /// Every transfer and delay, in order.
    pub log: Vec<Event>,
    /// Responses to IN transfers (control and interrupt), in order; when empty, IN transfers
    /// time out.
    pub ins: VecDeque<Reply>,
    /// Results of OUT transfers, in order; when empty, OUT transfers send everything.
    pub outs: VecDeque<Result<usize, UsbError>>,
    /// The cached configuration descriptor (armac); `None` fails the read.
    pub config: Option<Vec<u8>>,
    /// Answers IN transfers once `ins` is empty; without it they time out.
    pub device: Option<Device>,
}

/// The mock host.
#[derive(Clone, Default)]
pub struct MockHost(pub Rc<RefCell<Script>>);

/// The mock delay, logging into the same script.
#[derive(Clone, Default)]
pub struct MockDelay(pub Rc<RefCell<Script>>);

/// A host and a delay sharing one log.
pub fn mock() -> (MockHost, MockDelay) {
    let host = MockHost::default();
    let delay = MockDelay(host.0.clone());
    (host, delay)
}

impl MockHost {
    /// Queues bytes for the next IN transfer.
    pub fn answer(&self, bytes: &[u8]) -> &Self {
        self.0
            .borrow_mut()
            .ins
            .push_back(Reply::Data(bytes.to_vec()));
        self
    }
    /// Queues a failure for the next IN transfer.
    pub fn fail(&self, e: UsbError) -> &Self {
        self.0.borrow_mut().ins.push_back(Reply::Fail(e));
        self
    }
    /// Queues the result of the next OUT transfer.
    pub fn out_result(&self, r: Result<usize, UsbError>) -> &Self {
        self.0.borrow_mut().outs.push_back(r);
        self
    }
    /// Sets the configuration descriptor.
    pub fn set_config(&self, bytes: &[u8]) {
        self.0.borrow_mut().config = Some(bytes.to_vec());
    }
    /// Installs a device model for IN transfers the queue does not answer.
    pub fn set_device(&self, device: impl FnMut(&Event) -> Option<Reply> + 'static) {
        self.0.borrow_mut().device = Some(Box::new(device));
    }
    /// The log so far.
    pub fn log(&self) -> Vec<Event> {
        self.0.borrow().log.clone()
    }
    /// The log so far, and clears it.
    pub fn take_log(&self) -> Vec<Event> {
        std::mem::take(&mut self.0.borrow_mut().log)
    }
    /// IN responses not consumed.
    pub fn unused(&self) -> usize {
        self.0.borrow().ins.len()
    }
    fn next_in(&self) -> Option<Reply> {
        let mut script = self.0.borrow_mut();
        if let Some(r) = script.ins.pop_front() {
            return Some(r);
        }
        let last = script.log.last().cloned()?;
        script.device.as_mut().and_then(|d| d(&last))
    }
    fn next_out(&self, len: usize) -> Result<usize, UsbError> {
        self.0.borrow_mut().outs.pop_front().unwrap_or(Ok(len))
    }
    fn push(&self, e: Event) {
        self.0.borrow_mut().log.push(e);
    }
}

impl UsbHost for MockHost {
    async fn control_in(
        &mut self,
        setup: Setup,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.push(Event::ControlIn {
            setup: setup.to_bytes(),
            timeout: timeout_ms,
        });
        match self.next_in() {
            None => Err(UsbError::Timeout),
            Some(Reply::Fail(e)) => Err(e),
            Some(Reply::Data(v)) => {
                // The device sends at most wLength; the host keeps what fits in `buf`.
                let n = v.len().min(usize::from(setup.length)).min(buf.len());
                buf[..n].copy_from_slice(&v[..n]);
                Ok(n)
            }
        }
    }

    async fn control_out(
        &mut self,
        setup: Setup,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        assert_eq!(
            usize::from(setup.length),
            data.len(),
            "wLength != data stage"
        );
        self.push(Event::ControlOut {
            setup: setup.to_bytes(),
            data: data.to_vec(),
            timeout: timeout_ms,
        });
        self.next_out(data.len())
    }

    async fn interrupt_in(
        &mut self,
        endpoint: u8,
        buf: &mut [u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.push(Event::InterruptIn {
            ep: endpoint,
            len: buf.len(),
            timeout: timeout_ms,
        });
        match self.next_in() {
            None => Err(UsbError::Timeout),
            Some(Reply::Fail(e)) => Err(e),
            Some(Reply::Data(v)) if v.len() > buf.len() => Err(UsbError::Overflow),
            Some(Reply::Data(v)) => {
                buf[..v.len()].copy_from_slice(&v);
                Ok(v.len())
            }
        }
    }

    async fn interrupt_out(
        &mut self,
        endpoint: u8,
        data: &[u8],
        timeout_ms: u32,
    ) -> Result<usize, UsbError> {
        self.push(Event::InterruptOut {
            ep: endpoint,
            data: data.to_vec(),
            timeout: timeout_ms,
        });
        self.next_out(data.len())
    }

    async fn config_descriptor(&mut self, buf: &mut [u8]) -> Result<usize, UsbError> {
        // Like libusb: answered from the cached descriptors, nothing on the wire.
        let config = self.0.borrow().config.clone();
        let v = config.ok_or(UsbError::Io)?;
        let n = v.len().min(buf.len());
        buf[..n].copy_from_slice(&v[..n]);
        Ok(n)
    }
}

impl DelayNs for MockDelay {
    async fn delay_ns(&mut self, ns: u32) {
        self.0
            .borrow_mut()
            .log
            .push(Event::Delay { ns: u64::from(ns) });
    }
    async fn delay_us(&mut self, us: u32) {
        self.0.borrow_mut().log.push(Event::Delay {
            ns: u64::from(us) * 1_000,
        });
    }
    async fn delay_ms(&mut self, ms: u32) {
        self.0.borrow_mut().log.push(Event::Delay {
            ns: u64::from(ms) * 1_000_000,
        });
    }
}

pub use qxups::block_on;

/// A string descriptor holding `text` as UTF-16LE (bLength, 0x03, code units).
pub fn string_descriptor(text: &str) -> Vec<u8> {
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut d = vec![(2 + 2 * units.len()) as u8, 0x03];
    for u in units {
        d.extend_from_slice(&u.to_le_bytes());
    }
    d
}

/// A control IN event with these SETUP bytes and timeout.
pub fn cin(setup: [u8; 8], timeout: u32) -> Event {
    Event::ControlIn { setup, timeout }
}

/// A control OUT event.
pub fn cout(setup: [u8; 8], data: &[u8], timeout: u32) -> Event {
    Event::ControlOut {
        setup,
        data: data.to_vec(),
        timeout,
    }
}

/// An interrupt IN event.
pub fn iin(ep: u8, len: usize, timeout: u32) -> Event {
    Event::InterruptIn { ep, len, timeout }
}

/// An interrupt OUT event.
pub fn iout(ep: u8, data: &[u8], timeout: u32) -> Event {
    Event::InterruptOut {
        ep,
        data: data.to_vec(),
        timeout,
    }
}

/// A delay event of `ms` milliseconds.
pub fn wait_ms(ms: u64) -> Event {
    Event::Delay { ns: ms * 1_000_000 }
}

/// The reference 47-byte status reply of spec §11.
pub const Q1_REPLY: &[u8] = b"(226.0 195.0 226.0 014 49.0 27.5 30.0 00001000\r";
