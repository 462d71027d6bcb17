extern crate std;

use std::vec::Vec;

use super::*;
use crate::serial::{CablePower, SerialLink};
use crate::testkit::block_on;

/// A delay that only counts.
#[derive(Default)]
struct Clock(u64);
impl embedded_hal_async::delay::DelayNs for Clock {
    async fn delay_ns(&mut self, ns: u32) {
        self.0 += u64::from(ns);
    }
}

fn drain(v: &mut VirtualUps) -> Vec<u8> {
    let mut out = [0u8; 2048];
    let n = v.transmit(&mut out);
    out[..n].to_vec()
}

#[test]
fn serial_face_answers_each_line_whatever_the_chunking() {
    let mut v = VirtualUps::new(Personality::Megatec);
    for chunk in [&b"Q"[..], b"1", b"\rF\r", b"I"] {
        v.receive(chunk);
    }
    let out = drain(&mut v);
    assert!(out.starts_with(b"(215.0 195.0 230.0 014 49.0 "));
    assert_eq!(out.iter().filter(|&&b| b == b'\r').count(), 2);
    v.receive(b"\r");
    assert_eq!(drain(&mut v).len(), 38);
    // LF-terminated commands are understood too; a bare LF is ignored.
    v.receive(b"F\n\n");
    assert_eq!(drain(&mut v), b"#230.0 004 024.0 50.0\r");
    // Junk too long for a command is dropped without an answer.
    v.receive(&[b'x'; 300]);
    v.receive(b"\r");
    assert_eq!(drain(&mut v), b"");
}

/// TV-19 end to end in the core: the serial link over the virtual UPS's serial face.
#[test]
fn serial_link_over_the_virtual_ups() {
    let mut v = VirtualUps::new(Personality::Megatec);
    let mut link = SerialLink::new(&mut v, Clock::default());
    block_on(link.start(CablePower::Reverse)).unwrap();
    let mut reply = [0u8; 512];
    let n = block_on(link.transact(b"Q1\r", &mut reply)).unwrap();
    assert_eq!(
        &reply[..n],
        b"(215.0 195.0 230.0 014 49.0 27.2 30.0 00001000\r"
    );
    // The beeper toggle is silent: 0 after the 1 s window, and the command took effect.
    assert_eq!(block_on(link.transact(b"Q\r", &mut reply)), Ok(0));
    let (port, clock) = link.into_inner();
    assert!(port.state.beeper);
    assert_eq!(port.control_lines(), (false, true));
    assert!(clock.0 >= 2_100_000_000);
}

#[test]
fn serial_link_sees_faults_as_typed_results() {
    let mut v = VirtualUps::new(Personality::Megatec);
    let mut reply = [0u8; 512];
    v.inject(Fault::Truncated, Some(1));
    {
        let mut link = SerialLink::new(&mut v, Clock::default());
        assert_eq!(block_on(link.transact(b"Q1\r", &mut reply)), Ok(24));
        assert_eq!(block_on(link.transact(b"Q1\r", &mut reply)), Ok(47));
    }
    v.inject(Fault::Stall, Some(1));
    {
        let mut link = SerialLink::new(&mut v, Clock::default());
        assert_eq!(block_on(link.transact(b"Q1\r", &mut reply)), Ok(0));
    }
    v.inject(Fault::Disconnect, Some(2));
    let mut link = SerialLink::new(&mut v, Clock::default());
    for _ in 0..2 {
        assert_eq!(
            block_on(link.transact(b"Q1\r", &mut reply)),
            Err(TransportError::Disconnected)
        );
    }
    // The fault has run its course: the device is back.
    assert_eq!(block_on(link.transact(b"Q1\r", &mut reply)), Ok(47));
}

#[test]
fn fault_counts_run_out() {
    let mut v = VirtualUps::new(Personality::Q1);
    v.inject(Fault::NoAnswer, Some(2));
    assert!(v.respond(b"Q1\r").unwrap().is_empty());
    assert!(v.respond(b"Q1\r").unwrap().is_empty());
    assert_eq!(v.respond(b"Q1\r").unwrap().len(), 47);
    v.inject(Fault::Garbage, None);
    for _ in 0..50 {
        let g = v.respond(b"Q1\r").unwrap();
        assert_eq!(g.len(), 47);
        assert_eq!(g.iter().filter(|&&b| b == b'\r' || b == b'\n').count(), 1);
        assert_ne!(g[0], b'(');
    }
    v.inject(Fault::DescriptorLength, Some(1));
    assert!(v.descriptor_length_fault());
    assert_eq!(v.respond(b"Q1\r").unwrap().len(), 47);
    assert_eq!(v.transactions(), 54);
}

