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
