//! String-descriptor decoding on arbitrary descriptor bytes: NUT's in-place UTF-16LE
//! conversion and its size check, libusb's ASCII helper, the identification read, the langid
//! scan, and the four string-descriptor transports answered with these bytes. Nothing may
//! panic, and no decoder writes more characters than the descriptor or the buffer holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qxups::Transport;
use qxups::usb::{Subdriver, UsbOptions, UsbTransport, strings};
use qxups_fuzz::input::block_on;
use qxups_fuzz::usb::{FuzzHost, NoDelay, Packet, stream};

fuzz_target!(|data: &[u8]| {
    let b_length = data.first().map_or(0, |&b| usize::from(b));

    // The size check and NUT's conversion, with every cap.
    let matches = strings::size_matches(data, data.len());
    for cap in [usize::MAX, 101, 46, 1, 0] {
        let mut buf = data.to_vec();
        let cap = cap.min(buf.len());
        let n = strings::decode_in_place(&mut buf, cap);
        assert!(
            n <= cap && n <= b_length.saturating_sub(1) / 2,
            "in place: {n}"
        );
    }
    for cap in [255usize, 102, 8, 1, 0] {
        let mut out = vec![0u8; cap];
        let n = strings::decode_ascii(data, &mut out);
        assert!(n <= cap.saturating_sub(1) && n <= b_length.saturating_sub(2) / 2);
        let n = strings::decode_identification(data, &mut out);
        assert!(n <= cap.min(255));
    }
    // A well-formed ASCII descriptor reads the same through both decoders.
    if matches && b_length % 2 == 0 && data.get(1) == Some(&strings::STRING) {
        let units = data.get(2..).unwrap_or_default().chunks(2);
        if units.clone().all(|u| matches!(u, [lo, 0] if *lo < 0x80)) {
            let mut raw = data.to_vec();
            let n = strings::decode_in_place(&mut raw, 255);
            let mut out = [0u8; 256];
            let m = strings::decode_ascii(data, &mut out);
            assert_eq!(&raw[..n], &out[..m]);
        }
    }

    // The same bytes as the device's answer to every string read.
    let answers = stream(&[
        Packet::Data(&[4, 3, 9, 4]),
        Packet::Data(data),
        Packet::Data(data),
        Packet::Data(data),
        Packet::Data(data),
    ]);
    let mut out = [0u8; 255];
    let _ = block_on(strings::read_ascii(
        &mut FuzzHost::new(&answers),
        3,
        &mut out,
    ));
    let _ = block_on(strings::read_identification(
        &mut FuzzHost::new(&answers),
        &mut NoDelay,
        1,
        &mut out,
    ));
    let _ = block_on(strings::scan_langid(&mut FuzzHost::new(&answers[5..])));
    let only = stream(&vec![Packet::Data(data); 12]);
    for sd in [
        Subdriver::Krauler,
        Subdriver::Fabula,
        Subdriver::Hunnox,
        Subdriver::Snr,
    ] {
        for langid_fix in [None, Some(0x0409)] {
            for host in [FuzzHost::new(&answers), FuzzHost::new(&only)] {
                let options = UsbOptions {
                    langid_fix,
                    ..UsbOptions::default()
                };
                let mut t = UsbTransport::new(sd, host, NoDelay, options);
                let mut reply = [0u8; 512];
                if let Ok(n) = block_on(t.transact(b"Q1\r", &mut reply)) {
                    assert!(n <= reply.len());
                }
            }
        }
    }
});
