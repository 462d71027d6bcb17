//! usb-transports.md §11: every USB test vector (TV-1 … TV-18) at the setup-packet level,
//! against a mock host that records each transfer and replays scripted answers. Also the
//! fault cases: every transfer error comes back typed, never as a panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "usb_support/mod.rs"]
mod usb_support;

use qxups::usb::{
    DelayNs, Setup, Subdriver, UsbError, UsbHost, UsbOptions, UsbTransport, strings, table,
};
use qxups::{Transport, TransportError};
use usb_support::*;

const TO: u32 = 1000;

fn transport(sd: Subdriver, options: UsbOptions) -> (UsbTransport<MockHost, MockDelay>, MockHost) {
    let (host, delay) = mock();
    (UsbTransport::new(sd, host.clone(), delay, options), host)
}

fn run(
    t: &mut UsbTransport<MockHost, MockDelay>,
    cmd: &[u8],
) -> (Result<usize, TransportError>, Vec<u8>) {
    let mut reply = [0u8; 512];
    let r = block_on(t.transact(cmd, &mut reply));
    (r, reply.to_vec())
}

fn langid(l: u16) -> UsbOptions {
    UsbOptions {
        langid_fix: Some(l),
        ..UsbOptions::default()
    }
}

fn pad8(b: &[u8]) -> [u8; 8] {
    let mut p = [0u8; 8];
    p[..b.len()].copy_from_slice(b);
    p
}

const SET_REPORT_0200: [u8; 8] = [0x21, 0x09, 0x00, 0x02, 0x00, 0x00, 0x08, 0x00];
const SET_REPORT_0002: [u8; 8] = [0x21, 0x09, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00];

/// The six 8-byte packets of TV-1.
fn tv1_packets(host: &MockHost) {
    for p in Q1_REPLY.chunks(8) {
        host.answer(&pad8(p));
    }
}

// ---------------------------------------------------------------- TV-1 cypress

#[test]
fn tv1_cypress_q1() {
    let (mut t, host) = transport(Subdriver::Cypress, UsbOptions::default());
    tv1_packets(&host);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(48));
    assert_eq!(&reply[..47], Q1_REPLY);
    let mut expected = vec![cout(SET_REPORT_0200, &pad8(b"Q1\r"), 5000)];
    expected.extend((0..6).map(|_| iin(0x81, 8, TO)));
    assert_eq!(host.log(), expected);
}

#[test]
fn tv1_cypress_nine_byte_command_takes_two_reports() {
    let (mut t, host) = transport(Subdriver::Cypress, UsbOptions::default());
    host.answer(b"ACK\r\0\0\0\0");
    let (r, _) = run(&mut t, b"S.5R0000\r");
    assert_eq!(r, Ok(8));
    assert_eq!(
        host.log()[..2],
        [
            cout(SET_REPORT_0200, b"S.5R0000", 5000),
            cout(SET_REPORT_0200, &pad8(b"\r"), 5000),
        ]
    );
}

/// NUT returns TIMEOUT (−7) for a command the device never answers, so a shutdown the UPS
/// carried out "looks failed". Silence before any byte is `Ok(0)`, an accepted command.
#[test]
fn cypress_silence_after_command_is_accepted_not_looks_failed() {
    let (mut t, host) = transport(Subdriver::Cypress, UsbOptions::default());
    let (r, _) = run(&mut t, b"S.5R0000\r");
    assert_eq!(r, Ok(0));
    assert_eq!(host.log().last(), Some(&iin(0x81, 8, TO)));
}

#[test]
fn cypress_timeout_mid_reply_fails() {
    let (mut t, host) = transport(Subdriver::Cypress, UsbOptions::default());
    host.answer(b"(226.0 1");
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Err(TransportError::Timeout));
}

// ---------------------------------------------------------------- TV-2 phoenix

#[test]
fn tv2_phoenix_drains_then_sends() {
    let (mut t, host) = transport(Subdriver::Phoenix, UsbOptions::default());
    host.fail(UsbError::Timeout);
    tv1_packets(&host);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(48));
    assert_eq!(&reply[..47], Q1_REPLY);
    let log = host.log();
    assert_eq!(log[0], iin(0x81, 8, TO));
    assert_eq!(log[1], cout(SET_REPORT_0200, &pad8(b"Q1\r"), 1000));
    assert_eq!(log.len(), 2 + 6);
}

#[test]
fn tv2_phoenix_drain_stall_clears_halt() {
    let (mut t, host) = transport(Subdriver::Phoenix, UsbOptions::default());
    host.answer(b"stale").fail(UsbError::Stall);
    tv1_packets(&host);
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(48));
    let log = host.log();
    assert_eq!(log[..2], [iin(0x81, 8, TO), iin(0x81, 8, TO)]);
    assert_eq!(
        log[2],
        cout([0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00], &[], 1000)
    );
    assert_eq!(log[3], cout(SET_REPORT_0200, &pad8(b"Q1\r"), 1000));
}

#[test]
fn phoenix_drain_stops_after_eight_reads() {
    let (mut t, host) = transport(Subdriver::Phoenix, UsbOptions::default());
    for _ in 0..8 {
        host.answer(b"");
    }
    tv1_packets(&host);
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(48));
    assert_eq!(host.log()[8], cout(SET_REPORT_0200, &pad8(b"Q1\r"), 1000));
}

// ---------------------------------------------------------------- TV-3 ippon

#[test]
fn tv3_ippon() {
    let (mut t, host) = transport(Subdriver::Ippon, UsbOptions::default());
    let mut packet = Q1_REPLY.to_vec();
    packet.resize(64, 0);
    host.answer(&packet);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..48], [Q1_REPLY, b"\0"].concat());
    assert_eq!(
        host.log(),
        [
            cout(SET_REPORT_0002, &pad8(b"Q1\r"), 1000),
            iin(0x81, 64, TO)
        ]
    );
}

