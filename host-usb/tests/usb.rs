//! The libusb adapter on this machine, without any UPS attached: enumeration runs (it may find
//! no device, or no USB subsystem at all) and an absent device gives a typed "not found".

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qxups::TransportError;
use qxups::usb::Subdriver;
use qxups_usb::usb::{Criteria, OpenError, Reason, UsbLink, list, open};

/// A VID:PID no device uses (0xFFFE is reserved by the USB-IF, never assigned).
fn absent() -> Criteria {
    let mut c = Criteria::default();
    c.filter.set("vendorid", "fffe").unwrap();
    c.filter.set("productid", "fffe").unwrap();
    c.subdriver = Some(Subdriver::Cypress);
    c
}

#[test]
fn enumeration_runs_and_explains_every_device() {
    match list(&Criteria::default()) {
        Ok(devices) => {
            for d in &devices {
                // Every device carries a reason, and a chosen one names its table entry.
                let line = d.to_string();
                assert!(line.contains(&format!("{:04x}:{:04x}", d.identity.vid, d.identity.pid)));
                if d.selection.is_some() {
                    assert!(matches!(d.reason, Reason::Table { .. }), "{line}");
                }
                println!("{line}");
            }
            println!("{} USB device(s)", devices.len());
        }
        Err(OpenError::NoUsb(e)) => println!("no USB subsystem here: {e}"),
        Err(e) => panic!("enumeration failed: {e}"),
    }
}

#[test]
fn a_filter_that_excludes_everything_lists_nothing_as_chosen() {
    if let Ok(devices) = list(&absent()) {
        assert!(devices.iter().all(|d| d.selection.is_none()));
        assert!(devices.iter().all(|d| d.reason == Reason::Filtered));
    }
}

#[test]
fn an_absent_device_is_not_found() {
    let e = open(&absent()).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(matches!(e, OpenError::NotFound | OpenError::NoUsb(_)));
    assert_eq!(TransportError::from(e), TransportError::Disconnected);
    assert!(UsbLink::connect(&absent()).unwrap_err().is_not_found());
}

#[test]
fn subdriver_without_ids_is_refused_before_the_bus_is_touched() {
    let c = Criteria {
        subdriver: Some(Subdriver::Hunnox),
        ..Criteria::default()
    };
    match open(&c).unwrap_err() {
        OpenError::Criteria(why) => assert!(why.contains("vendorid")),
        other => panic!("{other}"),
    }
}
