//! Autodetection (spec §4) with NUT's shadowing fixed: a device answering like each dialect's
//! vector table is recognised as that dialect, and never as one tried earlier.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{ScriptedDevice, block_on, escape, read_tsv};
use qxups::Options;
use qxups::dialect::AUTODETECT_ORDER;
use qxups::ups::detect;

/// The vector file of a dialect (`megatec/old` is `megatec-old`).
fn file_of(name: &str) -> String {
    name.replace('/', "-")
}

/// The answers of a device of dialect `name`: its vector table, except for innovart33, whose
/// table is byte for byte innovart31's (a 3/1 unit: no output on L2/L3), so no probe can tell
/// the two apart. A 3/3 unit is played instead: its Q6 answer has live L2/L3 outputs.
fn device_table(name: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut table = read_tsv(&file_of(name));
    if name == "innovart33" {
        for (cmd, answer) in &mut table {
            if cmd == b"Q6\r" {
                answer.splice(30..41, b"230.1 229.8".iter().copied());
            }
        }
    }
    table
}

/// Detects the dialect of a device that plays `name`'s vector table; a command not in the table
/// is answered the way that dialect's devices refuse (or echoed).
fn detected(name: &str, usb_vendor: Option<u16>) -> Result<&'static str, String> {
    let dialect = qxups::dialect::by_name(name).unwrap();
    let mut device = ScriptedDevice::new(device_table(name), dialect.rejected);
    let mut options = Options::new();
    options.usb_vendor = usb_vendor;
    match block_on(detect(&mut device, None, &options)) {
        Ok(ups) => Ok(ups.dialect().name),
        Err(e) => Err(format!(
            "{e}; sent {}",
            device
                .sent
                .iter()
                .map(|c| escape(c))
                .collect::<Vec<_>>()
                .join(" ")
        )),
    }
}

/// One test per dialect, so a failure names it: `cargo test --test autodetect mecer`.
macro_rules! detects {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                let dialect = qxups::dialect::by_name($name).unwrap();
                assert_eq!(detected($name, dialect.claim.vendor), Ok($name));
            }
        )*

        /// The list above covers the whole autodetection order.
        #[test]
        fn every_dialect_has_a_detection_test() {
            let tested = [$($name),*];
            for d in AUTODETECT_ORDER {
                assert!(tested.contains(&d.name), "{} has no detection test", d.name);
            }
        }
    };
}

detects! {
    omron => "omron",
    mustek => "mustek",
    megatec_old => "megatec/old",
    bestups => "bestups",
    mecer => "mecer",
    ablerex => "ablerex",
    megatec => "megatec",
    hunnox => "hunnox",
    zinto => "zinto",
    masterguard => "masterguard",
    innovart33 => "innovart33",
    innovart31 => "innovart31",
    q2 => "q2",
    q6 => "q6",
    gtec => "gtec",
    innovatae => "innovatae",
    q1 => "q1",
}

/// Omron's claim needs its USB vendor ID when autodetecting (spec §5.18); without it, the same
/// answers fall through to a later dialect instead of being claimed as omron.
#[test]
fn omron_needs_its_vendor_id_when_autodetecting() {
    let omron = qxups::dialect::by_name("omron").unwrap();
    if omron.claim.vendor.is_some() {
        assert_ne!(detected("omron", None), Ok("omron"));
    }
}

#[test]
fn a_silent_device_is_not_supported() {
    struct Silent;
    impl qxups::Transport for Silent {
        async fn transact(
            &mut self,
            _command: &[u8],
            _reply: &mut [u8],
        ) -> Result<usize, qxups::TransportError> {
            Ok(0)
        }
    }
    let got = block_on(detect(Silent, None, &Options::new()));
    assert!(matches!(got, Err(qxups::ups::DetectError::NotSupported)));
}
