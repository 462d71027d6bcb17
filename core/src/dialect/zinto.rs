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
    use crate::Ups;
    use crate::testkit::{self, IDENTITY, Q1_ANSWER};

    fn claim(table: &[(&'static [u8], &'static [u8])], explicit: bool) -> Ups {
        testkit::claim(&DIALECT, table, explicit)
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