#[test]
fn tv3_ippon_empty_answer() {
    let (mut t, host) = transport(Subdriver::Ippon, UsbOptions::default());
    let mut packet = vec![0x00, 0x0D];
    packet.resize(64, 0);
    host.answer(&packet);
    let (r, reply) = run(&mut t, b"Q\r");
    assert_eq!(r, Ok(2));
    assert_eq!(&reply[..2], b"\0\r");
}

/// NUT takes the C-string length of a 64-byte packet that may have no NUL and reads past it.
#[test]
fn ippon_c_string_length_stays_inside_the_packet() {
    let (mut t, host) = transport(Subdriver::Ippon, UsbOptions::default());
    host.answer(&[b'A'; 64]);
    let (r, reply) = run(&mut t, b"I\r");
    assert_eq!(r, Ok(65));
    assert_eq!(&reply[..65], [&[b'A'; 64][..], b"\r"].concat());
}

// ---------------------------------------------------------------- TV-4 omron

#[test]
fn tv4_omron() {
    let (mut t, host) = transport(Subdriver::Omron, UsbOptions::default());
    let mut packet = Q1_REPLY.to_vec();
    packet.resize(64, 0);
    host.answer(&packet);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    let mut data = [0u8; 16];
    data[..3].copy_from_slice(b"Q1\r");
    assert_eq!(
        host.log(),
        [
            cout(
                [0x21, 0x09, 0x02, 0x00, 0x00, 0x00, 0x10, 0x00],
                &data,
                1000
            ),
            iin(0x81, 64, TO)
        ]
    );
}

/// NUT returns −1 (libusb IO: a full reconnect) for a short report; here a typed error.
#[test]
fn omron_short_report_is_a_protocol_error_not_io() {
    let (mut t, host) = transport(Subdriver::Omron, UsbOptions::default());
    host.out_result(Ok(8));
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Err(TransportError::Protocol));
}

// ---------------------------------------------------------------- TV-5 sgs

#[test]
fn tv5_sgs() {
    let (mut t, host) = transport(Subdriver::Sgs, UsbOptions::default());
    for c in Q1_REPLY.chunks(7) {
        let mut r = vec![c.len() as u8];
        r.extend_from_slice(c);
        r.resize(8, 0);
        host.answer(&r);
    }
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    let log = host.log();
    assert_eq!(
        log[0],
        cout(SET_REPORT_0200, &[3, 0x51, 0x31, 0x0D, 0, 0, 0, 0], 5000)
    );
    // Seven reports, then the read that times out and ends the reply.
    assert_eq!(log.len(), 1 + 7 + 1);
}

#[test]
fn tv5_sgs_two_reports_for_nine_bytes() {
    let (mut t, host) = transport(Subdriver::Sgs, UsbOptions::default());
    let _ = run(&mut t, b"S.5R0000\r");
    let log = host.log();
    assert_eq!(log[0], cout(SET_REPORT_0200, b"\x07S.5R000", 5000));
    assert_eq!(
        log[1],
        cout(SET_REPORT_0200, &[2, b'0', 0x0D, 0, 0, 0, 0, 0], 5000)
    );
}

/// NUT reads the count byte signed: 0x80+ moves the write position backwards.
#[test]
fn sgs_count_byte_is_unsigned_and_capped() {
    let (mut t, host) = transport(Subdriver::Sgs, UsbOptions::default());
    host.answer(&[0x85, b'(', b'1', b'2', b'3', b'4', b'5', b'6']);
    host.answer(&[0x00, 0, 0, 0, 0, 0, 0, 0]);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(8));
    assert_eq!(&reply[..8], b"(123456\r");
}

// ---------------------------------------------------------------- TV-6 gtec

#[test]
fn tv6_gtec_q4() {
    let (mut t, host) = transport(Subdriver::Gtec, UsbOptions::default());
    host.answer(b"(230.0 230.0 230.0");
    host.answer(b" 50.0\r");
    let (r, reply) = run(&mut t, b"Q4\r");
    assert_eq!(r, Ok(24));
    assert_eq!(&reply[..24], b"(230.0 230.0 230.0 50.0\r");
    assert_eq!(
        host.log(),
        [
            cout(SET_REPORT_0002, &pad8(b"Q4\r"), 5000),
            iin(0x81, 128, TO),
            iin(0x81, 128, TO)
        ]
    );
}

// ---------------------------------------------------------------- TV-7 phoenixtec

#[test]
fn tv7_phoenixtec_q3() {
    let (mut t, host) = transport(Subdriver::Phoenixtec, UsbOptions::default());
    host.answer(b"(12.0 34.0 56.0 78\rXY");
    let (r, reply) = run(&mut t, b"Q3\r");
    assert_eq!(r, Ok(19));
    assert_eq!(&reply[..21], b"(12.0 34.0 56.0 78\r\0\0");
    assert_eq!(
        host.log(),
        [
            cout([0x42, 0x0D, 0, 0, 0, 0, 3, 0], b"Q3\r", 1000),
            iin(0x81, 511, TO)
        ]
    );
}

#[test]
fn tv7_phoenixtec_no_reply_and_mso() {
    let (mut t, host) = transport(Subdriver::Phoenixtec, UsbOptions::default());
    let (r, reply) = run(&mut t, b"T\r");
    assert_eq!(r, Ok(0));
    assert!(reply.iter().all(|&b| b == 0));
    assert_eq!(
        host.take_log(),
        [cout([0x42, 0x0D, 0, 0, 0, 0, 2, 0], b"T\r", 1000)]
    );
    host.answer(b"(MSO\r");
    let (r, _) = run(&mut t, b"MSO\r");
    assert_eq!(r, Ok(5));
    assert_eq!(
        host.take_log(),
        [
            cout([0x42, 0x0D, 0, 0, 0, 0, 4, 0], b"MSO\r", 1000),
            iin(0x81, 511, TO)
        ]
    );
}

