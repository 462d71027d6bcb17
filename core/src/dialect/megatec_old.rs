//! `megatec/old` ("Megatec/old 0.08", spec §5.2): status through `D\r` (Q1 layout), F, and the
//! standard identity answer; recognised by the status answer alone.

use super::{Accepts, Claim, Dialect, Flags, Item, blazer};

/// `D\r`.
pub const D: &[u8] = b"D\r";

static MEASUREMENTS: [Item; 7] = blazer::q1_measurements(D, Flags::NONE);
static BITS: [Item; 8] = blazer::q1_bits(D);

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "megatec/old",
    version: "Megatec/old 0.08",
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
