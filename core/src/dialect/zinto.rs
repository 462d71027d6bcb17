//! `zinto` ("Zinto 0.07", spec §5.4): Q1, F, and the standard identity answer to `FW?\r`.

use super::{Accepts, Claim, Dialect, blazer};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "zinto",
    version: "Zinto 0.07",
    items: &[
        &blazer::Q1_MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::RATINGS,
        &blazer::IDENTITY_FW,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["input.voltage", "ups.firmware"]),
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::testkit::{Device, block_on};
    use crate::{Options, Ups};

    const Q1_ANSWER: &[u8] = b"(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000\r";
    const IDENTITY: &[u8] = b"#NOT_A_LIVE_UPS  TESTING    TESTING   \r";

    /// Claims the dialect (as `protocol=`, or autodetecting) on a device playing `table`.
    fn claim(table: &[(&'static [u8], &'static [u8])], explicit: bool) -> Ups {
        let mut ups = Ups::new(&DIALECT, Options::new());
        let mut device = Device::new(table, None);
        let ok = block_on(ups.claim(&mut device, explicit)).unwrap();
        assert_eq!(ok, !ups.vars().is_empty());
        ups
    }

    #[test]
    fn accepts_q1_and_fw() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER), (b"FW?\r", IDENTITY)], true);
        assert_eq!(ups.vars().get("ups.firmware"), Some("TESTING"));
    }

    #[test]
    fn rejects_a_device_without_fw() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER), (blazer::I, IDENTITY)], true);
        assert!(ups.vars().is_empty());
    }
}
