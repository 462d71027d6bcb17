//! `q1` ("Q1 0.08", spec §5.5): the Q1 answer alone; the last-resort fallback.

use super::{Accepts, Claim, Dialect, blazer};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "q1",
    version: "Q1 0.08",
    items: &[
        &blazer::Q1_MEASUREMENTS,
        &blazer::Q1_BITS,
        &blazer::COMMANDS,
        &blazer::DELAYS,
    ],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["input.voltage"]),
    accepts: Accepts::LIGHT,
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
    fn accepts_any_q1_device() {
        let ups = claim(&[(blazer::Q1, Q1_ANSWER)], false);
        assert_eq!(ups.vars().get("input.voltage"), Some("215.0"));
    }

    #[test]
    fn rejects_a_cut_off_q1_answer() {
        let ups = claim(&[(blazer::Q1, b"(215.0 195.0 230.0\r")], true);
        assert!(ups.vars().is_empty());
    }
}