// ---------------------------------------------------------------- TV-8 fuji

#[test]
fn tv8_fuji_packets() {
    let table: [(&[u8], [u8; 8]); 12] = [
        (b"Q1\r", [0x80, 0x06, 0x03, 0x03, 0x51, 0x31, 0x00, 0x2F]),
        (b"F\r", [0x80, 0x06, 0x02, 0x03, 0x46, 0x00, 0x00, 0x16]),
        (b"I\r", [0x80, 0x06, 0x02, 0x03, 0x49, 0x00, 0x00, 0x27]),
        (b"Q\r", [0x80, 0x06, 0x02, 0x03, 0x51, 0x00, 0x00, 0x00]),
        (b"C\r", [0x80, 0x06, 0x02, 0x03, 0x43, 0x00, 0x00, 0x00]),
        (b"CT\r", [0x80, 0x06, 0x03, 0x03, 0x43, 0x54, 0x00, 0x00]),
        (b"T\r", [0x80, 0x06, 0x02, 0x03, 0x54, 0x00, 0x00, 0x00]),
        (b"TL\r", [0x80, 0x06, 0x03, 0x03, 0x54, 0x4C, 0x00, 0x00]),
        (b"T04\r", [0x80, 0x06, 0x04, 0x03, 0x54, 0x30, 0x34, 0x00]),
        (b"S03\r", [0x80, 0x06, 0x04, 0x03, 0x53, 0x30, 0x33, 0x00]),
        (
            b"S03R0002\r",
            [0x80, 0x06, 0x04, 0x03, 0x53, 0x30, 0x33, 0x00],
        ),
        (b"S.5\r", [0x80, 0x06, 0x04, 0x03, 0x53, 0x2E, 0x35, 0x00]),
    ];
    for (cmd, packet) in table {
        let (mut t, host) = transport(Subdriver::Fuji, UsbOptions::default());
        let _ = run(&mut t, cmd);
        assert_eq!(host.log()[0], iout(0x02, &packet, 5000), "{cmd:?}");
    }
}

#[test]
fn tv8_fuji_q1_returns_c_string_length() {
    let (mut t, host) = transport(Subdriver::Fuji, UsbOptions::default());
    tv1_packets(&host);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
}

#[test]
fn tv8_fuji_stayoff_is_echoed_without_traffic() {
    let (mut t, host) = transport(Subdriver::Fuji, UsbOptions::default());
    let (r, reply) = run(&mut t, b"S03R0000\r");
    assert_eq!(r, Ok(9));
    assert_eq!(&reply[..9], b"S03R0000\r");
    assert!(host.log().is_empty());
}

/// fuji documents that commands never get a reply; NUT's read times out (−7) and the core
/// reports `Q`, `C`, `T`, `S..` as failed. The silence is an accepted command here.
#[test]
fn fuji_silent_command_counts_as_accepted() {
    for cmd in [&b"Q\r"[..], b"C\r", b"T\r", b"TL\r", b"S03\r"] {
        let (mut t, host) = transport(Subdriver::Fuji, UsbOptions::default());
        let (r, _) = run(&mut t, cmd);
        assert_eq!(r, Ok(0), "{cmd:?}");
        assert_eq!(host.log()[1], iin(0x81, 8, TO));
    }
}

// ---------------------------------------------------------------- TV-9 armac

const TV9_PACKETS: [[u8; 6]; 11] = [
    [0x81, 0x23, 0x30, 0x30, 0x30, 0x30],
    [0xC1, 0x32, 0x30, 0x30, 0x30, 0x30],
    [0x82, 0x33, 0x30, 0x30, 0x30, 0x30],
    [0xC3, 0x2E, 0x30, 0x20, 0x30, 0x30],
    [0x83, 0x30, 0x30, 0x30, 0x30, 0x30],
    [0xC2, 0x20, 0x30, 0x30, 0x30, 0x30],
    [0x81, 0x32, 0x30, 0x30, 0x30, 0x30],
    [0xC3, 0x34, 0x2E, 0x30, 0x30, 0x30],
    [0x82, 0x20, 0x35, 0x30, 0x30, 0x30],
    [0xC3, 0x30, 0x2E, 0x30, 0x30, 0x30],
    [0x81, 0x0D, 0x30, 0x30, 0x30, 0x30],
];

#[test]
fn tv9_armac_control_mode_f() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    host.fail(UsbError::Timeout); // drain: nothing stale
    for p in TV9_PACKETS {
        host.answer(&p);
    }
    let (r, reply) = run(&mut t, b"F\r");
    assert_eq!(r, Ok(22));
    assert_eq!(&reply[..22], b"#230.0 000 024.0 50.0\r");
    let log = host.log();
    assert_eq!(log[0], iin(0x81, 8, 100));
    assert_eq!(
        log[1],
        cout(
            [0x21, 0x09, 0x00, 0x02, 0x00, 0x00, 0x04, 0x00],
            &[0xA2, 0x46, 0x0D, 0x00],
            5000
        )
    );
    assert_eq!(log[2], wait_ms(2));
    // After each packet whose count is ≤ 2 (and that did not end the message): 10 ms.
    let mut expected = Vec::new();
    for (i, p) in TV9_PACKETS.iter().enumerate() {
        expected.push(iin(0x81, 8, TO));
        if p[0] & 0x3F <= 2 && i + 1 < TV9_PACKETS.len() {
            expected.push(wait_ms(10));
        }
    }
    assert_eq!(log[3..], expected);
}

#[test]
fn tv9_armac_ups_off_answers_nul() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    host.fail(UsbError::Timeout);
    host.answer(&[0x81, 0x00, 0x30, 0x30, 0x30, 0x30]);
    let (r, _) = run(&mut t, b"F\r");
    assert_eq!(r, Ok(0));
}

