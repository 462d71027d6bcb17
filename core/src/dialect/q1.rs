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
