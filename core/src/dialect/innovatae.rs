//! `innovatae`. Not yet implemented.

use super::{Accepts, Claim, Dialect};

/// The dialect.
pub static DIALECT: Dialect = Dialect {
    name: "innovatae",
    version: "",
    items: &[],
    accepted: Some("ACK"),
    rejected: None,
    claim: Claim::items(&["never"]),
    accepts: Accepts::LIGHT,
    constants: &[],
};