#[test]
fn tv9_armac_multi_chunk_control_write() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    let _ = run(&mut t, b"S.5R0000\r");
    let sr = [0x21, 0x09, 0x00, 0x02, 0x00, 0x00, 0x04, 0x00];
    let writes: Vec<_> = host
        .log()
        .into_iter()
        .filter(|e| matches!(e, Event::ControlOut { .. }))
        .collect();
    assert_eq!(
        writes,
        [
            cout(sr, &[0xA3, 0x53, 0x2E, 0x35], 5000),
            cout(sr, &[0xA3, 0x52, 0x30, 0x30], 5000),
            cout(sr, &[0xA3, 0x30, 0x30, 0x0D], 5000),
        ]
    );
}

#[test]
fn tv9_armac_interrupt_mode_q1() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    host.set_config(&[
        9, 2, 41, 0, 1, 1, 0, 0x80, 50, 9, 4, 0, 0, 2, 3, 0, 0, 0, 9, 0x21, 0x10, 1, 0, 1, 0x22,
        30, 0, 7, 5, 0x82, 3, 64, 0, 10, 7, 5, 0x02, 3, 8, 0, 10,
    ]);
    let mut p = vec![0x80 | 47u8];
    p.extend_from_slice(Q1_REPLY);
    host.answer(&p);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    assert_eq!(
        host.log(),
        [
            iout(0x02, &[0xA3, 0x51, 0x31, 0x0D], 5000),
            wait_ms(2),
            iin(0x82, 64, TO)
        ]
    );
}

#[test]
fn armac_refused_commands_are_echoed_without_traffic() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    for cmd in [&b"QGS\r"[..], b"QS\r", b"QPI\r", b"M\r", b"D\r"] {
        let (r, reply) = run(&mut t, cmd);
        assert_eq!(r, Ok(cmd.len()));
        assert_eq!(&reply[..cmd.len()], cmd);
    }
    assert!(host.log().is_empty());
}

/// NUT ignores errors on all but the last control chunk and sends half a command.
#[test]
fn armac_error_on_an_early_chunk_fails_the_command() {
    let (mut t, host) = transport(Subdriver::Armac, UsbOptions::default());
    host.out_result(Err(UsbError::Stall));
    let (r, _) = run(&mut t, b"S.5R0000\r");
    assert_eq!(r, Err(TransportError::Stall));
    let writes = host
        .log()
        .into_iter()
        .filter(|e| matches!(e, Event::ControlOut { .. }))
        .count();
    assert_eq!(writes, 1);
}

// ---------------------------------------------------------------- TV-10 ablerex

const ABLEREX_Q1: &[u8] = b"(230.0 230.0 230.0 015 50.0 13.6 27.0 00001001\r";

#[test]
fn tv10_ablerex_q1() {
    let (mut t, host) = transport(Subdriver::Ablerex, UsbOptions::default());
    host.answer(ABLEREX_Q1);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], ABLEREX_Q1);
    let mut data = vec![0x05, 0x00, 0x03, 0x51, 0x31, 0x0D];
    data.resize(47, 0);
    assert_eq!(
        host.log(),
        [
            cout(
                [0x21, 0x09, 0x05, 0x03, 0x00, 0x00, 0x2F, 0x00],
                &data,
                1000
            ),
            wait_ms(500),
            cin([0xA1, 0x01, 0x05, 0x03, 0x00, 0x00, 0x2F, 0x00], 1000),
        ]
    );
}

#[test]
fn tv10_ablerex_wrong_length_retries_three_times_then_zero() {
    let (mut t, host) = transport(Subdriver::Ablerex, UsbOptions::default());
    for _ in 0..3 {
        host.answer(b"(230.0\r");
    }
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(0));
    let reads = host
        .log()
        .into_iter()
        .filter(|e| matches!(e, Event::ControlIn { .. }))
        .count();
    assert_eq!(reads, 3);
}

#[test]
fn ablerex_short_q5_is_made_up() {
    let (mut t, host) = transport(Subdriver::Ablerex, UsbOptions::default());
    host.answer(b"(1\r");
    let (r, reply) = run(&mut t, b"Q5\r");
    assert_eq!(r, Ok(22));
    assert_eq!(reply[0], b'(');
    assert!(reply[1..22].iter().all(|&b| b == 0));
}

// ---------------------------------------------------------------- TV-11/12 krauler

/// TV-11's 96-byte descriptor: the reference reply with `*` as lead.
fn tv11_descriptor(lead: char) -> Vec<u8> {
    let text = format!("{lead}{}", std::str::from_utf8(&Q1_REPLY[1..]).unwrap());
    let d = string_descriptor(&text);
    assert_eq!(d.len(), 96);
    assert_eq!(d[0], 0x60);
    d
}

#[test]
fn tv11_krauler_langid_fix() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    host.answer(&tv11_descriptor('*'));
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    assert_eq!(
        host.log(),
        [cin([0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0xFF, 0x01], TO)]
    );
}

#[test]
fn tv11_krauler_langid_4095() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x4095));
    host.answer(&tv11_descriptor('('));
    let _ = run(&mut t, b"Q1\r");
    assert_eq!(
        host.log(),
        [cin([0x80, 0x06, 0x03, 0x03, 0x95, 0x40, 0xFF, 0x01], TO)]
    );
}

#[test]
fn tv11_krauler_no_ack_retried_ten_times_then_zero() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    let no_ack = string_descriptor("UPS No Ack");
    assert_eq!(
        no_ack,
        [
            0x16, 0x03, 0x55, 0x00, 0x50, 0x00, 0x53, 0x00, 0x20, 0x00, 0x4E, 0x00, 0x6F, 0x00,
            0x20, 0x00, 0x41, 0x00, 0x63, 0x00, 0x6B, 0x00
        ]
    );
    for _ in 0..10 {
        host.answer(&no_ack);
    }
    let (r, _) = run(&mut t, b"T\r");
    assert_eq!(r, Ok(0));
    let log = host.log();
    assert_eq!(log.len(), 10);
    assert!(
        log.iter()
            .all(|e| *e == cin([0x80, 0x06, 0x04, 0x03, 0x09, 0x04, 0xFF, 0x01], TO))
    );
}

