//! A Linux pseudo-terminal between the serial adapter and the virtual UPS: the virtual UPS
//! serves the master side, the adapter opens the slave by path, and real answers travel
//! through the kernel's tty layer (usb-transports spec §7, TV-19).
#![cfg(target_os = "linux")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use qxups::serial::{CablePower, SerialLink};
use qxups::virtual_ups::{Personality, VirtualUps};
use qxups::{Options, Poll, Transport, detect};
use qxups_usb::pty::PtyUps;
use qxups_usb::serial::{StdDelay, block_on, connect, open};

fn serve(personality: Personality) -> PtyUps {
    PtyUps::serve(VirtualUps::new(personality), None).unwrap()
}

#[test]
fn real_answers_through_the_tty_layer() {
    let served = serve(Personality::Megatec);
    let port = open(served.path().to_str().unwrap()).unwrap();
    assert!(!port.has_modem_lines(), "a pty has no DTR/RTS");
    let mut link = SerialLink::new(port, StdDelay);
    let mut reply = [0u8; 512];

    let n = block_on(link.transact(b"Q1\r", &mut reply)).unwrap();
    assert_eq!(
        &reply[..n],
        b"(215.0 195.0 230.0 014 49.0 27.2 30.0 00001000\r"
    );
    let n = block_on(link.transact(b"F\r", &mut reply)).unwrap();
    assert_eq!(&reply[..n], b"#230.0 004 024.0 50.0\r");
    let n = block_on(link.transact(b"I\r", &mut reply)).unwrap();
    assert_eq!(n, 38);
    assert!(reply.starts_with(b"#QXUPS"));

    // TV-19: the beeper toggle gets no reply: 0 after the 1 s window, and it took effect.
    let started = std::time::Instant::now();
    assert_eq!(block_on(link.transact(b"Q\r", &mut reply)), Ok(0));
    assert!(started.elapsed() >= std::time::Duration::from_millis(1000));
    assert!(served.ups().lock().unwrap().state.beeper);
    drop(link);
}

#[test]
fn ups_claims_and_inits_over_a_pty() {
    let served = serve(Personality::Megatec);
    // `connect` sets the control lines (a no-op on a pty) and waits the 1.1 s settle time.
    let mut link = block_on(connect(served.path().to_str().unwrap(), CablePower::Normal)).unwrap();
    let mut ups = block_on(detect(&mut link, None, &Options::new())).unwrap();
    assert_eq!(ups.dialect().name, "megatec");
    block_on(ups.init(&mut link, 0)).unwrap();
    assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    assert_eq!(ups.vars().get("device.mfr"), Some("QXUPS"));
    assert_eq!(ups.vars().get("ups.status"), Some("OL"));

    // The device loses mains; the next update through the pty says so.
    served.ups().lock().unwrap().state.power_fail();
    block_on(ups.update(&mut link, Poll::Full, 2000)).unwrap();
    assert_eq!(ups.vars().get("input.voltage"), Some("0.0"));
    assert!(ups.vars().get("ups.status").unwrap().contains("OB"));
    drop(link);
}

#[test]
fn a_stale_answer_is_flushed_before_the_next_command() {
    let served = serve(Personality::Q1);
    let port = open(served.path().to_str().unwrap()).unwrap();
    let mut link = SerialLink::new(port, StdDelay).with_timeout_ms(300);
    let mut reply = [0u8; 512];
    // A late answer arrives unasked and waits in the tty's input queue...
    served
        .send_unasked(b"(999.9 999.9 999.9 099 99.9 99.9 99.9 11111111\r")
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    // ...and is discarded before the next command goes out.
    let n = block_on(link.transact(b"Q1\r", &mut reply)).unwrap();
    assert_eq!(&reply[..7], b"(215.0 ");
    assert_eq!(n, 47);
    drop(link);
}
