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