#[test]
fn tv11_krauler_action_reply_lead_becomes_cr() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    host.answer(&string_descriptor("OK"));
    let (r, reply) = run(&mut t, b"T\r");
    assert_eq!(r, Ok(3));
    assert_eq!(&reply[..3], b"\rK\r");
}

#[test]
fn tv11_krauler_shutdown_is_echoed() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    let (r, reply) = run(&mut t, b"S03\r");
    assert_eq!(r, Ok(4));
    assert_eq!(&reply[..4], b"S03\r");
    assert!(host.log().is_empty());
}

#[test]
fn tv12_krauler_ascii_helper() {
    let (mut t, host) = transport(Subdriver::Krauler, UsbOptions::default());
    host.answer(&[0x04, 0x03, 0x09, 0x04]);
    host.answer(&tv11_descriptor('*'));
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    assert_eq!(
        host.log(),
        [
            cin([0x80, 0x06, 0x00, 0x03, 0x00, 0x00, 0x04, 0x00], TO),
            cin([0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0xFF, 0x00], TO),
        ]
    );
}

// ---------------------------------------------------------------- TV-13 fabula

#[test]
fn tv13_fabula() {
    let (mut t, host) = transport(Subdriver::Fabula, UsbOptions::default());
    host.answer(&[0x04, 0x03, 0x09, 0x04]);
    host.answer(&tv11_descriptor('('));
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    assert_eq!(
        host.take_log(),
        [
            cin([0x80, 0x06, 0x00, 0x03, 0x00, 0x00, 0x04, 0x00], TO),
            cin([0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0xFF, 0x00], TO),
        ]
    );
    host.answer(&[0x04, 0x03, 0x09, 0x04]);
    host.answer(&string_descriptor("UPS No Ack"));
    let (r, reply) = run(&mut t, b"S03\r");
    assert_eq!(r, Ok(0));
    assert!(reply.iter().all(|&b| b == 0));
    assert_eq!(
        host.take_log()[1],
        cin([0x80, 0x06, 0x88, 0x03, 0x09, 0x04, 0xFF, 0x00], TO)
    );
    for (cmd, index) in [
        (&b"S.5R0000\r"[..], 0x10u8),
        (b"S10R0000\r", 0xF0),
        (b"S05R0003\r", 0xA8),
        (b"C\r", 0x0A),
        (b"Q\r", 0x07),
    ] {
        host.answer(&[0x04, 0x03, 0x09, 0x04]);
        host.answer(&string_descriptor("UPS No Ack"));
        let _ = run(&mut t, cmd);
        assert_eq!(
            host.take_log()[1],
            cin([0x80, 0x06, index, 0x03, 0x09, 0x04, 0xFF, 0x00], TO),
            "{cmd:?}"
        );
    }
    let (r, reply) = run(&mut t, b"T\r");
    assert_eq!(r, Ok(2));
    assert_eq!(&reply[..2], b"T\r");
    assert!(host.log().is_empty());
}

// ---------------------------------------------------------------- TV-14 hunnox

fn hunnox_options() -> UsbOptions {
    UsbOptions {
        langid_fix: Some(0x0409),
        noscanlangid: true,
        novendor: true,
    }
}

fn gs(index: u8, len: u16) -> Event {
    let [l0, l1] = len.to_le_bytes();
    cin([0x80, 0x06, index, 0x03, 0x09, 0x04, l0, l1], TO)
}

/// (command, requests in the call, expected log, expected reply text).
type Call = (&'static [u8], usize, Vec<Event>, &'static [u8]);

#[test]
fn tv14_hunnox_lock_step() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let status = {
        let d = string_descriptor(std::str::from_utf8(Q1_REPLY).unwrap());
        assert_eq!(&d[..4], &[0x60, 0x03, 0x28, 0x00]);
        d
    };
    let ratings = vec![
        0x2E, 0x03, 0x23, 0x00, 0x32, 0x00, 0x33, 0x00, 0x30, 0x00, 0x2E, 0x00, 0x30, 0x00, 0x20,
        0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x20, 0x00, 0x30, 0x00, 0x32, 0x00, 0x34, 0x00,
        0x2E, 0x00, 0x30, 0x00, 0x20, 0x00, 0x35, 0x00, 0x30, 0x00, 0x2E, 0x00, 0x30, 0x00, 0x0D,
        0x00,
    ];
    let bl = vec![
        0x0E, 0x03, 0x42, 0x00, 0x4C, 0x00, 0x31, 0x00, 0x30, 0x00, 0x30, 0x00, 0x0D, 0x00,
    ];
    let w = 0x66;
    // (command, answers for every request of the call, expected log, expected result)
    let calls: Vec<Call> = vec![
        (
            b"Q1\r",
            4,
            vec![gs(0, 1026), gs(0, 1026), gs(1, 1026), wait_ms(10), gs(3, w)],
            Q1_REPLY,
        ),
        (b"Q1\r", 2, vec![gs(0x0D, w), gs(3, w)], Q1_REPLY),
        (
            b"F\r",
            2,
            vec![gs(3, w), gs(0x0D, w)],
            b"#230.0 000 024.0 50.0\r",
        ),
        (b"BL\r", 1, vec![gs(0xF3, w)], b"BL100\r"),
        (b"Q1\r", 2, vec![gs(0x0D, w), gs(3, w)], Q1_REPLY),
        (b"BL\r", 2, vec![gs(3, w), gs(0xF3, w)], b"BL100\r"),
        (b"Q1\r", 1, vec![gs(3, w)], Q1_REPLY),
        (b"BL\r", 2, vec![gs(0x0D, w), gs(0xF3, w)], b"BL100\r"),
    ];
    for (i, (cmd, requests, expected, text)) in calls.into_iter().enumerate() {
        for _ in 1..requests {
            host.answer(b"\x04\x03\x09\x04"); // preamble answers: ignored
        }
        host.answer(match cmd {
            b"Q1\r" => &status,
            b"F\r" => &ratings,
            _ => &bl,
        });
        let (r, reply) = run(&mut t, cmd);
        assert_eq!(host.take_log(), expected, "call {}", i + 1);
        assert_eq!(r, Ok(text.len()), "call {}", i + 1);
        assert_eq!(&reply[..text.len()], text, "call {}", i + 1);
        assert_eq!(host.unused(), 0);
    }
}