#[test]
fn a_reply_buffer_too_small_is_overflow() {
    let mut v = VirtualUps::new(Personality::Q1);
    let mut small = [0u8; 8];
    assert_eq!(
        block_on(v.transact(b"Q1\r", &mut small)),
        Err(TransportError::Overflow)
    );
}

#[test]
fn battery_drains_with_load_and_recharges() {
    let mut s = UpsState::new();
    s.power_fail();
    s.load = 100;
    s.advance(300_000); // half the full-load runtime
    assert_eq!(s.charge_percent(), 50);
    assert_eq!(s.runtime_s(), 300);
    s.load = 25;
    assert_eq!(s.runtime_s(), 1200);
    s.advance(1_200_000);
    assert_eq!(s.charge, 0);
    assert!(s.low_battery && s.output_off);
    s.power_restore();
    s.output_off = false;
    s.advance(1_800_000);
    assert_eq!(s.charge_percent(), 50);
    assert!(!s.low_battery);
    // The voltage follows the charge: 12 cells from 1.70 V to 2.27 V.
    s.set_charge(0);
    assert_eq!(s.battery_voltage, 2040);
    s.set_charge(FULL_CHARGE);
    assert_eq!(s.battery_voltage, 2724);
}

#[test]
fn shutdown_turns_the_output_off_and_back_on() {
    let mut v = VirtualUps::new(Personality::Megatec);
    assert!(v.respond(b"S.5R0001\r").unwrap().is_empty());
    v.advance(29_000);
    assert!(!v.state.output_off);
    v.advance(1_000);
    assert!(v.state.output_off);
    assert_eq!(&v.respond(b"Q1\r").unwrap()[13..22], b"000.0 000");
    v.advance(60_000);
    assert!(!v.state.output_off && v.state.shutdown.is_none());
    // Stay-off waits for C.
    v.respond(b"S00R0000\r").unwrap();
    v.advance(600_000);
    assert!(v.state.output_off);
    v.respond(b"C\r").unwrap();
    assert!(!v.state.output_off);
}

#[test]
fn tests_run_and_end() {
    let mut v = VirtualUps::new(Personality::Megatec);
    v.respond(b"T\r").unwrap();
    assert_eq!(v.respond(b"Q1\r").unwrap()[43], b'1');
    v.advance(10_000);
    assert_eq!(v.state.test, None);
    v.respond(b"TL\r").unwrap();
    v.advance(4_000_000);
    assert_eq!(v.state.test, None, "TL ends at low battery");
    v.respond(b"T02\r").unwrap();
    v.respond(b"CT\r").unwrap();
    assert_eq!(v.state.test, None);
}

#[test]
fn refusals_follow_the_device() {
    let mut mecer = VirtualUps::new(Personality::Mecer);
    assert_eq!(mecer.respond(b"XYZ\r").unwrap().as_slice(), b"(NAK\r");
    assert_eq!(mecer.respond(b"Q\r").unwrap().as_slice(), b"(ACK\r");
    let mut tae = VirtualUps::new(Personality::Innovatae);
    assert_eq!(tae.respond(b"XYZ\r").unwrap().as_slice(), b"NAK\r");
    assert_eq!(tae.respond(b"T\r").unwrap().as_slice(), b"ACK");
    let mut m = VirtualUps::new(Personality::Megatec);
    assert_eq!(m.respond(b"XYZ\r").unwrap().as_slice(), b"XYZ\r");
    let mut omron = VirtualUps::new(Personality::Omron);
    assert_eq!(omron.respond(b"Sf02\r").unwrap().as_slice(), b"OK\r");
    assert_eq!(
        omron.state.shutdown,
        Some(Shutdown {
            off_in_ms: 120_000,
            restart_ms: None
        })
    );
}
