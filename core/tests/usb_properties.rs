//! Properties of the USB transports: UTF-16LE descriptor decoding, the shutdown-delay index
//! formula, and report reassembly — for any input, the exact text or a typed error, never a
//! panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "usb_support/mod.rs"]
mod usb_support;

use proptest::prelude::*;
use qxups::Transport;
use qxups::number::Decimal;
use qxups::usb::{DelayNs, Setup, Subdriver, UsbError, UsbHost, UsbOptions, UsbTransport, strings};
use usb_support::*;

fn transact(
    sd: Subdriver,
    options: UsbOptions,
    host: &MockHost,
    delay: MockDelay,
    cmd: &[u8],
) -> (Result<usize, qxups::TransportError>, Vec<u8>) {
    let mut t = UsbTransport::new(sd, host.clone(), delay, options);
    let mut reply = [0u8; 512];
    let r = block_on(t.transact(cmd, &mut reply));
    (r, reply.to_vec())
}

/// Printable reply text without CR or NUL.
fn text() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(0x20u8..0x7F, 0..120)
}

proptest! {
    #[test]
    fn raw_decode_round_trips_ascii(s in "[ -~]{0,126}") {
        let mut d = string_descriptor(&s);
        let n = d.len();
        prop_assert!(strings::size_matches(&d, n));
        let count = strings::decode_in_place(&mut d, 510);
        prop_assert_eq!(&d[..count], s.as_bytes());
    }

    #[test]
    fn ascii_helper_decode_marks_non_ascii(s in "\\PC{0,60}") {
        let d = string_descriptor(&s);
        prop_assume!(d.len() <= 255);
        let mut out = [0u8; 256];
        let n = strings::decode_ascii(&d, &mut out);
        let expected: Vec<u8> = s
            .encode_utf16()
            .map(|u| if u < 0x80 { u as u8 } else { b'?' })
            .collect();
        prop_assert_eq!(&out[..n], &expected[..]);
    }

    #[test]
    fn decoders_never_panic_and_respect_their_bounds(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        max in 0usize..300,
        cap in 0usize..300,
    ) {
        let mut buf = bytes.clone();
        let n = strings::decode_in_place(&mut buf, max);
        prop_assert!(n <= max);
        prop_assert!(n <= usize::from(bytes.first().copied().unwrap_or(0)) / 2);
        let mut out = vec![0u8; cap];
        let n = strings::decode_ascii(&bytes, &mut out);
        prop_assert!(n < cap.max(1));
        let mut out = vec![0u8; cap];
        let n = strings::decode_identification(&bytes, &mut out);
        prop_assert!(n <= cap && n <= 255);
    }

    #[test]
    fn delay_index_matches_the_table_and_is_monotone(
        tenths in 0i64..300,
        restart in proptest::option::of(0i64..3),
    ) {
        let index = strings::delay_index(Decimal::new(tenths, 1), restart);
        let stay = match tenths {
            ..=5 => 0x10,
            6..=9 => 16 + (tenths - 5) * 16,
            100.. => 0xF0,
            _ => 96 + (tenths - 10) * 16 / 10,
        };
        let ret = if restart == Some(0) { 0 } else { 8 };
        prop_assert_eq!(i64::from(index), stay + ret);
        prop_assert!((0x10..=0xF8).contains(&index));
        prop_assert!(index & 0x0F == 0 || index & 0x0F == 8 || tenths % 10 != 0);
        let next = strings::delay_index(Decimal::new(tenths + 1, 1), restart);
        prop_assert!(next >= index);
    }

    #[test]
    fn delay_index_of_any_decimal_stays_in_range(m in any::<i64>(), scale in 0u8..40, r in any::<Option<i64>>()) {
        let index = strings::delay_index(Decimal::new(m, scale), r);
        prop_assert!((0x10..=0xF8).contains(&index));
    }

    #[test]
    fn shutdown_text_and_index_agree(minutes in 1u8..=10, restart in 0u16..3) {
        let cmd = format!("S{minutes:02}R{restart:04}\r");
        let index = strings::shutdown_index(cmd.as_bytes()).unwrap();
        let expected = 0x60 + (minutes - 1) * 16 + if restart == 0 { 0 } else { 8 };
        prop_assert_eq!(index, expected);
    }

    #[test]
    fn cypress_reassembles_any_reply(body in text()) {
        let reply_text = [&body[..], b"\r"].concat();
        let (host, delay) = mock();
        for p in reply_text.chunks(8) {
            let mut packet = p.to_vec();
            packet.resize(8, 0);
            host.answer(&packet);
        }
        let (r, reply) = transact(Subdriver::Cypress, UsbOptions::default(), &host, delay, b"Q1\r");
        let n = r.unwrap();
        prop_assert_eq!(n, reply_text.len().div_ceil(8) * 8);
        prop_assert_eq!(&reply[..reply_text.len()], &reply_text[..]);
    }

    #[test]
    fn sgs_reassembles_any_chunking(body in text(), sizes in proptest::collection::vec(0usize..=7, 1..40)) {
        let reply_text = [&body[..], b"\r"].concat();
        let (host, delay) = mock();
        let mut rest = &reply_text[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            i += 1;
            let mut report = vec![n as u8];
            report.extend_from_slice(&rest[..n]);
            report.resize(8, 0xEE);
            host.answer(&report);
            rest = &rest[n..];
            if i > 400 { break; }
        }
        prop_assume!(rest.is_empty());
        let (r, reply) = transact(Subdriver::Sgs, UsbOptions::default(), &host, delay, b"Q1\r");
        prop_assert_eq!(r.unwrap(), reply_text.len());
        prop_assert_eq!(&reply[..reply_text.len()], &reply_text[..]);
    }

    #[test]
    fn armac_reassembles_any_chunking(
        body in proptest::collection::vec(0x20u8..0x7F, 0..38),
        sizes in proptest::collection::vec(1usize..=5, 1..20),
        high in proptest::collection::vec(prop_oneof![Just(0x80u8), Just(0xC0)], 1..8),
    ) {
        let reply_text = [&body[..], b"\r"].concat();
        let (host, delay) = mock();
        host.fail(UsbError::Timeout); // drain
        let mut rest = &reply_text[..];
        let mut i = 0;
        while !rest.is_empty() {
            let n = sizes[i % sizes.len()].min(rest.len());
            let mut packet = vec![high[i % high.len()] | n as u8];
            packet.extend_from_slice(&rest[..n]);
            packet.resize(6, b'0'); // stale bytes after the count
            host.answer(&packet);
            rest = &rest[n..];
            i += 1;
        }
        let (r, reply) = transact(Subdriver::Armac, UsbOptions::default(), &host, delay, b"F\r");
        prop_assert_eq!(r.unwrap(), reply_text.len());
        prop_assert_eq!(&reply[..reply_text.len()], &reply_text[..]);
    }

    #[test]
    fn any_device_bytes_give_a_result_not_a_panic(
        sd in proptest::sample::select(Subdriver::ALL.to_vec()),
        answers in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..140), 0..12),
        failures in proptest::collection::vec(0u8..10, 0..12),
        cmd in prop_oneof![Just(b"Q1\r".to_vec()), Just(b"F\r".to_vec()), Just(b"S03\r".to_vec()), proptest::collection::vec(any::<u8>(), 0..20)],
        fix in proptest::option::of(any::<u16>()),
    ) {
        let (host, delay) = mock();
        for (i, a) in answers.iter().enumerate() {
            match failures.get(i) {
                Some(0) => { host.fail(UsbError::Stall); }
                Some(1) => { host.fail(UsbError::Timeout); }
                Some(2) => { host.fail(UsbError::Disconnected); }
                _ => { host.answer(a); }
            }
        }
        let options = UsbOptions { langid_fix: fix, ..UsbOptions::default() };
        let (r, _) = transact(sd, options, &host, delay, &cmd);
        if let Ok(n) = r {
            prop_assert!(n <= 512);
        }
    }
}