#[test]
fn tv14_hunnox_without_novendor_reads_0x0c() {
    let (mut t, host) = transport(
        Subdriver::Hunnox,
        UsbOptions {
            novendor: false,
            ..hunnox_options()
        },
    );
    for cmd in [&b"Q1\r"[..], b"Q1\r", b"F\r"] {
        let _ = run(&mut t, cmd);
    }
    host.take_log();
    let _ = run(&mut t, b"BL\r");
    assert_eq!(host.log(), [gs(0x0C, 0x66), gs(0xF3, 0x66)]);
}

#[test]
fn tv14_hunnox_f_at_step_one_skips_duplicate_preamble() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let _ = run(&mut t, b"Q1\r");
    host.take_log();
    let _ = run(&mut t, b"F\r");
    assert_eq!(host.log(), [gs(0x0D, 0x66)]);
}

#[test]
fn tv14_hunnox_no_ack_and_truncation() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let _ = run(&mut t, b"Q1\r"); // step 0 → 1
    host.answer(b"x"); // preamble 0x0D
    host.answer(&string_descriptor("UPS No Ack"));
    let (r, reply) = run(&mut t, b"C\r");
    assert_eq!(r, Ok(0));
    assert!(reply.iter().all(|&b| b == 0));
    assert_eq!(host.take_log().last(), Some(&gs(0x0A, 0x66)));
    // A reply needing more than 102 bytes arrives cut to 102: the size check fails → 0.
    let long = string_descriptor(&"A".repeat(60));
    host.answer(b"x");
    host.answer(&long);
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(0));
}

#[test]
fn hunnox_unmapped_command_is_echoed_and_step_does_not_move() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let (r, reply) = run(&mut t, b"FW?\r");
    assert_eq!(r, Ok(4));
    assert_eq!(&reply[..4], b"FW?\r");
    assert!(host.log().is_empty());
    let _ = run(&mut t, b"Q1\r");
    assert_eq!(host.log()[0], gs(0, 1026)); // still the first call's wake-up
}

/// NUT never repeats the wake-up after a re-enumeration; `reconnected` does.
#[test]
fn hunnox_wake_up_runs_again_after_reconnect() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let _ = run(&mut t, b"Q1\r");
    t.reconnected();
    host.take_log();
    let _ = run(&mut t, b"Q1\r");
    assert_eq!(host.log()[..3], [gs(0, 1026), gs(0, 1026), gs(1, 1026)]);
}

#[test]
fn hunnox_size_mismatch_gives_zero_without_retry() {
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    let mut d = tv11_descriptor('(');
    d.truncate(94);
    host.answer(b"");
    host.answer(b"");
    host.answer(b"");
    host.answer(&d);
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(0));
    assert_eq!(host.log().len(), 5);
}

// ---------------------------------------------------------------- TV-15 snr

#[test]
fn tv15_snr() {
    let (mut t, host) = transport(Subdriver::Snr, langid(0x0409));
    host.fail(UsbError::Timeout); // wake-up read
    host.answer(&tv11_descriptor('*'));
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(&reply[..47], Q1_REPLY);
    assert_eq!(
        host.take_log(),
        [
            iin(0x81, 102, TO),
            cin([0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0x66, 0x00], TO)
        ]
    );
    for (cmd, index, lead) in [(&b"F\r"[..], 0x0Du8, b'#'), (b"I\r", 0x0C, b'#')] {
        host.fail(UsbError::Timeout);
        host.answer(&string_descriptor("?1\r"));
        let (r, reply) = run(&mut t, cmd);
        assert_eq!(r, Ok(3));
        assert_eq!(reply[0], lead);
        assert_eq!(
            host.take_log()[1],
            cin([0x80, 0x06, index, 0x03, 0x09, 0x04, 0x66, 0x00], TO)
        );
    }
    let (r, reply) = run(&mut t, b"Q\r");
    assert_eq!(r, Ok(2));
    assert_eq!(&reply[..2], b"Q\r");
    // The wake-up read happens before the command is even looked up.
    assert_eq!(host.log(), [iin(0x81, 102, TO)]);
}

/// NUT sends LANGID −1 without `langid_fix` (libusb aborts); the table gives snr 0x0409.
#[test]
fn snr_without_langid_fix_uses_0409_not_minus_one() {
    let sel = table::select(
        table::DeviceIds {
            vid: 1,
            pid: 0,
            vendor: None,
            product: Some("MEC0003"),
        },
        Some(Subdriver::Snr),
        UsbOptions::default(),
    )
    .unwrap();
    let (mut t, host) = transport(sel.subdriver, sel.options);
    host.fail(UsbError::Timeout);
    host.answer(&tv11_descriptor('('));
    let (r, _) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(47));
    assert_eq!(
        host.log()[1],
        cin([0x80, 0x06, 0x03, 0x03, 0x09, 0x04, 0x66, 0x00], TO)
    );
}

// ---------------------------------------------------------------- TV-16 UTF-16LE

