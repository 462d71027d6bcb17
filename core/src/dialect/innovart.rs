//! `innovart31` / `innovart33` (spec §5.11–5.12). Not yet implemented.

use super::{Accepts, Claim, Dialect};

/// INNOVA RT 3/1.
pub static INNOVART31: Dialect = Dialect {
    name: "innovart31",
    version: "INNOVART31 0.02",
    items: &[],
    accepted: Some("ACK"),
    rejected: Some(b"NAK\r"),
    claim: Claim::items(&[]),
    accepts: Accepts::LIGHT,
    constants: &[],
};
/// INNOVA RT 3/3.
pub static INNOVART33: Dialect = Dialect {
    name: "innovart33",
    version: "INNOVART33 0.01",
    items: &[],
    accepted: Some("ACK"),
    rejected: Some(b"NAK\r"),
    claim: Claim::items(&[]),
    accepts: Accepts::LIGHT,
    constants: &[],
};
