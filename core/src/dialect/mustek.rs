//! `mustek` ("Mustek 0.08", spec §5.3): megatec/old with the status query `QS\r`.

use super::{Accepts, Claim, Dialect, Flags, Item, blazer};

/// `QS\r`.
pub const QS: &[u8] = b"QS\r";

static MEASUREMENTS: [Item; 7] = blazer::q1_measurements(QS, Flags::NONE);
static BITS: [Item; 8] = blazer::q1_bits(QS);

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "mustek",
    version: "Mustek 0.08",
    items: &[
        &MEASUREMENTS,
        &BITS,
        &blazer::RATINGS,
        &blazer::IDENTITY_I,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["input.voltage"]),
    accepts: Accepts::FULL,
    constants: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ups;
    use crate::testkit::{self, Q1_ANSWER};

    fn claim(table: &[(&'static [u8], &'static [u8])], explicit: bool) -> Ups {
        testkit::claim(&DIALECT, table, explicit)
    }

    #[test]
    fn accepts_a_q1_layout_answer_to_qs() {
        let ups = claim(&[(QS, Q1_ANSWER)], true);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }

    #[test]
    fn rejects_a_device_that_only_answers_q1() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER)], true);
        assert!(ups.vars().is_empty());
    }
}