#[test]
fn tv16_size_mismatch_krauler_and_snr_retry_hunnox_returns_zero() {
    let mut short = tv11_descriptor('(');
    short.truncate(94);
    let good = tv11_descriptor('(');

    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    host.answer(&short).answer(&good);
    assert_eq!(run(&mut t, b"Q1\r").0, Ok(47));
    assert_eq!(host.log().len(), 2);

    let (mut t, host) = transport(Subdriver::Snr, langid(0x0409));
    host.fail(UsbError::Timeout).answer(&short).answer(&good);
    assert_eq!(run(&mut t, b"Q1\r").0, Ok(47));
    assert_eq!(host.log().len(), 3);
}

/// NUT compares the length byte as a signed `char`: on x86 a 0x82-byte descriptor never
/// matches. It is accepted here, as NUT does on ARM.
#[test]
fn tv16_length_byte_0x82_is_accepted_unsigned() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    let text = format!("({}", "1".repeat(63));
    let d = string_descriptor(&text);
    assert_eq!((d[0], d.len()), (0x82, 130));
    host.answer(&d);
    let (r, reply) = run(&mut t, b"Q1\r");
    assert_eq!(r, Ok(65));
    assert_eq!(&reply[..65], format!("{text}\r").as_bytes());
}

// ---------------------------------------------------------------- TV-17 identification

#[test]
fn tv17_mec0003_identification_and_selection() {
    let (mut host, mut delay) = mock();
    host.answer(&[0x04, 0x03, 0x09, 0x04]);
    host.answer(&[
        0x10, 0x03, 0x4D, 0x00, 0x45, 0x00, 0x43, 0x00, 0x30, 0x00, 0x30, 0x00, 0x30, 0x00, 0x33,
        0x00,
    ]);
    let mut out = [0u8; 255];
    let n = block_on(strings::read_identification(
        &mut host, &mut delay, 1, &mut out,
    ))
    .unwrap();
    assert_eq!(&out[..n], b"MEC0003");
    assert_eq!(
        host.log(),
        [
            cin([0x80, 0x06, 0x00, 0x03, 0x00, 0x00, 0x04, 0x00], TO),
            cin([0x80, 0x06, 0x01, 0x03, 0x09, 0x04, 0xFF, 0x00], TO),
        ]
    );
    let product = std::str::from_utf8(&out[..n]).unwrap();
    let ids = table::DeviceIds {
        vid: 0x0001,
        pid: 0x0000,
        vendor: None,
        product: Some(product),
    };
    let sel = table::select(ids, None, UsbOptions::default()).unwrap();
    assert_eq!(sel.subdriver, Subdriver::Hunnox);
    assert_eq!(sel.options.langid_fix, Some(0x0409));
    assert!(sel.options.novendor && sel.options.noscanlangid);
}

#[test]
fn identification_read_retries_and_falls_back_to_0409() {
    let (mut host, mut delay) = mock();
    host.fail(UsbError::Io);
    host.answer(&[0x04, 0x99, 0x80, 0x04]); // wrong type: broken language list
    host.answer(&string_descriptor("MEC"));
    let mut out = [0u8; 255];
    let n = block_on(strings::read_identification(
        &mut host, &mut delay, 2, &mut out,
    ))
    .unwrap();
    assert_eq!(&out[..n], b"MEC");
    let log = host.log();
    assert_eq!(log[1], wait_ms(50));
    assert_eq!(
        log[3],
        cin([0x80, 0x06, 0x02, 0x03, 0x09, 0x04, 0xFF, 0x00], TO)
    );
}

#[test]
fn identification_read_with_unreadable_language_list_uses_0409() {
    let (mut host, mut delay) = mock();
    for _ in 0..3 {
        host.fail(UsbError::Stall);
    }
    host.answer(&string_descriptor("MEC0003"));
    let mut out = [0u8; 255];
    let n = block_on(strings::read_identification(
        &mut host, &mut delay, 1, &mut out,
    ))
    .unwrap();
    assert_eq!(&out[..n], b"MEC0003");
    assert_eq!(
        host.log().last(),
        Some(&cin([0x80, 0x06, 0x01, 0x03, 0x09, 0x04, 0xFF, 0x00], TO))
    );
}

#[test]
fn langid_scan_failure_does_not_stop_start_up_unless_disconnected() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x0409));
    host.fail(UsbError::Stall);
    assert_eq!(block_on(t.start()), Ok(None));
    host.fail(UsbError::Disconnected);
    assert_eq!(block_on(t.start()), Err(TransportError::Disconnected));
}

/// NUT assembles the LANGID from signed bytes: a low byte ≥ 0x80 aborts the driver.
#[test]
fn identification_langid_is_unsigned() {
    let (mut host, mut delay) = mock();
    host.answer(&[0x04, 0x03, 0x95, 0x40]);
    host.answer(&string_descriptor("X"));
    let mut out = [0u8; 255];
    block_on(strings::read_identification(
        &mut host, &mut delay, 1, &mut out,
    ))
    .unwrap();
    assert_eq!(
        host.log()[1],
        cin([0x80, 0x06, 0x01, 0x03, 0x95, 0x40, 0xFF, 0x00], TO)
    );
}

// ---------------------------------------------------------------- TV-18 scan and recovery

#[test]
fn tv18_langid_scan_and_clear_halt() {
    let (mut t, host) = transport(Subdriver::Krauler, langid(0x4095));
    host.answer(&[0x04, 0x03, 0x09, 0x04]);
    assert_eq!(block_on(t.start()), Ok(Some(0x0409)));
    block_on(t.clear_halt()).unwrap();
    assert_eq!(
        host.log(),
        [
            cin([0x80, 0x06, 0x00, 0x03, 0x00, 0x00, 0xFF, 0x00], TO),
            cout([0x02, 0x01, 0x00, 0x00, 0x81, 0x00, 0x00, 0x00], &[], 1000),
        ]
    );
}

#[test]
fn tv18_no_scan_without_langid_fix_or_with_noscanlangid() {
    let (mut t, host) = transport(Subdriver::Krauler, UsbOptions::default());
    assert_eq!(block_on(t.start()), Ok(None));
    let (mut t2, host2) = transport(Subdriver::Hunnox, hunnox_options());
    assert_eq!(block_on(t2.start()), Ok(None));
    assert!(host.log().is_empty() && host2.log().is_empty());
}

// ---------------------------------------------------------------- faults

/// Every subdriver, every transfer error on its first IN transfer (and on its writes): a
/// typed result, never a panic.
#[test]
fn every_transfer_error_is_typed_for_every_subdriver() {
    let errors = UsbError::ALL;
    for sd in Subdriver::ALL {
        for e in errors {
            for cmd in [&b"Q1\r"[..], b"F\r", b"S03\r", b"C\r"] {
                let (mut t, host) = transport(sd, langid(0x0409));
                for _ in 0..40 {
                    host.fail(e);
                }
                let (r, _) = run(&mut t, cmd);
                if let Err(te) = r {
                    assert!(!te.to_string().is_empty());
                }
                let (mut t, host) = transport(sd, UsbOptions::default());
                for _ in 0..40 {
                    host.out_result(Err(e));
                    host.answer(b"\xff\x03garbage\r");
                }
                let _ = run(&mut t, cmd);
            }
        }
    }
}

#[test]
fn disconnect_is_reported_as_disconnected() {
    for sd in [
        Subdriver::Cypress,
        Subdriver::Ippon,
        Subdriver::Gtec,
        Subdriver::Sgs,
    ] {
        let (mut t, host) = transport(sd, UsbOptions::default());
        host.fail(UsbError::Disconnected);
        assert_eq!(
            run(&mut t, b"Q1\r").0,
            Err(TransportError::Disconnected),
            "{sd}"
        );
    }
    let (mut t, host) = transport(Subdriver::Hunnox, hunnox_options());
    host.answer(b"")
        .answer(b"")
        .answer(b"")
        .fail(UsbError::Disconnected);
    assert_eq!(run(&mut t, b"Q1\r").0, Err(TransportError::Disconnected));
}

#[test]
fn small_reply_buffers_never_panic() {
    for sd in Subdriver::ALL {
        for size in [0usize, 1, 2, 8, 47, 101, 103] {
            let (mut t, host) = transport(sd, langid(0x0409));
            for _ in 0..20 {
                host.answer(&tv11_descriptor('('));
            }
            let mut reply = vec![0u8; size];
            let _ = block_on(t.transact(b"Q1\r", &mut reply));
        }
    }
}

// ---------------------------------------------------------------- end to end

/// The seed user's device: a 0001:0000 "MEC0003" Hunnox, identified, selected from the table
/// with no option at all, then claimed, initialised and polled by the hunnox dialect over the
/// hunnox transport; its actions answered with "UPS No Ack" are accepted.
#[test]
fn mec0003_hunnox_end_to_end_without_options() {
    let (host, delay) = mock();
    host.set_device(|e| {
        let Event::ControlIn { setup, .. } = e else {
            return None;
        };
        let text = match setup[2] {
            0x03 => "(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r",
            0x0D => "#230.0 000 024.0 50.0\r",
            0xF3 => "BL100\r",
            0x00 => return Some(Reply::Data(vec![0x04, 0x03, 0x09, 0x04])),
            0x01 => "MEC0003",
            _ => "UPS No Ack",
        };
        Some(Reply::Data(string_descriptor(text)))
    });
    let mut product = [0u8; 255];
    let (mut h, mut d) = (host.clone(), delay.clone());
    let n = block_on(strings::read_identification(
        &mut h,
        &mut d,
        1,
        &mut product,
    ))
    .unwrap();
    let ids = table::DeviceIds {
        vid: 0x0001,
        pid: 0x0000,
        vendor: None,
        product: Some(std::str::from_utf8(&product[..n]).unwrap()),
    };
    let sel = table::select(ids, None, UsbOptions::default()).unwrap();
    assert_eq!(sel.subdriver, Subdriver::Hunnox);
    let mut options = qxups::Options::new();
    sel.apply(ids, &mut options);
    let mut t = UsbTransport::new(sel.subdriver, host.clone(), delay, sel.options);
    assert_eq!(block_on(t.start()), Ok(None)); // noscanlangid: the scan wedges these devices
    host.take_log();

    let dialect = qxups::dialect::by_name("hunnox").unwrap();
    let mut ups = qxups::Ups::new(dialect, options);
    assert!(block_on(ups.claim(&mut t, true)).unwrap());
    block_on(ups.init(&mut t, 0)).unwrap();
    block_on(ups.update(&mut t, qxups::Poll::Full, 2_000)).unwrap();
    let vars = ups.vars();
    assert_eq!(vars.get("input.voltage"), Some("215.0"));
    assert_eq!(vars.get("battery.charge"), Some("100"));
    assert_eq!(vars.get("input.frequency.nominal"), Some("50"));
    // The wake-up preamble ran once, first, and no read asked for more than 102 bytes after it.
    let log = host.log();
    assert_eq!(log[..3], [gs(0, 1026), gs(0, 1026), gs(1, 1026)]);
    assert!(log[4..].iter().all(|e| match e {
        Event::ControlIn { setup, .. } => setup[6] == 0x66 && setup[7] == 0,
        _ => false,
    }));
    assert!(
        !log.iter()
            .any(|e| matches!(e, Event::ControlIn { setup, .. } if setup[2] == 0x0C))
    );
    block_on(ups.instcmd(&mut t, "shutdown.stop", None)).unwrap();
    block_on(ups.instcmd(&mut t, "beeper.toggle", None)).unwrap();
}
